//! `cargo bench --bench attendance`: attendance on 100 000 users / 1 000 000 sessions,
//! every role on office hours (Monday to Friday, 08:00 to 16:00, ten minutes' grace).
//! Whole processes: `exceptions` over a month of everyone (goal: 2 s), one person's
//! sheet as a PDF (goal: 100 ms), 1 000 people's sheets in one PDF (goal: 10 s); and
//! `watch`, from a login's commit to its line (goal: p95 20 ms), on SQLite and, when a
//! server is at hand (scripts/bench starts one), on PostgreSQL.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

use chrono::{Datelike, Months};
use konekte::db::{Db, Target};
use konekte::model::Origin;

const USERS: usize = 100_000;
const SESSIONS: usize = 1_000_000;
const LOGINS: usize = 200;

fn main() {
    let source = support::office_database(USERS, SESSIONS);
    let dir = tempfile::tempdir().expect("a folder");
    let path = dir.path().join("office.db");
    std::fs::copy(&source, &path).expect("copy the office");
    let file = path.to_str().expect("a UTF-8 path").to_string();
    keep_office_hours(&file);
    // Two months ago, well inside the generated half year.
    let month = chrono::Utc::now()
        .date_naive()
        .with_day(1)
        .and_then(|first| first.checked_sub_months(Months::new(2)))
        .expect("a month");
    let (since, until) = (month.to_string(), (month + Months::new(1)).to_string());
    let month = month.format("%Y-%m").to_string();
    let pdf = dir.path().join("sheets.pdf");
    let pdf = pdf.to_str().expect("a UTF-8 path");
    // The generator makes every 17th account an archivist: archives000000, archives000017…
    let thousand: Vec<String> = (0..1000)
        .map(|i| format!("archives{:06}", i * 17))
        .collect();
    let mut many = vec!["sheet", "--month", &month, "--output", pdf];
    many.extend(thousand.iter().map(String::as_str));
    let cases: [(&str, Vec<&str>, &str, usize); 3] = [
        (
            "exceptions, a month of 100k people",
            vec![
                "exceptions",
                "--since",
                &since,
                "--until",
                &until,
                "--format",
                "csv",
            ],
            "<= 2000 ms",
            3,
        ),
        (
            "sheet --output, one person",
            vec![
                "sheet",
                "--month",
                &month,
                "archives000000",
                "--output",
                pdf,
            ],
            "<= 100 ms",
            10,
        ),
        (
            "sheet --output, 1 000 people",
            many.clone(),
            "<= 10000 ms",
            3,
        ),
    ];
    println!("whole processes on {USERS} users / {SESSIONS} sessions, every role on office hours:");
    for (name, args, goal, runs) in cases {
        let time = support::median(runs, || console(&file, &args));
        println!(
            "  console {name:<38} {:>8.1} ms   goal {goal}",
            support::ms(time)
        );
        support::row(
            &format!("console {name}, whole process"),
            format!("{:.0} ms", support::ms(time)),
            goal,
            "-".into(),
        );
    }
    watch_delay("SQLite", &Target::Sqlite(path.clone()), &file);
    if let Some(server) = support::postgres_server() {
        let target = support::postgres_office(&server, USERS, SESSIONS);
        let url = format!("postgres://{}", target.describe());
        keep_office_hours(&url);
        watch_delay("PostgreSQL", &target, &url);
    }
}

fn keep_office_hours(db: &str) {
    for role in ["admin", "directeur", "secretaire", "archives"] {
        console(
            db,
            &[
                "schedule", "set", "--role", role, "--days", "mon-fri", "--start", "08:00",
                "--end", "16:00", "--grace", "10m",
            ],
        );
    }
}

/// From a login's commit to the line of a `watch` running beside it.
fn watch_delay(backend: &str, target: &Target, db: &str) {
    let writer = Db::open(target).expect("the office");
    // From the head as it is: the first login is seen however late the watcher starts.
    let head = writer.journal_head().expect("the head").0.to_string();
    let mut watcher = Command::new(env!("CARGO_BIN_EXE_console"))
        .args(["--db", db, "watch", "--format", "json", "--after", &head])
        .stdout(Stdio::piped())
        .spawn()
        .expect("console watch");
    let mut lines = BufReader::new(watcher.stdout.take().expect("its stdout")).lines();
    let user = writer
        .user("archives000017")
        .expect("read")
        .expect("a user")
        .id;
    let mut delays = Vec::with_capacity(LOGINS);
    // The first login tells that the watcher is listening; it is not counted.
    for n in 0..=LOGINS {
        let session = writer
            .open_session(user, &Origin::default(), 5_000, writer.now())
            .expect("a login");
        let committed = Instant::now();
        loop {
            let line = lines.next().expect("a line").expect("a line");
            if line.contains("\"login\"") && line.contains(&format!("\"session\":{}", session.id)) {
                break;
            }
        }
        if n > 0 {
            delays.push(committed.elapsed());
        }
        writer
            .close_session(
                session.id,
                konekte::model::EndReason::Logout,
                writer.now(),
                None,
                None,
            )
            .expect("a logout");
        let _ = lines.next();
    }
    let _ = watcher.kill();
    let _ = watcher.wait();
    delays.sort();
    let p50 = delays[delays.len() / 2];
    let p95 = delays[delays.len() * 95 / 100];
    println!(
        "  watch, commit to line ({backend:<10})   p50 {:>6.1} ms  p95 {:>6.1} ms   goal p95 <= 20 ms",
        support::ms(p50),
        support::ms(p95)
    );
    support::row(
        &format!("watch: a login's commit to its line, {backend}"),
        format!(
            "p50 {:.1} ms, p95 {:.1} ms",
            support::ms(p50),
            support::ms(p95)
        ),
        "p95 <= 20 ms",
        "-".into(),
    );
}

fn console(db: &str, args: &[&str]) {
    let status = Command::new(env!("CARGO_BIN_EXE_console"))
        .arg("--db")
        .arg(db)
        .args(args)
        .stdout(Stdio::null())
        .status()
        .expect("console");
    assert!(status.success(), "console {}", args.first().unwrap_or(&""));
}
