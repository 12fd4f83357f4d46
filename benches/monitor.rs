//! `cargo bench --bench monitor`: the live monitor on an office of 100 000 users and
//! 1 000 000 sessions (generated once into target/bench-db/, and copied once into the
//! PostgreSQL server when there is one): a reload's sweep and queries, a frame's
//! render at 200×60, the delay from a commit in another process to the frame that
//! shows it, and the resident memory of the process, on SQLite and on PostgreSQL.
//! Goals: reload p50 <= 10 ms, render <= 5 ms, commit to frame p95 <= 20 ms, RSS <= 64 MB.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use konekte::clock::Zone;
use konekte::clock::{now_ms, start_of_day};
use konekte::db::{Db, Here, Target, UserKey, UsersAnchor, Watch};
use konekte::i18n::EN;
use konekte::model::{EndReason, Millis, Origin};
use konekte::tui::Theme;
use konekte::tui::monitor::{self, Msg, State};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

const USERS: usize = 100_000;
const SESSIONS: usize = 1_000_000;
const RELOADS: usize = 200;
const CHANGES: usize = 40;
/// How long the watch waits before it looks anyway (the station's).
const WATCH: Duration = Duration::from_millis(100);
/// Set in the writer process: the database it writes to.
const WRITER: &str = "KONEKTE_BENCH_WRITER";

fn main() {
    if let Ok(database) = std::env::var(WRITER) {
        return writer(&database);
    }
    let path = support::office_database(USERS, SESSIONS);
    let area = Rect::new(0, 0, 200, 60);
    let mut state = monitor_state();
    let sqlite = Target::Sqlite(path.clone());
    measure("SQLite", &sqlite, &path.display().to_string(), &mut state);

    let mut renders: Vec<Duration> = (0..RELOADS)
        .map(|_| {
            let mut buf = Buffer::empty(area);
            timed(|| (&state).render(area, &mut buf))
        })
        .collect();
    let (render_p50, render_p95) = percentiles(&mut renders);
    println!(
        "  render one frame (200x60)  p50 {:>7.3} ms  p95 {:>7.3} ms   goal <= 5 ms",
        support::ms(render_p50),
        support::ms(render_p95)
    );
    support::row(
        "monitor frame render, 200x60",
        format!("p50 {:.2} ms", support::ms(render_p50)),
        "<= 5 ms",
        "-".into(),
    );

    match support::postgres_server() {
        Some(server) => {
            let target = support::postgres_office(&server, USERS, SESSIONS);
            let Target::Postgres(pg) = &target else {
                unreachable!()
            };
            let url = format!("postgres://{}", pg.describe());
            measure("PostgreSQL", &target, &url, &mut monitor_state());
        }
        None => println!("PostgreSQL: no server (KONEKTE_BENCH_POSTGRES, or PG*): not measured"),
    }
    println!(
        "  resident memory            now {:>5} MB  peak {:>5} MB   goal <= 64 MB",
        rss("VmRSS:"),
        rss("VmHWM:")
    );
    support::row(
        "monitor resident memory",
        format!("{} MB peak", rss("VmHWM:")),
        "<= 64 MB",
        "-".into(),
    );
}

fn monitor_state() -> State {
    let utc = Zone::UTC;
    let mut state = State::new(
        "admin".into(),
        "bench".into(),
        now_ms(),
        utc,
        Theme { color: true },
        &EN,
    );
    let _ = monitor::update(&mut state, Msg::Resize(200, 60));
    state
}

/// What the station does on a change: sweep, load what the panes show, take it in.
fn reload(db: &Db, state: &mut State) {
    sweep(db);
    let now = db.now();
    let utc = Zone::UTC;
    let snapshot = db
        .monitor_snapshot(&state.query(), now, start_of_day(now, utc), utc)
        .expect("load");
    let _ = monitor::update(state, Msg::Loaded(snapshot));
}

