//! `console login` in a real pseudo-terminal: every way a session ends is written.

mod common;

use common::pty::{Terminal, wait_until};
use common::{Office, stdout_of};

fn ended(office: &Office) -> bool {
    office
        .latest_session()
        .is_some_and(|s| s.logout_time.is_some())
}

#[test]
fn log_in_see_the_session_log_out() {
    let office = Office::with_sample_users();
    let mut terminal = Terminal::open(&office, &["login", "--once"]);
    terminal.log_in("Hantz123", "Hantz123-2026");
    let screen = terminal.wait_for("Hantz Dorvil (Hantz123)");
    assert!(screen.contains("secretaire"), "{screen}");
    assert!(screen.contains("First login"), "{screen}");
    let open = office.latest_session().expect("a session row");
    assert_eq!(open.logout_time, None);

    terminal.type_keys("l");
    assert_eq!(terminal.wait_exit(), 0);
    let closed = office.latest_session().unwrap();
    assert_eq!(closed.end_reason.as_deref(), Some("logout"));
    assert!(closed.logout_time.unwrap() >= closed.login_time);
}

#[test]
fn after_logout_the_next_person_gets_an_empty_login_screen() {
    let office = Office::with_sample_users();
    let mut terminal = Terminal::open(&office, &[]);
    terminal.log_in("Hantz123", "Hantz123-2026");
    terminal.type_keys("L");
    let screen = terminal.wait_for("Logged out. Session lasted");
    assert!(
        !screen.contains("Hantz123"),
        "the last name must be cleared:\n{screen}"
    );
    terminal.log_in("Peterson002", "Peterson-2026");
    let screen = terminal.wait_for("Peterson Michel (Peterson002)");
    assert!(screen.contains("First login"), "{screen}");
    terminal.type_keys("l");
    terminal.wait_for("Logged out");
    terminal.type_keys("\x03"); // Ctrl-C on the login screen quits
    assert_eq!(terminal.wait_exit(), 0);
    assert_eq!(
        office.sql_count("SELECT count(*) FROM sessions WHERE end_reason = 'logout'"),
        2
    );
}

#[test]
fn the_previous_login_is_shown_as_lastlog_does() {
    let office = Office::with_sample_users();
    let mut terminal = Terminal::open(&office, &[]);
    terminal.log_in("Hantz123", "Hantz123-2026");
    terminal.type_keys("l");
    terminal.wait_for("Logged out");
    terminal.log_in("Hantz123", "Hantz123-2026");
    let screen = terminal.wait_for("Previous login");
    assert!(screen.contains("/dev/pts/"), "{screen}");
}

#[test]
fn no_key_for_the_idle_timeout_logs_out_at_the_deadline() {
    let office = Office::with_sample_users();
    let mut terminal = Terminal::open(&office, &["login", "--once", "--idle-timeout", "2s"]);
    terminal.log_in("Hantz123", "Hantz123-2026");
    terminal.wait_for("No activity: logging out in");
    assert_eq!(terminal.wait_exit(), 0);
    let session = office.latest_session().unwrap();
    assert_eq!(session.end_reason.as_deref(), Some("idle"));
    assert_eq!(session.logout_time.unwrap() - session.login_time, 2_000);
}

fn hangup_by(signal: &str) {
    let office = Office::with_sample_users();
    let mut terminal = Terminal::open(&office, &["login"]);
    terminal.log_in("Hantz123", "Hantz123-2026");
    terminal.signal(signal);
    terminal.wait_exit();
    let session = office.latest_session().unwrap();
    assert_eq!(
        session.end_reason.as_deref(),
        Some("hangup"),
        "after SIG{signal}"
    );
}

#[test]
fn sighup_closes_the_session_as_a_hangup() {
    hangup_by("HUP");
}

#[test]
fn sigterm_closes_the_session_as_a_hangup() {
    hangup_by("TERM");
}

#[test]
fn closing_the_terminal_closes_the_session_as_a_hangup() {
    let office = Office::with_sample_users();
    let mut terminal = Terminal::open(&office, &["login"]);
    terminal.log_in("Hantz123", "Hantz123-2026");
    terminal.close();
    terminal.wait_exit();
    let session = office.latest_session().unwrap();
    assert_eq!(session.end_reason.as_deref(), Some("hangup"));
}

