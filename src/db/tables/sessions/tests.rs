use super::*;
use crate::db::tables::users::tests::new_user;
use crate::db::testing::elsewhere;
use crate::model::Role;

const BEAT: Millis = 5_000;
const HOST_PID_NS: &str = "pid:[4026531836]";

fn origin(host: &str, pid: u32, boot: &str) -> Origin {
    Origin {
        host: host.into(),
        pid,
        boot_id: Some(boot.into()),
        machine_id: Some(format!("machine-of-{host}")),
        pid_ns: Some(HOST_PID_NS.into()),
        ..Origin::default()
    }
}

fn db_with_user() -> (crate::db::testing::TestDb, i64) {
    let db = crate::db::testing::db();
    db.create_users(&[new_user("clerk", Role::Archives)], false, 0)
        .unwrap();
    let id = db.user("clerk").unwrap().unwrap().id;
    (db, id)
}

#[test]
fn a_session_is_closed_once_and_keeps_its_first_end() {
    let (db, user) = db_with_user();
    let session = db
        .open_session(user, &origin("desk", 1, "b"), BEAT, 1_000)
        .unwrap();
    assert_eq!(
        db.close_session(session.id, EndReason::Logout, 2_000, None, None)
            .unwrap(),
        Closed::Now
    );
    assert_eq!(
        db.close_session(session.id, EndReason::Forced, 3_000, None, None)
            .unwrap(),
        Closed::Already(EndReason::Logout)
    );
    let stored = db.session(session.id).unwrap().unwrap();
    assert_eq!(
        (stored.logout_time, stored.end_reason),
        (Some(2_000), Some(EndReason::Logout))
    );
    assert!(
        db.close_session(999, EndReason::Logout, 0, None, None)
            .is_err()
    );
}

#[test]
fn closing_one_session_leaves_the_users_other_sessions_open() {
    let (db, user) = db_with_user();
    let first = db
        .open_session(user, &origin("desk", 1, "b"), BEAT, 1_000)
        .unwrap();
    let second = db
        .open_session(user, &origin("desk2", 2, "b"), BEAT, 1_100)
        .unwrap();
    db.close_session(first.id, EndReason::Logout, 2_000, None, None)
        .unwrap();
    assert_eq!(db.session(second.id).unwrap().unwrap().logout_time, None);
}

#[test]
fn a_heartbeat_moves_last_seen_and_notices_an_end() {
    let (db, user) = db_with_user();
    let session = db
        .open_session(user, &origin("desk", 1, "b"), BEAT, 1_000)
        .unwrap();
    assert_eq!(db.beat(session.id, 6_000, 6_000).unwrap(), Beat::Alive);
    assert_eq!(db.session(session.id).unwrap().unwrap().last_seen, 6_000);
    db.close_session(
        session.id,
        EndReason::Forced,
        7_000,
        None,
        Some("fire drill"),
    )
    .unwrap();
    assert_eq!(
        db.beat(session.id, 11_000, 11_000).unwrap(),
        Beat::Ended(EndReason::Forced)
    );
}

#[test]
fn silent_sessions_are_lost_at_their_last_heartbeat() {
    let (db, user) = db_with_user();
    let quiet = db
        .open_session(user, &origin("far", 1, "b"), BEAT, 1_000)
        .unwrap();
    let alive = db
        .open_session(user, &origin("far", 2, "b"), BEAT, 1_000)
        .unwrap();
    db.beat(quiet.id, 4_000, 4_000).unwrap();
    db.beat(alive.id, 17_000, 17_000).unwrap();
    // 4 000 + 3 beats = 19 000: not yet lost at 19 000, lost after.
    assert_eq!(db.sweep_lost(19_000, &elsewhere()).unwrap(), 0);
    assert_eq!(db.sweep_lost(19_001, &elsewhere()).unwrap(), 1);
    let lost = db.session(quiet.id).unwrap().unwrap();
    assert_eq!(
        (lost.logout_time, lost.end_reason),
        (Some(4_000), Some(EndReason::Lost))
    );
    assert_eq!(db.session(alive.id).unwrap().unwrap().logout_time, None);
}

