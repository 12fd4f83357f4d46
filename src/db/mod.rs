//! The one SQLite file every terminal shares. All SQL of the crate lives under this folder.

mod attempts;
mod bulk;
mod history;
mod migrations;
mod monitor;
mod sessions;
mod users;

use std::fs::{DirBuilder, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result};
use rusqlite::{Connection, ErrorCode, OpenFlags, Transaction, TransactionBehavior};

use crate::error::Error;

pub use attempts::{Credentials, Prior};
pub use bulk::BulkLoader;
pub use history::Range;
pub use migrations::LATEST_VERSION;
pub use monitor::{
    Counts, HISTORY_DAYS, History, PaneSort, Query, RECENT_OFFLINE, Snapshot, UserKey, UserPage,
    UsersAnchor,
};
pub use sessions::{Beat, Closed, Here};

/// How long one statement waits for another terminal's lock before SQLite gives up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Retries above busy_timeout: SQLite's lock is not fair, and a waiter can lose the race
/// for several seconds under load. A login or logout must not be dropped for that.
const WRITE_ATTEMPTS: u32 = 8;
const FIRST_BACKOFF: Duration = Duration::from_millis(20);
const MAX_BACKOFF: Duration = Duration::from_secs(1);

pub struct Db {
    conn: Connection,
    patience: Patience,
}

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

impl Db {
    /// Opens the database at `path`, creating it (mode 0600, and its folder) if missing,
    /// and brings its schema up to date. A file that is not a konekte database, is corrupt,
    /// or has a newer schema is refused before anything is written to it.
    pub fn open(path: &Path) -> Result<Db> {
        if !path.exists() {
            create_private_file(path)?;
        }
        Db::open_file(path)
    }

    /// Opens a database that must exist already: what every command but `add-users` and
    /// `demo` opens, so that a mistyped path is an error (exit 66), not a new empty office.
    pub fn open_existing(path: &Path) -> Result<Db> {
        if !path.exists() {
            return Err(Error::NoInput(crate::tr!(db_missing, path = path.display())).into());
        }
        Db::open_file(path)
    }

    fn open_file(path: &Path) -> Result<Db> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| unreadable(path, &e))?;
        let db = Db::configure(conn, path)?;
        db.conn
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| unreadable(path, &e))?;
        migrations::migrate(&db.conn).map_err(|e| unreadable(path, &e))?;
        Ok(db)
    }

    /// Opens an existing database without writing anything to it, not even a schema
    /// migration: for `--dry-run`. `None` when the file does not exist yet.
    pub fn open_read_only(path: &Path) -> Result<Option<Db>> {
        if !path.exists() {
            return Ok(None);
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| unreadable(path, &e))?;
        let db = Db::configure(conn, path)?;
        Ok((migrations::version(&db.conn)? == LATEST_VERSION).then_some(db))
    }

    /// A private database for tests, with the full schema.
    pub fn open_in_memory() -> Result<Db> {
        let conn = Connection::open_in_memory()?;
        let db = Db::configure(conn, Path::new(":memory:"))?;
        migrations::migrate(&db.conn)?;
        Ok(db)
    }

    /// How long writes wait for a lock held elsewhere (tests shorten it).
    pub fn set_patience(&mut self, patience: Patience) -> Result<()> {
        self.conn.busy_timeout(patience.busy_timeout)?;
        self.patience = patience;
        Ok(())
    }

    /// Settings every connection needs, then the checks that must pass before any write.
    fn configure(conn: Connection, path: &Path) -> Result<Db> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "foreign_keys", true)?;
        let db = Db {
            conn,
            patience: Patience::default(),
        };
        let version = migrations::version(&db.conn).map_err(|e| unreadable(path, &e))?;
        if version > LATEST_VERSION {
            return Err(Error::Database(crate::tr!(
                db_newer,
                path = path.display(),
                found = version,
                known = LATEST_VERSION
            ))
            .into());
        }
        if !db.is_konekte(version).map_err(|e| unreadable(path, &e))? {
            return Err(Error::Database(crate::tr!(db_foreign, path = path.display())).into());
        }
        Ok(db)
    }

    /// Whether the file holds konekte's tables (or nothing yet): another program's
    /// database is recognised, and refused, before anything is written to it.
    fn is_konekte(&self, version: i64) -> rusqlite::Result<bool> {
        let tables: i64 = self
            .conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))?;
        if version == 0 {
            return Ok(tables == 0);
        }
        let ours: i64 = self.conn.query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND
               (name = 'users' AND sql LIKE '%password_hash%'
                OR name = 'sessions' AND sql LIKE '%session_key%'
                OR name = 'login_attempts' AND sql LIKE '%username_typed%')",
            [],
            |row| row.get(0),
        )?;
        Ok(ours == 3)
    }

    /// Runs `work` in a `BEGIN IMMEDIATE` transaction and commits it. The write lock is
    /// taken up front, so a read-then-write never fails half-way with SQLITE_BUSY; if the
    /// lock is still not had after busy_timeout, the whole transaction is tried again
    /// with back-off, a bounded number of times. Only the database layer writes.
    fn write<T>(&self, mut work: impl FnMut(&Transaction) -> Result<T>) -> Result<T> {
        let mut backoff = FIRST_BACKOFF;
        for attempt in 1.. {
            match self.try_write(&mut work) {
                Err(err) if is_busy(&err) && attempt < self.patience.attempts => {
                    thread::sleep(backoff + jitter(backoff));
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
                Err(err) if is_busy(&err) => {
                    return Err(err.context(Error::Refused(crate::tr!(db_busy))));
                }
                result => return result,
            }
        }
        unreachable!("the loop returns on its last attempt")
    }

    fn try_write<T>(&self, work: &mut impl FnMut(&Transaction) -> Result<T>) -> Result<T> {
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?;
        let value = work(&tx)?;
        tx.commit()?;
        Ok(value)
    }
}

