//! The history after the fact: sessions over a time range, failed attempts, pruning.

use std::collections::HashMap;

use anyhow::Result;

use crate::db::Db;
use crate::db::backend::Exec;
use crate::db::backend::value::{Row, ToValue, Value, params};
use crate::db::query::Sql;
use crate::db::tables;
use crate::db::tables::attempts;
use crate::db::tables::sessions::{
    Range, SESSION_LINE_COLUMNS, Span, range_select, session_line_from_row,
};
use crate::journal::{self, Fact};
use crate::model::{Attempt, EndReason, FailureCount, Millis, Role, SessionLine};

/// ` LIMIT n`, or nothing for no limit.
fn limit_clause(limit: Option<usize>) -> String {
    limit.map_or_else(String::new, |n| format!(" LIMIT {n}"))
}

impl Db {
    /// Sessions in `range`, newest login first, at most `limit`.
    pub fn sessions_in(&self, range: &Range, limit: Option<usize>) -> Result<Vec<SessionLine>> {
        let mut sql = range_select(range, SESSION_LINE_COLUMNS, self.dialect());
        // By position: the same in every part, and in both dialects.
        sql.push(
            &format!(" ORDER BY 5 DESC, 1 DESC{}", limit_clause(limit)),
            [],
        );
        self.query(sql.text(), sql.params())?
            .iter()
            .map(session_line_from_row)
            .collect()
    }

    /// Calls `visit` with every session in `range`, earliest login first (what a tally
    /// of overlaps needs), without holding them all in memory.
    pub fn visit_sessions(&self, range: &Range, mut visit: impl FnMut(SessionLine)) -> Result<()> {
        let mut sql = range_select(range, SESSION_LINE_COLUMNS, self.dialect());
        sql.push(" ORDER BY 5, 1", []);
        self.each(sql.text(), sql.params(), &mut |row| {
            visit(session_line_from_row(&row)?);
            Ok(())
        })
    }

    /// Calls `visit` with who and when of every session in `range` that counts (the
    /// voided ones left out), earliest login first: all a tally of time needs, read without the users' table (a report over a
    /// million sessions reads a tenth of what their whole lines are).
    pub fn visit_spans(&self, range: &Range, mut visit: impl FnMut(Span)) -> Result<()> {
        // A tally leaves out the sessions voided as recorded in error.
        let counted = Range {
            counted_only: true,
            ..range.clone()
        };
        let mut sql = range_select(
            &counted,
            "s.id, s.user_id, s.login_time, s.logout_time, s.correction IS NOT NULL, s.end_reason",
            self.dialect(),
        );
        sql.push(" ORDER BY 3, 1", []);
        self.each(sql.text(), sql.params(), &mut |row| {
            visit(Span {
                id: row.get(0)?,
                user_id: row.get(1)?,
                login_time: row.get(2)?,
                logout_time: row.get(3)?,
                corrected: row.get(4)?,
                end_reason: row
                    .get::<Option<String>>(5)?
                    .as_deref()
                    .and_then(EndReason::parse),
            });
            Ok(())
        })
    }

    /// The name and role of each of the users `ids` (those that exist).
    pub fn names_of(&self, ids: &[i64]) -> Result<HashMap<i64, (String, Role)>> {
        let mut names = HashMap::with_capacity(ids.len());
        self.each_of_ids(
            "SELECT id, username, role FROM users WHERE id IN",
            ids,
            |row| {
                let role: String = row.get(2)?;
                names.insert(row.get(0)?, (row.get(1)?, role.parse()?));
                Ok(())
            },
        )?;
        Ok(names)
    }

    /// The name of the account of each of the sessions `ids` (those that exist).
    pub fn owners_of(&self, ids: &[i64]) -> Result<HashMap<i64, String>> {
        let mut owners = HashMap::with_capacity(ids.len());
        self.each_of_ids(
            "SELECT s.id, coalesce(u.username, s.login_name)
             FROM sessions s LEFT JOIN users u ON u.id = s.user_id
             WHERE s.id IN",
            ids,
            |row| {
                owners.insert(row.get(0)?, row.get(1)?);
                Ok(())
            },
        )?;
        Ok(owners)
    }

