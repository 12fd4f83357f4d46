//! The journal as evidence: an office with every kind of fact verifies clean with
//! `console verify` and with the independent Python verifier; each way of rewriting
//! the record by hand is found; a database from before the journal says what it cannot
//! prove. On the backend of the suite (the Python verifier reads SQLite files only).

mod common;

use common::Office;
use konekte::db::{Correction, Db, Whose};
use konekte::model::{EndReason, FailureState, NewUser, Origin, Outcome, Role, SystemLogin};
use predicates::prelude::*;

const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA";
const HOUR: i64 = 3_600_000;

fn user(name: &str, role: Role) -> NewUser {
    NewUser {
        username: name.into(),
        full_name: format!("{name} Full"),
        role,
        password_hash: HASH.into(),
        must_change_password: false,
    }
}

fn desk() -> Origin {
    Origin {
        host: "accueil".into(),
        tty: Some("/dev/tty1".into()),
        pid: 1,
        ..Origin::default()
    }
}

/// An attempt settled as `outcome`, as a terminal settles it.
fn attempt(db: &Db, typed: &str, user_id: Option<i64>, outcome: Outcome, at: i64) {
    db.settle_attempt(typed, user_id, &desk(), at, at, None, |_, _| {
        (outcome, FailureState::default())
    })
    .expect("an attempt");
}

/// An office that has written every kind of fact: accounts created and changed in
/// every way, attempts of each outcome, sessions ended by logout, by an admin, from
/// the shell, by a disabled account, lost and reopened, one still open, corrections,
/// and a prune that removes the entries written two days ago (the accounts' and the
/// first attempt's), carrying what they said past an anchor.
fn office_of_every_fact() -> Office {
    let office = Office::new();
    let mut db = Db::open(&office.target).expect("a new database");
    let now = db.now();
    let t0 = now - 48 * HOUR;
    db.create_users(
        &[
            user("ann", Role::Admin),
            user("bob", Role::Secretaire),
            user("cid", Role::Archives),
            user("dee", Role::Directeur),
        ],
        false,
        t0,
    )
    .expect("the accounts");
    attendance_of_two_days_ago(&mut db, t0);
    let id = |name: &str| db.user(name).unwrap().unwrap().id;
    attempt(&db, "ann", Some(id("ann")), Outcome::Success, t0);
    attempt(
        &db,
        "BOB",
        Some(id("bob")),
        Outcome::BadPassword,
        now - 5 * HOUR,
    );
    attempt(&db, "ghost", None, Outcome::UnknownUser, now - 4 * HOUR);

    let old = db.open_session(id("bob"), &desk(), 5_000, t0).unwrap();
    db.close_session(old.id, EndReason::Logout, t0 + HOUR, None, None)
        .unwrap();
    let forced = db
        .open_session(id("cid"), &desk(), 5_000, now - 3 * HOUR)
        .unwrap();
    db.close_session(
        forced.id,
        EndReason::Forced,
        now - 2 * HOUR,
        Some(id("ann")),
        Some("fire drill"),
    )
    .unwrap();
    let shell = db
        .open_session(id("dee"), &desk(), 5_000, now - 3 * HOUR)
        .unwrap();
    db.end_from_shell(shell.id, now - 2 * HOUR, "root", Some("gone home"))
        .unwrap();
    let lost = db
        .open_session(id("dee"), &desk(), 5_000, now - HOUR)
        .unwrap();
    assert_eq!(
        db.sweep_lost(now, &konekte::db::testing::elsewhere())
            .unwrap(),
        1,
        "taken for lost"
    );
    db.beat(lost.id, now, now).unwrap();
    let disabled = db.open_session(id("bob"), &desk(), 5_000, now).unwrap();
    db.set_disabled("bob", true, "root").unwrap();
    db.set_disabled("bob", false, "root").unwrap();
    db.set_role("cid", Role::Directeur).unwrap();
    db.unlock("bob", now).unwrap();
    db.set_password(
        "dee",
        "$argon2id$v=19$m=19456,t=2,p=1$b3RoZXJzYWx0$b3RoZXI",
        true,
    )
    .unwrap();
    // Corrections: an end moved, a session added from paper, one voided.
    let moved = Correction::End {
        session: forced.id,
        at: now - 150 * 60_000,
    };
    db.correct(moved, "left at 14:30, said so").unwrap();
    let added = Correction::Add {
        user_id: id("cid"),
        start: now - 30 * HOUR,
        end: now - 29 * HOUR,
    };
    db.correct(added, "paper register, page 12").unwrap();
    let void = Correction::Void { session: shell.id };
    db.correct(void, "a test login").unwrap();
    db.open_session(id("ann"), &desk(), 5_000, now).unwrap();
    // The PC's own logins: an account's over SSH, and a name with no account.
    let pc = Origin {
        host: "accueil".into(),
        machine_id: Some("pc-1".into()),
        boot_id: Some("boot-1".into()),
        pid: 77,
        ..Origin::default()
    };
    for (user_id, service, name) in [(Some(id("ann")), "sshd", "ANN"), (None, "login", "visitor")] {
        let login = SystemLogin {
            service: service.into(),
            name: name.into(),
        };
        db.open_system_session(user_id, &login, &pc, now - 40 * 60_000)
            .unwrap();
        db.end_system_session(&login, &pc, now - 10 * 60_000)
            .unwrap();
    }
    assert!(
        db.session(disabled.id)
            .unwrap()
            .unwrap()
            .logout_time
            .is_some()
    );
    db.prune_before(t0 + 2 * HOUR, 10).unwrap();
    // After the prune: a person's schedule, and a holiday of two days ago taken back.
    let week = konekte::schedule::parse_days("mon-fri").unwrap();
    db.set_schedule(
        &Whose::User("dee"),
        None,
        week,
        span("09:00", "17:00", 0),
        false,
    )
    .unwrap();
    // A month closed, then opened again.
    let september = chrono::NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
    db.close_month(september, None).unwrap();
    db.reopen_month(september, "a correction to make").unwrap();
    db.remove_holiday(chrono::NaiveDate::from_ymd_opt(2026, 11, 18).unwrap())
        .unwrap();
    office
}

