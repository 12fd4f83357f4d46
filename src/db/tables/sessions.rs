//! Sessions: opened at login, kept alive by heartbeats, closed exactly once.

use anyhow::Result;

use super::journal;
use crate::attendance::Piece;
use crate::db::Db;
use crate::db::backend::value::{Row, params};
use crate::db::backend::{Dialect, Exec};
use crate::db::query::Sql;
use crate::exceptions::Worked;
use crate::journal::{Ended, Fact, Opened};
use crate::model::{
    EndReason, Millis, Origin, PreviousLogin, Role, Session, SessionLine, SystemLogin,
};

/// Three missed heartbeats and a session is taken for lost.
pub const MISSED_BEATS: i64 = 3;

/// What a heartbeat found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Beat {
    Alive,
    /// Someone else closed the session (an admin, or a sweep that took it for lost).
    Ended(EndReason),
}

/// What closing a session did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    Now,
    /// It was closed already, with this reason; nothing was changed.
    Already(EndReason),
}

/// The machine a sweep runs on: its sessions can be checked for a dead process or an
/// earlier boot at once, without waiting for missed heartbeats. A machine is its
/// machine-id: two PCs of one host name are two machines.
pub struct Here<'a> {
    pub host: &'a str,
    pub machine_id: Option<&'a str>,
    pub boot_id: Option<&'a str>,
    pub booted_at: Option<Millis>,
    pub pid_ns: Option<&'a str>,
    /// Whether the process of a pid, started then (when known), still runs.
    pub pid_alive: &'a dyn Fn(u32, Option<i64>) -> bool,
}

/// A session silent for three heartbeats (`?2`) by `?3`, counted from its last one or
/// from when the database became writable again after being held elsewhere, whichever
/// is later: a heartbeat that could not be written is no sign of death.
/// A session nobody beats for (`heartbeat_ms` 0: a PAM session with no agent on its
/// machine) is never silent.
const SILENT: &str = "(heartbeat_ms > 0 AND last_seen + ?2 * heartbeat_ms < ?3
                       AND (SELECT ended_at FROM write_stalls) + ?2 * heartbeat_ms < ?3)";

const SESSION_COLUMNS: &str = "id, user_id, login_time, last_seen, logout_time, end_reason, \
                               host, tty, remote_ip, terminal, pid, boot_id, machine_id, \
                               pid_ns, pid_start, service, login_name";

impl Db {
    /// Opens a session for `user_id` at `now`, with a fresh random key: if the commit's
    /// answer is lost and the write is tried again, the key finds the row written.
    pub fn open_session(
        &self,
        user_id: i64,
        origin: &Origin,
        heartbeat_ms: Millis,
        now: Millis,
    ) -> Result<Session> {
        let mut session = Session::opening(Some(user_id), origin, None, now);
        let key = session_key();
        session.id = self.write(|tx| insert_session(tx, &session, heartbeat_ms, &key, now))?;
        self.keep_key(session.id, key);
        Ok(session)
    }

