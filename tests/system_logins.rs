//! The PC's own logins: `console pam` as pam_exec runs it (from the process that holds
//! the login), the host's agent (`console agent`), and, as root, the real things:
//! `pamtester` through a PAM service of the test's own, and an SSH login through a real
//! sshd on 127.0.0.1.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::pam::{Holder, PATIENCE, console_bin, wait_until};
use common::{Office, path_str, stdout_of, tool};
use konekte::db::testing::hold_write_lock;
use serde_json::Value;

fn json(office: &Office, args: &[&str]) -> Value {
    serde_json::from_str(&stdout_of(office.console(args))).expect("JSON")
}

#[test]
fn a_login_of_the_pc_is_opened_and_ended_by_the_process_that_holds_it() {
    let office = Office::with_sample_users();
    // The account's name, in another case: one person.
    let holder = Holder::open(&office, "HANTZ123", "sshd");
    let who = json(&office, &["who", "--format", "json"]);
    let session = &who["sessions"][0];
    assert_eq!(session["username"], "Hantz123");
    assert_eq!(session["role"], "secretaire");
    assert_eq!(session["via"], "ssh");
    assert_eq!(session["tty"], "/dev/pts/9");
    assert_eq!(session["remote_ip"], "192.0.2.7");
    // Its keys are the system's business: no idle time is claimed.
    assert!(session["idle_seconds"].is_null());
    assert_eq!(holder.session(&office, "heartbeat_ms"), 0, "nobody beats");
    holder.log_out(&office);
    let last = json(&office, &["last", "--format", "json"]);
    assert_eq!(last[0]["end_reason"], "logout");
    assert_eq!(last[0]["via"], "ssh");
    office.console(&["verify"]).assert().success();
}

#[test]
fn a_name_with_no_account_is_kept_and_counted_in_no_attendance() {
    let office = Office::with_sample_users();
    let holder = Holder::open(&office, "visitor", "login");
    let who = json(&office, &["who", "--format", "json"]);
    let session = &who["sessions"][0];
    assert_eq!(session["username"], "visitor");
    assert!(session["role"].is_null());
    assert_eq!(session["via"], "tty");
    holder.log_out(&office);
    let unknown = stdout_of(office.console(&["users", "list", "--unknown", "--format", "csv"]));
    let lines: Vec<&str> = unknown.lines().collect();
    assert_eq!(lines[0], "name,sessions,first_login,last_login");
    assert!(lines[1].starts_with("visitor,1,"), "{unknown}");
    assert_eq!(lines.len(), 2);
    assert!(stdout_of(office.console(&["last"])).contains("visitor"));
    // Its own history, by the name the system gave.
    let own = json(&office, &["last", "visitor", "--format", "json"]);
    assert_eq!(own.as_array().map(Vec::len), Some(1));
    assert_eq!(own[0]["username"], "visitor");
    office.console(&["last", "nobody"]).assert().code(65);
    for report in [
        vec!["report", "--format", "csv"],
        vec!["report", "--since", "1970-01-01", "--format", "csv"],
    ] {
        let report = stdout_of(office.console(&report));
        assert!(!report.contains("visitor"), "{report}");
    }
    // Its facts are in the journal like any other's.
    office.console(&["verify"]).assert().success();
}

#[test]
fn without_an_agent_a_login_of_the_pc_is_never_silent_and_is_lost_when_its_process_dies() {
    let office = Office::with_sample_users();
    let holder = Holder::open(&office, "Hantz123", "sshd");
    // An hour without a heartbeat: nobody beats for it, so that says nothing.
    office.sql("UPDATE sessions SET last_seen = last_seen - 3600000");
    office.console(&["who"]).assert().success();
    assert!(!holder.ended(&office), "taken for silent");
    let last_seen = holder.session(&office, "last_seen");
    // Its process gone: this machine's next sweep sees it.
    let pid = holder.child.id();
    holder.kill();
    office.console(&["who"]).assert().success();
    let row = office.sessions(&format!(
        "SELECT id, login_time, last_seen, logout_time, end_reason, end_note
         FROM sessions WHERE pid = {pid}"
    ));
    assert_eq!(row[0].end_reason.as_deref(), Some("lost"));
    assert_eq!(row[0].logout_time, Some(last_seen));
}