#[test]
fn an_admin_ends_the_session_and_the_terminal_says_so() {
    let office = Office::with_sample_users();
    let mut terminal = Terminal::open(&office, &["login", "--heartbeat", "200ms"]);
    terminal.log_in("Hantz123", "Hantz123-2026");
    let id = office.latest_session().unwrap().id.to_string();
    office
        .console(&["end-session", &id, "--reason", "closing time"])
        .env("SUDO_USER", "marie")
        .assert()
        .success();
    terminal.wait_for("ended by an administrator");
    let session = office.latest_session().unwrap();
    assert_eq!(session.end_reason.as_deref(), Some("forced"));
    assert_eq!(session.end_note.as_deref(), Some("closing time"));
    let last = stdout_of(office.console(&["last", "Hantz123", "--format", "csv"]));
    assert!(
        last.lines()
            .nth(1)
            .is_some_and(|l| l.ends_with(",forced,marie,closing time,,,console")),
        "who ran the command, as sudo tells: {last}"
    );
    // Ended once: a second end is refused and changes nothing.
    office.console(&["end-session", &id]).assert().code(1);
    assert_eq!(office.latest_session().unwrap(), session);
    drop(terminal);
}

#[test]
fn a_killed_terminal_is_lost_at_its_last_heartbeat() {
    let office = Office::with_sample_users();
    let mut terminal = Terminal::open(&office, &["login", "--heartbeat", "200ms"]);
    terminal.log_in("Hantz123", "Hantz123-2026");
    wait_until("a heartbeat is written", || {
        office
            .latest_session()
            .is_some_and(|s| s.last_seen > s.login_time)
    });
    terminal.signal("KILL");
    terminal.wait_exit();
    assert!(!ended(&office), "nobody has swept yet");
    // Any command that reads sessions sweeps first.
    stdout_of(office.console(&["users", "list"]));
    let session = office.latest_session().unwrap();
    assert_eq!(session.end_reason.as_deref(), Some("lost"));
    assert_eq!(session.logout_time, Some(session.last_seen));
}

#[test]
fn a_generated_password_is_changed_before_the_session_starts() {
    let office = Office::new();
    let out = stdout_of(office.console(&["add-users", "--role", "archives", "--count", "1"]));
    let password = out
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .nth(2)
        .unwrap()
        .to_string();
    let mut terminal = Terminal::open(&office, &["login", "--once"]);
    terminal.wait_for("Username");
    terminal.type_keys(&format!("archives001\t{password}\r"));
    terminal.wait_for("Choose a new password");
    assert!(
        office.latest_session().is_none(),
        "no session before the change"
    );
    terminal.type_keys(&format!("{password}\t{password}\r"));
    terminal.wait_for("must differ");
    terminal.type_keys("fresh-secret-1\tfresh-secret-1\r");
    terminal.wait_for("log out");
    assert_eq!(
        office.sql_count("SELECT must_change_password FROM users WHERE username = 'archives001'"),
        0
    );
    terminal.type_keys("l");
    terminal.wait_exit();
}

#[test]
fn failures_read_the_same_and_an_unknown_name_locks_like_a_real_one() {
    let office = Office::with_sample_users();
    office
        .console(&["users", "disable", "secretaire002"])
        .assert()
        .success();
    let mut terminal = Terminal::open(&office, &[]);
    terminal.wait_for("Username");
    let mut messages = Vec::new();
    for (name, password) in [
        ("nobody", "whatever-pw"),
        ("Hantz123", "wrong-password"),
        ("secretaire002", "secretaire002-2026"),
    ] {
        terminal.type_keys("\x1b"); // Esc clears the form
        terminal.type_keys(&format!("{name}\t{password}\r"));
        let screen = terminal.wait_for("Invalid username or password");
        messages.push(
            screen
                .lines()
                .find(|l| l.contains("Invalid"))
                .unwrap()
                .trim()
                .to_string(),
        );
        terminal.type_keys("\x1b");
        wait_until("the form is cleared", || {
            !terminal.contents().contains("Invalid")
        });
    }
    assert!(
        messages.windows(2).all(|pair| pair[0] == pair[1]),
        "{messages:?}"
    );

    for _ in 0..4 {
        terminal.type_keys("\x1bghost-user\tguess-guess\r");
        terminal.wait_for("Invalid username or password");
        terminal.type_keys("\x1b");
        wait_until("the form is cleared", || {
            !terminal.contents().contains("Invalid")
        });
    }
    terminal.type_keys("\x1bghost-user\tguess-guess\r");
    terminal.wait_for("Too many failed attempts: locked until");
    assert_eq!(
        office.sql_count("SELECT count(*) FROM login_attempts WHERE username_typed = 'ghost-user'"),
        5
    );
    assert_eq!(office.sql_count("SELECT count(*) FROM login_attempts"), 8);
}

