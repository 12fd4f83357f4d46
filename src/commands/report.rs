//! `console report [USER]`: connected time per user (as `ac -p`), per day (as `ac -d`),
//! or per user and day (an attendance sheet: first login, last logout), over a range.
//! A person at two terminals at once is present once: `connected` is the union of their
//! sessions, `summed` their plain sum.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use anyhow::Result;
use chrono::NaiveDate;
use rayon::prelude::*;
use serde::Serialize;

use super::{Columns, open_swept, time_range, user_id_of, write_rows, write_table};
use crate::attendance::{Tally, hours};
use crate::cli::{Format, ReportArgs, ReportBy};
use crate::clock::{self, Zone, split_by_day};
use crate::db::{Db, Range, Span, Target};
use crate::i18n::Texts;
use crate::model::{Millis, Role};

pub fn run(args: &ReportArgs, target: &Target, out: &mut dyn Write) -> Result<()> {
    let (db, now) = open_swept(target)?;
    let (since, until) = time_range(args.since.as_deref(), args.until.as_deref(), now)?;
    let until = until.unwrap_or(now);
    let mut range = Range {
        role: args.role,
        since,
        until: Some(until),
        ..Range::default()
    };
    if let Some(user) = &args.user {
        range.user_id = Some(user_id_of(&db, user)?);
    }
    let window = Window {
        since,
        until,
        now,
        tz: Zone::Local,
        by: args.by,
    };
    let whole_history = args.by == ReportBy::User
        && since.is_none()
        && args.until.is_none()
        && range.user_id.is_none()
        && !args.all;
    if whole_history {
        let lines = window.whole_history(&db, &range)?;
        return write_report(out, args, since, until, &lines);
    }
    let mut tallies = BTreeMap::new();
    db.visit_spans(&range, |span| window.tally(&span, &mut tallies))?;
    if args.all && args.by != ReportBy::Day {
        window.add_empty_tallies(&db, &range, &mut tallies)?;
    }
    let lines = match args.by {
        ReportBy::Day => {
            let mut days = by_day(tallies);
            if args.all {
                for day in window.days(&db)? {
                    days.entry(day).or_insert_with(|| Line::day(day));
                }
            }
            days.into_values().collect()
        }
        ReportBy::User => named(&db, tallies)?,
        ReportBy::UserDay => with_expected(&db, named(&db, tallies)?, window.tz)?,
    };
    write_report(out, args, since, until, &lines)
}

/// The range a report counts, and how it splits it.
struct Window {
    since: Option<Millis>,
    until: Millis,
    now: Millis,
    tz: Zone,
    by: ReportBy,
}

/// Whose time on which day (`None`: the whole range).
type Key = (Option<NaiveDate>, i64);

impl Window {
    /// Adds the part of `span` inside the range (an open one up to now) to its line,
    /// or to one line per day it spans.
    fn tally(&self, span: &Span, tallies: &mut BTreeMap<Key, Tally>) {
        let start = self
            .since
            .map_or(span.login_time, |since| span.login_time.max(since));
        let end = span.logout_time.unwrap_or(self.now).min(self.until);
        if start >= end {
            return;
        }
        let pieces = if self.by == ReportBy::User {
            vec![(None, start, end)]
        } else {
            split_by_day(start, end, self.tz)
                .into_iter()
                .map(|(day, from, to)| (Some(day), from, to))
                .collect()
        };
        for (day, from, to) in pieces {
            let piece = span.piece(from, to);
            tallies.entry((day, span.user_id)).or_default().add(piece);
        }
    }

    /// Each person's line over the whole history: their ended sessions as the database
    /// keeps them counted (`user_totals`), and the whole history of those online now,
    /// session by session (an open session is in no total); by name, as `named` orders.
    fn whole_history(&self, db: &Db, range: &Range) -> Result<Vec<Line>> {
        let online = db.people_online(range.role)?;
        let mut tallies = BTreeMap::new();
        for user_id in &online {
            // Of the role asked for already: their sessions through their own index.
            let theirs = Range {
                user_id: Some(*user_id),
                role: None,
                ..range.clone()
            };
            db.visit_spans(&theirs, |span| self.tally(&span, &mut tallies))?;
        }
        let mut lines = named(db, tallies)?;
        for kept in db.person_totals(range.role)? {
            if online.binary_search(&kept.user_id).is_ok() {
                continue;
            }
            let tally = Tally::whole(
                (kept.sessions, kept.corrected),
                (kept.connected, kept.summed),
                (kept.first_login, kept.last_logout),
            );
            lines.push(Line {
                tally,
                user_id: Some(kept.user_id),
                ..Line::of(None, &kept.username, kept.role)
            });
        }
        lines.sort_by_cached_key(|line| line.username.as_deref().map(str::to_lowercase));
        Ok(lines)
    }

