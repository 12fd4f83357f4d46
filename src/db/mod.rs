//! The one database every terminal shares: a SQLite file (the embedded default) or a
//! PostgreSQL server (terminals on many hosts). All SQL of the crate lives under this
//! folder; one `Db` API serves both, each statement written once where the dialects
//! agree.

pub(crate) mod backend;
mod query;
mod readers;
mod roles;
mod tables;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

use std::cell::Cell;
use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::clock::now_ms;
use crate::error::Error;
use crate::journal::Actor;
use crate::model::Millis;

pub use backend::migrations::LATEST_VERSION;
pub use backend::postgres::{CHANGES_CHANNEL, Environment, PgClient, PgTarget, TlsMode};
pub use backend::{Dialect, Failure, Patience, failure_of};
pub use readers::copy::Copied;
pub use readers::monitor::{
    Counts, HISTORY_DAYS, History, PaneSort, Query, RECENT_OFFLINE, Snapshot, UserKey, UserPage,
    UsersAnchor,
};
pub use roles::Granted;
pub use tables::attempts::{Credentials, Prior, SourceCount};
pub use tables::bulk::BulkLoader;
pub use tables::leaves::OnLeave;
pub use tables::schedules::{Scheduled, Whose};
pub use tables::sessions::{
    Beat, Closed, Correction, Here, ImportCount, LONG_SESSION_MS, MISSED_BEATS, NO_PASSWORD, Range,
    Span, UnknownName,
};
pub use tables::totals::PersonTotals;

use backend::postgres::{self as pg, PgConn};
use backend::{Conn, Exec, Tx, migrations, sqlite, value};

const FIRST_BACKOFF: Duration = Duration::from_millis(20);
const MAX_BACKOFF: Duration = Duration::from_secs(1);
/// A write that waited this long, or failed for a lock, means the database was held
/// elsewhere (a backup, a long import): heartbeats could not be written meanwhile.
const STALL: Duration = Duration::from_secs(1);

/// What a time is, read where the caller decides (the station's own clock in tests).
pub type Clock = Arc<dyn Fn() -> Millis + Send + Sync>;

/// Which database: a SQLite file, or a PostgreSQL database on a server.
#[derive(Clone)]
pub enum Target {
    Sqlite(PathBuf),
    Postgres(Box<PgTarget>),
}

impl Target {
    /// `postgres://…` (or `postgresql://…`) is a PostgreSQL database, completed from the
    /// environment as libpq completes it; anything else is the path of a SQLite file.
    pub fn parse(text: &Path) -> Result<Target> {
        match text.to_str().filter(|t| pg::is_url(t)) {
            Some(url) => Ok(Target::Postgres(Box::new(PgTarget::parse(
                url,
                &Environment::of_this_process(),
            )?))),
            None => Ok(Target::Sqlite(text.to_path_buf())),
        }
    }

    /// How messages name it: the path, or `user@host:port/database`.
    pub fn describe(&self) -> String {
        match self {
            Target::Sqlite(path) => path.display().to_string(),
            Target::Postgres(pg) => pg.describe(),
        }
    }
}

pub struct Db {
    conn: Conn,
    patience: Patience,
    /// How far the database server's clock is ahead of this machine's (0 on SQLite,
    /// whose every terminal shares this machine's clock).
    offset: Arc<AtomicI64>,
    /// Overrides `now()` (a station's clock; tests move it by hand).
    clock: Option<Clock>,
    /// A write of this connection waited for or failed on a lock held elsewhere, and
    /// no write has told the database yet (`write_stalls`).
    stalled: Cell<bool>,
    /// When the write under way began, its retries included.
    write_began: Cell<Option<Instant>>,
    /// The transaction under way has written its stall down already.
    stall_told: Cell<bool>,
    /// The SQLite file as opened: its path, device and inode.
    file: Option<(PathBuf, u64, u64)>,
    /// Who this connection's admin actions are journaled as done by.
    actor: Option<Actor>,
    /// The keys of the sessions this process opened and has not ended: what proves,
    /// to a PostgreSQL server that lets a terminal role end only its own sessions,
    /// that a session is this terminal's.
    session_keys: SessionKeys,
}

/// The keys of a process's open sessions, shared by its connections.
pub type SessionKeys = Arc<Mutex<HashMap<i64, String>>>;