#[test]
fn pam_never_fails_a_login() {
    let office = Office::with_sample_users();
    let pam = |db: &str, kind: &str, user: Option<&str>| {
        let mut cmd = assert_cmd::Command::cargo_bin("console").expect("console");
        cmd.arg("pam")
            .env("CONSOLE_DB", db)
            .env("PAM_TYPE", kind)
            .env("PAM_SERVICE", "sshd")
            .env_remove("PAM_USER")
            .timeout(Duration::from_secs(20));
        if let Some(user) = user {
            cmd.env("PAM_USER", user);
        }
        cmd
    };
    let missing = office.dir.path().join("nowhere.db");
    pam(path_str(&missing), "open_session", Some("Hantz123"))
        .assert()
        .success()
        .stderr(predicates::str::contains("no database here"));
    assert!(!missing.exists());
    pam(&office.console_db, "open_session", None)
        .assert()
        .success()
        .stderr(predicates::str::contains("no PAM_USER"));
    // The other stacks (auth, account, password) are not konekte's business.
    pam(&office.console_db, "auth", Some("Hantz123"))
        .assert()
        .success();
    // A database held by another program: the login goes on after 2 s, unrecorded.
    let lock = hold_write_lock(&office.target);
    pam(&office.console_db, "open_session", Some("Hantz123"))
        .assert()
        .success()
        .stderr(predicates::str::contains("did not answer within 2 s"));
    lock.release();
    assert_eq!(office.sql_count("SELECT count(*) FROM sessions"), 0);
}

/// `console agent` on this office, beating every 300 ms; killed if the test fails.
#[test]
fn an_agent_installed_before_the_offices_database_waits_for_it() {
    let office = Office::new();
    let mut child = Command::new(console_bin())
        .args(["agent", "--heartbeat", "200ms"])
        .env("CONSOLE_DB", &office.console_db)
        .env("CONSOLE_CONFIG_SYSTEM", "")
        .stderr(Stdio::piped())
        .spawn()
        .expect("the agent");
    let said = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let stderr = child.stderr.take().expect("its stderr");
    let heard = std::sync::Arc::clone(&said);
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            heard.lock().unwrap().push_str(&(line + "\n"));
        }
    });
    let agent = Agent(child);
    let has_said = |what: &str| said.lock().unwrap().contains(what);
    wait_until("the agent to wait", PATIENCE, || {
        has_said("waiting for the database")
    });
    office
        .console(&["add-users", "--file", common::SAMPLE_CSV])
        .assert()
        .success();
    wait_until("the agent to beat", PATIENCE, || {
        has_said("beating every 200 ms")
    });
    let told = said.lock().unwrap().clone();
    assert_eq!(
        told.matches("waiting for the database").count(),
        1,
        "said once: {told}"
    );
    agent.stop();
}

struct Agent(Child);

impl Agent {
    fn start(office: &Office) -> Agent {
        let child = Command::new(console_bin())
            .args(["agent", "--heartbeat", "300ms"])
            .env("CONSOLE_DB", &office.console_db)
            .stderr(Stdio::null())
            .spawn()
            .expect("the agent");
        Agent(child)
    }