    /// Each row of `select` (ending in `… IN`) for the ids `ids`, a few hundred at a
    /// time: well within both backends' limits on parameters.
    fn each_of_ids(
        &self,
        select: &str,
        ids: &[i64],
        mut visit: impl FnMut(Row) -> Result<()>,
    ) -> Result<()> {
        for chunk in ids.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let params: Vec<Value> = chunk.iter().map(ToValue::to_value).collect();
            for row in self.query(&format!("{select} ({marks})"), &params)? {
                visit(row)?;
            }
        }
        Ok(())
    }

    /// The login time of the oldest session kept (older ones were pruned), if any: where
    /// the history begins.
    pub fn history_begins(&self) -> Result<Option<Millis>> {
        self.query_row("SELECT min(login_time) FROM sessions", params![])?
            .get(0)
    }

    /// The open sessions, earliest login first.
    pub fn open_sessions(&self) -> Result<Vec<SessionLine>> {
        let sql = format!(
            "SELECT {SESSION_LINE_COLUMNS}
             FROM sessions s{open} LEFT JOIN users u ON u.id = s.user_id
             WHERE s.logout_time IS NULL ORDER BY s.login_time, s.id",
            open = self.dialect().indexed_by("sessions_open")
        );
        self.query(&sql, params![])?
            .iter()
            .map(session_line_from_row)
            .collect()
    }

    /// Failed attempts, newest first: of one typed name (any case) if given, since a time
    /// if given, at most `limit`.
    pub fn failed_attempts(
        &self,
        typed: Option<&str>,
        since: Option<Millis>,
        limit: Option<usize>,
    ) -> Result<Vec<Attempt>> {
        let mut sql = Sql::new(
            "SELECT a.at, a.username_typed, a.user_id, a.host, a.tty, a.remote_ip, a.outcome
             FROM login_attempts a WHERE ",
        );
        sql.append(&attempts::failures(typed, since)).push(
            &format!(" ORDER BY a.at DESC, a.id DESC{}", limit_clause(limit)),
            [],
        );
        self.query(sql.text(), sql.params())?
            .iter()
            .map(|row| {
                Ok(Attempt {
                    at: row.get(0)?,
                    username_typed: row.get(1)?,
                    user_id: row.get(2)?,
                    host: row.get(3)?,
                    tty: row.get(4)?,
                    remote_ip: row.get(5)?,
                    outcome: row.get(6)?,
                })
            })
            .collect()
    }

    /// The failures of each typed name (names in any case count as one), most first, and
    /// whether that name is an account locked at `now`.
    pub fn failure_counts(
        &self,
        typed: Option<&str>,
        since: Option<Millis>,
        now: Millis,
    ) -> Result<Vec<FailureCount>> {
        let mut sql = Sql::new(
            "SELECT min(a.username_typed), count(*), max(a.at) FROM login_attempts a WHERE ",
        );
        sql.append(&attempts::failures(typed, since)).push(
            " GROUP BY a.typed_key ORDER BY count(*) DESC, min(a.username_typed)",
            [],
        );
        let mut counts = self
            .query(sql.text(), sql.params())?
            .iter()
            .map(|row| {
                Ok(FailureCount {
                    name: row.get(0)?,
                    failures: row.get(1)?,
                    latest: row.get(2)?,
                    locked: false,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        for count in &mut counts {
            count.locked = self
                .user(&count.name)?
                .is_some_and(|user| user.is_locked(now));
        }
        Ok(counts)
    }

    /// How many ended sessions and attempts `prune_before(before)` would delete.
    pub fn count_prunable(&self, before: Millis) -> Result<(i64, i64)> {
        let sql = format!(
            "SELECT (SELECT count(*) FROM sessions{logout}
                     WHERE logout_time IS NOT NULL AND logout_time < ?1),
                    (SELECT count(*) FROM login_attempts WHERE at < ?1)",
            logout = self.dialect().indexed_by("sessions_logout")
        );
        let row = self.query_row(&sql, params![before])?;
        Ok((row.get(0)?, row.get(1)?))
    }

    /// Deletes the ended sessions that ended before `before`, and the attempts made
    /// before it, `batch` rows per transaction so that terminals are never kept waiting.
    /// Open sessions are never touched. Returns (sessions, attempts) deleted.
    pub fn prune_before(&self, before: Millis, batch: usize) -> Result<(usize, usize)> {
        let sessions = self.delete_in_batches(
            Pruned::Sessions,
            &format!(
                "DELETE FROM sessions WHERE id IN (
                     SELECT id FROM sessions{logout}
                     WHERE logout_time IS NOT NULL AND logout_time < ?1 LIMIT ?2)",
                logout = self.dialect().indexed_by("sessions_logout")
            ),
            before,
            batch,
        )?;
        let attempts = self.delete_in_batches(
            Pruned::Attempts,
            "DELETE FROM login_attempts WHERE id IN (
                 SELECT id FROM login_attempts WHERE at < ?1 LIMIT ?2)",
            before,
            batch,
        )?;
        self.trim_journal(before)?;
        Ok((sessions, attempts))
    }

    /// Deletes `batch` rows at a time, each batch with its entry in the journal.
    fn delete_in_batches(
        &self,
        what: Pruned,
        sql: &str,
        before: Millis,
        batch: usize,
    ) -> Result<usize> {
        let mut total = 0;
        loop {
            let deleted = self.write(|tx| {
                let deleted = tx.execute(sql, params![before, batch])? as i64;
                if deleted > 0 {
                    let (sessions, attempts) = match what {
                        Pruned::Sessions => (deleted, 0),
                        Pruned::Attempts => (0, deleted),
                    };
                    let fact = Fact::Pruned(journal::Pruned {
                        before,
                        sessions,
                        attempts,
                        by: self.actor(),
                    });
                    tables::journal::append(tx, self.now(), None, &fact)?;
                }
                Ok(deleted)
            })? as usize;
            total += deleted;
            if deleted < batch {
                return Ok(total);
            }
        }
    }
}

