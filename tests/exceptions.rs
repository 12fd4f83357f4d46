//! `console exceptions`: a week of one person comes out exactly as it went (late
//! Monday, early Tuesday, absent Wednesday, within the grace Thursday, an idle end
//! Friday, no work Saturday), in every language, and the days of a clock change keep
//! their wall-clock hours.

mod common;

use chrono::TimeZone;
use common::{Office, stdout_of};
use konekte::db::Db;
use konekte::db::testing::person;
use konekte::model::{EndReason, NewUser, Origin, Role};

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

/// Ann's week of November 2026 (UTC): late Monday, early Tuesday, absent Wednesday,
/// five minutes late Thursday (within the grace), an idle end Friday, an hour's work
/// on Saturday, when nothing is expected.
fn the_week(db: &Db) {
    let utc = chrono::Utc;
    use EndReason::{Idle, Logout};
    worked(db, &utc, (11, 16, 8, 25), (11, 16, 16, 0), Logout);
    worked(db, &utc, (11, 17, 8, 0), (11, 17, 14, 0), Logout);
    worked(db, &utc, (11, 19, 8, 5), (11, 19, 16, 2), Logout);
    worked(db, &utc, (11, 20, 8, 0), (11, 20, 15, 55), Idle);
    worked(db, &utc, (11, 21, 10, 0), (11, 21, 11, 0), Logout);
}

fn office_of_ann(days: &str) -> (Office, Db) {
    let office = Office::new();
    let db = Db::open(&office.target).unwrap();
    let ann = NewUser {
        full_name: "Ann Thérèse Désir".into(),
        ..person("ann", Role::Secretaire)
    };
    db.create_users(&[ann], false, 0).unwrap();
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
    the_week(&db);
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

/// The text of a PDF, as `pdftotext -layout` reads it back.
fn text_of(pdf: &std::path::Path) -> String {
    let output = std::process::Command::new(common::tool("pdftotext"))
        .args(["-layout", common::path_str(pdf), "-"])
        .output()
        .expect("pdftotext");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).expect("UTF-8")
}

/// The line of the sheet's text that begins with `label` (a day, or the total).
fn row<'a>(text: &'a str, label: &str) -> &'a str {
    text.lines()
        .map(str::trim)
        .find(|line| line.starts_with(label))
        .unwrap_or_else(|| panic!("no line {label:?} in:\n{text}"))
}

