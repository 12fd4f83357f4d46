//! A person's month, day by day, against the hours expected of them, with its totals:
//! what `console sheet` writes as a table, CSV, JSON, or the PDF to sign (`paper`).

pub mod paper;

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::attendance::Tally;
use crate::clock::{self, Zone, split_by_day};
use crate::db::Span;
use crate::exceptions::{DayOff, Expected, Kind, Worked, of_day};
use crate::model::{Millis, Role};

/// The month every sheet is made of.
pub struct Month<'a> {
    pub days: &'a [NaiveDate],
    pub expected: Expected,
    /// The next month's first instant: a session still open is counted up to it.
    pub until: Millis,
    pub now: Millis,
    pub tz: Zone,
}

impl Month<'_> {
    /// One person's month, from their sessions of it.
    pub fn sheet(
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
                tallies.entry(day).or_default().add(span.piece(from, to));
            }
        }
        let worked: Vec<Worked> = spans.iter().map(Span::worked).collect();
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
                let off = self.expected.day_off(id, *day);
                DaySheet {
                    holiday: match off {
                        Some(DayOff::Holiday(name)) => Some(name.to_string()),
                        _ => None,
                    },
                    leave: off == Some(DayOff::Leave),
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
pub struct Sheet {
    pub month: String,
    /// The journal's head when the sheet was taken, as a witness's line: kept with the
    /// signed sheet, `verify --witness` checks the database against it later.
    pub checkpoint: String,
    pub people: Vec<PersonSheet>,
}

#[derive(Serialize)]
pub struct PersonSheet {
    pub user: String,
    pub full_name: String,
    pub role: Role,
    pub days: Vec<DaySheet>,
    pub totals: Totals,
}

#[derive(Serialize)]
pub struct DaySheet {
    pub day: String,
    pub expected_seconds: i64,
    #[serde(serialize_with = "clock::serialize_rfc3339")]
    pub first_login: Option<Millis>,
    #[serde(serialize_with = "clock::serialize_rfc3339")]
    pub last_logout: Option<Millis>,
    pub connected_seconds: i64,
    pub exceptions: Vec<&'static str>,
    #[serde(skip)]
    pub kinds: Vec<Kind>,
    /// A session of the day was corrected by an admin.
    pub corrected: bool,
    /// The day is a holiday: its name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holiday: Option<String>,
    /// The person is on leave that day.
    pub leave: bool,
}

#[derive(Serialize, Default)]
pub struct Totals {
    pub connected_seconds: i64,
    pub expected_seconds: i64,
    pub difference_seconds: i64,
    pub days_absent: i64,
    pub days_late: i64,
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
