//! The failures a caller must tell apart, and the exit code of CLI.md for each.
//! Everything else travels as `anyhow::Error` with context.

use std::process::ExitCode;

use crate::db::backend::failure::{Failure, failure_of};
use crate::i18n::{Texts, Words};

/// Exit codes of the command-line contract (`../shared/CLI.md`), after sysexits.h.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    /// A runtime failure: refused, locked out, wrong password, database busy past its timeout.
    Failure = 1,
    Usage = 2,
    /// Bad input data: CSV rows, user names, roles.
    DataErr = 65,
    /// An input file missing or unreadable.
    NoInput = 66,
    /// The database unreadable, corrupt, or of a newer schema.
    IoErr = 74,
    /// A bad configuration file (EX_CONFIG).
    Config = 78,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input data that cannot be accepted; one message per line, each naming where.
    #[error("{}", .0.join("\n"))]
    BadInput(Vec<String>),
    #[error("{0}")]
    NoInput(Words),
    #[error("{0}")]
    Database(Words),
    /// The operation is understood but refused (last admin, locked account...).
    #[error("{0}")]
    Refused(Words),
    /// The command was called in a way that cannot work (e.g. prompts without a terminal).
    #[error("{0}")]
    Usage(Words),
    /// A configuration file that cannot be used: its file, line and key named.
    #[error("{0}")]
    Config(Words),
}

impl Error {
    pub fn bad_input(message: impl Into<String>) -> Self {
        Error::BadInput(vec![message.into()])
    }

    pub fn exit(&self) -> Exit {
        match self {
            Error::BadInput(_) => Exit::DataErr,
            Error::NoInput(_) => Exit::NoInput,
            Error::Database(_) => Exit::IoErr,
            Error::Refused(_) => Exit::Failure,
            Error::Usage(_) => Exit::Usage,
            Error::Config(_) => Exit::Config,
        }
    }
}

impl Error {
    /// The error in `texts`' language.
    pub fn in_lang(&self, texts: &Texts) -> String {
        match self {
            Error::BadInput(lines) => lines.join("\n"),
            Error::NoInput(words)
            | Error::Database(words)
            | Error::Refused(words)
            | Error::Usage(words)
            | Error::Config(words) => words.in_lang(texts),
        }
    }
}

/// `err` and its causes on one line, as `{err:#}` writes them, in `texts`' language:
/// konekte's own words are said to the person who reads them; what came from elsewhere
/// (a driver, the system) is as it was said.
pub fn said_in(err: &anyhow::Error, texts: &Texts) -> String {
    err.chain()
        .map(|cause| match cause.downcast_ref::<Error>() {
            Some(ours) => ours.in_lang(texts),
            None => cause.to_string(),
        })
        .collect::<Vec<_>>()
        .join(": ")
}

/// The exit code for any error that reached `main`: ours say it themselves; a file that
/// is not a database, or a damaged one, is exit 74 wherever it surfaces; anything else
/// is 1.
pub fn exit_code_of(err: &anyhow::Error) -> Exit {
    // anyhow's own downcast finds ours where it was added as context too.
    if let Some(ours) = err.downcast_ref::<Error>() {
        return ours.exit();
    }
    match failure_of(err) {
        Some(Failure::Corrupt) => Exit::IoErr,
        _ => Exit::Failure,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_added_as_context_gives_its_code() {
        let err = anyhow::anyhow!("database or disk is full")
            .context(Error::Database("the disk is full".into()));
        assert_eq!(exit_code_of(&err), Exit::IoErr);
    }

    #[test]
    fn our_errors_keep_their_code_under_context() {
        let err = anyhow::Error::from(Error::bad_input("x")).context("reading users.csv");
        assert_eq!(exit_code_of(&err), Exit::DataErr);
        let err = anyhow::Error::from(Error::Database("x".into())).context("opening");
        assert_eq!(exit_code_of(&err), Exit::IoErr);
    }

    #[test]
    fn an_error_is_said_in_the_language_of_whoever_reads_it() {
        let err = anyhow::Error::from(Error::Refused(crate::said!(db_busy, seconds = 5)));
        let english = format!("{err:#}");
        assert!(
            english.starts_with("another program held the database"),
            "{english}"
        );
        let french = said_in(&err, &crate::i18n::FR);
        assert_eq!(
            french,
            crate::i18n::fill(crate::i18n::FR.db_busy, &[("seconds", &5)])
        );
        assert_ne!(french, english);
        let plain = anyhow::Error::from(Error::Database("disk I/O error".into()))
            .context("reading the users");
        assert_eq!(
            said_in(&plain, &crate::i18n::HT),
            "reading the users: disk I/O error"
        );
    }

    #[test]
    fn corrupt_database_is_74_and_anything_else_is_1() {
        let corrupt = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
            None,
        );
        assert_eq!(exit_code_of(&anyhow::Error::from(corrupt)), Exit::IoErr);
        assert_eq!(exit_code_of(&anyhow::anyhow!("boom")), Exit::Failure);
    }
}
