//! Loading many rows at once, for the generator of large benchmark databases and the
//! demo's past weeks: one transaction, prepared statements, none of the checks of
//! normal operation.

use anyhow::Result;
use rusqlite::{Transaction, params};

use super::Db;
use super::attempts::insert_attempt;
use super::sessions::insert_session;
use crate::model::{Millis, NewUser, Origin, Outcome, Session};

pub struct BulkLoader<'a> {
    tx: &'a Transaction<'a>,
}

impl Db {
    /// Runs `fill` in one write transaction: all its rows are written, or none.
    pub fn bulk_load<T>(&self, mut fill: impl FnMut(&BulkLoader) -> Result<T>) -> Result<T> {
        self.write(|tx| fill(&BulkLoader { tx }))
    }
}

impl BulkLoader<'_> {
    pub fn user(&self, user: &NewUser, created_at: Millis) -> Result<i64> {
        self.tx
            .prepare_cached(
                "INSERT INTO users (username, full_name, role, password_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                user.username,
                user.full_name,
                user.role.as_str(),
                user.password_hash,
                created_at
            ])?;
        Ok(self.tx.last_insert_rowid())
    }

    /// A session as given (its id is assigned anew); returns its id.
    pub fn session(&self, session: &Session, heartbeat_ms: Millis) -> Result<i64> {
        Ok(insert_session(self.tx, session, heartbeat_ms)?)
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
        insert_attempt(self.tx, typed, user_id, at, origin, outcome)?;
        Ok(())
    }
}
