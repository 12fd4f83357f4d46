//! Simulated terminals for `console demo`: threads that log the sample staff in and out
//! through the same code as a real terminal (authenticate, open the session, beat,
//! close), ending their sessions in every way a real one ends.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use anyhow::Result;
use rand::RngExt;

use crate::auth::{self, LockPolicy, LoginRequest};
use crate::clock::now_ms;
use crate::db::{Beat, Db};
use crate::model::{EndReason, Millis, Origin};

/// Simulated terminals beat fast, so that a "lost" one shows within seconds.
const BEAT: Millis = 1_000;
const HOSTS: [&str; 4] = ["frontdesk", "archives-pc", "office-2", "annex"];

/// The running simulated terminals; dropping it stops them, each closing its session.
pub struct Simulator {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

/// Starts `terminals` simulated terminals on the database at `path`. `accounts` are the
/// (username, password) pairs they log in with; `admin_id` is who ends the `forced` ones.
pub fn start(
    path: &Path,
    terminals: usize,
    accounts: Vec<(String, String)>,
    admin_id: i64,
) -> Result<Simulator> {
    let stop = Arc::new(AtomicBool::new(false));
    let accounts = Arc::new(accounts);
    let mut threads = Vec::with_capacity(terminals);
    for number in 0..terminals {
        let db = Db::open(path)?;
        let (stop, accounts) = (Arc::clone(&stop), Arc::clone(&accounts));
        let origin = Origin {
            host: HOSTS[number % HOSTS.len()].into(),
            tty: Some(format!("/dev/pts/{}", number + 1)),
            remote_ip: (number % 3 == 2).then(|| format!("192.0.2.{}", 10 + number)),
            terminal: Some("xterm-256color".into()),
            pid: std::process::id(),
            boot_id: None,
        };
        let terminal = Terminal {
            db,
            origin,
            stop,
            admin_id,
        };
        threads.push(thread::spawn(move || terminal.run(&accounts)));
    }
    Ok(Simulator { stop, threads })
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

struct Terminal {
    db: Db,
    origin: Origin,
    stop: Arc<AtomicBool>,
    admin_id: i64,
}

impl Terminal {
    fn run(&self, accounts: &[(String, String)]) {
        let mut rng = rand::rng();
        // Not all at once: the terminals come in one by one.
        self.wait(rng.random_range(200..3_000));
        while !self.stopped() {
            let (username, password) = &accounts[rng.random_range(0..accounts.len())];
            if rng.random_bool(0.15) {
                // A typo first, as happens: it shows among the failures.
                let _ = self.log_in(username, "not-the-password");
            }
            if let Some(user_id) = self.log_in(username, password) {
                self.work(user_id, &mut rng);
            }
            self.wait(rng.random_range(1_000..5_000));
        }
    }

    fn log_in(&self, username: &str, password: &str) -> Option<i64> {
        let request = LoginRequest {
            username,
            password,
            admin_only: false,
        };
        match auth::authenticate(
            &self.db,
            &request,
            &self.origin,
            &LockPolicy::default(),
            now_ms(),
        ) {
            Ok(Ok(user)) => Some(user.id),
            _ => None,
        }
    }

    /// One session: a few seconds of heartbeats, then one of the ways a session ends.
    fn work(&self, user_id: i64, rng: &mut impl rand::Rng) {
        let Ok(session) = self.db.open_session(user_id, &self.origin, BEAT, now_ms()) else {
            return;
        };
        let beats = rng.random_range(4..20);
        for _ in 0..beats {
            self.wait(BEAT);
            if self.stopped() {
                let _ = self
                    .db
                    .close_session(session.id, EndReason::Hangup, now_ms(), None, None);
                return;
            }
            if !matches!(self.db.beat(session.id, now_ms()), Ok(Beat::Alive)) {
                return;
            }
        }
        let (reason, ended_by) = match rng.random_range(0..100) {
            0..50 => (EndReason::Logout, None),
            50..65 => (EndReason::Idle, None),
            65..75 => (EndReason::Hangup, None),
            75..88 => (EndReason::Forced, Some(self.admin_id)),
            // Lost: the terminal falls silent; a sweep closes it at its last heartbeat.
            _ => return,
        };
        let _ = self
            .db
            .close_session(session.id, reason, now_ms(), ended_by, None);
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Sleeps `millis`, waking early when asked to stop.
    fn wait(&self, millis: Millis) {
        let deadline = now_ms() + millis;
        while !self.stopped() && now_ms() < deadline {
            thread::sleep(Duration::from_millis(50));
        }
    }
}
