//! Days off for everyone, by their local date.

use anyhow::Result;
use chrono::NaiveDate;

use super::closed_months::refuse_if_closed;
use super::journal::append;
use crate::db::Db;
use crate::db::backend::Exec;
use crate::db::backend::value::params;
use crate::error::Error;
use crate::journal::{Fact, Holiday, Removed};

impl Db {
    /// `day` is a holiday named `name`; refused (exit 65) if it is one already.
    pub fn add_holiday(&self, day: NaiveDate, name: &str) -> Result<()> {
        let date = day;
        let day = day.to_string();
        self.write(|tx| {
            refuse_if_closed(tx, date, Some(date))?;
            let existing =
                tx.query_opt("SELECT name FROM holidays WHERE day = ?1", params![day])?;
            if let Some(row) = existing {
                let name: String = row.get(0)?;
                return Err(
                    Error::bad_input(crate::tr!(holiday_exists, day = day, name = name)).into(),
                );
            }
            let id: i64 = tx
                .query_row(
                    "INSERT INTO holidays (day, name) VALUES (?1, ?2) RETURNING id",
                    params![day, name],
                )?
                .get(0)?;
            let fact = Fact::HolidayAdded(Holiday {
                day: day.clone(),
                name: name.into(),
                carried: false,
                by: self.actor(),
            });
            append(tx, self.now(), Some(id), &fact)?;
            Ok(())
        })
    }

    /// `day` is a working day again; refused (exit 65) if it was no holiday.
    pub fn remove_holiday(&self, day: NaiveDate) -> Result<()> {
        let date = day;
        let day = day.to_string();
        self.write(|tx| {
            refuse_if_closed(tx, date, Some(date))?;
            let Some(row) = tx.query_opt(
                "DELETE FROM holidays WHERE day = ?1 RETURNING id",
                params![day],
            )?
            else {
                return Err(Error::bad_input(crate::tr!(no_holiday, day = day)).into());
            };
            let fact = Fact::HolidayRemoved(Removed { by: self.actor() });
            append(tx, self.now(), Some(row.get(0)?), &fact)?;
            Ok(())
        })
    }

    /// Every holiday, by date: (day, name).
    pub fn holidays(&self) -> Result<Vec<(String, String)>> {
        self.query("SELECT day, name FROM holidays ORDER BY day", params![])?
            .iter()
            .map(|row| Ok((row.get(0)?, row.get(1)?)))
            .collect()
    }
}
