//! Databases for the tests, on the backend they are asked to run on:
//! `KONEKTE_TEST_BACKEND=postgres` runs them on PostgreSQL (the server of
//! `KONEKTE_TEST_POSTGRES`, a URL, else of the PG* variables as libpq reads them), each
//! test in a database of its own, dropped at its end; otherwise on SQLite. The cases
//! that only PostgreSQL has ask for `postgres_server()`: without a server they say they
//! were skipped, except under CI (`CI` set) or on PostgreSQL, where it fails them.

use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{Db, Dialect, Environment, PgTarget, Target};

/// One journal entry appended in a write transaction that also changes a row, and the
/// same transaction without the entry: the benchmark's measure of an append is the
/// difference, what the journal adds to the transaction of the fact it records (which
/// commits, durably, whether or not there is a journal).
pub fn append_one(db: &Db) -> anyhow::Result<()> {
    db.write(|tx| {
        touch_one_row(tx)?;
        let fact = crate::journal::Fact::SessionReopened;
        super::tables::journal::append(tx, db.now(), None, &fact)?;
        Ok(())
    })
}

pub fn write_one_row(db: &Db) -> anyhow::Result<()> {
    db.write(touch_one_row)
}

fn touch_one_row(tx: &super::backend::Tx) -> anyhow::Result<()> {
    use super::backend::Exec;
    tx.execute(
        "UPDATE write_stalls SET ended_at = ended_at WHERE only_row = 1",
        super::backend::value::params![],
    )?;
    Ok(())
}

fn everything_alive(_: u32, _: Option<i64>) -> bool {
    true
}

/// A sweep run on another machine: it judges sessions by their silence alone.
pub fn elsewhere() -> super::Here<'static> {
    super::Here {
        host: "elsewhere",
        machine_id: None,
        boot_id: None,
        booted_at: None,
        pid_ns: None,
        pid_alive: &everything_alive,
    }
}

/// An account whose password is "right-password".
pub fn person(username: &str, role: crate::model::Role) -> crate::model::NewUser {
    crate::model::NewUser {
        username: username.into(),
        full_name: String::new(),
        role,
        password_hash: crate::auth::hash_password("right-password").expect("a hash"),
        must_change_password: false,
    }
}

/// The backend the suite runs on.
pub fn backend() -> Dialect {
    match std::env::var("KONEKTE_TEST_BACKEND").as_deref() {
        Ok("postgres") => Dialect::Postgres,
        _ => Dialect::Sqlite,
    }
}

/// The PostgreSQL server of the tests, reachable; `None` (said on stderr, with `what`)
/// when there is none and the suite does not run on PostgreSQL. Under CI, or when the
/// suite runs on PostgreSQL, a missing server fails the test.
pub fn postgres_server(what: &str) -> Option<PgTarget> {
    let required = backend() == Dialect::Postgres || std::env::var_os("CI").is_some();
    let given = std::env::var("KONEKTE_TEST_POSTGRES").ok();
    let reachable = if given.is_some() || required {
        let url = given.unwrap_or_else(|| "postgres://".into());
        PgTarget::parse(&url, &Environment::of_this_process())
            .ok()
            .filter(|target| target.connect().is_ok())
    } else {
        None
    };
    match reachable {
        Some(target) => Some(target),
        None if required => panic!(
            "{what}: no PostgreSQL server (set KONEKTE_TEST_POSTGRES, or run scripts/test-postgres)"
        ),
        None => {
            // Past the test harness's capture, so that a skipped case shows.
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), "skipped, no PostgreSQL server: {what}");
            None
        }
    }
}

/// A new database of its own on `server`, dropped when the guard is.
pub struct PgDatabase {
    pub target: PgTarget,
    server: PgTarget,
}

impl PgDatabase {
    pub fn new(server: &PgTarget) -> PgDatabase {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "konekte_test_{}_{}_{:08x}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            rand::random::<u32>()
        );
        let admin = server.connect().expect("the test server");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("a test database");
        PgDatabase {
            target: server.with_dbname(&name),
            server: server.clone(),
        }
    }

    /// `postgres://user@host:port/database`, without the password (which the process
    /// finds where this one did: PGPASSWORD, ~/.pgpass).
    pub fn url(&self) -> String {
        format!("postgres://{}", self.target.describe())
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(admin) = self.server.connect() {
            let name = self.target.dbname();
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// A database for one test: in memory on SQLite, a database of its own on PostgreSQL.
pub struct TestDb {
    db: Option<Db>,
    _postgres: Option<PgDatabase>,
}

impl Deref for TestDb {
    type Target = Db;

    fn deref(&self) -> &Db {
        self.db.as_ref().expect("open until dropped")
    }
}

impl DerefMut for TestDb {
    fn deref_mut(&mut self) -> &mut Db {
        self.db.as_mut().expect("open until dropped")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // The connection goes first, then its database.
        self.db.take();
    }
}

/// A new, empty office database on the backend of the suite.
pub fn db() -> TestDb {
    match backend() {
        Dialect::Sqlite => TestDb {
            db: Some(Db::open_in_memory().expect("an in-memory database")),
            _postgres: None,
        },
        Dialect::Postgres => {
            let server = postgres_server("the suite on PostgreSQL").expect("required");
            let database = PgDatabase::new(&server);
            let db = Db::open(&Target::Postgres(Box::new(database.target.clone())))
                .expect("a test database");
            TestDb {
                db: Some(db),
                _postgres: Some(database),
            }
        }
    }
}

/// A database that other connections can open too: a file in `dir` on SQLite, a
/// database of its own on PostgreSQL (kept while the guard lives).
pub fn shared(dir: &Path) -> (Target, Option<PgDatabase>) {
    match backend() {
        Dialect::Sqlite => (Target::Sqlite(dir.join("konekte.db")), None),
        Dialect::Postgres => {
            let server = postgres_server("the suite on PostgreSQL").expect("required");
            let database = PgDatabase::new(&server);
            (
                Target::Postgres(Box::new(database.target.clone())),
                Some(database),
            )
        }
    }
}

/// Another program holding the database's write lock, as a backup or a long import
/// does: writers wait until it lets go (`release`, or drop).
pub enum HeldLock {
    Sqlite(rusqlite::Connection),
    Postgres(super::PgClient),
}

pub fn hold_write_lock(target: &Target) -> HeldLock {
    match target {
        Target::Sqlite(path) => {
            let conn = rusqlite::Connection::open(path).expect("a second connection");
            conn.execute_batch("BEGIN IMMEDIATE")
                .expect("the write lock");
            HeldLock::Sqlite(conn)
        }
        Target::Postgres(pg) => {
            let client = pg.connect().expect("a second connection");
            client
                .batch_execute(
                    "BEGIN; LOCK TABLE users, sessions, login_attempts IN EXCLUSIVE MODE",
                )
                .expect("the tables' locks");
            HeldLock::Postgres(client)
        }
    }
}

impl HeldLock {
    pub fn release(self) {
        match self {
            HeldLock::Sqlite(conn) => conn.execute_batch("ROLLBACK").expect("let go"),
            HeldLock::Postgres(client) => client.batch_execute("ROLLBACK").expect("let go"),
        }
    }
}
