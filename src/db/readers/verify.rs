//! `console verify`'s reads: the journal in order, then each row of the three tables,
//! handed to `journal::replay`, which judges them.

use std::sync::mpsc::{self, SyncSender};

use anyhow::Result;

use crate::db::Db;
use crate::db::backend::Exec;
use crate::db::backend::value::{Row, params};
use crate::journal::Entry;
use crate::journal::replay::{
    AccountRow, AttemptRow, Checked, ClosedMonthRow, HolidayRow, LeaveRow, Replay, ScheduleRow,
    SessionRow, Verdict,
};
use crate::journal::witness::Checkpoint;
use crate::journal::{Ended, fingerprint};

/// Rows handed to the replaying thread at a time.
const CHUNK: usize = 4_096;

/// Chunks the reader may be ahead of the replay: enough that it reads the tables while
/// the replay still folds the journal's last entries.
const CHUNKS_AHEAD: usize = 64;

/// What the reader hands the replay, in the order the replay takes it.
enum Batch {
    /// Entries, each with whether its hash matches (computed by the reader).
    Entries(Vec<(Entry, bool)>),
    Head(i64),
    Accounts(Vec<AccountRow>),
    Sessions(Vec<SessionRow>),
    Attempts(Vec<AttemptRow>),
    Schedules(Vec<ScheduleRow>),
    Holidays(Vec<HolidayRow>),
    Leaves(Vec<LeaveRow>),
    ClosedMonths(Vec<ClosedMonthRow>),
}

impl Batch {
    fn apply(self, replay: &mut Replay) {
        match self {
            Batch::Entries(entries) => {
                for (entry, hash_matches) in entries {
                    replay.checked(Checked::hashed(entry, hash_matches));
                }
            }
            Batch::Head(head) => replay.recorded_head(head),
            Batch::Accounts(rows) => rows.into_iter().for_each(|row| replay.account(row)),
            Batch::Sessions(rows) => rows.into_iter().for_each(|row| replay.session(row)),
            Batch::Attempts(rows) => rows.into_iter().for_each(|row| replay.attempt(row)),
            Batch::Schedules(rows) => rows.into_iter().for_each(|row| replay.schedule(row)),
            Batch::Holidays(rows) => rows.into_iter().for_each(|row| replay.holiday(row)),
            Batch::Leaves(rows) => rows.into_iter().for_each(|row| replay.leave(row)),
            Batch::ClosedMonths(rows) => rows.into_iter().for_each(|row| replay.closed_month(row)),
        }
    }
}

/// Rows gathered into chunks of one kind on their way to the replay.
struct Chunks<'a, T> {
    chunk: Vec<T>,
    wrap: fn(Vec<T>) -> Batch,
    out: &'a SyncSender<Batch>,
}

impl<'a, T> Chunks<'a, T> {
    fn new(out: &'a SyncSender<Batch>, wrap: fn(Vec<T>) -> Batch) -> Self {
        Chunks {
            chunk: Vec::with_capacity(CHUNK),
            wrap,
            out,
        }
    }

