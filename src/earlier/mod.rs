//! The history an office had before konekte, read into accounts and ended sessions:
//! the PC's own wtmp file (`wtmp.rs`) and the Django system's `dumpdata` (`django.rs`).
//! Pure: `Db::import_earlier` writes what they read.

pub mod django;
pub mod wtmp;

use crate::model::{EndReason, Millis, Role};

/// Where an import came from: also the `service` its sessions are kept under, so that
/// `last` shows them `via wtmp` or `via django`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Wtmp,
    Django,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Wtmp => "wtmp",
            Source::Django => "django",
        }
    }
}

/// What a file holds, read.
#[derive(Debug, Default)]
pub struct Earlier {
    pub accounts: Vec<EarlierAccount>,
    pub sessions: Vec<EarlierSession>,
    /// Logins with no end yet: left for a later import, once they have one.
    pub still_open: usize,
    /// The records that cannot be taken, in the order of the file.
    pub problems: Vec<Problem>,
}

/// A session as the earlier system recorded it, ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlierSession {
    /// Its record's place in the file, for messages.
    pub position: String,
    /// The same for the same session whichever import brings it: what makes an import
    /// of the same file add nothing.
    pub key: String,
    /// The name it was recorded under: an account's in any case, or kept as it is.
    pub name: String,
    pub login_time: Millis,
    pub logout_time: Millis,
    pub reason: EndReason,
    pub host: String,
    pub tty: Option<String>,
    pub remote: Option<String>,
    pub terminal: Option<String>,
    pub pid: Option<i64>,
}

/// An account of the earlier system, without its password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlierAccount {
    pub position: String,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub disabled: bool,
    /// When it was made there: its first day of attendance here too.
    pub joined: Option<Millis>,
}

/// A record that cannot be taken, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub position: String,
    pub why: String,
}

impl Problem {
    pub fn at(position: String, why: String) -> Problem {
        Problem { position, why }
    }
}