/// Expected hours, two holidays and a leave, written two days ago: the prune carries
/// them past its anchor.
fn attendance_of_two_days_ago(db: &mut Db, t0: i64) {
    db.set_clock(std::sync::Arc::new(move || t0));
    let week = konekte::schedule::parse_days("mon-fri").unwrap();
    let role = Whose::Role(Role::Secretaire);
    db.set_schedule(&role, None, week, span("08:00", "12:00", 10), false)
        .unwrap();
    db.set_schedule(&role, None, week, span("13:00", "16:00", 10), true)
        .unwrap();
    let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
    db.add_holiday(day(18), "Vertières").unwrap();
    db.add_holiday(day(1), "Toussaint").unwrap();
    db.add_leave("bob", day(23), day(27), "training").unwrap();
    let october = chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
    db.close_month(october, Some("signed by the director"))
        .unwrap();
    db.set_clock(std::sync::Arc::new(konekte::clock::now_ms));
}

fn span(start: &str, end: &str, grace: u16) -> konekte::schedule::Span {
    let clock = |text| konekte::schedule::parse_clock(text).unwrap();
    konekte::schedule::Span {
        start: clock(start),
        end: clock(end),
        grace,
    }
}

/// `console verify` on the office: its code and its output (stdout, then stderr).
fn verify(office: &Office) -> (i32, String) {
    let output = office.console(&["verify"]).output().expect("verify runs");
    let code = output.status.code().expect("an exit code");
    let said = String::from_utf8_lossy(&output.stdout) + String::from_utf8_lossy(&output.stderr);
    (code, said.into_owned())
}

