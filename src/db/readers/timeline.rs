//! The monitor's "today": everyone connected since midnight, each with their sessions of
//! the day, to draw as bars across it. It reads the day's sessions only (a range of the
//! history, bounded on both ends), and pages through the people by name.

use std::collections::BTreeMap;

use anyhow::Result;

use crate::db::Db;
use crate::db::query::filter_needle;
use crate::db::tables::sessions::Range;
use crate::model::{Bar, Millis, Person, Role, SessionLine, Timeline};

impl Db {
    /// The people connected between `day_start` and `now` who match `filter` (name, role
    /// or host, any case), and those `missing` (expected, not come), by name: `rows` of
    /// them from `offset` (moved back when fewer remain).
    pub fn timeline(
        &self,
        filter: Option<&str>,
        day_start: Millis,
        now: Millis,
        (offset, rows): (usize, usize),
        missing: &[Person],
    ) -> Result<Timeline> {
        let range = Range {
            since: Some(day_start),
            until: Some(now + 1),
            ..Range::default()
        };
        let needle = filter_needle(filter);
        let mut people: BTreeMap<(String, i64), (Person, bool)> = BTreeMap::new();
        self.visit_sessions(&range, |session| {
            // The day's people are the accounts: a name with no account is not one.
            let (Some(user_id), Some(role)) = (session.user_id, session.role) else {
                return;
            };
            let key = (session.username.to_lowercase(), user_id);
            let matched = needle
                .as_deref()
                .is_none_or(|needle| matches(&session, needle));
            let (person, any_matched) = people.entry(key).or_insert_with(|| {
                let person = Person {
                    user_id,
                    username: session.username.clone(),
                    role,
                    bars: Vec::new(),
                };
                (person, false)
            });
            *any_matched |= matched;
            person.bars.push(Bar {
                session: session.id,
                login: session.login_time,
                logout: session.logout_time,
                end_reason: session.end_reason,
            });
        })?;
        for person in missing {
            let matched = needle.as_deref().is_none_or(|needle| {
                [person.username.as_str(), person.role.as_str()]
                    .iter()
                    .any(|text| crate::model::folded(text).contains(needle))
            });
            let key = (person.username.to_lowercase(), person.user_id);
            people.entry(key).or_insert((person.clone(), matched));
        }
        let shown: Vec<Person> = people
            .into_values()
            .filter_map(|(person, matched)| matched.then_some(person))
            .collect();
        let total = shown.len();
        let offset = offset.min(total.saturating_sub(rows));
        Ok(Timeline {
            offset,
            total,
            people: shown.into_iter().skip(offset).take(rows).collect(),
        })
    }
}

/// The monitor's filter on a session of the day, as `SESSION_FILTER` matches it in the
/// panes: its user's name or role, or its host.
fn matches(session: &SessionLine, needle: &str) -> bool {
    [
        session.username.as_str(),
        session.role.map_or("", Role::as_str),
        session.host.as_str(),
    ]
    .iter()
    .any(|text| crate::model::folded(text).contains(needle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::tables::users::tests::new_user;
    use crate::model::{EndReason, Origin, Role};

    const HOUR: Millis = 3_600_000;
    const DAY: Millis = 24 * HOUR;

    #[test]
    fn the_day_has_its_people_by_name_with_every_session_of_theirs() {
        let db = crate::db::testing::db();
        let names = ["Zoe", "ann", "bob", "cid"];
        let users: Vec<_> = names.iter().map(|n| new_user(n, Role::Archives)).collect();
        db.create_users(&users, false, 0).unwrap();
        let id = |name: &str| db.user(name).unwrap().unwrap().id;
        let at = |host: &str| Origin {
            host: host.into(),
            ..Origin::default()
        };
        // Yesterday only: not today.
        let old = db
            .open_session(id("cid"), &at("desk"), 5_000, DAY - 3 * HOUR)
            .unwrap();
        db.close_session(old.id, EndReason::Logout, DAY - 2 * HOUR, None, None)
            .unwrap();
        // From last night into today, then again this afternoon.
        let night = db
            .open_session(id("bob"), &at("annex"), 5_000, DAY - HOUR)
            .unwrap();
        db.close_session(night.id, EndReason::Lost, DAY + HOUR, None, None)
            .unwrap();
        db.open_session(id("bob"), &at("desk"), 5_000, DAY + 14 * HOUR)
            .unwrap();
        db.open_session(id("ann"), &at("desk"), 5_000, DAY + 8 * HOUR)
            .unwrap();
        db.open_session(id("Zoe"), &at("desk"), 5_000, DAY + 9 * HOUR)
            .unwrap();
        let now = DAY + 15 * HOUR;
        let day = db.timeline(None, DAY, now, (0, 10), &[]).unwrap();
        let names: Vec<&str> = day.people.iter().map(|p| p.username.as_str()).collect();
        assert_eq!(names, ["ann", "bob", "Zoe"]);
        assert_eq!(day.total, 3);
        let bob = &day.people[1];
        assert_eq!(bob.bars.len(), 2);
        assert_eq!(
            (bob.bars[0].login, bob.bars[0].end_reason),
            (DAY - HOUR, Some(EndReason::Lost))
        );
        assert_eq!(bob.bars[1].logout, None);
        // A page, and a filter on a host: all of bob's day comes with it.
        let page = db.timeline(None, DAY, now, (2, 2), &[]).unwrap();
        assert_eq!(
            (page.offset, page.people.len()),
            (1, 2),
            "the page is kept full"
        );
        let annex = db.timeline(Some("ANNEX"), DAY, now, (0, 10), &[]).unwrap();
        assert_eq!(annex.total, 1);
        assert_eq!(annex.people[0].bars.len(), 2);
        // Read as the panes read it: trimmed, and blank is no filter.
        let spaced = db
            .timeline(Some("  annex "), DAY, now, (0, 10), &[])
            .unwrap();
        assert_eq!(spaced, annex);
        assert_eq!(
            db.timeline(Some("  "), DAY, now, (0, 10), &[])
                .unwrap()
                .total,
            3
        );
    }
}
