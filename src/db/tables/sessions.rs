//! Sessions: opened at login, kept alive by heartbeats, closed exactly once.

use anyhow::Result;

use crate::db::Db;
use crate::db::backend::value::{Row, params};
use crate::db::backend::{Dialect, Exec};
use crate::db::query::Sql;
use crate::model::{EndReason, Millis, Origin, PreviousLogin, Role, Session, SessionLine};

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
const SILENT: &str = "(last_seen + ?2 * heartbeat_ms < ?3
                       AND (SELECT ended_at FROM write_stalls) + ?2 * heartbeat_ms < ?3)";

const SESSION_COLUMNS: &str = "id, user_id, login_time, last_seen, logout_time, end_reason, \
                               host, tty, remote_ip, terminal, pid, boot_id, machine_id, \
                               pid_ns, pid_start";

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
        let mut session = Session {
            id: 0,
            user_id,
            login_time: now,
            last_seen: now,
            logout_time: None,
            end_reason: None,
            origin: origin.clone(),
        };
        let key = session_key();
        session.id = self.write(|tx| insert_session(tx, &session, heartbeat_ms, &key))?;
        Ok(session)
    }

    /// Records that the session's terminal is alive at `now`, unless the session was
    /// closed meanwhile; then says how it ended. A session taken for `lost` is open
    /// again: the heartbeat proves it alive, whatever made the sweep guess otherwise (a
    /// clock that jumped ahead, a lock). On PostgreSQL it measures the server's clock
    /// again.
    pub fn beat(&self, id: i64, now: Millis, last_key: Millis) -> Result<Beat> {
        let beat = self.write(|tx| {
            let changed = tx.execute(
                "UPDATE sessions SET last_seen = CASE WHEN ?2 > last_seen THEN ?2 ELSE last_seen END,
                                     last_key = ?3, logout_time = NULL, end_reason = NULL
                 WHERE id = ?1 AND (logout_time IS NULL OR end_reason = 'lost')",
                params![id, now, last_key],
            )?;
            if changed == 1 {
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
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE sessions
                 SET logout_time = CASE WHEN ?3 > login_time THEN ?3 ELSE login_time END,
                     end_reason = ?2, ended_by = ?4, end_note = ?5, ended_by_account = ?7
                 WHERE id = ?1
                   AND (logout_time IS NULL OR (end_reason = 'lost' AND ?6))",
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
            if changed == 1 {
                return Ok(Closed::Now);
            }
            match end_reason_of(tx, id)? {
                Some(reason) => Ok(Closed::Already(reason)),
                None => Err(crate::error::Error::bad_input(crate::tr!(no_session, id = id)).into()),
            }
        })
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
                    tx.execute(
                        "SELECT 1 FROM sessions WHERE id = ?1 FOR UPDATE",
                        params![id],
                    )?;
                }
            }
            self.tell_of_a_stall(tx)?;
            // Judged again under the write lock: a heartbeat that landed since the read
            // above keeps its session alive. A dead process needs no second look.
            let mut closed = 0;
            for (id, process_gone) in &lost {
                closed += tx.execute(
                    &format!(
                        "UPDATE sessions SET logout_time = last_seen, end_reason = 'lost'
                         WHERE id = ?1 AND logout_time IS NULL AND (?4 OR {SILENT})"
                    ),
                    params![id, MISSED_BEATS, now, process_gone],
                )?;
            }
            Ok(closed as usize)
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
pub(in crate::db) fn insert_session(
    conn: &impl Exec,
    session: &Session,
    heartbeat_ms: Millis,
    key: &str,
) -> Result<i64> {
    let origin = &session.origin;
    let inserted = conn.query_opt(
        "INSERT INTO sessions (user_id, session_key, host, tty, remote_ip, terminal, pid, boot_id,
                               machine_id, login_time, last_seen, heartbeat_ms, logout_time,
                               end_reason, last_key, pid_ns, pid_start)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?10, ?15, ?16)
         ON CONFLICT (session_key) DO NOTHING
         RETURNING id",
        params![
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
            session.last_seen,
            heartbeat_ms,
            session.logout_time,
            session.end_reason.map(EndReason::as_str),
            origin.pid_ns,
            origin.pid_start,
        ],
    )?;
    match inserted {
        Some(row) => row.get(0),
        None => conn
            .query_row(
                "SELECT id FROM sessions WHERE session_key = ?1",
                params![key],
            )?
            .get(0),
    }
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
pub(in crate::db) const SESSION_LINE_WIDTH: usize = 15;

