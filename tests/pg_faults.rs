//! The shared server's faults, done for real to a PostgreSQL server of the test's own:
//! stopped and started again, every backend terminated, the network gone silent. The
//! terminals are the real binary in pseudo-terminals; what they must keep is checked in
//! the rows. These do not depend on the suite's backend: they run in its SQLite pass.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use common::Office;
use common::pg_server::{PgServer, SilentProxy};
use common::pty::{Terminal, wait_until};
use konekte::clock::now_ms;
use konekte::db::Dialect;
use konekte::db::testing::backend;

const UNREACHABLE: &str = "Database unreachable — reconnecting";

fn server(what: &str) -> Option<PgServer> {
    if backend() == Dialect::Postgres {
        return None; // run once, in the suite's first pass
    }
    PgServer::start(what)
}

/// The sample office on `server`, reached at `port` (the server's own, or a proxy's).
fn sample_office(server: &PgServer, port: u16) -> Office {
    let office = server.office(port);
    office
        .console(&["add-users", "--file", common::SAMPLE_CSV])
        .assert()
        .success();
    office
}

/// A terminal beating every second, with `username` logged in.
fn logged_in(office: &Office, username: &str, password: &str) -> Terminal {
    let mut terminal = Terminal::open(office, &["login", "--heartbeat", "1s"]);
    terminal.log_in(username, password);
    terminal
}

fn session_of(office: &Office, username: &str) -> common::SessionRow {
    office
        .sessions(&format!(
            "SELECT s.id, s.login_time, s.last_seen, s.logout_time, s.end_reason, s.end_note
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE u.username = '{username}' ORDER BY s.id DESC LIMIT 1"
        ))
        .pop()
        .expect("a session")
}

/// Presses the logout key; returns when.
fn log_out(terminal: &mut Terminal) -> i64 {
    let pressed = now_ms();
    terminal.type_keys("l");
    pressed
}

/// Whether `logout` is the time the key was pressed (as the terminal read it, a few
/// milliseconds on), not the time it could be written.
fn at_the_key(logout: i64, pressed: i64) -> bool {
    (pressed..pressed + 1_000).contains(&logout)
}

/// Waits until `username`'s heartbeats are written again after `since`.
fn beats_again(office: &Office, username: &str, since: i64) {
    wait_until(&format!("{username}'s heartbeats resume"), || {
        session_of(office, username).last_seen > since
    });
}

#[test]
fn a_server_restarted_loses_no_session_and_keeps_the_logout_pressed_meanwhile() {
    let Some(server) = server("a server restart") else {
        return;
    };
    let office = sample_office(&server, server.port);
    let mut leaving = logged_in(&office, "Hantz123", "Hantz123-2026");
    let staying = logged_in(&office, "Peterson002", "Peterson-2026");
    let mut stopped = logged_in(&office, "Wilbert001", "Wilbert-2026");

    let down = Instant::now();
    server.stop();
    leaving.wait_for(UNREACHABLE);
    let pressed = log_out(&mut leaving);
    // A terminal asked to stop while the server is down does not linger.
    stopped.signal("TERM");
    stopped.wait_exit();
    // The outage of an upgrade: five seconds.
    std::thread::sleep(Duration::from_secs(5).saturating_sub(down.elapsed()));
    server.start_again();
    let up = now_ms();

    wait_until("the logout pressed during the outage is written", || {
        session_of(&office, "Hantz123").logout_time.is_some()
    });
    let written = now_ms();
    let ended = session_of(&office, "Hantz123");
    assert_eq!(ended.end_reason.as_deref(), Some("logout"));
    let logout = ended.logout_time.expect("a logout time");
    assert!(
        at_the_key(logout, pressed),
        "the time the key was pressed ({pressed}), not when it was written: {logout}"
    );
    leaving.wait_for("Logged out");
    eprintln!(
        "back in service: the logout written {} ms after the server started",
        written - up
    );

    beats_again(&office, "Peterson002", up);
    assert_eq!(session_of(&office, "Peterson002").logout_time, None);
    assert_eq!(
        office.sql_count(
            "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.end_reason = 'lost' AND u.username <> 'Wilbert001'"
        ),
        0,
        "the outage is no one's loss (but the terminal stopped meanwhile)"
    );
    wait_until("the screen stops saying unreachable", || {
        !staying.contents().contains(UNREACHABLE)
    });
}

