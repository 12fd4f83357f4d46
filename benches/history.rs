//! `cargo bench --bench history`: the history commands as whole processes on 100 000
//! users / 1 000 000 sessions. `who` and `last -n 50` beside the sqlite3 shell running
//! the same query on the same file (goal: at most 1.5x); one day of `last`, and the
//! latest 50, beside util-linux `last` reading the same history written as a wtmp file
//! (goal: at most 0.5x); `users list` (goal: 200 ms), two reports and a write command
//! (the integrity check it starts with), measured; `verify` of the whole journal (goal:
//! 3 s).

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const RUNS: usize = 30;
const COLUMNS: &str = "s.id, u.username, u.role, s.login_time, s.last_seen, s.host, s.tty, \
                       s.remote_ip, s.terminal, s.logout_time, s.end_reason";

fn main() {
    let path = support::office_database(100_000, 1_000_000);
    if Command::new("sqlite3").arg("-version").output().is_err() {
        eprintln!("the sqlite3 shell is missing: apt-get install sqlite3");
        std::process::exit(1);
    }
    let cases = [
        (
            "who --format json",
            vec!["who", "--format", "json"],
            format!(
                "SELECT {COLUMNS} FROM sessions s INDEXED BY sessions_open \
                 JOIN users u ON u.id = s.user_id \
                 WHERE s.logout_time IS NULL ORDER BY s.login_time"
            ),
        ),
        (
            "last -n 50 --format json",
            vec!["last", "-n", "50", "--format", "json"],
            format!(
                "SELECT {COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id \
                 ORDER BY s.login_time DESC LIMIT 50"
            ),
        ),
    ];
    println!("whole processes, median of {RUNS}, on 100 000 users / 1 000 000 sessions:");
    beside_the_shell(&path, cases);
    beside_util_linux_last(&path);
    alone(&path);
}

fn beside_the_shell(path: &Path, cases: [(&str, Vec<&str>, String); 2]) {
    for (name, args, sql) in cases {
        let ours = median(|| console(path, &args));
        let shell = median(|| sqlite3(path, &sql));
        let ratio = ours.as_secs_f64() / shell.as_secs_f64();
        println!(
            "  console {name:<26} {:>7.2} ms   sqlite3 shell {:>7.2} ms   ratio {ratio:.2}  (goal <= 1.5)",
            support::ms(ours),
            support::ms(shell),
        );
        support::row(
            &format!("console {name}, whole process, 1M sessions"),
            format!("{:.1} ms ({ratio:.2} x)", support::ms(ours)),
            "<= 1.5 x the shell",
            format!("sqlite3 shell, same query: {:.1} ms", support::ms(shell)),
        );
    }
}

/// A day in the middle of the history, and the latest sessions, by both `last`s.
fn beside_util_linux_last(path: &Path) {
    if Command::new("last").arg("--version").output().is_err() {
        println!("  util-linux last is missing (apt-get install util-linux): not compared");
        return;
    }
    let wtmp = wtmp_of(path);
    let file = wtmp.to_str().expect("a UTF-8 path");
    let (since, until) = ("2026-09-01 00:00:00", "2026-09-02 00:00:00");
    // The one-day range has a goal; the latest 50 are shown beside it (a whole process
    // of ours starts in about 2 ms).
    let cases = [
        (
            "last --since D --until D+1 (one day)",
            vec!["last", "--since", since, "--until", until],
            vec!["-f", file, "-s", since, "-t", until],
            "<= 0.5 x util-linux last",
        ),
        (
            "last -n 50",
            vec!["last", "-n", "50"],
            vec!["-f", file, "-n", "50"],
            "-",
        ),
    ];
    for (name, ours_args, theirs_args, goal) in cases {
        let ours = median(|| console(path, &ours_args));
        let theirs = median(|| util_linux_last(&theirs_args));
        let ratio = ours.as_secs_f64() / theirs.as_secs_f64();
        println!(
            "  console {name:<38} {:>7.2} ms   util-linux last {:>7.2} ms   ratio {ratio:.2}  (goal {goal})",
            support::ms(ours),
            support::ms(theirs),
        );
        support::row(
            &format!("console {name}, whole process, 1M sessions"),
            format!("{:.1} ms ({ratio:.2} x)", support::ms(ours)),
            goal,
            format!(
                "util-linux last on the same history as wtmp: {:.1} ms",
                support::ms(theirs)
            ),
        );
    }
}

