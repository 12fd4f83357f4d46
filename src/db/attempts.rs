//! Login attempts, and the lockout state they feed, settled in one transaction.

use anyhow::Result;
use rusqlite::{OptionalExtension, params};

use super::Db;
use crate::model::{FailureState, Millis, Origin, Outcome, User};

/// What is known of an attempt's subject before deciding it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prior {
    /// A real account, with its lockout state.
    Account(FailureState),
    /// An unknown name: the times of its recent failures and lock refusals, oldest
    /// first, so that it can be locked exactly as a real account would be.
    UnknownName(Vec<(Millis, Outcome)>),
}

/// An account as the login sees it: the user, its hash, its lockout state.
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
    pub failures: FailureState,
}

impl Db {
    pub fn credentials(&self, username: &str) -> Result<Option<Credentials>> {
        let user = match self.user(username)? {
            Some(user) => user,
            None => return Ok(None),
        };
        let found = self
            .conn
            .prepare_cached(
                "SELECT password_hash, failed_attempts, failure_window_start, locked_until
                 FROM users WHERE id = ?1",
            )?
            .query_row([user.id], |row| {
                Ok((
                    row.get(0)?,
                    FailureState {
                        failures: row.get(1)?,
                        window_start: row.get(2)?,
                        locked_until: row.get(3)?,
                    },
                ))
            })
            .optional()?;
        Ok(found.map(|(password_hash, failures)| Credentials {
            user,
            password_hash,
            failures,
        }))
    }

    /// Reads the subject's lockout state, lets `decide` judge the attempt, then stores the
    /// new state and the attempt: all in one write transaction, so two terminals trying
    /// the same name at once are both counted. `history_since` bounds the history read
    /// for an unknown name.
    pub fn settle_attempt(
        &self,
        typed: &str,
        user_id: Option<i64>,
        origin: &Origin,
        now: Millis,
        history_since: Millis,
        decide: impl Fn(Prior) -> (Outcome, FailureState),
    ) -> Result<(Outcome, FailureState)> {
        self.write(|tx| {
            let prior = match user_id {
                Some(id) => Prior::Account(tx.query_row(
                    "SELECT failed_attempts, failure_window_start, locked_until
                     FROM users WHERE id = ?1",
                    [id],
                    |row| {
                        Ok(FailureState {
                            failures: row.get(0)?,
                            window_start: row.get(1)?,
                            locked_until: row.get(2)?,
                        })
                    },
                )?),
                None => Prior::UnknownName(unknown_name_history(tx, typed, history_since)?),
            };
            let (outcome, state) = decide(prior);
            if let Some(id) = user_id {
                tx.prepare_cached(
                    "UPDATE users SET failed_attempts = ?2, failure_window_start = ?3,
                                      locked_until = ?4
                     WHERE id = ?1",
                )?
                .execute(params![
                    id,
                    state.failures,
                    state.window_start,
                    state.locked_until
                ])?;
            }
            insert_attempt(tx, typed, user_id, now, origin, outcome)?;
            Ok((outcome, state))
        })
    }

    /// How many failed attempts on this account since `since`.
    pub fn failures_since(&self, user_id: i64, since: Millis) -> Result<u32> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM login_attempts
                 WHERE user_id = ?1 AND at > ?2 AND outcome != 'success'",
            )?
            .query_row(params![user_id, since], |row| row.get(0))?)
    }
}

/// Writes one login attempt.
pub(super) fn insert_attempt(
    conn: &rusqlite::Connection,
    typed: &str,
    user_id: Option<i64>,
    at: Millis,
    origin: &Origin,
    outcome: Outcome,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO login_attempts (username_typed, user_id, at, host, tty, remote_ip, outcome)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        typed,
        user_id,
        at,
        origin.host,
        origin.tty,
        origin.remote_ip,
        outcome.as_str()
    ])?;
    Ok(())
}

fn unknown_name_history(
    conn: &rusqlite::Connection,
    typed: &str,
    since: Millis,
) -> rusqlite::Result<Vec<(Millis, Outcome)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, outcome FROM login_attempts
         WHERE username_typed = ?1 COLLATE NOCASE AND user_id IS NULL AND at >= ?2
         ORDER BY at",
    )?;
    let rows = stmt.query_map(params![typed, since], |row| {
        let outcome: String = row.get(1)?;
        Ok((row.get(0)?, outcome))
    })?;
    let mut history = Vec::new();
    for row in rows {
        let (at, outcome) = row?;
        let outcome = if outcome == Outcome::Locked.as_str() {
            Outcome::Locked
        } else {
            Outcome::UnknownUser
        };
        history.push((at, outcome));
    }
    Ok(history)
}
