//! The station's database worker: one thread, one connection, the jobs in the order they
//! were sent, each answered with one reply. Whatever the database makes it wait for, the
//! station's loop goes on.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Sender};
use std::thread;

use anyhow::Result;
use zeroize::Zeroizing;

use super::{Clock, Event};
use crate::auth::{self, LockPolicy, LoginRequest, PasswordProblem, Refusal};
use crate::clock::Zone;
use crate::db::{Beat, Closed, Correction, Db, History, Query, Snapshot};
use crate::error::Error;
use crate::journal::Actor;
use crate::journal::witness::Checkpoint;
use crate::model::{EndReason, Millis, Origin, PreviousLogin, Role, Session, User};
use crate::origin::ThisHost;
use crate::tui::Unusable;

pub enum Job {
    LogIn {
        username: String,
        password: Zeroizing<String>,
        admin_only: bool,
    },
    /// A password that had to be changed before the first session.
    ChangePassword {
        user: User,
        password: Zeroizing<String>,
    },
    Beat {
        session_id: i64,
        at: Millis,
        /// When a key was last pressed in the session (`who` shows the idle time).
        last_key: Millis,
    },
    Sweep {
        at: Millis,
    },
    /// The session's own end: logout, idle, hangup.
    End {
        session_id: i64,
        reason: EndReason,
        at: Millis,
    },
    /// An admin ends someone's session from the monitor.
    EndOther {
        session_id: i64,
        admin: User,
        at: Millis,
    },
    LoadMonitor {
        query: Query,
        at: Millis,
        day_start: Millis,
    },
    /// An admin corrects a session from the monitor's history.
    Correct {
        correction: Correction,
        note: String,
        admin: User,
    },
    /// The journal's head, appended to the monitor's witness file.
    Checkpoint {
        file: PathBuf,
        at: Millis,
    },
    LoadHistory {
        user_id: i64,
        offset: usize,
        rows: usize,
        at: Millis,
    },
}

pub enum Reply {
    LoggedIn(Result<LoggedIn>),
    Beat(Result<Beat>),
    Swept,
    Ended(Result<Closed>),
    EndedOther {
        session_id: i64,
        result: Result<Closed>,
    },
    Loaded(Result<Snapshot>),
    History(Result<History>),
    Checkpointed(Result<()>),
    /// The corrected session's id.
    Corrected(Result<i64>),
}

/// What a login came to.
pub enum LoggedIn {
    Refused(Refusal),
    MustChangePassword(User),
    PasswordRejected(PasswordProblem),
    Opened(Box<Opened>),
}

/// A session just opened, with what `lastlog` and login(1) tell at its start.
pub struct Opened {
    pub user: User,
    pub session: Session,
    pub previous: Option<PreviousLogin>,
    pub failures_since_previous: u32,
}

/// What the worker needs to know of its station.
pub struct Context {
    pub origin: Origin,
    pub this_host: ThisHost,
    pub policy: LockPolicy,
    pub heartbeat: Millis,
    pub tz: Zone,
    pub clock: Clock,
}

/// Starts the worker on `db`; its replies go to `events`. It stops when the station
/// drops its end of the job queue, after the jobs already sent.
pub fn spawn(mut db: Db, context: Context, events: Sender<Event>) -> Sender<Job> {
    let (jobs, queue) = mpsc::channel::<Job>();
    // What the database writes down of its own (a lock held elsewhere) in the
    // station's time.
    db.set_clock(std::sync::Arc::clone(&context.clock));
    thread::spawn(move || {
        auth::prepare_for_logins();
        // Before any job, while the first person types: a whole file takes about a
        // second at a million sessions.
        if db.check_integrity(&[]).is_err()
            && events.send(Event::Unusable(Unusable::Damaged)).is_err()
        {
            return;
        }
        let mut replaced_told = false;
        for job in queue {
            fault_point(&job);
            if let Job::EndOther { admin, .. } | Job::Correct { admin, .. } = &job {
                // The journal names the monitor's admin, and this terminal.
                db.act_as(Actor {
                    account: crate::origin::os_account(),
                    admin: Some(admin.username.clone()),
                    host: context.origin.host.clone(),
                    tty: context.origin.tty.clone(),
                });
            }
            let reply = context.carry_out(&db, job);
            if events.send(Event::Reply(Box::new(reply))).is_err() {
                return;
            }
            // Told once: the file will not come back under this connection.
            if !replaced_told && db.file_replaced() {
                replaced_told = true;
                if events.send(Event::Unusable(Unusable::Replaced)).is_err() {
                    return;
                }
            }
        }
    });
    jobs
}

