//! The journal's rows: each appended in the transaction of the fact it records, the
//! chain's head moved under the write lock (on PostgreSQL a lock on `journal_head`'s
//! row, so that terminals writing side by side still make one line); the first, the
//! genesis, written once when a database gets its journal; read back in order for
//! `verify`.

use std::collections::HashMap;

use anyhow::Result;
use sha2::{Digest, Sha256};

use crate::db::Db;
use crate::db::backend::value::{Row, Value, params};
use crate::db::backend::{Dialect, Exec};
use crate::db::query::Sql;
use crate::error::Error;
use crate::journal::audit::{self, Action};
use crate::journal::replay::Replay;
use crate::journal::{self, Anchor, Ended, Entry, Fact, Genesis};
use crate::model::Millis;

/// Appends `fact` about row `subject`, written at `at`, after the chain's head; returns
/// its id. Runs inside the caller's write transaction. On PostgreSQL the server hashes
/// it (`konekte_append`, in one round trip: an append is on every login's path), so
/// that a terminal role writes entries only through konekte's functions.
pub(in crate::db) fn append(
    conn: &impl Exec,
    at: Millis,
    subject: Option<i64>,
    fact: &Fact,
) -> Result<i64> {
    let (kind, body) = (fact.kind(), fact.body());
    if conn.dialect() == Dialect::Postgres {
        return conn
            .query_row(
                "SELECT konekte_append(?1, ?2, ?3, ?4)",
                params![at, kind, subject, body],
            )?
            .get(0);
    }
    let (last, prev) = head_of(conn, "")?;
    let id = last + 1;
    let hash = journal::hash_of(&prev, id, at, kind, subject, &body);
    let entry = params![id, at, kind, subject, body, prev, hash];
    conn.execute(
        "INSERT INTO journal (id, at, kind, subject, body, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        entry,
    )?;
    conn.execute(
        "UPDATE journal_head SET id = ?1, hash = ?7 WHERE only_row = 1",
        entry,
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

    /// The latest anchor: where the chain kept after the last prune starts.
    pub fn latest_anchor(&self) -> Result<Option<Anchor>> {
        latest_anchor(self)
    }

    /// Removes the entries written before `before` (a prune's), once what they say
    /// of the rows still kept is carried past them: the accounts, the sessions and
    /// attempts still in their tables. An anchor entry then says which entries went
    /// and the hash of the last, so that the chain kept still checks from there. The
    /// entries removed are checked first: a broken chain is not trimmed (exit 1).
    /// Returns how many entries were removed.
    pub(in crate::db) fn trim_journal(&self, before: Millis) -> Result<i64> {
        let now = self.now();
        self.write(|tx| {
            // The chain held first: no entry is appended, and no other prune trims,
            // while this one reads what it removes.
            locked_head(tx)?;
            let through: Option<i64> = tx
                .query_row(
                    "SELECT max(id) FROM journal WHERE at < ?1 AND id < (SELECT id FROM journal_head)",
                    params![before],
                )?
                .get(0)?;
            let Some(through) = through else {
                return Ok(0);
            };
            let mut replay = match latest_anchor(tx)? {
                Some(anchor) => Replay::after(anchor.through, anchor.hash),
                None => Replay::new(),
            };
            let (mut removed, mut last_hash) = (0, String::new());
            tx.each(
                "SELECT id, at, kind, subject, body, prev_hash, hash FROM journal
                 WHERE id <= ?1 ORDER BY id",
                params![through],
                &mut |row| {
                    let entry = entry_of(row)?;
                    last_hash.clone_from(&entry.hash);
                    removed += 1;
                    replay.entry(entry);
                    Ok(())
                },
            )?;
            if replay.broken() {
                return Err(Error::Refused(crate::said!(prune_journal_broken)).into());
            }
            let kept = |table: &str, id: i64| {
                tx.query_opt(&format!("SELECT 1 FROM {table} WHERE id = ?1"), params![id])
                    .map_or(true, |row| row.is_some())
            };
            let carried = replay.carried(|id| kept("sessions", id), |id| kept("login_attempts", id));
            for (id, fact) in carried {
                append(tx, now, Some(id), &fact)?;
            }
            let anchor = Anchor {
                through,
                hash: last_hash,
                removed,
                before,
                before_journal: replay.genesis(),
            };
            append(tx, now, None, &Fact::Anchor(anchor))?;
            tx.execute("DELETE FROM journal WHERE id <= ?1", params![through])?;
            Ok(removed)
        })
    }

    /// The chain's head: its last entry's id and hash.
    pub fn journal_head(&self) -> Result<(i64, String)> {
        head_of(self, "")
    }

    /// When entry `id` was written, or the last before it that is kept (`None`: none).
    pub fn entry_time(&self, id: i64) -> Result<Option<Millis>> {
        let sql = "SELECT at FROM journal WHERE id <= ?1 ORDER BY id DESC LIMIT 1";
        let row = self.query_opt(sql, params![id])?;
        row.map(|row| row.get(0)).transpose()
    }

    /// The entries after `after`, in order, at most `most` of them.
    pub fn entries_after(&self, after: i64, most: i64) -> Result<Vec<Entry>> {
        self.query(
            "SELECT id, at, kind, subject, body, prev_hash, hash FROM journal
             WHERE id > ?1 ORDER BY id LIMIT ?2",
            params![after, most],
        )?
        .into_iter()
        .map(entry_of)
        .collect()
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
                            'session.corrected', 'session.added', 'session.voided',
                            'roles.granted', 'copied', 'imported', 'schedule.set',
                            'schedule.cleared', 'holiday.added', 'holiday.removed',
                            'leave.added', 'leave.removed', 'month.closed', 'month.reopened')
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

    /// The end each of `sessions` had as last recorded by a terminal, a sweep or an
    /// admin's end (never a correction): what `last --corrections` shows beside the
    /// correction. A session whose entries a prune removed is absent.
    pub fn recorded_ends(&self, sessions: &[i64]) -> Result<HashMap<i64, Ended>> {
        let mut ends = HashMap::with_capacity(sessions.len());
        for session in sessions {
            let row = self.query_opt(
                "SELECT body FROM journal WHERE kind = 'session.ended' AND subject = ?1
                 ORDER BY id DESC LIMIT 1",
                params![session],
            )?;
            if let Some(row) = row {
                ends.insert(*session, serde_json::from_str(&row.get::<String>(0)?)?);
            }
        }
        Ok(ends)
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

fn latest_anchor(conn: &impl Exec) -> Result<Option<Anchor>> {
    let row = conn.query_opt(
        "SELECT body FROM journal WHERE kind = 'anchor' ORDER BY id DESC LIMIT 1",
        params![],
    )?;
    match row {
        Some(row) => Ok(Some(serde_json::from_str(&row.get::<String>(0)?)?)),
        None => Ok(None),
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
