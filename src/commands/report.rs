//! `console report`: connected time per user or per day over a range, as `ac -p` and
//! `ac -d` count it.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use anyhow::Result;
use chrono::NaiveDate;
use serde::Serialize;

use super::{Columns, open_swept, time_range, write_rows, write_table};
use crate::cli::{Format, ReportArgs, ReportBy};
use crate::clock::{self, local_offset, split_by_day};
use crate::db::{Range, Target};
use crate::model::{Millis, Role, SessionLine};

pub fn run(args: &ReportArgs, target: &Target, out: &mut dyn Write) -> Result<()> {
    let (db, now) = open_swept(target)?;
    let (since, until) = time_range(args.since.as_deref(), args.until.as_deref(), now)?;
    let until = until.unwrap_or(now);
    let range = Range {
        role: args.role,
        since,
        until: Some(until),
        ..Range::default()
    };
    // Only the part of each session inside the range; an open one up to now.
    let clip = |s: &SessionLine| {
        let start = since.map_or(s.login_time, |since| s.login_time.max(since));
        let end = s.logout_time.unwrap_or(now).min(until);
        (start < end).then_some((start, end))
    };
    let report = match args.by {
        ReportBy::User => {
            let mut totals: HashMap<i64, Line> = HashMap::new();
            db.visit_sessions(&range, |s| {
                if let Some((start, end)) = clip(&s) {
                    let line = totals.entry(s.user_id).or_insert_with(|| Line::named(&s));
                    line.add(end - start);
                }
            })?;
            let mut lines: Vec<Line> = totals.into_values().collect();
            lines.sort_by_key(|line| line.key.to_lowercase());
            lines
        }
        ReportBy::Day => {
            let tz = local_offset();
            let mut days: BTreeMap<NaiveDate, Line> = BTreeMap::new();
            db.visit_sessions(&range, |s| {
                let Some((start, end)) = clip(&s) else { return };
                for (day, millis) in split_by_day(start, end, tz) {
                    days.entry(day)
                        .or_insert_with(|| Line::day(day))
                        .add(millis);
                }
            })?;
            days.into_values().collect()
        }
    };
    write_report(out, args, since, until, &report)
}

/// One line of the report: a user (with its role) or a day.
#[derive(Serialize)]
struct Line {
    #[serde(skip)]
    key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<Role>,
    #[serde(skip_serializing_if = "Option::is_none")]
    day: Option<String>,
    sessions: i64,
    seconds: i64,
    #[serde(skip)]
    millis: Millis,
    #[serde(skip)]
    day_value: Option<NaiveDate>,
}

impl Line {
    fn named(session: &SessionLine) -> Line {
        Line::empty(
            session.username.clone(),
            Some(session.username.clone()),
            Some(session.role),
            None,
        )
    }

    fn day(day: NaiveDate) -> Line {
        let text = day.format("%Y-%m-%d").to_string();
        Line {
            day_value: Some(day),
            ..Line::empty(text.clone(), None, None, Some(text))
        }
    }

    fn empty(
        key: String,
        username: Option<String>,
        role: Option<Role>,
        day: Option<String>,
    ) -> Line {
        Line {
            key,
            username,
            role,
            day,
            sessions: 0,
            seconds: 0,
            millis: 0,
            day_value: None,
        }
    }

    fn add(&mut self, millis: Millis) {
        self.sessions += 1;
        self.millis += millis;
        self.seconds = self.millis / 1000;
    }
}

#[derive(Serialize)]
struct Report<'a> {
    #[serde(serialize_with = "clock::serialize_rfc3339")]
    since: Option<Millis>,
    #[serde(serialize_with = "clock::serialize_time")]
    until: Millis,
    by: &'static str,
    rows: &'a [Line],
    total_seconds: i64,
}

fn write_report(
    out: &mut dyn Write,
    args: &ReportArgs,
    since: Option<Millis>,
    until: Millis,
    lines: &[Line],
) -> Result<()> {
    let total: Millis = lines.iter().map(|l| l.millis).sum();
    let (by, columns) = match args.by {
        ReportBy::User => ("user", USER_COLUMNS),
        ReportBy::Day => ("day", DAY_COLUMNS),
    };
    match args.format {
        Format::Json => {
            let report = Report {
                since,
                until,
                by,
                rows: lines,
                total_seconds: total / 1000,
            };
            serde_json::to_writer_pretty(&mut *out, &report)?;
            writeln!(out)?;
            Ok(())
        }
        Format::Csv => write_rows(out, Format::Csv, &columns, lines, |_| Vec::new()),
        Format::Table => {
            let t = crate::i18n::texts();
            let mut rows: Vec<Vec<String>> = lines.iter().map(Line::cells).collect();
            let sessions: i64 = lines.iter().map(|l| l.sessions).sum();
            let mut total_row = vec![t.total.to_string()];
            if args.by == ReportBy::User {
                total_row.push(String::new());
            }
            total_row.extend([sessions.to_string(), t.lang.duration(total)]);
            rows.push(total_row);
            write_table(out, &(columns.table)(t), &rows, super::terminal_width())
        }
    }
}

const USER_COLUMNS: Columns = Columns {
    table: |t| {
        vec![
            (t.col_username, 0),
            (t.col_role, 1),
            (t.col_sessions, 0),
            (t.col_connected, 0),
        ]
    },
    fields: &["username", "role", "sessions", "seconds"],
};

const DAY_COLUMNS: Columns = Columns {
    table: |t| vec![(t.col_day, 0), (t.col_sessions, 0), (t.col_connected, 0)],
    fields: &["day", "sessions", "seconds"],
};

impl Line {
    fn cells(&self) -> Vec<String> {
        let t = crate::i18n::texts();
        let first = match (&self.day_value, &self.username) {
            (Some(day), _) => t.lang.date(*day),
            _ => self.key.clone(),
        };
        let mut cells = vec![first];
        if let Some(role) = self.role {
            cells.push(role.to_string());
        }
        cells.extend([self.sessions.to_string(), t.lang.duration(self.millis)]);
        cells
    }
}
