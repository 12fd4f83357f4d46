//! A person's leave, from one local date to another, both included.

use anyhow::Result;
use chrono::NaiveDate;

use super::closed_months::refuse_if_closed;
use super::journal::append;
use super::users::require_user;
use crate::db::Db;
use crate::db::backend::Exec;
use crate::db::backend::value::params;
use crate::db::query::Sql;
use crate::error::Error;
use crate::journal::{Fact, Leave, Removed};
use crate::model::folded;

/// A leave as `leave list` shows it.
pub struct OnLeave {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    pub from: String,
    pub to: String,
    pub reason: String,
}

impl Db {
    /// `username` is on leave from `from` to `to`; returns the leave's id. Refused
    /// (exit 65) when it ends before it starts or overlaps one of theirs.
    pub fn add_leave(
        &self,
        username: &str,
        from: NaiveDate,
        to: NaiveDate,
        reason: &str,
    ) -> Result<i64> {
        if to < from {
            return Err(Error::bad_input(crate::tr!(leave_backwards)).into());
        }
        let (first, last) = (from, to);
        let (from, to) = (from.to_string(), to.to_string());
        self.write(|tx| {
            tx.lock("konekte:leaves")?;
            refuse_if_closed(tx, first, Some(last))?;
            let user = require_user(tx, username)?;
            let overlap = tx.query_opt(
                "SELECT from_day, to_day FROM leaves
                 WHERE user_id = ?1 AND from_day <= ?3 AND to_day >= ?2",
                params![user.id, from, to],
            )?;
            if let Some(row) = overlap {
                let (first, last): (String, String) = (row.get(0)?, row.get(1)?);
                return Err(Error::bad_input(crate::tr!(
                    leave_overlaps,
                    name = user.username,
                    from = first,
                    to = last
                ))
                .into());
            }
            let id: i64 = tx
                .query_row(
                    "INSERT INTO leaves (user_id, from_day, to_day, reason)
                     VALUES (?1, ?2, ?3, ?4) RETURNING id",
                    params![user.id, from, to, reason],
                )?
                .get(0)?;
            let fact = Fact::LeaveAdded(Leave {
                user_id: user.id,
                from: from.clone(),
                to: to.clone(),
                reason: reason.into(),
                carried: false,
                by: self.actor(),
            });
            append(tx, self.now(), Some(id), &fact)?;
            Ok(id)
        })
    }

    /// Takes leave `id` back; refused (exit 65) if there is none.
    pub fn remove_leave(&self, id: i64) -> Result<()> {
        self.write(|tx| {
            let Some(row) = tx.query_opt(
                "SELECT from_day, to_day FROM leaves WHERE id = ?1",
                params![id],
            )?
            else {
                return Err(Error::bad_input(crate::tr!(no_leave, id = id)).into());
            };
            let day = |i| -> Result<NaiveDate> {
                Ok(NaiveDate::parse_from_str(
                    &row.get::<String>(i)?,
                    "%Y-%m-%d",
                )?)
            };
            refuse_if_closed(tx, day(0)?, Some(day(1)?))?;
            tx.execute("DELETE FROM leaves WHERE id = ?1", params![id])?;
            let fact = Fact::LeaveRemoved(Removed { by: self.actor() });
            append(tx, self.now(), Some(id), &fact)?;
            Ok(())
        })
    }

    /// The leaves of `username` (any case), or everyone's, by start.
    pub fn leaves(&self, username: Option<&str>) -> Result<Vec<OnLeave>> {
        let mut sql = Sql::new(
            "SELECT l.id, u.username, l.from_day, l.to_day, l.reason, l.user_id
             FROM leaves l JOIN users u ON u.id = l.user_id WHERE TRUE",
        );
        sql.and_some("u.username_key = ?", username.map(folded))
            .push(" ORDER BY l.from_day, u.username_key", []);
        self.query(sql.text(), sql.params())?
            .iter()
            .map(|row| {
                Ok(OnLeave {
                    id: row.get(0)?,
                    user_id: row.get(5)?,
                    username: row.get(1)?,
                    from: row.get(2)?,
                    to: row.get(3)?,
                    reason: row.get(4)?,
                })
            })
            .collect()
    }
}
