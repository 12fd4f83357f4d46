//! Login attempts, and the lockout state they feed, settled in one transaction.

use anyhow::Result;

use super::sessions;
use super::users::USER_COLUMNS;
use crate::db::Db;
use crate::db::backend::value::{Row, params};
use crate::db::backend::{Dialect, Exec};
use crate::db::query::Sql;
use crate::journal::{self, Fact};
use crate::model::{FailureState, Millis, Origin, Outcome, User, folded};

/// What is known of an attempt's subject before deciding it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prior {
    /// A real account, with its lockout state.
    Account(FailureState),
    /// An unknown name: the times of its recent failures and lock refusals, oldest
    /// first, so that it can be locked exactly as a real account would be.
    UnknownName(Vec<(Millis, Outcome)>),
}

/// How the failures of an attempt's source are read, when they can lock it: those after
/// `since`, at most `most`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceCount {
    pub since: Millis,
    pub most: u32,
}

/// Where an attempt comes from: its remote address, else its host's terminal. The same
/// expression as the index `login_attempts_source`, which it must match to use it.
const SOURCE: &str = "(CASE WHEN remote_ip IS NOT NULL THEN 'ip ' || remote_ip
           ELSE 'tty ' || coalesce(host, '') || ' ' || coalesce(tty, '') END)";

fn source_of(origin: &Origin) -> String {
    match &origin.remote_ip {
        Some(ip) => format!("ip {ip}"),
        None => format!(
            "tty {} {}",
            origin.host,
            origin.tty.as_deref().unwrap_or_default()
        ),
    }
}

/// An account as the login sees it: the user, its hash, its lockout state.
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
    pub failures: FailureState,
}

impl Db {
    /// The account of `username` (any case) with what the login checks: one read. On
    /// PostgreSQL through `konekte_login_account`, the one way a terminal role reads a
    /// password's hash, one name at a time.
    pub fn credentials(&self, username: &str) -> Result<Option<Credentials>> {
        let account = match self.dialect() {
            Dialect::Sqlite => "users u WHERE u.username_key = ?1",
            Dialect::Postgres => "konekte_login_account(?1) u",
        };
        let sql = format!(
            "SELECT {USER_COLUMNS}, u.password_hash, u.failed_attempts,
                    u.failure_window_start, u.locked_until
             FROM {account}"
        );
        self.query_opt(&sql, params![folded(username)])?
            .map(|mut row| {
                Ok(Credentials {
                    user: super::users::user_from_row(&mut row)?,
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
    /// name. With `source`, `decide` is also given the latest failures from the same
    /// source (newest first), read under a lock of that source. The attempt is written
    /// once, however often the transaction is tried.
    #[allow(clippy::too_many_arguments)]
    pub fn settle_attempt(
        &self,
        typed: &str,
        user_id: Option<i64>,
        origin: &Origin,
        now: Millis,
        history_since: Millis,
        source: Option<SourceCount>,
        decide: impl Fn(Prior, &[Millis]) -> (Outcome, FailureState),
    ) -> Result<(Outcome, FailureState)> {
        let key = sessions::session_key();
        self.write(|tx| {
            tx.lock(&format!("konekte:attempt:{}", folded(typed)))?;
            let source_failures = match source {
                Some(count) => {
                    let place = source_of(origin);
                    tx.lock(&format!("konekte:source:{place}"))?;
                    source_failures(tx, &place, count)?
                }
                None => Vec::new(),
            };
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
            let (outcome, state) = decide(prior, &source_failures);
            if let Some(id) = user_id {
                let lockout = params![id, state.failures, state.window_start, state.locked_until];
                match tx.dialect() {
                    Dialect::Sqlite => tx.execute(
                        "UPDATE users SET failed_attempts = ?2, failure_window_start = ?3,
                                          locked_until = ?4
                         WHERE id = ?1",
                        lockout,
                    )?,
                    Dialect::Postgres => {
                        tx.execute("SELECT konekte_set_lockout(?1, ?2, ?3, ?4)", lockout)?
                    }
                };
            }
            let attempt = NewAttempt {
                typed,
                user_id,
                at: now,
                origin,
                outcome,
            };
            insert_attempt(tx, &attempt, Some(&key), now)?;
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

/// A login attempt as it is recorded.
pub(in crate::db) struct NewAttempt<'a> {
    pub typed: &'a str,
    pub user_id: Option<i64>,
    pub at: Millis,
    pub origin: &'a Origin,
    pub outcome: Outcome,
}

/// Records `attempt` with its key (when the caller retries with one), and its entry in
/// the journal, written at `written_at`.
pub(in crate::db) fn insert_attempt(
    conn: &impl Exec,
    attempt: &NewAttempt,
    key: Option<&str>,
    written_at: Millis,
) -> Result<()> {
    let origin = attempt.origin;
    let fact = Fact::Attempt(journal::Attempt {
        user_id: attempt.user_id,
        typed: attempt.typed.to_string(),
        at: attempt.at,
        outcome: attempt.outcome.as_str().to_string(),
        host: Some(origin.host.clone()),
        tty: origin.tty.clone(),
        remote_ip: origin.remote_ip.clone(),
    });
    let row = params![
        attempt.typed,
        attempt.user_id,
        attempt.at,
        origin.host,
        origin.tty,
        origin.remote_ip,
        attempt.outcome.as_str(),
        key,
        folded(attempt.typed)
    ];
    if conn.dialect() == Dialect::Postgres {
        let mut call = row.to_vec();
        call.extend_from_slice(params![written_at, fact.body()]);
        conn.query_row(
            "SELECT konekte_record_attempt(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            &call,
        )?;
        return Ok(());
    }
    let id: i64 = conn
        .query_row(
            "INSERT INTO login_attempts (username_typed, user_id, at, host, tty, remote_ip,
                                         outcome, attempt_key, typed_key)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             RETURNING id",
            row,
        )?
        .get(0)?;
    super::journal::append(conn, written_at, Some(id), &fact)?;
    Ok(())
}

/// The latest failures from `place` (newest first): wrong passwords and unknown names,
/// not the refusals of a lock, which would keep it locked for ever.
fn source_failures(conn: &impl Exec, place: &str, count: SourceCount) -> Result<Vec<Millis>> {
    conn.query(
        &format!(
            "SELECT at FROM login_attempts
             WHERE {SOURCE} = ?1 AND at > ?2
               AND outcome IN ('bad_password', 'unknown_user', 'disabled', 'not_admin')
             ORDER BY at DESC LIMIT ?3"
        ),
        params![place, count.since, i64::from(count.most)],
    )?
    .iter()
    .map(|row| row.get(0))
    .collect()
}

fn unknown_name_history(
    conn: &impl Exec,
    typed: &str,
    since: Millis,
) -> Result<Vec<(Millis, Outcome)>> {
    conn.query(
        "SELECT at, outcome FROM login_attempts
         WHERE typed_key = ?1 AND user_id IS NULL AND at >= ?2
         ORDER BY at",
        params![folded(typed), since],
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

/// The failed attempts: of one typed name (any case) if given, since a time if given.
pub(in crate::db) fn failures(typed: Option<&str>, since: Option<Millis>) -> Sql {
    let mut conditions = Sql::new("a.outcome != 'success'");
    conditions
        .and_some("a.typed_key = ?", typed.map(folded))
        .and_some("a.at >= ?", since);
    conditions
}