#[test]
fn the_sheet_to_sign_is_a_pdf_of_each_day_its_totals_and_the_witness() {
    let (office, db) = office_of_ann("mon-fri");
    the_week(&db);
    office
        .console(&["holiday", "add", "2026-11-02", "--name", "Jour des Défunts"])
        .assert()
        .success();
    // (language, Monday…Saturday 16-21, late, left early, absent, holiday, total)
    let languages = [
        (
            "en",
            ["Mon 16", "Tue 17", "Wed 18", "Thu 19", "Sat 21"],
            ["late", "left early", "absent"],
            "holiday: Jour des Défunts",
            "Total",
        ),
        (
            "fr",
            ["lun. 16", "mar. 17", "mer. 18", "jeu. 19", "sam. 21"],
            ["en retard", "parti tôt", "absent"],
            "férié : Jour des Défunts",
            "Total",
        ),
        (
            "ht",
            ["len 16", "mad 17", "mèk 18", "jed 19", "sam 21"],
            ["an reta", "ale bonè", "absan"],
            "jou ferye: Jour des Défunts",
            "Total",
        ),
    ];
    for (lang, days, words, holiday, total) in languages {
        let pdf = office.dir.path().join(format!("sheet-{lang}.pdf"));
        office
            .console(&[
                "--lang",
                lang,
                "sheet",
                "--month",
                "2026-11",
                "ann",
                "--output",
                common::path_str(&pdf),
            ])
            .assert()
            .success()
            .stdout(predicates::str::contains("sheet-"));
        let text = text_of(&pdf);
        assert!(text.contains("Ann Thérèse Désir (ann)"), "{text}");
        let [monday, tuesday, wednesday, thursday, saturday] = days;
        let [late, early, absent] = words;
        let monday = row(&text, monday);
        assert!(
            monday.contains("08:25") && monday.contains("-0:25:00") && monday.contains(late),
            "{monday}"
        );
        let tuesday = row(&text, tuesday);
        assert!(
            tuesday.contains("14:00") && tuesday.contains(early),
            "{tuesday}"
        );
        assert!(row(&text, wednesday).ends_with(absent), "{text}");
        let thursday = row(&text, thursday);
        assert!(
            thursday.contains("08:05") && thursday.ends_with("-0:03:00"),
            "within the grace: {thursday}"
        );
        let saturday = row(&text, saturday);
        assert!(
            saturday.contains("1:00:00") && !saturday.contains("8:00:00"),
            "{saturday}"
        );
        assert!(text.contains(holiday), "{text}");
        // 20 working days (21 less the holiday), 160 hours expected; 8:25-16:00,
        // 8:00-14:00, 8:05-16:02, 8:00-15:55 and the Saturday's hour: 30:27:00.
        let total = row(&text, total);
        assert!(
            total.contains("160:00:00")
                && total.contains("30:27:00")
                && total.contains("-129:33:00"),
            "{total}"
        );
        assert!(
            text.contains(": 16 ") && text.contains(": 1"),
            "16 days absent, one late: {text}"
        );
        // The signed paper is a witness: `verify --witness` reads its text back.
        let paper = office.file(&format!("sheet-{lang}.txt"), text.as_bytes());
        office
            .console(&["verify", "--witness", common::path_str(&paper)])
            .assert()
            .success()
            .stdout(predicates::str::contains("1 checkpoint of"));
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(&pdf).unwrap().permissions(),
        );
        assert_eq!(mode & 0o777, 0o600, "it names people and their hours");
    }
    // Nowhere to write: one line naming the file, exit 1, nothing left behind.
    let nowhere = office.dir.path().join("no-such-folder/sheet.pdf");
    office
        .console(&[
            "sheet",
            "--month",
            "2026-11",
            "--output",
            common::path_str(&nowhere),
        ])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("no-such-folder/sheet.pdf"));
    office
        .console(&[
            "sheet", "--month", "2026-11", "--output", "x.pdf", "--format", "csv",
        ])
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

#[test]
fn the_monitors_day_judges_each_day_of_the_week_as_exceptions_do() {
    use konekte::clock::Zone;
    use konekte::exceptions::Kind;
    let (_office, db) = office_of_ann("mon-fri");
    the_week(&db);
    let ann = db.user("ann").unwrap().unwrap().id;
    let hour = 3_600_000;
    // Each day as the monitor sees it at 20:00, and Wednesday at 09:00 too.
    let judged = |day: u32, at_hour: i64| {
        let date = chrono::NaiveDate::from_ymd_opt(2026, 11, day).unwrap();
        let start = chrono::Utc
            .with_ymd_and_hms(2026, 11, day, 0, 0, 0)
            .unwrap()
            .timestamp_millis();
        let attendance = db
            .day_attendance(
                date,
                (start, start + 24 * hour),
                start + at_hour * hour,
                Zone::UTC,
            )
            .unwrap()
            .expect("a schedule is kept");
        let person = attendance.people.get(&ann).cloned();
        (
            person.map(|p| (p.kinds, p.came, p.expected.len())),
            attendance.late,
            attendance.absent,
        )
    };
    assert_eq!(judged(16, 20), (Some((vec![Kind::Late], true, 1)), 1, 0));
    assert_eq!(
        judged(17, 20),
        (Some((vec![Kind::LeftEarly], true, 1)), 0, 0)
    );
    assert_eq!(
        judged(18, 9),
        (Some((vec![Kind::Late], false, 1)), 1, 0),
        "not in yet"
    );
    assert_eq!(judged(18, 20), (Some((vec![Kind::Absent], false, 1)), 0, 1));
    assert_eq!(
        judged(19, 20),
        (Some((vec![], true, 1)), 0, 0),
        "within the grace"
    );
    assert_eq!(
        judged(20, 20),
        (Some((vec![Kind::NoLogout], true, 1)), 0, 0)
    );
    assert_eq!(
        judged(21, 20),
        (Some((vec![], true, 0)), 0, 0),
        "no work expected"
    );
    assert_eq!(
        judged(22, 20),
        (None, 0, 0),
        "Sunday: nothing expected, nobody came"
    );
}
