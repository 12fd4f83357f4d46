//! `console exceptions`: a week of one person comes out exactly as it went (late
//! Monday, early Tuesday, absent Wednesday, within the grace Thursday, an idle end
//! Friday, no work Saturday), in every language, and the days of a clock change keep
//! their wall-clock hours.

mod common;

use chrono::TimeZone;
use common::{Office, stdout_of};
use konekte::db::Db;
use konekte::db::testing::person;
use konekte::model::{EndReason, Origin, Role};

/// A session of ann from `from` to `to` (local times of `zone`), ended for `reason`.
fn worked(
    db: &Db,
    zone: &impl TimeZone,
    from: (u32, u32, u32, u32),
    to: (u32, u32, u32, u32),
    reason: EndReason,
) {
    let at = |(month, day, hour, minute): (u32, u32, u32, u32)| {
        zone.with_ymd_and_hms(2026, month, day, hour, minute, 0)
            .single()
            .unwrap()
            .timestamp_millis()
    };
    let ann = db.user("ann").unwrap().unwrap().id;
    let session = db
        .open_session(ann, &Origin::default(), 5_000, at(from))
        .unwrap();
    db.close_session(session.id, reason, at(to), None, None)
        .unwrap();
}

fn office_of_ann(days: &str) -> (Office, Db) {
    let office = Office::new();
    let db = Db::open(&office.target).unwrap();
    db.create_users(&[person("ann", Role::Secretaire)], false, 0)
        .unwrap();
    office
        .console(&[
            "schedule",
            "set",
            "--role",
            "secretaire",
            "--days",
            days,
            "--start",
            "08:00",
            "--end",
            "16:00",
            "--grace",
            "10m",
        ])
        .assert()
        .success();
    (office, db)
}

#[test]
fn a_week_of_one_person_comes_out_as_it_went() {
    let (office, db) = office_of_ann("mon-fri");
    let utc = chrono::Utc;
    use EndReason::{Idle, Logout};
    worked(&db, &utc, (11, 16, 8, 25), (11, 16, 16, 0), Logout); // Monday: late
    worked(&db, &utc, (11, 17, 8, 0), (11, 17, 14, 0), Logout); // Tuesday: early
    // Wednesday: nobody. Thursday: five minutes late, within the grace.
    worked(&db, &utc, (11, 19, 8, 5), (11, 19, 16, 2), Logout);
    worked(&db, &utc, (11, 20, 8, 0), (11, 20, 15, 55), Idle); // Friday: forgot to log out
    worked(&db, &utc, (11, 21, 10, 0), (11, 21, 11, 0), Logout); // Saturday: no work expected
    // A holiday and a day of leave the week after: neither is an absence.
    office
        .console(&["holiday", "add", "2026-11-23", "--name", "x"])
        .assert()
        .success();
    office
        .console(&[
            "leave",
            "add",
            "ann",
            "--from",
            "2026-11-24",
            "--to",
            "2026-11-24",
            "--reason",
            "y",
        ])
        .assert()
        .success();
    let args = [
        "exceptions",
        "--since",
        "2026-11-16",
        "--until",
        "2026-11-25",
        "--format",
        "csv",
    ];
    assert_eq!(
        stdout_of(office.console(&args)),
        "user,day,kind,minutes,detail\n\
         ann,2026-11-16,late,25,first_login=08:25\n\
         ann,2026-11-17,left_early,120,ended=logout at=14:00\n\
         ann,2026-11-18,absent,480,\n\
         ann,2026-11-20,no_logout,0,ended=idle at=15:55\n"
    );
    // One person's, and in each language the table says what kind.
    let mut table = office.console(&[
        "exceptions",
        "ann",
        "--since",
        "2026-11-16",
        "--until",
        "2026-11-19",
    ]);
    table.env("LANG", "fr_FR.UTF-8");
    let french = stdout_of(table);
    assert!(
        french.contains("en retard") && french.contains("parti tôt"),
        "{french}"
    );
    assert!(french.contains("absent"), "{french}");
    let mut table = office.console(&[
        "exceptions",
        "--since",
        "2026-11-16",
        "--until",
        "2026-11-19",
    ]);
    table.env("LANG", "ht_HT.UTF-8");
    let creole = stdout_of(table);
    assert!(
        creole.contains("an reta") && creole.contains("ale bonè"),
        "{creole}"
    );
    office.console(&["exceptions", "nobody"]).assert().code(65);
    // The report of each person's day says what was expected, and the difference.
    let report = stdout_of(office.console(&[
        "report",
        "--by",
        "user-day",
        "--all",
        "--since",
        "2026-11-16",
        "--until",
        "2026-11-19",
        "--format",
        "csv",
    ]));
    let days: Vec<(String, String, String)> = report
        .lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            (cells[0].into(), cells[10].into(), cells[11].into())
        })
        .collect();
    let expected = |day: &str, expected: &str, difference: &str| {
        (
            day.to_string(),
            expected.to_string(),
            difference.to_string(),
        )
    };
    assert_eq!(
        days,
        [
            expected("2026-11-16", "28800", "-1500"),
            expected("2026-11-17", "28800", "-7200"),
            expected("2026-11-18", "28800", "-28800")
        ],
        "{report}"
    );
}

