//! What `console demo` shows: weeks of an office's past, and simulated terminals:
//! threads that log the sample staff in and out through the same code as a real
//! terminal (authenticate, open the session, beat, close), ending their sessions in
//! every way a real one ends.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use anyhow::Result;
use chrono::{Datelike, Weekday};
use rand::RngExt;

use crate::auth::{self, LockPolicy, LoginRequest};
use crate::clock::{Zone, now_ms, start_of_day};
use crate::db::{Beat, BulkLoader, Db, Target};
use crate::model::{EndReason, Millis, Origin, Outcome, Session};

/// Simulated terminals beat fast, so that a "lost" one shows within seconds.
const BEAT: Millis = 1_000;
const HOSTS: [&str; 4] = ["frontdesk", "archives-pc", "office-2", "annex"];

const MINUTE: Millis = 60_000;
const HOUR: Millis = 60 * MINUTE;
const DAY: Millis = 24 * HOUR;

/// Someone at work now, since the morning: their session is open, and ends when they
/// leave (the simulator sees to it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AtWork {
    pub session_id: i64,
    pub leaves_at: Millis,
}

/// Writes `days` days of an office's past before `now`: on each working day, most of
/// `staff` come in the morning, some step out at noon, all leave in the afternoon, a
/// few forget to log out (idle), lose their terminal (hangup, lost), or mistype their
/// password. Today's sessions that are over are written closed, those going on open:
/// they are returned, to be kept alive until their end. Deterministic for a seed.
pub fn seed_history(
    db: &Db,
    staff: &[(i64, String)],
    now: Millis,
    tz: Zone,
    days: i64,
    seed: u64,
) -> Result<Vec<AtWork>> {
    use rand::SeedableRng;
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let today = start_of_day(now, tz);
    let at_work = std::cell::RefCell::new(Vec::new());
    db.bulk_load(|load| {
        for days_ago in (0..=days).rev() {
            let midnight = start_of_day(today - days_ago * DAY + HOUR, tz);
            let weekday = chrono::DateTime::from_timestamp_millis(midnight + 12 * HOUR)
                .map(|t| t.with_timezone(&tz).weekday());
            if matches!(weekday, Some(Weekday::Sat | Weekday::Sun)) {
                continue;
            }
            for (desk, (user_id, username)) in staff.iter().enumerate() {
                if rng.random_bool(0.12) {
                    continue; // away today
                }
                let office_day = OfficeDay {
                    load,
                    user_id: *user_id,
                    origin: desk_origin(desk),
                    now,
                    at_work: &at_work,
                };
                office_day.live(midnight, username, &mut rng)?;
            }
        }
        Ok(())
    })?;
    Ok(at_work.into_inner())
}

/// One person's working day at their desk.
struct OfficeDay<'a, 't, 'c> {
    load: &'a BulkLoader<'t, 'c>,
    user_id: i64,
    origin: Origin,
    /// Nothing is written from here on: what goes on is left open.
    now: Millis,
    at_work: &'a std::cell::RefCell<Vec<AtWork>>,
}

impl OfficeDay<'_, '_, '_> {
    fn live(&self, midnight: Millis, username: &str, rng: &mut impl rand::Rng) -> Result<()> {
        let arrive = midnight + 7 * HOUR + 30 * MINUTE + rng.random_range(0..120) * MINUTE;
        let leave = midnight + 16 * HOUR + rng.random_range(0..120) * MINUTE;
        if rng.random_bool(0.08) {
            let typo = arrive - rng.random_range(1..3) * MINUTE;
            self.attempt(username, Some(self.user_id), typo, Outcome::BadPassword)?;
        }
        if rng.random_bool(0.5) {
            let out = midnight + 12 * HOUR + rng.random_range(0..30) * MINUTE;
            let back = out + rng.random_range(40..75) * MINUTE;
            self.session(arrive, out, EndReason::Logout)?;
            self.session(back, leave, ending(rng))?;
        } else {
            self.session(arrive, leave, ending(rng))?;
        }
        if rng.random_bool(0.02) {
            let at = arrive + rng.random_range(0..60) * MINUTE;
            self.attempt("stagiaire", None, at, Outcome::UnknownUser)?;
        }
        Ok(())
    }

    fn session(&self, login: Millis, logout: Millis, reason: EndReason) -> Result<()> {
        if login > self.now {
            return Ok(());
        }
        // An idle session ends at its deadline; a lost one at its last heartbeat.
        let logout = match reason {
            EndReason::Idle => logout + 15 * MINUTE,
            _ => logout,
        };
        let ended = logout <= self.now;
        let session = Session {
            id: 0,
            user_id: Some(self.user_id),
            login_time: login,
            last_seen: logout.min(self.now),
            logout_time: ended.then_some(logout),
            end_reason: ended.then_some(reason),
            origin: self.origin.clone(),
            system: None,
        };
        let session_id = self.load.session(&session, BEAT)?;
        if !ended {
            self.at_work.borrow_mut().push(AtWork {
                session_id,
                leaves_at: logout,
            });
        }
        Ok(())
    }

    fn attempt(&self, typed: &str, user: Option<i64>, at: Millis, outcome: Outcome) -> Result<()> {
        if at > self.now {
            return Ok(());
        }
        self.load.attempt(typed, user, at, &self.origin, outcome)
    }
}