/// The Python verifier's exit code and output, on a SQLite office.
fn python_verify(office: &Office) -> Option<(i32, String)> {
    if office.is_postgres() {
        return None;
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/verify-journal");
    let output = std::process::Command::new("python3")
        .arg(script)
        .arg(&office.db)
        .output()
        .expect("python3 runs");
    let code = output.status.code().expect("an exit code");
    Some((code, String::from_utf8_lossy(&output.stdout).into_owned()))
}

#[test]
fn an_office_of_every_fact_verifies_clean_in_rust_and_in_python() {
    let office = office_of_every_fact();
    let (code, said) = verify(&office);
    assert_eq!(code, 0, "{said}");
    assert!(said.starts_with("journal intact: "), "{said}");
    assert!(said.contains("pruned, as the journal records"), "{said}");
    let kinds = office.sql_text(
        "SELECT string_agg(kind, ',') FROM (SELECT DISTINCT kind FROM journal ORDER BY kind) k",
    );
    assert_eq!(
        kinds,
        "account.carried,account.changed,anchor,attempt,holiday.added,holiday.removed,\
         leave.added,month.closed,month.reopened,pruned,schedule.set,session.added,\
         session.corrected,session.ended,session.opened,session.reopened,session.voided"
    );
    if let Some((code, python)) = python_verify(&office) {
        assert_eq!(code, 0, "{python}");
        let head = office.sql_text("SELECT hash FROM journal_head");
        assert!(python.trim_end().ends_with(&head), "{python} vs {head}");
    }
}

/// The office tampered with by `sql`: `console verify` finds it (exit 1, `expected` in
/// its findings), and so does the Python verifier.
fn tampered_is_found(sql: &str, expected: &str) {
    let office = office_of_every_fact();
    office.sql(sql);
    let (code, said) = verify(&office);
    assert_eq!(code, 1, "{sql}: {said}");
    assert!(said.contains(expected), "{sql}: {said}");
    if let Some((code, python)) = python_verify(&office) {
        assert_eq!(code, 1, "python, {sql}: {python}");
    }
}

#[test]
fn a_logout_time_moved_is_found() {
    tampered_is_found(
        "UPDATE sessions SET logout_time = logout_time + 3600000 WHERE end_reason = 'forced'
           AND end_note = 'fire drill'",
        "logout_time differs from the journal",
    );
}

#[test]
fn an_end_reason_changed_is_found() {
    tampered_is_found(
        "UPDATE sessions SET end_reason = 'logout' WHERE end_note = 'gone home'",
        "end_reason differs from the journal (forced recorded, logout now)",
    );
}

#[test]
fn a_session_deleted_is_found() {
    tampered_is_found(
        "DELETE FROM sessions WHERE end_note = 'fire drill'",
        "in the journal, missing from its table",
    );
}

#[test]
fn a_forged_session_is_found() {
    tampered_is_found(
        "INSERT INTO sessions (id, user_id, session_key, host, login_time, last_seen,
                               logout_time, end_reason)
         VALUES (900, 2, 'forged', 'accueil', 1000, 1000, 2000, 'logout')",
        "session 900: not in the journal",
    );
}

#[test]
fn a_way_in_changed_is_found() {
    tampered_is_found(
        "UPDATE sessions SET service = 'gdm-password' WHERE service = 'sshd'",
        "service differs from the journal",
    );
}

#[test]
fn a_login_of_no_account_given_to_one_is_found() {
    tampered_is_found(
        "UPDATE sessions SET user_id = (SELECT id FROM users WHERE username = 'bob')
         WHERE login_name = 'visitor'",
        "user_id differs from the journal",
    );
}

#[test]
fn an_attempt_deleted_is_found() {
    tampered_is_found(
        "DELETE FROM login_attempts WHERE username_typed = 'ghost'",
        "in the journal, missing from its table",
    );
}

#[test]
fn a_role_raised_by_hand_is_found() {
    tampered_is_found(
        "UPDATE users SET role = 'admin' WHERE username = 'bob'",
        "role differs from the journal (secretaire recorded, admin now)",
    );
}