    /// `--all`: an empty tally for each user (of the role, or the one asked for) without
    /// time, on each day of the range when lines are per day.
    fn add_empty_tallies(
        &self,
        db: &Db,
        range: &Range,
        tallies: &mut BTreeMap<Key, Tally>,
    ) -> Result<()> {
        let days = match self.by {
            ReportBy::User => vec![None],
            ReportBy::Day | ReportBy::UserDay => self.days(db)?,
        };
        let users = db
            .list_users(range.role, self.now)?
            .into_iter()
            .map(|record| record.summary.user.id)
            .filter(|id| range.user_id.is_none_or(|only| only == *id));
        for user in users {
            for day in &days {
                tallies.entry((*day, user)).or_default();
            }
        }
        Ok(())
    }

    /// The days of the range: from `since`, or from the first session kept.
    fn days(&self, db: &Db) -> Result<Vec<Option<NaiveDate>>> {
        let first = match self.since {
            Some(since) => Some(since),
            None => db.history_begins()?,
        };
        Ok(first.map_or_else(Vec::new, |first| self.days_from(first)))
    }

    /// Every calendar day from the one of `first` to the one before `until`.
    fn days_from(&self, first: Millis) -> Vec<Option<NaiveDate>> {
        clock::days_between(first, self.until, self.tz)
            .into_iter()
            .map(Some)
            .collect()
    }
}

/// The days of the office: each day's people, their times added up (each person's
/// overlaps counted once).
fn by_day(tallies: BTreeMap<Key, Tally>) -> BTreeMap<Option<NaiveDate>, Line> {
    let mut days: BTreeMap<Option<NaiveDate>, Line> = BTreeMap::new();
    for ((day, _), tally) in tallies {
        let total = days.entry(day).or_insert_with(|| Line::day(day));
        total.people = total.people.map(|people| people + 1);
        total.tally.merge(&tally);
    }
    days
}

/// The lines of people: each tally with its user's name and role, by day then by name
/// whatever its case.
fn named(db: &Db, tallies: BTreeMap<Key, Tally>) -> Result<Vec<Line>> {
    let ids: BTreeSet<i64> = tallies.keys().map(|(_, user)| *user).collect();
    let names = db.names_of(&ids.into_iter().collect::<Vec<_>>())?;
    let mut lines: Vec<(Option<NaiveDate>, String, Line)> = tallies
        .into_iter()
        .filter_map(|((day, user), tally)| {
            let (username, role) = names.get(&user)?;
            let line = Line {
                tally,
                user_id: Some(user),
                ..Line::of(day, username, *role)
            };
            Some((day, username.to_lowercase(), line))
        })
        .collect();
    lines.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    Ok(lines.into_iter().map(|(_, _, line)| line).collect())
}

/// Each person's day with the time expected of them (their schedule, or their role's,
/// unless a holiday or their leave).
fn with_expected(db: &Db, mut lines: Vec<Line>, tz: Zone) -> Result<Vec<Line>> {
    let expected = db.expected()?;
    for line in &mut lines {
        if let (Some(day), Some(id), Some(role)) = (line.day, line.user_id, line.role) {
            let spans = expected.spans(id, role, day, tz);
            line.expected = Some(spans.iter().map(|(from, to, _)| to - from).sum());
        }
    }
    Ok(lines)
}

/// One line of the report: a user, a day, or a user's day.
struct Line {
    day: Option<NaiveDate>,
    user_id: Option<i64>,
    username: Option<String>,
    role: Option<Role>,
    /// On a day of the office: how many people had time on it.
    people: Option<usize>,
    tally: Tally,
    /// On a person's day: the time expected of them.
    expected: Option<Millis>,
}

