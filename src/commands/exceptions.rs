//! `console exceptions [USER] [--since T] [--until T]`: each person's days against the
//! hours expected of them, one line per person, day and kind.

use std::io::Write;

use anyhow::Result;
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
    let mut worked = db.worked_between(only, since, until)?;
    let days = days_between(since, until, tz);
    let mut lines = Vec::new();
    for user in people {
        let sessions = worked.remove(&user.id).unwrap_or_default();
        for day in &days {
            let spans = expected.spans(user.id, user.role, *day, tz);
            for exception in of_day(*day, &spans, &sessions, now, tz) {
                lines.push(Line {
                    user: user.username.clone(),
                    day: day.to_string(),
                    kind: exception.kind,
                    minutes: exception.minutes,
                    detail: exception.detail,
                });
            }
        }
    }
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

#[derive(Serialize)]
struct Line {
    user: String,
    day: String,
    kind: Kind,
    minutes: i64,
    detail: String,
}

impl Line {
    fn cells(&self) -> Vec<String> {
        let kind = self.kind.word(crate::i18n::texts());
        vec![
            self.user.clone(),
            self.day.clone(),
            kind.to_string(),
            self.minutes.to_string(),
            self.detail.clone(),
        ]
    }
}
