//! `console watch`: each event once, as it happens, to stdout and to an `--exec` hook; a
//! watcher killed and restarted `--after` the last id it handled misses nothing and
//! repeats nothing.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::thread;
use std::time::{Duration, Instant};

use common::Office;
use common::pam::Holder;
use konekte::db::Db;
use konekte::db::testing::person;
use konekte::model::{EndReason, FailureState, Origin, Outcome, Role};

/// A watcher of the office, and its lines as they come.
struct Watcher {
    child: Child,
    lines: Receiver<String>,
}

impl Watcher {
    fn start(office: &Office, args: &[&str]) -> Watcher {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("console"))
            .arg("watch")
            .args(args)
            .env("CONSOLE_DB", &office.console_db)
            .env("TZ", "UTC")
            .stdout(Stdio::piped())
            .spawn()
            .expect("console watch");
        let stdout = child.stdout.take().expect("its stdout");
        let (sender, lines) = channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    return;
                }
            }
        });
        Watcher { child, lines }
    }

    /// The next event's JSON, waited for (at most long enough for a slow machine).
    fn next(&self) -> serde_json::Value {
        let line = self
            .lines
            .recv_timeout(Duration::from_secs(20))
            .expect("an event");
        serde_json::from_str(&line).expect("JSON")
    }

    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

#[test]
fn a_watcher_sees_each_event_once_and_resumes_after_the_last() {
    let office = Office::new();
    let db = Db::open(&office.target).unwrap();
    db.create_users(&[person("ann", Role::Secretaire)], false, 0)
        .unwrap();
    let hook = office.dir.path().join("hook.jsonl");
    let command = format!("cat >> '{}'", hook.display());
    let head = db.journal_head().unwrap().0.to_string();
    let args = ["--format", "json", "--after", &head, "--exec", &command];
    let watcher = Watcher::start(&office, &args);
    let ann = db.user("ann").unwrap().unwrap().id;
    let session = db
        .open_session(ann, &Origin::default(), 5_000, db.now())
        .unwrap();
    db.settle_attempt(
        "ann",
        Some(ann),
        &Origin::default(),
        db.now(),
        0,
        None,
        |_, _| (Outcome::BadPassword, FailureState::default()),
    )
    .unwrap();
    db.close_session(session.id, EndReason::Idle, db.now(), None, None)
        .unwrap();
    let login = watcher.next();
    assert_eq!(login["event"], "login");
    assert_eq!(login["user"], "ann");
    assert_eq!(login["session"], session.id);
    let failure = watcher.next();
    assert_eq!(failure["event"], "failure");
    assert_eq!(failure["what"], "bad_password");
    let logout = watcher.next();
    assert_eq!(logout["event"], "logout");
    assert_eq!(logout["what"], "idle");
    assert_eq!(logout["user"], "ann");
    let last = logout["id"].as_i64().unwrap();
    watcher.stop();

    // Meanwhile, while no watcher runs: an admin's action and another login.
    office
        .console(&["holiday", "add", "2026-12-25", "--name", "Noël"])
        .assert()
        .success();
    let again = db
        .open_session(ann, &Origin::default(), 5_000, db.now())
        .unwrap();
    let watcher = Watcher::start(&office, &["--format", "json", "--after", &last.to_string()]);
    let holiday = watcher.next();
    assert_eq!(holiday["event"], "admin");
    assert_eq!(holiday["what"], "holiday-add");
    assert_eq!(holiday["id"], last + 1);
    let login = watcher.next();
    assert_eq!(login["session"], again.id);
    assert!(
        watcher
            .lines
            .recv_timeout(Duration::from_millis(300))
            .is_err(),
        "nothing more, nothing twice"
    );
    watcher.stop();

    // The hook got each event of the first watcher once, as JSON on its stdin.
    let started = Instant::now();
    let hooked = loop {
        let text = std::fs::read_to_string(&hook).unwrap_or_default();
        if text.lines().count() >= 3 || started.elapsed() > Duration::from_secs(20) {
            break text;
        }
        thread::sleep(Duration::from_millis(20));
    };
    let events: Vec<String> = hooked
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap()["event"].to_string())
        .collect();
    assert_eq!(events, ["\"login\"", "\"failure\"", "\"logout\""]);
}

