//! Expected hours, holidays and leave from the shell (`schedule`, `holiday`, `leave`):
//! what each prints, what each refuses (with its exit code, and nothing written), and
//! that each change is journaled and shown by `audit`.

mod common;

use common::{Office, stdout_of};
use predicates::prelude::*;

/// The journal's head: every write moves it, so an unmoved head is nothing written.
fn head(office: &Office) -> i64 {
    office.sql_count("SELECT id FROM journal_head")
}

#[test]
fn a_role_and_a_person_get_their_week_and_a_split_day() {
    let office = Office::with_sample_users();
    office
        .console(&[
            "schedule",
            "set",
            "--role",
            "secretaire",
            "--days",
            "mon-fri",
            "--start",
            "08:00",
            "--end",
            "16:00",
            "--grace",
            "10m",
        ])
        .assert()
        .success()
        .stdout("schedule of role secretaire: mon-fri 08:00-16:00+10m\n");
    office
        .console(&[
            "schedule", "set", "--user", "Fedanoir", "--days", "mon-fri", "--start", "08:00",
            "--end", "12:00",
        ])
        .assert()
        .success();
    // A split day: the afternoon beside the morning.
    office
        .console(&[
            "schedule", "set", "--user", "fedanoir", "--days", "mon-thu", "--start", "13:00",
            "--end", "17:00", "--add",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "mon-fri 08:00-12:00+0m, mon-thu 13:00-17:00+0m",
        ));
    let csv = stdout_of(office.console(&["schedule", "list", "--format", "csv"]));
    assert_eq!(
        csv,
        "role,user,from,days,start,end,grace_minutes\n\
         secretaire,,,mon-fri,08:00,16:00,10\n\
         ,Fedanoir,,mon-fri,08:00,12:00,0\n\
         ,Fedanoir,,mon-thu,13:00,17:00,0\n"
    );
    // Set again without --add: the days named get this span only.
    office
        .console(&[
            "schedule", "set", "--user", "Fedanoir", "--days", "fri", "--start", "09:00", "--end",
            "13:00",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "mon-thu 08:00-12:00+0m, mon-thu 13:00-17:00+0m, fri 09:00-13:00+0m",
        ));
    office
        .console(&["schedule", "clear", "--user", "Fedanoir"])
        .assert()
        .success()
        .stdout("schedule of user Fedanoir cleared\n");
    office
        .console(&["schedule", "clear", "--user", "Fedanoir"])
        .assert()
        .success()
        .stdout(predicate::str::contains("nothing to do"));
    let json = stdout_of(office.console(&["schedule", "list", "--format", "json"]));
    assert!(json.contains("\"role\": \"secretaire\""), "{json}");
    assert!(!json.contains("Fedanoir"), "{json}");
    office.console(&["verify"]).assert().success();
}

#[test]
fn a_schedule_that_cannot_be_is_refused_and_nothing_is_written() {
    let office = Office::with_sample_users();
    office
        .console(&[
            "schedule", "set", "--role", "archives", "--days", "mon-fri", "--start", "08:00",
            "--end", "12:00",
        ])
        .assert()
        .success();
    let before = head(&office);
    let set = |args: &[&str]| {
        let mut all = vec!["schedule", "set"];
        all.extend_from_slice(args);
        office.console(&all).assert()
    };
    set(&[
        "--role", "archives", "--days", "mon", "--start", "11:00", "--end", "14:00", "--add",
    ])
    .code(65)
    .stderr(predicate::str::contains("overlaps one already set on mon"));
    set(&[
        "--role", "archives", "--days", "sat", "--start", "16:00", "--end", "08:00",
    ])
    .code(65)
    .stderr(predicate::str::contains("--end must be after --start"));
    set(&[
        "--user", "nobody", "--days", "sat", "--start", "08:00", "--end", "12:00",
    ])
    .code(65)
    .stderr(predicate::str::contains("nobody"));
    set(&[
        "--role", "chef", "--days", "sat", "--start", "08:00", "--end", "12:00",
    ])
    .code(65);
    set(&[
        "--role", "archives", "--days", "weekdays", "--start", "08:00", "--end", "12:00",
    ])
    .code(2)
    .stderr(predicate::str::contains("--days: cannot read \"weekdays\""));
    set(&[
        "--role", "archives", "--days", "sat", "--start", "8h", "--end", "12:00",
    ])
    .code(2)
    .stderr(predicate::str::contains("--start: cannot read \"8h\""));
    set(&["--days", "sat", "--start", "08:00", "--end", "12:00"]).code(2);
    assert_eq!(head(&office), before, "nothing was written");
}