impl Db {
    /// Opens the database, creating it if missing (a SQLite file, mode 0600, and its
    /// folder; a PostgreSQL schema in an empty database), and brings its schema up to
    /// date. Another program's database, a corrupt one, or one of a newer schema is
    /// refused before anything is written to it.
    pub fn open(target: &Target) -> Result<Db> {
        let db = match target {
            Target::Sqlite(path) => {
                if !sqlite::exists(path)? {
                    sqlite::create_private_file(path)?;
                }
                Db::on_file(sqlite::open(path)?, path)
            }
            Target::Postgres(pg) => Db::open_postgres(pg, true)?,
        };
        db.start_journal()?;
        Ok(db)
    }

    /// Opens a database that must exist already: what every command but `add-users` and
    /// `demo` opens, so that a mistyped path is an error (exit 66), not a new empty office.
    pub fn open_existing(target: &Target) -> Result<Db> {
        let db = match target {
            Target::Sqlite(path) if !sqlite::exists(path)? => {
                return Err(Error::NoInput(crate::said!(db_missing, path = path.display())).into());
            }
            Target::Sqlite(path) => Db::on_file(sqlite::open(path)?, path),
            Target::Postgres(pg) => Db::open_postgres(pg, false)?,
        };
        db.start_journal()?;
        Ok(db)
    }

    /// Opens an existing database without writing anything to it, not even a schema
    /// migration: for `--dry-run`. `None` when it has no konekte schema yet.
    pub fn open_read_only(target: &Target) -> Result<Option<Db>> {
        match target {
            Target::Sqlite(path) => {
                Ok(sqlite::open_read_only(path)?.map(|conn| Db::with(Conn::Sqlite(conn))))
            }
            Target::Postgres(pg) => {
                let conn = PgConn::connect(pg)?;
                let current = migrations::postgres_version(&*conn.client()?, pg)?;
                Ok((current == Some(LATEST_VERSION))
                    .then(|| Db::with(Conn::Postgres(Box::new(conn)))))
            }
        }
    }

    fn open_postgres(target: &PgTarget, create: bool) -> Result<Db> {
        let conn = PgConn::connect(target)?;
        {
            let client = conn.client()?;
            if !create && migrations::postgres_version(&client, target)?.is_none() {
                return Err(
                    Error::NoInput(crate::said!(pg_no_schema, target = target.describe())).into(),
                );
            }
            migrations::migrate_postgres(&client, target)?;
        }
        let db = Db::with(Conn::Postgres(Box::new(conn)));
        db.measure_clock();
        Ok(db)
    }

    /// A SQLite connection, with the identity of its file kept (`file_replaced`).
    fn on_file(conn: Connection, path: &Path) -> Db {
        let mut db = Db::with(Conn::Sqlite(conn));
        db.file = std::fs::metadata(path)
            .ok()
            .map(|file| (path.to_path_buf(), file.dev(), file.ino()));
        db
    }

    fn with(conn: Conn) -> Db {
        Db {
            conn,
            patience: Patience::default(),
            offset: Arc::new(AtomicI64::new(0)),
            clock: None,
            stalled: Cell::new(false),
            write_began: Cell::new(None),
            stall_told: Cell::new(false),
            file: None,
            actor: None,
            session_keys: SessionKeys::default(),
        }
    }

    /// A private database for tests, with the full schema.
    pub fn open_in_memory() -> Result<Db> {
        let conn = Connection::open_in_memory()?;
        sqlite::configure(&conn, Path::new(":memory:"))?;
        migrations::migrate_sqlite(&conn)?;
        let db = Db::with(Conn::Sqlite(conn));
        db.start_journal()?;
        Ok(db)
    }

    pub fn dialect(&self) -> Dialect {
        self.conn.dialect()
    }

    /// Journals this connection's admin actions (accounts made or changed, an end
    /// forced, a prune, a correction) as done by `actor`: a shell command's system
    /// account and place, or the monitor's admin.
    pub fn act_as(&mut self, actor: Actor) {
        self.actor = Some(actor);
    }

    pub(in crate::db) fn actor(&self) -> Option<Actor> {
        self.actor.clone()
    }

    /// The keys of the sessions this connection opened, to share with another
    /// connection of the process (the one that writes a last end after a fault).
    pub fn session_keys(&self) -> SessionKeys {
        Arc::clone(&self.session_keys)
    }

    /// Ends and beats the sessions of `keys` as their own terminal does.
    pub fn share_session_keys(&mut self, keys: SessionKeys) {
        self.session_keys = keys;
    }