fn measure(backend: &str, target: &Target, database: &str, state: &mut State) {
    let db = Db::open(target).expect("database");
    // A reload at the top, in the middle (by key) and at the end of the users.
    let mut times = Vec::new();
    for i in 0..RELOADS {
        state.users_anchor = match i % 3 {
            0 => UsersAnchor::Start,
            1 => UsersAnchor::From(UserKey {
                role: String::new(),
                recency: 0,
                username: "directeur050000".into(),
            }),
            _ => UsersAnchor::End,
        };
        times.push(timed(|| reload(&db, state)));
    }
    let (reload_p50, reload_p95) = percentiles(&mut times);
    let mut delays = commit_to_frame(target, database, &db, state);
    let (delay_p50, delay_p95) = percentiles(&mut delays);

    println!("monitor on {USERS} users / {SESSIONS} sessions, {backend}:");
    println!(
        "  reload (sweep + queries)   p50 {:>7.3} ms  p95 {:>7.3} ms   goal p50 <= 10 ms",
        support::ms(reload_p50),
        support::ms(reload_p95)
    );
    println!(
        "  commit to new frame        p50 {:>7.1} ms  p95 {:>7.1} ms   goal p95 <= 20 ms",
        support::ms(delay_p50),
        support::ms(delay_p95),
    );
    let big = "100k users / 1M sessions";
    support::row(
        &format!("monitor reload (sweep + queries), {big}, {backend}"),
        format!(
            "p50 {:.1} ms, p95 {:.1} ms",
            support::ms(reload_p50),
            support::ms(reload_p95)
        ),
        "p50 <= 10 ms",
        "-".into(),
    );
    let woken = if backend == "SQLite" {
        "inotify + data_version"
    } else {
        "LISTEN / NOTIFY"
    };
    support::row(
        &format!("commit in another process to new frame, {backend}"),
        format!(
            "p50 {:.0} ms, p95 {:.0} ms",
            support::ms(delay_p50),
            support::ms(delay_p95)
        ),
        "p95 <= 20 ms",
        format!("woken by {woken}"),
    );
}

/// Another process logs someone in and out at random moments and says when each commit
/// was made; this loop does what the monitor's does (wait for the watch, reload, draw)
/// and measures from each commit to the frame that shows it.
fn commit_to_frame(target: &Target, database: &str, db: &Db, state: &mut State) -> Vec<Duration> {
    let mut watch = Watch::open(target).expect("watch");
    let mut child = Command::new(std::env::current_exe().expect("this bench"))
        .env(WRITER, database)
        .stdout(Stdio::piped())
        .spawn()
        .expect("the writer process");
    let (commits, committed) = mpsc::channel::<i64>();
    let output = child.stdout.take().expect("its output");
    thread::spawn(move || {
        for line in BufReader::new(output).lines().map_while(Result::ok) {
            if let Some(at) = line.strip_prefix("commit ").and_then(|t| t.parse().ok())
                && commits.send(at).is_err()
            {
                return;
            }
        }
    });
    let area = Rect::new(0, 0, 200, 60);
    let mut pending = Vec::new();
    let mut delays = Vec::new();
    while delays.len() < CHANGES * 2 {
        // A writer that failed would leave this loop waiting for ever.
        if let Some(status) = child.try_wait().expect("the writer's state")
            && !status.success()
        {
            panic!("the writer process failed: {status}");
        }
        if !watch.wait(WATCH).expect("watch") {
            pending.extend(committed.try_iter());
            continue;
        }
        reload(db, state);
        let mut buf = Buffer::empty(area);
        (&*state).render(area, &mut buf);
        let drawn = support::wall_micros();
        pending.extend(committed.try_iter());
        delays.extend(
            pending
                .drain(..)
                .filter(|&at| at <= drawn)
                .map(|at| Duration::from_micros(u64::try_from(drawn - at).unwrap_or(0))),
        );
    }
    child.wait().expect("the writer");
    delays
}

/// The writer process: logs users in and out on `database`, a commit every 150 to
/// 250 ms, and prints the wall-clock time of each.
fn writer(database: &str) {
    let target = Target::parse(std::path::Path::new(database)).expect("the database");
    let db = Db::open(&target).expect("writer connection");
    let origin = Origin {
        host: "bench-desk".into(),
        ..Origin::default()
    };
    let mut out = std::io::stdout().lock();
    for i in 0..CHANGES {
        thread::sleep(Duration::from_millis(150 + (i as u64 * 37) % 100));
        let session = db
            .open_session(1 + i as i64, &origin, 86_400_000, now_ms())
            .expect("login");
        writeln!(out, "commit {}", support::wall_micros()).expect("say");
        out.flush().expect("flush");
        thread::sleep(Duration::from_millis(150 + (i as u64 * 53) % 100));
        db.close_session(session.id, EndReason::Logout, now_ms(), None, None)
            .expect("logout");
        writeln!(out, "commit {}", support::wall_micros()).expect("say");
        out.flush().expect("flush");
    }
}

fn sweep(db: &Db) {
    let alive = |_: u32, _: Option<i64>| true;
    let here = Here {
        host: "bench",
        machine_id: None,
        boot_id: None,
        booted_at: None,
        pid_ns: None,
        pid_alive: &alive,
    };
    db.sweep_lost(db.now(), &here).expect("sweep");
}

fn timed(work: impl FnOnce()) -> Duration {
    let started = Instant::now();
    work();
    started.elapsed()
}

fn percentiles(times: &mut [Duration]) -> (Duration, Duration) {
    times.sort();
    (times[times.len() / 2], times[times.len() * 95 / 100])
}

/// A line of /proc/self/status, in MB.
fn rss(field: &str) -> Millis {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with(field))?.to_string();
            line.split_whitespace().nth(1)?.parse::<Millis>().ok()
        })
        .map_or(0, |kb| kb / 1024)
}
