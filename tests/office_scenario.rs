//! A day at the office, through real pseudo-terminals and the real binary: three people
//! log in at three terminals and an admin watches. One logs out, one terminal is killed,
//! the admin ends the third session. Then `last`, `report` and `who` must agree, to the
//! second, with what happened.

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use common::pty::{Terminal, wait_until};
use common::{Office, stdout_of};
use serde_json::Value;

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_millis() as i64
}

/// Whether the monitor's pane titled `pane` (down to the next pane) has a line with all
/// of `texts`.
fn monitor_shows(monitor: &Terminal, pane: &str, texts: &[&str]) -> bool {
    let screen = monitor.contents();
    let lines: Vec<&str> = screen.lines().collect();
    let Some(start) = lines.iter().position(|l| l.contains(pane)) else {
        return false;
    };
    lines[start + 1..]
        .iter()
        .take_while(|l| !l.contains("╭"))
        .any(|l| texts.iter().all(|t| l.contains(t)))
}

/// The stored times of a user's only session: (login, last_seen, logout, ended_by).
fn stored(office: &Office, username: &str) -> (i64, i64, Option<i64>, Option<i64>) {
    let session = office
        .sessions(&format!(
            "SELECT s.id, s.login_time, s.last_seen, s.logout_time, s.end_reason, s.end_note
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = '{username}'"
        ))
        .pop()
        .expect(username);
    let ended_by = office.sql_count(&format!(
        "SELECT coalesce(max(ended_by), -1) FROM sessions WHERE id = {}",
        session.id
    ));
    (
        session.login_time,
        session.last_seen,
        session.logout_time,
        (ended_by >= 0).then_some(ended_by),
    )
}

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[test]
fn a_day_at_the_office_is_recorded_to_the_second() {
    let office = Office::with_sample_users();
    let mut monitor = Terminal::open_sized(&office, &["monitor", "--heartbeat", "200ms"], 120, 40);
    monitor.log_in_to_monitor("Fedanoir", "Fedanoir-2026");

    // Two terminals log in; the monitor shows both online.
    let mut front_desk = Terminal::open(&office, &["login", "--once"]);
    let mut archives = Terminal::open(&office, &["login", "--heartbeat", "200ms"]);
    front_desk.log_in("Hantz123", "Hantz123-2026");
    archives.log_in("Peterson002", "Peterson-2026");
    wait_until("both are online on the monitor", || {
        monitor_shows(&monitor, "Online now", &["Hantz123"])
            && monitor_shows(&monitor, "Online now", &["Peterson002"])
    });

    // One logs out.
    let before_logout = now_ms();
    front_desk.type_keys("l");
    front_desk.wait_exit();
    let after_logout = now_ms();
    wait_until("the logout is under Recently offline", || {
        monitor_shows(&monitor, "Recently offline", &["Hantz123", "logout"])
    });

    // One terminal is killed: after the sweep, its session is lost at its last beat.
    wait_until("a heartbeat of Peterson002", || {
        let (login, last_seen, _, _) = stored(&office, "Peterson002");
        last_seen > login
    });
    archives.signal("KILL");
    archives.wait_exit();
    wait_until("the killed terminal shows as lost", || {
        monitor_shows(&monitor, "Recently offline", &["Peterson002", "lost"])
    });

    // A third logs in, and the admin ends that session from the monitor.
    let mut annex = Terminal::open(&office, &["login", "--heartbeat", "200ms"]);
    annex.log_in("archives001", "archives001-2026");
    wait_until("archives001 is online", || {
        monitor_shows(&monitor, "Online now", &["archives001"])
    });
    monitor.type_keys("\t");
    monitor.wait_for("Online now · 2 sessions · sort");
    // The cursor stays on the person it was on (Fedanoir); archives001 sorts first.
    monitor.type_keys("g");
    monitor.type_keys("e");
    monitor.wait_for("archives001 archives");
    let before_end = now_ms();
    monitor.type_keys("y");
    annex.wait_for("ended by an administrator");
    let after_end = now_ms();
    monitor.type_keys("q");
    monitor.wait_exit();

    // What the database says...
    let hantz = stored(&office, "Hantz123");
    let peterson = stored(&office, "Peterson002");
    let clerk = stored(&office, "archives001");
    let hantz_logout = hantz.2.expect("Hantz123 logged out");
    assert!((before_logout..=after_logout).contains(&hantz_logout));
    assert_eq!(peterson.2, Some(peterson.1), "lost at its last heartbeat");
    let clerk_end = clerk.2.expect("archives001 was ended");
    assert!((before_end..=after_end).contains(&clerk_end));
    let fedanoir_id = office.sql_count("SELECT id FROM users WHERE username = 'Fedanoir'");
    assert_eq!(
        clerk.3,
        Some(fedanoir_id),
        "ended by the admin who pressed y"
    );

    // ...is what `last` says, to the second.
    let last: Value =
        serde_json::from_str(&stdout_of(office.console(&["last", "--format", "json"]))).unwrap();
    let session = |username: &str| -> &Value {
        last.as_array()
            .unwrap()
            .iter()
            .find(|s| s["username"] == username)
            .expect(username)
    };
    let expectations = [
        ("Hantz123", hantz, "logout"),
        ("Peterson002", peterson, "lost"),
        ("archives001", clerk, "forced"),
    ];
    for (username, (login, _, logout, _), reason) in expectations {
        let logout = logout.unwrap();
        let row = session(username);
        assert_eq!(row["end_reason"], reason, "{username}");
        assert_eq!(row["login_time"], rfc3339(login), "{username}");
        assert_eq!(row["logout_time"], rfc3339(logout), "{username}");
        assert_eq!(
            row["duration_seconds"],
            (logout - login) / 1000,
            "{username}"
        );
    }
    assert_eq!(
        session("Fedanoir")["end_reason"],
        "logout",
        "leaving the monitor logs out"
    );
    assert_eq!(last.as_array().unwrap().len(), 4);

    // `report` counts the same seconds per user.
    let report: Value =
        serde_json::from_str(&stdout_of(office.console(&["report", "--format", "json"]))).unwrap();
    for (username, (login, _, logout, _), _) in expectations {
        let row = report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["username"] == username)
            .expect(username);
        assert_eq!(
            row["seconds"],
            (logout.unwrap() - login) / 1000,
            "{username}"
        );
        assert_eq!(row["sessions"], 1, "{username}");
    }

    // And nobody is online any more.
    let who: Value =
        serde_json::from_str(&stdout_of(office.console(&["who", "--format", "json"]))).unwrap();
    assert_eq!(who["active_users"], 0);
    assert_eq!(who["sessions"], Value::Array(vec![]));
}