    fn keys(&self) -> std::sync::MutexGuard<'_, HashMap<i64, String>> {
        // A map of strings cannot be left half-changed by a panic.
        self.session_keys
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(in crate::db) fn keep_key(&self, session: i64, key: String) {
        self.keys().insert(session, key);
    }

    pub(in crate::db) fn key_of(&self, session: i64) -> Option<String> {
        self.keys().get(&session).cloned()
    }

    pub(in crate::db) fn forget_key(&self, session: i64) {
        self.keys().remove(&session);
    }

    /// Whether the SQLite file at the path opened is gone, or is another file now (a
    /// backup restored over it, a new office made with `rm` and `add-users`): this
    /// connection then writes to a file no other terminal reads. Never on PostgreSQL.
    pub fn file_replaced(&self) -> bool {
        let Some((path, device, inode)) = &self.file else {
            return false;
        };
        std::fs::metadata(path).map_or(true, |now| (now.dev(), now.ino()) != (*device, *inode))
    }

    /// Refuses a damaged SQLite file (exit 74) before a command writes to it: a corrupt
    /// index page lets reads and writes succeed while the rows they touch go astray.
    /// `PRAGMA quick_check` reads every page of `tables` and their indexes (of the whole
    /// file if none are named: about a second at a million sessions). PostgreSQL checks
    /// its own pages.
    pub fn check_integrity(&self, tables: &[&str]) -> Result<()> {
        let Conn::Sqlite(conn) = &self.conn else {
            return Ok(());
        };
        let path = conn.path().unwrap_or_default().to_string();
        let checks: Vec<String> = if tables.is_empty() {
            vec!["PRAGMA quick_check".into()]
        } else {
            tables
                .iter()
                .map(|t| format!("PRAGMA quick_check({t})"))
                .collect()
        };
        for check in checks {
            let found: String = conn
                .query_row(&check, [], |row| row.get(0))
                .map_err(|e| sqlite::unreadable(Path::new(&path), &e))?;
            if found != "ok" {
                return Err(
                    Error::Database(crate::said!(db_damaged, path = path, error = found)).into(),
                );
            }
        }
        Ok(())
    }

    /// Now, by the database's clock: this machine's, moved by the server's offset.
    pub fn now(&self) -> Millis {
        match &self.clock {
            Some(clock) => clock(),
            None => now_ms() + self.offset.load(Ordering::Relaxed),
        }
    }

