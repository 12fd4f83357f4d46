//! What the live monitor shows, a pane's visible rows at a time: keyset pagination on
//! indexed keys, so that a page costs the same at 16 users as at 100 000. The screen
//! says what it needs (a `Query`); this loads it into an immutable `Snapshot`.

use std::collections::BTreeMap;

use crate::attendance::Tally;
use crate::clock::{Zone, day_after, day_of, split_by_day, start_of_day};
use crate::db::Db;
use crate::db::backend::Exec;
use crate::db::backend::value::{Row, ToValue, Value, params};
use crate::db::query::{Sql, like_pattern};
use crate::db::tables::sessions::{
    Range, SESSION_FILTER, SESSION_LINE_COLUMNS, SESSION_LINE_WIDTH, session_line_from_row,
};
use crate::db::tables::users::{ACTIVITY_COLUMNS, USER_COLUMNS, USER_FILTER, summary_from_row};
use crate::error::Error;
use crate::exceptions::DayAttendance;
use crate::model::{Millis, Person, SessionLine, Timeline, UserLine, folded};
use anyhow::Result;
use chrono::NaiveDate;

/// How the "All users" and "Online now" panes are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PaneSort {
    #[default]
    Name,
    Role,
    /// The latest login first (never logged in last).
    LastLogin,
}

impl PaneSort {
    pub fn next(self) -> PaneSort {
        match self {
            PaneSort::Name => PaneSort::Role,
            PaneSort::Role => PaneSort::LastLogin,
            PaneSort::LastLogin => PaneSort::Name,
        }
    }
}

/// Where a page of users starts: the sort key of its first row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserKey {
    pub role: String,
    /// Minus the last login (0 when never): ascending is latest first.
    pub recency: Millis,
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
    /// People online (one person at two terminals counts once).
    pub online_users: i64,
    pub online_sessions: i64,
}

pub const RECENT_OFFLINE: usize = 20;
/// How many days of totals a user's history shows.
pub const HISTORY_DAYS: i64 = 14;

/// Where the "All users" page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsersAnchor {
    Start,
    From(UserKey),
    /// `rows` rows before this key (scrolling up).
    Back {
        from: UserKey,
        rows: usize,
    },
    End,
    /// This user on the page's row `row`, wherever the sort has moved them (their last
    /// login changed); if they no longer match the filter, the page starts at `fallback`.
    Keep {
        username: String,
        row: usize,
        fallback: Option<UserKey>,
    },
}

/// What the panes need from the database: derived from the screen, carried out by the
/// station.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub sort: PaneSort,
    pub filter: Option<String>,
    pub users_anchor: UsersAnchor,
    pub users_rows: usize,
    /// The session under the cursor: the page is moved to keep it in view.
    pub online_selected: Option<i64>,
    pub online_offset: usize,
    pub online_rows: usize,
    /// The day's timeline, when it is on screen: (first person, rows).
    pub timeline: Option<(usize, usize)>,
}

/// One load of what is on screen.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snapshot {
    pub counts: Counts,
    /// Where the users page starts, resolved (`None`: at the top).
    pub users_from: Option<UserKey>,
    pub users: UserPage,
    pub online: Vec<SessionLine>,
    /// The position of `online[0]` among all the open sessions shown.
    pub online_offset: usize,
    pub online_total: usize,
    pub offline: Vec<SessionLine>,
    pub timeline: Option<Timeline>,
    /// The day so far against the hours expected (`None`: the office keeps no schedule).
    pub attendance: Option<Box<DayAttendance>>,
}

/// A page of the "Online now" pane.
struct OnlinePage {
    page: Vec<SessionLine>,
    /// The position of `page[0]` among all the open sessions shown.
    offset: usize,
    /// How many open sessions are shown (`None`: no row was read to say it).
    total: Option<usize>,
    /// Where the selected session stands, if it is open and shown.
    selected_at: Option<usize>,
}

/// One user's history, a page of sessions and the totals of the latest days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    pub user_id: i64,
    pub username: String,
    pub full_name: String,
    pub offset: usize,
    pub sessions: Vec<SessionLine>,
    /// Each of the latest HISTORY_DAYS days, oldest first, with its connected time
    /// (zero on a day without): what the history draws as bars.
    pub per_day: Vec<(NaiveDate, Millis)>,
}

