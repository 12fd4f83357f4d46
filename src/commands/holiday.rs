//! `console holiday add|list|remove`: days off for everyone.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::{Columns, date_arg, open_as_admin, write_rows};
use crate::cli::HolidayCommand;
use crate::db::Target;

pub fn run(command: &HolidayCommand, target: &Target, out: &mut dyn Write) -> Result<()> {
    let db = open_as_admin(target)?;
    match command {
        HolidayCommand::Add { date, name } => {
            let day = date_arg("DATE", date)?;
            db.add_holiday(day, name.trim())?;
            writeln!(
                out,
                "{}",
                crate::tr!(holiday_added, day = day, name = name.trim())
            )?;
        }
        HolidayCommand::List { format } => {
            let lines: Vec<Line> = db
                .holidays()?
                .into_iter()
                .map(|(day, name)| Line { day, name })
                .collect();
            write_rows(out, *format, &COLUMNS, &lines, |line| {
                vec![line.day.clone(), line.name.clone()]
            })?;
        }
        HolidayCommand::Remove { date } => {
            let day = date_arg("DATE", date)?;
            db.remove_holiday(day)?;
            writeln!(out, "{}", crate::tr!(holiday_removed, day = day))?;
        }
    }
    Ok(())
}

const COLUMNS: Columns = Columns {
    table: |t| vec![(t.col_day, 0), (t.col_holiday, 0)],
    fields: &["day", "name"],
};

#[derive(Serialize)]
struct Line {
    day: String,
    name: String,
}