#[test]
fn the_terminals_own_end_replaces_a_lost_verdict_and_nothing_else_does() {
    let (db, user) = db_with_user();
    let session = db
        .open_session(user, &origin("far", 1, "b"), BEAT, 1_000)
        .unwrap();
    assert_eq!(db.sweep_lost(17_000, &elsewhere()).unwrap(), 1);
    assert_eq!(
        db.close_session(session.id, EndReason::Forced, 18_000, None, None)
            .unwrap(),
        Closed::Already(EndReason::Lost),
        "an admin's end of a lost session changes nothing"
    );
    assert_eq!(
        db.close_session(session.id, EndReason::Logout, 12_000, None, None)
            .unwrap(),
        Closed::Now
    );
    let stored = db.session(session.id).unwrap().unwrap();
    assert_eq!(
        (stored.logout_time, stored.end_reason),
        (Some(12_000), Some(EndReason::Logout))
    );
    assert_eq!(
        db.close_session(session.id, EndReason::Idle, 13_000, None, None)
            .unwrap(),
        Closed::Already(EndReason::Logout),
        "a real end is never replaced"
    );
    let totals: (Millis, Millis, i64) = {
        let row = db
            .query_row(
                "SELECT connected_ms, last_logout, open_sessions FROM users",
                params![],
            )
            .unwrap();
        (
            row.get(0).unwrap(),
            row.get(1).unwrap(),
            row.get(2).unwrap(),
        )
    };
    assert_eq!(totals, (11_000, 12_000, 0), "the account's totals follow");
}

#[test]
fn a_heartbeat_opens_again_a_session_taken_for_lost_and_its_totals_follow() {
    let (db, user) = db_with_user();
    let earlier = db
        .open_session(user, &origin("far", 1, "b"), BEAT, 1_000)
        .unwrap();
    db.close_session(earlier.id, EndReason::Logout, 2_000, None, None)
        .unwrap();
    let session = db
        .open_session(user, &origin("far", 1, "b"), BEAT, 3_000)
        .unwrap();
    // A sweeper whose clock runs 30 s ahead takes it for lost.
    assert_eq!(db.sweep_lost(3_000 + 30_000, &elsewhere()).unwrap(), 1);
    assert_eq!(db.beat(session.id, 8_000, 7_500).unwrap(), Beat::Alive);
    let stored = db.session(session.id).unwrap().unwrap();
    assert_eq!(
        (stored.logout_time, stored.end_reason, stored.last_seen),
        (None, None, 8_000)
    );
    let totals = db
        .query_row(
            "SELECT open_sessions, connected_ms, last_logout FROM users WHERE id = ?1",
            params![user],
        )
        .unwrap();
    assert_eq!(
        (
            totals.get::<i64>(0).unwrap(),
            totals.get::<Millis>(1).unwrap(),
            totals.get::<Option<Millis>>(2).unwrap()
        ),
        (1, 1_000, Some(2_000)),
        "as if it had never been closed"
    );
    // An end someone decided is not undone.
    db.close_session(session.id, EndReason::Forced, 9_000, None, None)
        .unwrap();
    assert_eq!(
        db.beat(session.id, 10_000, 10_000).unwrap(),
        Beat::Ended(EndReason::Forced)
    );
}

#[test]
fn silence_counts_from_when_the_database_was_writable_again() {
    let (db, user) = db_with_user();
    let session = db
        .open_session(user, &origin("far", 1, "b"), BEAT, 1_000)
        .unwrap();
    // The database was held elsewhere until 30 000: no terminal could beat.
    db.execute("UPDATE write_stalls SET ended_at = 30000", params![])
        .unwrap();
    assert_eq!(db.sweep_lost(30_000 + 3 * BEAT, &elsewhere()).unwrap(), 0);
    assert_eq!(db.session(session.id).unwrap().unwrap().logout_time, None);
    assert_eq!(db.sweep_lost(30_001 + 3 * BEAT, &elsewhere()).unwrap(), 1);
    assert_eq!(
        db.session(session.id).unwrap().unwrap().logout_time,
        Some(1_000),
        "still lost at its last heartbeat"
    );
}

#[test]
fn a_write_that_waited_for_a_held_lock_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (target, _server) = crate::db::testing::shared(dir.path());
    let mut db = Db::open(&target).unwrap();
    db.set_clock(std::sync::Arc::new(|| 50_000));
    db.set_patience(crate::db::Patience {
        busy_timeout: std::time::Duration::from_millis(10),
        attempts: 1,
    })
    .unwrap();
    db.create_users(&[new_user("clerk", Role::Archives)], false, 0)
        .unwrap();
    let user = db.user("clerk").unwrap().unwrap().id;
    let stall_end = |db: &Db| -> Millis {
        db.query_row("SELECT ended_at FROM write_stalls", params![])
            .unwrap()
            .get(0)
            .unwrap()
    };
    assert_eq!(stall_end(&db), 0, "no wait, nothing said");
    let held = crate::db::testing::hold_write_lock(&target);
    assert!(
        db.open_session(user, &origin("far", 1, "b"), BEAT, 1_000)
            .is_err()
    );
    held.release();
    db.open_session(user, &origin("far", 1, "b"), BEAT, 2_000)
        .unwrap();
    assert_eq!(stall_end(&db), 50_000);
}