/// How a working day ends: mostly a logout.
fn ending(rng: &mut impl rand::Rng) -> EndReason {
    match rng.random_range(0..100) {
        0..84 => EndReason::Logout,
        84..94 => EndReason::Idle,
        94..98 => EndReason::Hangup,
        _ => EndReason::Lost,
    }
}

/// The terminal at desk `number`, as the simulated terminals have them.
fn desk_origin(number: usize) -> Origin {
    Origin {
        host: HOSTS[number % HOSTS.len()].into(),
        tty: Some(format!("/dev/pts/{}", number % 8 + 1)),
        remote_ip: (number % 3 == 2).then(|| format!("192.0.2.{}", 10 + number)),
        terminal: Some("xterm-256color".into()),
        pid: 0,
        pid_start: None,
        boot_id: None,
        machine_id: None,
        pid_ns: None,
    }
}

/// The running simulated terminals; dropping it stops them, each closing its session.
pub struct Simulator {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

/// Starts `terminals` simulated terminals on the database at `path`. `accounts` are the
/// (username, password) pairs they log in with; `admin_id` is who ends the `forced` ones.
pub fn start(
    target: &Target,
    terminals: usize,
    accounts: Vec<(String, String)>,
    admin_id: i64,
    at_work: Vec<AtWork>,
) -> Result<Simulator> {
    let stop = Arc::new(AtomicBool::new(false));
    let accounts = Arc::new(accounts);
    let mut threads = Vec::with_capacity(terminals + 1);
    let desks = Desks {
        db: Db::open(target)?,
        at_work,
        stop: Arc::clone(&stop),
    };
    threads.push(thread::spawn(move || desks.run()));
    for number in 0..terminals {
        let db = Db::open(target)?;
        let (stop, accounts) = (Arc::clone(&stop), Arc::clone(&accounts));
        let origin = Origin {
            pid: std::process::id(),
            pid_start: crate::origin::process_start(),
            ..desk_origin(number)
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

/// The desks of those at work since the morning: their sessions beat, and each ends
/// when its person leaves (or as a closed terminal when the demo ends).
struct Desks {
    db: Db,
    at_work: Vec<AtWork>,
    stop: Arc<AtomicBool>,
}

impl Desks {
    fn run(mut self) {
        while !self.at_work.is_empty() {
            let now = now_ms();
            if self.stop.load(Ordering::Relaxed) {
                for desk in self.at_work.drain(..) {
                    let _ =
                        self.db
                            .close_session(desk.session_id, EndReason::Hangup, now, None, None);
                }
                return;
            }
            let db = &self.db;
            self.at_work.retain(|desk| {
                if now >= desk.leaves_at {
                    let _ = db.close_session(desk.session_id, EndReason::Logout, now, None, None);
                    return false;
                }
                matches!(db.beat(desk.session_id, now, now), Ok(Beat::Alive))
            });
            thread::sleep(Duration::from_millis(BEAT as u64 / 2));
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
            let now = now_ms();
            if !matches!(self.db.beat(session.id, now, now), Ok(Beat::Alive)) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Range;
    use crate::model::{NewUser, Role};

    #[test]
    fn the_past_weeks_are_working_days_with_every_kind_of_end() {
        let db = Db::open_in_memory().unwrap();
        let names: Vec<String> = (0..12).map(|i| format!("clerk{i:02}")).collect();
        let users: Vec<NewUser> = names
            .iter()
            .map(|n| NewUser {
                username: n.clone(),
                full_name: String::new(),
                role: Role::Archives,
                password_hash: "x".into(),
                must_change_password: false,
            })
            .collect();
        db.create_users(&users, false, 0).unwrap();
        let staff: Vec<(i64, String)> = names
            .iter()
            .map(|n| (db.user(n).unwrap().unwrap().id, n.clone()))
            .collect();
        let utc = Zone::UTC;
        // Tuesday 2026-11-24, 15:00 UTC.
        let now = 1_795_532_400_000;
        let at_work = seed_history(&db, &staff, now, utc, 28, 7).unwrap();
        let mut reasons = std::collections::HashSet::new();
        let (mut sessions, mut open) = (0, 0);
        db.visit_sessions(&Range::default(), |s| {
            sessions += 1;
            reasons.insert(s.end_reason);
            let hour = (s.login_time % DAY) / HOUR;
            assert!((7..=17).contains(&hour), "logged in at {hour}h");
            let weekday = chrono::DateTime::from_timestamp_millis(s.login_time)
                .unwrap()
                .weekday();
            assert!(!matches!(weekday, Weekday::Sat | Weekday::Sun));
            assert!(s.login_time <= now, "the past only");
            if s.logout_time.is_none() {
                open += 1;
            }
        })
        .unwrap();
        assert_eq!(open, at_work.len(), "those at work now are returned");
        assert!(
            !at_work.is_empty(),
            "a Tuesday at 15:00: people are at work"
        );
        assert!(at_work.iter().all(|desk| desk.leaves_at > now));
        assert!(sessions > 12 * 18, "four weeks of an office: {sessions}");
        for reason in [
            EndReason::Logout,
            EndReason::Idle,
            EndReason::Hangup,
            EndReason::Lost,
        ] {
            assert!(reasons.contains(&Some(reason)), "{reason:?}");
        }
        assert!(!db.failed_attempts(None, None, None).unwrap().is_empty());
    }
}
