//! What only PostgreSQL has: many hosts writing at once, a server that drops
//! connections, a server that cannot be reached. Each case runs on a database of its
//! own on the server of KONEKTE_TEST_POSTGRES (or the PG* variables); without one it
//! says it was skipped, except under CI or on `KONEKTE_TEST_BACKEND=postgres`.

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use konekte::auth::{self, LockPolicy, LoginRequest, Refusal};
use konekte::db::testing::{PgDatabase, person, postgres_server};
use konekte::db::{Db, PgTarget, Target, Watch};
use konekte::model::{Origin, Role};
use predicates::prelude::*;

fn database(what: &str) -> Option<(PgDatabase, Target)> {
    let server = postgres_server(what)?;
    let database = PgDatabase::new(&server);
    let target = Target::Postgres(Box::new(database.target.clone()));
    Some((database, target))
}

fn count(target: &Target, sql: &str) -> i64 {
    let Target::Postgres(pg) = target else {
        unreachable!()
    };
    pg.connect().unwrap().query_one(sql, &[]).unwrap().get(0)
}

#[test]
fn listen_survives_the_server_killing_the_connection() {
    let Some((_database, target)) = database("LISTEN survives a killed connection") else {
        return;
    };
    let db = Db::open(&target).unwrap();
    let mut watch = Watch::open(&target).unwrap();
    assert!(!watch.wait(Duration::from_millis(50)).unwrap());
    // The server ends the watcher's backend, as an admin or a restart would.
    let killed = count(
        &target,
        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND query LIKE 'LISTEN%') AS killed",
    );
    assert_eq!(killed, 1);
    // Told of the drop (as an error or a change), then listening again, it hears the next
    // change.
    let mut heard_after_the_drop = false;
    for _ in 0..100 {
        if watch.wait(Duration::from_millis(100)).is_ok() {
            heard_after_the_drop = true;
            break;
        }
    }
    assert!(heard_after_the_drop, "the watch never came back");
    db.create_users(&[person("fresh", Role::Archives)], false, 0)
        .unwrap();
    let mut heard = false;
    for _ in 0..50 {
        if watch.wait(Duration::from_millis(200)).unwrap_or(false) {
            heard = true;
            break;
        }
    }
    assert!(heard, "the change after the drop was not heard");
}

#[test]
fn two_first_starts_on_an_empty_database_make_one_schema() {
    let Some((_database, target)) = database("two first starts race") else {
        return;
    };
    let start = Arc::new(Barrier::new(2));
    let opened: Vec<_> = (0..2)
        .map(|_| {
            let (target, start) = (target.clone(), Arc::clone(&start));
            thread::spawn(move || {
                start.wait();
                Db::open(&target).map(|_| ())
            })
        })
        .collect();
    for open in opened {
        open.join().unwrap().expect("both open the database");
    }
    assert_eq!(count(&target, "SELECT count(*) FROM konekte_schema"), 1);
    assert_eq!(
        count(&target, "SELECT max(version) FROM konekte_schema"),
        konekte::db::LATEST_VERSION
    );
}

#[test]
fn eight_terminals_failing_one_unknown_name_at_once_are_each_counted() {
    let Some((_database, target)) = database("8 failures of one name at once") else {
        return;
    };
    Db::open(&target).unwrap();
    let start = Arc::new(Barrier::new(8));
    let tries: Vec<_> = (0..8)
        .map(|_| {
            let (target, start) = (target.clone(), Arc::clone(&start));
            thread::spawn(move || {
                let db = Db::open(&target).unwrap();
                let request = LoginRequest {
                    username: "Ghost",
                    password: "guess-guess",
                    admin_only: false,
                };
                start.wait();
                auth::authenticate(
                    &db,
                    &request,
                    &Origin::default(),
                    &LockPolicy::default(),
                    1_000,
                )
                .unwrap()
            })
        })
        .collect();
    let refusals: Vec<Refusal> = tries
        .into_iter()
        .map(|t| t.join().unwrap().unwrap_err())
        .collect();
    assert_eq!(count(&target, "SELECT count(*) FROM login_attempts"), 8);
    assert_eq!(
        count(
            &target,
            "SELECT count(*) FROM login_attempts WHERE outcome = 'unknown_user'"
        ),
        5,
        "the fifth failure locks the name"
    );
    assert_eq!(
        count(
            &target,
            "SELECT count(*) FROM login_attempts WHERE outcome = 'locked'"
        ),
        3
    );
    let locked = refusals
        .iter()
        .filter(|r| matches!(r, Refusal::Locked { .. }))
        .count();
    assert_eq!(locked, 4, "the fifth and the three after it say locked");
}