pub(in crate::db) const SESSION_LINE_COLUMNS: &str = "s.id, s.user_id, u.username, u.role, s.login_time, s.last_seen, s.logout_time, \
     s.end_reason, s.host, s.tty, s.remote_ip, s.terminal, \
     coalesce((SELECT a.username FROM users a WHERE a.id = s.ended_by), s.ended_by_account), \
     s.end_note, s.last_key";

pub(in crate::db) fn session_line_from_row(row: &Row) -> Result<SessionLine> {
    let role: String = row.get(3)?;
    let reason: Option<String> = row.get(7)?;
    Ok(SessionLine {
        id: row.get(0)?,
        user_id: row.get(1)?,
        username: row.get(2)?,
        role: role.parse()?,
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
}

/// A session's who and when, without the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub id: i64,
    pub user_id: i64,
    pub login_time: Millis,
    pub logout_time: Option<Millis>,
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
    conditions
        .and_some("s.user_id = ?", range.user_id)
        .and_some(
            "s.user_id IN (SELECT id FROM users WHERE role = ?)",
            range.role.map(Role::as_str),
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
    let join = if columns.contains("u.") {
        " JOIN users u ON u.id = s.user_id"
    } else {
        ""
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::tables::users::tests::new_user;
    use crate::model::Role;

    const BEAT: Millis = 5_000;
    const HOST_PID_NS: &str = "pid:[4026531836]";

    fn origin(host: &str, pid: u32, boot: &str) -> Origin {
        Origin {
            host: host.into(),
            pid,
            boot_id: Some(boot.into()),
            machine_id: Some(format!("machine-of-{host}")),
            pid_ns: Some(HOST_PID_NS.into()),
            ..Origin::default()
        }
    }

    fn db_with_user() -> (crate::db::testing::TestDb, i64) {
        let db = crate::db::testing::db();
        db.create_users(&[new_user("clerk", Role::Archives)], false, 0)
            .unwrap();
        let id = db.user("clerk").unwrap().unwrap().id;
        (db, id)
    }

    fn everything_alive(_: u32, _: Option<i64>) -> bool {
        true
    }

    fn elsewhere() -> Here<'static> {
        Here {
            host: "elsewhere",
            machine_id: None,
            boot_id: None,
            booted_at: None,
            pid_ns: None,
            pid_alive: &everything_alive,
        }
    }

    #[test]
    fn a_session_is_closed_once_and_keeps_its_first_end() {
        let (db, user) = db_with_user();
        let session = db
            .open_session(user, &origin("desk", 1, "b"), BEAT, 1_000)
            .unwrap();
        assert_eq!(
            db.close_session(session.id, EndReason::Logout, 2_000, None, None)
                .unwrap(),
            Closed::Now
        );
        assert_eq!(
            db.close_session(session.id, EndReason::Forced, 3_000, None, None)
                .unwrap(),
            Closed::Already(EndReason::Logout)
        );
        let stored = db.session(session.id).unwrap().unwrap();
        assert_eq!(
            (stored.logout_time, stored.end_reason),
            (Some(2_000), Some(EndReason::Logout))
        );
        assert!(
            db.close_session(999, EndReason::Logout, 0, None, None)
                .is_err()
        );
    }

    #[test]
    fn closing_one_session_leaves_the_users_other_sessions_open() {
        let (db, user) = db_with_user();
        let first = db
            .open_session(user, &origin("desk", 1, "b"), BEAT, 1_000)
            .unwrap();
        let second = db
            .open_session(user, &origin("desk2", 2, "b"), BEAT, 1_100)
            .unwrap();
        db.close_session(first.id, EndReason::Logout, 2_000, None, None)
            .unwrap();
        assert_eq!(db.session(second.id).unwrap().unwrap().logout_time, None);
    }

    #[test]
    fn a_heartbeat_moves_last_seen_and_notices_an_end() {
        let (db, user) = db_with_user();
        let session = db
            .open_session(user, &origin("desk", 1, "b"), BEAT, 1_000)
            .unwrap();
        assert_eq!(db.beat(session.id, 6_000, 6_000).unwrap(), Beat::Alive);
        assert_eq!(db.session(session.id).unwrap().unwrap().last_seen, 6_000);
        db.close_session(
            session.id,
            EndReason::Forced,
            7_000,
            None,
            Some("fire drill"),
        )
        .unwrap();
        assert_eq!(
            db.beat(session.id, 11_000, 11_000).unwrap(),
            Beat::Ended(EndReason::Forced)
        );
    }

    #[test]
    fn silent_sessions_are_lost_at_their_last_heartbeat() {
        let (db, user) = db_with_user();
        let quiet = db
            .open_session(user, &origin("far", 1, "b"), BEAT, 1_000)
            .unwrap();
        let alive = db
            .open_session(user, &origin("far", 2, "b"), BEAT, 1_000)
            .unwrap();
        db.beat(quiet.id, 4_000, 4_000).unwrap();
        db.beat(alive.id, 17_000, 17_000).unwrap();
        // 4 000 + 3 beats = 19 000: not yet lost at 19 000, lost after.
        assert_eq!(db.sweep_lost(19_000, &elsewhere()).unwrap(), 0);
        assert_eq!(db.sweep_lost(19_001, &elsewhere()).unwrap(), 1);
        let lost = db.session(quiet.id).unwrap().unwrap();
        assert_eq!(
            (lost.logout_time, lost.end_reason),
            (Some(4_000), Some(EndReason::Lost))
        );
        assert_eq!(db.session(alive.id).unwrap().unwrap().logout_time, None);
    }

    #[test]
    fn the_terminals_own_end_replaces_a_lost_verdict_and_nothing_else_does() {
        let (db, user) = db_with_user();
        let session = db
            .open_session(user, &origin("far", 1, "b"), BEAT, 1_000)
            .unwrap();
        assert_eq!(db.sweep_lost(17_000, &elsewhere()).unwrap(), 1);
        assert_eq!(
            db.close_session(session.id, EndReason::Forced, 18_000, None, None)
                .unwrap(),
            Closed::Already(EndReason::Lost),
            "an admin's end of a lost session changes nothing"
        );
        assert_eq!(
            db.close_session(session.id, EndReason::Logout, 12_000, None, None)
                .unwrap(),
            Closed::Now
        );
        let stored = db.session(session.id).unwrap().unwrap();
        assert_eq!(
            (stored.logout_time, stored.end_reason),
            (Some(12_000), Some(EndReason::Logout))
        );
        assert_eq!(
            db.close_session(session.id, EndReason::Idle, 13_000, None, None)
                .unwrap(),
            Closed::Already(EndReason::Logout),
            "a real end is never replaced"
        );
        let totals: (Millis, Millis, i64) = {
            let row = db
                .query_row(
                    "SELECT connected_ms, last_logout, open_sessions FROM users",
                    params![],
                )
                .unwrap();
            (
                row.get(0).unwrap(),
                row.get(1).unwrap(),
                row.get(2).unwrap(),
            )
        };
        assert_eq!(totals, (11_000, 12_000, 0), "the account's totals follow");
    }

    #[test]
    fn a_heartbeat_opens_again_a_session_taken_for_lost_and_its_totals_follow() {
        let (db, user) = db_with_user();
        let earlier = db
            .open_session(user, &origin("far", 1, "b"), BEAT, 1_000)
            .unwrap();
        db.close_session(earlier.id, EndReason::Logout, 2_000, None, None)
            .unwrap();
        let session = db
            .open_session(user, &origin("far", 1, "b"), BEAT, 3_000)
            .unwrap();
        // A sweeper whose clock runs 30 s ahead takes it for lost.
        assert_eq!(db.sweep_lost(3_000 + 30_000, &elsewhere()).unwrap(), 1);
        assert_eq!(db.beat(session.id, 8_000, 7_500).unwrap(), Beat::Alive);
        let stored = db.session(session.id).unwrap().unwrap();
        assert_eq!(
            (stored.logout_time, stored.end_reason, stored.last_seen),
            (None, None, 8_000)
        );
        let totals = db
            .query_row(
                "SELECT open_sessions, connected_ms, last_logout FROM users WHERE id = ?1",
                params![user],
            )
            .unwrap();
        assert_eq!(
            (
                totals.get::<i64>(0).unwrap(),
                totals.get::<Millis>(1).unwrap(),
                totals.get::<Option<Millis>>(2).unwrap()
            ),
            (1, 1_000, Some(2_000)),
            "as if it had never been closed"
        );
        // An end someone decided is not undone.
        db.close_session(session.id, EndReason::Forced, 9_000, None, None)
            .unwrap();
        assert_eq!(
            db.beat(session.id, 10_000, 10_000).unwrap(),
            Beat::Ended(EndReason::Forced)
        );
    }

    #[test]
    fn silence_counts_from_when_the_database_was_writable_again() {
        let (db, user) = db_with_user();
        let session = db
            .open_session(user, &origin("far", 1, "b"), BEAT, 1_000)
            .unwrap();
        // The database was held elsewhere until 30 000: no terminal could beat.
        db.execute("UPDATE write_stalls SET ended_at = 30000", params![])
            .unwrap();
        assert_eq!(db.sweep_lost(30_000 + 3 * BEAT, &elsewhere()).unwrap(), 0);
        assert_eq!(db.session(session.id).unwrap().unwrap().logout_time, None);
        assert_eq!(db.sweep_lost(30_001 + 3 * BEAT, &elsewhere()).unwrap(), 1);
        assert_eq!(
            db.session(session.id).unwrap().unwrap().logout_time,
            Some(1_000),
            "still lost at its last heartbeat"
        );
    }

    #[test]
    fn a_write_that_waited_for_a_held_lock_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let (target, _server) = crate::db::testing::shared(dir.path());
        let mut db = Db::open(&target).unwrap();
        db.set_clock(std::sync::Arc::new(|| 50_000));
        db.set_patience(crate::db::Patience {
            busy_timeout: std::time::Duration::from_millis(10),
            attempts: 1,
        })
        .unwrap();
        db.create_users(&[new_user("clerk", Role::Archives)], false, 0)
            .unwrap();
        let user = db.user("clerk").unwrap().unwrap().id;
        let stall_end = |db: &Db| -> Millis {
            db.query_row("SELECT ended_at FROM write_stalls", params![])
                .unwrap()
                .get(0)
                .unwrap()
        };
        assert_eq!(stall_end(&db), 0, "no wait, nothing said");
        let held = crate::db::testing::hold_write_lock(&target);
        assert!(
            db.open_session(user, &origin("far", 1, "b"), BEAT, 1_000)
                .is_err()
        );
        held.release();
        db.open_session(user, &origin("far", 1, "b"), BEAT, 2_000)
            .unwrap();
        assert_eq!(stall_end(&db), 50_000);
    }

    #[test]
    fn a_sweep_with_nothing_to_close_needs_no_write_lock() {
        let dir = tempfile::tempdir().unwrap();
        let (target, _server) = crate::db::testing::shared(dir.path());
        let db = Db::open(&target).unwrap();
        db.create_users(&[new_user("clerk", Role::Archives)], false, 0)
            .unwrap();
        let user = db.user("clerk").unwrap().unwrap().id;
        db.open_session(user, &origin("far", 1, "b"), BEAT, 1_000)
            .unwrap();
        let held = crate::db::testing::hold_write_lock(&target);
        // Had it written, it would have waited for the lock, then failed busy.
        assert_eq!(db.sweep_lost(2_000, &elsewhere()).unwrap(), 0);
        held.release();
    }

    #[test]
    fn on_this_host_a_dead_process_or_an_earlier_boot_is_lost_at_once() {
        let (db, user) = db_with_user();
        let dead = db
            .open_session(user, &origin("desk", 111, "boot-2"), BEAT, 1_000)
            .unwrap();
        let running = db
            .open_session(user, &origin("desk", 222, "boot-2"), BEAT, 1_000)
            .unwrap();
        let before_boot = db
            .open_session(user, &origin("desk", 222, "boot-1"), BEAT, 500)
            .unwrap();
        let twin_machine = db
            .open_session(user, &origin("desk", 333, "boot-9"), BEAT, 1_500)
            .unwrap();
        let alive = |pid: u32, _: Option<i64>| pid != 111;
        let here = Here {
            host: "desk",
            machine_id: Some("machine-of-desk"),
            boot_id: Some("boot-2"),
            booted_at: Some(900),
            pid_ns: Some(HOST_PID_NS),
            pid_alive: &alive,
        };
        assert_eq!(db.sweep_lost(2_000, &here).unwrap(), 2);
        let end = |id| db.session(id).unwrap().unwrap().end_reason;
        assert_eq!(end(dead.id), Some(EndReason::Lost));
        assert_eq!(end(before_boot.id), Some(EndReason::Lost));
        assert_eq!(end(running.id), None);
        assert_eq!(end(twin_machine.id), None);
    }

    #[test]
    fn two_machines_of_one_host_name_never_close_each_others_sessions() {
        let (db, user) = db_with_user();
        let mut theirs = origin("debian", 111, "boot-a");
        theirs.machine_id = Some("machine-a".into());
        let session = db.open_session(user, &theirs, BEAT, 1_000).unwrap();
        // The other "debian": no such process there, and it booted after the login.
        let nothing_runs = |_: u32, _: Option<i64>| false;
        let here = Here {
            host: "debian",
            machine_id: Some("machine-b"),
            boot_id: Some("boot-b"),
            booted_at: Some(1_500),
            pid_ns: Some(HOST_PID_NS),
            pid_alive: &nothing_runs,
        };
        // A session written before konekte kept machine-ids: the host name matches,
        // and proves nothing.
        let mut unmarked = origin("debian", 112, "boot-a");
        unmarked.machine_id = None;
        let old = db.open_session(user, &unmarked, BEAT, 1_000).unwrap();
        assert_eq!(db.sweep_lost(2_000, &here).unwrap(), 0);
        assert_eq!(db.session(session.id).unwrap().unwrap().logout_time, None);
        assert_eq!(db.session(old.id).unwrap().unwrap().logout_time, None);
        // Its heartbeats stopping is what ends it, as anywhere else.
        assert_eq!(db.sweep_lost(1_000 + 3 * BEAT + 1, &here).unwrap(), 2);
    }

    #[test]
    fn a_pid_is_asked_only_in_the_pid_namespace_it_belongs_to() {
        let (db, user) = db_with_user();
        let mut in_container = origin("desk", 111, "boot-2");
        in_container.pid_ns = Some("pid:[4026532999]".into());
        let theirs = db.open_session(user, &in_container, BEAT, 1_000).unwrap();
        let mut unknown = origin("desk", 112, "boot-2");
        unknown.pid_ns = None;
        let unknown = db.open_session(user, &unknown, BEAT, 1_000).unwrap();
        // Pids 111 and 112 are not running in this namespace.
        let nothing_runs = |_: u32, _: Option<i64>| false;
        let here = Here {
            host: "desk",
            machine_id: Some("machine-of-desk"),
            boot_id: Some("boot-2"),
            booted_at: Some(900),
            pid_ns: Some(HOST_PID_NS),
            pid_alive: &nothing_runs,
        };
        assert_eq!(db.sweep_lost(2_000, &here).unwrap(), 0);
        for id in [theirs.id, unknown.id] {
            assert_eq!(db.session(id).unwrap().unwrap().logout_time, None);
        }
    }

    #[test]
    fn an_open_written_twice_under_one_key_is_one_session() {
        let (db, user) = db_with_user();
        let session = Session {
            id: 0,
            user_id: user,
            login_time: 1_000,
            last_seen: 1_000,
            logout_time: None,
            end_reason: None,
            origin: origin("desk", 1, "b"),
        };
        let first = db
            .write(|tx| insert_session(tx, &session, BEAT, "same-key"))
            .unwrap();
        let again = db
            .write(|tx| insert_session(tx, &session, BEAT, "same-key"))
            .unwrap();
        assert_eq!(first, again);
        let count: i64 = db
            .query_row("SELECT count(*) FROM sessions", params![])
            .unwrap()
            .get(0)
            .unwrap();
        assert_eq!(count, 1);
    }

    #[test]
    fn the_previous_login_is_the_one_before() {
        let (db, user) = db_with_user();
        assert!(db.previous_login(user, 0).unwrap().is_none());
        let first = db
            .open_session(user, &origin("desk", 1, "b"), BEAT, 1_000)
            .unwrap();
        db.close_session(first.id, EndReason::Logout, 2_000, None, None)
            .unwrap();
        let second = db
            .open_session(user, &origin("annex", 1, "b"), BEAT, 3_000)
            .unwrap();
        let previous = db.previous_login(user, second.id).unwrap().unwrap();
        assert_eq!((previous.at, previous.host.as_str()), (1_000, "desk"));
    }

    #[test]
    fn session_keys_are_unique_and_long() {
        let (a, b) = (session_key(), session_key());
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
    }

    /// What can happen to the sessions, as the property test below draws it.
    #[derive(Debug, Clone)]
    enum Step {
        Login {
            user: usize,
        },
        Logout {
            nth_open: usize,
        },
        /// Closing one again: it keeps its first end.
        CloseAgain {
            nth: usize,
        },
        Silence,
        Prune,
    }

    fn step() -> impl proptest::strategy::Strategy<Value = Step> {
        use proptest::prelude::*;
        prop_oneof![
            4 => (0..3usize).prop_map(|user| Step::Login { user }),
            3 => (0..8usize).prop_map(|nth_open| Step::Logout { nth_open }),
            1 => (0..8usize).prop_map(|nth| Step::CloseAgain { nth }),
            1 => Just(Step::Silence),
            1 => Just(Step::Prune),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(24))]

        /// Whatever happens, each account's kept totals (open sessions, sessions, time
        /// connected, last login and logout) are those of its sessions, pruned or not.
        #[test]
        fn the_accounts_totals_follow_their_sessions(
            steps in proptest::collection::vec(step(), 1..30)
        ) {
            let db = crate::db::testing::db();
            let users: Vec<_> = (0..3)
                .map(|i| new_user(&format!("user{i}"), Role::Archives))
                .collect();
            db.create_users(&users, false, 0).unwrap();
            let ids: Vec<i64> = (0..3)
                .map(|i| db.user(&format!("user{i}")).unwrap().unwrap().id)
                .collect();
            // Every session ever opened: its user, login and logout, as they should be.
            let mut model: Vec<(i64, i64, Millis, Option<Millis>)> = Vec::new();
            let mut pruned = std::collections::BTreeSet::new();
            let mut lost = std::collections::BTreeSet::new();
            let mut now = 1_000;
            for step in steps {
                now += 1_000;
                let open: Vec<usize> =
                    (0..model.len()).filter(|&i| model[i].3.is_none()).collect();
                let closing = match step {
                    Step::Login { user } => {
                        let session = db
                            .open_session(ids[user], &origin("desk", 1, "b"), BEAT, now)
                            .unwrap();
                        model.push((session.id, ids[user], now, None));
                        vec![]
                    }
                    Step::Logout { nth_open } => {
                        open.get(nth_open % open.len().max(1)).map(|&i| (i, now)).into_iter().collect()
                    }
                    Step::CloseAgain { nth } => {
                        let kept: Vec<usize> =
                            (0..model.len()).filter(|&i| !pruned.contains(&i)).collect();
                        kept.get(nth % kept.len().max(1)).map(|&i| (i, now)).into_iter().collect()
                    }
                    Step::Silence => {
                        now += 4 * BEAT;
                        db.sweep_lost(now, &elsewhere()).unwrap();
                        // Never a heartbeat: each ends at its login, its last sign.
                        open.iter().map(|&i| (i, model[i].2)).collect::<Vec<_>>()
                    }
                    Step::Prune => {
                        db.prune_before(now - 2_500, 10).unwrap();
                        let gone = |i: &usize| model[*i].3.is_some_and(|out| out < now - 2_500);
                        pruned.extend((0..model.len()).filter(gone));
                        vec![]
                    }
                };
                for (i, at) in closing {
                    let silence = matches!(step, Step::Silence);
                    if !silence {
                        db.close_session(model[i].0, EndReason::Logout, at, None, None)
                            .unwrap();
                    }
                    // A logout replaces a lost verdict, and only that.
                    if model[i].3.is_none() || (!silence && lost.contains(&i)) {
                        model[i].3 = Some(at);
                        if silence {
                            lost.insert(i);
                        } else {
                            lost.remove(&i);
                        }
                    }
                }
            }
            for user in &ids {
                let mine: Vec<_> = model.iter().filter(|s| s.1 == *user).collect();
                let expected = (
                    mine.iter().filter(|s| s.3.is_none()).count() as i64,
                    mine.len() as i64,
                    mine.iter().filter_map(|s| s.3.map(|out| out - s.2)).sum::<Millis>(),
                    mine.iter().map(|s| s.2).max(),
                    mine.iter().filter_map(|s| s.3).max(),
                );
                let row = db
                    .query_row(
                        "SELECT open_sessions, sessions_count, connected_ms, last_login,
                                last_logout
                         FROM users WHERE id = ?1",
                        params![user],
                    )
                    .unwrap();
                let kept = (
                    row.get::<i64>(0).unwrap(),
                    row.get::<i64>(1).unwrap(),
                    row.get::<Millis>(2).unwrap(),
                    row.get::<Option<Millis>>(3).unwrap(),
                    row.get::<Option<Millis>>(4).unwrap(),
                );
                proptest::prop_assert_eq!(kept, expected, "user {}", user);
            }
        }
    }

    #[test]
    fn the_long_sessions_condition_is_the_indexs_word_for_word() {
        let index = |schema: &str| {
            let start = schema.find("CREATE INDEX sessions_long").unwrap();
            schema[start..]
                .split(';')
                .next()
                .unwrap()
                .replace("\n", " ")
        };
        for schema in [
            include_str!("../../../schema.sql"),
            include_str!("../../../schema.postgres.sql"),
            include_str!("../backend/migrations/v4.sql"),
        ] {
            let unqualified = LONG_SESSION.replace("s.", "");
            assert!(index(schema).contains(&unqualified), "{}", index(schema));
        }
        assert!(LONG_SESSION.ends_with(&format!("> {LONG_SESSION_MS}")));
    }
}
