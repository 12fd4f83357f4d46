//! `console monitor`, and what the monitor loads: the rows its panes show, a user's
//! history. The screen (`tui::monitor`) says what it needs; this reads it.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use chrono::FixedOffset;

use super::login::{Mode, run_station};
use crate::cli::TerminalArgs;
use crate::clock::{split_by_day, start_of_day};
use crate::db::{Db, RECENT_OFFLINE, Range};
use crate::error::Error;
use crate::model::Millis;
use crate::tui::monitor::{History, Query, Snapshot, UsersAnchor};

/// How many days of totals the history shows.
const HISTORY_DAYS: i64 = 14;

pub fn run(args: &TerminalArgs, db_path: &Path) -> Result<()> {
    run_station(
        db_path,
        args,
        Mode::Monitor {
            banner: None,
            sign_in: None,
        },
    )
}

/// The rows the panes show, as `query` asks for them.
pub fn load(db: &Db, query: &Query, now: Millis, tz: FixedOffset) -> Result<Snapshot> {
    let filter = query.filter.as_deref();
    let users_from = match &query.users_anchor {
        UsersAnchor::Start => None,
        UsersAnchor::From(key) => Some(key.clone()),
        UsersAnchor::Back { from, rows } => db.user_key_before(query.sort, filter, from, *rows)?,
        UsersAnchor::End => db.last_user_page_start(query.sort, filter, query.users_rows)?,
    };
    let users = db.users_page(
        query.sort,
        filter,
        users_from.as_ref(),
        query.users_rows,
        now,
        start_of_day(now, tz),
    )?;
    let (online, online_total) =
        db.online_page(query.sort, filter, query.online_offset, query.online_rows)?;
    Ok(Snapshot {
        counts: db.counts()?,
        users_from,
        users,
        online,
        online_total,
        offline: db.recently_offline(filter, RECENT_OFFLINE)?,
    })
}

/// A page of one user's sessions, and the connected time of each of the latest days.
pub fn load_history(
    db: &Db,
    user_id: i64,
    offset: usize,
    rows: usize,
    now: Millis,
    tz: FixedOffset,
) -> Result<History> {
    let user = db
        .user_by_id(user_id)?
        .ok_or_else(|| Error::bad_input(crate::tr!(no_user, name = user_id)))?;
    let since = start_of_day(now - (HISTORY_DAYS - 1) * 86_400_000, tz);
    let mut per_day: BTreeMap<chrono::NaiveDate, Millis> = BTreeMap::new();
    let range = Range {
        user_id: Some(user_id),
        since: Some(since),
        until: Some(now),
        ..Range::default()
    };
    db.visit_sessions(&range, |session| {
        let end = session.logout_time.unwrap_or(now);
        for (day, millis) in split_by_day(session.login_time.max(since), end, tz) {
            *per_day.entry(day).or_default() += millis;
        }
    })?;
    Ok(History {
        user_id,
        username: user.username,
        full_name: user.full_name,
        offset,
        sessions: db.user_sessions(user_id, offset, rows)?,
        per_day: per_day.into_iter().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::PaneSort;
    use crate::model::{EndReason, NewUser, Origin, Role};

    const HOUR: Millis = 3_600_000;
    /// 2026-11-24 00:00 UTC.
    const MIDNIGHT: Millis = 1_795_478_400_000;

    fn office() -> (Db, i64) {
        let db = Db::open_in_memory().unwrap();
        let users: Vec<NewUser> = ["ann", "bob", "cid", "dee", "eve"]
            .iter()
            .map(|name| NewUser {
                username: (*name).into(),
                full_name: String::new(),
                role: Role::Archives,
                password_hash: "x".into(),
                must_change_password: false,
            })
            .collect();
        db.create_users(&users, false, 0).unwrap();
        let ann = db.user("ann").unwrap().unwrap().id;
        (db, ann)
    }

    fn query(anchor: UsersAnchor) -> Query {
        Query {
            sort: PaneSort::Name,
            filter: None,
            users_anchor: anchor,
            users_rows: 2,
            online_offset: 0,
            online_rows: 5,
        }
    }

    fn first_names(snapshot: &Snapshot) -> Vec<&str> {
        snapshot
            .users
            .rows
            .iter()
            .map(|l| l.summary.user.username.as_str())
            .collect()
    }

    #[test]
    fn anchors_resolve_to_pages() {
        let (db, _) = office();
        let utc = FixedOffset::east_opt(0).unwrap();
        let end = load(&db, &query(UsersAnchor::End), MIDNIGHT, utc).unwrap();
        assert_eq!(first_names(&end), ["dee", "eve"]);
        let from = end.users_from.clone().unwrap();
        let back = load(
            &db,
            &query(UsersAnchor::Back { from, rows: 2 }),
            MIDNIGHT,
            utc,
        )
        .unwrap();
        assert_eq!(first_names(&back), ["bob", "cid"]);
        let top = load(&db, &query(UsersAnchor::Start), MIDNIGHT, utc).unwrap();
        assert_eq!(first_names(&top), ["ann", "bob"]);
        assert_eq!(top.counts.users, 5);
    }

    #[test]
    fn history_totals_split_sessions_at_midnight() {
        let (db, ann) = office();
        let desk = Origin {
            host: "desk".into(),
            ..Origin::default()
        };
        // 22:00 to 02:00 across midnight, then 09:00 still open at 10:00.
        let night = db
            .open_session(ann, &desk, 5_000, MIDNIGHT - 2 * HOUR)
            .unwrap();
        db.close_session(night.id, EndReason::Logout, MIDNIGHT + 2 * HOUR, None, None)
            .unwrap();
        db.open_session(ann, &desk, 5_000, MIDNIGHT + 9 * HOUR)
            .unwrap();
        let utc = FixedOffset::east_opt(0).unwrap();
        let history = load_history(&db, ann, 0, 10, MIDNIGHT + 10 * HOUR, utc).unwrap();
        let totals: Vec<Millis> = history.per_day.iter().map(|(_, t)| *t).collect();
        assert_eq!(totals, [2 * HOUR, 3 * HOUR]);
        assert_eq!(history.sessions.len(), 2);
        assert_eq!(history.sessions[0].logout_time, None);
    }
}
