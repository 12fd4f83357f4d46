//! Helpers shared by the tests of the real binary.
#![allow(dead_code)] // each test file uses its own part of this

pub mod pam;
pub mod pg_server;
pub mod pty;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use konekte::db::Target;
use konekte::db::testing::{self, PgDatabase};
use tempfile::TempDir;

pub const SAMPLE_CSV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/users_sample.csv");

/// One database for a test, on the backend of the suite (`KONEKTE_TEST_BACKEND`): a
/// SQLite file in a temporary folder, or a PostgreSQL database of its own; removed at
/// the end of the test.
pub struct Office {
    pub dir: TempDir,
    /// The SQLite file (on SQLite; on PostgreSQL the path is never created).
    pub db: PathBuf,
    pub target: Target,
    /// What CONSOLE_DB says: the file, or the URL.
    pub console_db: String,
    _postgres: Option<PgDatabase>,
}

impl Office {
    pub fn new() -> Office {
        let dir = tempfile::tempdir().expect("temporary folder");
        let db = dir.path().join("konekte.db");
        let (target, postgres) = testing::shared(dir.path());
        let console_db = match &postgres {
            Some(database) => database.url(),
            None => db.display().to_string(),
        };
        Office {
            dir,
            db,
            target,
            console_db,
            _postgres: postgres,
        }
    }

    /// An office on a database found elsewhere (a test's own server), reached with
    /// `console_db`.
    pub fn at(target: Target, console_db: String) -> Office {
        let dir = tempfile::tempdir().expect("temporary folder");
        Office {
            db: dir.path().join("unused.db"),
            dir,
            target,
            console_db,
            _postgres: None,
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.target, Target::Postgres(_))
    }

    /// An office with the 16 sample users imported.
    pub fn with_sample_users() -> Office {
        let office = Office::new();
        office
            .console(&["add-users", "--file", SAMPLE_CSV])
            .assert()
            .success();
        office
    }

    /// `console ARGS` on this office's database, in English, without colour.
    pub fn console(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("console").expect("the console binary");
        cmd.args(args)
            .env("CONSOLE_DB", &self.console_db)
            // This machine's configuration files are not the test's.
            .env("CONSOLE_CONFIG_SYSTEM", "")
            .env("CONSOLE_CONFIG_USER", "")
            .env("NO_COLOR", "1")
            .env("TZ", "UTC")
            .env_remove("CONSOLE_LANG")
            .env_remove("LANG")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES");
        cmd
    }

