//! How long a write waits for a lock held elsewhere, on either backend.

use std::time::Duration;

/// How long one statement waits for another terminal's lock before the database gives
/// up (SQLite's busy_timeout, PostgreSQL's lock_timeout).
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Retries above busy_timeout: SQLite's lock is not fair, and a waiter can lose the race
/// for several seconds under load. A login or logout must not be dropped for that.
const WRITE_ATTEMPTS: u32 = 8;

/// How long a write waits for another terminal's lock: each attempt waits up to
/// `busy_timeout`, and the whole transaction is tried `attempts` times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Patience {
    pub busy_timeout: Duration,
    pub attempts: u32,
}

impl Default for Patience {
    fn default() -> Self {
        Patience {
            busy_timeout: BUSY_TIMEOUT,
            attempts: WRITE_ATTEMPTS,
        }
    }
}
