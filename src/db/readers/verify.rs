//! `console verify`'s reads: the journal in order, then each row of the three tables,
//! handed to `journal::replay`, which judges them.

use std::sync::mpsc;

use anyhow::Result;
use rayon::prelude::*;

use crate::db::Db;
use crate::db::backend::Exec;
use crate::db::backend::value::params;
use crate::journal::Entry;
use crate::journal::replay::{AccountRow, AttemptRow, Checked, Replay, SessionRow, Verdict};
use crate::journal::witness::Checkpoint;
use crate::journal::{Ended, fingerprint};

/// Entries handed to the checking thread at a time.
const CHUNK: usize = 4_096;

impl Db {
    /// The chain, read here and checked beside: each chunk of entries has its hashes
    /// recomputed and bodies read on every core while the next chunk is read, then is
    /// folded into the replay in order.
    fn replay_journal(&self, replay: Replay) -> Result<Replay> {
        std::thread::scope(|scope| {
            let (chunks, inbox) = mpsc::sync_channel::<Vec<Entry>>(4);
            let checker = scope.spawn(move || {
                let mut replay = replay;
                for chunk in inbox {
                    let checked: Vec<Checked> = chunk.into_par_iter().map(Checked::of).collect();
                    checked.into_iter().for_each(|c| replay.checked(c));
                }
                replay
            });
            let mut chunk = Vec::with_capacity(CHUNK);
            let read = self.each_entry(|entry| {
                chunk.push(entry);
                if chunk.len() == CHUNK {
                    let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                    // The checker ends only when the chunks do: it is there to take it.
                    let _ = chunks.send(full);
                }
                Ok(())
            });
            let _ = chunks.send(chunk);
            drop(chunks);
            let replay = checker
                .join()
                .map_err(|_| anyhow::anyhow!("the journal's checking thread failed"))?;
            read.map(|()| replay)
        })
    }

    /// Walks the journal and replays it against the tables, all read as of one moment
    /// (the terminals write on meanwhile), and finds each of `checkpoints` (with its
    /// line in the witness) in the chain.
    pub fn verify(&self, checkpoints: Vec<(usize, Checkpoint)>) -> Result<Verdict> {
        self.in_snapshot(|| {
            // After a prune, the chain kept starts past the anchor's last removed entry.
            let mut replay = match self.latest_anchor()? {
                Some(anchor) => Replay::after(anchor.through, anchor.hash),
                None => Replay::new(),
            };
            for (line, checkpoint) in checkpoints {
                replay.witness(line, checkpoint);
            }
            self.replay_all(replay)
        })
    }

    fn replay_all(&self, replay: Replay) -> Result<Verdict> {
        let mut replay = self.replay_journal(replay)?;
        replay.recorded_head(self.journal_head()?.0);
        self.each(
            "SELECT id, username, full_name, role, disabled, password_hash FROM users ORDER BY id",
            params![],
            &mut |row| {
                let hash: String = row.get(5)?;
                replay.account(AccountRow {
                    id: row.get(0)?,
                    username: row.get(1)?,
                    full_name: row.get(2)?,
                    role: row.get(3)?,
                    disabled: row.get(4)?,
                    password: fingerprint(&hash),
                });
                Ok(())
            },
        )?;
        self.each(
            "SELECT id, user_id, login_time, host, logout_time, end_reason, ended_by,
                    ended_by_account, end_note, correction, correction_note
             FROM sessions ORDER BY id",
            params![],
            &mut |row| {
                let end = match (row.get(4)?, row.get::<Option<String>>(5)?) {
                    (Some(logout_time), Some(reason)) => Some(Ended {
                        logout_time,
                        reason,
                        ended_by: row.get(6)?,
                        ended_by_account: row.get(7)?,
                        note: row.get(8)?,
                        by: None,
                    }),
                    _ => None,
                };
                let correction = match (row.get(9)?, row.get::<Option<String>>(10)?) {
                    (Some(kind), note) => Some((kind, note.unwrap_or_default())),
                    (None, _) => None,
                };
                replay.session(SessionRow {
                    id: row.get(0)?,
                    user_id: row.get(1)?,
                    login_time: row.get(2)?,
                    host: row.get(3)?,
                    end,
                    correction,
                });
                Ok(())
            },
        )?;
        self.each(
            "SELECT id, user_id, username_typed, at, outcome FROM login_attempts ORDER BY id",
            params![],
            &mut |row| {
                replay.attempt(AttemptRow {
                    id: row.get(0)?,
                    user_id: row.get(1)?,
                    typed: row.get(2)?,
                    at: row.get(3)?,
                    outcome: row.get(4)?,
                });
                Ok(())
            },
        )?;
        Ok(replay.finish())
    }
}
