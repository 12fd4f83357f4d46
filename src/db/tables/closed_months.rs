//! Months closed: signed, and held as they are until reopened.

use anyhow::Result;
use chrono::{Datelike, NaiveDate};

use super::journal::append;
use crate::db::Db;
use crate::db::backend::Exec;
use crate::db::backend::value::params;
use crate::error::Error;
use crate::journal::{Fact, Month};

/// `YYYY-MM` of a day.
pub fn month_of(day: NaiveDate) -> String {
    format!("{:04}-{:02}", day.year(), day.month())
}

/// The first closed month from the month of `first` to the month of `last` (or ever
/// after): a write that would change one of them is refused with its name (exit 1).
pub(in crate::db) fn refuse_if_closed(
    conn: &impl Exec,
    first: NaiveDate,
    last: Option<NaiveDate>,
) -> Result<()> {
    let (first, last) = (month_of(first), last.map(month_of));
    let closed = match &last {
        Some(last) => conn.query_opt(
            "SELECT month FROM closed_months WHERE month >= ?1 AND month <= ?2
             ORDER BY month LIMIT 1",
            params![first, last],
        )?,
        None => conn.query_opt(
            "SELECT month FROM closed_months WHERE month >= ?1 ORDER BY month LIMIT 1",
            params![first],
        )?,
    };
    match closed {
        Some(row) => {
            let month: String = row.get(0)?;
            Err(Error::Refused(crate::said!(month_is_closed, month = month)).into())
        }
        None => Ok(()),
    }
}

/// The day after the last closed month: where a change of what is expected takes
/// effect when no date is given (`None`: no month is closed, from the beginning).
pub(in crate::db) fn first_open_day(conn: &impl Exec) -> Result<Option<NaiveDate>> {
    let last: Option<String> = conn
        .query_row("SELECT max(month) FROM closed_months", params![])?
        .get(0)?;
    Ok(last.and_then(|month| {
        let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").ok()?;
        first.checked_add_months(chrono::Months::new(1))
    }))
}

impl Db {
    /// Closes `month` (YYYY-MM), which must be over and not closed already.
    pub fn close_month(&self, month: NaiveDate, note: Option<&str>) -> Result<()> {
        let name = month_of(month);
        let today = crate::clock::day_of(self.now(), crate::clock::Zone::Local);
        if today.is_some_and(|today| month_of(today) <= name) {
            return Err(Error::bad_input(crate::tr!(month_not_over, month = name)).into());
        }
        self.write(|tx| {
            if tx
                .query_opt(
                    "SELECT 1 FROM closed_months WHERE month = ?1",
                    params![name],
                )?
                .is_some()
            {
                return Err(
                    Error::bad_input(crate::tr!(month_closed_already, month = name)).into(),
                );
            }
            let id: i64 = tx
                .query_row(
                    "INSERT INTO closed_months (month, note) VALUES (?1, ?2) RETURNING id",
                    params![name, note],
                )?
                .get(0)?;
            let fact = Fact::MonthClosed(Month {
                month: name.clone(),
                note: note.map(Into::into),
                carried: false,
                by: self.actor(),
            });
            append(tx, self.now(), Some(id), &fact)?;
            Ok(())
        })
    }

    /// Opens `month` again, with why.
    pub fn reopen_month(&self, month: NaiveDate, note: &str) -> Result<()> {
        let name = month_of(month);
        self.write(|tx| {
            let Some(row) = tx.query_opt(
                "DELETE FROM closed_months WHERE month = ?1 RETURNING id",
                params![name],
            )?
            else {
                return Err(Error::bad_input(crate::tr!(month_not_closed, month = name)).into());
            };
            let fact = Fact::MonthReopened(Month {
                month: name.clone(),
                note: Some(note.into()),
                carried: false,
                by: self.actor(),
            });
            append(tx, self.now(), Some(row.get(0)?), &fact)?;
            Ok(())
        })
    }

    /// The months closed, oldest first, with their notes.
    pub fn closed_months(&self) -> Result<Vec<(String, Option<String>)>> {
        self.query(
            "SELECT month, note FROM closed_months ORDER BY month",
            params![],
        )?
        .iter()
        .map(|row| Ok((row.get(0)?, row.get(1)?)))
        .collect()
    }
}