    /// Records that the session's terminal is alive at `now`, unless the session was
    /// closed meanwhile; then says how it ended. A session taken for `lost` is open
    /// again: the heartbeat proves it alive, whatever made the sweep guess otherwise (a
    /// clock that jumped ahead, a lock). On PostgreSQL it measures the server's clock
    /// again.
    pub fn beat(&self, id: i64, now: Millis, last_key: Millis) -> Result<Beat> {
        let key = self.key_of(id);
        let beat = self.write(|tx| {
            if let (Dialect::Postgres, Some(key)) = (tx.dialect(), &key) {
                let ended: Option<String> = tx
                    .query_row(
                        "SELECT konekte_beat(?1, ?2, ?3, ?4, ?5)",
                        params![id, key, now, last_key, self.now()],
                    )?
                    .get(0)?;
                return Ok(match ended {
                    None => Beat::Alive,
                    Some(reason) => Beat::Ended(EndReason::parse(&reason).unwrap_or(EndReason::Lost)),
                });
            }
            let changed = tx.execute(
                "UPDATE sessions SET last_seen = CASE WHEN ?2 > last_seen THEN ?2 ELSE last_seen END,
                                     last_key = ?3
                 WHERE id = ?1 AND logout_time IS NULL",
                params![id, now, last_key],
            )?;
            if changed == 1 {
                return Ok(Beat::Alive);
            }
            let reopened = tx.execute(
                "UPDATE sessions SET last_seen = CASE WHEN ?2 > last_seen THEN ?2 ELSE last_seen END,
                                     last_key = ?3, logout_time = NULL, end_reason = NULL
                 WHERE id = ?1 AND end_reason = 'lost'",
                params![id, now, last_key],
            )?;
            if reopened == 1 {
                journal::append(tx, self.now(), Some(id), &Fact::SessionReopened)?;
                return Ok(Beat::Alive);
            }
            Ok(Beat::Ended(
                end_reason_of(tx, id)?.unwrap_or(EndReason::Lost),
            ))
        })?;
        self.measure_clock();
        Ok(beat)
    }

    /// Closes session `id` at `at` for `reason`, if it is still open: a session is never
    /// closed twice, and only its own row is touched. One exception: a session taken for
    /// `lost` while its terminal only waited for the database gets its real end, when
    /// that terminal writes it (logout, idle, hangup), at the time it happened.
    pub fn close_session(
        &self,
        id: i64,
        reason: EndReason,
        at: Millis,
        ended_by: Option<i64>,
        note: Option<&str>,
    ) -> Result<Closed> {
        self.close_session_by(id, reason, at, (ended_by, None), note)
    }

    /// An admin's end from the shell (`end-session`): `forced`, with the system
    /// account that ran the command.
    pub fn end_from_shell(
        &self,
        id: i64,
        at: Millis,
        account: &str,
        note: Option<&str>,
    ) -> Result<Closed> {
        self.close_session_by(id, EndReason::Forced, at, (None, Some(account)), note)
    }

    /// `close_session`, the end's author an admin's account or a system account.
    fn close_session_by(
        &self,
        id: i64,
        reason: EndReason,
        at: Millis,
        (ended_by, account): (Option<i64>, Option<&str>),
        note: Option<&str>,
    ) -> Result<Closed> {
        let own_key = self
            .key_of(id)
            .filter(|_| reason.is_the_terminals_own() && ended_by.is_none() && account.is_none());
        let closed = self.write(|tx| {
            if let (Dialect::Postgres, Some(key)) = (tx.dialect(), &own_key) {
                return end_own(tx, id, key, reason, at, self.now());
            }
            let ended = tx.query_opt(
                "UPDATE sessions
                 SET logout_time = CASE WHEN ?3 > login_time THEN ?3 ELSE login_time END,
                     end_reason = ?2, ended_by = ?4, end_note = ?5, ended_by_account = ?7
                 WHERE id = ?1
                   AND (logout_time IS NULL OR (end_reason = 'lost' AND ?6))
                 RETURNING logout_time",
                params![
                    id,
                    reason.as_str(),
                    at,
                    ended_by,
                    note,
                    reason.is_the_terminals_own(),
                    account
                ],
            )?;
            if let Some(row) = ended {
                let fact = Fact::SessionEnded(Ended {
                    logout_time: row.get(0)?,
                    reason: reason.as_str().into(),
                    ended_by,
                    ended_by_account: account.map(Into::into),
                    note: note.map(Into::into),
                    // An admin's end says who and where; a terminal's own needs not.
                    by: (reason == EndReason::Forced)
                        .then(|| self.actor())
                        .flatten(),
                });
                journal::append(tx, self.now(), Some(id), &fact)?;
                return Ok(Closed::Now);
            }
            match end_reason_of(tx, id)? {
                Some(reason) => Ok(Closed::Already(reason)),
                None => Err(no_session(id)),
            }
        })?;
        // Ended now or before, the session is done with: its key is no longer needed.
        if own_key.is_some() {
            self.forget_key(id);
        }
        Ok(closed)
    }