impl Line {
    fn of(day: Option<NaiveDate>, username: &str, role: Role) -> Line {
        Line {
            day,
            user_id: None,
            username: Some(username.to_string()),
            role: Some(role),
            people: None,
            tally: Tally::default(),
            expected: None,
        }
    }

    /// A day of the office, its people yet to count.
    fn day(day: Option<NaiveDate>) -> Line {
        Line {
            day,
            user_id: None,
            username: None,
            role: None,
            people: Some(0),
            tally: Tally::default(),
            expected: None,
        }
    }

    fn row(&self) -> Row {
        let tally = &self.tally;
        Row {
            day: self.day.map(|day| day.format("%Y-%m-%d").to_string()),
            username: self.username.clone(),
            role: self.role,
            people: self.people,
            sessions: tally.sessions,
            seconds: tally.connected / 1000,
            hours: hours(tally.connected),
            summed_seconds: tally.summed / 1000,
            first_login: tally.first_login(),
            last_logout: tally.last_logout(),
            corrected_sessions: tally.corrected,
            expected_seconds: self.expected.map(|expected| expected / 1000),
            difference_seconds: self
                .expected
                .map(|expected| (tally.connected - expected) / 1000),
        }
    }

    fn cells(&self, t: &Texts) -> Vec<String> {
        let tz = Zone::Local;
        // The time alone on the line's own day; with the date on another (a night
        // across midnight), and always on a line of many days.
        let when = |at: Millis| match self.day {
            Some(day) if clock::day_of(at, tz) == Some(day) => t.lang.time(at, tz),
            _ => t.lang.short_date_time(at, tz),
        };
        let first = self.tally.first_login().map(when).unwrap_or_default();
        let last = if self.tally.ongoing() {
            t.still_logged_in.to_string()
        } else {
            self.tally.last_logout().map(when).unwrap_or_default()
        };
        // A line that counts corrected sessions says so: `3*`.
        let mark = if self.tally.corrected > 0 { "*" } else { "" };
        let [sessions, connected, summed] = [
            format!("{}{mark}", self.tally.sessions),
            t.lang.duration(self.tally.connected),
            t.lang.duration(self.tally.summed),
        ];
        let day = self.day.map(|day| t.lang.date(day)).unwrap_or_default();
        let username = self.username.clone().unwrap_or_default();
        let role = self.role.map(|role| role.to_string()).unwrap_or_default();
        match (self.day.is_some(), self.username.is_some()) {
            (false, _) => vec![username, role, sessions, connected, summed, first, last],
            (true, false) => {
                let people = self.people.unwrap_or(0).to_string();
                vec![day, people, sessions, connected, summed, first, last]
            }
            (true, true) => {
                let expected = self.expected.unwrap_or(0);
                let difference = self.tally.connected - expected;
                let sign = if difference < 0 { "-" } else { "+" };
                vec![
                    day,
                    username,
                    role,
                    first,
                    last,
                    sessions,
                    connected,
                    t.lang.duration(expected),
                    format!("{sign}{}", t.lang.duration(difference.abs())),
                    summed,
                ]
            }
        }
    }
}

/// A line as scripts read it (CSV and JSON): hours as a decimal beside the seconds, the
/// first login and last logout (null while the last session goes on).
#[derive(Serialize)]
struct Row {
    #[serde(skip_serializing_if = "Option::is_none")]
    day: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<Role>,
    #[serde(skip_serializing_if = "Option::is_none")]
    people: Option<usize>,
    sessions: i64,
    seconds: i64,
    hours: f64,
    summed_seconds: i64,
    #[serde(serialize_with = "clock::serialize_rfc3339")]
    first_login: Option<Millis>,
    #[serde(serialize_with = "clock::serialize_rfc3339")]
    last_logout: Option<Millis>,
    /// Of its sessions, the ones an admin corrected (an end moved, or added).
    corrected_sessions: i64,
    /// On a person's day: the time expected of them, and connected less expected.
    #[serde(skip_serializing_if = "Option::is_none")]
    expected_seconds: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    difference_seconds: Option<i64>,
}

#[derive(Serialize)]
struct Report {
    #[serde(serialize_with = "clock::serialize_rfc3339")]
    since: Option<Millis>,
    #[serde(serialize_with = "clock::serialize_time")]
    until: Millis,
    by: &'static str,
    rows: Vec<Row>,
    total_seconds: i64,
    total_hours: f64,
    total_summed_seconds: i64,
}