    /// Reads the time from `clock` from now on (the station's, so that its tests can
    /// move time by hand).
    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = Some(clock);
    }

    /// The offset of the server's clock, shared: it moves as heartbeats measure it again.
    pub fn clock_offset(&self) -> Arc<AtomicI64> {
        Arc::clone(&self.offset)
    }

    /// Measures the server's clock again (PostgreSQL); kept as it was if it cannot be.
    fn measure_clock(&self) {
        if let Conn::Postgres(pg) = &self.conn
            && let Ok(offset) = pg.clock_offset()
        {
            self.offset.store(offset, Ordering::Relaxed);
        }
    }

    /// Whether the database could be reached at its last try: false while a
    /// PostgreSQL server is down or cut off, shared so that a screen can say so while
    /// the worker is still trying. Always true for a SQLite file.
    pub fn reachable(&self) -> Arc<std::sync::atomic::AtomicBool> {
        match &self.conn {
            Conn::Sqlite(_) => Arc::new(std::sync::atomic::AtomicBool::new(true)),
            Conn::Postgres(pg) => pg.reachable(),
        }
    }

    /// How long writes wait for a lock held elsewhere (tests shorten it).
    pub fn set_patience(&mut self, patience: Patience) -> Result<()> {
        match &self.conn {
            Conn::Sqlite(conn) => conn.busy_timeout(patience.busy_timeout)?,
            Conn::Postgres(pg) => pg.set_lock_timeout(patience.busy_timeout)?,
        }
        self.patience = patience;
        Ok(())
    }

    /// Runs `read` in one read transaction: each statement sees the database as the
    /// first one did, whatever is committed meanwhile. A PostgreSQL connection made
    /// again meanwhile (a statement retried on a new one) read outside that moment: the
    /// read fails as a lost connection, to be run again.
    fn in_snapshot<T>(&self, read: impl FnOnce() -> Result<T>) -> Result<T> {
        let begin = match self.dialect() {
            Dialect::Sqlite => "BEGIN",
            Dialect::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        };
        let reconnections = || match &self.conn {
            Conn::Postgres(pg) => pg.reconnections(),
            Conn::Sqlite(_) => 0,
        };
        self.execute(begin, value::params![])?;
        let began_on = reconnections();
        let result = read().and_then(|value| {
            if reconnections() == began_on {
                return Ok(value);
            }
            let reason = crate::tr!(snapshot_broken);
            Err(Error::Database(crate::said!(db_lost, reason = reason)).into())
        });
        match &result {
            Ok(_) => {
                self.execute("COMMIT", value::params![])?;
            }
            // The read's own error says more than a failed rollback would.
            Err(_) => {
                let _ = self.execute("ROLLBACK", value::params![]);
            }
        }
        result
    }

    /// Runs `work` in a write transaction and commits it. On SQLite the write lock is
    /// taken up front (`BEGIN IMMEDIATE`), so a read-then-write never fails half-way
    /// with SQLITE_BUSY; on PostgreSQL (READ COMMITTED) the read-then-writes take their
    /// own locks (`Tx::lock`). A busy database, a serialization failure or a deadlock,
    /// and a dropped connection (made again) are tried again with back-off, a bounded
    /// number of times; inserts carry their own keys, so a commit whose answer was lost
    /// is not written twice. Only the database layer writes.
    fn write<T>(&self, mut work: impl FnMut(&Tx) -> Result<T>) -> Result<T> {
        let mut backoff = FIRST_BACKOFF;
        let mut attempt = 1;
        self.write_began.set(Some(Instant::now()));
        loop {
            let err = match self.try_write(&mut work) {
                Ok(value) => return Ok(value),
                Err(err) => err,
            };
            let failure = failure_of(&err);
            let lost = failure == Some(Failure::Lost);
            if lost && let Conn::Postgres(pg) = &self.conn {
                pg.set_reachable(false);
            }
            let busy = matches!(failure, Some(Failure::Busy | Failure::Conflict));
            if !(lost || busy) {
                return Err(self.named(err));
            }
            if attempt >= self.patience.attempts {
                self.stalled.set(true);
                // One line that says what happened, not the driver's words for it.
                let said = if lost {
                    Error::Database(crate::said!(db_lost, reason = backend::server_reason(&err)))
                } else {
                    let waited = self.write_began.get().map_or(0, |t| t.elapsed().as_secs());
                    Error::Refused(crate::said!(db_busy, seconds = waited))
                };
                return Err(said.into());
            }
            thread::sleep(backoff + jitter(backoff));
            backoff = (backoff * 2).min(MAX_BACKOFF);
            attempt += 1;
            if lost && let Conn::Postgres(pg) = &self.conn {
                // Failing to reconnect is one more failed attempt.
                let _ = pg.reconnect();
            }
        }
    }

    /// `err`, said as what it is when SQLite's words do not name it: a full disk.
    fn named(&self, err: anyhow::Error) -> anyhow::Error {
        match &self.file {
            Some((path, ..)) if sqlite::disk_full(path) => err.context(Error::Database(
                crate::said!(db_disk_full, path = path.display()),
            )),
            _ => err,
        }
    }

    fn try_write<T>(&self, work: &mut impl FnMut(&Tx) -> Result<T>) -> Result<T> {
        match &self.conn {
            Conn::Sqlite(conn) => self.commit_after(
                Tx::Sqlite(Transaction::new_unchecked(
                    conn,
                    TransactionBehavior::Immediate,
                )?),
                work,
            ),
            Conn::Postgres(pg) => self.commit_after(Tx::Postgres(pg::PgTx::begin(pg)?), work),
        }
    }

    /// Runs `work` in `tx` and commits it. A write that waited for a lock (SQLite waits
    /// at BEGIN, PostgreSQL at the statements) says so before it commits, unless its
    /// work has already (the sweep, which must know before it judges).
    fn commit_after<T>(&self, tx: Tx, work: &mut impl FnMut(&Tx) -> Result<T>) -> Result<T> {
        self.stall_told.set(false);
        let value = work(&tx)?;
        self.tell_of_a_stall(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// If this write waited for a lock held elsewhere (or an earlier one gave up on
    /// it), writes down that the database is writable again as of now: the sweep then
    /// gives every terminal three heartbeats from now before it takes one for lost.
    fn tell_of_a_stall(&self, tx: &Tx) -> Result<()> {
        let waited = self
            .write_began
            .get()
            .is_some_and(|began| began.elapsed() >= STALL);
        if self.stall_told.get() || !(waited || self.stalled.get()) {
            return Ok(());
        }
        let sql = match tx.dialect() {
            Dialect::Sqlite => "UPDATE write_stalls SET ended_at = ?1 WHERE ended_at < ?1",
            Dialect::Postgres => "SELECT konekte_stall_ended(?1)",
        };
        tx.execute(sql, value::params![self.now()])?;
        self.stalled.set(false);
        self.stall_told.set(true);
        Ok(())
    }
}

impl Exec for Db {
    fn dialect(&self) -> Dialect {
        self.conn.dialect()
    }

    fn query(&self, sql: &str, params: &[value::Value]) -> Result<Vec<value::Row>> {
        self.conn.query(sql, params)
    }

    fn execute(&self, sql: &str, params: &[value::Value]) -> Result<u64> {
        self.conn.execute(sql, params)
    }

    fn each(
        &self,
        sql: &str,
        params: &[value::Value],
        visit: &mut dyn FnMut(value::Row) -> Result<()>,
    ) -> Result<()> {
        self.conn.each(sql, params, visit)
    }
}

/// Waits for another connection's change to the database, for a live monitor: on
/// PostgreSQL a LISTEN for the triggers' NOTIFY, made again after a drop; on SQLite
/// inotify and `data_version`.
pub enum Watch {
    Sqlite(sqlite::SqliteWatch),
    Postgres(Box<pg::PgWatch>),
}

impl Watch {
    pub fn open(target: &Target) -> Result<Watch> {
        Ok(match target {
            Target::Sqlite(path) => {
                Watch::Sqlite(sqlite::SqliteWatch::new(sqlite::open(path)?, path)?)
            }
            Target::Postgres(pg) => Watch::Postgres(Box::new(pg::PgWatch::new(pg)?)),
        })
    }

    /// Whether something changed; waits at most `patience` for it. An error is a lost
    /// connection: the next call connects again.
    pub fn wait(&mut self, patience: Duration) -> Result<bool> {
        match self {
            Watch::Sqlite(watch) => watch.wait(patience),
            Watch::Postgres(watch) => watch.wait(patience),
        }
    }
}

/// Where a system install keeps the PC's database: the package makes this folder, owned
/// by its `konekte` account.
pub const SYSTEM_DIR: &str = "/var/lib/konekte";

/// The default database path: `/var/lib/konekte/konekte.db` on a system install (that
/// folder exists), so that the kiosk, the agent, PAM and root share one record; else
/// `$XDG_DATA_HOME/konekte/konekte.db` (`~/.local/share/konekte/konekte.db` on Linux).
pub fn default_path() -> Result<PathBuf> {
    default_path_in(Path::new(SYSTEM_DIR))
}

fn default_path_in(system_dir: &Path) -> Result<PathBuf> {
    if system_dir.is_dir() {
        return Ok(system_dir.join("konekte.db"));
    }
    let dirs = directories::ProjectDirs::from("", "", "konekte")
        .context("no home folder to keep the database in; give --db PATH or CONSOLE_DB")?;
    Ok(dirs.data_dir().join("konekte.db"))
}

/// Up to half of `base`, so that terminals that collided do not collide again in step.
fn jitter(base: Duration) -> Duration {
    base.mul_f64(rand::random::<f64>() / 2.0)
}

#[cfg(test)]
mod default_path_tests {
    use super::*;

    #[test]
    fn a_system_install_keeps_the_database_in_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            default_path_in(dir.path()).unwrap(),
            dir.path().join("konekte.db")
        );
        let missing = dir.path().join("not-installed");
        let personal = default_path_in(&missing).unwrap();
        assert!(
            personal.ends_with("konekte/konekte.db"),
            "{}",
            personal.display()
        );
        assert!(!personal.starts_with(&missing));
    }
}