/// Which rows a prune deletes.
#[derive(Debug, Clone, Copy)]
enum Pruned {
    Sessions,
    Attempts,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::tables::users::tests::new_user;
    use crate::model::{EndReason, Origin, Outcome};

    const HOUR: Millis = 3_600_000;

    /// ann: 1h-3h (logout), 5h-open; bob: 2h-6h (lost).
    fn office() -> (crate::db::testing::TestDb, i64, i64) {
        let db = crate::db::testing::db();
        db.create_users(
            &[
                new_user("ann", Role::Secretaire),
                new_user("bob", Role::Archives),
            ],
            false,
            0,
        )
        .unwrap();
        let (ann, bob) = (
            db.user("ann").unwrap().unwrap().id,
            db.user("bob").unwrap().unwrap().id,
        );
        let desk = Origin {
            host: "desk".into(),
            ..Origin::default()
        };
        let s = db.open_session(ann, &desk, 5_000, HOUR).unwrap();
        db.close_session(s.id, EndReason::Logout, 3 * HOUR, None, None)
            .unwrap();
        let s = db.open_session(bob, &desk, 5_000, 2 * HOUR).unwrap();
        db.close_session(s.id, EndReason::Lost, 6 * HOUR, None, None)
            .unwrap();
        db.open_session(ann, &desk, 5_000, 5 * HOUR).unwrap();
        (db, ann, bob)
    }

    fn logins(lines: &[SessionLine]) -> Vec<Millis> {
        lines.iter().map(|s| s.login_time / HOUR).collect()
    }

    #[test]
    fn ranges_keep_the_sessions_that_overlap_them() {
        let (db, ann, _) = office();
        let all = db.sessions_in(&Range::default(), None).unwrap();
        assert_eq!(logins(&all), [5, 2, 1]);
        let range = |since, until| Range {
            since: Some(since * HOUR),
            until: Some(until * HOUR),
            ..Range::default()
        };
        assert_eq!(logins(&db.sessions_in(&range(3, 4), None).unwrap()), [2]);
        assert_eq!(
            logins(&db.sessions_in(&range(0, 1), None).unwrap()),
            Vec::<Millis>::new()
        );
        assert_eq!(
            logins(&db.sessions_in(&range(7, 9), None).unwrap()),
            [5],
            "open sessions go on"
        );
        let anns = Range {
            user_id: Some(ann),
            ..Range::default()
        };
        assert_eq!(logins(&db.sessions_in(&anns, Some(1)).unwrap()), [5]);
        let archives = Range {
            role: Some(Role::Archives),
            ..Range::default()
        };
        assert_eq!(logins(&db.sessions_in(&archives, None).unwrap()), [2]);
        let mut visited = 0;
        db.visit_sessions(&range(2, 6), |_| visited += 1).unwrap();
        assert_eq!(visited, 3);
        assert_eq!(logins(&db.open_sessions().unwrap()), [5]);
    }

