//! `console verify`'s reads: the journal in order, then each row of the three tables,
//! handed to `journal::replay`, which judges them.

use anyhow::Result;

use crate::db::Db;
use crate::db::backend::Exec;
use crate::db::backend::value::params;
use crate::journal::replay::{AccountRow, AttemptRow, Replay, SessionRow, Verdict};
use crate::journal::witness::Checkpoint;
use crate::journal::{Ended, fingerprint};

impl Db {
    /// Walks the journal and replays it against the tables, all read as of one moment
    /// (the terminals write on meanwhile), and finds each of `checkpoints` (with its
    /// line in the witness) in the chain.
    pub fn verify(&self, checkpoints: Vec<(usize, Checkpoint)>) -> Result<Verdict> {
        let mut replay = Replay::new();
        for (line, checkpoint) in checkpoints {
            replay.witness(line, checkpoint);
        }
        self.in_snapshot(|| self.replay_all(replay))
    }

    fn replay_all(&self, mut replay: Replay) -> Result<Verdict> {
        self.each_entry(|entry| {
            replay.entry(entry);
            Ok(())
        })?;
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