impl Db {
    /// The rows the panes show, as `query` asks for them; "today" begins at `day_start`,
    /// local midnight in `tz`.
    pub fn monitor_snapshot(
        &self,
        query: &Query,
        now: Millis,
        day_start: Millis,
        tz: Zone,
    ) -> Result<Snapshot> {
        let filter = query.filter.as_deref();
        let users_from = self.resolve_users_anchor(query)?;
        let users = self.users_page(
            query.sort,
            filter,
            users_from.as_ref(),
            query.users_rows,
            now,
            day_start,
        )?;
        let online = self.online_pane(query)?;
        let attendance = match (day_of(day_start, tz), day_after(day_start, tz)) {
            (Some(day), Some(day_end)) => self
                .day_attendance(day, (day_start, day_end), now, tz)?
                .map(Box::new),
            _ => None,
        };
        // Those expected who have not come are people of the day too.
        let missing: Vec<Person> = attendance
            .iter()
            .flat_map(|attendance| &attendance.people)
            .filter(|(_, person)| !person.came && !person.kinds.is_empty())
            .map(|(id, person)| Person {
                user_id: *id,
                username: person.username.clone(),
                role: person.role,
                bars: Vec::new(),
            })
            .collect();
        Ok(Snapshot {
            counts: self.counts()?,
            users_from,
            users,
            online: online.page,
            online_offset: online.offset,
            online_total: online.total.unwrap_or(0),
            offline: self.recently_offline(filter, RECENT_OFFLINE)?,
            timeline: query
                .timeline
                .map(|(offset, rows)| {
                    let page = (offset, rows);
                    self.timeline(filter, day_start, now, page, &missing)
                })
                .transpose()?,
            attendance,
        })
    }

    fn resolve_users_anchor(&self, query: &Query) -> Result<Option<UserKey>> {
        let (sort, filter) = (query.sort, query.filter.as_deref());
        Ok(match &query.users_anchor {
            UsersAnchor::Start => None,
            UsersAnchor::From(key) => Some(key.clone()),
            UsersAnchor::Back { from, rows } => self.user_key_before(sort, filter, from, *rows)?,
            UsersAnchor::End => self.last_user_page_start(sort, filter, query.users_rows)?,
            UsersAnchor::Keep {
                username,
                row,
                fallback,
            } => match self.user_key(username, filter)? {
                Some(key) if *row == 0 => Some(key),
                Some(key) => self.user_key_before(sort, filter, &key, *row)?,
                None => fallback.clone(),
            },
        })
    }

    /// The "Online now" pane: the page moves just enough to keep the selected session in
    /// view, wherever others came or went, and stays as full as it can be. One query
    /// mostly; another when the page has to move.
    fn online_pane(&self, query: &Query) -> Result<OnlinePage> {
        let rows = query.online_rows.max(1);
        let mut asked = self.online_ranked(query, query.online_offset, rows)?;
        if asked.total.is_none() && query.online_offset > 0 {
            // An empty page says neither how many there are nor where the selected
            // one stands: the sessions below the page have gone; look from the top.
            asked = self.online_ranked(query, 0, rows)?;
        }
        let total = asked.total.unwrap_or(0);
        let offset = match asked.selected_at {
            Some(rank) if rank < asked.offset => rank,
            Some(rank) if rank >= asked.offset + rows => rank + 1 - rows,
            _ => asked.offset,
        }
        // No blank rows below while rows above are hidden.
        .min(total.saturating_sub(rows));
        let page = if offset == asked.offset {
            asked
        } else {
            self.online_ranked(query, offset, rows)?
        };
        Ok(OnlinePage {
            total: Some(page.total.unwrap_or(total)),
            ..page
        })
    }

    /// The open sessions shown (those matching the filter), `rows` from `offset` in the
    /// pane's order, and where the selected one stands among them.
    fn online_ranked(&self, query: &Query, offset: usize, rows: usize) -> Result<OnlinePage> {
        let mut shown = Sql::new(format!(
            "SELECT s.id, row_number() OVER (ORDER BY {key}) - 1 AS position,
                    count(*) OVER () AS total
             FROM users u{online} JOIN sessions s{open} ON s.user_id = u.id
             WHERE s.logout_time IS NULL AND u.open_sessions > 0",
            key = online_key(query.sort),
            online = self.dialect().indexed_by("users_online"),
            open = self.dialect().indexed_by("sessions_open_user"),
        ));
        shown.and_some(SESSION_FILTER, like_pattern(query.filter.as_deref()));
        // Every open session is ranked by the keys of its order, from the users online
        // (their own index, not the 100 000 users); the lines are read for the page only. CROSS JOIN: SQLite then takes the page's ids first and reads
        // each of their rows by id, where it would otherwise scan every session.
        let mut sql = Sql::new("WITH ranked AS (");
        sql.append(&shown).push(
            &format!(
                ") SELECT {SESSION_LINE_COLUMNS}, r.position, r.total
                 FROM ranked r CROSS JOIN sessions s CROSS JOIN users u
                 WHERE s.id = r.id AND u.id = s.user_id
                   AND ((r.position >= ? AND r.position < ?) OR r.id = ?)
                 ORDER BY r.position"
            ),
            [
                offset.to_value(),
                (offset + rows).to_value(),
                query.online_selected.to_value(),
            ],
        );
        let mut ranked = OnlinePage {
            page: Vec::with_capacity(rows),
            offset,
            total: None,
            selected_at: None,
        };
        for row in self.query(sql.text(), sql.params())? {
            let line = session_line_from_row(&row)?;
            let position: usize = row.get(SESSION_LINE_WIDTH)?;
            ranked.total = Some(row.get(SESSION_LINE_WIDTH + 1)?);
            if Some(line.id) == query.online_selected {
                ranked.selected_at = Some(position);
            }
            if (offset..offset + rows).contains(&position) {
                ranked.page.push(line);
            }
        }
        Ok(ranked)
    }

