//! Local time in an office whose clocks change: Port-au-Prince goes from UTC-5 to
//! UTC-4 at 02:00 on 8 March 2026 (a day of 23 hours) and back at 02:00 on 1 November
//! (25 hours). Every conversion uses the offset of its own instant, whatever today's is.

mod common;

use common::{Office, stdout_of};
use serde_json::Value;

const HAITI: &str = "America/Port-au-Prince";

/// Sessions on the days the clocks change, and one in summer (times in ms UTC):
/// - ann: 1 Nov 00:00 EDT to 2 Nov 00:00 EST, the whole 25-hour day;
/// - bob: 8 Mar 00:00 EST to 9 Mar 00:00 EDT, the whole 23-hour day;
/// - cid: 15 Jul 00:30 to 01:00 EDT;
/// - dee: 1 Nov 01:40 to 01:50 EDT, then 01:10 to 01:20 EST (the hour that repeats);
///   8 Mar 03:20 to 03:40 EDT (just after the hour that is skipped).
fn office_across_the_changes() -> Office {
    let office = Office::with_history();
    office.sql(
        "DELETE FROM sessions;
         INSERT INTO sessions (id, user_id, session_key, host, login_time, last_seen, heartbeat_ms,
                               logout_time, end_reason) VALUES
           (10, 1, 'k10', 'desk', 1793505600000, 1793595600000, 5000, 1793595600000, 'logout'),
           (11, 2, 'k11', 'desk', 1772946000000, 1773028800000, 5000, 1773028800000, 'logout'),
           (12, 3, 'k12', 'desk', 1784089800000, 1784091600000, 5000, 1784091600000, 'logout'),
           (13, 4, 'k13', 'desk', 1793511600000, 1793512200000, 5000, 1793512200000, 'logout'),
           (14, 4, 'k14', 'desk', 1793513400000, 1793514000000, 5000, 1793514000000, 'logout'),
           (15, 4, 'k15', 'desk', 1772954400000, 1772955600000, 5000, 1772955600000, 'logout');",
    );
    office
}

fn in_haiti(office: &Office, args: &[&str]) -> String {
    let mut command = office.console(args);
    command.env("TZ", HAITI);
    stdout_of(command)
}

fn json_in_haiti(office: &Office, args: &[&str]) -> Value {
    serde_json::from_str(&in_haiti(office, args)).expect("JSON")
}

fn days_and_seconds(report: &Value) -> Vec<(String, i64)> {
    report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| {
            (
                row["day"].as_str().expect("a day").to_string(),
                row["seconds"].as_i64().expect("seconds"),
            )
        })
        .collect()
}

#[test]
fn the_day_the_clocks_go_back_has_25_hours() {
    let office = office_across_the_changes();
    let report = json_in_haiti(
        &office,
        &[
            "report",
            "ann",
            "--by",
            "day",
            "--since",
            "2026-10-31",
            "--until",
            "2026-11-03",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        days_and_seconds(&report),
        [("2026-11-01".to_string(), 25 * 3600)]
    );
}

#[test]
fn the_day_the_clocks_go_forward_has_23_hours() {
    let office = office_across_the_changes();
    let report = json_in_haiti(
        &office,
        &[
            "report",
            "bob",
            "--by",
            "day",
            "--since",
            "2026-03-07",
            "--until",
            "2026-03-10",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        days_and_seconds(&report),
        [("2026-03-08".to_string(), 23 * 3600)]
    );
}

#[test]
fn a_summer_session_is_found_and_shown_at_its_summer_hour_in_december() {
    let office = office_across_the_changes();
    let found = json_in_haiti(
        &office,
        &["last", "--present", "2026-07-15 00:45", "--format", "json"],
    );
    let ids: Vec<i64> = found
        .as_array()
        .expect("sessions")
        .iter()
        .map(|s| s["id"].as_i64().expect("an id"))
        .collect();
    assert_eq!(ids, [12]);
    let table = in_haiti(&office, &["last", "cid", "--time-format", "iso"]);
    assert!(table.contains("2026-07-15T00:30:00-04:00"), "{table}");
}

#[test]
fn the_repeated_hour_is_read_as_its_first_and_the_skipped_one_with_the_old_offset() {
    let office = office_across_the_changes();
    let ids = |present: &str| -> Vec<i64> {
        json_in_haiti(&office, &["last", "--present", present, "--format", "json"])
            .as_array()
            .expect("sessions")
            .iter()
            .map(|s| s["id"].as_i64().expect("an id"))
            .collect()
    };
    // 01:45 happens twice on 1 November: the first, in summer time (ann's day-long
    // session is there at both).
    assert_eq!(ids("2026-11-01 01:45"), [13, 10]);
    // Read as the second 01:15 (standard time), it would find dee's second session.
    assert_eq!(ids("2026-11-01 01:15"), [10]);
    // 02:30 never happens on 8 March: read at UTC-5, it is 03:30 summer time.
    assert_eq!(ids("2026-03-08 02:30"), [15, 11]);
}

#[test]
fn the_days_of_a_change_split_sessions_at_their_own_midnights() {
    let office = office_across_the_changes();
    // ann's 25 hours and dee's twice ten minutes, seen from 1 to 2 November: all on the
    // first, none on the second.
    let csv = in_haiti(
        &office,
        &[
            "report",
            "--by",
            "day",
            "--since",
            "2026-11-01",
            "--until",
            "2026-11-02",
            "--format",
            "csv",
        ],
    );
    let first = csv.lines().nth(1).expect("a day");
    assert!(first.starts_with("2026-11-01,2,3,91200,"), "{csv}");
    assert_eq!(csv.lines().count(), 2, "{csv}");
}
