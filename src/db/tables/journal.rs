//! The journal's rows: each appended in the transaction of the fact it records, the
//! chain's head moved under the write lock (on PostgreSQL a lock on `journal_head`'s
//! row, so that terminals writing side by side still make one line); the first, the
//! genesis, written once when a database gets its journal; read back in order for
//! `verify`.

use anyhow::Result;
use sha2::{Digest, Sha256};

use crate::db::Db;
use crate::db::backend::value::{Row, Value, params};
use crate::db::backend::{Dialect, Exec};
use crate::db::query::Sql;
use crate::journal::audit::{self, Action};
use crate::journal::{self, Entry, Fact, Genesis};
use crate::model::Millis;

/// Appends `fact` about row `subject`, written at `at`, after the chain's head; returns
/// its id. Runs inside the caller's write transaction.
pub(in crate::db) fn append(
    conn: &impl Exec,
    at: Millis,
    subject: Option<i64>,
    fact: &Fact,
) -> Result<i64> {
    let (last, prev) = locked_head(conn)?;
    let id = last + 1;
    let (kind, body) = (fact.kind(), fact.body());
    let hash = journal::hash_of(&prev, id, at, kind, subject, &body);
    conn.execute(
        "INSERT INTO journal (id, at, kind, subject, body, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![id, at, kind, subject, body, prev, hash],
    )?;
    conn.execute(
        "UPDATE journal_head SET id = ?1, hash = ?2 WHERE only_row = 1",
        params![id, hash],
    )?;
    Ok(id)
}

/// The chain's last entry, locked until the transaction ends on PostgreSQL (SQLite has
/// one writer already).
fn locked_head(conn: &impl Exec) -> Result<(i64, String)> {
    match conn.dialect() {
        Dialect::Postgres => head_of(conn, " FOR UPDATE"),
        Dialect::Sqlite => head_of(conn, ""),
    }
}

/// The chain's last entry: its id and hash (0 and `journal::START` before the first).
fn head_of(conn: &impl Exec, lock: &str) -> Result<(i64, String)> {
    let row = conn.query_row(
        &format!("SELECT id, hash FROM journal_head WHERE only_row = 1{lock}"),
        params![],
    )?;
    Ok((row.get(0)?, row.get(1)?))
}

impl Db {
    /// Writes the genesis entry if the journal has none: a new database's (nothing
    /// before it), or an upgraded one's, which counts and commits to the rows that were
    /// there before the journal. Once: under the write lock, the head is read again.
    pub(in crate::db) fn start_journal(&self) -> Result<()> {
        let (last, _) = head_of(self, "")?;
        if last > 0 {
            return Ok(());
        }
        self.write(|tx| {
            if locked_head(tx)?.0 > 0 {
                return Ok(());
            }
            let genesis = state_before_journal(tx)?;
            append(tx, self.now(), None, &Fact::Genesis(genesis))?;
            Ok(())
        })
    }

    /// The chain's head: its last entry's id and hash.
    pub fn journal_head(&self) -> Result<(i64, String)> {
        head_of(self, "")
    }

    /// The admin actions journaled between `since` and `until` (either open), in order.
    pub fn admin_actions(
        &self,
        since: Option<Millis>,
        until: Option<Millis>,
    ) -> Result<Vec<Action>> {
        // Only the kinds that can be an admin's, and only entries that name an actor:
        // logins and logouts, most of the journal, are not parsed.
        let mut sql = Sql::new(
            "SELECT id, at, kind, subject, body, prev_hash, hash FROM journal
             WHERE kind IN ('account.created', 'account.changed', 'session.ended', 'pruned',
                            'session.corrected', 'session.added', 'session.voided')
               AND body LIKE '%\"by\":%'",
        );
        sql.and_some("at >= ?", since)
            .and_some("at < ?", until)
            .push(" ORDER BY id", []);
        let mut actions = Vec::new();
        self.each(sql.text(), sql.params(), &mut |row| {
            let entry = entry_of(row)?;
            actions.extend(audit::action_of(&entry));
            Ok(())
        })?;
        Ok(actions)
    }

    /// Calls `visit` with every entry, in order, without holding them all.
    pub fn each_entry(&self, mut visit: impl FnMut(Entry) -> Result<()>) -> Result<()> {
        self.each(
            "SELECT id, at, kind, subject, body, prev_hash, hash FROM journal ORDER BY id",
            params![],
            &mut |row| visit(entry_of(row)?),
        )
    }
}

/// An entry read back, from `id, at, kind, subject, body, prev_hash, hash`; its texts
/// moved out of the row, not copied (`verify` reads millions).
fn entry_of(mut row: Row) -> Result<Entry> {
    Ok(Entry {
        id: row.get(0)?,
        at: row.get(1)?,
        subject: row.get(3)?,
        kind: row.take_text(2)?,
        body: row.take_text(4)?,
        prev_hash: row.take_text(5)?,
        hash: row.take_text(6)?,
    })
}

/// What the database holds as the journal begins: how many rows of each table, the
/// last id of each, and a digest of them (each row's facts on a line, in id order).
fn state_before_journal(conn: &impl Exec) -> Result<Genesis> {
    let mut genesis = Genesis::default();
    let mut digest = Sha256::new();
    let tables = [
        (
            "SELECT id, username, role, disabled FROM users ORDER BY id",
            4,
            &mut genesis.users,
            &mut genesis.last_user,
        ),
        (
            "SELECT id, user_id, login_time, logout_time, end_reason FROM sessions ORDER BY id",
            5,
            &mut genesis.sessions,
            &mut genesis.last_session,
        ),
        (
            "SELECT id, user_id, at, outcome FROM login_attempts ORDER BY id",
            4,
            &mut genesis.attempts,
            &mut genesis.last_attempt,
        ),
    ];
    for (sql, width, count, last) in tables {
        conn.each(sql, params![], &mut |row| {
            let line: Vec<String> = row.values()[..width].iter().map(digest_text).collect();
            digest.update(line.join("\t").as_bytes());
            digest.update(b"\n");
            *count += 1;
            *last = row.get(0)?;
            Ok(())
        })?;
    }
    genesis.digest = hex::encode(digest.finalize());
    Ok(genesis)
}

/// A value as the digest of the state before the journal writes it: the same on both
/// backends (a boolean is 0 or 1, as SQLite keeps it; NULL is nothing).
fn digest_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Int(n) => n.to_string(),
        Value::Bool(b) => i64::from(*b).to_string(),
        Value::Text(text) => text.clone(),
    }
}
