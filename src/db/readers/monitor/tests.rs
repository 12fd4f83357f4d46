use super::*;
use crate::db::tables::users::tests::new_user;
use crate::model::{EndReason, Origin, Role};

fn office(count: usize) -> crate::db::testing::TestDb {
    let db = crate::db::testing::db();
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
fn names_are_folded_by_one_rule_on_both_backends() {
    let db = crate::db::testing::db();
    let mut edouard = new_user("directeur001", Role::Directeur);
    edouard.full_name = "Édouard Pierre".into();
    db.create_users(&[edouard], false, 0).unwrap();
    // PostgreSQL's lower() turns 'İ' into 'i'; konekte's rule does not.
    assert!(db.credentials("dİrecteur001").unwrap().is_none());
    assert!(db.credentials("DIRECTEUR001").unwrap().is_some());
    // SQLite's lower() leaves 'É' as it is; konekte's rule does not.
    for filter in ["édouard", "ÉDOUARD", " Édouard "] {
        let page = db
            .users_page(PaneSort::Name, Some(filter), None, 10, 0, 0)
            .unwrap();
        assert_eq!(names(&page), ["directeur001"], "{filter}");
    }
    // A name typed in any case is one name in `failures`.
    for typed in ["Ézéchiel", "ÉZÉCHIEL", "ézéchiel"] {
        db.settle_attempt(typed, None, &Origin::default(), 1_000, 0, None, |_, _| {
            (crate::model::Outcome::UnknownUser, Default::default())
        })
        .unwrap();
    }
    let counts = db.failure_counts(Some("ÉzÉchiel"), None, 2_000).unwrap();
    assert_eq!(counts.len(), 1);
    assert_eq!(counts[0].failures, 3);
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
    let online = |filter: &str| {
        let mut q = query(UsersAnchor::Start, 20);
        q.filter = Some(filter.into());
        let snapshot = db.monitor_snapshot(&q, 200, 0, Zone::UTC).unwrap();
        (snapshot.online.len(), snapshot.online_total)
    };
    assert_eq!(online("FRONT"), (1, 1));
    assert_eq!(online("annex"), (0, 0));
    assert_eq!(db.recently_offline(Some("annex"), 20).unwrap().len(), 1);
    assert_eq!(db.recently_offline(Some("100%"), 20).unwrap().len(), 0);
    assert_eq!(
        db.counts().unwrap(),
        Counts {
            users: 12,
            online_users: 1,
            online_sessions: 1,
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

const HOUR: Millis = 3_600_000;
/// 2026-11-24 00:00 UTC.
const MIDNIGHT: Millis = 1_795_478_400_000;

fn query(anchor: UsersAnchor, users_rows: usize) -> Query {
    Query {
        sort: PaneSort::Name,
        filter: None,
        users_anchor: anchor,
        users_rows,
        online_selected: None,
        online_offset: 0,
        online_rows: 5,
        timeline: None,
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

fn desk() -> Origin {
    Origin {
        host: "desk".into(),
        ..Origin::default()
    }
}

#[test]
fn anchors_resolve_to_pages() {
    let db = office(5);
    let end = db
        .monitor_snapshot(&query(UsersAnchor::End, 2), MIDNIGHT, 0, Zone::UTC)
        .unwrap();
    assert_eq!(first_names(&end), ["user003", "user004"]);
    let from = end.users_from.clone().unwrap();
    let back = db
        .monitor_snapshot(
            &query(UsersAnchor::Back { from, rows: 2 }, 2),
            MIDNIGHT,
            0,
            Zone::UTC,
        )
        .unwrap();
    assert_eq!(first_names(&back), ["user001", "user002"]);
    let top = db
        .monitor_snapshot(&query(UsersAnchor::Start, 2), MIDNIGHT, 0, Zone::UTC)
        .unwrap();
    assert_eq!(first_names(&top), ["user000", "user001"]);
    assert_eq!(top.counts.users, 5);
}

#[test]
fn the_latest_login_comes_first_and_a_kept_user_is_followed() {
    let db = office(6);
    let id = |name: &str| db.user(name).unwrap().unwrap().id;
    db.open_session(id("user004"), &desk(), 5_000, 1_000)
        .unwrap();
    db.open_session(id("user001"), &desk(), 5_000, 2_000)
        .unwrap();
    let page = db
        .users_page(PaneSort::LastLogin, None, None, 6, 3_000, 0)
        .unwrap();
    assert_eq!(
        names(&page),
        [
            "user001", "user004", "user000", "user002", "user003", "user005"
        ]
    );
    let from_third = db
        .users_page(PaneSort::LastLogin, None, Some(&key_of(&page, 2)), 2, 0, 0)
        .unwrap();
    assert_eq!(names(&from_third), ["user000", "user002"]);
    // user005 logs in: kept on row 1, the page moves with them to the top.
    db.open_session(id("user005"), &desk(), 5_000, 3_000)
        .unwrap();
    let mut keep = query(
        UsersAnchor::Keep {
            username: "user005".into(),
            row: 1,
            fallback: None,
        },
        3,
    );
    keep.sort = PaneSort::LastLogin;
    let snapshot = db.monitor_snapshot(&keep, 4_000, 0, Zone::UTC).unwrap();
    assert_eq!(first_names(&snapshot), ["user005", "user001", "user004"]);
    keep.sort = PaneSort::Name;
    keep.users_anchor = UsersAnchor::Keep {
        username: "user005".into(),
        row: 1,
        fallback: None,
    };
    let snapshot = db.monitor_snapshot(&keep, 4_000, 0, Zone::UTC).unwrap();
    assert_eq!(first_names(&snapshot), ["user004", "user005"]);
}

/// Eight users, each logged in once, in the order of their names; and their sessions.
fn eight_online() -> (crate::db::testing::TestDb, Vec<i64>) {
    let db = office(8);
    let sessions = (0..8)
        .map(|i| {
            let user = db.user(&format!("user{i:03}")).unwrap().unwrap();
            db.open_session(user.id, &desk(), 5_000, 1_000 + i)
                .unwrap()
                .id
        })
        .collect();
    (db, sessions)
}

#[test]
fn the_online_page_keeps_the_selected_session_in_view() {
    let (db, sessions) = eight_online();
    let mut q = query(UsersAnchor::Start, 2);
    q.online_rows = 3;
    q.online_selected = Some(sessions[6]);
    let snapshot = db.monitor_snapshot(&q, 2_000, 0, Zone::UTC).unwrap();
    assert_eq!((snapshot.online_offset, snapshot.online_total), (4, 8));
    assert_eq!(snapshot.online[2].id, sessions[6]);
    // Two sessions before it end: it moves up, and the page with it.
    for id in &sessions[..2] {
        db.close_session(*id, EndReason::Logout, 1_500, None, None)
            .unwrap();
    }
    q.online_offset = snapshot.online_offset;
    let snapshot = db.monitor_snapshot(&q, 2_000, 0, Zone::UTC).unwrap();
    // The page stays as full as it can: it starts one row higher.
    assert_eq!((snapshot.online_offset, snapshot.online_total), (3, 6));
    assert_eq!(snapshot.online[1].id, sessions[6]);
}

#[test]
fn a_page_below_the_sessions_left_comes_back_up_to_them() {
    let (db, sessions) = eight_online();
    let mut q = query(UsersAnchor::Start, 2);
    q.online_rows = 2;
    q.online_offset = 6;
    for id in &sessions[1..7] {
        db.close_session(*id, EndReason::Logout, 1_500, None, None)
            .unwrap();
    }
    let snapshot = db.monitor_snapshot(&q, 2_000, 0, Zone::UTC).unwrap();
    assert_eq!((snapshot.online_offset, snapshot.online_total), (0, 2));
    let shown: Vec<i64> = snapshot.online.iter().map(|line| line.id).collect();
    assert_eq!(shown, [sessions[0], sessions[7]]);
}

#[test]
fn history_totals_split_sessions_at_midnight() {
    let db = office(1);
    let ann = db.user("user000").unwrap().unwrap().id;
    // 22:00 to 02:00 across midnight, then 09:00 still open at 10:00.
    let night = db
        .open_session(ann, &desk(), 5_000, MIDNIGHT - 2 * HOUR)
        .unwrap();
    db.close_session(night.id, EndReason::Logout, MIDNIGHT + 2 * HOUR, None, None)
        .unwrap();
    db.open_session(ann, &desk(), 5_000, MIDNIGHT + 9 * HOUR)
        .unwrap();
    let utc = Zone::UTC;
    let history = db
        .user_history(ann, 0, 10, MIDNIGHT + 10 * HOUR, utc)
        .unwrap();
    let totals: Vec<Millis> = history.per_day.iter().map(|(_, t)| *t).collect();
    // Every one of the fourteen days, the quiet ones at zero; today last.
    assert_eq!(totals.len(), HISTORY_DAYS as usize);
    assert_eq!(totals[12..], [2 * HOUR, 3 * HOUR]);
    assert!(totals[..12].iter().all(|t| *t == 0));
    let today = crate::clock::day_of(MIDNIGHT, utc).unwrap();
    assert_eq!(history.per_day.last().map(|(day, _)| *day), Some(today));
    assert_eq!(history.sessions.len(), 2);
    assert_eq!(history.sessions[0].logout_time, None);
}

#[test]
fn an_admins_end_names_the_admin_and_the_reason() {
    let db = office(2);
    let (clerk, boss) = (
        db.user("user000").unwrap().unwrap().id,
        db.user("user001").unwrap().unwrap().id,
    );
    let s = db.open_session(clerk, &desk(), 5_000, 100).unwrap();
    db.close_session(s.id, EndReason::Forced, 200, Some(boss), Some("fire drill"))
        .unwrap();
    let line = &db.user_sessions(clerk, 0, 1).unwrap()[0];
    assert_eq!(line.ended_by.as_deref(), Some("user001"));
    assert_eq!(line.end_note.as_deref(), Some("fire drill"));
}
