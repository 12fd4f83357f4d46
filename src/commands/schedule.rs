//! `console schedule set|list|clear`: expected hours, a role's or a person's.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::{Columns, date_arg, open_as_admin, write_rows};
use crate::cli::{ScheduleCommand, Whose as WhoseArgs};
use crate::db::{Db, Target, Whose};
use crate::error::Error;
use crate::schedule::{Span, clock_text, days_text, parse_clock, parse_days};

pub fn run(command: &ScheduleCommand, target: &Target, out: &mut dyn Write) -> Result<()> {
    let db = open_as_admin(target)?;
    match command {
        ScheduleCommand::Set {
            whose,
            days,
            start,
            end,
            grace,
            add,
            from,
        } => {
            let days = parse_days(days)
                .ok_or_else(|| Error::Usage(crate::said!(schedule_days_unreadable, text = days)))?;
            let span = Span {
                start: clock("--start", start)?,
                end: clock("--end", end)?,
                grace: u16::try_from(grace.unwrap_or(0) / 60_000).unwrap_or(u16::MAX),
            };
            let from = from.as_deref().map(|d| date_arg("--from", d)).transpose()?;
            let week = db.set_schedule(&whose_of(whose)?, from, days, span, *add)?;
            let said = crate::tr!(schedule_set, whose = named(whose), week = week.summary());
            writeln!(out, "{said}")?;
        }
        ScheduleCommand::List { format } => list(&db, *format, out)?,
        ScheduleCommand::Clear { whose, from } => {
            let from = from.as_deref().map(|d| date_arg("--from", d)).transpose()?;
            let said = if db.clear_schedule(&whose_of(whose)?, from)? {
                crate::tr!(schedule_cleared, whose = named(whose))
            } else {
                crate::tr!(no_schedule, whose = named(whose))
            };
            writeln!(out, "{said}")?;
        }
    }
    Ok(())
}

fn clock(option: &str, text: &str) -> Result<u16> {
    parse_clock(text).ok_or_else(|| {
        Error::Usage(crate::said!(clock_unreadable, option = option, text = text)).into()
    })
}

fn whose_of(whose: &WhoseArgs) -> Result<Whose<'_>> {
    match (&whose.role, &whose.user) {
        (Some(role), _) => Ok(Whose::Role(role.parse().map_err(
            |unknown: crate::model::UnknownRole| Error::bad_input(unknown.to_string()),
        )?)),
        (None, Some(user)) => Ok(Whose::User(user)),
        (None, None) => unreachable!("clap requires one of --role and --user"),
    }
}

/// `role secretaire` or `user ann`, as the lines name it.
fn named(whose: &WhoseArgs) -> String {
    match (&whose.role, &whose.user) {
        (Some(role), _) => format!("role {role}"),
        (None, Some(user)) => format!("user {user}"),
        (None, None) => String::new(),
    }
}

fn list(db: &Db, format: crate::cli::Format, out: &mut dyn Write) -> Result<()> {
    let mut lines = Vec::new();
    for scheduled in db.schedules()? {
        for (days, span) in scheduled.week.spans() {
            lines.push(Line {
                role: scheduled.role.map(|role| role.as_str()),
                user: scheduled.username.clone(),
                from: scheduled.from.map(|day| day.to_string()),
                days: days_text(days),
                start: clock_text(span.start),
                end: clock_text(span.end),
                grace_minutes: span.grace,
            });
        }
    }
    write_rows(out, format, &COLUMNS, &lines, Line::cells)
}

const COLUMNS: Columns = Columns {
    table: |t| {
        vec![
            (t.col_role, 0),
            (t.col_username, 0),
            (t.col_from, 1),
            (t.col_days, 0),
            (t.col_start, 0),
            (t.col_end, 0),
            (t.col_grace, 0),
        ]
    },
    fields: &[
        "role",
        "user",
        "from",
        "days",
        "start",
        "end",
        "grace_minutes",
    ],
};

/// One span of a schedule, with the days it is set on.
#[derive(Serialize)]
struct Line {
    role: Option<&'static str>,
    user: Option<String>,
    /// From this date on (`None`: from the beginning).
    from: Option<String>,
    days: String,
    start: String,
    end: String,
    grace_minutes: u16,
}

impl Line {
    fn cells(&self) -> Vec<String> {
        vec![
            self.role.unwrap_or_default().to_string(),
            self.user.clone().unwrap_or_default(),
            self.from.clone().unwrap_or_default(),
            self.days.clone(),
            self.start.clone(),
            self.end.clone(),
            format!("{}m", self.grace_minutes),
        ]
    }
}