#[cfg(test)]
impl Db {
    /// The raw connection, for tests that check rows no method returns.
    pub(crate) fn conn_for_tests(&self) -> &Connection {
        &self.conn
    }
}

/// The default database path: `$XDG_DATA_HOME/konekte/konekte.db`
/// (`~/.local/share/konekte/konekte.db` on Linux).
pub fn default_path() -> Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "konekte")
        .context("no home folder to keep the database in; give --db PATH or CONSOLE_DB")?;
    Ok(dirs.data_dir().join("konekte.db"))
}

/// Creates the database file readable by its owner only (and its folder, 0700, if
/// missing), before SQLite opens it: anyone who can read it can read every record.
fn create_private_file(path: &Path) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(parent)
            .map_err(|e| {
                Error::Database(crate::tr!(
                    db_cannot_create,
                    path = parent.display(),
                    error = e
                ))
            })?;
    }
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        // Another terminal created it in the meantime: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(Error::Database(crate::tr!(
            db_cannot_create,
            path = path.display(),
            error = e
        ))
        .into()),
    }
}

fn unreadable(path: &Path, err: &dyn std::fmt::Display) -> anyhow::Error {
    Error::Database(crate::tr!(
        db_unreadable,
        path = path.display(),
        error = err
    ))
    .into()
}

fn is_busy(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<rusqlite::Error>(),
            Some(rusqlite::Error::SqliteFailure(e, _))
                if matches!(e.code, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
        )
    })
}

/// Up to half of `base`, so that terminals that collided do not collide again in step.
fn jitter(base: Duration) -> Duration {
    base.mul_f64(rand::random::<f64>() / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_new_database_and_its_folder_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("office/konekte.db");
        Db::open(&path).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
    }

    #[test]
    fn a_file_that_is_not_a_database_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.db");
        let content = b"these are my notes, not a database at all; ".repeat(100);
        std::fs::write(&path, &content).unwrap();
        let err = Db::open(&path).err().unwrap();
        assert_eq!(crate::error::exit_code_of(&err), crate::error::Exit::IoErr);
        assert_eq!(std::fs::read(&path).unwrap(), content);
    }

    #[test]
    fn a_newer_schema_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("future.db");
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", LATEST_VERSION + 1)
            .unwrap();
        drop(conn);
        let before = std::fs::read(&path).unwrap();
        let err = Db::open(&path).err().unwrap();
        assert!(format!("{err:#}").contains("newer"), "{err:#}");
        assert_eq!(crate::error::exit_code_of(&err), crate::error::Exit::IoErr);
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn another_programs_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE users (name TEXT)")
            .unwrap();
        drop(conn);
        let err = Db::open(&path).err().unwrap();
        assert!(format!("{err:#}").contains("not a konekte"), "{err:#}");
    }

    #[test]
    fn another_programs_database_of_version_one_is_refused_before_any_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE users (name TEXT); PRAGMA user_version = 1;")
            .unwrap();
        drop(conn);
        let before = std::fs::read(&path).unwrap();
        let err = Db::open(&path).err().unwrap();
        assert!(format!("{err:#}").contains("not a konekte"), "{err:#}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
        assert!(
            !dir.path().join("other.db-wal").exists(),
            "not switched to WAL"
        );
    }

    #[test]
    fn a_database_that_must_exist_is_not_created() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("typo.db");
        let err = Db::open_existing(&path).err().unwrap();
        assert_eq!(
            crate::error::exit_code_of(&err),
            crate::error::Exit::NoInput
        );
        assert!(format!("{err:#}").contains("typo.db"), "{err:#}");
        assert!(!path.exists());
        Db::open(&path).unwrap();
        Db::open_existing(&path).unwrap();
    }

    #[test]
    fn read_only_open_creates_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("absent.db");
        assert!(Db::open_read_only(&path).unwrap().is_none());
        assert!(!path.exists());
    }

    #[test]
    fn a_write_that_fails_leaves_nothing_behind() {
        let db = Db::open_in_memory().unwrap();
        let result: Result<()> = db.write(|tx| {
            tx.execute(
                "INSERT INTO users (username, role, password_hash, created_at)
                 VALUES ('ghost', 'admin', 'x', 0)",
                [],
            )?;
            anyhow::bail!("changed my mind")
        });
        assert!(result.is_err());
        let count: i64 = db
            .conn
            .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
            .unwrap();
        assert_eq!(count, 0);
    }

    #[test]
    fn a_busy_database_is_retried_until_it_frees_up() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("busy.db");
        let db = Db::open(&path).unwrap();
        let other = Db::open(&path).unwrap();
        other.conn.busy_timeout(Duration::from_millis(1)).unwrap();
        db.conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        let holder = thread::spawn(move || {
            thread::sleep(Duration::from_millis(100));
            db.conn.execute_batch("COMMIT").unwrap();
        });
        let value = other.write(|_| Ok(42)).unwrap();
        holder.join().unwrap();
        assert_eq!(value, 42);
    }
}
