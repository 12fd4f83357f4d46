//! What is expected of everyone, read for `exceptions` and `report`: the schedules,
//! the holidays and the leaves, as `exceptions::Expected`.

use anyhow::Result;
use chrono::NaiveDate;

use crate::db::Db;
use crate::db::backend::Exec;
use crate::db::backend::value::params;
use crate::exceptions::Expected;

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
        for (day, _) in self.holidays()? {
            expected.holidays.insert(date(&day)?);
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
}