#[test]
fn holidays_and_leave_are_added_listed_and_taken_back() {
    let office = Office::with_sample_users();
    office
        .console(&["holiday", "add", "2026-12-25", "--name", "Noël"])
        .assert()
        .success()
        .stdout("2026-12-25 is a holiday: Noël\n");
    office
        .console(&[
            "holiday",
            "add",
            "2027-01-01",
            "--name",
            "Jour de l'Indépendance",
        ])
        .assert()
        .success();
    let before = head(&office);
    office
        .console(&["holiday", "add", "2026-12-25", "--name", "again"])
        .assert()
        .code(65)
        .stderr("console: 2026-12-25 is a holiday already (Noël)\n");
    office
        .console(&["holiday", "add", "25/12/2026", "--name", "x"])
        .assert()
        .code(2);
    office
        .console(&["holiday", "remove", "2026-12-24"])
        .assert()
        .code(65);
    assert_eq!(head(&office), before, "nothing was written");
    assert_eq!(
        stdout_of(office.console(&["holiday", "list", "--format", "csv"])),
        "day,name\n2026-12-25,Noël\n2027-01-01,Jour de l'Indépendance\n"
    );
    office
        .console(&["holiday", "remove", "2026-12-25"])
        .assert()
        .success();

    office
        .console(&[
            "leave",
            "add",
            "Fedanoir",
            "--from",
            "2026-12-07",
            "--to",
            "2026-12-11",
            "--reason",
            "training",
        ])
        .assert()
        .success()
        .stdout("leave 1: Fedanoir from 2026-12-07 to 2026-12-11\n");
    let before = head(&office);
    office
        .console(&[
            "leave",
            "add",
            "fedanoir",
            "--from",
            "2026-12-11",
            "--to",
            "2026-12-14",
            "--reason",
            "x",
        ])
        .assert()
        .code(65)
        .stderr(predicate::str::contains(
            "on leave from 2026-12-07 to 2026-12-11 already",
        ));
    office
        .console(&[
            "leave",
            "add",
            "Fedanoir",
            "--from",
            "2026-12-20",
            "--to",
            "2026-12-19",
            "--reason",
            "x",
        ])
        .assert()
        .code(65);
    office.console(&["leave", "remove", "9"]).assert().code(65);
    assert_eq!(head(&office), before, "nothing was written");
    assert_eq!(
        stdout_of(office.console(&["leave", "list", "FEDANOIR", "--format", "csv"])),
        "id,user,from,to,reason\n1,Fedanoir,2026-12-07,2026-12-11,training\n"
    );
    office.console(&["leave", "remove", "1"]).assert().success();
    assert_eq!(
        stdout_of(office.console(&["leave", "list", "--format", "csv"])),
        "id,user,from,to,reason\n"
    );
    office.console(&["verify"]).assert().success();
    let audit = stdout_of(office.console(&["audit", "--format", "csv"]));
    for action in ["holiday-add", "holiday-remove", "leave-add", "leave-remove"] {
        assert!(audit.contains(&format!(",{action},")), "{action}: {audit}");
    }
}

#[test]
fn a_closed_month_refuses_what_would_change_it_until_reopened() {
    let office = Office::with_sample_users();
    let ok = |args: &[&str]| office.console(args).assert().success();
    ok(&[
        "correct",
        "--add",
        "Fedanoir",
        "--start",
        "2026-10-05T08:00",
        "--end",
        "2026-10-05T16:00",
        "--note",
        "paper register",
    ]);
    office
        .console(&["close-month", "2026-10", "--note", "signed by the director"])
        .assert()
        .success()
        .stdout("2026-10 closed\n");
    let before = head(&office);
    office
        .console(&["close-month", "2026-10"])
        .assert()
        .code(65);
    office
        .console(&["close-month", "2999-01"])
        .assert()
        .code(65);
    office.console(&["close-month", "10-2026"]).assert().code(2);
    let refused = |args: &[&str]| {
        office
            .console(args)
            .assert()
            .code(1)
            .stderr(predicate::str::contains("2026-10 is closed"));
    };
    let session = office.sql_count("SELECT max(id) FROM sessions").to_string();
    refused(&[
        "correct",
        &session,
        "--end",
        "2026-10-05T15:00",
        "--note",
        "x",
    ]);
    refused(&["correct", &session, "--void", "--note", "x"]);
    refused(&[
        "correct",
        "--add",
        "Fedanoir",
        "--start",
        "2026-10-06T08:00",
        "--end",
        "2026-10-06T12:00",
        "--note",
        "x",
    ]);
    refused(&["holiday", "add", "2026-10-15", "--name", "x"]);
    refused(&[
        "leave",
        "add",
        "Fedanoir",
        "--from",
        "2026-09-28",
        "--to",
        "2026-10-02",
        "--reason",
        "x",
    ]);
    refused(&[
        "schedule",
        "set",
        "--role",
        "secretaire",
        "--days",
        "mon",
        "--start",
        "08:00",
        "--end",
        "12:00",
        "--from",
        "2026-10-20",
    ]);
    assert_eq!(head(&office), before, "nothing was written");
    // Without --from, a schedule starts after the last closed month.
    ok(&[
        "schedule",
        "set",
        "--role",
        "secretaire",
        "--days",
        "mon",
        "--start",
        "08:00",
        "--end",
        "12:00",
    ]);
    assert_eq!(
        stdout_of(office.console(&["schedule", "list", "--format", "csv"])),
        "role,user,from,days,start,end,grace_minutes\nsecretaire,,2026-11-01,mon,08:00,12:00,0\n"
    );
    office
        .console(&["reopen-month", "2026-10"])
        .assert()
        .code(2);
    ok(&["reopen-month", "2026-10", "--note", "the 5th was wrong"]);
    ok(&[
        "correct",
        &session,
        "--end",
        "2026-10-05T15:00",
        "--note",
        "left at 15:00",
    ]);
    office.console(&["verify"]).assert().success();
    let audit = stdout_of(office.console(&["audit", "--format", "csv"]));
    assert!(
        audit.contains(",close-month,attendance,month=2026-10,signed by the director"),
        "{audit}"
    );
    assert!(
        audit.contains(",reopen-month,attendance,month=2026-10,the 5th was wrong"),
        "{audit}"
    );
}
