//! `console monitor` and `console demo` in real pseudo-terminals.

mod common;

use common::Office;
use common::pam::Holder;
use common::pty::{Terminal, wait_until};

/// The line of the "Online now" pane, or of "Recently offline", that names `user`.
fn pane_lines<'a>(screen: &'a str, pane: &str, next_pane: Option<&str>) -> Vec<&'a str> {
    let lines: Vec<&str> = screen.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.contains(pane))
        .unwrap_or(lines.len());
    let end = next_pane
        .and_then(|next| {
            lines
                .iter()
                .skip(start + 1)
                .position(|l| l.contains(next))
                .map(|p| p + start + 1)
        })
        .unwrap_or(lines.len());
    lines[start.min(end)..end].to_vec()
}

fn in_pane(terminal: &Terminal, pane: &str, next_pane: Option<&str>, text: &str) -> bool {
    let screen = terminal.contents();
    pane_lines(&screen, pane, next_pane)
        .iter()
        .any(|l| l.contains(text))
}

#[test]
fn a_login_elsewhere_shows_online_then_recently_offline() {
    let office = Office::with_sample_users();
    let mut monitor = Terminal::open_sized(&office, &["monitor"], 120, 40);
    monitor.log_in_to_monitor("Fedanoir", "Fedanoir-2026");
    assert!(!in_pane(
        &monitor,
        "Online now",
        Some("Recently offline"),
        "Hantz123"
    ));

    let mut desk = Terminal::open(&office, &["login", "--once"]);
    desk.log_in("Hantz123", "Hantz123-2026");
    wait_until("Hantz123 is under Online now", || {
        in_pane(&monitor, "Online now", Some("Recently offline"), "Hantz123")
    });
    desk.type_keys("l");
    desk.wait_exit();
    wait_until("Hantz123 is under Recently offline", || {
        in_pane(&monitor, "Recently offline", None, "Hantz123")
            && !in_pane(&monitor, "Online now", Some("Recently offline"), "Hantz123")
    });
    let screen = monitor.contents();
    let offline = pane_lines(&screen, "Recently offline", None);
    assert!(
        offline
            .iter()
            .any(|l| l.contains("Hantz123") && l.contains("logout")),
        "{screen}"
    );

    // Leaving the monitor logs the admin out.
    monitor.type_keys("q");
    monitor.wait_exit();
    assert_eq!(
        office.sql_count(
            "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE u.username = 'Fedanoir' AND s.end_reason = 'logout'"
        ),
        1
    );
}

#[test]
fn the_monitor_refuses_a_non_admin_with_the_same_message() {
    let office = Office::with_sample_users();
    let mut monitor = Terminal::open(&office, &["monitor"]);
    monitor.wait_for("Admin log in");
    monitor.type_keys("Hantz123\tHantz123-2026\r");
    monitor.wait_for("Invalid username or password");
    assert_eq!(
        office.sql_count("SELECT count(*) FROM login_attempts WHERE outcome = 'not_admin'"),
        1
    );
    assert_eq!(office.sql_count("SELECT count(*) FROM sessions"), 0);
}

#[test]
fn an_admin_ends_a_session_from_the_monitor() {
    let office = Office::with_sample_users();
    let mut monitor = Terminal::open_sized(&office, &["monitor"], 120, 40);
    monitor.log_in_to_monitor("Fedanoir", "Fedanoir-2026");
    let mut desk = Terminal::open(&office, &["login", "--heartbeat", "200ms"]);
    desk.log_in("Hantz123", "Hantz123-2026");
    wait_until("Hantz123 is online", || {
        in_pane(&monitor, "Online now", Some("Recently offline"), "Hantz123")
    });
    // Online now: Fedanoir first, Hantz123 second.
    monitor.type_keys("\t");
    monitor.wait_for("Online now · 2 sessions · sort");
    monitor.type_keys("j");
    monitor.type_keys("e");
    monitor.wait_for("End this session?");
    monitor.type_keys("y");
    desk.wait_for("ended by an administrator");
    let ended_by_fedanoir = office.sql_count(
        "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id
         JOIN users a ON a.id = s.ended_by
         WHERE u.username = 'Hantz123' AND s.end_reason = 'forced' AND a.username = 'Fedanoir'",
    );
    assert_eq!(ended_by_fedanoir, 1);
}

#[test]
fn the_demo_shows_the_office_and_leaves_nothing_behind() {
    let office = Office::new();
    let mut demo = Terminal::open_sized(&office, &["demo", "--terminals", "3"], 120, 40);
    demo.wait_for("DEMO");
    demo.wait_for("Fedanoir-2026");
    // Only simulated terminals have these host names.
    wait_until("a simulated terminal logs in", || {
        ["frontdesk", "archives-pc", "office-2"]
            .iter()
            .any(|host| in_pane(&demo, "Online now", Some("Recently offline"), host))
    });
    demo.type_keys("q");
    demo.wait_for("Leave the demo?");
    demo.type_keys("y");
    assert_eq!(demo.wait_exit(), 0);
    assert!(
        !office.has_database(),
        "CONSOLE_DB is not the demo's database"
    );
}

#[test]
fn the_demo_refuses_an_offices_file_and_keeps_a_new_one_it_was_given() {
    let office = Office::with_sample_users();
    if office.is_postgres() {
        return; // tests/postgres.rs has the server's case
    }
    let before = office.snapshot();
    office
        .console(&["demo", "--db", common::path_str(&office.db)])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("only on an empty database"));
    assert_eq!(office.snapshot(), before, "not one account added");
    // An office of an older schema (every office before its first upgrade) too, and
    // it is not upgraded by the refusal.
    office.sql("PRAGMA user_version = 5");
    let before = office.snapshot();
    office
        .console(&["demo", "--db", common::path_str(&office.db)])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("only on an empty database"));
    assert_eq!(office.snapshot(), before, "read, never written");

    let fresh = office.dir.path().join("demo-kept.db");
    let mut demo = Terminal::open_sized(
        &office,
        &["demo", "--terminals", "1", "--db", common::path_str(&fresh)],
        120,
        40,
    );
    demo.wait_for("DEMO");
    demo.type_keys("q");
    demo.wait_for("Its database file is kept.");
    demo.type_keys("y");
    assert_eq!(demo.wait_exit(), 0);
    assert!(fresh.exists(), "the file given is kept");
}

#[test]
fn a_login_of_the_pc_itself_shows_online_with_its_way_in() {
    let office = Office::with_sample_users();
    let mut monitor = Terminal::open_sized(&office, &["monitor"], 120, 40);
    monitor.log_in_to_monitor("Fedanoir", "Fedanoir-2026");
    // As pam_exec runs it from sshd's process for one connection, which then waits.
    let sshd = Holder::open(&office, "hantz123", "sshd");
    wait_until("the SSH login under Online now, marked ssh", || {
        let screen = monitor.contents();
        pane_lines(&screen, "Online now", Some("Recently offline"))
            .iter()
            .any(|l| l.contains("Hantz123") && l.contains(" ssh ") && l.contains("192.0.2.7"))
    });
    sshd.log_out(&office);
    wait_until("the SSH login under Recently offline", || {
        in_pane(&monitor, "Recently offline", None, "Hantz123")
    });
}