#[test]
fn exceptions_are_told_as_they_become_true_and_resumed_exactly() {
    let office = Office::new();
    let db = Db::open(&office.target).unwrap();
    db.create_users(&[person("ann", Role::Secretaire)], false, 0)
        .unwrap();
    let ann = db.user("ann").unwrap().unwrap().id;
    let at = |day: u32, hour: u32, minute: u32| {
        chrono::NaiveDate::from_ymd_opt(2026, 11, day)
            .and_then(|d| d.and_hms_opt(hour, minute, 0))
            .unwrap()
            .and_utc()
            .timestamp_millis()
    };
    let worked = |from: i64, to: i64| {
        let session = db
            .open_session(ann, &Origin::default(), 5_000, from)
            .unwrap();
        db.close_session(session.id, EndReason::Logout, to, None, None)
            .unwrap();
    };
    worked(at(16, 8, 25), at(16, 16, 0)); // Monday: in at 08:25
    // Tuesday: nobody. Wednesday: on until 17:00.
    worked(at(18, 7, 55), at(18, 17, 0));
    for args in [
        &[
            "schedule",
            "set",
            "--role",
            "secretaire",
            "--days",
            "mon-fri",
        ][..],
        &[
            "leave",
            "add",
            "ann",
            "--from",
            "2026-11-19",
            "--to",
            "2026-12-31",
        ],
    ] {
        let mut args = args.to_vec();
        if args[0] == "schedule" {
            args.extend(["--start", "08:00", "--end", "16:00", "--grace", "10m"]);
        } else {
            args.extend(["--reason", "away"]);
        }
        office.console(&args).assert().success();
    }
    let head = db.journal_head().unwrap().0;
    // From the Monday's midnight: what became true since, in the order it did.
    let from = format!("{head}:{}", at(16, 0, 0));
    let watcher = Watcher::start(&office, &["--format", "json", "--after", &from]);
    let told = |event: &serde_json::Value| {
        (
            event["event"].as_str().unwrap().to_string(),
            event["at"].as_str().unwrap().to_string(),
            event["user"].as_str().unwrap().to_string(),
        )
    };
    let first = watcher.next();
    assert_eq!(
        told(&first),
        ("late".into(), "2026-11-16T08:10:00Z".into(), "ann".into())
    );
    let second = watcher.next();
    assert_eq!(told(&second).0, "late", "Tuesday, nobody in at 08:10");
    assert_eq!(second["id"], head, "the last entry before it");
    let resume = second["resume"].as_str().unwrap().to_string();
    assert_eq!(resume, format!("{head}:{}", at(17, 8, 10)));
    watcher.stop();

    let watcher = Watcher::start(&office, &["--format", "json", "--after", &resume]);
    let absent = watcher.next();
    assert_eq!(
        told(&absent),
        ("absent".into(), "2026-11-17T16:00:00Z".into(), "ann".into())
    );
    assert_eq!(absent["detail"], "day=2026-11-17");
    let still_on = watcher.next();
    assert_eq!(
        told(&still_on),
        (
            "still_on".into(),
            "2026-11-18T16:10:00Z".into(),
            "ann".into()
        )
    );
    assert!(
        watcher
            .lines
            .recv_timeout(Duration::from_millis(1500))
            .is_err(),
        "on leave from Thursday: nothing more, nothing twice"
    );
    watcher.stop();
    office
        .console(&["watch", "--after", "yesterday"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("yesterday"));
}

#[test]
fn a_login_of_the_pc_itself_is_told_with_its_way_in_and_the_name_the_system_gave() {
    let office = Office::new();
    let db = Db::open(&office.target).unwrap();
    db.create_users(&[person("ann", Role::Secretaire)], false, 0)
        .unwrap();
    // From the head as it is: a watcher still starting misses nothing.
    let head = db.journal_head().unwrap().0.to_string();
    let watcher = Watcher::start(&office, &["--format", "json", "--after", &head]);
    // As pam_exec runs it: open, then close, from the process that holds the login.
    Holder::open(&office, "visitor", "sshd").log_out(&office);
    let login = watcher.next();
    assert_eq!(login["event"], "login");
    assert_eq!(login["user"], "visitor");
    assert_eq!(login["what"], "ssh");
    let logout = watcher.next();
    assert_eq!(logout["event"], "logout");
    assert_eq!(logout["user"], "visitor");
    assert_eq!(logout["what"], "logout");
    watcher.stop();
}

#[test]
fn an_import_is_one_event_not_each_old_login() {
    let office = Office::with_sample_users();
    let db = Db::open(&office.target).unwrap();
    let head = db.journal_head().unwrap().0.to_string();
    let watcher = Watcher::start(&office, &["--format", "json", "--after", &head]);
    let dump = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/django-dumpdata.json"
    );
    office
        .console(&["import", "--django", dump])
        .assert()
        .success();
    // Then a login of today, which must be the next event after the import's.
    let ann = db.user("Hantz123").unwrap().unwrap().id;
    db.open_session(ann, &Origin::default(), 5_000, db.now())
        .unwrap();
    let import = watcher.next();
    assert_eq!(
        (&import["event"], &import["what"]),
        (&"admin".into(), &"import".into())
    );
    assert!(
        import["detail"].as_str().unwrap().contains("sessions=6"),
        "{import}"
    );
    let login = watcher.next();
    assert_eq!(
        (&login["event"], &login["user"]),
        (&"login".into(), &"Hantz123".into())
    );
    watcher.stop();
}