#[test]
fn an_entry_rewritten_to_match_is_found_by_its_hash() {
    tampered_is_found(
        "UPDATE users SET role = 'admin' WHERE username = 'bob';
         UPDATE journal SET body = replace(body, '\"secretaire\"', '\"admin\"')
          WHERE kind = 'account.carried' AND body LIKE '%\"bob\"%'",
        "its hash does not match its contents",
    );
}

#[test]
fn expected_hours_changed_by_hand_are_found() {
    // The secretaries' morning moved an hour later: carried past the prune, still proved.
    tampered_is_found(
        "UPDATE schedules SET week = replace(week, '\"08:00\"', '\"09:00\"')
         WHERE role = 'secretaire'",
        "week differs from the journal (mon-fri 08:00-12:00+10m, mon-fri 13:00-16:00+10m \
         recorded, mon-fri 09:00-12:00+10m, mon-fri 13:00-16:00+10m now)",
    );
}

#[test]
fn a_holiday_deleted_or_a_leave_forged_is_found() {
    tampered_is_found(
        "DELETE FROM holidays WHERE name = 'Toussaint'",
        "in the journal, missing from its table",
    );
    tampered_is_found(
        "INSERT INTO leaves (user_id, from_day, to_day, reason)
         SELECT id, '2026-11-02', '2026-11-06', 'forged' FROM users WHERE username = 'cid'",
        "not in the journal",
    );
}

#[test]
fn entries_cut_from_the_end_are_found() {
    tampered_is_found(
        "DELETE FROM journal WHERE id = (SELECT max(id) FROM journal)",
        "entries were cut from its end",
    );
}

#[test]
fn a_database_from_before_the_journal_says_what_it_cannot_prove() {
    let office = Office::new();
    {
        let db = Db::open(&office.target).unwrap();
        db.create_users(&[user("ann", Role::Admin)], false, 0)
            .unwrap();
    }
    // As a database of version 6 was: no journal, the rows written before it.
    let version = if office.is_postgres() {
        // Without the functions of version 8 either.
        "UPDATE konekte_schema SET version = 6;
         DO $$ DECLARE f REGPROCEDURE; BEGIN
           FOR f IN SELECT oid::REGPROCEDURE FROM pg_proc
                    WHERE pronamespace = current_schema()::REGNAMESPACE
                      AND prorettype <> 'trigger'::REGTYPE AND proname LIKE 'konekte\\_%'
           LOOP EXECUTE 'DROP FUNCTION ' || f; END LOOP;
         END $$"
    } else {
        "PRAGMA user_version = 6"
    };
    // Nor the totals of version 10, which read the columns of version 7.
    let totals = if office.is_postgres() {
        "DROP TRIGGER sessions_totals ON sessions; DROP FUNCTION konekte_session_totals();"
    } else {
        "DROP TRIGGER totals_added; DROP TRIGGER totals_changed; DROP TRIGGER totals_removed;"
    };
    office.sql(&format!(
        "{totals} DROP TABLE user_totals;
         DROP TABLE journal; DROP TABLE journal_head;
         DROP TABLE schedules; DROP TABLE holidays; DROP TABLE leaves; DROP TABLE closed_months;
         ALTER TABLE sessions DROP COLUMN correction;
         ALTER TABLE sessions DROP COLUMN correction_note;
         DROP INDEX sessions_unknown;
         ALTER TABLE sessions DROP COLUMN service;
         ALTER TABLE sessions DROP COLUMN login_name;
         INSERT INTO sessions (id, user_id, session_key, host, login_time, last_seen)
         VALUES (1, 1, 'old', 'accueil', 1000, 1000);
         {version}"
    ));
    let (code, said) = verify(&office);
    assert_eq!(code, 0, "{said}");
    assert!(
        said.contains("before the journal: 1 account, 1 session and 0 attempts"),
        "{said}"
    );
    // Its end, written since (a sweep takes it for lost), is journaled and checked
    // like any other.
    office.console(&["who"]).assert().success();
    assert_eq!(verify(&office).0, 0);
    office.sql("UPDATE sessions SET end_note = 'edited' WHERE id = 1");
    office
        .console(&["verify"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("session 1: end_note differs"));
}

#[test]
fn verify_of_a_missing_database_is_66_and_of_a_damaged_one_74() {
    let office = Office::new();
    if office.is_postgres() {
        return;
    }
    office.console(&["verify"]).assert().code(66);
    std::fs::write(&office.db, vec![b'x'; 8192]).unwrap();
    office.console(&["verify"]).assert().code(74);
}

#[test]
fn a_database_rolled_back_behind_a_witness_checkpoint_is_found() {
    let office = office_of_every_fact();
    let witness = office.dir.path().join("admin/witness");
    let witness_arg = witness.display().to_string();
    let kept = office.sql_count("SELECT id FROM journal_head");
    office
        .console(&["checkpoint", "--witness", &witness_arg])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("konekte-checkpoint "));
    office
        .console(&["verify", "--witness", &witness_arg])
        .assert()
        .success()
        .stdout(predicate::str::contains("1 checkpoint of"));
    // Put back as it was a few facts ago, the chain whole and consistent with itself.
    let back = kept - 3;
    office.sql(&format!(
        "DELETE FROM journal WHERE id > {back};
         UPDATE journal_head SET id = {back},
                hash = (SELECT hash FROM journal WHERE id = {back})"
    ));
    office
        .console(&["verify", "--witness", &witness_arg])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(format!(
            "witness line 1: entry {kept}"
        )))
        .stdout(predicate::str::contains(format!(
            "past the chain's end at entry {back} (the database was rolled back or rebuilt)"
        )));
}