impl Context {
    fn carry_out(&self, db: &Db, job: Job) -> Reply {
        match job {
            Job::LogIn {
                username,
                password,
                admin_only,
            } => Reply::LoggedIn(self.log_in(db, &username, &password, admin_only)),
            Job::ChangePassword { user, password } => {
                Reply::LoggedIn(self.change_password(db, user, &password))
            }
            Job::Beat {
                session_id,
                at,
                last_key,
            } => {
                let beat = db.beat(session_id, at, last_key);
                self.sweep(db, at);
                Reply::Beat(beat)
            }
            Job::Sweep { at } => {
                self.sweep(db, at);
                Reply::Swept
            }
            Job::End {
                session_id,
                reason,
                at,
            } => Reply::Ended(db.close_session(session_id, reason, at, None, None)),
            Job::EndOther {
                session_id,
                admin,
                at,
            } => Reply::EndedOther {
                session_id,
                result: end_as_admin(db, session_id, &admin, at),
            },
            Job::LoadMonitor {
                query,
                at,
                day_start,
            } => {
                self.sweep(db, at);
                Reply::Loaded(db.monitor_snapshot(&query, at, day_start, self.tz))
            }
            Job::LoadHistory {
                user_id,
                offset,
                rows,
                at,
            } => Reply::History(db.user_history(user_id, offset, rows, at, self.tz)),
            Job::Checkpoint { file, at } => Reply::Checkpointed(checkpoint(db, &file, at)),
            Job::Correct {
                correction,
                note,
                admin,
            } => Reply::Corrected(
                still_admin(db, &admin).and_then(|()| db.correct(correction, &note)),
            ),
        }
    }

    fn now(&self) -> Millis {
        (self.clock)()
    }

    /// Closes other terminals' lost sessions. A failure is not this terminal's
    /// problem: the next sweep, here or elsewhere, tries again.
    fn sweep(&self, db: &Db, at: Millis) {
        let _ = db.sweep_lost(at, &self.this_host.here());
    }

    fn log_in(
        &self,
        db: &Db,
        username: &str,
        password: &str,
        admin_only: bool,
    ) -> Result<LoggedIn> {
        let request = LoginRequest {
            username,
            password,
            admin_only,
        };
        Ok(
            match auth::authenticate(db, &request, &self.origin, &self.policy, self.now())? {
                Ok(user) if user.must_change_password => LoggedIn::MustChangePassword(user),
                Ok(user) => LoggedIn::Opened(Box::new(self.open(db, user)?)),
                Err(refusal) => LoggedIn::Refused(refusal),
            },
        )
    }

    fn change_password(&self, db: &Db, user: User, password: &str) -> Result<LoggedIn> {
        Ok(match auth::change_password(db, &user, password)? {
            Ok(()) => LoggedIn::Opened(Box::new(self.open(db, user)?)),
            Err(problem) => LoggedIn::PasswordRejected(problem),
        })
    }

    fn open(&self, db: &Db, user: User) -> Result<Opened> {
        let now = self.now();
        self.sweep(db, now);
        let session = db.open_session(user.id, &self.origin, self.heartbeat, now)?;
        // What lastlog and login(1) tell: the previous login, and failures since. Not
        // worth refusing a login over.
        let previous = db.previous_login(user.id, session.id).ok().flatten();
        let failures_since_previous = db
            .failures_since(user.id, previous.as_ref().map_or(0, |p| p.at))
            .unwrap_or(0);
        Ok(Opened {
            user,
            session,
            previous,
            failures_since_previous,
        })
    }
}

/// Where a test makes the worker panic (debug builds only, so never in a release):
/// `KONEKTE_TEST_FAULT=worker-panic` panics at the first heartbeat of a session.
fn fault_point(job: &Job) {
    if cfg!(debug_assertions)
        && matches!(job, Job::Beat { .. })
        && std::env::var_os("KONEKTE_TEST_FAULT").is_some_and(|fault| fault == "worker-panic")
    {
        panic!("injected fault: the worker panics at a heartbeat");
    }
}

/// `forced`, with the admin's id kept on the row; refused if the admin is one no more
/// (disabled or demoted since they opened the monitor).
fn end_as_admin(db: &Db, session_id: i64, admin: &User, at: Millis) -> Result<Closed> {
    still_admin(db, admin)?;
    db.close_session(session_id, EndReason::Forced, at, Some(admin.id), None)
}

/// Refuses an admin's action from a monitor whose admin is one no more (disabled or
/// demoted since they opened it).
fn still_admin(db: &Db, admin: &User) -> Result<()> {
    let still_admin = db
        .user_by_id(admin.id)?
        .is_some_and(|user| user.role == Role::Admin && !user.disabled);
    if !still_admin {
        return Err(Error::Refused(crate::said!(no_longer_admin, name = admin.username)).into());
    }
    Ok(())
}

/// Appends the journal's head, as of `at`, to the witness `file`.
pub fn checkpoint(db: &Db, file: &Path, at: Millis) -> Result<()> {
    let (entry, hash) = db.journal_head()?;
    let checkpoint = Checkpoint { at, entry, hash };
    checkpoint.append_to(file).map_err(|e| {
        Error::Refused(crate::said!(
            cannot_write_file,
            file = file.display(),
            error = e
        ))
        .into()
    })
}