#[test]
fn a_sweep_with_nothing_to_close_needs_no_write_lock() {
    let dir = tempfile::tempdir().unwrap();
    let (target, _server) = crate::db::testing::shared(dir.path());
    let db = Db::open(&target).unwrap();
    db.create_users(&[new_user("clerk", Role::Archives)], false, 0)
        .unwrap();
    let user = db.user("clerk").unwrap().unwrap().id;
    db.open_session(user, &origin("far", 1, "b"), BEAT, 1_000)
        .unwrap();
    let held = crate::db::testing::hold_write_lock(&target);
    // Had it written, it would have waited for the lock, then failed busy.
    assert_eq!(db.sweep_lost(2_000, &elsewhere()).unwrap(), 0);
    held.release();
}

#[test]
fn on_this_host_a_dead_process_or_an_earlier_boot_is_lost_at_once() {
    let (db, user) = db_with_user();
    let dead = db
        .open_session(user, &origin("desk", 111, "boot-2"), BEAT, 1_000)
        .unwrap();
    let running = db
        .open_session(user, &origin("desk", 222, "boot-2"), BEAT, 1_000)
        .unwrap();
    let before_boot = db
        .open_session(user, &origin("desk", 222, "boot-1"), BEAT, 500)
        .unwrap();
    let twin_machine = db
        .open_session(user, &origin("desk", 333, "boot-9"), BEAT, 1_500)
        .unwrap();
    let alive = |pid: u32, _: Option<i64>| pid != 111;
    let here = Here {
        host: "desk",
        machine_id: Some("machine-of-desk"),
        boot_id: Some("boot-2"),
        booted_at: Some(900),
        pid_ns: Some(HOST_PID_NS),
        pid_alive: &alive,
    };
    assert_eq!(db.sweep_lost(2_000, &here).unwrap(), 2);
    let end = |id| db.session(id).unwrap().unwrap().end_reason;
    assert_eq!(end(dead.id), Some(EndReason::Lost));
    assert_eq!(end(before_boot.id), Some(EndReason::Lost));
    assert_eq!(end(running.id), None);
    assert_eq!(end(twin_machine.id), None);
}

#[test]
fn two_machines_of_one_host_name_never_close_each_others_sessions() {
    let (db, user) = db_with_user();
    let mut theirs = origin("debian", 111, "boot-a");
    theirs.machine_id = Some("machine-a".into());
    let session = db.open_session(user, &theirs, BEAT, 1_000).unwrap();
    // The other "debian": no such process there, and it booted after the login.
    let nothing_runs = |_: u32, _: Option<i64>| false;
    let here = Here {
        host: "debian",
        machine_id: Some("machine-b"),
        boot_id: Some("boot-b"),
        booted_at: Some(1_500),
        pid_ns: Some(HOST_PID_NS),
        pid_alive: &nothing_runs,
    };
    // A session written before konekte kept machine-ids: the host name matches,
    // and proves nothing.
    let mut unmarked = origin("debian", 112, "boot-a");
    unmarked.machine_id = None;
    let old = db.open_session(user, &unmarked, BEAT, 1_000).unwrap();
    assert_eq!(db.sweep_lost(2_000, &here).unwrap(), 0);
    assert_eq!(db.session(session.id).unwrap().unwrap().logout_time, None);
    assert_eq!(db.session(old.id).unwrap().unwrap().logout_time, None);
    // Its heartbeats stopping is what ends it, as anywhere else.
    assert_eq!(db.sweep_lost(1_000 + 3 * BEAT + 1, &here).unwrap(), 2);
}