#[test]
fn the_monthly_sheet_has_each_day_its_totals_and_a_witness() {
    let (office, db) = office_of_ann("mon-fri");
    let utc = chrono::Utc;
    worked(
        &db,
        &utc,
        (11, 16, 8, 25),
        (11, 16, 16, 0),
        EndReason::Logout,
    );
    worked(
        &db,
        &utc,
        (11, 17, 8, 0),
        (11, 17, 14, 0),
        EndReason::Logout,
    );
    let csv = stdout_of(office.console(&["sheet", "--month", "2026-11", "ann", "--format", "csv"]));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "user,day,expected_seconds,first_login,last_logout,connected_seconds,difference_seconds,exceptions,corrected"
    );
    assert_eq!(lines.len(), 1 + 30 + 1, "a line a day and the total: {csv}");
    assert_eq!(
        lines[16],
        "ann,2026-11-16,28800,2026-11-16T08:25:00Z,2026-11-16T16:00:00Z,27300,-1500,late,false"
    );
    assert_eq!(
        lines[17],
        "ann,2026-11-17,28800,2026-11-17T08:00:00Z,2026-11-17T14:00:00Z,21600,-7200,left_early,false"
    );
    assert_eq!(lines[18], "ann,2026-11-18,28800,,,0,-28800,absent,false");
    assert_eq!(lines[21], "ann,2026-11-21,0,,,0,0,,false", "a Saturday");
    // 21 working days in November 2026, two worked: 19 absent, one late.
    assert_eq!(
        lines[31],
        "ann,total,604800,,,48900,-555900,absent=19 late=1,false"
    );
    // The table, in Creole, ends with the journal's head as a witness's line, which
    // `verify --witness` holds the database to.
    let mut table = office.console(&["sheet", "--month", "2026-11"]);
    table.env("LANG", "ht_HT.UTF-8");
    let sheet = stdout_of(table);
    assert!(
        sheet.contains("an reta") && sheet.contains("absan 19"),
        "{sheet}"
    );
    let paper = office.file("signed-sheet.txt", sheet.as_bytes());
    office
        .console(&["verify", "--witness", common::path_str(&paper)])
        .assert()
        .success()
        .stdout(predicates::str::contains("1 checkpoint of"));
    office
        .console(&["sheet", "--month", "2026-13"])
        .assert()
        .code(2);
}

#[test]
fn nobody_is_absent_before_their_account_was_made() {
    let (office, db) = office_of_ann("mon-fri");
    let hired = chrono::Utc
        .with_ymd_and_hms(2026, 11, 18, 7, 0, 0)
        .unwrap()
        .timestamp_millis();
    db.create_users(&[person("bob", Role::Secretaire)], false, hired)
        .unwrap();
    let args = [
        "exceptions",
        "bob",
        "--since",
        "2026-11-16",
        "--until",
        "2026-11-19",
        "--format",
        "csv",
    ];
    assert_eq!(
        stdout_of(office.console(&args)),
        "user,day,kind,minutes,detail\nbob,2026-11-18,absent,480,\n"
    );
}

#[test]
fn a_correction_counts_and_says_so() {
    let (office, db) = office_of_ann("mon-fri");
    worked(
        &db,
        &chrono::Utc,
        (11, 17, 8, 0),
        (11, 17, 14, 0),
        EndReason::Idle,
    );
    office
        .console(&[
            "correct",
            "1",
            "--end",
            "2026-11-17T16:00",
            "--note",
            "stayed, said so",
        ])
        .assert()
        .success();
    let args = [
        "exceptions",
        "--since",
        "2026-11-17",
        "--until",
        "2026-11-18",
        "--format",
        "csv",
    ];
    // The end moved to 16:00: not early any more; the idle end it had is no more either.
    assert_eq!(
        stdout_of(office.console(&args)),
        "user,day,kind,minutes,detail\nann,2026-11-17,no_logout,0,ended=idle at=16:00 corrected\n"
    );
}

#[test]
fn the_days_the_clocks_change_keep_their_hours() {
    // Haiti: 8 March 2026 has 23 hours, 1 November 25; both are Sundays.
    let (office, db) = office_of_ann("sun");
    let haiti = chrono::FixedOffset::west_opt(4 * 3600).unwrap();
    let winter = chrono::FixedOffset::west_opt(5 * 3600).unwrap();
    // 08:00 to 16:00 local each day: after the change in March (UTC-4), before the one
    // of November (UTC-4 until 02:00) and after it (UTC-5) for the end.
    worked(&db, &haiti, (3, 8, 8, 0), (3, 8, 16, 0), EndReason::Logout);
    let at = |zone: &chrono::FixedOffset, hour| {
        zone.with_ymd_and_hms(2026, 11, 1, hour, 0, 0)
            .unwrap()
            .timestamp_millis()
    };
    let ann = db.user("ann").unwrap().unwrap().id;
    let november = db
        .open_session(ann, &Origin::default(), 5_000, at(&winter, 8))
        .unwrap();
    db.close_session(november.id, EndReason::Logout, at(&winter, 16), None, None)
        .unwrap();
    for (since, until) in [("2026-03-08", "2026-03-09"), ("2026-11-01", "2026-11-02")] {
        let output = office
            .console(&[
                "exceptions",
                "--since",
                since,
                "--until",
                until,
                "--format",
                "csv",
            ])
            .env("TZ", "America/Port-au-Prince")
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "user,day,kind,minutes,detail\n",
            "{since}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    // The week after, nobody came: an absence of the day's eight hours, whatever its length.
    let output = office
        .console(&[
            "exceptions",
            "--since",
            "2026-11-08",
            "--until",
            "2026-11-09",
            "--format",
            "csv",
        ])
        .env("TZ", "America/Port-au-Prince")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "user,day,kind,minutes,detail\nann,2026-11-08,absent,480,\n"
    );
}
