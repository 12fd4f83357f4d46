//! What is expected of everyone, read for `exceptions` and `report`: the schedules,
//! the holidays and the leaves, as `exceptions::Expected`; and the day so far judged
//! by them, for the monitor.

use std::collections::HashMap;

use anyhow::Result;
use chrono::NaiveDate;

use crate::clock::Zone;
use crate::db::Db;
use crate::db::backend::Exec;
use crate::db::backend::value::params;
use crate::db::tables::sessions::Range;
use crate::exceptions::{DayAttendance, Expected, Kind, PersonDay, Worked, of_day};
use crate::model::{Millis, Role};

impl Db {
    pub fn expected(&self) -> Result<Expected> {
        let mut expected = Expected::default();
        // In order of their dates within each role or person (`schedules` sorts so).
        for scheduled in self.schedules()? {
            let version = (scheduled.from, scheduled.week);
            match (scheduled.role, scheduled.user_id) {
                (Some(role), _) => expected.roles.entry(role).or_default().push(version),
                (None, Some(user)) => expected.people.entry(user).or_default().push(version),
                (None, None) => {}
            }
        }
        let date = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d");
        for (day, name) in self.holidays()? {
            expected.holidays.insert(date(&day)?, name);
        }
        for leave in self.leaves(None)? {
            let span = (date(&leave.from)?, date(&leave.to)?);
            expected.leaves.entry(leave.user_id).or_default().push(span);
        }
        self.each("SELECT id, created_at FROM users", params![], &mut |row| {
            expected.created.insert(row.get(0)?, row.get(1)?);
            Ok(())
        })?;
        Ok(expected)
    }

    /// The day of `day_start` so far, judged for every enabled account against the
    /// hours expected of it; `None` when the office keeps no schedule at all.
    pub fn day_attendance(
        &self,
        day: NaiveDate,
        (day_start, day_end): (Millis, Millis),
        now: Millis,
        tz: Zone,
    ) -> Result<Option<DayAttendance>> {
        let expected = self.expected()?;
        if expected.roles.is_empty() && expected.people.is_empty() {
            return Ok(None);
        }
        let mut worked = self.worked_between(None, day_start, day_end)?;
        let mut attendance = DayAttendance::default();
        for (id, username, role) in self.staff()? {
            let spans = expected.spans(id, role, day, tz);
            let sessions = worked.remove(&id).unwrap_or_default();
            if spans.is_empty() && sessions.is_empty() {
                continue;
            }
            let kinds: Vec<Kind> = of_day(day, &spans, &sessions, now, tz)
                .into_iter()
                .map(|exception| exception.kind)
                .collect();
            attendance.late += usize::from(kinds.contains(&Kind::Late));
            attendance.absent += usize::from(kinds.contains(&Kind::Absent));
            let person = PersonDay {
                username,
                role,
                expected: spans.iter().map(|(from, to, _)| (*from, *to)).collect(),
                kinds,
                came: !sessions.is_empty(),
            };
            attendance.people.insert(id, person);
        }
        Ok(Some(attendance))
    }

    /// Each person's sessions (or one person's) that touch [from, to), as the
    /// exceptions read them.
    pub fn worked_between(
        &self,
        user_id: Option<i64>,
        from: Millis,
        to: Millis,
    ) -> Result<HashMap<i64, Vec<Worked>>> {
        let mut worked: HashMap<i64, Vec<Worked>> = HashMap::new();
        let range = Range {
            user_id,
            since: Some(from),
            until: Some(to),
            counted_only: true,
            ..Range::default()
        };
        self.visit_spans(&range, |span| {
            worked.entry(span.user_id).or_default().push(span.worked())
        })?;
        Ok(worked)
    }

    /// The enabled accounts: id, name and role, the people anything is expected of.
    pub fn staff(&self) -> Result<Vec<(i64, String, Role)>> {
        let mut staff = Vec::new();
        let sql = "SELECT id, username, role FROM users WHERE NOT disabled";
        self.each(sql, params![], &mut |mut row| {
            let role: Role = row.take_text(2)?.parse()?;
            staff.push((row.get(0)?, row.take_text(1)?, role));
            Ok(())
        })?;
        Ok(staff)
    }
}