#[test]
fn a_pid_is_asked_only_in_the_pid_namespace_it_belongs_to() {
    let (db, user) = db_with_user();
    let mut in_container = origin("desk", 111, "boot-2");
    in_container.pid_ns = Some("pid:[4026532999]".into());
    let theirs = db.open_session(user, &in_container, BEAT, 1_000).unwrap();
    let mut unknown = origin("desk", 112, "boot-2");
    unknown.pid_ns = None;
    let unknown = db.open_session(user, &unknown, BEAT, 1_000).unwrap();
    // Pids 111 and 112 are not running in this namespace.
    let nothing_runs = |_: u32, _: Option<i64>| false;
    let here = Here {
        host: "desk",
        machine_id: Some("machine-of-desk"),
        boot_id: Some("boot-2"),
        booted_at: Some(900),
        pid_ns: Some(HOST_PID_NS),
        pid_alive: &nothing_runs,
    };
    assert_eq!(db.sweep_lost(2_000, &here).unwrap(), 0);
    for id in [theirs.id, unknown.id] {
        assert_eq!(db.session(id).unwrap().unwrap().logout_time, None);
    }
}

#[test]
fn an_open_written_twice_under_one_key_is_one_session() {
    let (db, user) = db_with_user();
    let session = Session {
        id: 0,
        user_id: Some(user),
        login_time: 1_000,
        last_seen: 1_000,
        logout_time: None,
        end_reason: None,
        origin: origin("desk", 1, "b"),
        system: None,
    };
    let first = db
        .write(|tx| insert_session(tx, &session, BEAT, "same-key", 0))
        .unwrap();
    let again = db
        .write(|tx| insert_session(tx, &session, BEAT, "same-key", 0))
        .unwrap();
    assert_eq!(first, again);
    let count: i64 = db
        .query_row("SELECT count(*) FROM sessions", params![])
        .unwrap()
        .get(0)
        .unwrap();
    assert_eq!(count, 1);
}

#[test]
fn an_ended_session_written_twice_under_one_key_counts_once() {
    let (db, user) = db_with_user();
    let session = Session {
        id: 0,
        user_id: Some(user),
        login_time: 1_000,
        last_seen: 4_000,
        logout_time: Some(4_000),
        end_reason: Some(EndReason::Logout),
        origin: origin("desk", 1, "b"),
        system: None,
    };
    for _ in 0..2 {
        db.write(|tx| insert_session(tx, &session, BEAT, "same-key", 0))
            .unwrap();
    }
    let totals = db.person_totals(None).unwrap();
    assert_eq!(
        totals
            .iter()
            .map(|t| (t.sessions, t.connected))
            .collect::<Vec<_>>(),
        [(1, 3_000)]
    );
}

#[test]
fn the_previous_login_is_the_one_before() {
    let (db, user) = db_with_user();
    assert!(db.previous_login(user, 0).unwrap().is_none());
    let first = db
        .open_session(user, &origin("desk", 1, "b"), BEAT, 1_000)
        .unwrap();
    db.close_session(first.id, EndReason::Logout, 2_000, None, None)
        .unwrap();
    let second = db
        .open_session(user, &origin("annex", 1, "b"), BEAT, 3_000)
        .unwrap();
    let previous = db.previous_login(user, second.id).unwrap().unwrap();
    assert_eq!((previous.at, previous.host.as_str()), (1_000, "desk"));
}

#[test]
fn session_keys_are_unique_and_long() {
    let (a, b) = (session_key(), session_key());
    assert_ne!(a, b);
    assert_eq!(a.len(), 32);
}

/// What can happen to the sessions, as the property test below draws it.
#[derive(Debug, Clone)]
enum Step {
    Login {
        user: usize,
    },
    Logout {
        nth_open: usize,
    },
    /// Closing one again: it keeps its first end.
    CloseAgain {
        nth: usize,
    },
    Silence,
    Prune,
}