    /// What the database holds, as `users list --format csv` prints it.
    pub fn users_csv(&self) -> String {
        let output = self
            .console(&["users", "list", "--format", "csv"])
            .output()
            .expect("run");
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stdout).expect("UTF-8")
    }

    /// An office with a known history (all times UTC):
    /// - ann (secretaire): 2026-11-20 08:00-12:00 logout; 2026-11-20 22:00 - 11-21 02:00 idle
    /// - bob (secretaire): 2026-11-21 09:00-10:30 lost
    /// - cid (archives):   2026-11-21 11:00-11:30 forced by dee, "closing"
    /// - dee (admin):      2026-11-22 09:00, still open (on a long heartbeat)
    /// - failed attempts: "ghost" three times, "ann" once (bad password).
    pub fn with_history() -> Office {
        let office = Office::new();
        konekte::db::Db::open(&office.target).expect("a new database");
        office.sql(HISTORY);
        office
    }

    /// The history of `with_history`, with names and places as long as they come.
    pub fn with_history_of_long_names() -> Office {
        let office = Office::with_history();
        office.sql(
            "UPDATE users SET username = 'secretaire_principale', full_name = 'Marie-Roseline Toussaint-Augustin de la Rivière'
             WHERE id = 1;
             UPDATE users SET username = 'archiviste_principale' WHERE id = 4;
             UPDATE sessions SET host = 'poste-accueil-rez-de-chaussee', remote_ip = '2001:db8:85a3::8a2e:370:7334';
             UPDATE login_attempts SET username_typed = 'secretaire_principale', host = 'poste-accueil-rez-de-chaussee',
                                       remote_ip = '2001:db8:85a3::8a2e:370:7334';",
        );
        office
    }

    /// Runs `statements` (`;`-separated) on the database, as another program would; on
    /// PostgreSQL the ids given by hand move the identity sequences on.
    pub fn sql(&self, statements: &str) {
        match &self.target {
            Target::Sqlite(path) => rusqlite::Connection::open(path)
                .expect("open")
                .execute_batch(statements)
                .expect("the statements"),
            Target::Postgres(pg) => {
                let client = pg.connect().expect("connect");
                client.batch_execute(statements).expect("the statements");
                client
                    .batch_execute(
                        "SELECT setval(pg_get_serial_sequence(t, 'id'), coalesce(max_id, 0) + 1, false)
                         FROM (VALUES ('users', (SELECT max(id) FROM users)),
                                      ('sessions', (SELECT max(id) FROM sessions)),
                                      ('login_attempts', (SELECT max(id) FROM login_attempts)))
                              AS ids (t, max_id)",
                    )
                    .expect("the sequences");
            }
        }
    }

    /// The integer that `query` returns (one row, one column).
    pub fn sql_count(&self, query: &str) -> i64 {
        match &self.target {
            Target::Sqlite(path) => {
                let conn = rusqlite::Connection::open(path).expect("open");
                conn.query_row(query, [], |row| row.get(0)).expect("query")
            }
            Target::Postgres(pg) => {
                let client = pg.connect().expect("connect");
                let row = client.query_one(query, &[]).expect("query");
                row.try_get::<_, i64>(0)
                    .or_else(|_| row.try_get::<_, bool>(0).map(i64::from))
                    .or_else(|_| row.try_get::<_, i32>(0).map(i64::from))
                    .expect("an integer")
            }
        }
    }

    /// The text that `query` returns (one row, one column).
    pub fn sql_text(&self, query: &str) -> String {
        match &self.target {
            Target::Sqlite(path) => {
                let conn = rusqlite::Connection::open(path).expect("open");
                conn.query_row(query, [], |row| row.get(0)).expect("query")
            }
            Target::Postgres(pg) => {
                let client = pg.connect().expect("connect");
                client.query_one(query, &[]).expect("query").get(0)
            }
        }
    }

    /// The latest session: (id, login_time, last_seen, logout_time, end_reason).
    pub fn latest_session(&self) -> Option<SessionRow> {
        self.sessions(
            "SELECT id, login_time, last_seen, logout_time, end_reason, end_note
             FROM sessions ORDER BY id DESC LIMIT 1",
        )
        .pop()
    }

    /// The rows of `query`, whose columns are those of `SessionRow`, in that order.
    pub fn sessions(&self, query: &str) -> Vec<SessionRow> {
        match &self.target {
            Target::Sqlite(path) => {
                let conn = rusqlite::Connection::open(path).expect("open");
                let mut statement = conn.prepare(query).expect("query");
                statement
                    .query_map([], |row| {
                        Ok(SessionRow {
                            id: row.get(0)?,
                            login_time: row.get(1)?,
                            last_seen: row.get(2)?,
                            logout_time: row.get(3)?,
                            end_reason: row.get(4)?,
                            end_note: row.get(5)?,
                        })
                    })
                    .expect("rows")
                    .map(|row| row.expect("a row"))
                    .collect()
            }
            Target::Postgres(pg) => {
                let client = pg.connect().expect("connect");
                client
                    .query(query, &[])
                    .expect("query")
                    .iter()
                    .map(|row| SessionRow {
                        id: row.get(0),
                        login_time: row.get(1),
                        last_seen: row.get(2),
                        logout_time: row.get(3),
                        end_reason: row.get(4),
                        end_note: row.get(5),
                    })
                    .collect()
            }
        }
    }

    /// Whether the office has a database yet: the file, or konekte's tables.
    pub fn has_database(&self) -> bool {
        match &self.target {
            Target::Sqlite(path) => path.exists(),
            Target::Postgres(_) => {
                self.sql_count(
                    "SELECT count(*) FROM information_schema.tables
                     WHERE table_schema = current_schema()",
                ) > 0
            }
        }
    }

    /// Everything the database holds, to compare before and after: the file's bytes,
    /// or every row of PostgreSQL's tables.
    pub fn snapshot(&self) -> String {
        match &self.target {
            Target::Sqlite(path) => format!("{:?}", std::fs::read(path).expect("the file")),
            Target::Postgres(_) => ["users", "sessions", "login_attempts", "konekte_schema"]
                .iter()
                .map(|table| {
                    self.sql_text(&format!(
                        "SELECT coalesce(string_agg(t::text, '|' ORDER BY t::text), '') FROM {table} t"
                    ))
                })
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    pub fn file(&self, name: &str, content: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, content).expect("write a test file");
        path
    }
}