    pub fn session(&self, id: i64) -> Result<Option<Session>> {
        self.query_opt(
            &format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?1"),
            params![id],
        )?
        .map(|row| session_from_row(&row))
        .transpose()
    }

    /// The user's login before session `current`, as `lastlog` shows it.
    pub fn previous_login(&self, user_id: i64, current: i64) -> Result<Option<PreviousLogin>> {
        self.query_opt(
            "SELECT login_time, host, tty, remote_ip FROM sessions
             WHERE user_id = ?1 AND id != ?2
             ORDER BY login_time DESC LIMIT 1",
            params![user_id, current],
        )?
        .map(|row| {
            Ok(PreviousLogin {
                at: row.get(0)?,
                host: row.get(1)?,
                tty: row.get(2)?,
                remote_ip: row.get(3)?,
            })
        })
        .transpose()
    }

    /// Closes as `lost` every open session whose terminal stopped beating three beats ago,
    /// and, on this machine, every one whose process is gone or that belongs to an earlier
    /// boot. Its logout time is its last heartbeat, not the time of the sweep. Reads only
    /// the open sessions; writes only when it has something to close.
    pub fn sweep_lost(&self, now: Millis, here: &Here) -> Result<usize> {
        let lost = self.lost_sessions(now, here)?;
        if lost.is_empty() {
            return Ok(0);
        }
        self.write(|tx| {
            // A sweep that had to wait for the lock learns that the database was held:
            // then no terminal could beat, and silence counts only from now. SQLite made
            // it wait at BEGIN; on PostgreSQL the rows' locks are where it waits.
            if self.dialect() == Dialect::Postgres {
                for (id, _) in &lost {
                    tx.execute("SELECT konekte_lock_session(?1)", params![id])?;
                }
            }
            self.tell_of_a_stall(tx)?;
            if self.dialect() == Dialect::Postgres {
                return close_lost_on_the_server(tx, &lost, now, self.now());
            }
            // Judged again under the write lock: a heartbeat that landed since the read
            // above keeps its session alive. A dead process needs no second look.
            let mut closed = Vec::new();
            for (id, process_gone) in &lost {
                let ended = tx.query_opt(
                    &format!(
                        "UPDATE sessions SET logout_time = last_seen, end_reason = 'lost'
                         WHERE id = ?1 AND logout_time IS NULL AND (?4 OR {SILENT})
                         RETURNING logout_time"
                    ),
                    params![id, MISSED_BEATS, now, process_gone],
                )?;
                if let Some(row) = ended {
                    closed.push((*id, row.get::<Millis>(0)?));
                }
            }
            // Journaled once every row is locked: the chain's head is taken last.
            for (id, logout_time) in &closed {
                let fact = Fact::SessionEnded(Ended {
                    logout_time: *logout_time,
                    reason: EndReason::Lost.as_str().into(),
                    ended_by: None,
                    ended_by_account: None,
                    note: None,
                    by: None,
                });
                journal::append(tx, self.now(), Some(*id), &fact)?;
            }
            Ok(closed.len())
        })
    }

