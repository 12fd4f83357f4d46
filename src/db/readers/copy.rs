//! `console copy`: an office's whole database into another, empty one (a SQLite file
//! into a PostgreSQL server, usually), every row with its id, in one transaction; and
//! `console backup`, a SQLite file copied as it stands at one moment.

use std::path::Path;

use anyhow::Result;

use crate::db::Db;
use crate::db::backend::value::{Row, Value, params};
use crate::db::backend::{Conn, Dialect, Exec, Tx, sqlite};
use crate::db::tables::journal::append;
use crate::db::tables::totals;
use crate::error::Error;
use crate::journal::{self, Fact};

/// What a copy wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Copied {
    pub users: usize,
    pub sessions: usize,
    pub attempts: usize,
}

/// Rows per INSERT: few round trips, well under PostgreSQL's 65 535 parameters.
const BATCH: usize = 500;

/// Each table's columns, in the order they are copied; `username_key` is made by the
/// database itself. What an account counts of its sessions (`USER_TOTALS`) is counted
/// again as the sessions are copied into SQLite, by its triggers. PostgreSQL copies it
/// instead, its row trigger off: one update of the account per session would leave a
/// million dead rows behind in the users table; and counts each person's totals
/// (`user_totals`) once at the end, for the same reason.
const USERS: &str = "id, username, full_name, role, password_hash, disabled, \
                     must_change_password, failed_attempts, failure_window_start, \
                     locked_until, created_at, full_name_key";
const USER_TOTALS: &str = "last_login, last_logout, sessions_count, connected_ms, open_sessions";
const SESSIONS: &str = "id, user_id, session_key, host, tty, remote_ip, terminal, pid, boot_id, \
                        login_time, last_seen, heartbeat_ms, logout_time, end_reason, \
                        ended_by, end_note, machine_id, last_key, pid_ns, ended_by_account, pid_start, \
                        correction, correction_note, service, login_name";
const ATTEMPTS: &str =
    "id, username_typed, user_id, at, host, tty, remote_ip, outcome, attempt_key, typed_key";
const TABLES: [&str; 3] = ["users", "sessions", "login_attempts"];
const JOURNAL: &str = "id, at, kind, subject, body, prev_hash, hash";

impl Db {
    /// Copies every user, session and attempt, with their ids, into `into`, which must
    /// hold no user yet; all of it or nothing. The journal comes along, and the copy is
    /// its next entry, done by `into`'s actor, from `from` (this database, named).
    pub fn copy_into(&self, into: &Db, from: &str) -> Result<Copied> {
        let users: i64 = into
            .query_row("SELECT count(*) FROM users", params![])?
            .get(0)?;
        if users > 0 {
            return Err(Error::Refused(crate::said!(copy_not_empty)).into());
        }
        into.write(|tx| {
            let copied = self.copy_everything(tx)?;
            let fact = Fact::Copied(journal::Copied {
                from: from.into(),
                users: i64::try_from(copied.users)?,
                sessions: i64::try_from(copied.sessions)?,
                attempts: i64::try_from(copied.attempts)?,
                by: into.actor(),
            });
            append(tx, into.now(), None, &fact)?;
            Ok(copied)
        })
    }

    fn copy_everything(&self, tx: &Tx) -> Result<Copied> {
        match tx.dialect() {
            Dialect::Sqlite => {
                let copied = self.copy_rows(tx, USERS)?;
                self.copy_kept_totals(tx)?;
                Ok(copied)
            }
            Dialect::Postgres => {
                for trigger in ["sessions_opened", "sessions_totals"] {
                    let sql = format!("ALTER TABLE sessions DISABLE TRIGGER {trigger}");
                    tx.execute(&sql, params![])?;
                }
                let copied = self.copy_rows(tx, &format!("{USERS}, {USER_TOTALS}"))?;
                for trigger in ["sessions_opened", "sessions_totals"] {
                    let sql = format!("ALTER TABLE sessions ENABLE TRIGGER {trigger}");
                    tx.execute(&sql, params![])?;
                }
                totals::rebuild(tx)?;
                for table in TABLES {
                    tx.query(
                        &format!(
                            "SELECT setval(pg_get_serial_sequence('{table}', 'id'),
                                           coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
                        ),
                        params![],
                    )?;
                }
                Ok(copied)
            }
        }
    }

    /// The rows of the three tables, the users' with `user_columns`, and the journal
    /// that records them, in place of the new database's own (its genesis alone).
    fn copy_rows(&self, tx: &Tx, user_columns: &str) -> Result<Copied> {
        let copied = Copied {
            users: self.copy_table(tx, "users", user_columns)?,
            sessions: self.copy_table(tx, "sessions", SESSIONS)?,
            attempts: self.copy_table(tx, "login_attempts", ATTEMPTS)?,
        };
        tx.execute("DELETE FROM journal", params![])?;
        self.copy_table(tx, "journal", JOURNAL)?;
        let (id, hash) = self.journal_head()?;
        tx.execute(
            "UPDATE journal_head SET id = ?1, hash = ?2 WHERE only_row = 1",
            params![id, hash],
        )?;
        Ok(copied)
    }

