//! Corrections of the history, never overwrites: an end moved (a person who forgot to
//! log out), a session added that the terminals never saw (the paper register), a
//! session voided (recorded in error, left out of the reports). The row shows the
//! corrected values; the journal keeps what was recorded before, and the correction
//! with its note and its author.

use anyhow::Result;

use super::session_key;
use crate::db::Db;
use crate::db::backend::Exec;
use crate::db::backend::value::params;
use crate::db::tables::closed_months::refuse_if_closed;
use crate::db::tables::journal;
use crate::error::Error;
use crate::journal::{Added, Corrected, Fact, Voided};
use crate::model::Millis;

/// What to correct.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Correction {
    /// Session `session` ended at `at` instead.
    End { session: i64, at: Millis },
    /// A session of `user_id` from `start` to `end`.
    Add {
        user_id: i64,
        start: Millis,
        end: Millis,
    },
    /// Session `session` was recorded in error.
    Void { session: i64 },
}

/// A session as a correction needs it.
struct Recorded {
    user_id: i64,
    login_time: Millis,
    logout_time: Option<Millis>,
    void: bool,
}

impl Db {
    /// Carries out `correction` with its note, journaled as this connection's actor's;
    /// returns the session's id. A session that does not exist or is still open, an
    /// end before its start or in the future, or one that would overlap another session
    /// of the same person is refused (exit 65) and nothing is written.
    pub fn correct(&self, correction: Correction, note: &str) -> Result<i64> {
        let now = self.now();
        self.write(|tx| match correction {
            Correction::End { session, at } => {
                let recorded = recorded(tx, session)?;
                refuse_if_open_or_void(session, &recorded)?;
                let was = recorded.logout_time.unwrap_or(at);
                refuse_in_closed_month(tx, recorded.login_time, was.max(at))?;
                check_span(
                    tx,
                    recorded.user_id,
                    Some(session),
                    recorded.login_time,
                    at,
                    now,
                )?;
                tx.execute(
                    "UPDATE sessions SET logout_time = ?2, correction_note = ?3,
                            correction = CASE WHEN correction = 'added' THEN 'added' ELSE 'end' END
                     WHERE id = ?1",
                    params![session, at, note],
                )?;
                // The account's last logout follows an end moved earlier (the trigger
                // keeps only a later one).
                tx.execute(
                    "UPDATE users SET last_logout =
                            (SELECT max(logout_time) FROM sessions WHERE user_id = ?1)
                     WHERE id = ?1 AND last_logout = ?2",
                    params![recorded.user_id, recorded.logout_time],
                )?;
                let fact = Fact::SessionCorrected(Corrected {
                    logout_time: at,
                    note: note.into(),
                    by: self.actor(),
                });
                journal::append(tx, now, Some(session), &fact)?;
                Ok(session)
            }
            Correction::Add {
                user_id,
                start,
                end,
            } => {
                refuse_in_closed_month(tx, start, end)?;
                check_span(tx, user_id, None, start, end, now)?;
                let session: i64 = tx
                    .query_row(
                        "INSERT INTO sessions (user_id, session_key, host, login_time, last_seen,
                                               logout_time, end_reason, correction,
                                               correction_note)
                         VALUES (?1, ?2, '', ?3, ?4, ?4, 'logout', 'added', ?5)
                         RETURNING id",
                        params![user_id, session_key(), start, end, note],
                    )?
                    .get(0)?;
                let fact = Fact::SessionAdded(Added {
                    user_id,
                    login_time: start,
                    logout_time: end,
                    note: note.into(),
                    by: self.actor(),
                });
                journal::append(tx, now, Some(session), &fact)?;
                Ok(session)
            }
            Correction::Void { session } => {
                let recorded = recorded(tx, session)?;
                refuse_if_open_or_void(session, &recorded)?;
                let ended = recorded.logout_time.unwrap_or(recorded.login_time);
                refuse_in_closed_month(tx, recorded.login_time, ended)?;
                tx.execute(
                    "UPDATE sessions SET correction = 'void', correction_note = ?2 WHERE id = ?1",
                    params![session, note],
                )?;
                let fact = Fact::SessionVoided(Voided {
                    note: note.into(),
                    by: self.actor(),
                });
                journal::append(tx, now, Some(session), &fact)?;
                Ok(session)
            }
        })
    }
}

fn recorded(tx: &impl Exec, session: i64) -> Result<Recorded> {
    let row = tx
        .query_opt(
            "SELECT user_id, login_time, logout_time, correction FROM sessions WHERE id = ?1",
            params![session],
        )?
        .ok_or_else(|| Error::bad_input(crate::tr!(no_session, id = session)))?;
    Ok(Recorded {
        user_id: row.get(0)?,
        login_time: row.get(1)?,
        logout_time: row.get(2)?,
        void: row.get::<Option<String>>(3)?.as_deref() == Some("void"),
    })
}

/// A correction of a session from `from` to `to` touches the months of those local
/// days: refused (exit 1) if one is closed.
fn refuse_in_closed_month(tx: &impl Exec, from: Millis, to: Millis) -> Result<()> {
    let day = |at| crate::clock::day_of(at, crate::clock::Zone::Local);
    match (day(from), day(to)) {
        (Some(first), Some(last)) => refuse_if_closed(tx, first, Some(last.max(first))),
        _ => Ok(()),
    }
}

fn refuse_if_open_or_void(session: i64, recorded: &Recorded) -> Result<()> {
    if recorded.logout_time.is_none() {
        return Err(Error::bad_input(crate::tr!(correct_open, id = session)).into());
    }
    if recorded.void {
        return Err(Error::bad_input(crate::tr!(correct_void, id = session)).into());
    }
    Ok(())
}

/// Refuses a session of `user_id` from `start` to `end` that ends before it starts,
/// ends in the future, or overlaps another of that person's (void ones aside). On
/// PostgreSQL the person's sessions are locked first: two corrections at once cannot
/// both pass the check.
fn check_span(
    tx: &crate::db::backend::Tx,
    user_id: i64,
    except: Option<i64>,
    start: Millis,
    end: Millis,
    now: Millis,
) -> Result<()> {
    let when = |at: Millis| {
        crate::i18n::texts()
            .lang
            .date_time_seconds(at, crate::clock::Zone::Local)
    };
    if end <= start {
        let said = crate::tr!(correct_before_start, end = when(end), start = when(start));
        return Err(Error::bad_input(said).into());
    }
    if end > now {
        return Err(Error::bad_input(crate::tr!(correct_future, time = when(end))).into());
    }
    tx.lock(&format!("konekte:sessions-of:{user_id}"))?;
    let other = tx.query_opt(
        "SELECT s.id, s.login_time, coalesce(s.logout_time, ?5), u.username
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.user_id = ?1 AND s.id != ?2 AND coalesce(s.correction, '') != 'void'
           AND s.login_time < ?4 AND coalesce(s.logout_time, ?5) > ?3
         ORDER BY s.login_time LIMIT 1",
        params![user_id, except.unwrap_or(0), start, end, now],
    )?;
    if let Some(row) = other {
        let said = crate::tr!(
            correct_overlap,
            id = row.get::<i64>(0)?,
            name = row.get::<String>(3)?,
            from = when(row.get(1)?),
            to = when(row.get(2)?)
        );
        return Err(Error::bad_input(said).into());
    }
    Ok(())
}