#[test]
fn two_admins_disabling_each_other_at_once_leave_one() {
    let Some((_database, target)) = database("two admins disable each other") else {
        return;
    };
    Db::open(&target)
        .unwrap()
        .create_users(
            &[person("ann", Role::Admin), person("bob", Role::Admin)],
            false,
            0,
        )
        .unwrap();
    let start = Arc::new(Barrier::new(2));
    let admins: Vec<_> = ["bob", "ann"]
        .into_iter()
        .map(|other| {
            let (target, start) = (target.clone(), Arc::clone(&start));
            thread::spawn(move || {
                let db = Db::open(&target).unwrap();
                start.wait();
                db.set_disabled(other, true, "root").is_ok()
            })
        })
        .collect();
    let results: Vec<bool> = admins.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(
        results.iter().filter(|done| **done).count(),
        1,
        "{results:?}"
    );
    assert_eq!(
        count(
            &target,
            "SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled"
        ),
        1
    );
}

/// Forwards a PostgreSQL connection, and drops it once, just after the first COMMIT
/// it carries reaches the server: the commit is made, its answer never comes back.
struct CommitCutter {
    port: u16,
}

impl CommitCutter {
    fn start(server: &PgTarget) -> CommitCutter {
        let (host, port) = server_address(server);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let local = listener.local_addr().unwrap().port();
        let armed = Arc::new(AtomicBool::new(true));
        thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                let Ok(upstream) = TcpStream::connect((host.as_str(), port)) else {
                    return;
                };
                let armed = Arc::clone(&armed);
                let (client_in, upstream_out) =
                    (client.try_clone().unwrap(), upstream.try_clone().unwrap());
                thread::spawn(move || pipe(upstream, client, None));
                thread::spawn(move || pipe(client_in, upstream_out, Some(armed)));
            }
        });
        CommitCutter { port: local }
    }
}

/// Copies `from` to `to`; with `cut` armed, shuts both down after forwarding a COMMIT.
fn pipe(mut from: TcpStream, mut to: TcpStream, cut: Option<Arc<AtomicBool>>) {
    let mut buffer = [0u8; 16 * 1024];
    loop {
        let Ok(read) = from.read(&mut buffer) else {
            return;
        };
        if read == 0 || to.write_all(&buffer[..read]).is_err() {
            let _ = to.shutdown(Shutdown::Both);
            return;
        }
        let commit = buffer[..read].windows(6).any(|w| w == b"COMMIT");
        if commit
            && cut
                .as_ref()
                .is_some_and(|armed| armed.swap(false, Ordering::SeqCst))
        {
            // Long enough for the server to commit, never for its answer to pass.
            thread::sleep(Duration::from_millis(300));
            let _ = from.shutdown(Shutdown::Both);
            let _ = to.shutdown(Shutdown::Both);
            return;
        }
    }
}

/// Where `server` listens on TCP (the tests' server is on one).
fn server_address(server: &PgTarget) -> (String, u16) {
    let described = server.describe();
    let address = described
        .split('@')
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap();
    let (host, port) = address.rsplit_once(':').unwrap();
    let host = if host.starts_with('/') {
        "127.0.0.1"
    } else {
        host
    };
    (host.to_string(), port.parse().unwrap())
}

#[test]
fn a_commit_whose_answer_is_lost_is_retried_without_a_duplicate() {
    let Some((database, target)) = database("an interrupted commit is retried") else {
        return;
    };
    let db = Db::open(&target).unwrap();
    db.create_users(&[person("clerk", Role::Archives)], false, 0)
        .unwrap();
    let clerk = db.user("clerk").unwrap().unwrap().id;
    let cutter = CommitCutter::start(&database.target);
    let through = Target::Postgres(Box::new(database.target.through("127.0.0.1", cutter.port)));
    let cut_db = Db::open(&through).unwrap();
    let session = cut_db
        .open_session(clerk, &Origin::default(), 5_000, 1_000)
        .expect("written, once, whatever the connection did");
    assert_eq!(count(&target, "SELECT count(*) FROM sessions"), 1);
    assert_eq!(db.session(session.id).unwrap().unwrap().login_time, 1_000);
}

