//! What the benchmarks share: the generator of large office databases.
#![allow(dead_code)] // each bench uses its own part of this

use std::path::{Path, PathBuf};

use konekte::auth;
use konekte::clock::now_ms;
use konekte::db::{Db, Environment, PgTarget, Target};
use konekte::model::{EndReason, Millis, NewUser, Origin, Role, Session};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

const DAY: Millis = 86_400_000;
const HOSTS: [&str; 6] = [
    "frontdesk",
    "archives-pc",
    "office-2",
    "annex",
    "direction",
    "accueil",
];

/// The database of `users` users and `sessions` sessions, generated once and kept under
/// `target/bench-db/` for later runs.
pub fn office_database(users: usize, sessions: usize) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-db");
    std::fs::create_dir_all(&dir).expect("target/bench-db");
    // One per schema: an office of an older one would be upgraded, its journal begun
    // by a genesis, when the benchmarks want one journaled from the start.
    let version = konekte::db::LATEST_VERSION;
    let path = dir.join(format!("office-v{version}-{users}-{sessions}.db"));
    if !path.exists() {
        let partial = path.with_extension("partial");
        // With what a generation stopped half-way left beside it: a WAL of another file
        // would be read into the new one.
        for leftover in ["partial", "partial-wal", "partial-shm"] {
            let _ = std::fs::remove_file(path.with_extension(leftover));
        }
        let started = std::time::Instant::now();
        generate(&partial, users, sessions, 7);
        std::fs::rename(&partial, &path).expect("rename the generated database");
        eprintln!(
            "generated {} in {:.1} s",
            path.display(),
            started.elapsed().as_secs_f64()
        );
    }
    path
}

/// `users` users of the four roles, and `sessions` sessions spread over the last six
/// months with realistic ends; the last 0.1 % are still open. Deterministic for a seed.
pub fn generate(path: &Path, users: usize, sessions: usize, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let hash = auth::hash_password("generated-password").expect("hash");
    let now = now_ms();
    let db = Db::open(&Target::Sqlite(path.to_path_buf())).expect("database");
    let roles = [
        Role::Archives,
        Role::Secretaire,
        Role::Directeur,
        Role::Admin,
    ];
    db.bulk_load(|load| {
        let mut ids = Vec::with_capacity(users);
        for i in 0..users {
            let role = roles[(i % 17).min(3)];
            let user = NewUser {
                username: format!("{}{i:06}", role.as_str()),
                full_name: format!("Generated Person {i}"),
                role,
                password_hash: hash.clone(),
                must_change_password: false,
            };
            ids.push(load.user(&user, now - 200 * DAY)?);
        }
        let open_from = sessions - sessions / 1000;
        // Logins in time order, so that ids and times agree as in a real history.
        for n in 0..sessions {
            let login = now - 180 * DAY + (n as Millis) * (180 * DAY / sessions as Millis);
            let open = n >= open_from;
            let lasted = rng.random_range(5 * 60_000..9 * 3_600_000);
            let end_reason = (!open).then(|| match rng.random_range(0..100) {
                0..70 => EndReason::Logout,
                70..82 => EndReason::Idle,
                82..90 => EndReason::Hangup,
                90..93 => EndReason::Forced,
                _ => EndReason::Lost,
            });
            let logout_time = (!open).then_some((login + lasted).min(now - 1));
            let host = HOSTS[rng.random_range(0..HOSTS.len())];
            let session = Session {
                id: 0,
                user_id: Some(ids[rng.random_range(0..ids.len())]),
                login_time: login,
                last_seen: if open {
                    now
                } else {
                    logout_time.unwrap_or(login)
                },
                logout_time,
                end_reason,
                origin: Origin {
                    host: host.into(),
                    tty: Some(format!("/dev/pts/{}", rng.random_range(0..40))),
                    remote_ip: rng
                        .random_bool(0.3)
                        .then(|| format!("192.0.2.{}", rng.random_range(1..255))),
                    terminal: Some("xterm-256color".into()),
                    pid: rng.random_range(1000..60000),
                    pid_start: None,
                    boot_id: None,
                    machine_id: None,
                    pid_ns: None,
                },
                system: None,
            };
            // The open ones have no terminal behind them: a day-long heartbeat keeps the
            // sweep from closing them while the benchmarks run.
            load.session(&session, if open { DAY } else { 5_000 })?;
        }
        Ok(())
    })
    .expect("generate");
}

/// One row of the table `scripts/bench` prints: what was measured, the figure, the goal,
/// and the bound it is measured against.
pub fn row(metric: &str, figure: String, goal: &str, bound: String) {
    println!("ROW\t{metric}\t{figure}\t{goal}\t{bound}");
}

/// The PostgreSQL server the benchmarks measure on: KONEKTE_BENCH_POSTGRES (a URL), else
/// the one of the PG* variables (scripts/bench starts one); `None` says there is none.
pub fn postgres_server() -> Option<PgTarget> {
    let url = std::env::var("KONEKTE_BENCH_POSTGRES")
        .ok()
        .or_else(|| std::env::var_os("PGHOST").map(|_| "postgres://".to_string()))?;
    let target = PgTarget::parse(&url, &Environment::of_this_process()).ok()?;
    target.connect().ok().map(|_| target)
}

/// The office of `users` users and `sessions` sessions on the PostgreSQL `server`: the
/// SQLite one copied once into a database of its own, kept there for later runs.
pub fn postgres_office(server: &PgTarget, users: usize, sessions: usize) -> Target {
    let name = format!("konekte_bench_{users}_{sessions}");
    let target = Target::Postgres(Box::new(server.with_dbname(&name)));
    let ready = Db::open_existing(&target)
        .ok()
        .and_then(|db| db.counts().ok())
        .is_some_and(|counts| counts.users == users as i64);
    if !ready {
        let admin = server.connect().expect("the bench server");
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .expect("drop");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create");
        let started = std::time::Instant::now();
        let file = Target::Sqlite(office_database(users, sessions));
        let from = Db::open(&file).expect("the file");
        from.copy_into(&Db::open(&target).expect("the server"), &file.describe())
            .expect("copy");
        let Target::Postgres(pg) = &target else {
            unreachable!()
        };
        pg.connect()
            .expect("connect")
            .batch_execute("ANALYZE")
            .expect("analyze");
        eprintln!(
            "copied the office into {} in {:.1} s",
            pg.describe(),
            started.elapsed().as_secs_f64()
        );
    }
    target
}

/// Microseconds since 1970 by the wall clock: what two processes can compare.
pub fn wall_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64)
}

/// The median time of `runs` runs of `work`.
pub fn median(runs: usize, mut work: impl FnMut()) -> std::time::Duration {
    let mut times: Vec<std::time::Duration> = (0..runs)
        .map(|_| {
            let started = std::time::Instant::now();
            work();
            started.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

pub fn ms(duration: std::time::Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}
