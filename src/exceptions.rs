//! Attendance exceptions: a person's day against the hours expected of them. Late (the
//! first login after the start and its grace), left early (the last end before the
//! end less its grace, with how it ended: a logout is a departure, an idle end or a
//! lost terminal is not one anybody saw), absent (a working day with no session that
//! is neither a holiday nor leave), no logout (an end by idle or lost), still on (past
//! the end, or a session still open when the day is over). Pure: the rows are handed in.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::clock::{Zone, format_in};
use crate::model::{EndReason, Millis, Role};
use crate::schedule::Week;

/// What is expected of whom: the roles' weeks, the people's own (which override their
/// role's), the days off for everyone, and each person's leave.
#[derive(Debug, Clone, Default)]
pub struct Expected {
    /// Each role's weeks, each from its date (`None`: from the beginning), in order.
    pub roles: HashMap<Role, Vec<(Option<NaiveDate>, Week)>>,
    pub people: HashMap<i64, Vec<(Option<NaiveDate>, Week)>>,
    /// The days off for everyone, with their names.
    pub holidays: HashMap<NaiveDate, String>,
    /// Each person's leaves: first and last day, both included.
    pub leaves: HashMap<i64, Vec<(NaiveDate, NaiveDate)>>,
    /// When each account was made: nothing is expected of a day it had not begun by.
    pub created: HashMap<i64, Millis>,
}

/// A day so far against the hours expected: who is late (or not in yet, past the
/// start and its grace), who is absent, and each person's expected spans.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DayAttendance {
    pub late: usize,
    pub absent: usize,
    pub people: HashMap<i64, PersonDay>,
}

/// One person's day: what was expected of them (as instants) and what is wrong so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonDay {
    pub username: String,
    pub role: Role,
    pub expected: Vec<(Millis, Millis)>,
    pub kinds: Vec<Kind>,
    /// A session of theirs touched the day.
    pub came: bool,
}

/// A session as the exceptions read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Worked {
    pub login: Millis,
    pub logout: Option<Millis>,
    pub reason: Option<EndReason>,
    /// An admin corrected it (its end moved, or added from paper).
    pub corrected: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Late,
    LeftEarly,
    Absent,
    NoLogout,
    StillOn,
}

impl Kind {
    /// The kind in the reader's language (tables; CSV and JSON keep `as_str`).
    pub fn word(self, t: &crate::i18n::Texts) -> &'static str {
        match self {
            Kind::Late => t.exc_late,
            Kind::LeftEarly => t.exc_left_early,
            Kind::Absent => t.exc_absent,
            Kind::NoLogout => t.exc_no_logout,
            Kind::StillOn => t.exc_still_on,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Late => "late",
            Kind::LeftEarly => "left_early",
            Kind::Absent => "absent",
            Kind::NoLogout => "no_logout",
            Kind::StillOn => "still_on",
        }
    }
}

/// One exception of a person's day: its minutes (late by, early by, expected, past the
/// end) and what explains it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exception {
    pub day: NaiveDate,
    pub kind: Kind,
    pub minutes: i64,
    pub detail: String,
}

const MINUTE: Millis = 60_000;

impl Expected {
    /// The spans expected of a person of `role` on `day`, as instants: none on a
    /// holiday, a day of leave, or a day their week leaves free.
    pub fn spans(
        &self,
        person: i64,
        role: Role,
        day: NaiveDate,
        tz: Zone,
    ) -> Vec<(Millis, Millis, Millis)> {
        let not_yet = self
            .created
            .get(&person)
            .is_some_and(|created| local(day, 24 * 60, tz).is_some_and(|end| end <= *created));
        if not_yet || self.day_off(person, day).is_some() {
            return Vec::new();
        }
        // A person's own weeks override their role's, from the first one's date.
        let own = in_force(self.people.get(&person), day);
        let Some(week) = own.or_else(|| in_force(self.roles.get(&role), day)) else {
            return Vec::new();
        };
        let weekday = day.weekday().num_days_from_monday() as usize;
        week.day(weekday)
            .iter()
            .filter_map(|span| {
                let at = |minutes: u16| local(day, minutes, tz);
                Some((
                    at(span.start)?,
                    at(span.end)?,
                    Millis::from(span.grace) * MINUTE,
                ))
            })
            .collect()
    }
}