/// A program a test drives for real (`pdftotext`), installed by `scripts/install-tools`
/// when this machine lacks it.
pub fn tool(name: &str) -> &str {
    let found = |name: &str| {
        std::process::Command::new("sh")
            .args(["-c", &format!("command -v {name}")])
            .output()
            .is_ok_and(|output| output.status.success())
    };
    if !found(name) {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install-tools");
        let status = std::process::Command::new(script)
            .arg(name)
            .status()
            .expect("scripts/install-tools");
        assert!(
            status.success() && found(name),
            "{name} could not be installed"
        );
    }
    name
}

pub fn path_str(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

pub fn stdout_of(mut cmd: Command) -> String {
    let output = cmd.output().expect("run");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).expect("UTF-8")
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub id: i64,
    pub login_time: i64,
    pub last_seen: i64,
    pub logout_time: Option<i64>,
    pub end_reason: Option<String>,
    pub end_note: Option<String>,
}

/// The rows of `Office::with_history`; times in milliseconds UTC.
const HISTORY: &str = "
INSERT INTO users (id, username, full_name, full_name_key, role, password_hash, created_at) VALUES
  (1, 'ann', 'Ann Augustin', 'ann augustin', 'secretaire', 'x', 0),
  (2, 'bob', 'Bob Baptiste', 'bob baptiste', 'secretaire', 'x', 0),
  (3, 'cid', 'Cid Charles', 'cid charles', 'archives', 'x', 0),
  (4, 'dee', 'Dee Dorvil', 'dee dorvil', 'admin', 'x', 0);
INSERT INTO sessions (id, user_id, session_key, host, tty, login_time, last_seen, heartbeat_ms,
                      logout_time, end_reason, ended_by, end_note) VALUES
  (1, 1, 'k1', 'frontdesk', '/dev/pts/1', 1795161600000, 1795176000000, 5000, 1795176000000, 'logout', NULL, NULL),
  (2, 1, 'k2', 'frontdesk', '/dev/pts/1', 1795212000000, 1795226400000, 5000, 1795226400000, 'idle', NULL, NULL),
  (3, 2, 'k3', 'annex', '/dev/pts/2', 1795251600000, 1795257000000, 5000, 1795257000000, 'lost', NULL, NULL),
  (4, 3, 'k4', 'annex', '/dev/pts/3', 1795258800000, 1795260600000, 5000, 1795260600000, 'forced', 4, 'closing'),
  (5, 4, 'k5', 'direction', '/dev/pts/4', 1795338000000, 1795338000000, 9000000000000, NULL, NULL, NULL, NULL);
INSERT INTO login_attempts (username_typed, typed_key, user_id, at, host, tty, outcome) VALUES
  ('ghost', 'ghost', NULL, 1795158000000, 'frontdesk', '/dev/pts/1', 'unknown_user'),
  ('Ghost', 'ghost', NULL, 1795158060000, 'frontdesk', '/dev/pts/1', 'unknown_user'),
  ('ghost', 'ghost', NULL, 1795158120000, 'annex', '/dev/pts/2', 'unknown_user'),
  ('ann', 'ann', 1, 1795161500000, 'frontdesk', '/dev/pts/1', 'bad_password'),
  ('ann', 'ann', 1, 1795161600000, 'frontdesk', '/dev/pts/1', 'success');
";