    /// The open sessions to close, each with whether its process is known to be gone.
    fn lost_sessions(&self, now: Millis, here: &Here) -> Result<Vec<(i64, bool)>> {
        // Only the open sessions, through their own index, however many have ended; and
        // of those only the silent ones and this machine's (the same machine-id), whose
        // processes can be asked. A host name alone proves nothing: two PCs can share it.
        let sql = format!(
            "SELECT id, silent, pid, boot_id, pid_ns, login_time, pid_start
             FROM (SELECT id, pid, boot_id, pid_ns, login_time, pid_start, {SILENT} AS silent,
                          coalesce(machine_id = ?1, FALSE) AS here
                   FROM sessions{open} WHERE logout_time IS NULL) open
             WHERE silent OR here",
            open = self.dialect().indexed_by("sessions_open"),
        );
        let mut lost = Vec::new();
        let params = params![here.machine_id, MISSED_BEATS, now];
        for row in self.query(&sql, params)? {
            let silent: bool = row.get(1)?;
            let session = OpenSession {
                id: row.get(0)?,
                pid: row.get(2)?,
                boot_id: row.get(3)?,
                pid_ns: row.get(4)?,
                login_time: row.get(5)?,
                pid_start: row.get(6)?,
            };
            let process_gone = !silent && session.is_dead_here(here);
            if silent || process_gone {
                lost.push((session.id, process_gone));
            }
        }
        Ok(lost)
    }
}

/// The terminal's own end of its session, by its key (`konekte_end_own`: what a
/// terminal role may end, and how).
fn end_own(
    tx: &impl Exec,
    id: i64,
    key: &str,
    reason: EndReason,
    at: Millis,
    written_at: Millis,
) -> Result<Closed> {
    let ended: Option<String> = tx
        .query_row(
            "SELECT konekte_end_own(?1, ?2, ?3, ?4, ?5)",
            params![id, key, reason.as_str(), at, written_at],
        )?
        .get(0)?;
    match ended.as_deref() {
        Some("now") => Ok(Closed::Now),
        Some(reason) => Ok(Closed::Already(
            EndReason::parse(reason).unwrap_or(EndReason::Lost),
        )),
        None => Err(no_session(id)),
    }
}

/// The sweep's closes on PostgreSQL, each judged again by `konekte_close_lost` (by the
/// server's clock) and journaled there; every row is locked already.
fn close_lost_on_the_server(
    tx: &impl Exec,
    lost: &[(i64, bool)],
    now: Millis,
    written_at: Millis,
) -> Result<usize> {
    let mut closed = 0;
    for (id, process_gone) in lost {
        let ended: Option<Millis> = tx
            .query_row(
                "SELECT konekte_close_lost(?1, ?2, ?3, ?4, ?5)",
                params![id, process_gone, MISSED_BEATS, now, written_at],
            )?
            .get(0)?;
        closed += usize::from(ended.is_some());
    }
    Ok(closed)
}

fn no_session(id: i64) -> anyhow::Error {
    crate::error::Error::bad_input(crate::tr!(no_session, id = id)).into()
}

/// An open session of this machine (the same machine-id), as the sweep judges it.
struct OpenSession {
    id: i64,
    pid: Option<u32>,
    pid_start: Option<i64>,
    boot_id: Option<String>,
    pid_ns: Option<String>,
    login_time: Millis,
}

impl OpenSession {
    /// Its process is gone (same boot, same PID namespace: the pid means that process),
    /// or it began before this machine's current boot.
    fn is_dead_here(&self, here: &Here) -> bool {
        let known = |mine: &Option<String>, theirs: Option<&str>| {
            mine.as_deref().is_some_and(|mine| Some(mine) == theirs)
        };
        if known(&self.boot_id, here.boot_id) {
            return known(&self.pid_ns, here.pid_ns)
                && self
                    .pid
                    .is_some_and(|pid| !(here.pid_alive)(pid, self.pid_start));
        }
        self.boot_id.is_some()
            && here
                .booted_at
                .is_some_and(|booted| self.login_time < booted)
    }
}

