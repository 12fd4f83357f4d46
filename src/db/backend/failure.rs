//! What went wrong, in the words the layers above decide by, for both backends: one
//! place knows SQLite's codes and PostgreSQL's states.

use rusqlite::ErrorCode;
use tokio_postgres::error::SqlState;

use super::postgres::client::Lost;

/// The failures a caller acts on; anything else is just an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// A lock held elsewhere was not had in time (SQLite's busy, PostgreSQL's
    /// lock_timeout): worth another try.
    Busy,
    /// PostgreSQL asks for the transaction to be tried again: a serialization failure
    /// or a deadlock.
    Conflict,
    /// The connection went away (a restart, a network cut, a killed backend, a server
    /// gone silent): worth a new connection and another try.
    Lost,
    /// A unique index refused a row.
    Unique,
    /// The file is not a database, or a damaged one.
    Corrupt,
}

/// The failure `err` (or any cause under it) is, if it is one of those.
pub fn failure_of(err: &anyhow::Error) -> Option<Failure> {
    err.chain().find_map(|cause| {
        if cause.downcast_ref::<Lost>().is_some() {
            return Some(Failure::Lost);
        }
        if let Some(rusqlite::Error::SqliteFailure(e, _)) = cause.downcast_ref::<rusqlite::Error>()
        {
            return sqlite_failure(e);
        }
        postgres_failure(cause.downcast_ref::<tokio_postgres::Error>()?)
    })
}

fn sqlite_failure(err: &rusqlite::ffi::Error) -> Option<Failure> {
    use rusqlite::ffi::{SQLITE_CONSTRAINT_PRIMARYKEY, SQLITE_CONSTRAINT_UNIQUE};
    match err.code {
        ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => Some(Failure::Busy),
        // Not a CHECK or a NOT NULL: those are other constraints.
        ErrorCode::ConstraintViolation
            if [SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY]
                .contains(&err.extended_code) =>
        {
            Some(Failure::Unique)
        }
        ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase => Some(Failure::Corrupt),
        _ => None,
    }
}

fn postgres_failure(err: &tokio_postgres::Error) -> Option<Failure> {
    let io = std::error::Error::source(err)
        .is_some_and(|s| s.downcast_ref::<std::io::Error>().is_some());
    if err.is_closed() || io {
        return Some(Failure::Lost);
    }
    let code = err.code()?;
    let failure = if [
        SqlState::ADMIN_SHUTDOWN,
        SqlState::CRASH_SHUTDOWN,
        SqlState::CANNOT_CONNECT_NOW,
    ]
    .contains(code)
    {
        Failure::Lost
    } else if *code == SqlState::LOCK_NOT_AVAILABLE {
        Failure::Busy
    } else if [
        SqlState::T_R_SERIALIZATION_FAILURE,
        SqlState::T_R_DEADLOCK_DETECTED,
    ]
    .contains(code)
    {
        Failure::Conflict
    } else if *code == SqlState::UNIQUE_VIOLATION {
        Failure::Unique
    } else {
        return None;
    };
    Some(failure)
}

/// What the server said, when it said something (a wrong password, an unknown
/// database): its own message, not tokio-postgres's "db error".
pub fn server_reason(err: &anyhow::Error) -> String {
    let said = err
        .chain()
        .find_map(|cause| cause.downcast_ref::<tokio_postgres::Error>()?.as_db_error());
    match said {
        Some(db) => db.message().to_string(),
        // tokio-postgres's words when the server asks for a password and none was
        // found: say where konekte looks for it.
        None if format!("{err:#}").contains("password missing") => {
            crate::tr!(pg_no_password)
        }
        None => format!("{err:#}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite(code: i32) -> anyhow::Error {
        rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None).into()
    }

    #[test]
    fn sqlite_codes_are_named_under_context() {
        let busy = sqlite(rusqlite::ffi::SQLITE_BUSY).context("writing a heartbeat");
        assert_eq!(failure_of(&busy), Some(Failure::Busy));
        assert_eq!(
            failure_of(&sqlite(rusqlite::ffi::SQLITE_CORRUPT)),
            Some(Failure::Corrupt)
        );
        assert_eq!(
            failure_of(&sqlite(rusqlite::ffi::SQLITE_NOTADB)),
            Some(Failure::Corrupt)
        );
        let unique = sqlite(rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE);
        assert_eq!(failure_of(&unique), Some(Failure::Unique));
        assert_eq!(
            failure_of(&sqlite(rusqlite::ffi::SQLITE_CONSTRAINT_CHECK)),
            None
        );
        assert_eq!(failure_of(&sqlite(rusqlite::ffi::SQLITE_FULL)), None);
    }

    #[test]
    fn a_connection_gone_silent_is_lost() {
        let err = anyhow::Error::from(Lost::Silent(std::time::Duration::from_secs(8)))
            .context("a heartbeat");
        assert_eq!(failure_of(&err), Some(Failure::Lost));
        assert_eq!(failure_of(&anyhow::anyhow!("anything else")), None);
    }
}
