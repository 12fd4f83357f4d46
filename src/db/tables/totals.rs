//! `user_totals`: each person's ended sessions counted whole (the voided left out, two
//! terminals at once counted once), kept by the schema's triggers as sessions end, are
//! corrected and are pruned; what `report` over the whole history reads in place of
//! every session.

use anyhow::Result;

use crate::db::Db;
use crate::db::backend::value::params;
use crate::db::backend::{Exec, Tx};
use crate::model::{Millis, Role};

/// One person's ended sessions, counted whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonTotals {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    pub sessions: i64,
    /// Of those, the ones an admin corrected (an end moved, or added).
    pub corrected: i64,
    /// The time covered by at least one of them.
    pub connected: Millis,
    /// Their durations added up.
    pub summed: Millis,
    pub first_login: Millis,
    pub last_logout: Millis,
}

impl Db {
    /// The totals of everyone with an ended session (of `role`, when given), with
    /// their names and roles.
    pub fn person_totals(&self, role: Option<Role>) -> Result<Vec<PersonTotals>> {
        let mut totals = Vec::new();
        self.each(
            "SELECT t.user_id, t.sessions, t.corrected, t.connected_ms, t.summed_ms,
                    t.first_login, t.last_logout, u.username, u.role
             FROM user_totals t JOIN users u ON u.id = t.user_id
             WHERE t.sessions > 0 AND (CAST(?1 AS TEXT) IS NULL OR u.role = CAST(?1 AS TEXT))",
            params![role.map(Role::as_str)],
            &mut |mut row| {
                let role: Role = row.take_text(8)?.parse()?;
                totals.push(PersonTotals {
                    user_id: row.get(0)?,
                    username: row.take_text(7)?,
                    role,
                    sessions: row.get(1)?,
                    corrected: row.get(2)?,
                    connected: row.get(3)?,
                    summed: row.get(4)?,
                    first_login: row.get(5)?,
                    last_logout: row.get(6)?,
                });
                Ok(())
            },
        )?;
        Ok(totals)
    }

    /// The people with a session open now (of `role`, when given), by id.
    pub fn people_online(&self, role: Option<Role>) -> Result<Vec<i64>> {
        let sql = "SELECT id FROM users
                   WHERE open_sessions > 0 AND (CAST(?1 AS TEXT) IS NULL OR role = CAST(?1 AS TEXT))
                   ORDER BY id";
        let rows = self.query(sql, params![role.map(Role::as_str)])?;
        rows.into_iter().map(|row| row.get(0)).collect()
    }
}

/// Counts everyone's totals again from their sessions, as a new database's step does:
/// after a copy into PostgreSQL, whose row trigger was off while the sessions came.
pub(in crate::db) fn rebuild(tx: &Tx) -> Result<()> {
    tx.execute("DELETE FROM user_totals", params![])?;
    tx.execute(
        "INSERT INTO user_totals (user_id, sessions, corrected, connected_ms, summed_ms,
                                  first_login, last_logout)
         SELECT user_id, count(*), sum(CASE WHEN correction IS NULL THEN 0 ELSE 1 END),
                sum(CASE WHEN logout_time > coalesce(pm, login_time)
                         THEN logout_time - CASE WHEN coalesce(pm, login_time) > login_time
                                                 THEN coalesce(pm, login_time)
                                                 ELSE login_time END
                         ELSE 0 END),
                sum(logout_time - login_time), min(login_time), max(logout_time)
         FROM (SELECT user_id, login_time, logout_time, correction,
                      max(logout_time) OVER (PARTITION BY user_id ORDER BY login_time, logout_time
                                             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS pm
               FROM sessions
               WHERE logout_time > login_time AND coalesce(correction, '') <> 'void'
                 AND user_id IS NOT NULL) AS s
         GROUP BY user_id",
        params![],
    )?;
    Ok(())
}