/// What has a goal of its own, or none yet: measured and shown.
fn alone(path: &Path) {
    let cases = [
        ("users list", vec!["users", "list"], "<= 200 ms"),
        ("report --since 7d", vec!["report", "--since", "7d"], "-"),
        ("report (all the history)", vec!["report"], "<= 300 ms"),
        // A write command checks the whole file first (PRAGMA quick_check).
        (
            "users enable NAME (a write: quick_check)",
            vec!["users", "enable", "archives000000"],
            "-",
        ),
        // Every link of the chain, then every row against it.
        ("verify", vec!["verify"], "<= 3000 ms"),
    ];
    for (name, args, goal) in cases {
        let time = median(|| console(path, &args));
        println!(
            "  console {name:<38} {:>7.2} ms   goal {goal}",
            support::ms(time)
        );
        support::row(
            &format!("console {name}, whole process, 100k users / 1M sessions"),
            format!("{:.0} ms", support::ms(time)),
            goal,
            "-".into(),
        );
    }
}

/// The sessions of the database as a wtmp file (util-linux's `struct utmp`: a login
/// record, then a logout record on the same line), written once beside it.
fn wtmp_of(db: &Path) -> PathBuf {
    let wtmp = db.with_extension("wtmp");
    if wtmp.exists() {
        return wtmp;
    }
    let conn = rusqlite::Connection::open(db).expect("the database");
    let mut statement = conn
        .prepare(
            "SELECT s.id, u.username, s.host, s.pid, s.login_time, s.logout_time
             FROM sessions s JOIN users u ON u.id = s.user_id",
        )
        .expect("the sessions");
    let mut events: Vec<(i64, Vec<u8>)> = Vec::new();
    let rows = statement
        .query_map([], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, Option<i64>>(3)?,
                row.get::<_, i64>(4)?,
                row.get::<_, Option<i64>>(5)?,
            ))
        })
        .expect("read");
    for row in rows {
        let (id, user, host, pid, login, logout) = row.expect("a session");
        // A line of its own for each session: last pairs a logout with its login by line.
        let line = format!("s{id}");
        let pid = pid.unwrap_or(0) as i32;
        events.push((login, utmp(USER_PROCESS, pid, &line, &user, &host, login)));
        if let Some(logout) = logout {
            events.push((logout, utmp(DEAD_PROCESS, pid, &line, "", "", logout)));
        }
    }
    events.sort_by_key(|(at, _)| *at);
    let partial = wtmp.with_extension("wtmp.partial");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&partial).expect("create"));
    for (_, record) in &events {
        out.write_all(record).expect("write");
    }
    out.flush().expect("flush");
    std::fs::rename(&partial, &wtmp).expect("rename");
    wtmp
}

const USER_PROCESS: i16 = 7;
const DEAD_PROCESS: i16 = 8;

/// One `struct utmp` of glibc on Linux x86-64: 384 bytes.
fn utmp(kind: i16, pid: i32, line: &str, user: &str, host: &str, at: i64) -> Vec<u8> {
    let mut record = Vec::with_capacity(384);
    let text = |record: &mut Vec<u8>, text: &str, size: usize| {
        let bytes = text.as_bytes();
        let n = bytes.len().min(size);
        record.extend_from_slice(&bytes[..n]);
        record.resize(record.len() + size - n, 0);
    };
    record.extend_from_slice(&kind.to_le_bytes());
    record.extend_from_slice(&[0, 0]);
    record.extend_from_slice(&pid.to_le_bytes());
    text(&mut record, line, 32);
    text(&mut record, &line[line.len().saturating_sub(4)..], 4);
    text(&mut record, user, 32);
    text(&mut record, host, 256);
    record.extend_from_slice(&[0; 4]); // exit status
    record.extend_from_slice(&0i32.to_le_bytes()); // session
    record.extend_from_slice(&((at / 1000) as i32).to_le_bytes());
    record.extend_from_slice(&(((at % 1000) * 1000) as i32).to_le_bytes());
    record.extend_from_slice(&[0; 16]); // address
    record.extend_from_slice(&[0; 20]); // reserved
    assert_eq!(record.len(), 384);
    record
}

fn util_linux_last(args: &[&str]) {
    let status = Command::new("last")
        .args(args)
        .stdout(Stdio::null())
        .status()
        .expect("last");
    assert!(status.success());
}

fn console(db: &Path, args: &[&str]) {
    let status = Command::new(env!("CARGO_BIN_EXE_console"))
        .args(args)
        .env("CONSOLE_DB", db)
        .stdout(Stdio::null())
        .status()
        .expect("console");
    assert!(status.success());
}

fn sqlite3(db: &Path, sql: &str) {
    let status = Command::new("sqlite3")
        .args(["-json", "-readonly"])
        .arg(db)
        .arg(sql)
        .stdout(Stdio::null())
        .status()
        .expect("sqlite3");
    assert!(status.success());
}

fn median(mut run: impl FnMut()) -> Duration {
    run(); // warm the page cache
    support::median(RUNS, run)
}