#[cfg(test)]
impl Db {
    /// The first column of every row of `sql`, as text: for tests that check rows no
    /// method returns.
    pub(crate) fn column_for_tests(&self, sql: &str) -> Vec<String> {
        self.query(sql, &[])
            .expect("a test query")
            .iter()
            .map(|row| match &row.values()[0] {
                value::Value::Text(text) => text.clone(),
                other => format!("{other:?}"),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use value::params;

    #[test]
    fn a_write_that_fails_leaves_nothing_behind() {
        let db = testing::db();
        let result: Result<()> = db.write(|tx| {
            tx.execute(
                "INSERT INTO users (username, role, password_hash, created_at)
                 VALUES ('ghost', 'admin', 'x', 0)",
                params![],
            )?;
            anyhow::bail!("changed my mind")
        });
        assert!(result.is_err());
        let count: i64 = db
            .query_row("SELECT count(*) FROM users", params![])
            .unwrap()
            .get(0)
            .unwrap();
        assert_eq!(count, 0);
    }

    #[test]
    fn a_database_that_must_exist_is_not_created() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("typo.db");
        let target = Target::Sqlite(path.clone());
        let err = Db::open_existing(&target).err().unwrap();
        assert_eq!(
            crate::error::exit_code_of(&err),
            crate::error::Exit::NoInput
        );
        assert!(format!("{err:#}").contains("typo.db"), "{err:#}");
        assert!(!path.exists());
        Db::open(&target).unwrap();
        Db::open_existing(&target).unwrap();
    }

    #[test]
    fn a_busy_database_is_retried_until_it_frees_up() {
        let dir = tempfile::tempdir().unwrap();
        let target = Target::Sqlite(dir.path().join("busy.db"));
        let db = Db::open(&target).unwrap();
        let mut other = Db::open(&target).unwrap();
        other
            .set_patience(Patience {
                busy_timeout: Duration::from_millis(1),
                ..Patience::default()
            })
            .unwrap();
        db.execute("BEGIN IMMEDIATE", params![]).unwrap();
        let holder = thread::spawn(move || {
            thread::sleep(Duration::from_millis(100));
            db.execute("COMMIT", params![]).unwrap();
        });
        let value = other.write(|_| Ok(42)).unwrap();
        holder.join().unwrap();
        assert_eq!(value, 42);
    }

    #[test]
    fn a_write_that_gives_up_on_a_lock_says_so_in_one_line() {
        let dir = tempfile::tempdir().unwrap();
        let target = Target::Sqlite(dir.path().join("held.db"));
        let holder = Db::open(&target).unwrap();
        let mut writer = Db::open(&target).unwrap();
        writer
            .set_patience(Patience {
                busy_timeout: Duration::from_millis(1),
                attempts: 2,
            })
            .unwrap();
        holder.execute("BEGIN IMMEDIATE", params![]).unwrap();
        let err = writer.write(|_| Ok(())).unwrap_err();
        let said = format!("{err:#}");
        assert!(
            said.starts_with("another program held the database"),
            "{said}"
        );
        assert!(
            !said.contains("database is locked"),
            "the driver's words: {said}"
        );
        assert_eq!(
            crate::error::exit_code_of(&err),
            crate::error::Exit::Failure
        );
    }

    #[test]
    fn a_read_that_lost_its_connection_midway_fails_rather_than_mix_two_moments() {
        let Some(server) = testing::postgres_server("a consistent read across a reconnection")
        else {
            return;
        };
        let database = testing::PgDatabase::new(&server);
        let db = Db::open(&Target::Postgres(Box::new(database.target.clone()))).unwrap();
        let killer = database.target.connect().unwrap();
        let result = db.in_snapshot(|| {
            let pid: i64 = db
                .query_row("SELECT pg_backend_pid()::BIGINT", params![])?
                .get(0)?;
            killer.batch_execute(&format!("SELECT pg_terminate_backend({pid})"))?;
            while killer
                .query_one(
                    &format!("SELECT count(*) FROM pg_stat_activity WHERE pid = {pid}"),
                    &[],
                )?
                .get::<_, i64>(0)
                > 0
            {
                thread::sleep(Duration::from_millis(10));
            }
            // Retried on a new connection: it answers, outside the moment begun.
            db.query_row("SELECT count(*) FROM users", params![])?;
            Ok(())
        });
        let said = format!("{:#}", result.unwrap_err());
        assert!(said.contains("one consistent read"), "{said}");
    }

    #[test]
    fn a_url_is_postgresql_and_anything_else_a_file() {
        assert!(matches!(
            Target::parse(Path::new("postgres://desk@db.office/konekte")).unwrap(),
            Target::Postgres(_)
        ));
        assert!(matches!(
            Target::parse(Path::new("/srv/konekte/konekte.db")).unwrap(),
            Target::Sqlite(_)
        ));
    }
}
