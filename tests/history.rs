//! `who`, `last`, `report`, `failures`, `prune` on a known history (tests/common, all
//! times UTC), through the real binary.

mod common;

use common::{Office, stdout_of};
use predicates::prelude::*;
use serde_json::Value;

fn json(office: &Office, args: &[&str]) -> Value {
    serde_json::from_str(&stdout_of(office.console(args))).expect("JSON")
}

fn field<'a>(rows: &'a Value, key: &str) -> Vec<&'a Value> {
    rows.as_array()
        .expect("an array")
        .iter()
        .map(|row| &row[key])
        .collect()
}

#[test]
fn who_is_the_json_of_the_contract() {
    let office = Office::with_history();
    let who = json(&office, &["who", "--format", "json"]);
    assert_eq!(who["active_users"], 1);
    assert!(who["timestamp"].as_str().unwrap().ends_with('Z'));
    let session = &who["sessions"][0];
    let mut keys: Vec<&str> = session
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "host",
            "id",
            "idle_seconds",
            "last_seen",
            "login_time",
            "remote_ip",
            "role",
            "terminal",
            "tty",
            "username",
            "via"
        ]
    );
    assert_eq!(session["via"], "console");
    assert_eq!(session["id"], 5);
    assert_eq!(session["username"], "dee");
    assert_eq!(session["login_time"], "2026-11-22T09:00:00Z");
    assert!(session["remote_ip"].is_null());
    office
        .console(&["who"])
        .assert()
        .success()
        .stdout(predicate::str::contains("dee").and(predicate::str::contains("direction")));
    let csv = stdout_of(office.console(&["who", "--format", "csv"]));
    assert!(csv.starts_with(
        "id,username,role,login_time,last_seen,host,tty,remote_ip,terminal,idle_seconds,via\n5,dee,admin,"
    ));
}

#[test]
fn last_is_newest_first_with_durations_and_ends() {
    let office = Office::with_history();
    let last = json(&office, &["last", "--format", "json"]);
    assert_eq!(field(&last, "id"), [5, 4, 3, 2, 1]);
    assert_eq!(
        field(&last, "end_reason"),
        [
            &Value::Null,
            &"forced".into(),
            &"lost".into(),
            &"idle".into(),
            &"logout".into()
        ]
    );
    assert!(last[0]["logout_time"].is_null());
    assert_eq!(last[1]["logout_time"], "2026-11-21T11:30:00Z");
    assert_eq!(
        field(&last, "duration_seconds")[1..],
        [1800, 5400, 14400, 14400]
    );
    assert!(
        last[0]["duration_seconds"].as_i64().unwrap() > 0,
        "an open session runs up to now"
    );

    let table = stdout_of(office.console(&["last"]));
    assert!(table.contains("still logged in"));
    assert!(
        table.contains("4:00:00"),
        "ann's morning lasted 4:00:00:\n{table}"
    );
    let cid = table
        .lines()
        .find(|l| l.contains(" cid "))
        .expect("cid's line");
    assert!(
        cid.contains("forced  dee       closing"),
        "who ended it, and why, each in its column:\n{table}"
    );
    assert_eq!(last[1]["ended_by"], "dee");
    assert_eq!(last[1]["end_note"], "closing");
    assert!(last[2]["ended_by"].is_null() && last[2]["end_note"].is_null());
}

#[test]
fn one_duration_notation_everywhere() {
    let office = Office::with_history();
    let last = stdout_of(office.console(&["last", "ann"]));
    let report = stdout_of(office.console(&["report", "--until", "2026-11-22"]));
    let users = stdout_of(office.console(&["users", "list"]));
    for (what, table) in [("last", &last), ("report", &report), ("users list", &users)] {
        assert!(
            table.contains("4:00:00") || table.contains("8:00:00"),
            "{what}:\n{table}"
        );
    }
    assert!(report.contains("8:00:00"), "ann's eight hours:\n{report}");
}

