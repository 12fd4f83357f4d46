//! Helpers shared by the tests of the real binary.
#![allow(dead_code)] // each test file uses its own part of this

pub mod pty;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

pub const SAMPLE_CSV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/users_sample.csv");

/// A temporary folder holding one database, removed at the end of the test.
pub struct Office {
    pub dir: TempDir,
    pub db: PathBuf,
}

impl Office {
    pub fn new() -> Office {
        let dir = tempfile::tempdir().expect("temporary folder");
        let db = dir.path().join("konekte.db");
        Office { dir, db }
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
            .env("CONSOLE_DB", &self.db)
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
        konekte::db::Db::open(&office.db).expect("a new database");
        let conn = rusqlite::Connection::open(&office.db).expect("open");
        conn.execute_batch(HISTORY).expect("the history fixture");
        office
    }

    /// The history of `with_history`, with names and places as long as they come.
    pub fn with_history_of_long_names() -> Office {
        let office = Office::with_history();
        let conn = rusqlite::Connection::open(&office.db).expect("open");
        conn.execute_batch(
            "UPDATE users SET username = 'secretaire_principale', full_name = 'Marie-Roseline Toussaint-Augustin de la Rivière'
             WHERE id = 1;
             UPDATE users SET username = 'archiviste_principale' WHERE id = 4;
             UPDATE sessions SET host = 'poste-accueil-rez-de-chaussee', remote_ip = '2001:db8:85a3::8a2e:370:7334';
             UPDATE login_attempts SET username_typed = 'secretaire_principale', host = 'poste-accueil-rez-de-chaussee',
                                       remote_ip = '2001:db8:85a3::8a2e:370:7334';",
        )
        .expect("long names");
        office
    }

    pub fn file(&self, name: &str, content: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, content).expect("write a test file");
        path
    }

    pub fn sql_count(&self, query: &str) -> i64 {
        let conn = rusqlite::Connection::open(&self.db).expect("open");
        conn.query_row(query, [], |row| row.get(0)).expect("query")
    }

    /// The latest session: (id, login_time, last_seen, logout_time, end_reason).
    pub fn latest_session(&self) -> Option<SessionRow> {
        let conn = rusqlite::Connection::open(&self.db).expect("open");
        conn.query_row(
            "SELECT id, login_time, last_seen, logout_time, end_reason, end_note
             FROM sessions ORDER BY id DESC LIMIT 1",
            [],
            |row| {
                Ok(SessionRow {
                    id: row.get(0)?,
                    login_time: row.get(1)?,
                    last_seen: row.get(2)?,
                    logout_time: row.get(3)?,
                    end_reason: row.get(4)?,
                    end_note: row.get(5)?,
                })
            },
        )
        .ok()
    }
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
INSERT INTO users (id, username, full_name, role, password_hash, created_at) VALUES
  (1, 'ann', 'Ann Augustin', 'secretaire', 'x', 0),
  (2, 'bob', 'Bob Baptiste', 'secretaire', 'x', 0),
  (3, 'cid', 'Cid Charles', 'archives', 'x', 0),
  (4, 'dee', 'Dee Dorvil', 'admin', 'x', 0);
INSERT INTO sessions (id, user_id, session_key, host, tty, login_time, last_seen, heartbeat_ms,
                      logout_time, end_reason, ended_by, end_note) VALUES
  (1, 1, 'k1', 'frontdesk', '/dev/pts/1', 1795161600000, 1795176000000, 5000, 1795176000000, 'logout', NULL, NULL),
  (2, 1, 'k2', 'frontdesk', '/dev/pts/1', 1795212000000, 1795226400000, 5000, 1795226400000, 'idle', NULL, NULL),
  (3, 2, 'k3', 'annex', '/dev/pts/2', 1795251600000, 1795257000000, 5000, 1795257000000, 'lost', NULL, NULL),
  (4, 3, 'k4', 'annex', '/dev/pts/3', 1795258800000, 1795260600000, 5000, 1795260600000, 'forced', 4, 'closing'),
  (5, 4, 'k5', 'direction', '/dev/pts/4', 1795338000000, 1795338000000, 9000000000000, NULL, NULL, NULL, NULL);
INSERT INTO login_attempts (username_typed, user_id, at, host, tty, outcome) VALUES
  ('ghost', NULL, 1795158000000, 'frontdesk', '/dev/pts/1', 'unknown_user'),
  ('Ghost', NULL, 1795158060000, 'frontdesk', '/dev/pts/1', 'unknown_user'),
  ('ghost', NULL, 1795158120000, 'annex', '/dev/pts/2', 'unknown_user'),
  ('ann', 1, 1795161500000, 'frontdesk', '/dev/pts/1', 'bad_password'),
  ('ann', 1, 1795161600000, 'frontdesk', '/dev/pts/1', 'success');
";
