//! Login attempts, and the lockout state they feed, settled in one transaction.

use anyhow::Result;

use super::conn::Exec;
use super::users::USER_COLUMNS;
use super::value::{Row, params};
use super::{Db, sessions};
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
    /// The account of `username` (any case) with what the login checks: one read.
    pub fn credentials(&self, username: &str) -> Result<Option<Credentials>> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, u.password_hash, u.failed_attempts,
                    u.failure_window_start, u.locked_until
             FROM users u WHERE u.username_key = lower(?1)"
        );
        self.query_opt(&sql, params![username])?
            .map(|row| {
                Ok(Credentials {
                    user: super::users::user_from_row(&row)?,
                    password_hash: row.get(8)?,
                    failures: failure_state(&row, 9)?,
                })
            })
            .transpose()
    }

    /// Reads the subject's lockout state, lets `decide` judge the attempt, then stores the
    /// new state and the attempt: all in one write transaction, which waits for any other
    /// on the same name (any case, known or not), so two terminals trying the same name
    /// at once are both counted. `history_since` bounds the history read for an unknown
    /// name. The attempt is written once, however often the transaction is tried.
    pub fn settle_attempt(
        &self,
        typed: &str,
        user_id: Option<i64>,
        origin: &Origin,
        now: Millis,
        history_since: Millis,
        decide: impl Fn(Prior) -> (Outcome, FailureState),
    ) -> Result<(Outcome, FailureState)> {
        let key = sessions::session_key();
        self.write(|tx| {
            tx.lock(&format!("konekte:attempt:{}", typed.to_lowercase()))?;
            let prior = match user_id {
                Some(id) => Prior::Account(account_state(tx, id)?),
                None => Prior::UnknownName(unknown_name_history(tx, typed, history_since)?),
            };
            if let Some(outcome) = recorded(tx, &key)? {
                // Committed already, its answer lost on the way: as it was decided.
                let state = match prior {
                    Prior::Account(state) => state,
                    Prior::UnknownName(_) => FailureState::default(),
                };
                return Ok((outcome, state));
            }
            let (outcome, state) = decide(prior);
            if let Some(id) = user_id {
                tx.execute(
                    "UPDATE users SET failed_attempts = ?2, failure_window_start = ?3,
                                      locked_until = ?4
                     WHERE id = ?1",
                    params![id, state.failures, state.window_start, state.locked_until],
                )?;
            }
            insert_attempt(tx, typed, user_id, now, origin, outcome, Some(&key))?;
            Ok((outcome, state))
        })
    }

    /// How many failed attempts on this account since `since`.
    pub fn failures_since(&self, user_id: i64, since: Millis) -> Result<u32> {
        self.query_row(
            "SELECT count(*) FROM login_attempts
             WHERE user_id = ?1 AND at > ?2 AND outcome != 'success'",
            params![user_id, since],
        )?
        .get(0)
    }
}

fn account_state(conn: &impl Exec, user_id: i64) -> Result<FailureState> {
    let row = conn.query_row(
        "SELECT failed_attempts, failure_window_start, locked_until FROM users WHERE id = ?1",
        params![user_id],
    )?;
    failure_state(&row, 0)
}

/// The three lockout columns of `row`, from `first` on.
fn failure_state(row: &Row, first: usize) -> Result<FailureState> {
    Ok(FailureState {
        failures: row.get(first)?,
        window_start: row.get(first + 1)?,
        locked_until: row.get(first + 2)?,
    })
}

/// The outcome written under `key`, if that attempt is written already.
fn recorded(conn: &impl Exec, key: &str) -> Result<Option<Outcome>> {
    let Some(row) = conn.query_opt(
        "SELECT outcome FROM login_attempts WHERE attempt_key = ?1",
        params![key],
    )?
    else {
        return Ok(None);
    };
    Ok(Outcome::parse(&row.get::<String>(0)?))
}

/// Writes one login attempt.
pub(super) fn insert_attempt(
    conn: &impl Exec,
    typed: &str,
    user_id: Option<i64>,
    at: Millis,
    origin: &Origin,
    outcome: Outcome,
    key: Option<&str>,
) -> Result<()> {
    conn.execute(
        "INSERT INTO login_attempts (username_typed, user_id, at, host, tty, remote_ip, outcome,
                                     attempt_key)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            typed,
            user_id,
            at,
            origin.host,
            origin.tty,
            origin.remote_ip,
            outcome.as_str(),
            key
        ],
    )?;
    Ok(())
}

fn unknown_name_history(
    conn: &impl Exec,
    typed: &str,
    since: Millis,
) -> Result<Vec<(Millis, Outcome)>> {
    conn.query(
        "SELECT at, outcome FROM login_attempts
         WHERE lower(username_typed) = lower(?1) AND user_id IS NULL AND at >= ?2
         ORDER BY at",
        params![typed, since],
    )?
    .iter()
    .map(|row| {
        let outcome: String = row.get(1)?;
        let outcome = if outcome == Outcome::Locked.as_str() {
            Outcome::Locked
        } else {
            Outcome::UnknownUser
        };
        Ok((row.get(0)?, outcome))
    })
    .collect()
}