#[test]
fn a_shared_terminal_cannot_turn_off_its_idle_timeout() {
    let office = Office::with_sample_users();
    office
        .console(&["login", "--idle-timeout", "off"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("for the monitor only"));
}

#[test]
fn listings_fit_an_80_column_terminal_without_cutting_a_name() {
    let office = Office::with_history_of_long_names();
    for args in [&["last"][..], &["who"], &["users", "list"], &["failures"]] {
        let mut terminal = Terminal::open_sized(&office, args, 80, 24);
        terminal.wait_exit();
        let screen = terminal.contents();
        assert!(
            screen.contains("secretaire_principale") || screen.contains("archiviste_principale"),
            "{args:?} cut a name:\n{screen}"
        );
        assert!(
            !screen
                .lines()
                .any(|line| line.trim_start().starts_with("ale")),
            "{args:?} wrapped a name:\n{screen}"
        );
        let rows = screen
            .lines()
            .filter(|line| !line.trim().is_empty())
            .count();
        let expected = match args[0] {
            // The rows, then where the history begins.
            "last" => 2 + 5 + 1,
            "who" => 2 + 1,
            "users" => 2 + 4,
            _ => rows,
        };
        assert_eq!(rows, expected, "{args:?}: one line a row:\n{screen}");
    }
}

#[test]
fn at_80_columns_the_columns_people_need_stay() {
    let header = |office: &Office, args: &[&str]| {
        let mut terminal = Terminal::open_sized(office, args, 80, 24);
        terminal.wait_exit();
        terminal
            .contents()
            .lines()
            .next()
            .unwrap_or_default()
            .to_string()
    };
    // The office's own names: the full name fits beside them, and is kept.
    let users = header(&Office::with_sample_users(), &["users", "list"]);
    assert!(users.contains("Full name"), "{users}");
    // end-session needs the id of a session: last keeps it.
    let last = header(&Office::with_history_of_long_names(), &["last"]);
    assert!(last.trim_start().starts_with("ID "), "{last}");
}

#[test]
fn a_panic_restores_the_terminal_and_ends_the_process_and_its_session() {
    let office = Office::with_sample_users();
    let mut terminal = Terminal::open_with(
        &office,
        &["login", "--heartbeat", "1s"],
        (80, 24),
        &[("KONEKTE_TEST_FAULT", "worker-panic")],
    );
    terminal.log_in("Hantz123", "Hantz123-2026");
    // The first heartbeat panics the worker: the process ends on its own, non-zero.
    let code = terminal.wait_exit();
    assert_ne!(code, 0);
    let screen = terminal.contents();
    assert!(
        !screen.contains("Username") && !screen.contains("log out"),
        "no screen of konekte is left up, with echo back on:\n{screen}"
    );
    assert_eq!(
        screen.matches("injected fault").count(),
        1,
        "the panic is told once:\n{screen}"
    );
    let session = office.latest_session().expect("a session row");
    assert_eq!(
        session.end_reason.as_deref(),
        Some("hangup"),
        "the session is closed through a connection of its own"
    );
}

#[test]
fn on_a_kiosk_ctrl_c_during_a_session_ends_nothing() {
    let office = Office::with_sample_users();
    let mut terminal = Terminal::open(&office, &["login", "--no-quit"]);
    terminal.log_in("Hantz123", "Hantz123-2026");
    terminal.type_keys("\x03");
    terminal.type_keys("l");
    terminal.wait_for("Logged out");
    let session = office.latest_session().expect("a session");
    assert_eq!(
        session.end_reason.as_deref(),
        Some("logout"),
        "Ctrl-C was not a hangup"
    );
    terminal.type_keys("\x03");
    terminal.wait_for("Username");
    terminal.signal("TERM");
    terminal.wait_exit();
}

/// Whether the process is a zombie: killed, its parent (this test) not yet told.
fn zombie(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'))
    })
}

#[test]
fn a_terminal_killed_and_not_yet_reaped_is_lost_at_the_next_sweep() {
    let office = Office::with_sample_users();
    for round in 0..10 {
        // A long heartbeat: only its dead process can tell the session is lost.
        let mut terminal = Terminal::open(&office, &["login", "--heartbeat", "1h"]);
        terminal.log_in("Hantz123", "Hantz123-2026");
        terminal.signal("KILL");
        wait_until("the killed terminal is a zombie", || zombie(terminal.pid()));
        stdout_of(office.console(&["who"]));
        let session = office.latest_session().expect("a session");
        assert_eq!(session.end_reason.as_deref(), Some("lost"), "round {round}");
        terminal.wait_exit();
    }
}

/// Username, Tab, password, Enter, on a terminal whose session is a program.
fn log_in_to_program(terminal: &mut Terminal, username: &str, password: &str) {
    terminal.wait_for("Username");
    terminal.type_keys(&format!("{username}\t{password}\r"));
}

/// A file of the test's office the program writes to, and what it holds.
fn told(office: &Office, name: &str) -> String {
    std::fs::read_to_string(office.dir.path().join(name)).unwrap_or_default()
}

