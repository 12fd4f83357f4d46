//! `console sheet --month YYYY-MM [USER...]`: each person's month, day by day, against
//! the hours expected of them, with its totals and the journal's head as it was taken.

use std::collections::HashMap;
use std::io::Write;

use anyhow::Result;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::{Columns, month_arg, open_swept, people, write_rows};
use crate::attendance::{Piece, Tally};
use crate::cli::{Format, SheetArgs};
use crate::clock::{self, Zone, split_by_day};
use crate::db::{Range, Span, Target};
use crate::error::Error;
use crate::exceptions::{Expected, Kind, Worked, of_day};
use crate::journal::witness::Checkpoint;
use crate::model::{Millis, Role};

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
    write(out, args.format, &sheet)
}

/// The month every sheet is made of.
struct Month<'a> {
    days: &'a [NaiveDate],
    expected: Expected,
    until: Millis,
    now: Millis,
    tz: Zone,
}

impl Month<'_> {
    fn sheet(
        &self,
        id: i64,
        user: String,
        full_name: String,
        role: Role,
        spans: &[Span],
    ) -> PersonSheet {
        let mut tallies: HashMap<NaiveDate, Tally> = HashMap::new();
        for span in spans {
            let end = span.logout_time.unwrap_or(self.now).min(self.until);
            for (day, from, to) in split_by_day(span.login_time, end, self.tz) {
                tallies.entry(day).or_default().add(Piece {
                    session: span.id,
                    from,
                    to,
                    login: span.login_time,
                    logout: span.logout_time,
                    corrected: span.corrected,
                });
            }
        }
        let worked: Vec<Worked> = spans
            .iter()
            .map(|span| Worked {
                login: span.login_time,
                logout: span.logout_time,
                reason: span.end_reason,
                corrected: span.corrected,
            })
            .collect();
        let mut totals = Totals::default();
        let days = self
            .days
            .iter()
            .map(|day| {
                let expected_spans = self.expected.spans(id, role, *day, self.tz);
                let expected: Millis = expected_spans.iter().map(|(from, to, _)| to - from).sum();
                let tally = tallies.remove(day).unwrap_or_default();
                let kinds: Vec<Kind> = of_day(*day, &expected_spans, &worked, self.now, self.tz)
                    .into_iter()
                    .map(|exception| exception.kind)
                    .collect();
                totals.add(expected, &tally, &kinds);
                DaySheet {
                    day: day.to_string(),
                    expected_seconds: expected / 1000,
                    first_login: tally.first_login(),
                    last_logout: tally.last_logout(),
                    connected_seconds: tally.connected / 1000,
                    exceptions: kinds.iter().map(|kind| kind.as_str()).collect(),
                    kinds,
                    corrected: tally.corrected > 0,
                }
            })
            .collect();
        PersonSheet {
            user,
            full_name,
            role,
            days,
            totals,
        }
    }
}

#[derive(Serialize)]
struct Sheet {
    month: String,
    /// The journal's head when the sheet was taken, as a witness's line: kept with the
    /// signed sheet, `verify --witness` checks the database against it later.
    checkpoint: String,
    people: Vec<PersonSheet>,
}

#[derive(Serialize)]
struct PersonSheet {
    user: String,
    full_name: String,
    role: Role,
    days: Vec<DaySheet>,
    totals: Totals,
}

#[derive(Serialize)]
struct DaySheet {
    day: String,
    expected_seconds: i64,
    #[serde(serialize_with = "clock::serialize_rfc3339")]
    first_login: Option<Millis>,
    #[serde(serialize_with = "clock::serialize_rfc3339")]
    last_logout: Option<Millis>,
    connected_seconds: i64,
    exceptions: Vec<&'static str>,
    #[serde(skip)]
    kinds: Vec<Kind>,
    /// A session of the day was corrected by an admin.
    corrected: bool,
}

#[derive(Serialize, Default)]
struct Totals {
    connected_seconds: i64,
    expected_seconds: i64,
    difference_seconds: i64,
    days_absent: i64,
    days_late: i64,
}

impl Totals {
    fn add(&mut self, expected: Millis, tally: &Tally, kinds: &[Kind]) {
        self.connected_seconds += tally.connected / 1000;
        self.expected_seconds += expected / 1000;
        self.difference_seconds = self.connected_seconds - self.expected_seconds;
        self.days_absent += i64::from(kinds.contains(&Kind::Absent));
        self.days_late += i64::from(kinds.contains(&Kind::Late));
    }
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
