//! The history after the fact: sessions over a time range, failed attempts, pruning.
//! Each query is built from the conditions given only, so that every one can use its
//! index (an `?1 IS NULL OR …` condition cannot).

use std::collections::HashMap;

use anyhow::Result;

use super::Db;
use super::conn::{Dialect, Exec};
use super::monitor::{SESSION_LINE_COLUMNS, session_line_from_row};
use super::value::{ToValue, Value, params};
use crate::model::{Attempt, FailureCount, Millis, Role, SessionLine};

/// Which sessions: those of a user or a role, from a host or a tty, that overlap
/// [since, until).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Range {
    pub user_id: Option<i64>,
    pub role: Option<Role>,
    /// The host, in any case.
    pub host: Option<String>,
    /// The tty, with or without its `/dev/`.
    pub tty: Option<String>,
    /// Still going at or after this time (open sessions always are).
    pub since: Option<Millis>,
    /// Began before this time.
    pub until: Option<Millis>,
}

/// A session's who and when, without the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub id: i64,
    pub user_id: i64,
    pub login_time: Millis,
    pub logout_time: Option<Millis>,
}

/// Longer than this, an ended session is "long" (the `sessions_long` index of
/// schema.sql, whose condition says the same number): any other session that overlaps a
/// range began at most this long before the range does.
pub const LONG_SESSION_MS: Millis = 86_400_000;
/// The index's condition, word for word (a bound parameter would not match it).
const LONG_SESSION: &str = "s.logout_time - s.login_time > 86400000";

/// A WHERE clause and its parameters, built up condition by condition; its `?`s are
/// numbered in order.
#[derive(Default, Clone)]
struct Conditions {
    clauses: Vec<&'static str>,
    params: Vec<Value>,
}

impl Conditions {
    fn add(&mut self, clause: &'static str, param: impl ToValue) {
        self.clauses.push(clause);
        self.params.push(param.to_value());
    }

    fn sql(&self) -> String {
        if self.clauses.is_empty() {
            "TRUE".into()
        } else {
            self.clauses.join(" AND ")
        }
    }

    fn params(&self) -> Vec<&dyn ToValue> {
        self.params.iter().map(|p| p as &dyn ToValue).collect()
    }
}

/// Who and where: the conditions of `range` that are not times.
fn whose(range: &Range) -> Conditions {
    let mut conditions = Conditions::default();
    if let Some(user_id) = range.user_id {
        conditions.add("s.user_id = ?", user_id);
    }
    if let Some(role) = range.role {
        conditions.add(
            "s.user_id IN (SELECT id FROM users WHERE role = ?)",
            role.as_str(),
        );
    }
    if let Some(host) = &range.host {
        conditions.add("lower(s.host) = lower(?)", host.as_str());
    }
    if let Some(tty) = &range.tty {
        let tty = tty.strip_prefix("/dev/").unwrap_or(tty);
        conditions.add("s.tty = '/dev/' || ?", tty);
    }
    conditions
}

/// The sessions of `range` as one or more SELECTs of `columns`, each of which an index
/// bounds on both ends, so that a range costs what it returns, however long the
/// history. With a `since`: the ended sessions that began at most a day before it
/// (`sessions_login`, or the user's own index), the few longer ones (`sessions_long`),
/// and the open ones (`sessions_open`). Without: every session begun before `until`.
fn range_selects(range: &Range, columns: &str, dialect: Dialect) -> (Vec<String>, Vec<Value>) {
    // The users' table only for the columns that come from it.
    let join = if columns.contains("u.") {
        " JOIN users u ON u.id = s.user_id"
    } else {
        ""
    };
    let select = |conditions: &Conditions, index: &str| {
        format!(
            "SELECT {columns} FROM sessions s{index}{join} WHERE {}",
            conditions.sql()
        )
    };
    let mut base = whose(range);
    if let Some(until) = range.until {
        base.add("s.login_time < ?", until);
    }
    let Some(since) = range.since else {
        return (vec![select(&base, "")], base.params);
    };
    let mut short = base.clone();
    short.add("s.login_time >= ?", since - LONG_SESSION_MS);
    short.add("s.logout_time > ?", since);
    short.add("s.logout_time - s.login_time <= ?", LONG_SESSION_MS);
    let mut long = base.clone();
    long.clauses.push(LONG_SESSION);
    long.add("s.logout_time > ?", since);
    let mut open = base;
    open.clauses.push("s.logout_time IS NULL");
    // INDEXED BY: left to itself, SQLite reads the open sessions through the logins
    // index, every session begun before `until`.
    let open_index = dialect.indexed_by("sessions_open");
    let selects = vec![
        select(&short, ""),
        select(&long, ""),
        select(&open, &open_index),
    ];
    let params = [short, long, open]
        .into_iter()
        .flat_map(|part| part.params)
        .collect();
    (selects, params)
}

fn values(params: &[Value]) -> Vec<&dyn ToValue> {
    params.iter().map(|p| p as &dyn ToValue).collect()
}

/// ` LIMIT n`, or nothing for no limit.
fn limit_clause(limit: Option<usize>) -> String {
    limit.map_or_else(String::new, |n| format!(" LIMIT {n}"))
}

