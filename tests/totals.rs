//! Each person's totals kept by the database (`user_totals`, schema 10) as sessions end,
//! are corrected, voided and pruned: `report` over the whole history reads them, and
//! says exactly what it says when it counts every session itself.

mod common;

use common::{Office, stdout_of};
use konekte::db::Correction;
use konekte::db::Db;
use konekte::db::testing::person;
use konekte::model::{EndReason, Origin, Role};
use rand::{RngExt, SeedableRng};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;
/// Monday 2026-11-02, 00:00 UTC.
const MONDAY: i64 = 1_793_577_600_000;

fn worked(db: &Db, user: &str, from: i64, to: i64) -> i64 {
    let id = db.user(user).unwrap().unwrap().id;
    let session = db
        .open_session(id, &Origin::default(), 5_000, from)
        .unwrap();
    db.close_session(session.id, EndReason::Logout, to, None, None)
        .unwrap();
    session.id
}

/// (sessions, corrected, connected, summed, first login, last logout) of `user`.
fn kept(db: &Db, user: &str) -> Option<(i64, i64, i64, i64, i64, i64)> {
    let id = db.user(user).unwrap().unwrap().id;
    db.person_totals(None)
        .unwrap()
        .into_iter()
        .find(|totals| totals.user_id == id)
        .map(|t| {
            let times = (t.connected, t.summed, t.first_login, t.last_logout);
            (t.sessions, t.corrected, times.0, times.1, times.2, times.3)
        })
}

/// The report of everything as the kept totals give it, and as every session does
/// (a range from 1970 reads them all).
fn both_reports(office: &Office) -> (String, String) {
    let kept = stdout_of(office.console(&["report", "--format", "csv"]));
    let counted =
        stdout_of(office.console(&["report", "--since", "1970-01-01", "--format", "csv"]));
    (kept, counted)
}

/// The two reports agree, except that a person online has gone on working between
/// them: their connected time (seconds and hours) may have grown by a few seconds.
fn assert_same_but_the_clock(kept: &str, counted: &str) {
    assert_eq!(
        kept.lines().count(),
        counted.lines().count(),
        "{kept}\n{counted}"
    );
    for (kept_line, counted_line) in kept.lines().zip(counted.lines()) {
        let kept_cells: Vec<&str> = kept_line.split(',').collect();
        let counted_cells: Vec<&str> = counted_line.split(',').collect();
        let online = kept_cells.get(7) == Some(&"");
        if !online {
            assert_eq!(kept_line, counted_line);
            continue;
        }
        let (seconds, hours) = (3, 4);
        for (n, (k, c)) in kept_cells.iter().zip(&counted_cells).enumerate() {
            if n != seconds && n != hours {
                assert_eq!(k, c, "column {n}: {kept_line} / {counted_line}");
            }
        }
        let grown = counted_cells[seconds].parse::<i64>().unwrap()
            - kept_cells[seconds].parse::<i64>().unwrap();
        assert!((0..=5).contains(&grown), "{kept_line} / {counted_line}");
    }
}

#[test]
fn two_terminals_at_once_count_once_and_a_correction_recounts() {
    let office = Office::new();
    let db = Db::open(&office.target).unwrap();
    let people = [
        person("ann", Role::Secretaire),
        person("bob", Role::Archives),
    ];
    db.create_users(&people, false, 0).unwrap();
    // Ann at two terminals, 08:00-12:00 and 10:00-14:00: six hours, eight summed.
    let desk = worked(&db, "ann", MONDAY + 8 * HOUR, MONDAY + 12 * HOUR);
    worked(&db, "ann", MONDAY + 10 * HOUR, MONDAY + 14 * HOUR);
    let (first, last) = (MONDAY + 8 * HOUR, MONDAY + 14 * HOUR);
    assert_eq!(
        kept(&db, "ann"),
        Some((2, 0, 6 * HOUR, 8 * HOUR, first, last))
    );
    // Bob's three days on end, and two hours within them: 72 hours.
    worked(&db, "bob", MONDAY, MONDAY + 3 * DAY);
    worked(
        &db,
        "bob",
        MONDAY + DAY + 10 * HOUR,
        MONDAY + DAY + 12 * HOUR,
    );
    let bob = kept(&db, "bob").unwrap();
    assert_eq!((bob.2, bob.3), (72 * HOUR, 74 * HOUR));
    // The desk's session voided: the other alone counts.
    db.correct(Correction::Void { session: desk }, "in error")
        .unwrap();
    let ann = (1, 0, 4 * HOUR, 4 * HOUR, MONDAY + 10 * HOUR, last);
    assert_eq!(kept(&db, "ann"), Some(ann));
    // An afternoon added from the paper register, and an end moved.
    let ann_id = db.user("ann").unwrap().unwrap().id;
    let added = Correction::Add {
        user_id: ann_id,
        start: MONDAY + DAY + 13 * HOUR,
        end: MONDAY + DAY + 15 * HOUR,
    };
    let paper = db.correct(added, "paper").unwrap();
    let moved = Correction::End {
        session: paper,
        at: MONDAY + DAY + 17 * HOUR,
    };
    db.correct(moved, "stayed late").unwrap();
    let ann = (
        2,
        1,
        8 * HOUR,
        8 * HOUR,
        MONDAY + 10 * HOUR,
        MONDAY + DAY + 17 * HOUR,
    );
    assert_eq!(kept(&db, "ann"), Some(ann));
    let (kept_report, counted) = both_reports(&office);
    assert_eq!(kept_report, counted);
    assert!(
        kept_report.contains("ann,secretaire,2,28800,"),
        "{kept_report}"
    );
}

#[test]
fn a_random_history_reports_the_same_from_the_totals_as_from_every_session() {
    let office = Office::new();
    let db = Db::open(&office.target).unwrap();
    let names = ["ann", "bob", "cid", "dee"];
    let people: Vec<_> = names.iter().map(|n| person(n, Role::Secretaire)).collect();
    db.create_users(&people, false, 0).unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(20);
    let mut sessions = Vec::new();
    for _ in 0..160 {
        let who = names[rng.random_range(0..names.len())];
        let from = MONDAY + rng.random_range(0..20 * DAY);
        // Mostly a few hours; some a moment, some longer than a day.
        let lasted = match rng.random_range(0..10) {
            0 => 0,
            1 => rng.random_range(DAY..3 * DAY),
            _ => rng.random_range(60_000..9 * HOUR),
        };
        sessions.push(worked(&db, who, from, from + lasted));
    }
    for (n, session) in sessions.iter().enumerate() {
        let correction = match n % 7 {
            0 => Correction::Void { session: *session },
            3 => Correction::End {
                session: *session,
                at: MONDAY + rng.random_range(0..21 * DAY),
            },
            _ => continue,
        };
        // A correction that would overlap or end before its start is refused: fine.
        let _ = db.correct(correction, "test");
    }
    // One person online: their history is counted session by session.
    let ann = db.user("ann").unwrap().unwrap().id;
    db.open_session(ann, &Origin::default(), 5_000, db.now())
        .unwrap();
    let (kept_report, counted) = both_reports(&office);
    assert_same_but_the_clock(&kept_report, &counted);
    assert_eq!(kept_report.lines().count(), 5, "{kept_report}");
    // The first ten days pruned: the totals lose them as the report does.
    office
        .console(&["prune", "--before", "2026-11-12"])
        .assert()
        .success();
    let (kept_report, counted) = both_reports(&office);
    assert_same_but_the_clock(&kept_report, &counted);
}