    fn push(&mut self, row: T) {
        self.chunk.push(row);
        if self.chunk.len() == CHUNK {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let full = std::mem::replace(&mut self.chunk, Vec::with_capacity(CHUNK));
        // A replay that stopped (it panicked) is told by its join, not here.
        let _ = self.out.send((self.wrap)(full));
    }
}

impl Db {
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
            let (accounts, sessions, attempts) = self.table_sizes()?;
            replay.reserve(accounts, sessions, attempts);
            for (line, checkpoint) in checkpoints {
                replay.witness(line, checkpoint);
            }
            self.replay_all(replay)
        })
    }

    /// About how many rows each table holds (its highest id): room made once.
    fn table_sizes(&self) -> Result<(usize, usize, usize)> {
        let row = self.query_row(
            "SELECT (SELECT max(id) FROM users), (SELECT max(id) FROM sessions),
                    (SELECT max(id) FROM login_attempts)",
            params![],
        )?;
        let size = |i: usize| -> Result<usize> {
            Ok(usize::try_from(row.get::<Option<i64>>(i)?.unwrap_or(0)).unwrap_or(0))
        };
        Ok((size(0)?, size(1)?, size(2)?))
    }

    /// The reads here, the replay beside them in a thread of its own: this thread reads
    /// the journal (hashing each entry) then the tables, while the replay folds what
    /// was read before.
    fn replay_all(&self, replay: Replay) -> Result<Verdict> {
        std::thread::scope(|scope| {
            let (batches, inbox) = mpsc::sync_channel::<Batch>(CHUNKS_AHEAD);
            let replaying = scope.spawn(move || {
                let mut replay = replay;
                inbox.into_iter().for_each(|batch| batch.apply(&mut replay));
                replay.finish()
            });
            let read = self.read_for_replay(&batches);
            drop(batches);
            let verdict = replaying
                .join()
                .map_err(|_| anyhow::anyhow!("the journal's checking thread failed"))?;
            read.map(|()| verdict)
        })
    }

    fn read_for_replay(&self, out: &SyncSender<Batch>) -> Result<()> {
        let mut entries = Chunks::new(out, Batch::Entries);
        self.each_entry(|entry| {
            let hash_matches = entry.hash_matches();
            entries.push((entry, hash_matches));
            Ok(())
        })?;
        entries.flush();
        let _ = out.send(Batch::Head(self.journal_head()?.0));
        let mut accounts = Chunks::new(out, Batch::Accounts);
        self.each(
            "SELECT id, username, full_name, role, disabled, password_hash FROM users ORDER BY id",
            params![],
            &mut |row| {
                let hash: String = row.get(5)?;
                accounts.push(AccountRow {
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
        accounts.flush();
        let mut sessions = Chunks::new(out, Batch::Sessions);
        self.each(
            "SELECT id, user_id, login_time, host, logout_time, end_reason, ended_by,
                    ended_by_account, end_note, correction, correction_note, service, login_name
             FROM sessions ORDER BY id",
            params![],
            &mut |row| {
                sessions.push(session_row(&row)?);
                Ok(())
            },
        )?;
        sessions.flush();
        let mut attempts = Chunks::new(out, Batch::Attempts);
        self.each(
            "SELECT id, user_id, username_typed, at, outcome FROM login_attempts ORDER BY id",
            params![],
            &mut |row| {
                attempts.push(AttemptRow {
                    id: row.get(0)?,
                    user_id: row.get(1)?,
                    typed: row.get(2)?,
                    at: row.get(3)?,
                    outcome: row.get(4)?,
                });
                Ok(())
            },
        )?;
        attempts.flush();
        self.read_attendance(out)
    }

    /// The attendance tables, small: one batch each.
    fn read_attendance(&self, out: &SyncSender<Batch>) -> Result<()> {
        let schedules = self.query(
            "SELECT id, role, user_id, week, from_day FROM schedules",
            params![],
        )?;
        let rows = schedules.iter().map(|row| {
            Ok(ScheduleRow {
                id: row.get(0)?,
                role: row.get(1)?,
                user_id: row.get(2)?,
                from: row.get(4)?,
                week: row.get(3)?,
            })
        });
        let _ = out.send(Batch::Schedules(rows.collect::<Result<_>>()?));
        let holidays = self.query("SELECT id, day, name FROM holidays", params![])?;
        let rows = holidays.iter().map(|row| {
            Ok(HolidayRow {
                id: row.get(0)?,
                day: row.get(1)?,
                name: row.get(2)?,
            })
        });
        let _ = out.send(Batch::Holidays(rows.collect::<Result<_>>()?));
        let leaves = self.query(
            "SELECT id, user_id, from_day, to_day, reason FROM leaves",
            params![],
        )?;
        let rows = leaves.iter().map(|row| {
            Ok(LeaveRow {
                id: row.get(0)?,
                user_id: row.get(1)?,
                from: row.get(2)?,
                to: row.get(3)?,
                reason: row.get(4)?,
            })
        });
        let _ = out.send(Batch::Leaves(rows.collect::<Result<_>>()?));
        let months = self.query("SELECT id, month, note FROM closed_months", params![])?;
        let rows = months.iter().map(|row| {
            Ok(ClosedMonthRow {
                id: row.get(0)?,
                month: row.get(1)?,
                note: row.get(2)?,
            })
        });
        let _ = out.send(Batch::ClosedMonths(rows.collect::<Result<_>>()?));
        Ok(())
    }
}

/// A session's row: `id, user_id, login_time, host`, its end, its correction.
fn session_row(row: &Row) -> Result<SessionRow> {
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
    Ok(SessionRow {
        id: row.get(0)?,
        user_id: row.get(1)?,
        login_time: row.get(2)?,
        host: row.get(3)?,
        service: row.get(11)?,
        login_name: row.get(12)?,
        end,
        correction,
    })
}
