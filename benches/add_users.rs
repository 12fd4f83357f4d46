//! `cargo bench --bench add_users`: users created per second by
//! `console add-users --role archives --count 1000`, as a whole process, beside the bound
//! of this machine: cores ÷ the time of one argon2id hash. Goal: at least 85 % of it.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use konekte::auth::Hasher;

const USERS: u32 = 1000;
const HASH_SAMPLES: usize = 30;

fn main() {
    let hash_time = median_hash_time();
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let bound = cores as f64 / hash_time.as_secs_f64();

    let dir = tempfile::tempdir().expect("temporary folder");
    let db = dir.path().join("bench.db");
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_console"))
        .args([
            "add-users",
            "--role",
            "archives",
            "--count",
            &USERS.to_string(),
        ])
        .env("CONSOLE_DB", &db)
        .output()
        .expect("run console");
    let elapsed = started.elapsed();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let created = String::from_utf8_lossy(&output.stdout).lines().count() - 1;
    assert_eq!(created, USERS as usize);

    let rate = f64::from(USERS) / elapsed.as_secs_f64();
    println!(
        "one argon2id hash (m=19 MiB, t=2, p=1): {:.2} ms",
        hash_time.as_secs_f64() * 1e3
    );
    println!("bound: {cores} cores / hash time = {bound:.0} users/s");
    println!(
        "add-users --role archives --count {USERS}: {:.2} s, {rate:.0} users/s = {:.0} % of the bound (goal >= 85 %)",
        elapsed.as_secs_f64(),
        100.0 * rate / bound
    );
    support::row(
        "add-users --role archives --count 1000",
        format!(
            "{rate:.0} users/s ({:.0} % of the bound)",
            100.0 * rate / bound
        ),
        ">= 85 % of the bound",
        format!(
            "{cores} cores / {:.1} ms a hash = {bound:.0} users/s",
            hash_time.as_secs_f64() * 1e3
        ),
    );
}

/// The median time of one hash on one core, with the memory block already allocated.
fn median_hash_time() -> Duration {
    let mut hasher = Hasher::default();
    let mut times: Vec<Duration> = (0..HASH_SAMPLES)
        .map(|_| {
            let started = Instant::now();
            hasher.hash("benchmark-password").expect("hash");
            started.elapsed()
        })
        .collect();
    times.sort();
    times[HASH_SAMPLES / 2]
}
