//! The PC's own logins, told by PAM (`console pam`) and kept alive by the host's agent
//! (`console agent`). konekte did not authenticate them and no terminal of its own beats
//! for them: each is opened with no heartbeat (`heartbeat_ms` 0, never silent), ended by
//! the process that opened it, and, where an agent runs, beaten for by that agent.

use anyhow::Result;
use sha2::{Digest, Sha256};

use super::insert_session;
use crate::db::backend::value::params;
use crate::db::backend::{Dialect, Exec};
use crate::db::{Closed, Db};
use crate::model::{EndReason, Millis, Origin, Session, SystemLogin};

/// A name the system logged in that konekte has no account of.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UnknownName {
    pub name: String,
    pub sessions: i64,
    #[serde(serialize_with = "crate::clock::serialize_time")]
    pub first_login: Millis,
    #[serde(serialize_with = "crate::clock::serialize_time")]
    pub last_login: Millis,
}

impl Db {
    /// Opens the session of a system login at `now`: of `user_id`, or of no account
    /// (`None`: the name is kept as the system gave it). Written once whatever the
    /// retries: its key is its process's (see `system_key`).
    pub fn open_system_session(
        &self,
        user_id: Option<i64>,
        login: &SystemLogin,
        origin: &Origin,
        now: Millis,
    ) -> Result<i64> {
        let session = Session::opening(user_id, origin, Some(login.clone()), now);
        let key = system_key(login, origin);
        // No heartbeat: silence says nothing of a session nobody beats for.
        self.write(|tx| insert_session(tx, &session, 0, &key, now))
    }

    /// Ends as a logout, at `at`, the open session that the process of `origin` opened
    /// for `login`; `None` if there is none (opened before konekte was set up, or
    /// closed already).
    pub fn end_system_session(
        &self,
        login: &SystemLogin,
        origin: &Origin,
        at: Millis,
    ) -> Result<Option<Closed>> {
        let found = self.query_opt(
            &format!(
                "SELECT id FROM sessions{open}
                 WHERE logout_time IS NULL AND service = ?1 AND login_name = ?2
                   AND machine_id = ?3 AND boot_id = ?4 AND pid = ?5
                 ORDER BY id DESC LIMIT 1",
                open = self.dialect().indexed_by("sessions_open")
            ),
            params![
                login.service,
                login.name,
                origin.machine_id,
                origin.boot_id,
                origin.pid
            ],
        )?;
        let Some(row) = found else {
            return Ok(None);
        };
        let id: i64 = row.get(0)?;
        // The key proves it is this process's own session (PostgreSQL's end_own).
        self.keep_key(id, system_key(login, origin));
        self.close_session(id, EndReason::Logout, at, None, None)
            .map(Some)
    }

    /// The agent's beat: every open system session of this machine and boot, in one
    /// statement, beaten at `now` and judged silent after `heartbeat_ms` × 3 from now on
    /// (0: given back when the agent stops, never silent again). How many it beat.
    pub fn beat_host(
        &self,
        machine_id: &str,
        boot_id: &str,
        now: Millis,
        heartbeat_ms: Millis,
    ) -> Result<u64> {
        self.write(|tx| {
            if tx.dialect() == Dialect::Postgres {
                return tx
                    .query_row(
                        "SELECT konekte_beat_host(?1, ?2, ?3, ?4)",
                        params![machine_id, boot_id, now, heartbeat_ms],
                    )?
                    .get::<i64>(0)
                    .map(|beaten| beaten.unsigned_abs());
            }
            let beaten = tx.execute(
                "UPDATE sessions SET last_seen = max(last_seen, ?3), heartbeat_ms = ?4
                 WHERE logout_time IS NULL AND service IS NOT NULL
                   AND machine_id = ?1 AND boot_id = ?2",
                params![machine_id, boot_id, now, heartbeat_ms],
            )?;
            Ok(beaten)
        })
    }

    /// The names the system logged in that konekte has no account of, by name.
    pub fn unknown_names(&self) -> Result<Vec<UnknownName>> {
        self.query(
            "SELECT login_name, count(*), min(login_time), max(login_time) FROM sessions
             WHERE user_id IS NULL GROUP BY login_name ORDER BY login_name",
            params![],
        )?
        .iter()
        .map(|row| {
            Ok(UnknownName {
                name: row.get(0)?,
                sessions: row.get(1)?,
                first_login: row.get(2)?,
                last_login: row.get(3)?,
            })
        })
        .collect()
    }
}

/// The key of a system session: its process (machine, boot, pid and its start) and its
/// login. The process that ends it is the one that opened it, in a later run of
/// `console pam`: it finds the same key, as a retried open finds the row it wrote.
fn system_key(login: &SystemLogin, origin: &Origin) -> String {
    let mut digest = Sha256::new();
    for part in [
        origin.machine_id.as_deref().unwrap_or(""),
        origin.boot_id.as_deref().unwrap_or(""),
        &origin.pid.to_string(),
        &origin.pid_start.map(|s| s.to_string()).unwrap_or_default(),
        &login.service,
        &login.name,
    ] {
        digest.update(part.as_bytes());
        digest.update([0]);
    }
    format!("pam-{}", hex::encode(digest.finalize()))
}