    #[test]
    fn a_range_finds_a_session_of_many_days_from_its_middle() {
        let (db, ann, bob) = office();
        let desk = Origin {
            host: "Annex".into(),
            tty: Some("/dev/pts/7".into()),
            ..Origin::default()
        };
        // Three days, and exactly one day: the long index and the day before.
        let days = db.open_session(bob, &desk, 5_000, 10 * HOUR).unwrap();
        db.close_session(days.id, EndReason::Logout, 82 * HOUR, None, None)
            .unwrap();
        let day = db.open_session(ann, &desk, 5_000, 30 * HOUR).unwrap();
        db.close_session(day.id, EndReason::Logout, 54 * HOUR, None, None)
            .unwrap();
        let range = |since, until| Range {
            since: Some(since * HOUR),
            until: Some(until * HOUR),
            ..Range::default()
        };
        assert_eq!(
            logins(&db.sessions_in(&range(53, 54), None).unwrap()),
            [30, 10, 5]
        );
        assert_eq!(
            logins(&db.sessions_in(&range(60, 61), None).unwrap()),
            [10, 5]
        );
        let annex = Range {
            host: Some("annex".into()),
            tty: Some("pts/7".into()),
            ..range(0, 100)
        };
        assert_eq!(logins(&db.sessions_in(&annex, None).unwrap()), [30, 10]);
        let desk_only = Range {
            tty: Some("/dev/pts/7".into()),
            host: Some("desk".into()),
            ..Range::default()
        };
        assert!(db.sessions_in(&desk_only, None).unwrap().is_empty());
        assert_eq!(db.history_begins().unwrap(), Some(HOUR));
    }

    #[test]
    fn failures_by_name_in_any_case() {
        let (db, _, _) = office();
        let origin = Origin::default();
        for (name, at, outcome) in [
            ("ghost", 10, Outcome::UnknownUser),
            ("GHOST", 20, Outcome::UnknownUser),
            ("ann", 30, Outcome::BadPassword),
            ("ann", 40, Outcome::Success),
        ] {
            db.settle_attempt(name, None, &origin, at, 0, None, |_, _| {
                (outcome, Default::default())
            })
            .unwrap();
        }
        let failures = db.failed_attempts(None, None, None).unwrap();
        assert_eq!(
            failures.iter().map(|a| a.at).collect::<Vec<_>>(),
            [30, 20, 10]
        );
        assert_eq!(
            db.failed_attempts(Some("Ghost"), Some(15), None)
                .unwrap()
                .len(),
            1
        );
        let counts = db.failure_counts(None, None, 0).unwrap();
        assert_eq!(counts[0].failures, 2);
        assert_eq!(counts[0].name.to_lowercase(), "ghost");
        assert_eq!((counts[1].name.as_str(), counts[1].failures), ("ann", 1));
    }

    #[test]
    fn pruning_leaves_open_sessions_and_recent_rows() {
        let (db, _, _) = office();
        let origin = Origin::default();
        db.settle_attempt("x", None, &origin, HOUR, 0, None, |_, _| {
            (Outcome::UnknownUser, Default::default())
        })
        .unwrap();
        db.settle_attempt("y", None, &origin, 9 * HOUR, 0, None, |_, _| {
            (Outcome::UnknownUser, Default::default())
        })
        .unwrap();
        assert_eq!(db.count_prunable(4 * HOUR).unwrap(), (1, 1));
        assert_eq!(
            db.count_prunable(4 * HOUR).unwrap(),
            (1, 1),
            "counting deletes nothing"
        );
        let before = db.list_users(None, 9 * HOUR).unwrap();
        assert_eq!(db.prune_before(4 * HOUR, 1).unwrap(), (1, 1));
        assert_eq!(
            db.list_users(None, 9 * HOUR).unwrap(),
            before,
            "last logins and totals outlive the history"
        );
        assert_eq!(
            logins(&db.sessions_in(&Range::default(), None).unwrap()),
            [5, 2]
        );
        // Everything before the end of time: the open session stays.
        assert_eq!(db.prune_before(Millis::MAX, 10).unwrap(), (1, 1));
        assert_eq!(
            logins(&db.sessions_in(&Range::default(), None).unwrap()),
            [5]
        );
    }
}