impl Db {
    /// Sessions in `range`, newest login first, at most `limit`.
    pub fn sessions_in(&self, range: &Range, limit: Option<usize>) -> Result<Vec<SessionLine>> {
        let (selects, params) = range_selects(range, SESSION_LINE_COLUMNS, self.dialect());
        // By position: the same in every part, and in both dialects.
        let sql = format!(
            "{} ORDER BY 5 DESC, 1 DESC{}",
            selects.join(" UNION ALL "),
            limit_clause(limit)
        );
        self.query(&sql, &values(&params))?
            .iter()
            .map(session_line_from_row)
            .collect()
    }

    /// Calls `visit` with every session in `range`, earliest login first (what a tally
    /// of overlaps needs), without holding them all in memory.
    pub fn visit_sessions(&self, range: &Range, mut visit: impl FnMut(SessionLine)) -> Result<()> {
        let (selects, params) = range_selects(range, SESSION_LINE_COLUMNS, self.dialect());
        let sql = format!("{} ORDER BY 5, 1", selects.join(" UNION ALL "));
        self.each(&sql, &values(&params), &mut |row| {
            visit(session_line_from_row(&row)?);
            Ok(())
        })
    }

    /// Calls `visit` with who and when of every session in `range`, earliest login
    /// first: all a tally of time needs, read without the users' table (a report over a
    /// million sessions reads a tenth of what their whole lines are).
    pub fn visit_spans(&self, range: &Range, mut visit: impl FnMut(Span)) -> Result<()> {
        let (selects, params) = range_selects(
            range,
            "s.id, s.user_id, s.login_time, s.logout_time",
            self.dialect(),
        );
        let sql = format!("{} ORDER BY 3, 1", selects.join(" UNION ALL "));
        self.each(&sql, &values(&params), &mut |row| {
            visit(Span {
                id: row.get(0)?,
                user_id: row.get(1)?,
                login_time: row.get(2)?,
                logout_time: row.get(3)?,
            });
            Ok(())
        })
    }

    /// The name and role of each of the users `ids` (those that exist).
    pub fn names_of(&self, ids: &[i64]) -> Result<HashMap<i64, (String, Role)>> {
        let mut names = HashMap::with_capacity(ids.len());
        // A few hundred at a time: well within both backends' limits on parameters.
        for chunk in ids.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let params: Vec<&dyn ToValue> = chunk.iter().map(|id| id as &dyn ToValue).collect();
            let sql = format!("SELECT id, username, role FROM users WHERE id IN ({marks})");
            for row in self.query(&sql, &params)? {
                let role: String = row.get(2)?;
                names.insert(row.get(0)?, (row.get(1)?, role.parse()?));
            }
        }
        Ok(names)
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
             FROM sessions s{open} JOIN users u ON u.id = s.user_id
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
        let conditions = failure_conditions(typed, since);
        let sql = format!(
            "SELECT a.at, a.username_typed, a.user_id, a.host, a.tty, a.remote_ip, a.outcome
             FROM login_attempts a WHERE {} ORDER BY a.at DESC, a.id DESC{}",
            conditions.sql(),
            limit_clause(limit)
        );
        self.query(&sql, &conditions.params())?
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
        let conditions = failure_conditions(typed, since);
        let sql = format!(
            "SELECT min(a.username_typed), count(*), max(a.at)
             FROM login_attempts a WHERE {}
             GROUP BY a.typed_key
             ORDER BY count(*) DESC, min(a.username_typed)",
            conditions.sql()
        );
        let mut counts = self
            .query(&sql, &conditions.params())?
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
            "DELETE FROM login_attempts WHERE id IN (
                 SELECT id FROM login_attempts WHERE at < ?1 LIMIT ?2)",
            before,
            batch,
        )?;
        Ok((sessions, attempts))
    }

    fn delete_in_batches(&self, sql: &str, before: Millis, batch: usize) -> Result<usize> {
        let mut total = 0;
        loop {
            let deleted = self.write(|tx| tx.execute(sql, params![before, batch]))? as usize;
            total += deleted;
            if deleted < batch {
                return Ok(total);
            }
        }
    }
}

fn failure_conditions(typed: Option<&str>, since: Option<Millis>) -> Conditions {
    let mut conditions = Conditions::default();
    conditions.clauses.push("a.outcome != 'success'");
    if let Some(name) = typed {
        conditions.add("a.typed_key = ?", crate::model::folded(name));
    }
    if let Some(since) = since {
        conditions.add("a.at >= ?", since);
    }
    conditions
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::users::tests::new_user;
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
    fn the_long_sessions_condition_is_the_indexs_word_for_word() {
        let index = |schema: &str| {
            let start = schema.find("CREATE INDEX sessions_long").unwrap();
            schema[start..]
                .split(';')
                .next()
                .unwrap()
                .replace("\n", " ")
        };
        for schema in [
            include_str!("../../schema.sql"),
            include_str!("../../schema.postgres.sql"),
            include_str!("migrations/v4.sql"),
        ] {
            let unqualified = LONG_SESSION.replace("s.", "");
            assert!(index(schema).contains(&unqualified), "{}", index(schema));
        }
        assert!(LONG_SESSION.ends_with(&format!("> {LONG_SESSION_MS}")));
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