#[test]
fn a_reversed_range_is_a_usage_error() {
    let office = Office::with_history();
    for command in ["last", "report"] {
        office
            .console(&[command, "--since", "2026-11-22", "--until", "2026-11-21"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("is not before --until"));
    }
}

#[test]
fn since_takes_what_the_tables_print_and_weeks() {
    let office = Office::with_history();
    // `last` prints "11-21 09:00" (the year of now) and "2026-11-21 09:00" elsewhere.
    let spelled = json(
        &office,
        &[
            "last",
            "--since",
            "2026-11-21 10:00",
            "--until",
            "2026-11-21 11:15",
            "--format",
            "json",
        ],
    );
    assert_eq!(field(&spelled, "id"), [4, 3]);
    office
        .console(&["last", "--since", "1w"])
        .assert()
        .success();
    office
        .console(&[
            "--lang",
            "fr",
            "last",
            "--since",
            "21/11/2026 10:00",
            "--until",
            "21/11/2026 11:15",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("bob").and(predicate::str::contains("cid")));
}

#[test]
fn last_of_one_user_in_csv() {
    let office = Office::with_history();
    let csv = stdout_of(office.console(&["last", "ANN", "--format", "csv"]));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "id,username,role,login_time,last_seen,host,tty,remote_ip,terminal,logout_time,duration_seconds,end_reason,ended_by,end_note,correction,correction_note,via"
    );
    assert_eq!(lines.len(), 3);
    assert!(lines[1].starts_with("2,ann,secretaire,2026-11-20T22:00:00Z,"));
    assert!(lines[1].ends_with(",2026-11-21T02:00:00Z,14400,idle,,,,,console"));
}

#[test]
fn last_since_until_keeps_the_sessions_that_overlap() {
    let office = Office::with_history();
    let args = [
        "last",
        "--since",
        "2026-11-21T01:00:00Z",
        "--until",
        "2026-11-21T10:00",
        "--format",
        "json",
    ];
    assert_eq!(field(&json(&office, &args), "id"), [3, 2]);
    let present = json(
        &office,
        &[
            "last",
            "--present",
            "2026-11-21T00:30:00Z",
            "--format",
            "json",
        ],
    );
    assert_eq!(field(&present, "id"), [2]);
    assert_eq!(
        field(
            &json(&office, &["last", "-n", "2", "--format", "json"]),
            "id"
        ),
        [5, 4]
    );
    let nothing = json(
        &office,
        &["last", "--until", "2026-11-01", "--format", "json"],
    );
    assert_eq!(nothing, Value::Array(vec![]));
}

#[test]
fn unknown_users_and_unreadable_times_are_clear_errors() {
    let office = Office::with_history();
    office
        .console(&["last", "nobody"])
        .assert()
        .code(65)
        .stderr("console: no user named \"nobody\"\n");
    for args in [
        ["last", "--since", "last week"],
        ["report", "--until", "2026-13-40"],
        ["failures", "--since", "soon"],
        ["prune", "--before", "yesteryear"],
    ] {
        office.console(&args).assert().code(2).stderr(
            predicate::str::starts_with("console: ").and(predicate::str::contains("cannot read")),
        );
    }
}

#[test]
fn report_by_user_counts_only_the_time_inside_the_range() {
    let office = Office::with_history();
    let report = json(
        &office,
        &[
            "report",
            "--since",
            "2026-11-20",
            "--until",
            "2026-11-22",
            "--format",
            "json",
        ],
    );
    assert_eq!(report["by"], "user");
    assert_eq!(report["since"], "2026-11-20T00:00:00Z");
    let rows = &report["rows"];
    assert_eq!(
        field(rows, "username"),
        ["ann", "bob", "cid"],
        "dee logged in after the range"
    );
    assert_eq!(field(rows, "seconds"), [8 * 3600, 5400, 1800]);
    assert_eq!(field(rows, "sessions"), [2, 1, 1]);
    assert_eq!(report["total_seconds"], 8 * 3600 + 5400 + 1800);

    let clipped = json(
        &office,
        &[
            "report",
            "--since",
            "2026-11-20T10:00:00Z",
            "--until",
            "2026-11-20T23:00:00Z",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        field(&clipped["rows"], "seconds"),
        [3 * 3600],
        "2 h of the morning, 1 h of the night"
    );

    let secretaries = json(
        &office,
        &[
            "report",
            "--role",
            "secretaire",
            "--since",
            "2026-11-20",
            "--until",
            "2026-11-22",
            "--format",
            "json",
        ],
    );
    assert_eq!(field(&secretaries["rows"], "username"), ["ann", "bob"]);
}

#[test]
fn report_by_day_splits_sessions_at_midnight() {
    let office = Office::with_history();
    let report = json(
        &office,
        &[
            "report",
            "--by",
            "day",
            "--since",
            "2026-11-20",
            "--until",
            "2026-11-22",
            "--format",
            "json",
        ],
    );
    assert_eq!(field(&report["rows"], "day"), ["2026-11-20", "2026-11-21"]);
    assert_eq!(field(&report["rows"], "seconds"), [6 * 3600, 4 * 3600]);
    assert_eq!(field(&report["rows"], "sessions"), [2, 3]);
    let csv = stdout_of(office.console(&[
        "report",
        "--by",
        "day",
        "--since",
        "2026-11-20",
        "--until",
        "2026-11-22",
        "--format",
        "csv",
    ]));
    assert_eq!(
        csv,
        "day,people,sessions,seconds,hours,summed_seconds,first_login,last_logout,corrected_sessions\n\
         2026-11-20,1,2,21600,6.0,21600,2026-11-20T08:00:00Z,2026-11-21T02:00:00Z,0\n\
         2026-11-21,3,3,14400,4.0,14400,2026-11-20T22:00:00Z,2026-11-21T11:30:00Z,0\n"
    );
}

/// ann at a second terminal, 10:00 to 13:00 on the 20th, while her first session runs.
fn with_ann_at_two_terminals() -> Office {
    let office = Office::with_history();
    office.sql(
        "INSERT INTO sessions (id, user_id, session_key, host, tty, login_time, last_seen,
                               heartbeat_ms, logout_time, end_reason)
         VALUES (6, 1, 'k6', 'annex', '/dev/pts/9', 1795168800000, 1795179600000, 5000,
                 1795179600000, 'logout')",
    );
    office
}

#[test]
fn a_person_at_two_terminals_is_present_once_and_the_sum_stays() {
    let office = with_ann_at_two_terminals();
    let report = json(
        &office,
        &["report", "ann", "--until", "2026-11-22", "--format", "json"],
    );
    let ann = &report["rows"][0];
    // 08:00-13:00 and 22:00-02:00: nine hours there; eleven hours of sessions.
    assert_eq!(
        (ann["seconds"].as_i64(), ann["summed_seconds"].as_i64()),
        (Some(9 * 3600), Some(11 * 3600))
    );
    assert_eq!(ann["hours"], 9.0);
    assert_eq!(ann["sessions"], 3);
    assert_eq!(report["rows"].as_array().unwrap().len(), 1, "ann only");
    assert_eq!(report["total_summed_seconds"], 11 * 3600);
}

#[test]
fn an_attendance_sheet_per_user_and_day_with_arrivals_and_departures() {
    let office = with_ann_at_two_terminals();
    let args = [
        "report",
        "--by",
        "user-day",
        "--since",
        "2026-11-20",
        "--until",
        "2026-11-22",
        "--format",
        "json",
    ];
    let sheet = json(&office, &args);
    assert_eq!(sheet["by"], "user-day");
    let rows = &sheet["rows"];
    assert_eq!(
        field(rows, "day"),
        ["2026-11-20", "2026-11-21", "2026-11-21", "2026-11-21"]
    );
    assert_eq!(field(rows, "username"), ["ann", "ann", "bob", "cid"]);
    assert_eq!(field(rows, "seconds"), [7 * 3600, 2 * 3600, 5400, 1800]);
    assert_eq!(
        field(rows, "first_login")[..2],
        ["2026-11-20T08:00:00Z", "2026-11-20T22:00:00Z"]
    );
    assert_eq!(
        field(rows, "last_logout")[..2],
        ["2026-11-21T02:00:00Z", "2026-11-21T02:00:00Z"]
    );
    let table = stdout_of(office.console(&[
        "report",
        "--by",
        "user-day",
        "--since",
        "2026-11-20",
        "--until",
        "2026-11-22",
    ]));
    assert!(
        table.contains("08:00") && table.contains("11-21 02:00"),
        "{table}"
    );
    // --all: every user on every day, the absent at zero.
    let mut all = args.to_vec();
    all.insert(1, "--all");
    let everyone = json(&office, &all);
    assert_eq!(
        everyone["rows"].as_array().unwrap().len(),
        8,
        "4 users, 2 days"
    );
    let dee: Vec<&Value> = everyone["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| row["username"] == "dee")
        .map(|row| &row["seconds"])
        .collect();
    assert_eq!(dee, [0, 0]);
}

#[test]
fn report_all_lists_the_users_and_days_without_time() {
    let office = Office::with_history();
    let users = json(
        &office,
        &[
            "report",
            "--all",
            "--until",
            "2026-11-22",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        field(&users["rows"], "username"),
        ["ann", "bob", "cid", "dee"]
    );
    assert_eq!(users["rows"][3]["seconds"], 0);
    assert!(users["rows"][3]["first_login"].is_null());
    let days = json(
        &office,
        &[
            "report",
            "--by",
            "day",
            "--all",
            "--since",
            "2026-11-18",
            "--until",
            "2026-11-22",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        field(&days["rows"], "day"),
        ["2026-11-18", "2026-11-19", "2026-11-20", "2026-11-21"]
    );
    assert_eq!(field(&days["rows"], "people"), [0, 0, 1, 3]);
}

#[test]
fn last_filters_by_host_and_tty_and_says_where_history_begins() {
    let office = Office::with_history();
    let annex = json(&office, &["last", "--host", "ANNEX", "--format", "json"]);
    assert_eq!(field(&annex, "id"), [4, 3]);
    let tty = json(&office, &["last", "--tty", "pts/1", "--format", "json"]);
    assert_eq!(field(&tty, "id"), [2, 1]);
    let table = stdout_of(office.console(&["last", "--tty", "/dev/pts/3"]));
    assert!(table.contains("cid") && !table.contains("bob"), "{table}");
    assert!(
        table
            .trim_end()
            .ends_with("history begins 2026-11-20 08:00:00"),
        "{table}"
    );
    let iso = stdout_of(office.console(&["last", "cid", "--time-format", "iso"]));
    assert!(
        iso.contains("2026-11-21T11:00:00+00:00") && iso.contains("2026-11-21T11:30:00+00:00"),
        "{iso}"
    );
    let full = stdout_of(office.console(&["last", "cid", "--time-format", "full"]));
    assert!(full.contains("2026-11-21 11:00:00"), "{full}");
    let empty = Office::new();
    empty
        .console(&["add-users", "--role", "admin", "--count", "1"])
        .assert()
        .success();
    let none = stdout_of(empty.console(&["last"]));
    assert!(none.contains("no session in the history yet"), "{none}");
}

#[test]
fn who_shows_how_long_since_the_last_key() {
    let office = Office::with_history();
    office.sql("UPDATE sessions SET last_key = login_time WHERE id = 5");
    let who = json(&office, &["who", "--format", "json"]);
    let idle = who["sessions"][0]["idle_seconds"].as_i64().unwrap();
    let since_login = who["sessions"][0]["login_time"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(idle > 3600, "idle since {since_login}: {idle} s");
    let table = stdout_of(office.console(&["who"]));
    assert!(table.contains("Idle"), "{table}");
    office.sql("UPDATE sessions SET last_key = NULL WHERE id = 5");
    let who = json(&office, &["who", "--format", "json"]);
    assert!(who["sessions"][0]["idle_seconds"].is_null(), "never told");
}

#[test]
fn report_counts_an_open_session_up_to_now() {
    let office = Office::with_history();
    let report = json(
        &office,
        &["report", "--since", "2026-11-22", "--format", "json"],
    );
    assert_eq!(field(&report["rows"], "username"), ["dee"]);
    assert!(report["rows"][0]["seconds"].as_i64().unwrap() > 3600);
}

#[test]
fn an_empty_report_has_a_zero_total() {
    let office = Office::with_history();
    let report = json(
        &office,
        &[
            "report",
            "--since",
            "2026-01-01",
            "--until",
            "2026-02-01",
            "--format",
            "json",
        ],
    );
    assert_eq!(report["rows"], Value::Array(vec![]));
    assert_eq!(report["total_seconds"], 0);
    office
        .console(&["report", "--since", "2026-01-01", "--until", "2026-02-01"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Total").and(predicate::str::contains("00:00")));
}

#[test]
fn failures_count_by_name_and_flag_locked_accounts() {
    let office = Office::with_history();
    let failures = json(&office, &["failures", "--format", "json"]);
    assert_eq!(
        failures["attempts"].as_array().unwrap().len(),
        4,
        "the success is not a failure"
    );
    assert_eq!(failures["attempts"][0]["username_typed"], "ann");
    assert_eq!(failures["attempts"][0]["known_user"], true);
    assert_eq!(failures["attempts"][0]["outcome"], "bad_password");
    assert_eq!(field(&failures["by_name"], "failures"), [3, 1]);
    assert_eq!(failures["by_name"][1]["locked"], false);

    office.sql("UPDATE users SET locked_until = 9999999999999 WHERE username = 'ann'");
    let failures = json(&office, &["failures", "ann", "--format", "json"]);
    assert_eq!(failures["by_name"][0]["locked"], true);
    office
        .console(&["failures"])
        .assert()
        .success()
        .stdout(predicate::str::contains("LOCKED"))
        .stdout(predicate::str::contains("wrong password"))
        .stdout(predicate::str::contains("bad_password").not());
    let ghost = json(
        &office,
        &[
            "failures",
            "GHOST",
            "--since",
            "2026-11-20T07:01:00Z",
            "--format",
            "json",
        ],
    );
    assert_eq!(ghost["attempts"].as_array().unwrap().len(), 2);
}

#[test]
fn prune_forgets_old_history_but_never_an_open_session() {
    let office = Office::with_history();
    let users_before = json(&office, &["users", "list", "--format", "json"]);
    office
        .console(&["prune", "--before", "2026-11-21", "--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "would delete 1 ended session and 5 login attempts",
        ));
    assert_eq!(
        office.sql_count("SELECT count(*) FROM sessions"),
        5,
        "a dry run deletes nothing"
    );
    office
        .console(&["prune", "--before", "2026-11-21"])
        .assert()
        .success()
        .stdout("deleted 1 ended session and 5 login attempts from before 2026-11-21 00:00\n");
    assert_eq!(
        field(&json(&office, &["last", "--format", "json"]), "id"),
        [5, 4, 3, 2]
    );
    office
        .console(&["prune", "--before", "now"])
        .assert()
        .success();
    assert_eq!(
        field(&json(&office, &["last", "--format", "json"]), "id"),
        [5],
        "the open session stays"
    );
    // Each user's last login and logout, and totals, outlive the history.
    let mut users_after = json(&office, &["users", "list", "--format", "json"]);
    for user in users_after.as_array_mut().unwrap() {
        user["connected_seconds"] = Value::Null;
    }
    let mut users_before = users_before;
    for user in users_before.as_array_mut().unwrap() {
        user["connected_seconds"] = Value::Null;
    }
    assert_eq!(users_after, users_before);
    assert_eq!(users_after[0]["last_login"], "2026-11-20T22:00:00Z");
}

#[test]
fn read_commands_on_a_missing_database_say_so_and_create_nothing() {
    let office = Office::new();
    if office.is_postgres() {
        return; // A file that is not there: SQLite's; PostgreSQL's own case is in postgres.rs.
    }
    for args in [
        &["who"][..],
        &["last"],
        &["report"],
        &["failures"],
        &["users", "list"],
        &["users", "disable", "ann"],
        &["prune", "--before", "7d"],
        &["end-session", "3"],
        &["monitor"],
        &["login"],
    ] {
        office
            .console(args)
            .assert()
            .code(66)
            .stderr(predicate::str::contains("konekte.db: no database here"));
        assert!(!office.db.exists(), "{args:?} created the database");
    }
}

#[test]
fn a_monitor_on_an_office_without_an_admin_says_so() {
    let office = Office::new();
    office
        .console(&["add-users", "--role", "archives", "--count", "1"])
        .assert()
        .success();
    office
        .console(&["monitor"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no enabled admin account"));
}

#[test]
fn who_counts_people_and_sessions() {
    let office = Office::with_history();
    office.sql(
        "INSERT INTO sessions (user_id, session_key, host, login_time, last_seen, heartbeat_ms)
         VALUES (4, 'k6', 'annex', 1795338000000, 1795338000000, 9000000000000)",
    );
    let who = json(&office, &["who", "--format", "json"]);
    assert_eq!(
        (
            who["active_users"].as_i64(),
            who["active_sessions"].as_i64()
        ),
        (Some(1), Some(2))
    );
    assert_eq!(who["sessions"].as_array().unwrap().len(), 2);
}

#[test]
fn users_list_shows_sessions_and_connected_time() {
    let office = Office::with_history();
    let users = json(&office, &["users", "list", "--format", "json"]);
    assert_eq!(users[0]["username"], "ann");
    assert_eq!(users[0]["sessions"], 2);
    assert_eq!(users[0]["connected_seconds"], 8 * 3600);
    assert_eq!(users[0]["last_logout"], "2026-11-21T02:00:00Z");
    assert_eq!(users[3]["state"], "online");
}

#[test]
fn a_reader_that_goes_away_is_not_an_error() {
    let office = Office::with_history();
    // More than a pipe holds, so that the writes after the reader left fail.
    office.sql(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
         INSERT INTO sessions (user_id, session_key, host, login_time, last_seen, heartbeat_ms,
                               logout_time, end_reason)
         SELECT 1, 'generated' || i, 'frontdesk', 1700000000000 + i * 60000,
                1700000000000 + i * 60000 + 1000, 5000, 1700000000000 + i * 60000 + 1000,
                'logout'
         FROM n",
    );
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_console"))
        .args(["last", "--format", "csv"])
        .env("CONSOLE_DB", &office.console_db)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 1];
    std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    assert!(output.status.success(), "{:?}", output.status);
}

#[test]
fn the_history_can_be_read_while_another_program_holds_the_write_lock() {
    let office = Office::with_history();
    // dee's session beats for a century: the sweep finds nothing to close (and the
    // sweep alone writes: db::sessions tests that it does not when there is nothing).
    let held = konekte::db::testing::hold_write_lock(&office.target);
    for args in [
        &["who"][..],
        &["last", "-n", "3"],
        &["report", "--by", "user-day"],
        &["users", "list"],
        &["failures"],
    ] {
        office.console(args).assert().success();
    }
    held.release();
}

#[test]
fn what_came_from_outside_is_shown_not_obeyed_nor_run_as_a_formula() {
    let office = Office::with_history();
    // A name typed at the login prompt, and a session written before konekte checked
    // what an SSH client sets.
    office.sql(
        "INSERT INTO login_attempts (username_typed, typed_key, at, host, tty, outcome)
         VALUES ('=HYPERLINK(\"http://x\")', '=hyperlink(\"http://x\")', 1795600000000, 'desk',
                 '/dev/pts/1', 'unknown_user'),
                ('\u{1b}]0;owned\u{7}\u{1b}[2J', '\u{1b}]0;owned\u{7}\u{1b}[2j', 1795600001000,
                 'desk', '/dev/pts/1', 'unknown_user');
         UPDATE sessions SET terminal = 'xterm\u{1b}[2J', host = 'desk\u{202e}txt'
         WHERE id = (SELECT max(id) FROM sessions);",
    );
    for args in [
        &["failures"][..],
        &["failures", "--format", "csv"],
        &["last"],
        &["last", "--format", "csv"],
    ] {
        let out = stdout_of(office.console(args));
        assert!(
            !out.contains('\u{1b}'),
            "{args:?} printed an escape:\n{out}"
        );
        assert!(
            !out.contains('\u{202e}'),
            "{args:?} printed a bidi override"
        );
    }
    let table = stdout_of(office.console(&["failures"]));
    assert!(table.contains("\\u{1b}]0;owned\\u{7}"), "{table}");
    let csv = stdout_of(office.console(&["failures", "--format", "csv"]));
    assert!(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{csv}");
    assert!(!csv.contains(",=") && !csv.contains("\n="), "{csv}");
    let last = stdout_of(office.console(&["last"]));
    assert!(last.contains("desk\\u{202e}txt"), "{last}");
    // JSON is for programs: the data as stored, escaped by JSON's own rules.
    let json = json(&office, &["failures", "--format", "json"]);
    assert!(
        json["attempts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["username_typed"] == "=HYPERLINK(\"http://x\")")
    );
}

#[test]
fn copy_refuses_while_terminals_run_and_writes_nothing() {
    let office = Office::with_history();
    let copy = office.dir.path().join("copy.db");
    office
        .console(&["copy", "--to", common::path_str(&copy)])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("sessions still open: 1"));
    assert!(!copy.exists(), "nothing was copied, not even an empty file");
    // dee's session ended, the copy goes through, every session closed as it was.
    office.sql("UPDATE sessions SET logout_time = last_seen, end_reason = 'logout' WHERE id = 5");
    office
        .console(&["copy", "--to", common::path_str(&copy)])
        .assert()
        .success();
    // The copy says who made it, from where.
    let on_copy = |args: &[&str]| {
        let mut cmd = assert_cmd::Command::cargo_bin("console").unwrap();
        cmd.args(args).env("CONSOLE_DB", &copy).env("LANG", "C");
        cmd
    };
    let audit = stdout_of(on_copy(&["audit", "--format", "csv"]));
    let from = format!("from={}", office.target.describe());
    assert!(
        audit
            .lines()
            .any(|l| l.contains(",copy,") && l.contains(&from)),
        "{audit}"
    );
}