/// Removes a path when dropped (the test's own system log socket).
struct Removed(&'static str);

impl Drop for Removed {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(self.0);
    }
}

#[test]
fn a_checkpoint_reaches_the_system_log_or_says_it_cannot() {
    const LOG: &str = "/dev/log";
    // A system log of the test's own: only as root, and only where none listens.
    if std::path::Path::new(LOG).exists() || unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped, a system log listens already or this is not root: syslog delivery");
        return;
    }
    let office = office_of_every_fact();
    office
        .console(&["checkpoint", "--syslog"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no system log listens"));
    let log = std::os::unix::net::UnixDatagram::bind(LOG).unwrap();
    let _removed = Removed(LOG);
    log.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let said = common::stdout_of(office.console(&["checkpoint", "--syslog"]));
    let mut received = [0u8; 4096];
    let size = log.recv(&mut received).unwrap();
    let line = String::from_utf8_lossy(&received[..size]);
    // Facility auth (4), notice (5): priority 4 * 8 + 5.
    assert!(line.starts_with("<37>"), "{line}");
    assert!(line.contains("konekte["), "{line}");
    assert!(line.contains(said.trim()), "{line} / {said}");
    // What the log keeps is a witness as good as a file.
    let witness = office.file("from-the-log", line.as_bytes());
    office
        .console(&["verify", "--witness", common::path_str(&witness)])
        .assert()
        .success()
        .stdout(predicate::str::contains("1 checkpoint of"));
}

#[test]
fn a_witness_that_holds_no_checkpoint_proves_nothing_and_says_so() {
    let office = office_of_every_fact();
    let empty = office.file("witness", b"nothing here\n");
    office
        .console(&["verify", "--witness", common::path_str(&empty)])
        .assert()
        .code(65)
        .stderr(predicate::str::contains("no konekte-checkpoint line"));
    office
        .console(&["verify", "--witness", "/nonexistent/witness"])
        .assert()
        .code(66);
    // A checkpoint needs somewhere to go (syslog's: its own test).
    office.console(&["checkpoint"]).assert().code(2);
}

#[test]
fn audit_lists_each_admin_action_with_who_where_and_the_note() {
    let office = Office::new();
    let as_marie = |args: &[&str]| {
        let mut command = office.console(args);
        command.env("SUDO_USER", "marie");
        command
    };
    as_marie(&["add-users", "--role", "archives", "--count", "2"])
        .assert()
        .success();
    as_marie(&["users", "set-role", "archives002", "admin"])
        .assert()
        .success();
    as_marie(&["users", "disable", "archives001"])
        .assert()
        .success();
    let db = Db::open(&office.target).unwrap();
    let admin = db.user("archives002").unwrap().unwrap();
    let session = db.open_session(admin.id, &desk(), 5_000, db.now()).unwrap();
    drop(db);
    let id = session.id.to_string();
    as_marie(&["end-session", &id, "--reason", "fire drill"])
        .assert()
        .success();
    let csv = String::from_utf8(
        office
            .console(&["audit", "--format", "csv"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "at,account,admin,host,tty,action,subject,detail,note"
    );
    let actions: Vec<String> = lines[1..]
        .iter()
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            format!(
                "{} {} {} {} {}",
                cells[1], cells[5], cells[6], cells[7], cells[8]
            )
        })
        .collect();
    let end = format!("marie end-session session {id} (archives002)");
    assert_eq!(actions.len(), 5, "{csv}");
    assert_eq!(actions[0], "marie add-user archives001 role=archives ");
    assert_eq!(actions[2], "marie set-role archives002 role=admin ");
    assert_eq!(actions[3], "marie disable archives001  ");
    assert!(actions[4].starts_with(&end), "{}", actions[4]);
    assert!(actions[4].ends_with(" fire drill"), "{}", actions[4]);
    // What terminals do on their own (the session's opening) is no admin's action.
    assert!(!csv.contains("session.opened"));
    office
        .console(&["audit", "--since", "2000-01-01", "--until", "2000-01-02"])
        .assert()
        .success()
        .stdout(predicate::str::contains("add-user").not());
}

#[test]
fn a_correction_set_by_hand_is_found() {
    tampered_is_found(
        "UPDATE sessions SET correction = NULL, correction_note = NULL WHERE correction = 'void'",
        "correction differs from the journal (void recorded, nothing now)",
    );
}

/// `instant` as the shell commands read a time (UTC, as the tests run them).
fn minute(instant: i64) -> String {
    chrono::DateTime::from_timestamp_millis(instant)
        .unwrap()
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// An office for corrections from the shell: bob worked 08:00 to 12:00 and 13:00 to
/// (forgot to log out) a session ended idle at 18:00, yesterday.
fn office_for_corrections() -> (Office, i64, i64) {
    let office = Office::new();
    let db = Db::open(&office.target).unwrap();
    db.create_users(&[user("bob", Role::Secretaire)], false, 0)
        .unwrap();
    let bob = db.user("bob").unwrap().unwrap().id;
    let yesterday = db.now() - 24 * HOUR;
    let day = yesterday - yesterday % (24 * HOUR);
    let morning = db
        .open_session(bob, &desk(), 5_000, day + 8 * HOUR)
        .unwrap();
    db.close_session(morning.id, EndReason::Logout, day + 12 * HOUR, None, None)
        .unwrap();
    let afternoon = db
        .open_session(bob, &desk(), 5_000, day + 13 * HOUR)
        .unwrap();
    db.close_session(afternoon.id, EndReason::Idle, day + 18 * HOUR, None, None)
        .unwrap();
    (office, morning.id, afternoon.id)
}

#[test]
fn corrections_are_marked_counted_and_journaled_and_verify_stays_clean() {
    let (office, morning, afternoon) = office_for_corrections();
    let afternoon_id = afternoon.to_string();
    let morning_id = morning.to_string();
    let day = office.sql_count(&format!(
        "SELECT login_time FROM sessions WHERE id = {morning}"
    ));
    let at = |hour: i64| minute(day - 8 * HOUR + hour * HOUR);
    office
        .console(&[
            "correct",
            &afternoon_id,
            "--end",
            &at(16),
            "--note",
            "left at 16:00",
        ])
        .assert()
        .success()
        .stdout(format!("session {afternoon} corrected\n"));
    office
        .console(&[
            "correct",
            "--add",
            "bob",
            "--start",
            &at(19),
            "--end",
            &at(20),
            "--note",
            "paper",
        ])
        .assert()
        .success();
    office
        .console(&["correct", &morning_id, "--void", "--note", "a test login"])
        .assert()
        .success();
    let csv = String::from_utf8(
        office
            .console(&["last", "--format", "csv"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .ends_with(",correction,correction_note,via")
    );
    assert!(csv.contains(",idle,,,end,left at 16:00"), "{csv}");
    assert!(csv.contains(",added,paper"), "{csv}");
    assert!(csv.contains(",void,a test login"), "{csv}");
    office
        .console(&["last"])
        .assert()
        .stdout(predicate::str::contains("idle (corrected)"))
        .stdout(predicate::str::contains("(void)"));
    // Beside each correction, what was recorded before it.
    let corrections = String::from_utf8(
        office
            .console(&["last", "--corrections", "--format", "csv"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let lines: Vec<&str> = corrections.lines().collect();
    assert_eq!(
        lines[0],
        "id,username,login_time,correction,recorded_logout_time,recorded_end_reason,logout_time,correction_note"
    );
    assert_eq!(
        lines.len(),
        4,
        "the three corrected sessions: {corrections}"
    );
    let moved = lines
        .iter()
        .find(|line| line.starts_with(&format!("{afternoon},")))
        .unwrap();
    assert!(moved.contains(",end,"), "{moved}");
    assert!(
        moved.contains("T18:00:00Z,idle,"),
        "the end recorded: {moved}"
    );
    assert!(
        moved.contains("T16:00:00Z,left at 16:00"),
        "the end corrected: {moved}"
    );
    office
        .console(&["last", "--corrections"])
        .assert()
        .stdout(predicate::str::contains("(corrected)"))
        .stdout(predicate::str::contains("Recorded end"));
    // The report counts 13:00-16:00 and the added hour; the voided morning not at all.
    office
        .console(&["report", "--since", &at(0), "--format", "csv"])
        .assert()
        .stdout(predicate::str::contains("\nbob,secretaire,2,14400,"))
        .stdout(predicate::str::ends_with(",2\n"));
    office
        .console(&["report", "--since", &at(0)])
        .assert()
        .stdout(predicate::str::contains(" 2* "));
    office
        .console(&["audit", "--format", "csv"])
        .assert()
        .stdout(predicate::str::contains(",correct,session "))
        .stdout(predicate::str::contains(",void,a test login"));
    let (code, said) = verify(&office);
    assert_eq!(code, 0, "{said}");
    if let Some((code, python)) = python_verify(&office) {
        assert_eq!(code, 0, "{python}");
    }
}

#[test]
fn a_correction_that_cannot_be_is_refused_and_nothing_is_written() {
    let (office, morning, afternoon) = office_for_corrections();
    let entries = || office.sql_count("SELECT count(*) FROM journal");
    let before = entries();
    let morning_id = morning.to_string();
    let login =
        |id: i64| office.sql_count(&format!("SELECT login_time FROM sessions WHERE id = {id}"));
    let at = minute;
    let refused = |args: &[&str], said: &str| {
        office
            .console(args)
            .assert()
            .code(65)
            .stderr(predicate::str::contains(said));
    };
    // The morning moved past 13:00 would overlap the afternoon.
    let overlapping = at(login(afternoon) + HOUR);
    refused(
        &["correct", &morning_id, "--end", &overlapping, "--note", "x"],
        &format!("it would overlap session {afternoon} of bob"),
    );
    let before_start = at(login(morning) - HOUR);
    refused(
        &[
            "correct",
            &morning_id,
            "--end",
            &before_start,
            "--note",
            "x",
        ],
        "is not after the start",
    );
    refused(
        &[
            "correct",
            &morning_id,
            "--end",
            "2099-01-01 00:00",
            "--note",
            "x",
        ],
        "is in the future",
    );
    refused(
        &[
            "correct",
            &morning_id,
            "--end",
            &before_start,
            "--note",
            "  ",
        ],
        "--note: say why",
    );
    refused(
        &[
            "correct",
            "--add",
            "bob",
            "--start",
            &at(login(morning)),
            "--end",
            &at(login(morning) + HOUR),
            "--note",
            "x",
        ],
        &format!("it would overlap session {morning} of bob"),
    );
    refused(
        &["correct", "999", "--void", "--note", "x"],
        "no session 999",
    );
    let db = Db::open(&office.target).unwrap();
    let open = db.open_session(1, &desk(), 5_000, db.now()).unwrap();
    drop(db);
    refused(
        &["correct", &open.id.to_string(), "--void", "--note", "x"],
        "is still open",
    );
    office
        .console(&["correct", &morning_id, "--note", "x"])
        .assert()
        .code(2);
    // The session opened above is the one entry more.
    assert_eq!(entries(), before + 1, "nothing journaled by a refusal");
}

#[test]
fn a_prune_removes_old_entries_and_the_chain_kept_still_proves_the_rest() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};
    const DAY: i64 = 24 * HOUR;
    let office = Office::new();
    let mut db = Db::open(&office.target).unwrap();
    let now = db.now();
    // What the office wrote a month ago, by the database's clock of then.
    let clock = Arc::new(AtomicI64::new(now - 30 * DAY));
    let then = Arc::clone(&clock);
    db.set_clock(Arc::new(move || then.load(Ordering::Relaxed)));
    let past = now - 30 * DAY;
    db.create_users(
        &[user("ann", Role::Admin), user("bob", Role::Secretaire)],
        false,
        past,
    )
    .unwrap();
    let bob = db.user("bob").unwrap().unwrap().id;
    attempt(&db, "bob", Some(bob), Outcome::Success, past);
    let old = db.open_session(bob, &desk(), 5_000, past).unwrap();
    db.close_session(old.id, EndReason::Logout, past + HOUR, None, None)
        .unwrap();
    let long = db
        .open_session(bob, &desk(), 86_400_000, past + 2 * HOUR)
        .unwrap();
    db.set_role("bob", Role::Directeur).unwrap();
    let witness = office.dir.path().join("witness");
    let (entry, hash) = db.journal_head().unwrap();
    konekte::journal::witness::Checkpoint {
        at: past,
        entry,
        hash,
    }
    .append_to(&witness)
    .unwrap();
    // Today: the long session ends, and the month before ten days ago is pruned.
    clock.store(now, Ordering::Relaxed);
    db.close_session(long.id, EndReason::Logout, now, None, None)
        .unwrap();
    let entries = || office.sql_count("SELECT count(*) FROM journal");
    let before = entries();
    db.prune_before(now - 10 * DAY, 100).unwrap();
    drop(db);
    assert!(
        entries() < before,
        "the old entries went: {} of {before}",
        entries()
    );
    let witness_arg = witness.display().to_string();
    let said = String::from_utf8(
        office
            .console(&["verify", "--witness", &witness_arg])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone(),
    )
    .unwrap();
    assert!(said.contains("kept since entry"), "{said}");
    assert!(
        said.contains("1 checkpoint before the retained history"),
        "{said}"
    );
    if let Some((code, python)) = python_verify(&office) {
        assert_eq!(code, 0, "{python}");
    }
    // What the removed entries said is still held against the tables.
    office.sql("UPDATE users SET role = 'admin' WHERE username = 'bob'");
    office
        .console(&["verify"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "role differs from the journal (directeur recorded, admin now)",
        ));
    office.sql(&format!(
        "UPDATE users SET role = 'directeur' WHERE username = 'bob';
         UPDATE sessions SET login_time = login_time - 60000 WHERE id = {}",
        long.id
    ));
    office
        .console(&["verify"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "login_time differs from the journal",
        ));
}