/// Why nothing is expected of a person on a day that could have been a working one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayOff<'a> {
    /// A day off for everyone, with its name.
    Holiday(&'a str),
    Leave,
}

impl Expected {
    /// The holiday or the person's leave that `day` is, if it is one.
    pub fn day_off(&self, person: i64, day: NaiveDate) -> Option<DayOff<'_>> {
        if let Some(name) = self.holidays.get(&day) {
            return Some(DayOff::Holiday(name));
        }
        let leaves = self.leaves.get(&person)?;
        leaves
            .iter()
            .any(|(from, to)| (*from..=*to).contains(&day))
            .then_some(DayOff::Leave)
    }
}

/// The week of `weeks` in force on `day`: the latest from a date at or before it.
fn in_force(weeks: Option<&Vec<(Option<NaiveDate>, Week)>>, day: NaiveDate) -> Option<&Week> {
    weeks?
        .iter()
        .rfind(|(from, _)| from.is_none_or(|from| from <= day))
        .map(|(_, week)| week)
}

/// The instant of `minutes` after midnight of `day`, local time (24:00 is the next
/// day's midnight): a day of a clock change keeps its wall-clock hours.
fn local(day: NaiveDate, minutes: u16, tz: Zone) -> Option<Millis> {
    let (day, minutes) = if minutes >= 24 * 60 {
        (day.succ_opt()?, minutes - 24 * 60)
    } else {
        (day, minutes)
    };
    let naive = day.and_hms_opt(u32::from(minutes / 60), u32::from(minutes % 60), 0)?;
    tz.instant(naive)
}

/// The exceptions of one person's `day`, given their sessions (any that touch the day)
/// and now (a day not over yet is judged only on what has happened).
pub fn of_day(
    day: NaiveDate,
    spans: &[(Millis, Millis, Millis)],
    sessions: &[Worked],
    now: Millis,
    tz: Zone,
) -> Vec<Exception> {
    let (Some(midnight), Some(next)) = (local(day, 0, tz), local(day, 24 * 60, tz)) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut add = |kind, minutes: Millis, detail: String| {
        found.push(Exception {
            day,
            kind,
            minutes: minutes / MINUTE,
            detail,
        })
    };
    let time = |at: Millis| format_in(at, tz, "%H:%M");
    let today: Vec<&Worked> = sessions
        .iter()
        .filter(|s| s.login < next && s.logout.is_none_or(|out| out > midnight))
        .collect();
    for session in &today {
        if let (Some(out), Some(reason @ (EndReason::Idle | EndReason::Lost))) =
            (session.logout, session.reason)
            && (midnight..next).contains(&out)
        {
            let detail = format!("ended={} at={}", reason.as_str(), time(out));
            add(Kind::NoLogout, 0, corrected(detail, session));
        }
    }
    let still_open = today.iter().any(|s| s.logout.is_none());
    if still_open && next <= now {
        add(Kind::StillOn, 0, "still_open".into());
    }
    let (Some(&(start, _, start_grace)), Some(&(_, end, end_grace))) =
        (spans.first(), spans.last())
    else {
        return found;
    };
    let first = today.iter().min_by_key(|s| s.login.max(midnight));
    let Some(first) = first else {
        if end <= now {
            let expected: Millis = spans.iter().map(|(from, to, _)| to - from).sum();
            add(Kind::Absent, expected, String::new());
        } else if start + start_grace < now {
            // Not in yet, past the start and its grace: late so far.
            add(Kind::Late, now - start, "not_in_yet".into());
        }
        return found;
    };
    let arrived = first.login.max(midnight);
    if arrived > start + start_grace {
        let detail = format!("first_login={}", time(arrived));
        add(Kind::Late, arrived - start, corrected(detail, first));
    }
    if still_open {
        return found;
    }
    let last = today
        .iter()
        .max_by_key(|s| s.logout.unwrap_or(now).min(next))
        .copied();
    let Some(last) = last else { return found };
    let left = last.logout.unwrap_or(now).min(next);
    let reason = last.reason.map_or("", EndReason::as_str);
    if left < end - end_grace && end <= now {
        let detail = format!("ended={reason} at={}", time(left));
        add(Kind::LeftEarly, end - left, corrected(detail, last));
    } else if left > end + end_grace {
        let detail = format!("until={} ended={reason}", time(left));
        add(Kind::StillOn, left - end, corrected(detail, last));
    }
    found
}

