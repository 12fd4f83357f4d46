//! `console exceptions [USER] [--since T] [--until T]`: each person's days against the
//! hours expected of them, one line per person, day and kind.

use std::io::Write;

use anyhow::Result;
use chrono::NaiveDate;
use rayon::prelude::*;
use serde::Serialize;

use super::{Columns, people, time_range, write_rows};
use crate::cli::ExceptionsArgs;
use crate::clock::{Zone, days_between, start_of_day};
use crate::db::{Db, Target};
use crate::exceptions::{Kind, of_day};
use crate::model::Millis;

const WEEK: Millis = 7 * 86_400_000;

pub fn run(args: &ExceptionsArgs, target: &Target, out: &mut dyn Write) -> Result<()> {
    let db = Db::open_existing(target)?;
    let now = db.now();
    let (since, until) = time_range(args.since.as_deref(), args.until.as_deref(), now)?;
    let tz = Zone::Local;
    let since = start_of_day(since.unwrap_or(now - WEEK), tz);
    let until = until.unwrap_or(now);
    let people = people(&db, args.user.as_slice(), now)?;
    let only = args.user.as_ref().and(people.first().map(|user| user.id));
    let expected = db.expected()?;
    let worked = db.worked_between(only, since, until)?;
    let days = days_between(since, until, tz);
    // Each person judged on their own, on every core; the lines in the people's order.
    let lines: Vec<Line> = people
        .par_iter()
        .flat_map_iter(|user| {
            let sessions = worked.get(&user.id).map_or(&[][..], Vec::as_slice);
            let expected = &expected;
            days.iter().flat_map(move |day| {
                let spans = expected.spans(user.id, user.role, *day, tz);
                of_day(*day, &spans, sessions, now, tz)
                    .into_iter()
                    .map(move |exception| Line {
                        user: &user.username,
                        day: *day,
                        kind: exception.kind,
                        minutes: exception.minutes,
                        detail: exception.detail,
                    })
            })
        })
        .collect();
    write_rows(out, args.format, &COLUMNS, &lines, Line::cells)
}

const COLUMNS: Columns = Columns {
    table: |t| {
        vec![
            (t.col_username, 0),
            (t.col_day, 0),
            (t.col_exception, 0),
            (t.col_minutes, 0),
            (t.col_detail, 1),
        ]
    },
    fields: &["user", "day", "kind", "minutes", "detail"],
};

/// One exception of one person's day; millions of them over a month of a large office,
/// so that each borrows its person's name and keeps its day as a date.
#[derive(Serialize)]
struct Line<'a> {
    user: &'a str,
    #[serde(serialize_with = "as_text")]
    day: NaiveDate,
    kind: Kind,
    minutes: i64,
    detail: String,
}

/// `2026-11-16`, written without a string of its own.
fn as_text<S: serde::Serializer>(day: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(day)
}

impl Line<'_> {
    fn cells(&self) -> Vec<String> {
        let kind = self.kind.word(crate::i18n::texts());
        vec![
            self.user.to_string(),
            self.day.to_string(),
            kind.to_string(),
            self.minutes.to_string(),
            self.detail.clone(),
        ]
    }
}