#[test]
fn a_server_that_cannot_be_reached_is_exit_74_naming_it_never_the_password() {
    let office = common::Office::new();
    office
        .console(&["who"])
        .env(
            "CONSOLE_DB",
            "postgres://desk:s3cret-pw@127.0.0.1:1/office?connect_timeout=2",
        )
        .assert()
        .code(74)
        .stderr(predicate::str::contains("desk@127.0.0.1:1/office"))
        .stderr(predicate::str::contains("s3cret-pw").not());
}

#[test]
fn a_password_in_a_url_on_the_command_line_is_refused() {
    let office = common::Office::new();
    office
        .console(&["--db", "postgres://desk:s3cret-pw@127.0.0.1/office", "who"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("~/.pgpass"))
        .stderr(predicate::str::contains("s3cret-pw").not());
}

#[test]
fn another_programs_database_and_an_empty_one_are_not_touched_by_readers() {
    let Some((database, target)) = database("foreign and empty databases") else {
        return;
    };
    let url = database.url();
    let office = common::Office::new();
    office
        .console(&["who"])
        .env("CONSOLE_DB", &url)
        .assert()
        .code(66)
        .stderr(predicate::str::contains("no konekte database here"));
    assert_eq!(
        count(
            &target,
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ),
        0,
        "a reader created nothing"
    );
    let Target::Postgres(pg) = &target else {
        unreachable!()
    };
    pg.connect()
        .unwrap()
        .batch_execute("CREATE TABLE invoices (id BIGINT)")
        .unwrap();
    office
        .console(&["add-users", "--role", "admin", "--count", "1"])
        .env("CONSOLE_DB", &url)
        .assert()
        .code(74)
        .stderr(predicate::str::contains("holds other tables"));
    assert_eq!(
        count(
            &target,
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ),
        1
    );
}

#[test]
fn the_demo_refuses_a_database_that_holds_users() {
    let Some((database, target)) = database("the demo on PostgreSQL") else {
        return;
    };
    Db::open(&target)
        .unwrap()
        .create_users(&[person("boss", Role::Admin)], false, 0)
        .unwrap();
    common::Office::new()
        .console(&["demo", "--db", &database.url()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("only on an empty database"));
}

#[test]
fn an_office_moves_from_its_sqlite_file_to_a_server_with_every_id() {
    let Some((database, target)) = database("console copy into PostgreSQL") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("office.db");
    let file_text = file.display().to_string();
    let on_file = |args: &[&str]| {
        let mut cmd = assert_cmd::Command::cargo_bin("console").unwrap();
        cmd.args(args)
            .env("CONSOLE_DB", &file_text)
            .env("NO_COLOR", "1");
        cmd
    };
    on_file(&["add-users", "--file", common::SAMPLE_CSV])
        .assert()
        .success();
    let file_db = Db::open(&Target::Sqlite(file.clone())).unwrap();
    let clerk = file_db.user("Hantz123").unwrap().unwrap().id;
    let session = file_db
        .open_session(clerk, &Origin::default(), 5_000, 1_000)
        .unwrap();
    on_file(&["copy", "--to", &database.url()])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "copied 16 users, 1 session and 0 login attempts",
        ));
    let server_db = Db::open(&target).unwrap();
    assert_eq!(
        server_db.session(session.id).unwrap().unwrap().user_id,
        Some(clerk)
    );
    let csv = |args: &[&str]| String::from_utf8(on_file(args).output().unwrap().stdout).unwrap();
    let mut server_listing = assert_cmd::Command::cargo_bin("console").unwrap();
    server_listing
        .args(["users", "list", "--format", "csv"])
        .env("CONSOLE_DB", database.url());
    assert_eq!(
        String::from_utf8(server_listing.output().unwrap().stdout).unwrap(),
        csv(&["users", "list", "--format", "csv"])
    );
    // The journal came along: the server's record verifies, the same chain, and the
    // copy its next entry.
    let (file_head, file_hash) = file_db.journal_head().unwrap();
    assert_eq!(server_db.journal_head().unwrap().0, file_head + 1);
    assert_eq!(
        count(
            &target,
            &format!(
                "SELECT count(*) FROM journal WHERE kind = 'copied' AND id = {}
                 AND prev_hash = '{file_hash}'",
                file_head + 1
            )
        ),
        1
    );
    let mut verify = assert_cmd::Command::cargo_bin("console").unwrap();
    verify.arg("verify").env("CONSOLE_DB", database.url());
    verify
        .assert()
        .success()
        .stdout(predicate::str::starts_with("journal intact"));
    // Again: the server holds users now; nothing is copied twice.
    on_file(&["copy", "--to", &database.url()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already holds users"));
}