#[test]
fn the_offices_program_runs_as_the_session_and_its_exit_is_the_logout() {
    let office = Office::with_sample_users();
    let program = "echo \"hello $KONEKTE_USER $KONEKTE_ROLE session $KONEKTE_SESSION\"; \
                   printf 'name? '; read line; echo \"bye $line\"";
    let mut terminal = Terminal::open(&office, &["login", "--exec", program]);
    log_in_to_program(&mut terminal, "Hantz123", "Hantz123-2026");
    terminal.wait_for("hello Hantz123 secretaire session ");
    let open = office.latest_session().expect("a session");
    terminal.wait_for(&format!("hello Hantz123 secretaire session {}", open.id));
    terminal.wait_for("name? ");
    assert_eq!(office.latest_session().unwrap().logout_time, None);
    terminal.type_keys("Zoé\r");
    terminal.wait_for("Logged out");
    let closed = office.latest_session().unwrap();
    assert_eq!(closed.end_reason.as_deref(), Some("logout"));
    // The next person gets the login screen, drawn whole over the program's lines.
    let screen = terminal.wait_for("Username");
    assert!(!screen.contains("hello"), "{screen}");
}

#[test]
fn a_roles_program_is_run_over_everyones() {
    let office = Office::with_sample_users();
    let mut terminal = Terminal::open(
        &office,
        &[
            "login",
            "--exec",
            "echo everyone; read line",
            "--exec-role",
            "secretaire=echo the secretaries; read line",
        ],
    );
    log_in_to_program(&mut terminal, "Hantz123", "Hantz123-2026");
    let screen = terminal.wait_for("the secretaries");
    assert!(!screen.contains("everyone"), "{screen}");
    terminal.type_keys("\r");
    terminal.wait_for("Logged out");
}

#[test]
fn idle_is_the_persons_keys_not_the_programs_output() {
    let office = Office::with_sample_users();
    let pid_file = office.dir.path().join("pid");
    let program = format!(
        "echo $$ > {}; trap '' HUP; while :; do echo tick; sleep 0.1; done",
        pid_file.display()
    );
    let mut terminal = Terminal::open(
        &office,
        &[
            "login",
            "--idle-timeout",
            "3s",
            "--heartbeat",
            "200ms",
            "--exec",
            &program,
        ],
    );
    log_in_to_program(&mut terminal, "Hantz123", "Hantz123-2026");
    terminal.wait_for("tick");
    let login = office.latest_session().unwrap().login_time;
    // A key of the person's is activity, and the heartbeat says so.
    terminal.type_keys("x");
    let last_key = || office.sql_count("SELECT last_key FROM sessions ORDER BY id DESC LIMIT 1");
    wait_until("the key told by a heartbeat", || last_key() > login);
    let key = last_key();
    // The program writes all the while; the session still ends, 3 s after the key.
    terminal.wait_for("Logged out after inactivity");
    let ended = office.latest_session().unwrap();
    assert_eq!(ended.end_reason.as_deref(), Some("idle"));
    assert!(ended.logout_time.unwrap() >= key + 3_000, "{ended:?}");
    // Deaf to SIGHUP, it is killed after the grace.
    let pid = told(&office, "pid").trim().to_string();
    wait_until("the program killed", || {
        !std::process::Command::new("kill")
            .args(["-0", &pid])
            .status()
            .expect("kill")
            .success()
    });
}

#[test]
fn an_admins_end_and_a_closed_terminal_reach_the_program_as_a_hangup() {
    let office = Office::with_sample_users();
    let hup = office.dir.path().join("hup");
    let program = format!(
        "trap 'echo $KONEKTE_USER >> {}; exit 0' HUP; echo ready; while :; do sleep 0.1; done",
        hup.display()
    );
    let mut terminal = Terminal::open(
        &office,
        &["login", "--heartbeat", "200ms", "--exec", &program],
    );
    log_in_to_program(&mut terminal, "Hantz123", "Hantz123-2026");
    terminal.wait_for("ready");
    let id = office.latest_session().unwrap().id.to_string();
    office.console(&["end-session", &id]).assert().success();
    terminal.wait_for("ended by an administrator");
    wait_until("the program's hangup", || {
        told(&office, "hup") == "Hantz123\n"
    });
    assert_eq!(
        office.latest_session().unwrap().end_reason.as_deref(),
        Some("forced")
    );
    // The next person's program, and the terminal closed under it.
    log_in_to_program(&mut terminal, "Fedanoir", "Fedanoir-2026");
    terminal.wait_for("ready");
    terminal.close();
    terminal.wait_exit();
    wait_until("the second program's hangup", || {
        told(&office, "hup") == "Hantz123\nFedanoir\n"
    });
    assert_eq!(
        office.latest_session().unwrap().end_reason.as_deref(),
        Some("hangup")
    );
}