    /// Stopped as systemd stops it (SIGTERM): it says nothing went wrong.
    fn stop(mut self) {
        let pid = self.0.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        assert!(self.0.wait().expect("the agent").success());
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn this_machine() -> String {
    std::fs::read_to_string("/etc/machine-id")
        .expect("/etc/machine-id")
        .trim()
        .to_string()
}

#[test]
fn the_agent_keeps_logins_of_the_pc_alive_across_a_held_lock_and_closes_them_when_they_die() {
    let office = Office::with_sample_users();
    // A login of this machine from before its last boot, never closed.
    office.sql(&format!(
        "INSERT INTO sessions (user_id, session_key, host, login_time, last_seen, heartbeat_ms,
                               machine_id, boot_id, pid, service, login_name)
         VALUES ((SELECT min(id) FROM users), 'before-boot', 'here', 1000, 5000, 0,
                 '{}', 'an-earlier-boot', 1, 'sshd', 'x')",
        this_machine()
    ));
    let agent = Agent::start(&office);
    let holder = Holder::open(&office, "Hantz123", "sshd");
    wait_until("the agent's beats", PATIENCE, || {
        holder.session(&office, "heartbeat_ms") == 300
            && holder.session(&office, "last_seen") > holder.session(&office, "login_time")
    });
    wait_until("the earlier boot's session closed", PATIENCE, || {
        office.sql_count(
            "SELECT count(*) FROM sessions
             WHERE session_key = 'before-boot' AND end_reason = 'lost' AND logout_time = 5000",
        ) == 1
    });
    // Twenty seconds of a database held elsewhere: sixty beats missed, and no death.
    let lock = hold_write_lock(&office.target);
    std::thread::sleep(Duration::from_secs(20));
    lock.release();
    let released = holder.session(&office, "last_seen") + 20_000;
    wait_until("a beat after the lock", PATIENCE, || {
        holder.session(&office, "last_seen") > released
    });
    office.console(&["who"]).assert().success();
    assert!(!holder.ended(&office), "taken for lost after the lock");
    assert_eq!(
        office.sql_count("SELECT count(*) FROM sessions WHERE end_reason = 'lost'"),
        1,
        "only the earlier boot's"
    );
    // Its process killed: lost, at its last beat.
    let pid = holder.child.id();
    holder.kill();
    wait_until("the dead login closed", PATIENCE, || {
        office.sql_count(&format!(
            "SELECT count(*) FROM sessions WHERE pid = {pid} AND end_reason = 'lost'"
        )) == 1
    });
    assert_eq!(
        office.sql_count(&format!(
            "SELECT count(*) FROM sessions WHERE pid = {pid} AND logout_time = last_seen"
        )),
        1
    );
    // The agent stopped on purpose gives its logins back: nobody beats for them.
    let other = Holder::open(&office, "Fedanoir", "gdm-password");
    wait_until("the agent's beat", PATIENCE, || {
        other.session(&office, "heartbeat_ms") == 300
    });
    agent.stop();
    assert_eq!(other.session(&office, "heartbeat_ms"), 0);
    other.log_out(&office);
}

/// Whether this test runs as root, which the real PAM and sshd need; said when not.
fn as_root(test: &str) -> bool {
    let uid = Command::new("id").arg("-u").output().expect("id");
    let root = String::from_utf8_lossy(&uid.stdout).trim() == "0";
    if !root {
        println!("{test}: skipped, not root (a PAM service and an sshd need root)");
    }
    root
}

/// Files and accounts a test made in the system, taken away at its end.
#[derive(Default)]
struct Made {
    files: Vec<PathBuf>,
    os_user: Option<String>,
    processes: Vec<Child>,
}

impl Drop for Made {
    fn drop(&mut self) {
        for child in &mut self.processes {
            let _ = child.kill();
            let _ = child.wait();
        }
        for file in &self.files {
            let _ = std::fs::remove_file(file);
        }
        if let Some(user) = &self.os_user {
            let _ = Command::new("userdel").arg(user).status();
        }
    }
}

/// A PAM service of the test's own whose session stack runs `console pam` on the
/// office's database, after `before`. pam_exec gives the program PAM's environment
/// only: the database is on the line, and on PostgreSQL its password file is named by
/// pam_env, as the README says to.
fn pam_service(made: &mut Made, office: &Office, name: &str, before: &str) {
    let path = PathBuf::from("/etc/pam.d").join(name);
    let line = format!(
        "{before}{}session optional pam_exec.so {} --db {} pam\n",
        postgres_environment(office),
        path_str(&console_bin()),
        office.console_db
    );
    std::fs::write(&path, line).expect("the PAM service");
    made.files.push(path);
}

/// On PostgreSQL, the pam_env line that gives `console pam` this test's server settings
/// (PG*): the password in a pgpass file of the test's own, never in the environment of
/// the session (pam_env's variables reach the user's shell).
fn postgres_environment(office: &Office) -> String {
    if !office.is_postgres() {
        return String::new();
    }
    let dir = office.dir.path();
    let mut environment = String::new();
    let password = std::env::var("PGPASSWORD").ok();
    for (name, value) in std::env::vars() {
        let ours = name == "PGPASSFILE" && password.is_some();
        if name.starts_with("PG") && name != "PGPASSWORD" && !ours {
            environment.push_str(&format!("{name}={value}\n"));
        }
    }
    if let Some(password) = password {
        let pgpass = dir.join("pgpass");
        let escaped = password.replace('\\', "\\\\").replace(':', "\\:");
        std::fs::write(&pgpass, format!("*:*:*:*:{escaped}\n")).expect("the pgpass file");
        let private = std::os::unix::fs::PermissionsExt::from_mode(0o600);
        std::fs::set_permissions(&pgpass, private).expect("pgpass 0600");
        environment.push_str(&format!("PGPASSFILE={}\n", path_str(&pgpass)));
    }
    let file = office.file("pam.env", environment.as_bytes());
    format!(
        "session required pam_env.so conffile=/dev/null envfile={} readenv=1 user_readenv=0\n",
        path_str(&file)
    )
}

#[test]
fn pamtester_open_then_close_is_a_logout_and_open_alone_is_lost() {
    if !as_root("pamtester") {
        return;
    }
    let pamtester = tool("pamtester");
    let office = Office::with_sample_users();
    let mut made = Made::default();
    let service = format!("konekte-test-{}", std::process::id());
    pam_service(&mut made, &office, &service, "");
    let run = |operations: &[&str]| {
        let status = Command::new(pamtester)
            .args([service.as_str(), "hantz123"])
            .args(operations)
            .status()
            .expect("pamtester");
        assert!(status.success());
    };
    run(&["open_session", "close_session"]);
    let last = json(&office, &["last", "--format", "json"]);
    assert_eq!(last[0]["username"], "Hantz123");
    assert_eq!(last[0]["via"], service.as_str());
    assert_eq!(last[0]["end_reason"], "logout");
    run(&["open_session"]);
    // pamtester has exited with its session open: the next sweep here finds it gone.
    office.console(&["who"]).assert().success();
    let last = json(&office, &["last", "--format", "json"]);
    assert_eq!(last[0]["end_reason"], "lost");
    assert_eq!(last.as_array().map(Vec::len), Some(2));
}

#[test]
fn an_ssh_login_is_recorded_with_its_address_and_ends_as_its_connection_does() {
    if !as_root("sshd") {
        return;
    }
    for program in ["sshd", "sshpass", "ssh", "ssh-keygen"] {
        tool(program);
    }
    let office = Office::new();
    let mut made = Made::default();
    let name = format!("kt{}", std::process::id() % 100_000);
    let password = "Konekte-ssh-2026";
    os_user(&mut made, &name, password);
    let accounts = office.file(
        "accounts.csv",
        format!("username,full_name,role,password\n{name},SSH,secretaire,Konekte-acct-2026\n")
            .as_bytes(),
    );
    office
        .console(&["add-users", "--file", path_str(&accounts)])
        .assert()
        .success();
    let port = sshd(&mut made, &office);
    let ssh = |made: &mut Made| -> usize {
        let client = Command::new("sshpass")
            .args(["-p", password, "ssh", "-p", &port.to_string()])
            .args([
                "-o",
                "StrictHostKeyChecking=no",
                "-o",
                "UserKnownHostsFile=/dev/null",
            ])
            .args([
                "-o",
                "LogLevel=ERROR",
                &format!("{name}@127.0.0.1"),
                "read line",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            // "Could not chdir to home directory": the throw-away user has none.
            .stderr(Stdio::null())
            .spawn()
            .expect("ssh");
        made.processes.push(client);
        made.processes.len() - 1
    };
    let open = |office: &Office| {
        office.sql_count("SELECT count(*) FROM sessions WHERE logout_time IS NULL") == 1
    };
    // A login, seen live, ended by its connection.
    let client = ssh(&mut made);
    wait_until("the SSH login", PATIENCE, || open(&office));
    let who = json(&office, &["who", "--format", "json"]);
    assert_eq!(who["sessions"][0]["username"], name.as_str());
    assert_eq!(who["sessions"][0]["remote_ip"], "127.0.0.1");
    assert_eq!(who["sessions"][0]["via"], "ssh");
    if let Some(mut stdin) = made.processes[client].stdin.take() {
        writeln!(stdin).expect("a line");
    }
    wait_until("the SSH logout", PATIENCE, || !open(&office));
    let last = json(&office, &["last", "--format", "json"]);
    assert_eq!(last[0]["end_reason"], "logout");
    // With the agent: its session process killed, lost at its last beat.
    let _agent = Agent::start(&office);
    ssh(&mut made);
    wait_until("the second SSH login, beaten for", PATIENCE, || {
        open(&office)
            && office.sql_count(
                "SELECT count(*) FROM sessions
                 WHERE logout_time IS NULL AND heartbeat_ms = 300 AND last_seen > login_time",
            ) == 1
    });
    let pid = office.sql_count("SELECT pid FROM sessions WHERE logout_time IS NULL");
    assert!(
        Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status()
            .unwrap()
            .success()
    );
    wait_until("the killed SSH login closed", PATIENCE, || !open(&office));
    let last = json(&office, &["last", "--format", "json"]);
    assert_eq!(last[0]["end_reason"], "lost");
    assert_eq!(last[0]["logout_time"], last[0]["last_seen"]);
}

/// A throw-away account of the system, with a password.
fn os_user(made: &mut Made, name: &str, password: &str) {
    let created = Command::new("useradd")
        .args(["-M", "-s", "/bin/sh", name])
        .status()
        .expect("useradd");
    assert!(created.success());
    made.os_user = Some(name.to_string());
    let mut chpasswd = Command::new("chpasswd")
        .stdin(Stdio::piped())
        .spawn()
        .expect("chpasswd");
    let mut stdin = chpasswd.stdin.take().expect("stdin");
    writeln!(stdin, "{name}:{password}").expect("the password");
    drop(stdin);
    assert!(chpasswd.wait().expect("chpasswd").success());
}

/// A real sshd of the test's own on 127.0.0.1: its own host key, configuration and PAM
/// service (named after the program, a link to sshd of a name ending in `-sshd`);
/// returns its port once it listens.
fn sshd(made: &mut Made, office: &Office) -> u16 {
    let dir = office.dir.path();
    let key = dir.join("host_key");
    let keygen = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f", path_str(&key)])
        .status()
        .expect("ssh-keygen");
    assert!(keygen.success());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let config = office.file(
        "sshd_config",
        format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nUsePAM yes\n\
             PasswordAuthentication yes\nKbdInteractiveAuthentication no\n\
             PidFile {}\nStrictModes no\n",
            path_str(&key),
            path_str(&dir.join("sshd.pid"))
        )
        .as_bytes(),
    );
    let service = format!("konekte{}-sshd", std::process::id());
    let program = Path::new("/usr/local/sbin").join(&service);
    let _ = std::fs::remove_file(&program);
    std::os::unix::fs::symlink("/usr/sbin/sshd", &program).expect("the link to sshd");
    made.files.push(program.clone());
    pam_service(
        made,
        office,
        &service,
        "@include common-auth\n@include common-account\n",
    );
    std::fs::create_dir_all("/run/sshd").expect("sshd's privilege separation folder");
    let log = dir.join("sshd.log");
    let server = Command::new(&program)
        .args(["-D", "-f", path_str(&config), "-E", path_str(&log)])
        .spawn()
        .expect("sshd");
    made.processes.push(server);
    wait_until("sshd listening", PATIENCE, || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    port
}