    /// A page of one user's sessions, and the connected time of each of the latest days.
    pub fn user_history(
        &self,
        user_id: i64,
        offset: usize,
        rows: usize,
        now: Millis,
        tz: Zone,
    ) -> Result<History> {
        let user = self
            .user_by_id(user_id)?
            .ok_or_else(|| Error::bad_input(crate::tr!(no_user, name = user_id)))?;
        let since = start_of_day(now - (HISTORY_DAYS - 1) * 86_400_000, tz);
        let mut per_day: BTreeMap<NaiveDate, Tally> = BTreeMap::new();
        let range = Range {
            user_id: Some(user_id),
            since: Some(since),
            until: Some(now),
            ..Range::default()
        };
        // Two terminals at once are one person's time once.
        self.visit_spans(&range, |session| {
            let (start, end) = (
                session.login_time.max(since),
                session.logout_time.unwrap_or(now),
            );
            for (day, from, to) in split_by_day(start, end, tz) {
                per_day.entry(day).or_default().add(session.piece(from, to));
            }
        })?;
        Ok(History {
            user_id,
            username: user.username,
            full_name: user.full_name,
            offset,
            sessions: self.user_sessions(user_id, offset, rows)?,
            per_day: days_back(now, tz)
                .map(|day| (day, per_day.get(&day).map_or(0, |tally| tally.connected)))
                .collect(),
        })
    }

