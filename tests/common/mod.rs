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