fn step() -> impl proptest::strategy::Strategy<Value = Step> {
    use proptest::prelude::*;
    prop_oneof![
        4 => (0..3usize).prop_map(|user| Step::Login { user }),
        3 => (0..8usize).prop_map(|nth_open| Step::Logout { nth_open }),
        1 => (0..8usize).prop_map(|nth| Step::CloseAgain { nth }),
        1 => Just(Step::Silence),
        1 => Just(Step::Prune),
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config::with_cases(24))]

    /// Whatever happens, each account's kept totals (open sessions, sessions, time
    /// connected, last login and logout) are those of its sessions, pruned or not.
    #[test]
    fn the_accounts_totals_follow_their_sessions(
        steps in proptest::collection::vec(step(), 1..30)
    ) {
        let db = crate::db::testing::db();
        let users: Vec<_> = (0..3)
            .map(|i| new_user(&format!("user{i}"), Role::Archives))
            .collect();
        db.create_users(&users, false, 0).unwrap();
        let ids: Vec<i64> = (0..3)
            .map(|i| db.user(&format!("user{i}")).unwrap().unwrap().id)
            .collect();
        // Every session ever opened: its user, login and logout, as they should be.
        let mut model: Vec<(i64, i64, Millis, Option<Millis>)> = Vec::new();
        let mut pruned = std::collections::BTreeSet::new();
        let mut lost = std::collections::BTreeSet::new();
        let mut now = 1_000;
        for step in steps {
            now += 1_000;
            let open: Vec<usize> =
                (0..model.len()).filter(|&i| model[i].3.is_none()).collect();
            let closing = match step {
                Step::Login { user } => {
                    let session = db
                        .open_session(ids[user], &origin("desk", 1, "b"), BEAT, now)
                        .unwrap();
                    model.push((session.id, ids[user], now, None));
                    vec![]
                }
                Step::Logout { nth_open } => {
                    open.get(nth_open % open.len().max(1)).map(|&i| (i, now)).into_iter().collect()
                }
                Step::CloseAgain { nth } => {
                    let kept: Vec<usize> =
                        (0..model.len()).filter(|&i| !pruned.contains(&i)).collect();
                    kept.get(nth % kept.len().max(1)).map(|&i| (i, now)).into_iter().collect()
                }
                Step::Silence => {
                    now += 4 * BEAT;
                    db.sweep_lost(now, &elsewhere()).unwrap();
                    // Never a heartbeat: each ends at its login, its last sign.
                    open.iter().map(|&i| (i, model[i].2)).collect::<Vec<_>>()
                }
                Step::Prune => {
                    db.prune_before(now - 2_500, 10).unwrap();
                    let gone = |i: &usize| model[*i].3.is_some_and(|out| out < now - 2_500);
                    pruned.extend((0..model.len()).filter(gone));
                    vec![]
                }
            };
            for (i, at) in closing {
                let silence = matches!(step, Step::Silence);
                if !silence {
                    db.close_session(model[i].0, EndReason::Logout, at, None, None)
                        .unwrap();
                }
                // A logout replaces a lost verdict, and only that.
                if model[i].3.is_none() || (!silence && lost.contains(&i)) {
                    model[i].3 = Some(at);
                    if silence {
                        lost.insert(i);
                    } else {
                        lost.remove(&i);
                    }
                }
            }
        }
        for user in &ids {
            let mine: Vec<_> = model.iter().filter(|s| s.1 == *user).collect();
            let expected = (
                mine.iter().filter(|s| s.3.is_none()).count() as i64,
                mine.len() as i64,
                mine.iter().filter_map(|s| s.3.map(|out| out - s.2)).sum::<Millis>(),
                mine.iter().map(|s| s.2).max(),
                mine.iter().filter_map(|s| s.3).max(),
            );
            let row = db
                .query_row(
                    "SELECT open_sessions, sessions_count, connected_ms, last_login,
                            last_logout
                     FROM users WHERE id = ?1",
                    params![user],
                )
                .unwrap();
            let kept = (
                row.get::<i64>(0).unwrap(),
                row.get::<i64>(1).unwrap(),
                row.get::<Millis>(2).unwrap(),
                row.get::<Option<Millis>>(3).unwrap(),
                row.get::<Option<Millis>>(4).unwrap(),
            );
            proptest::prop_assert_eq!(kept, expected, "user {}", user);
        }
    }
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
        include_str!("../../../../schema.sql"),
        include_str!("../../../../schema.postgres.sql"),
        include_str!("../../backend/migrations/v4.sql"),
    ] {
        let unqualified = LONG_SESSION.replace("s.", "");
        assert!(index(schema).contains(&unqualified), "{}", index(schema));
    }
    assert!(LONG_SESSION.ends_with(&format!("> {LONG_SESSION_MS}")));
}

#[test]
fn an_end_moved_earlier_moves_the_accounts_last_logout_and_its_time() {
    let (db, user) = db_with_user();
    let session = db
        .open_session(user, &Origin::default(), 5_000, 1_000_000)
        .unwrap();
    db.close_session(session.id, EndReason::Idle, 9_000_000, None, None)
        .unwrap();
    let moved = crate::db::Correction::End {
        session: session.id,
        at: 4_000_000,
    };
    db.correct(moved, "left earlier").unwrap();
    let record = db
        .list_users(None, 10_000_000)
        .unwrap()
        .into_iter()
        .find(|r| r.summary.user.id == user)
        .unwrap();
    assert_eq!(record.summary.last_logout, Some(4_000_000));
    assert_eq!(record.connected, 3_000_000, "the time connected follows");
}
