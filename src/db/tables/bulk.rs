//! Loading many rows at once, for the generator of large benchmark databases and the
//! demo's past weeks: one transaction, prepared statements, none of the checks of
//! normal operation.

use anyhow::Result;

use super::attempts::{NewAttempt, insert_attempt};
use super::sessions::{insert_session, session_key};
use super::users::insert_user;
use crate::db::Db;
use crate::db::backend::Tx;
use crate::model::{Millis, NewUser, Origin, Outcome, Session};

pub struct BulkLoader<'t, 'c> {
    tx: &'t Tx<'c>,
    /// When the rows are written: their entries' time in the journal.
    now: Millis,
}

impl Db {
    /// Runs `fill` in one write transaction: all its rows are written, or none.
    pub fn bulk_load<T>(
        &self,
        mut fill: impl FnMut(&BulkLoader<'_, '_>) -> Result<T>,
    ) -> Result<T> {
        self.write(|tx| {
            fill(&BulkLoader {
                tx,
                now: self.now(),
            })
        })
    }
}

impl BulkLoader<'_, '_> {
    pub fn user(&self, user: &NewUser, created_at: Millis) -> Result<i64> {
        insert_user(self.tx, user, created_at, None)
    }

    /// A session as given (its id is assigned anew); returns its id.
    pub fn session(&self, session: &Session, heartbeat_ms: Millis) -> Result<i64> {
        insert_session(self.tx, session, heartbeat_ms, &session_key(), self.now)
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
        let attempt = NewAttempt {
            typed,
            user_id,
            at,
            origin,
            outcome,
        };
        insert_attempt(self.tx, &attempt, None, self.now)
    }
}
