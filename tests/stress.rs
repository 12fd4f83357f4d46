//! Many terminals, one database: 32 writers, each with its own connection, log in and
//! out 100 times at once, while readers sweep. No error surfaces and nothing is lost:
//! every session closed once, and the journal one unbroken line that records them all.
//! On the backend of the suite (a SQLite file, or a PostgreSQL database).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use konekte::clock::now_ms;
use konekte::db::testing;
use konekte::db::{Closed, Db, Range};
use konekte::model::{EndReason, NewUser, Origin, Role};

const WRITERS: usize = 32;
const CYCLES: usize = 100;

#[test]
fn thirty_two_terminals_times_a_hundred_logins_are_all_kept() {
    let dir = tempfile::tempdir().unwrap();
    let (target, _postgres) = testing::shared(dir.path());
    let users: Vec<NewUser> = (0..WRITERS)
        .map(|i| NewUser {
            username: format!("clerk{i:03}"),
            full_name: String::new(),
            role: Role::Archives,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA".into(),
            must_change_password: false,
        })
        .collect();
    Db::open(&target)
        .unwrap()
        .create_users(&users, false, 0)
        .unwrap();

    let writing = Arc::new(AtomicBool::new(true));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (target, writing) = (target.clone(), Arc::clone(&writing));
            std::thread::spawn(move || {
                let db = Db::open(&target).unwrap();
                let here = konekte::db::testing::elsewhere();
                while writing.load(Ordering::Relaxed) {
                    db.sweep_lost(now_ms(), &here).unwrap();
                    db.list_users(None, now_ms()).unwrap();
                }
            })
        })
        .collect();

    let writers: Vec<_> = (0..WRITERS)
        .map(|terminal| {
            let target = target.clone();
            std::thread::spawn(move || {
                let db = Db::open(&target).unwrap();
                let user = db.user(&format!("clerk{terminal:03}")).unwrap().unwrap();
                let origin = Origin {
                    host: format!("desk{terminal}"),
                    pid: 1,
                    ..Origin::default()
                };
                for _ in 0..CYCLES {
                    let session = db.open_session(user.id, &origin, 5_000, now_ms()).unwrap();
                    db.beat(session.id, now_ms(), now_ms()).unwrap();
                    let closed = db
                        .close_session(session.id, EndReason::Logout, now_ms(), None, None)
                        .unwrap();
                    assert_eq!(closed, Closed::Now);
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().expect("a writer failed");
    }
    writing.store(false, Ordering::Relaxed);
    for reader in readers {
        reader.join().expect("a reader failed");
    }

    let db = Db::open(&target).unwrap();
    let sessions = db.sessions_in(&Range::default(), None).unwrap();
    assert_eq!(sessions.len(), WRITERS * CYCLES);
    assert!(
        sessions
            .iter()
            .all(|s| s.end_reason == Some(EndReason::Logout) && s.logout_time.is_some())
    );
    let counted: i64 = db
        .list_users(None, now_ms())
        .unwrap()
        .iter()
        .map(|u| u.sessions)
        .sum();
    assert_eq!(
        counted,
        (WRITERS * CYCLES) as i64,
        "each account counted each"
    );
    let verdict = db.verify(Vec::new()).unwrap();
    assert_eq!(
        verdict.findings,
        vec![],
        "the chain intact, every row in it"
    );
    // The genesis, each account made, and each session opened then ended.
    let expected = 1 + WRITERS + WRITERS * CYCLES * 2;
    assert_eq!(verdict.entries, expected as i64, "one line, no entry lost");
}