fn write_report(
    out: &mut dyn Write,
    args: &ReportArgs,
    since: Option<Millis>,
    until: Millis,
    lines: &[Line],
) -> Result<()> {
    let mut total = Tally::default();
    for line in lines {
        total.merge(&line.tally);
    }
    let (by, columns) = match args.by {
        ReportBy::User => ("user", USER_COLUMNS),
        ReportBy::Day => ("day", DAY_COLUMNS),
        ReportBy::UserDay => ("user-day", USER_DAY_COLUMNS),
    };
    let rows = || -> Vec<Row> { lines.iter().map(Line::row).collect() };
    match args.format {
        Format::Json => {
            let rows = rows();
            let report = Report {
                since,
                until,
                by,
                rows,
                total_seconds: total.connected / 1000,
                total_hours: hours(total.connected),
                total_summed_seconds: total.summed / 1000,
            };
            serde_json::to_writer_pretty(&mut *out, &report)?;
            writeln!(out)?;
            Ok(())
        }
        Format::Csv => write_rows(out, Format::Csv, &columns, &rows(), |_| Vec::new()),
        Format::Table => {
            let t = crate::i18n::texts();
            // Dates and durations for 100 000 lines: formatted on every core.
            let mut cells: Vec<Vec<String>> = lines.par_iter().map(|line| line.cells(t)).collect();
            cells.push(total_cells(args.by, &total, t));
            let written = write_table(out, &(columns.table)(t), &cells, super::terminal_width());
            // As `write_rows` does: the command exits after its listing, and leaves
            // the cells to the exit rather than freeing them one by one.
            std::mem::forget(cells);
            written
        }
    }
}

/// The table's last line: the sessions and times of all the lines.
fn total_cells(by: ReportBy, total: &Tally, t: &Texts) -> Vec<String> {
    let (sessions, connected, summed) = (
        total.sessions.to_string(),
        t.lang.duration(total.connected),
        t.lang.duration(total.summed),
    );
    let label = t.total.to_string();
    let blank = String::new;
    match by {
        ReportBy::User => vec![
            label,
            blank(),
            sessions,
            connected,
            summed,
            blank(),
            blank(),
        ],
        ReportBy::Day => vec![
            label,
            blank(),
            sessions,
            connected,
            summed,
            blank(),
            blank(),
        ],
        ReportBy::UserDay => {
            vec![
                label,
                blank(),
                blank(),
                blank(),
                blank(),
                sessions,
                connected,
                blank(),
                blank(),
                summed,
            ]
        }
    }
}

const USER_COLUMNS: Columns = Columns {
    table: |t| {
        vec![
            (t.col_username, 0),
            (t.col_role, 2),
            (t.col_sessions, 1),
            (t.col_connected, 0),
            (t.col_summed, 4),
            (t.col_first_login, 3),
            (t.col_last_logout, 3),
        ]
    },
    fields: &[
        "username",
        "role",
        "sessions",
        "seconds",
        "hours",
        "summed_seconds",
        "first_login",
        "last_logout",
        "corrected_sessions",
    ],
};

const DAY_COLUMNS: Columns = Columns {
    table: |t| {
        vec![
            (t.col_day, 0),
            (t.col_people, 1),
            (t.col_sessions, 2),
            (t.col_connected, 0),
            (t.col_summed, 4),
            (t.col_first_login, 3),
            (t.col_last_logout, 3),
        ]
    },
    fields: &[
        "day",
        "people",
        "sessions",
        "seconds",
        "hours",
        "summed_seconds",
        "first_login",
        "last_logout",
        "corrected_sessions",
    ],
};

const USER_DAY_COLUMNS: Columns = Columns {
    table: |t| {
        vec![
            (t.col_day, 0),
            (t.col_username, 0),
            (t.col_role, 3),
            (t.col_first_login, 1),
            (t.col_last_logout, 1),
            (t.col_sessions, 2),
            (t.col_connected, 0),
            (t.col_expected, 1),
            (t.col_difference, 1),
            (t.col_summed, 4),
        ]
    },
    fields: &[
        "day",
        "username",
        "role",
        "sessions",
        "seconds",
        "hours",
        "summed_seconds",
        "first_login",
        "last_logout",
        "corrected_sessions",
        "expected_seconds",
        "difference_seconds",
    ],
};