/// The instants at which a person's day can turn into an exception as it goes (what
/// `watch` tells when no journal entry does): late at the start and its grace, absent
/// at the end, still on at the end and its grace.
pub fn moments(spans: &[(Millis, Millis, Millis)]) -> Vec<(Millis, Kind)> {
    let (Some(&(start, _, start_grace)), Some(&(_, end, end_grace))) =
        (spans.first(), spans.last())
    else {
        return Vec::new();
    };
    vec![
        (start + start_grace, Kind::Late),
        (end, Kind::Absent),
        (end + end_grace, Kind::StillOn),
    ]
}

/// Whether the exception of a moment held at `at`, on a day that began at `midnight`:
/// late and absent when no session had begun by then, still on when one was open.
pub fn holds_at(kind: Kind, at: Millis, midnight: Millis, sessions: &[Worked]) -> bool {
    let began = |s: &&Worked| s.login <= at && s.logout.is_none_or(|out| out > midnight);
    match kind {
        Kind::Late | Kind::Absent => !sessions.iter().any(|s| began(&s)),
        Kind::StillOn => sessions
            .iter()
            .any(|s| s.login <= at && s.logout.is_none_or(|out| out > at)),
        Kind::LeftEarly | Kind::NoLogout => false,
    }
}

/// `detail`, saying so when the session it speaks of was corrected by an admin.
fn corrected(detail: String, session: &Worked) -> String {
    if session.corrected {
        format!("{detail} corrected")
    } else {
        detail
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Millis = 3_600_000;

    fn worked(login: Millis, logout: Option<Millis>) -> Worked {
        Worked {
            login,
            logout,
            reason: logout.map(|_| EndReason::Logout),
            corrected: false,
        }
    }

    #[test]
    fn a_day_not_over_says_late_when_nobody_came_past_the_grace() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 18).unwrap();
        let midnight = local(day, 0, Zone::UTC).unwrap();
        let spans = [(midnight + 8 * HOUR, midnight + 16 * HOUR, 10 * MINUTE)];
        let at = |now: Millis| of_day(day, &spans, &[], midnight + now, Zone::UTC);
        assert!(at(8 * HOUR + 10 * MINUTE).is_empty(), "within the grace");
        let late = at(9 * HOUR);
        assert_eq!((late[0].kind, late[0].minutes), (Kind::Late, 60));
        assert_eq!(at(16 * HOUR)[0].kind, Kind::Absent, "the day's end");
    }

    #[test]
    fn the_moments_of_a_day_hold_as_its_sessions_say() {
        let spans = [
            (8 * HOUR, 12 * HOUR, 0),
            (13 * HOUR, 16 * HOUR, 10 * MINUTE),
        ];
        assert_eq!(
            moments(&spans),
            [
                (8 * HOUR, Kind::Late),
                (16 * HOUR, Kind::Absent),
                (16 * HOUR + 10 * MINUTE, Kind::StillOn)
            ]
        );
        let came = [worked(7 * HOUR, Some(17 * HOUR))];
        assert!(!holds_at(Kind::Late, 8 * HOUR, 0, &came));
        assert!(holds_at(Kind::StillOn, 16 * HOUR + 10 * MINUTE, 0, &came));
        let late = [worked(9 * HOUR, Some(15 * HOUR))];
        assert!(holds_at(Kind::Late, 8 * HOUR, 0, &late), "in at nine");
        assert!(!holds_at(Kind::Absent, 16 * HOUR, 0, &late));
        assert!(!holds_at(Kind::StillOn, 16 * HOUR + 10 * MINUTE, 0, &late));
        assert!(holds_at(Kind::Absent, 16 * HOUR, 0, &[]));
    }
}
