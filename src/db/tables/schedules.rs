//! Expected hours: a role's or a person's week, from a date on (each change a new
//! version from its date, so that a closed month keeps the hours it was judged by).

use anyhow::Result;
use chrono::NaiveDate;

use super::closed_months::{first_open_day, refuse_if_closed};
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

/// A schedule as `schedule list` shows it: whose, from when, the week.
pub struct Scheduled {
    pub role: Option<Role>,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    /// From this date on (`None`: from the beginning).
    pub from: Option<NaiveDate>,
    pub week: Week,
}

/// A subject's schedules: its role or user id, and each version's id, date, week.
struct Versions {
    role: Option<String>,
    user_id: Option<i64>,
    rows: Vec<(i64, String, Week)>,
}

impl Versions {
    /// The week in force on `from` (the latest version at or before it).
    fn in_force(&self, from: &str) -> Week {
        self.rows
            .iter()
            .rfind(|(_, day, _)| day.as_str() <= from)
            .map(|(_, _, week)| week.clone())
            .unwrap_or_default()
    }
}

impl Db {
    /// `span` on each of `days` of `whose` week from `from` on (the day after the last
    /// closed month when not given), in place of those days' spans or beside them
    /// (`add`); journaled with the week as it then stands. Refused in a closed month.
    pub fn set_schedule(
        &self,
        whose: &Whose,
        from: Option<NaiveDate>,
        days: [bool; 7],
        span: Span,
        add: bool,
    ) -> Result<Week> {
        self.write(|tx| {
            let versions = versions_of(tx, whose)?;
            let from = effective(tx, from)?;
            let mut week = versions.in_force(&from);
            week.set(days, span, add).map_err(|refusal| match refusal {
                Refusal::EndsBeforeStart => Error::bad_input(crate::tr!(schedule_backwards)),
                Refusal::Overlaps { day } => {
                    Error::bad_input(crate::tr!(schedule_overlaps, day = day))
                }
            })?;
            self.write_version(tx, &versions, &from, &week)?;
            Ok(week)
        })
    }

    /// No hours expected of `whose` from `from` on (the day after the last closed month
    /// when not given): the versions from then are removed, and an empty week takes
    /// over from an earlier one. False if there was nothing to clear.
    pub fn clear_schedule(&self, whose: &Whose, from: Option<NaiveDate>) -> Result<bool> {
        self.write(|tx| {
            let versions = versions_of(tx, whose)?;
            let from = effective(tx, from)?;
            let (earlier, later): (Vec<_>, Vec<_>) = versions
                .rows
                .into_iter()
                .partition(|(_, day, _)| *day < from);
            for (id, _, _) in &later {
                tx.execute("DELETE FROM schedules WHERE id = ?1", params![id])?;
                let fact = Fact::ScheduleCleared(Removed { by: self.actor() });
                append(tx, self.now(), Some(*id), &fact)?;
            }
            let kept = Versions {
                rows: earlier,
                ..versions
            };
            // An earlier week would go on from `from`: an empty one takes over.
            let takes_over = kept.in_force(&from) != Week::default();
            if takes_over {
                self.write_version(tx, &kept, &from, &Week::default())?;
            }
            Ok(takes_over || !later.is_empty())
        })
    }

    /// `week` as `versions`' schedule from `from`: that version written over, or added.
    fn write_version(&self, tx: &Tx, versions: &Versions, from: &str, week: &Week) -> Result<()> {
        let text = week.text();
        let existing = versions.rows.iter().find(|(_, day, _)| day == from);
        let id: i64 = match existing {
            Some((id, _, _)) => {
                tx.execute(
                    "UPDATE schedules SET week = ?2 WHERE id = ?1",
                    params![id, text],
                )?;
                *id
            }
            None => tx
                .query_row(
                    "INSERT INTO schedules (role, user_id, from_day, week) VALUES (?1, ?2, ?3, ?4)
                     RETURNING id",
                    params![versions.role, versions.user_id, from, text],
                )?
                .get(0)?,
        };
        let fact = Fact::ScheduleSet(ScheduleSet {
            role: versions.role.clone(),
            user_id: versions.user_id,
            from: from.to_string(),
            week: week.clone(),
            carried: false,
            by: self.actor(),
        });
        append(tx, self.now(), Some(id), &fact)?;
        Ok(())
    }

    /// Every schedule: the roles' first, then the people's by name, each from its date.
    pub fn schedules(&self) -> Result<Vec<Scheduled>> {
        self.query(
            "SELECT s.role, u.username, s.week, s.user_id, s.from_day FROM schedules s
             LEFT JOIN users u ON u.id = s.user_id
             ORDER BY s.role IS NULL, s.role, u.username_key, s.from_day",
            params![],
        )?
        .iter()
        .map(|row| {
            let role: Option<String> = row.get(0)?;
            let from: String = row.get(4)?;
            Ok(Scheduled {
                role: role.as_deref().map(str::parse).transpose()?,
                user_id: row.get(3)?,
                username: row.get(1)?,
                from: NaiveDate::parse_from_str(&from, "%Y-%m-%d").ok(),
                week: Week::parse(&row.get::<String>(2)?)?,
            })
        })
        .collect()
    }
}

/// The date a change takes effect from, as stored (empty: the beginning): the one given,
/// refused if it falls in or before a closed month, else the day after the last one.
fn effective(tx: &Tx, from: Option<NaiveDate>) -> Result<String> {
    match from {
        Some(day) => {
            refuse_if_closed(tx, day, None)?;
            Ok(day.to_string())
        }
        None => Ok(first_open_day(tx)?
            .map(|day| day.to_string())
            .unwrap_or_default()),
    }
}

/// `whose` schedules, oldest first, locked for the write under way.
fn versions_of(tx: &Tx, whose: &Whose) -> Result<Versions> {
    tx.lock("konekte:schedules")?;
    let (role, user_id) = match whose {
        Whose::Role(role) => (Some(role.as_str().to_string()), None),
        Whose::User(name) => (None, Some(require_user(tx, name)?.id)),
    };
    let rows = tx
        .query(
            "SELECT id, from_day, week FROM schedules WHERE role = ?1 OR user_id = ?2
             ORDER BY from_day",
            params![role, user_id],
        )?
        .iter()
        .map(|row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                Week::parse(&row.get::<String>(2)?)?,
            ))
        })
        .collect::<Result<_>>()?;
    Ok(Versions {
        role,
        user_id,
        rows,
    })
}
