//! Expected hours: one row a role or a person, its week as one text.

use anyhow::Result;

use super::journal::append;
use super::users::require_user;
use crate::db::Db;
use crate::db::backend::value::params;
use crate::db::backend::{Exec, Tx};
use crate::error::Error;
use crate::journal::{Fact, Removed, ScheduleSet};
use crate::model::Role;
use crate::schedule::{Refusal, Span, Week};

/// Whose schedule: a role's, or a person's (which overrides its role's).
pub enum Whose<'a> {
    Role(Role),
    User(&'a str),
}

/// A schedule as `schedule list` shows it.
pub struct Scheduled {
    pub role: Option<Role>,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub week: Week,
}

/// The row of a schedule: its id, its role or user id, its week.
struct Row {
    id: Option<i64>,
    role: Option<String>,
    user_id: Option<i64>,
    week: Week,
}

impl Db {
    /// `span` on each of `days` of `whose` schedule, in place of those days' spans or
    /// beside them (`add`); journaled with the week as it then stands.
    pub fn set_schedule(
        &self,
        whose: &Whose,
        days: [bool; 7],
        span: Span,
        add: bool,
    ) -> Result<Week> {
        self.write(|tx| {
            let mut row = schedule_of(tx, whose)?;
            row.week
                .set(days, span, add)
                .map_err(|refusal| match refusal {
                    Refusal::EndsBeforeStart => Error::bad_input(crate::tr!(schedule_backwards)),
                    Refusal::Overlaps { day } => {
                        Error::bad_input(crate::tr!(schedule_overlaps, day = day))
                    }
                })?;
            let text = row.week.text();
            let id: i64 = match row.id {
                Some(id) => {
                    tx.execute(
                        "UPDATE schedules SET week = ?2 WHERE id = ?1",
                        params![id, text],
                    )?;
                    id
                }
                None => tx
                    .query_row(
                        "INSERT INTO schedules (role, user_id, week) VALUES (?1, ?2, ?3)
                         RETURNING id",
                        params![row.role, row.user_id, text],
                    )?
                    .get(0)?,
            };
            let fact = Fact::ScheduleSet(ScheduleSet {
                role: row.role.clone(),
                user_id: row.user_id,
                week: row.week.clone(),
                carried: false,
                by: self.actor(),
            });
            append(tx, self.now(), Some(id), &fact)?;
            Ok(row.week)
        })
    }

    /// Removes `whose` schedule; false if there was none.
    pub fn clear_schedule(&self, whose: &Whose) -> Result<bool> {
        self.write(|tx| {
            let Some(id) = schedule_of(tx, whose)?.id else {
                return Ok(false);
            };
            tx.execute("DELETE FROM schedules WHERE id = ?1", params![id])?;
            append(
                tx,
                self.now(),
                Some(id),
                &Fact::ScheduleCleared(Removed { by: self.actor() }),
            )?;
            Ok(true)
        })
    }

    /// Every schedule: the roles' first, then the people's, by name.
    pub fn schedules(&self) -> Result<Vec<Scheduled>> {
        self.query(
            "SELECT s.role, u.username, s.week, s.user_id FROM schedules s
             LEFT JOIN users u ON u.id = s.user_id
             ORDER BY s.role IS NULL, s.role, u.username_key",
            params![],
        )?
        .iter()
        .map(|row| {
            let role: Option<String> = row.get(0)?;
            Ok(Scheduled {
                role: role.as_deref().map(str::parse).transpose()?,
                user_id: row.get(3)?,
                username: row.get(1)?,
                week: Week::parse(&row.get::<String>(2)?)?,
            })
        })
        .collect()
    }
}

/// `whose` schedule as it stands (an empty week, without an id, if none), its row
/// locked for the write under way.
fn schedule_of(tx: &Tx, whose: &Whose) -> Result<Row> {
    tx.lock("konekte:schedules")?;
    let (role, user_id) = match whose {
        Whose::Role(role) => (Some(role.as_str().to_string()), None),
        Whose::User(name) => (None, Some(require_user(tx, name)?.id)),
    };
    let found = tx.query_opt(
        "SELECT id, week FROM schedules WHERE role = ?1 OR user_id = ?2",
        params![role, user_id],
    )?;
    let (id, week) = match found {
        Some(row) => (Some(row.get(0)?), Week::parse(&row.get::<String>(1)?)?),
        None => (None, Week::default()),
    };
    Ok(Row {
        id,
        role,
        user_id,
        week,
    })
}