/// Writes `session` as a new row under `key`; returns its id. Written once: if a row
/// of that key exists (the same write tried again), its id.
/// Inserts `session` with its key, and its facts into the journal (written at
/// `written_at`); a key already there is the row written by an earlier try, whose id is
/// returned and whose facts are in the journal already.
pub(in crate::db) fn insert_session(
    conn: &impl Exec,
    session: &Session,
    heartbeat_ms: Millis,
    key: &str,
    written_at: Millis,
) -> Result<i64> {
    let origin = &session.origin;
    let opening = params![
        session.user_id,
        key,
        origin.host,
        origin.tty,
        origin.remote_ip,
        origin.terminal,
        origin.pid,
        origin.boot_id,
        origin.machine_id,
        session.login_time,
        heartbeat_ms,
        origin.pid_ns,
        origin.pid_start,
        session.system.as_ref().map(|s| s.service.as_str()),
        session.system.as_ref().map(|s| s.name.as_str()),
    ];
    if conn.dialect() == Dialect::Postgres && session.logout_time.is_none() {
        let mut call = opening.to_vec();
        call.extend_from_slice(params![written_at, opened_fact(session).body()]);
        return conn
            .query_row(
                "SELECT konekte_open_session(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,
                                             ?13, ?16, ?17, ?14, ?15)",
                &call,
            )?
            .get(0);
    }
    let mut row = opening.to_vec();
    row.extend_from_slice(params![
        session.last_seen,
        session.logout_time,
        session.end_reason.map(EndReason::as_str)
    ]);
    let inserted = conn.query_opt(
        "INSERT INTO sessions (user_id, session_key, host, tty, remote_ip, terminal, pid, boot_id,
                               machine_id, login_time, last_seen, heartbeat_ms, logout_time,
                               end_reason, last_key, pid_ns, pid_start, service, login_name)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?16, ?11, ?17, ?18,
                 CASE WHEN CAST(?14 AS TEXT) IS NULL THEN CAST(?10 AS BIGINT) END, ?12, ?13,
                 ?14, ?15)
         ON CONFLICT (session_key) DO NOTHING
         RETURNING id",
        &row,
    )?;
    let Some(row) = inserted else {
        return conn
            .query_row(
                "SELECT id FROM sessions WHERE session_key = ?1",
                params![key],
            )?
            .get(0);
    };
    let id = row.get(0)?;
    journal_session(conn, id, session, written_at)?;
    Ok(id)
}

/// The facts of a session just inserted: opened, and ended when it came ended (the
/// demo's past weeks).
fn journal_session(conn: &impl Exec, id: i64, session: &Session, at: Millis) -> Result<()> {
    journal::append(conn, at, Some(id), &opened_fact(session))?;
    if let (Some(logout_time), Some(reason)) = (session.logout_time, session.end_reason) {
        let ended = Fact::SessionEnded(Ended {
            logout_time,
            reason: reason.as_str().into(),
            ended_by: None,
            ended_by_account: None,
            note: None,
            by: None,
        });
        journal::append(conn, at, Some(id), &ended)?;
    }
    Ok(())
}

fn opened_fact(session: &Session) -> Fact {
    let origin = &session.origin;
    Fact::SessionOpened(Opened {
        user_id: session.user_id,
        login_time: session.login_time,
        host: origin.host.clone(),
        tty: origin.tty.clone(),
        remote_ip: origin.remote_ip.clone(),
        terminal: origin.terminal.clone(),
        service: session.system.as_ref().map(|s| s.service.clone()),
        login_name: session.system.as_ref().map(|s| s.name.clone()),
    })
}

fn end_reason_of(conn: &impl Exec, id: i64) -> Result<Option<EndReason>> {
    let reason: Option<String> =
        match conn.query_opt("SELECT end_reason FROM sessions WHERE id = ?1", params![id])? {
            Some(row) => row.get(0)?,
            None => None,
        };
    Ok(reason.as_deref().and_then(EndReason::parse))
}

fn session_from_row(row: &Row) -> Result<Session> {
    let reason: Option<String> = row.get(5)?;
    Ok(Session {
        id: row.get(0)?,
        user_id: row.get(1)?,
        login_time: row.get(2)?,
        last_seen: row.get(3)?,
        logout_time: row.get(4)?,
        end_reason: reason.as_deref().and_then(EndReason::parse),
        origin: Origin {
            host: row.get(6)?,
            tty: row.get(7)?,
            remote_ip: row.get(8)?,
            terminal: row.get(9)?,
            pid: row.get::<Option<u32>>(10)?.unwrap_or(0),
            boot_id: row.get(11)?,
            machine_id: row.get(12)?,
            pid_ns: row.get(13)?,
            pid_start: row.get(14)?,
        },
        system: match (row.get(15)?, row.get(16)?) {
            (Some(service), Some(name)) => Some(SystemLogin { service, name }),
            _ => None,
        },
    })
}

