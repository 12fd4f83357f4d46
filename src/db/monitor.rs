//! What the live monitor shows, a pane's visible rows at a time: keyset pagination on
//! indexed keys, so that a page costs the same at 16 users as at 100 000.

use anyhow::Result;
use rusqlite::{Row, params};

use super::Db;
use super::users::{ACTIVITY_COLUMNS, USER_COLUMNS, escape_like, summary_from_row};
use crate::model::{EndReason, Millis, SessionLine, UserLine};

/// How the "All users" and "Online now" panes are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PaneSort {
    #[default]
    Name,
    Role,
}

/// Where a page of users starts: the sort key of its first row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserKey {
    pub role: String,
    pub username: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserPage {
    pub rows: Vec<UserLine>,
    /// The key of the row after the last one shown, if any: where the next page starts.
    pub next: Option<UserKey>,
}

/// What the monitor's header counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub users: i64,
    pub online_users: i64,
}

pub const RECENT_OFFLINE: usize = 20;

impl Db {
    /// A number that changes whenever another connection commits to the database: about
    /// a microsecond to ask, so a monitor can ask ten times a second.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .pragma_query_value(None, "data_version", |row| row.get(0))?)
    }

    pub fn counts(&self) -> Result<Counts> {
        Ok(self
            .conn
            .prepare_cached(
                // INDEXED BY: left to itself, SQLite 3.54 reads count(DISTINCT user_id)
                // through (user_id, login_time), every session ever: 1.7 s at 1M sessions.
                "SELECT (SELECT count(*) FROM users),
                    (SELECT count(DISTINCT user_id) FROM sessions INDEXED BY sessions_open
                     WHERE logout_time IS NULL)",
            )?
            .query_row([], |row| {
                Ok(Counts {
                    users: row.get(0)?,
                    online_users: row.get(1)?,
                })
            })?)
    }

    /// Up to `limit` users from `from` on (from the first when `None`), in `sort` order,
    /// those matching `filter` (name, full name or role) only.
    pub fn users_page(
        &self,
        sort: PaneSort,
        filter: Option<&str>,
        from: Option<&UserKey>,
        limit: usize,
        now: Millis,
        day_start: Millis,
    ) -> Result<UserPage> {
        let start = from.cloned().unwrap_or_default();
        let condition = if from.is_some() {
            key_condition(sort, ">=")
        } else {
            "1".into()
        };
        let sql = format!(
            "SELECT {USER_COLUMNS}, {ACTIVITY_COLUMNS},
                    (SELECT count(*) FROM sessions s
                     WHERE s.user_id = u.id AND s.login_time >= ?5)
             FROM users u
             WHERE {condition} AND {USER_FILTER}
             ORDER BY {order} LIMIT ?4",
            order = order_by(sort, false),
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let pattern = like_pattern(filter);
        let mut rows = stmt
            .query_map(
                params![
                    start.role,
                    start.username,
                    pattern,
                    limit as i64 + 1,
                    day_start
                ],
                |row| {
                    Ok(UserLine {
                        summary: summary_from_row(row, now)?,
                        sessions_today: row.get(11)?,
                    })
                },
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let next = rows.get(limit).map(UserLine::key);
        rows.truncate(limit);
        Ok(UserPage { rows, next })
    }

    /// The key `back` rows before `key` (for scrolling up), or `None` when that goes past
    /// the first row: the page then starts at the top.
    pub fn user_key_before(
        &self,
        sort: PaneSort,
        filter: Option<&str>,
        key: &UserKey,
        back: usize,
    ) -> Result<Option<UserKey>> {
        self.user_key_back(sort, filter, Some(key), back)
    }

    /// The key of the first row of the last page of `rows` rows (for End), or `None`
    /// when there are fewer rows than a page.
    pub fn last_user_page_start(
        &self,
        sort: PaneSort,
        filter: Option<&str>,
        rows: usize,
    ) -> Result<Option<UserKey>> {
        self.user_key_back(sort, filter, None, rows)
    }

    /// The key `back` rows before `key` (before the end when `None`), counting backwards
    /// through the index.
    fn user_key_back(
        &self,
        sort: PaneSort,
        filter: Option<&str>,
        key: Option<&UserKey>,
        back: usize,
    ) -> Result<Option<UserKey>> {
        let condition = if key.is_some() {
            key_condition(sort, "<")
        } else {
            "1".into()
        };
        let sql = format!(
            "SELECT u.role, u.username FROM users u
             WHERE {condition} AND {USER_FILTER}
             ORDER BY {order} LIMIT 1 OFFSET ?4",
            order = order_by(sort, true),
        );
        let key = key.cloned().unwrap_or_default();
        let found = self
            .conn
            .prepare_cached(&sql)?
            .query_map(
                params![
                    key.role,
                    key.username,
                    like_pattern(filter),
                    back as i64 - 1
                ],
                key_from_row,
            )?
            .next()
            .transpose()?;
        Ok(found)
    }

    /// Open sessions, `limit` from `offset`, and how many there are in all.
    pub fn online_page(
        &self,
        sort: PaneSort,
        filter: Option<&str>,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<SessionLine>, usize)> {
        let order = match sort {
            PaneSort::Name => "u.username, s.login_time",
            PaneSort::Role => "u.role, u.username, s.login_time",
        };
        let sql = format!(
            "SELECT {SESSION_LINE_COLUMNS}
             FROM sessions s INDEXED BY sessions_open JOIN users u ON u.id = s.user_id
             WHERE s.logout_time IS NULL AND {SESSION_FILTER}
             ORDER BY {order} LIMIT ?2 OFFSET ?3"
        );
        let pattern = like_pattern(filter);
        let rows = self
            .conn
            .prepare_cached(&sql)?
            .query_map(
                params![pattern, limit as i64, offset as i64],
                session_line_from_row,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let total: i64 = self
            .conn
            .prepare_cached(&format!(
                "SELECT count(*) FROM sessions s INDEXED BY sessions_open
                 JOIN users u ON u.id = s.user_id
                 WHERE s.logout_time IS NULL AND {SESSION_FILTER}"
            ))?
            .query_row([pattern], |row| row.get(0))?;
        Ok((rows, usize::try_from(total).unwrap_or(0)))
    }

    /// The latest ended sessions, newest logout first.
    pub fn recently_offline(&self, filter: Option<&str>, limit: usize) -> Result<Vec<SessionLine>> {
        let sql = format!(
            "SELECT {SESSION_LINE_COLUMNS}
             FROM sessions s INDEXED BY sessions_logout JOIN users u ON u.id = s.user_id
             WHERE s.logout_time IS NOT NULL AND {SESSION_FILTER}
             ORDER BY s.logout_time DESC LIMIT ?2"
        );
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_map(
                params![like_pattern(filter), limit as i64],
                session_line_from_row,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// One user's sessions, newest first: `limit` from `offset`.
    pub fn user_sessions(
        &self,
        user_id: i64,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<SessionLine>> {
        let sql = format!(
            "SELECT {SESSION_LINE_COLUMNS}
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.user_id = ?1
             ORDER BY s.login_time DESC LIMIT ?2 OFFSET ?3"
        );
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_map(
                params![user_id, limit as i64, offset as i64],
                session_line_from_row,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

/// ?3 is the LIKE pattern, or NULL for no filter.
const USER_FILTER: &str = "(?3 IS NULL OR u.username LIKE ?3 ESCAPE '\\' \
                           OR u.full_name LIKE ?3 ESCAPE '\\' OR u.role LIKE ?3 ESCAPE '\\')";
/// ?1 is the LIKE pattern, or NULL for no filter.
const SESSION_FILTER: &str = "(?1 IS NULL OR u.username LIKE ?1 ESCAPE '\\' \
                              OR u.role LIKE ?1 ESCAPE '\\' OR s.host LIKE ?1 ESCAPE '\\')";

pub(super) const SESSION_LINE_COLUMNS: &str = "s.id, s.user_id, u.username, u.role, s.login_time, s.last_seen, s.logout_time, \
     s.end_reason, s.host, s.tty, s.remote_ip, s.terminal";

pub(super) fn session_line_from_row(row: &Row) -> rusqlite::Result<SessionLine> {
    let role: String = row.get(3)?;
    let reason: Option<String> = row.get(7)?;
    Ok(SessionLine {
        id: row.get(0)?,
        user_id: row.get(1)?,
        username: row.get(2)?,
        role: role.parse().map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, Box::new(e))
        })?,
        login_time: row.get(4)?,
        last_seen: row.get(5)?,
        logout_time: row.get(6)?,
        end_reason: reason.as_deref().and_then(EndReason::parse),
        host: row.get(8)?,
        tty: row.get(9)?,
        remote_ip: row.get(10)?,
        terminal: row.get(11)?,
    })
}

fn like_pattern(filter: Option<&str>) -> Option<String> {
    filter
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(|text| format!("%{}%", escape_like(text)))
}

/// The keyset condition against (?1 role, ?2 username), for the index that serves `sort`.
fn key_condition(sort: PaneSort, op: &str) -> String {
    match sort {
        PaneSort::Name => format!("u.username {op} ?2"),
        PaneSort::Role => format!("(u.role, u.username) {op} (?1, ?2)"),
    }
}

fn order_by(sort: PaneSort, descending: bool) -> &'static str {
    match (sort, descending) {
        (PaneSort::Name, false) => "u.username",
        (PaneSort::Name, true) => "u.username DESC",
        (PaneSort::Role, false) => "u.role, u.username",
        (PaneSort::Role, true) => "u.role DESC, u.username DESC",
    }
}

impl UserLine {
    /// Where a page starting at this line starts.
    pub fn key(&self) -> UserKey {
        let user = &self.summary.user;
        UserKey {
            role: user.role.to_string(),
            username: user.username.clone(),
        }
    }
}

fn key_from_row(row: &Row) -> rusqlite::Result<UserKey> {
    Ok(UserKey {
        role: row.get(0)?,
        username: row.get(1)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::users::tests::new_user;
    use crate::model::{Origin, Role};

    fn office(count: usize) -> Db {
        let db = Db::open_in_memory().unwrap();
        let roles = [Role::Archives, Role::Admin, Role::Secretaire];
        let users: Vec<_> = (0..count)
            .map(|i| new_user(&format!("user{i:03}"), roles[i % roles.len()]))
            .collect();
        db.create_users(&users, false, 0).unwrap();
        db
    }

    fn names(page: &UserPage) -> Vec<String> {
        page.rows
            .iter()
            .map(|l| l.summary.user.username.clone())
            .collect()
    }

    fn key_of(page: &UserPage, index: usize) -> UserKey {
        page.rows[index].key()
    }

    #[test]
    fn pages_follow_each_other_by_name() {
        let db = office(10);
        let first = db.users_page(PaneSort::Name, None, None, 4, 0, 0).unwrap();
        assert_eq!(names(&first), ["user000", "user001", "user002", "user003"]);
        assert_eq!(
            first.next.as_ref().map(|k| k.username.as_str()),
            Some("user004")
        );
        let second = db
            .users_page(PaneSort::Name, None, Some(&key_of(&first, 3)), 4, 0, 0)
            .unwrap();
        assert_eq!(names(&second)[0], "user003");
        let last = db
            .last_user_page_start(PaneSort::Name, None, 4)
            .unwrap()
            .unwrap();
        assert_eq!(last.username, "user006");
        let tail = db
            .users_page(PaneSort::Name, None, Some(&last), 4, 0, 0)
            .unwrap();
        assert_eq!(tail.next, None);
        let back = db
            .user_key_before(PaneSort::Name, None, &last, 2)
            .unwrap()
            .unwrap();
        assert_eq!(back.username, "user004");
        assert_eq!(
            db.user_key_before(PaneSort::Name, None, &key_of(&first, 1), 5)
                .unwrap(),
            None
        );
    }

    #[test]
    fn pages_by_role_keep_the_roles_together() {
        let db = office(9);
        let page = db.users_page(PaneSort::Role, None, None, 9, 0, 0).unwrap();
        let roles: Vec<Role> = page.rows.iter().map(|l| l.summary.user.role).collect();
        let mut sorted = roles.clone();
        sorted.sort_by_key(|r| r.as_str());
        assert_eq!(roles, sorted);
        let from_fourth = db
            .users_page(PaneSort::Role, None, Some(&key_of(&page, 3)), 9, 0, 0)
            .unwrap();
        assert_eq!(names(&from_fourth), names(&page)[3..]);
    }

    #[test]
    fn a_filter_narrows_every_pane() {
        let db = office(12);
        let page = db
            .users_page(PaneSort::Name, Some("secre"), None, 20, 0, 0)
            .unwrap();
        assert_eq!(page.rows.len(), 4);
        let clerk = db.user("user002").unwrap().unwrap();
        let desk = Origin {
            host: "frontdesk".into(),
            ..Origin::default()
        };
        let annex = Origin {
            host: "annex".into(),
            ..Origin::default()
        };
        db.open_session(clerk.id, &desk, 5_000, 100).unwrap();
        let ended = db.open_session(clerk.id, &annex, 5_000, 50).unwrap();
        db.close_session(ended.id, EndReason::Idle, 90, None, None)
            .unwrap();
        assert_eq!(
            db.online_page(PaneSort::Name, Some("FRONT"), 0, 10)
                .unwrap()
                .1,
            1
        );
        assert_eq!(
            db.online_page(PaneSort::Name, Some("annex"), 0, 10)
                .unwrap()
                .1,
            0
        );
        assert_eq!(db.recently_offline(Some("annex"), 20).unwrap().len(), 1);
        assert_eq!(db.recently_offline(Some("100%"), 20).unwrap().len(), 0);
        assert_eq!(
            db.counts().unwrap(),
            Counts {
                users: 12,
                online_users: 1
            }
        );
    }

    #[test]
    fn sessions_today_and_history() {
        let db = office(1);
        let user = db.user("user000").unwrap().unwrap();
        let origin = Origin {
            host: "desk".into(),
            ..Origin::default()
        };
        for login in [100, 2_000, 3_000] {
            let s = db.open_session(user.id, &origin, 5_000, login).unwrap();
            db.close_session(s.id, EndReason::Logout, login + 500, None, None)
                .unwrap();
        }
        let page = db
            .users_page(PaneSort::Name, None, None, 5, 4_000, 1_000)
            .unwrap();
        assert_eq!(page.rows[0].sessions_today, 2);
        assert_eq!(page.rows[0].summary.last_logout, Some(3_500));
        let history = db.user_sessions(user.id, 0, 2).unwrap();
        assert_eq!(
            history.iter().map(|s| s.login_time).collect::<Vec<_>>(),
            [3_000, 2_000]
        );
        let range = |since, until| crate::db::Range {
            user_id: Some(user.id),
            since: Some(since),
            until: Some(until),
            ..crate::db::Range::default()
        };
        // [100, 600] and [2000, 2500] overlap [550, 2100); nothing overlaps the gap between.
        assert_eq!(db.sessions_in(&range(550, 2_100), None).unwrap().len(), 2);
        assert_eq!(db.sessions_in(&range(650, 1_900), None).unwrap().len(), 0);
    }

    #[test]
    fn data_version_moves_when_another_connection_commits() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        let watcher = Db::open(&path).unwrap();
        let writer = Db::open(&path).unwrap();
        let before = watcher.data_version().unwrap();
        assert_eq!(watcher.data_version().unwrap(), before);
        writer
            .create_users(&[new_user("fresh", Role::Admin)], false, 0)
            .unwrap();
        assert_ne!(watcher.data_version().unwrap(), before);
    }
}
