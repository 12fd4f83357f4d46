//! `cargo bench --bench history`: `console who --format json` and `console last -n 50
//! --format json` as whole processes on 100 000 users / 1 000 000 sessions, each beside
//! the sqlite3 shell running the equivalent query on the same file.
//! Goal: at most 1.5x the sqlite3 shell.

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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
    for (name, args, sql) in cases {
        let ours = median(|| console(&path, &args));
        let shell = median(|| sqlite3(&path, &sql));
        let ratio = ours.as_secs_f64() / shell.as_secs_f64();
        println!(
            "  console {name:<26} {:>7.2} ms   sqlite3 shell {:>7.2} ms   ratio {ratio:.2}  (goal <= 1.5)",
            ms(ours),
            ms(shell),
        );
        support::row(
            &format!("console {name}, whole process, 1M sessions"),
            format!("{:.1} ms ({ratio:.2} x)", ms(ours)),
            "<= 1.5 x the shell",
            format!("sqlite3 shell, same query: {:.1} ms", ms(shell)),
        );
    }
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
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            run();
            started.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}
