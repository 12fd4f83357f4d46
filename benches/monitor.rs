//! `cargo bench --bench monitor`: the live monitor on an office of 100 000 users and
//! 1 000 000 sessions (generated once into target/bench-db/): a reload's queries, a
//! frame's render at 200×60, the delay from a commit on another connection to the new
//! frame, and the resident memory of the process.
//! Goals: reload p50 <= 10 ms, render <= 5 ms, change-to-screen p95 <= 150 ms, RSS <= 64 MB.

mod support;

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use chrono::FixedOffset;
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
/// What the monitor's loop waits between two looks at `data_version`.
const POLL: Duration = Duration::from_millis(100);

fn main() {
    let path = support::office_database(USERS, SESSIONS);
    let target = Target::Sqlite(path.clone());
    let db = Db::open(&target).expect("database");
    let mut watch = Watch::open(&target).expect("watch connection");
    let utc = FixedOffset::east_opt(0).expect("utc");
    let mut state = State::new(
        "admin".into(),
        "bench".into(),
        now_ms(),
        utc,
        Theme { color: true },
        &EN,
    );
    let _ = monitor::update(&mut state, Msg::Resize(200, 60));

    let reload = |state: &mut State| {
        sweep(&db);
        let now = now_ms();
        let snapshot = db
            .monitor_snapshot(&state.query(), now, start_of_day(now, utc))
            .expect("load");
        let _ = monitor::update(state, Msg::Loaded(snapshot));
    };
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
        times.push(timed(|| reload(&mut state)));
    }
    let (reload_p50, reload_p95) = percentiles(&mut times);

    let area = Rect::new(0, 0, 200, 60);
    let mut renders: Vec<Duration> = (0..RELOADS)
        .map(|_| {
            let mut buf = Buffer::empty(area);
            timed(|| (&state).render(area, &mut buf))
        })
        .collect();
    let (render_p50, render_p95) = percentiles(&mut renders);

    let mut delays = change_to_screen(&path, &mut watch, &mut state, &reload, area);
    let (delay_p50, delay_p95) = percentiles(&mut delays);

    println!("monitor on {USERS} users / {SESSIONS} sessions, a 200x60 screen:");
    println!(
        "  reload (sweep + queries)   p50 {:>7.3} ms  p95 {:>7.3} ms   goal p50 <= 10 ms",
        ms(reload_p50),
        ms(reload_p95)
    );
    println!(
        "  render one frame           p50 {:>7.3} ms  p95 {:>7.3} ms   goal <= 5 ms",
        ms(render_p50),
        ms(render_p95)
    );
    println!(
        "  commit to new frame        p50 {:>7.1} ms  p95 {:>7.1} ms   goal p95 <= 150 ms (bound: the {} ms poll)",
        ms(delay_p50),
        ms(delay_p95),
        POLL.as_millis()
    );
    println!(
        "  resident memory            now {:>5} MB  peak {:>5} MB   goal <= 64 MB",
        rss("VmRSS:"),
        rss("VmHWM:")
    );
    let big = "100k users / 1M sessions";
    support::row(
        &format!("monitor reload (sweep + queries), {big}"),
        format!("p50 {:.1} ms, p95 {:.1} ms", ms(reload_p50), ms(reload_p95)),
        "p50 <= 10 ms",
        "-".into(),
    );
    support::row(
        "monitor frame render, 200x60",
        format!("p50 {:.2} ms", ms(render_p50)),
        "<= 5 ms",
        "-".into(),
    );
    support::row(
        "commit elsewhere to new frame",
        format!("p50 {:.0} ms, p95 {:.0} ms", ms(delay_p50), ms(delay_p95)),
        "p95 <= 150 ms",
        format!("the {} ms data_version poll", POLL.as_millis()),
    );
    support::row(
        "monitor resident memory",
        format!("{} MB peak", rss("VmHWM:")),
        "<= 64 MB",
        "-".into(),
    );
}

/// Another connection logs someone in and out at random moments; the loop below does
/// what the monitor's loop does (look at data_version every 100 ms, reload, draw) and
/// measures from each commit to the frame that shows it.
fn change_to_screen(
    path: &std::path::Path,
    watch: &mut Watch,
    state: &mut State,
    reload: &dyn Fn(&mut State),
    area: Rect,
) -> Vec<Duration> {
    let (commits, committed) = mpsc::channel::<Instant>();
    let path = path.to_path_buf();
    let writer = thread::spawn(move || {
        let db = Db::open(&Target::Sqlite(path)).expect("writer connection");
        let origin = Origin {
            host: "bench-desk".into(),
            ..Origin::default()
        };
        for i in 0..CHANGES {
            thread::sleep(Duration::from_millis(150 + (i as u64 * 37) % 100));
            let session = db
                .open_session(1 + i as i64, &origin, 86_400_000, now_ms())
                .expect("login");
            commits.send(Instant::now()).expect("send");
            thread::sleep(Duration::from_millis(150 + (i as u64 * 53) % 100));
            db.close_session(session.id, EndReason::Logout, now_ms(), None, None)
                .expect("logout");
            commits.send(Instant::now()).expect("send");
        }
    });
    let mut delays = Vec::new();
    while delays.len() < CHANGES * 2 {
        if !watch.wait(POLL).expect("watch") {
            continue;
        }
        reload(state);
        let mut buf = Buffer::empty(area);
        (&*state).render(area, &mut buf);
        let drawn = Instant::now();
        delays.extend(committed.try_iter().map(|at| drawn - at));
    }
    writer.join().expect("writer");
    delays
}

fn sweep(db: &Db) {
    let alive = |_: u32| true;
    let here = Here {
        host: "bench",
        machine_id: None,
        boot_id: None,
        booted_at: None,
        pid_alive: &alive,
    };
    db.sweep_lost(now_ms(), &here).expect("sweep");
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

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
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