/// 128 random bits, as hex: unique per session, unguessable.
pub(in crate::db) fn session_key() -> String {
    let bytes: [u8; 16] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A filter on sessions: user, role or host; each `?` is the folded pattern
/// (`query::like_pattern`).
pub(in crate::db) const SESSION_FILTER: &str = "(u.username_key LIKE ? ESCAPE '\\' \
     OR u.role LIKE ? ESCAPE '\\' OR lower(s.host) LIKE ? ESCAPE '\\')";

/// How many columns `SESSION_LINE_COLUMNS` are.
pub(in crate::db) const SESSION_LINE_WIDTH: usize = 18;

/// A session's line; a name with no account is the one the system gave (`s.login_name`),
/// with no role: a query that should show them joins `users` with LEFT JOIN.
pub(in crate::db) const SESSION_LINE_COLUMNS: &str = "s.id, s.user_id, coalesce(u.username, s.login_name), u.role, s.login_time, s.last_seen, s.logout_time, \
     s.end_reason, s.host, s.tty, s.remote_ip, s.terminal, \
     coalesce((SELECT a.username FROM users a WHERE a.id = s.ended_by), s.ended_by_account), \
     s.end_note, s.last_key, s.correction, s.correction_note, s.service";

pub(in crate::db) fn session_line_from_row(row: &Row) -> Result<SessionLine> {
    let role: Option<String> = row.get(3)?;
    let reason: Option<String> = row.get(7)?;
    Ok(SessionLine {
        id: row.get(0)?,
        user_id: row.get(1)?,
        username: row.get(2)?,
        role: role.map(|role| role.parse()).transpose()?,
        login_time: row.get(4)?,
        last_seen: row.get(5)?,
        logout_time: row.get(6)?,
        end_reason: reason.as_deref().and_then(EndReason::parse),
        host: row.get(8)?,
        tty: row.get(9)?,
        remote_ip: row.get(10)?,
        terminal: row.get(11)?,
        ended_by: row.get(12)?,
        end_note: row.get(13)?,
        last_key: row.get(14)?,
        correction: row.get(15)?,
        correction_note: row.get(16)?,
        service: row.get(17)?,
    })
}

/// Which sessions: those of a user or a role, from a host or a tty, that overlap
/// [since, until).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Range {
    pub user_id: Option<i64>,
    pub role: Option<Role>,
    /// The host, in any case.
    pub host: Option<String>,
    /// The tty, with or without its `/dev/`.
    pub tty: Option<String>,
    /// Still going at or after this time (open sessions always are).
    pub since: Option<Millis>,
    /// Began before this time.
    pub until: Option<Millis>,
    /// Only the sessions that count in a tally: the voided ones left out.
    pub counted_only: bool,
    /// Also the sessions of names the system logged in that konekte has no account of
    /// (`last`); they count in no tally, and are left out unless asked for.
    pub unknown_names: bool,
    /// Only the sessions of this name with no account (`last NAME`).
    pub unknown_name: Option<String>,
}

/// A session's who and when, without the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub id: i64,
    pub user_id: i64,
    pub login_time: Millis,
    pub logout_time: Option<Millis>,
    /// An admin corrected it (its end moved, or added).
    pub corrected: bool,
    /// How it ended (`None`: still open).
    pub end_reason: Option<EndReason>,
}

impl Span {
    /// Its part [from, to) as a tally counts it (a range, or one day of it).
    pub fn piece(&self, from: Millis, to: Millis) -> Piece {
        Piece {
            session: self.id,
            from,
            to,
            login: self.login_time,
            logout: self.logout_time,
            corrected: self.corrected,
        }
    }