    pub fn counts(&self) -> Result<Counts> {
        // INDEXED BY: left to itself, SQLite 3.54 reads count(DISTINCT user_id) through
        // (user_id, login_time), every session ever: 1.7 s at 1M sessions.
        let open = self.dialect().indexed_by("sessions_open");
        let row = self.query_row(
            &format!(
                "SELECT (SELECT users FROM tallies),
                        (SELECT count(DISTINCT user_id) FROM sessions{open}
                         WHERE logout_time IS NULL),
                        (SELECT count(*) FROM sessions{open}
                         WHERE logout_time IS NULL AND user_id IS NOT NULL)"
            ),
            params![],
        )?;
        Ok(Counts {
            users: row.get(0)?,
            online_users: row.get(1)?,
            online_sessions: row.get(2)?,
        })
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
        let mut sql = Sql::new("");
        sql.push(
            &format!(
                "SELECT {USER_COLUMNS}, {ACTIVITY_COLUMNS},
                        (SELECT count(*) FROM sessions s
                         WHERE s.user_id = u.id AND s.login_time >= ?)
                 FROM users u WHERE TRUE"
            ),
            [day_start.to_value()],
        );
        if let Some(key) = from {
            sql.push(
                &format!(" AND {}", key_condition(sort, ">=")),
                key_params(sort, key),
            );
        }
        sql.and_some(USER_FILTER, like_pattern(filter)).push(
            &format!(" ORDER BY {} LIMIT ?", order_by(sort, false)),
            [(limit + 1).to_value()],
        );
        let mut rows = self
            .query(sql.text(), sql.params())?
            .into_iter()
            .map(|mut row| {
                Ok(UserLine {
                    summary: summary_from_row(&mut row, now)?,
                    sessions_today: row.get(11)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let next = rows.get(limit).map(UserLine::key);
        rows.truncate(limit);
        Ok(UserPage { rows, next })
    }

    /// The sort key of the user named `username` now, if they match `filter`.
    fn user_key(&self, username: &str, filter: Option<&str>) -> Result<Option<UserKey>> {
        let mut sql = Sql::new(format!("SELECT {KEY_COLUMNS} FROM users u WHERE TRUE"));
        sql.and("u.username_key = ?", folded(username))
            .and_some(USER_FILTER, like_pattern(filter));
        self.query_opt(sql.text(), sql.params())?
            .map(|row| key_from_row(&row))
            .transpose()
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
        let mut sql = Sql::new(format!("SELECT {KEY_COLUMNS} FROM users u WHERE TRUE"));
        if let Some(key) = key {
            sql.push(
                &format!(" AND {}", key_condition(sort, "<")),
                key_params(sort, key),
            );
        }
        sql.and_some(USER_FILTER, like_pattern(filter)).push(
            &format!(" ORDER BY {} LIMIT 1 OFFSET ?", order_by(sort, true)),
            [(back as i64 - 1).to_value()],
        );
        self.query_opt(sql.text(), sql.params())?
            .map(|row| key_from_row(&row))
            .transpose()
    }

    /// The latest ended sessions, newest logout first.
    pub fn recently_offline(&self, filter: Option<&str>, limit: usize) -> Result<Vec<SessionLine>> {
        let mut sql = Sql::new(format!(
            "SELECT {SESSION_LINE_COLUMNS}
             FROM sessions s{logout} JOIN users u ON u.id = s.user_id
             WHERE s.logout_time IS NOT NULL",
            logout = self.dialect().indexed_by("sessions_logout")
        ));
        sql.and_some(SESSION_FILTER, like_pattern(filter))
            .push(" ORDER BY s.logout_time DESC LIMIT ?", [limit.to_value()]);
        self.query(sql.text(), sql.params())?
            .iter()
            .map(session_line_from_row)
            .collect()
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
        self.query(&sql, params![user_id, limit, offset])?
            .iter()
            .map(session_line_from_row)
            .collect()
    }
}

/// The latest HISTORY_DAYS calendar days, oldest first, today last.
fn days_back(now: Millis, tz: Zone) -> impl Iterator<Item = NaiveDate> {
    let today = crate::clock::day_of(now, tz);
    let mut days: Vec<NaiveDate> = std::iter::successors(today, |day| day.pred_opt())
        .take(HISTORY_DAYS as usize)
        .collect();
    days.reverse();
    days.into_iter()
}

/// What a page key is read from.
const KEY_COLUMNS: &str = "u.role, -coalesce(u.last_login, 0), u.username";

/// The keyset condition, for the index that serves `sort`; its `?`s are `key_params`.
fn key_condition(sort: PaneSort, op: &str) -> String {
    match sort {
        PaneSort::Name => format!("u.username_key {op} ?"),
        PaneSort::Role => format!("(u.role, u.username_key) {op} (?, ?)"),
        PaneSort::LastLogin => format!("(-coalesce(u.last_login, 0), u.username_key) {op} (?, ?)"),
    }
}

/// The parts of `key` that `sort` orders by, as the keyset condition binds them.
fn key_params(sort: PaneSort, key: &UserKey) -> Vec<Value> {
    let name = Value::Text(folded(&key.username));
    match sort {
        PaneSort::Name => vec![name],
        PaneSort::Role => vec![Value::Text(key.role.clone()), name],
        PaneSort::LastLogin => vec![Value::Int(key.recency), name],
    }
}

fn order_by(sort: PaneSort, descending: bool) -> &'static str {
    match (sort, descending) {
        (PaneSort::Name, false) => "u.username_key",
        (PaneSort::Name, true) => "u.username_key DESC",
        (PaneSort::Role, false) => "u.role, u.username_key",
        (PaneSort::Role, true) => "u.role DESC, u.username_key DESC",
        (PaneSort::LastLogin, false) => "-coalesce(u.last_login, 0), u.username_key",
        (PaneSort::LastLogin, true) => "-coalesce(u.last_login, 0) DESC, u.username_key DESC",
    }
}

/// The order of the "Online now" pane, as a row value: ORDER BY it, or compare with it.
fn online_key(sort: PaneSort) -> &'static str {
    match sort {
        PaneSort::Name => "u.username_key, s.login_time, s.id",
        PaneSort::Role => "u.role, u.username_key, s.login_time, s.id",
        PaneSort::LastLogin => "-s.login_time, s.id",
    }
}

impl UserLine {
    /// Where a page starting at this line starts.
    pub fn key(&self) -> UserKey {
        let user = &self.summary.user;
        UserKey {
            role: user.role.to_string(),
            recency: -self.summary.last_login.unwrap_or(0),
            username: user.username.clone(),
        }
    }
}

fn key_from_row(row: &Row) -> Result<UserKey> {
    Ok(UserKey {
        role: row.get(0)?,
        recency: row.get(1)?,
        username: row.get(2)?,
    })
}

#[cfg(test)]
mod tests;