    fn copy_table(&self, tx: &Tx, table: &str, columns: &str) -> Result<usize> {
        let mut batch: Vec<Row> = Vec::with_capacity(BATCH);
        let mut copied = 0;
        self.each(
            &format!("SELECT {columns} FROM {table} ORDER BY id"),
            params![],
            &mut |row| {
                batch.push(row);
                if batch.len() == BATCH {
                    copied += insert_rows(tx, table, columns, &std::mem::take(&mut batch))?;
                }
                Ok(())
            },
        )?;
        copied += insert_rows(tx, table, columns, &batch)?;
        Ok(copied)
    }

    /// The sessions copied into SQLite have counted themselves into their accounts (the
    /// triggers); an account whose history was pruned keeps what it counted before.
    fn copy_kept_totals(&self, tx: &Tx) -> Result<()> {
        let pruned = self.query(
            "SELECT u.id, u.last_login, u.last_logout, u.sessions_count, u.connected_ms
             FROM users u
             WHERE u.sessions_count != (SELECT count(*) FROM sessions s WHERE s.user_id = u.id)",
            params![],
        )?;
        for row in pruned {
            let (id, last_login, last_logout, count, connected) = (
                row.get::<i64>(0)?,
                row.get::<Option<i64>>(1)?,
                row.get::<Option<i64>>(2)?,
                row.get::<i64>(3)?,
                row.get::<i64>(4)?,
            );
            tx.execute(
                "UPDATE users SET last_login = ?2, last_logout = ?3, sessions_count = ?4,
                                  connected_ms = ?5
                 WHERE id = ?1",
                params![id, last_login, last_logout, count, connected],
            )?;
        }
        Ok(())
    }
}

impl Db {
    /// Copies the SQLite file as it stands at one moment to `to`, mode 0600, while the
    /// terminals keep writing (`sqlite::backup`). Returns the pages copied. PostgreSQL
    /// has its own tools for that (pg_dump).
    pub fn backup_to(&self, to: &Path) -> Result<i32> {
        let Conn::Sqlite(source) = &self.conn else {
            return Err(Error::Usage(crate::said!(backup_postgres)).into());
        };
        sqlite::backup(source, to)
    }
}

fn insert_rows(tx: &Tx, table: &str, columns: &str, rows: &[Row]) -> Result<usize> {
    if rows.is_empty() {
        return Ok(0);
    }
    let width = rows[0].values().len();
    let one = format!("({})", vec!["?"; width].join(", "));
    let sql = format!(
        "INSERT INTO {table} ({columns}) VALUES {}",
        vec![one; rows.len()].join(", ")
    );
    let values: Vec<Value> = rows
        .iter()
        .flat_map(|row| row.values().iter().cloned())
        .collect();
    tx.execute(&sql, &values)?;
    Ok(rows.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Range;
    use crate::db::testing;
    use crate::model::{EndReason, NewUser, Origin, Outcome, Role};

    fn office() -> testing::TestDb {
        let db = testing::db();
        let users: Vec<NewUser> = (0..3)
            .map(|i| NewUser {
                username: format!("Clerk{i}"),
                full_name: format!("Clerk Number {i}"),
                role: Role::Archives,
                password_hash: "hash".into(),
                must_change_password: i == 1,
            })
            .collect();
        db.create_users(&users, false, 0).unwrap();
        let id = db.user("clerk0").unwrap().unwrap().id;
        for login in [1_000, 5_000, 9_000] {
            let s = db
                .open_session(id, &Origin::default(), 5_000, login)
                .unwrap();
            if login < 9_000 {
                db.close_session(s.id, EndReason::Logout, login + 2_000, None, Some("bye"))
                    .unwrap();
            }
        }
        db.settle_attempt("ghost", None, &Origin::default(), 4_000, 0, None, |_, _| {
            (Outcome::UnknownUser, Default::default())
        })
        .unwrap();
        db
    }

    #[test]
    fn everything_is_copied_with_its_ids_and_the_next_rows_follow_them() {
        let from = office();
        // The first session is pruned: its account keeps counting it.
        from.prune_before(3_500, 10).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let into = Db::open(&crate::db::Target::Sqlite(dir.path().join("copy.db"))).unwrap();
        let copied = from.copy_into(&into, "the source").unwrap();
        assert_eq!(
            copied,
            Copied {
                users: 3,
                sessions: 2,
                attempts: 1
            }
        );
        let all = |db: &Db| db.sessions_in(&Range::default(), None).unwrap();
        assert_eq!(all(&into), all(&from));
        assert_eq!(
            into.list_users(None, 20_000).unwrap(),
            from.list_users(None, 20_000).unwrap()
        );
        assert_eq!(
            into.failed_attempts(None, None, None).unwrap(),
            from.failed_attempts(None, None, None).unwrap()
        );
        // And back into the backend under test: PostgreSQL copies the accounts' totals
        // rather than counts them again.
        let back = testing::db();
        into.copy_into(&back, "the copy").unwrap();
        assert_eq!(
            back.list_users(None, 20_000).unwrap(),
            from.list_users(None, 20_000).unwrap()
        );
        assert_eq!(all(&back), all(&from));
        // New rows take ids after the copied ones.
        let clerk = into.user("clerk2").unwrap().unwrap();
        let next = into
            .open_session(clerk.id, &Origin::default(), 5_000, 20_000)
            .unwrap();
        assert!(all(&from).iter().all(|s| s.id < next.id));
        // Into a database that holds users: refused, and nothing written.
        let err = from.copy_into(&into, "the source").unwrap_err();
        assert_eq!(
            crate::error::exit_code_of(&err),
            crate::error::Exit::Failure
        );
        assert_eq!(all(&into).len(), 3);
    }
}