#[test]
fn every_backend_terminated_the_terminals_carry_on() {
    let Some(server) = server("every backend terminated") else {
        return;
    };
    let office = sample_office(&server, server.port);
    let mut terminal = logged_in(&office, "Hantz123", "Hantz123-2026");
    let mut monitor = Terminal::open(&office, &["monitor", "--heartbeat", "1s"]);
    monitor.log_in_to_monitor("Fedanoir", "Fedanoir-2026");

    let killed_at = now_ms();
    assert!(
        server.terminate_every_backend() >= 3,
        "the terminals' connections and the monitor's"
    );
    beats_again(&office, "Hantz123", killed_at);
    // The monitor listens again: a login made now shows on it.
    let _second = logged_in(&office, "Peterson002", "Peterson-2026");
    monitor.wait_for("Peterson002");
    let pressed = log_out(&mut terminal);
    wait_until("the logout is written", || {
        session_of(&office, "Hantz123").logout_time.is_some()
    });
    let logout = session_of(&office, "Hantz123")
        .logout_time
        .expect("written");
    assert!(at_the_key(logout, pressed), "{pressed} {logout}");
}

#[test]
fn a_connection_gone_silent_is_given_up_and_made_again() {
    let Some(server) = server("a silent network") else {
        return;
    };
    let proxy = SilentProxy::start(server.port);
    let office = sample_office(&server, proxy.port);
    let mut terminal = logged_in(&office, "Hantz123", "Hantz123-2026");

    proxy.go_silent();
    let silent = Instant::now();
    terminal.wait_for(UNREACHABLE);
    eprintln!(
        "a silent connection noticed after {} ms",
        silent.elapsed().as_millis()
    );
    let pressed = log_out(&mut terminal);
    proxy.heal();
    wait_until("the logout is written once the network is back", || {
        session_of(&office, "Hantz123").logout_time.is_some()
    });
    let ended = session_of(&office, "Hantz123");
    assert_eq!(ended.end_reason.as_deref(), Some("logout"));
    let logout = ended.logout_time.expect("written");
    assert!(at_the_key(logout, pressed), "{pressed} {logout}");
    terminal.wait_for("Logged out");
}

#[test]
fn what_the_server_says_is_what_the_terminal_says() {
    if backend() == Dialect::Postgres {
        return;
    }
    let Some(server) = PgServer::with_password("the server's reasons", "right-pw") else {
        return;
    };
    let home = tempfile::tempdir().expect("an empty home");
    let console = |database: &str, password: Option<&str>| {
        let mut command = assert_cmd::Command::cargo_bin("console").expect("the binary");
        command
            .args(["who"])
            .env("CONSOLE_DB", PgServer::url_at(server.port, database))
            .env("HOME", home.path())
            .env_remove("PGPASSWORD")
            .env_remove("PGPASSFILE")
            .env_remove("LANG")
            .env_remove("CONSOLE_LANG");
        if let Some(password) = password {
            command.env("PGPASSWORD", password);
        }
        command
    };
    let said = |database: &str, password: Option<&str>| {
        let output = console(database, password).output().expect("run");
        assert_eq!(output.status.code(), Some(74), "{output:?}");
        String::from_utf8(output.stderr).expect("UTF-8")
    };
    let wrong = said("konekte", Some("wrong-pw"));
    assert!(
        wrong.contains("password authentication failed for user \"konekte\""),
        "{wrong}"
    );
    let none = said("konekte", None);
    assert!(none.contains("~/.pgpass"), "{none}");
    let unknown = said("nosuch", Some("right-pw"));
    assert!(
        unknown.contains("database \"nosuch\" does not exist"),
        "{unknown}"
    );
    for said in [&wrong, &none, &unknown] {
        assert_eq!(said.lines().count(), 1, "{said}");
        assert!(said.starts_with("console: "), "{said}");
        assert!(
            !said.contains("db error") && !said.contains("invalid configuration"),
            "{said}"
        );
    }
    // A ~/.pgpass that others can read is ignored, and said so as console says things.
    let pgpass = home.path().join(".pgpass");
    std::fs::write(&pgpass, "*:*:*:*:right-pw\n").expect("a pgpass");
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o644)).expect("0644");
    let output = console("konekte", None).output().expect("run");
    let stderr = String::from_utf8(output.stderr).expect("UTF-8");
    let first = stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("console: ") && first.contains("chmod 600"),
        "{stderr}"
    );
}
