//! `console sheet --month YYYY-MM [USER...]`: each person's month, day by day, against
//! the hours expected of them, with its totals and the journal's head as it was taken.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use anyhow::Result;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::{Columns, month_arg, open_swept, people, write_rows};
use crate::cli::{Format, SheetArgs};
use crate::clock::{self, Zone};
use crate::db::{Range, Span, Target};
use crate::error::Error;
use crate::exceptions::Kind;
use crate::journal::witness::Checkpoint;
use crate::model::Millis;
use crate::sheet::{Month, PersonSheet, Sheet, paper};

pub fn run(args: &SheetArgs, target: &Target, out: &mut dyn Write) -> Result<()> {
    let first = month_arg(&args.month)?;
    let (db, now) = open_swept(target)?;
    let tz = Zone::Local;
    let days: Vec<NaiveDate> = first
        .iter_days()
        .take_while(|day| day.month0() == first.month0())
        .collect();
    let midnight = |day: NaiveDate| day.and_hms_opt(0, 0, 0).and_then(|m| tz.instant(m));
    let next_month = days.last().and_then(|last| last.succ_opt());
    let (Some(since), Some(until)) = (midnight(first), next_month.and_then(midnight)) else {
        return Err(Error::Usage(crate::said!(month_unreadable, text = args.month)).into());
    };
    let people = people(&db, &args.users, now)?;
    let mut spans: HashMap<i64, Vec<Span>> = HashMap::new();
    let range = Range {
        // One person's sheet reads their sessions only, through their index.
        user_id: match people.as_slice() {
            [one] => Some(one.id),
            _ => None,
        },
        since: Some(since),
        until: Some(until),
        counted_only: true,
        ..Range::default()
    };
    db.visit_spans(&range, |span| {
        spans.entry(span.user_id).or_default().push(span)
    })?;
    let (entry, hash) = db.journal_head()?;
    let context = Month {
        days: &days,
        expected: db.expected()?,
        until,
        now,
        tz,
    };
    let sheets: Vec<PersonSheet> = people
        .into_iter()
        .map(|user| {
            let own = spans.remove(&user.id).unwrap_or_default();
            context.sheet(user.id, user.username, user.full_name, user.role, &own)
        })
        .collect();
    let checkpoint = Checkpoint {
        at: now,
        entry,
        hash,
    };
    let sheet = Sheet {
        month: args.month.trim().to_string(),
        checkpoint: checkpoint.line(),
        people: sheets,
    };
    match &args.output {
        Some(path) => write_paper(path, &sheet, tz, out),
        None => write(out, args.format, &sheet),
    }
}

/// The PDF, written whole or not at all: into a private file beside `path`, renamed
/// over it once complete.
fn write_paper(path: &Path, sheet: &Sheet, tz: Zone, out: &mut dyn Write) -> Result<()> {
    let t = crate::i18n::texts();
    let pdf = paper::render(sheet, t, tz)?;
    let cannot = |error: std::io::Error| {
        Error::Refused(crate::said!(
            cannot_write_file,
            file = path.display(),
            error = error
        ))
    };
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut file = tempfile::Builder::new()
        .prefix(".konekte-sheet")
        .tempfile_in(folder)
        .map_err(cannot)?;
    file.write_all(&pdf).map_err(cannot)?;
    file.as_file().sync_all().map_err(cannot)?;
    file.persist(path).map_err(|error| cannot(error.error))?;
    let count = sheet.people.len();
    writeln!(
        out,
        "{}",
        crate::tr!(sheet_written, path = path.display(), count = count)
    )?;
    Ok(())
}

fn write(out: &mut dyn Write, format: Format, sheet: &Sheet) -> Result<()> {
    if format == Format::Json {
        serde_json::to_writer_pretty(&mut *out, sheet)?;
        writeln!(out)?;
        return Ok(());
    }
    let mut lines = Vec::new();
    for person in &sheet.people {
        for day in &person.days {
            lines.push(Line {
                user: person.user.clone(),
                day: day.day.clone(),
                expected_seconds: day.expected_seconds,
                first_login: day.first_login,
                last_logout: day.last_logout,
                connected_seconds: day.connected_seconds,
                difference_seconds: day.connected_seconds - day.expected_seconds,
                exceptions: day.exceptions.join(" "),
                corrected: day.corrected,
                kinds: day.kinds.clone(),
                days_absent_late: None,
            });
        }
        let totals = &person.totals;
        lines.push(Line {
            user: person.user.clone(),
            day: "total".into(),
            expected_seconds: totals.expected_seconds,
            first_login: None,
            last_logout: None,
            connected_seconds: totals.connected_seconds,
            difference_seconds: totals.difference_seconds,
            exceptions: format!("absent={} late={}", totals.days_absent, totals.days_late),
            corrected: false,
            kinds: Vec::new(),
            days_absent_late: Some((totals.days_absent, totals.days_late)),
        });
    }
    write_rows(out, format, &COLUMNS, &lines, Line::cells)?;
    if format == Format::Table {
        writeln!(out, "{}", crate::tr!(sheet_witness))?;
        writeln!(out, "{}", sheet.checkpoint)?;
    }
    Ok(())
}

const COLUMNS: Columns = Columns {
    table: |t| {
        vec![
            (t.col_username, 0),
            (t.col_day, 0),
            (t.col_expected, 0),
            (t.col_first_login, 1),
            (t.col_last_logout, 1),
            (t.col_connected, 0),
            (t.col_difference, 2),
            (t.col_exception, 1),
        ]
    },
    fields: &[
        "user",
        "day",
        "expected_seconds",
        "first_login",
        "last_logout",
        "connected_seconds",
        "difference_seconds",
        "exceptions",
        "corrected",
    ],
};

/// A day of a person's sheet, or their total, as a row.
#[derive(Serialize)]
struct Line {
    user: String,
    day: String,
    expected_seconds: i64,
    #[serde(serialize_with = "clock::serialize_rfc3339")]
    first_login: Option<Millis>,
    #[serde(serialize_with = "clock::serialize_rfc3339")]
    last_logout: Option<Millis>,
    connected_seconds: i64,
    difference_seconds: i64,
    exceptions: String,
    corrected: bool,
    #[serde(skip)]
    kinds: Vec<Kind>,
    /// On a total: the days absent and the days late.
    #[serde(skip)]
    days_absent_late: Option<(i64, i64)>,
}

impl Line {
    fn cells(&self) -> Vec<String> {
        let t = crate::i18n::texts();
        let time = |at: Option<Millis>| {
            at.map(|at| t.lang.time(at, Zone::Local))
                .unwrap_or_default()
        };
        let mark = if self.corrected { "*" } else { "" };
        let difference = self.difference_seconds * 1000;
        let sign = if difference < 0 { "-" } else { "+" };
        let exceptions = match self.days_absent_late {
            Some((absent, late)) => format!("{} {absent}, {} {late}", t.exc_absent, t.exc_late),
            None => self
                .kinds
                .iter()
                .map(|kind| kind.word(t))
                .collect::<Vec<_>>()
                .join(", "),
        };
        vec![
            self.user.clone(),
            self.day.clone(),
            t.lang.duration(self.expected_seconds * 1000),
            time(self.first_login),
            time(self.last_logout),
            format!("{}{mark}", t.lang.duration(self.connected_seconds * 1000)),
            format!("{sign}{}", t.lang.duration(difference.abs())),
            exceptions,
        ]
    }
}
