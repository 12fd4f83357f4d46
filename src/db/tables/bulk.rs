//! Loading many rows at once, for the generator of large benchmark databases and the
//! demo's past weeks: one transaction, prepared statements, none of the checks of
//! normal operation.

use anyhow::Result;

use super::attempts::insert_attempt;
use super::sessions::{insert_session, session_key};
use crate::db::Db;
use crate::db::backend::value::params;
use crate::db::backend::{Exec, Tx};
use crate::model::{Millis, NewUser, Origin, Outcome, Session};

pub struct BulkLoader<'t, 'c> {
    tx: &'t Tx<'c>,
}

impl Db {
    /// Runs `fill` in one write transaction: all its rows are written, or none.
    pub fn bulk_load<T>(
        &self,
        mut fill: impl FnMut(&BulkLoader<'_, '_>) -> Result<T>,
    ) -> Result<T> {
        self.write(|tx| fill(&BulkLoader { tx }))
    }
}

impl BulkLoader<'_, '_> {
    pub fn user(&self, user: &NewUser, created_at: Millis) -> Result<i64> {
        self.tx
            .query_row(
                "INSERT INTO users (username, full_name, role, password_hash, created_at,
                                    full_name_key)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
                params![
                    user.username,
                    user.full_name,
                    user.role.as_str(),
                    user.password_hash,
                    created_at,
                    crate::model::folded(&user.full_name)
                ],
            )?
            .get(0)
    }

    /// A session as given (its id is assigned anew); returns its id.
    pub fn session(&self, session: &Session, heartbeat_ms: Millis) -> Result<i64> {
        insert_session(self.tx, session, heartbeat_ms, &session_key())
    }

    /// A login attempt as given.
    pub fn attempt(
        &self,
        typed: &str,
        user_id: Option<i64>,
        at: Millis,
        origin: &Origin,
        outcome: Outcome,
    ) -> Result<()> {
        insert_attempt(self.tx, typed, user_id, at, origin, outcome, None)?;
        Ok(())
    }
}