    /// The session as the exceptions judge it.
    pub fn worked(&self) -> Worked {
        Worked {
            login: self.login_time,
            logout: self.logout_time,
            reason: self.end_reason,
            corrected: self.corrected,
        }
    }
}

/// Longer than this, an ended session is "long" (the `sessions_long` index of
/// schema.sql, whose condition says the same number): any other session that overlaps a
/// range began at most this long before the range does.
pub const LONG_SESSION_MS: Millis = 86_400_000;
/// The index's condition, word for word (a bound parameter would not match it).
const LONG_SESSION: &str = "s.logout_time - s.login_time > 86400000";

/// Who and where: the conditions of `range` that are not times.
fn whose(range: &Range) -> Sql {
    let mut conditions = Sql::conditions();
    if !range.unknown_names {
        conditions.push(" AND s.user_id IS NOT NULL", []);
    }
    if range.counted_only {
        conditions.push(" AND coalesce(s.correction, '') != 'void'", []);
    }
    conditions
        .and_some("s.user_id = ?", range.user_id)
        .and_some(
            "s.user_id IN (SELECT id FROM users WHERE role = ?)",
            range.role.map(Role::as_str),
        )
        .and_some(
            "s.user_id IS NULL AND s.login_name = ?",
            range.unknown_name.as_deref(),
        )
        .and_some("lower(s.host) = lower(?)", range.host.as_deref())
        .and_some(
            "s.tty = '/dev/' || ?",
            range
                .tty
                .as_deref()
                .map(|tty| tty.strip_prefix("/dev/").unwrap_or(tty)),
        );
    conditions
}

/// The sessions of `range` as a UNION ALL of SELECTs of `columns`, each of which an
/// index bounds on both ends, so that a range costs what it returns, however long the
/// history. With a `since`: the ended sessions that began at most a day before it
/// (`sessions_login`, or the user's own index), the few longer ones (`sessions_long`),
/// and the open ones (`sessions_open`). Without: every session begun before `until`.
pub(in crate::db) fn range_select(range: &Range, columns: &str, dialect: Dialect) -> Sql {
    // The users' table only for the columns that come from it.
    let join = match (columns.contains("u."), range.unknown_names) {
        (false, _) => "",
        (true, false) => " JOIN users u ON u.id = s.user_id",
        (true, true) => " LEFT JOIN users u ON u.id = s.user_id",
    };
    let select = |conditions: &Sql, index: &str| {
        let mut sql = Sql::new(format!(
            "SELECT {columns} FROM sessions s{index}{join} WHERE "
        ));
        sql.append(conditions);
        sql
    };
    let mut base = whose(range);
    base.and_some("s.login_time < ?", range.until);
    let Some(since) = range.since else {
        return select(&base, "");
    };
    let mut short = base.clone();
    short
        .and("s.login_time >= ?", since - LONG_SESSION_MS)
        .and("s.logout_time > ?", since)
        .and("s.logout_time - s.login_time <= ?", LONG_SESSION_MS);
    let mut long = base.clone();
    long.push(&format!(" AND {LONG_SESSION}"), [])
        .and("s.logout_time > ?", since);
    let mut open = base;
    open.push(" AND s.logout_time IS NULL", []);
    // INDEXED BY: left to itself, SQLite reads the open sessions through the logins
    // index, every session begun before `until`.
    let open_index = dialect.indexed_by("sessions_open");
    let mut union = select(&short, "");
    union
        .push(" UNION ALL ", [])
        .append(&select(&long, ""))
        .push(" UNION ALL ", [])
        .append(&select(&open, &open_index));
    union
}

mod corrections;
mod imported;
mod system;

pub use imported::{ImportCount, NO_PASSWORD};

pub use corrections::Correction;
pub use system::UnknownName;

#[cfg(test)]
mod tests;
