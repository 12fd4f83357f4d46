//! The journal: every fact konekte writes (an account created or changed, a session
//! opened, ended or reopened, a login attempt), in order, each entry chained to the one
//! before it by a SHA-256 hash, so that an outsider can check the record without
//! konekte (README, "The journal"). This room knows the facts and their encoding; the
//! rows live in `db/tables/journal.rs`, and `replay.rs` checks the tables against them.
//!
//! An entry is hashed over its stored text, so that any program can recompute it:
//! `sha256(prev_hash "\n" id "\n" at "\n" kind "\n" subject "\n" body)`, UTF-8, with
//! the numbers in decimal, an absent subject as nothing, and the hash in lowercase hex.
//! The body is JSON with its keys sorted and no spaces (as Python's
//! `json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`).

pub mod audit;
pub mod events;
pub mod replay;
pub mod witness;

use serde::{Deserialize, Serialize};
use std::fmt::Write;

use sha2::{Digest, Sha256};

use crate::model::Millis;

/// The hash the first entry follows.
pub const START: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A fact, as the journal keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    /// The first entry: what the database held when its journal began.
    Genesis(Genesis),
    AccountCreated(Account),
    AccountChanged(AccountChange),
    SessionOpened(Opened),
    SessionEnded(Ended),
    /// A heartbeat proved alive a session taken for lost.
    SessionReopened,
    Attempt(Attempt),
    /// Sessions that ended before `before`, and attempts made before it, deleted.
    Pruned(Pruned),
    /// An admin moved a session's end (a person who forgot to log out).
    SessionCorrected(Corrected),
    /// An admin added a session the terminals never saw (the paper register).
    SessionAdded(Added),
    /// An admin voided a session recorded in error: it stays, out of the reports.
    SessionVoided(Voided),
    /// What the entries removed by a prune said of an account, carried forward.
    AccountCarried(CarriedAccount),
    /// What the entries removed by a prune said of a session still kept.
    SessionCarried(CarriedSession),
    /// The entries up to `through` were removed by a prune; the chain goes on from the
    /// hash of that last one.
    Anchor(Anchor),
    /// PostgreSQL's roles set by `console roles`: who connects as a terminal, who as an
    /// admin.
    RolesGranted(RolesGranted),
    /// The whole record copied here from another database (`console copy`), its chain
    /// with it: this entry follows the copied head.
    Copied(Copied),
    /// The history of an earlier system brought in (`console import`): its sessions and
    /// accounts are journaled each as they were written, this entry after them.
    Imported(Imported),
    /// A session of the earlier history, brought in whole by an import.
    SessionImported(ImportedSession),
    /// A role's or a person's week of expected hours, as it stands after a change.
    ScheduleSet(ScheduleSet),
    ScheduleCleared(Removed),
    HolidayAdded(Holiday),
    HolidayRemoved(Removed),
    LeaveAdded(Leave),
    LeaveRemoved(Removed),
    /// A month closed: its record signed, nothing that would change it written.
    MonthClosed(Month),
    MonthReopened(Month),
}

/// The state a database was in when its journal began: "history before the journal",
/// which the journal cannot prove, only count and commit to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Genesis {
    pub users: i64,
    pub sessions: i64,
    pub attempts: i64,
    /// The highest id of each table then: rows up to it are from before the journal.
    pub last_user: i64,
    pub last_session: i64,
    pub last_attempt: i64,
    /// SHA-256 of those rows as they stood (`Db::state_digest`).
    pub digest: String,
}

/// Who did an admin's action, and where: the system account that ran the shell
/// command (the one that called sudo, when it did), or the admin of the monitor; the
/// host and the terminal. Absent from what terminals do on their own (a login, a
/// logout, a heartbeat).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Actor {
    pub account: String,
    /// The konekte admin logged into the monitor that did it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin: Option<String>,
    pub host: String,
    pub tty: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub username: String,
    pub full_name: String,
    pub role: String,
    pub disabled: bool,
    pub must_change_password: bool,
    /// `fingerprint` of the password's hash: a change shows, the hash never does.
    pub password: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Actor>,
}

/// What changed of an account; what did not is absent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AccountChange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub must_change_password: Option<bool>,
    /// Its lockout lifted by an admin.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unlocked: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Actor>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opened {
    /// `None` for a name the system logged in that konekte has no account of.
    pub user_id: Option<i64>,
    pub login_time: Millis,
    pub host: String,
    pub tty: Option<String>,
    pub remote_ip: Option<String>,
    pub terminal: Option<String>,
    /// A login of the system (PAM): its service and the name the system gave.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ended {
    pub logout_time: Millis,
    pub reason: String,
    /// The admin's account that ended it, or the system account of a shell command.
    pub ended_by: Option<i64>,
    pub ended_by_account: Option<String>,
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Actor>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    pub user_id: Option<i64>,
    pub typed: String,
    pub at: Millis,
    pub outcome: String,
    pub host: Option<String>,
    pub tty: Option<String>,
    pub remote_ip: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pruned {
    pub before: Millis,
    pub sessions: i64,
    pub attempts: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Actor>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolesGranted {
    pub terminal: String,
    pub admin: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Actor>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleSet {
    pub role: Option<String>,
    pub user_id: Option<i64>,
    /// From this date on (YYYY-MM-DD; empty: from the beginning).
    pub from: String,
    pub week: crate::schedule::Week,
    /// Carried past a prune: what the removed entries said, older than every kept one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub carried: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Actor>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    pub day: String,
    pub name: String,
    /// Carried past a prune: what the removed entries said, older than every kept one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub carried: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Actor>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leave {
    pub user_id: i64,
    pub from: String,
    pub to: String,
    pub reason: String,
    /// Carried past a prune: what the removed entries said, older than every kept one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub carried: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Actor>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Month {
    /// YYYY-MM.
    pub month: String,
    pub note: Option<String>,
    /// Carried past a prune: what the removed entries said, older than every kept one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub carried: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Actor>,
}

/// A row removed (a schedule cleared, a holiday or a leave taken back): its subject
/// says which.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removed {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Actor>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Copied {
    /// The database copied, as messages name it (never with a password).
    pub from: String,
    pub users: i64,
    pub sessions: i64,
    pub attempts: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Actor>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Imported {
    /// wtmp or django.
    pub source: String,
    /// The file, as it was named.
    pub file: String,
    pub sessions: i64,
    pub accounts: i64,
    /// Records there already (imported before, or recorded by `console pam`).
    pub known: i64,
    /// Records left out as bad (--skip-bad).
    pub bad: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Actor>,
}

/// A session of an earlier system as it was recorded there, ended. Its `service` is the
/// import's source (wtmp, django), `login_name` the name it was recorded under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedSession {
    pub user_id: Option<i64>,
    pub login_time: Millis,
    pub logout_time: Millis,
    pub reason: String,
    pub host: String,
    pub tty: Option<String>,
    pub remote_ip: Option<String>,
    pub terminal: Option<String>,
    pub service: String,
    pub login_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Corrected {
    pub logout_time: Millis,
    pub note: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Actor>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Added {
    pub user_id: i64,
    pub login_time: Millis,
    pub logout_time: Millis,
    pub note: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Actor>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Voided {
    pub note: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Actor>,
}

/// An account as the removed entries left it: each field as last recorded (absent
/// when no entry said it: an account from before the journal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CarriedAccount {
    pub username: Option<String>,
    pub full_name: Option<String>,
    pub role: Option<String>,
    pub disabled: Option<bool>,
    pub password: Option<String>,
}

/// How a session was opened, as carried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opening {
    pub user_id: Option<i64>,
    pub login_time: Millis,
    pub host: String,
    /// A login of the system (PAM): its service and the name the system gave.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_name: Option<String>,
}

/// A session as the removed entries left it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CarriedSession {
    /// How it was opened (absent: before the journal).
    pub opened: Option<Opening>,
    /// Whether its end is known, and then what it was (`None`: open).
    pub end_known: bool,
    pub end: Option<Ended>,
    /// Its end as an admin moved it, and the correction with its note.
    pub corrected_end: Option<Millis>,
    pub correction: Option<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    /// The last entry removed, and its hash: the chain's first kept entry follows it.
    pub through: i64,
    pub hash: String,
    /// How many entries were removed, and the prune's time.
    pub removed: i64,
    pub before: Millis,
    /// The genesis of a database from before the journal, carried: what it counted.
    pub before_journal: Option<Genesis>,
}

/// The name each kind of fact is stored under.
pub mod kind {
    pub const GENESIS: &str = "genesis";
    pub const ACCOUNT_CREATED: &str = "account.created";
    pub const ACCOUNT_CHANGED: &str = "account.changed";
    pub const SESSION_OPENED: &str = "session.opened";
    pub const SESSION_ENDED: &str = "session.ended";
    pub const SESSION_REOPENED: &str = "session.reopened";
    pub const ATTEMPT: &str = "attempt";
    pub const PRUNED: &str = "pruned";
    pub const SESSION_CORRECTED: &str = "session.corrected";
    pub const SESSION_ADDED: &str = "session.added";
    pub const SESSION_VOIDED: &str = "session.voided";
    pub const ACCOUNT_CARRIED: &str = "account.carried";
    pub const SESSION_CARRIED: &str = "session.carried";
    pub const ANCHOR: &str = "anchor";
    pub const ROLES_GRANTED: &str = "roles.granted";
    pub const COPIED: &str = "copied";
    pub const IMPORTED: &str = "imported";
    pub const SESSION_IMPORTED: &str = "session.imported";
    pub const SCHEDULE_SET: &str = "schedule.set";
    pub const SCHEDULE_CLEARED: &str = "schedule.cleared";
    pub const HOLIDAY_ADDED: &str = "holiday.added";
    pub const HOLIDAY_REMOVED: &str = "holiday.removed";
    pub const LEAVE_ADDED: &str = "leave.added";
    pub const LEAVE_REMOVED: &str = "leave.removed";
    pub const MONTH_CLOSED: &str = "month.closed";
    pub const MONTH_REOPENED: &str = "month.reopened";
}

impl Fact {
    pub fn kind(&self) -> &'static str {
        match self {
            Fact::Genesis(_) => kind::GENESIS,
            Fact::AccountCreated(_) => kind::ACCOUNT_CREATED,
            Fact::AccountChanged(_) => kind::ACCOUNT_CHANGED,
            Fact::SessionOpened(_) => kind::SESSION_OPENED,
            Fact::SessionEnded(_) => kind::SESSION_ENDED,
            Fact::SessionReopened => kind::SESSION_REOPENED,
            Fact::Attempt(_) => kind::ATTEMPT,
            Fact::Pruned(_) => kind::PRUNED,
            Fact::SessionCorrected(_) => kind::SESSION_CORRECTED,
            Fact::SessionAdded(_) => kind::SESSION_ADDED,
            Fact::SessionVoided(_) => kind::SESSION_VOIDED,
            Fact::AccountCarried(_) => kind::ACCOUNT_CARRIED,
            Fact::SessionCarried(_) => kind::SESSION_CARRIED,
            Fact::Anchor(_) => kind::ANCHOR,
            Fact::RolesGranted(_) => kind::ROLES_GRANTED,
            Fact::Copied(_) => kind::COPIED,
            Fact::Imported(_) => kind::IMPORTED,
            Fact::SessionImported(_) => kind::SESSION_IMPORTED,
            Fact::ScheduleSet(_) => kind::SCHEDULE_SET,
            Fact::ScheduleCleared(_) => kind::SCHEDULE_CLEARED,
            Fact::HolidayAdded(_) => kind::HOLIDAY_ADDED,
            Fact::HolidayRemoved(_) => kind::HOLIDAY_REMOVED,
            Fact::LeaveAdded(_) => kind::LEAVE_ADDED,
            Fact::LeaveRemoved(_) => kind::LEAVE_REMOVED,
            Fact::MonthClosed(_) => kind::MONTH_CLOSED,
            Fact::MonthReopened(_) => kind::MONTH_REOPENED,
        }
    }

    /// The body, canonical: keys sorted, no spaces.
    pub fn body(&self) -> String {
        let value = match self {
            Fact::Genesis(body) => serde_json::to_value(body),
            Fact::AccountCreated(body) => serde_json::to_value(body),
            Fact::AccountChanged(body) => serde_json::to_value(body),
            Fact::SessionOpened(body) => serde_json::to_value(body),
            Fact::SessionEnded(body) => serde_json::to_value(body),
            Fact::SessionReopened => Ok(serde_json::Value::Object(serde_json::Map::new())),
            Fact::Attempt(body) => serde_json::to_value(body),
            Fact::Pruned(body) => serde_json::to_value(body),
            Fact::SessionCorrected(body) => serde_json::to_value(body),
            Fact::SessionAdded(body) => serde_json::to_value(body),
            Fact::SessionVoided(body) => serde_json::to_value(body),
            Fact::AccountCarried(body) => serde_json::to_value(body),
            Fact::SessionCarried(body) => serde_json::to_value(body),
            Fact::Anchor(body) => serde_json::to_value(body),
            Fact::RolesGranted(body) => serde_json::to_value(body),
            Fact::Copied(body) => serde_json::to_value(body),
            Fact::Imported(body) => serde_json::to_value(body),
            Fact::SessionImported(body) => serde_json::to_value(body),
            Fact::ScheduleSet(body) => serde_json::to_value(body),
            Fact::HolidayAdded(body) => serde_json::to_value(body),
            Fact::LeaveAdded(body) => serde_json::to_value(body),
            Fact::MonthClosed(body) | Fact::MonthReopened(body) => serde_json::to_value(body),
            Fact::ScheduleCleared(body) | Fact::HolidayRemoved(body) | Fact::LeaveRemoved(body) => {
                serde_json::to_value(body)
            }
        };
        // serde_json's map is ordered by key (no "preserve_order"), so its text is
        // canonical; these plain structs always serialise.
        value.map(|value| value.to_string()).unwrap_or_default()
    }

    /// The fact of an entry read back; an unknown kind or a body that does not parse is
    /// an error (the entry was not written by konekte).
    pub fn parse(kind: &str, body: &str) -> serde_json::Result<Fact> {
        Ok(match kind {
            kind::GENESIS => Fact::Genesis(serde_json::from_str(body)?),
            kind::ACCOUNT_CREATED => Fact::AccountCreated(serde_json::from_str(body)?),
            kind::ACCOUNT_CHANGED => Fact::AccountChanged(serde_json::from_str(body)?),
            kind::SESSION_OPENED => Fact::SessionOpened(serde_json::from_str(body)?),
            kind::SESSION_ENDED => Fact::SessionEnded(serde_json::from_str(body)?),
            kind::SESSION_REOPENED => Fact::SessionReopened,
            kind::ATTEMPT => Fact::Attempt(serde_json::from_str(body)?),
            kind::PRUNED => Fact::Pruned(serde_json::from_str(body)?),
            kind::SESSION_CORRECTED => Fact::SessionCorrected(serde_json::from_str(body)?),
            kind::SESSION_ADDED => Fact::SessionAdded(serde_json::from_str(body)?),
            kind::SESSION_VOIDED => Fact::SessionVoided(serde_json::from_str(body)?),
            kind::ACCOUNT_CARRIED => Fact::AccountCarried(serde_json::from_str(body)?),
            kind::SESSION_CARRIED => Fact::SessionCarried(serde_json::from_str(body)?),
            kind::ANCHOR => Fact::Anchor(serde_json::from_str(body)?),
            kind::ROLES_GRANTED => Fact::RolesGranted(serde_json::from_str(body)?),
            kind::COPIED => Fact::Copied(serde_json::from_str(body)?),
            kind::IMPORTED => Fact::Imported(serde_json::from_str(body)?),
            kind::SESSION_IMPORTED => Fact::SessionImported(serde_json::from_str(body)?),
            kind::SCHEDULE_SET => Fact::ScheduleSet(serde_json::from_str(body)?),
            kind::SCHEDULE_CLEARED => Fact::ScheduleCleared(serde_json::from_str(body)?),
            kind::HOLIDAY_ADDED => Fact::HolidayAdded(serde_json::from_str(body)?),
            kind::HOLIDAY_REMOVED => Fact::HolidayRemoved(serde_json::from_str(body)?),
            kind::LEAVE_ADDED => Fact::LeaveAdded(serde_json::from_str(body)?),
            kind::LEAVE_REMOVED => Fact::LeaveRemoved(serde_json::from_str(body)?),
            kind::MONTH_CLOSED => Fact::MonthClosed(serde_json::from_str(body)?),
            kind::MONTH_REOPENED => Fact::MonthReopened(serde_json::from_str(body)?),
            other => {
                return Err(serde::de::Error::custom(format!("unknown kind {other:?}")));
            }
        })
    }
}

/// One entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: i64,
    pub at: Millis,
    pub kind: String,
    pub subject: Option<i64>,
    pub body: String,
    pub prev_hash: String,
    pub hash: String,
}

impl Entry {
    /// Whether its hash is the hash of its fields (without a text made for it: verify
    /// asks millions of times).
    pub fn hash_matches(&self) -> bool {
        let digest = digest_of(
            &self.prev_hash,
            self.id,
            self.at,
            &self.kind,
            self.subject,
            &self.body,
        );
        let mut hex = [0u8; 64];
        hex::encode_to_slice(digest, &mut hex).is_ok() && hex == *self.hash.as_bytes()
    }
}

/// The hash of an entry: SHA-256 of its fields, one a line, after the hash before it.
pub fn hash_of(
    prev: &str,
    id: i64,
    at: Millis,
    kind: &str,
    subject: Option<i64>,
    body: &str,
) -> String {
    hex::encode(digest_of(prev, id, at, kind, subject, body))
}

fn digest_of(
    prev: &str,
    id: i64,
    at: Millis,
    kind: &str,
    subject: Option<i64>,
    body: &str,
) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(prev.as_bytes());
    // The numbers written in decimal straight into the hash: no text made for them.
    let _ = write!(HashWriter(&mut hasher), "\n{id}\n{at}\n{kind}\n");
    if let Some(subject) = subject {
        let _ = write!(HashWriter(&mut hasher), "{subject}");
    }
    hasher.update(b"\n");
    hasher.update(body.as_bytes());
    hasher.finalize().into()
}

/// Formatted text fed to a hash as it is written.
struct HashWriter<'a>(&'a mut Sha256);

impl std::fmt::Write for HashWriter<'_> {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        self.0.update(text.as_bytes());
        Ok(())
    }
}

/// A password hash's fingerprint: SHA-256 of its PHC string, in hex. It tells one
/// password from another; it cannot be used to log in, nor guessed from faster than the
/// argon2 hash it comes from.
pub fn fingerprint(password_hash: &str) -> String {
    hex::encode(Sha256::digest(password_hash.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_is_canonical_json() {
        let fact = Fact::SessionOpened(Opened {
            user_id: Some(7),
            login_time: 1_000,
            host: "accueil".into(),
            tty: Some("/dev/tty1".into()),
            remote_ip: None,
            terminal: Some("Écran \"1\"\n".into()),
            service: None,
            login_name: None,
        });
        assert_eq!(
            fact.body(),
            r#"{"host":"accueil","login_time":1000,"remote_ip":null,"terminal":"Écran \"1\"\n","tty":"/dev/tty1","user_id":7}"#
        );
        assert_eq!(Fact::parse(fact.kind(), &fact.body()).unwrap(), fact);
        assert_eq!(Fact::SessionReopened.body(), "{}");
    }

    #[test]
    fn only_what_changed_of_an_account_is_said() {
        let change = Fact::AccountChanged(AccountChange {
            role: Some("admin".into()),
            ..AccountChange::default()
        });
        assert_eq!(change.body(), r#"{"role":"admin"}"#);
        let unlocked = Fact::AccountChanged(AccountChange {
            unlocked: true,
            ..AccountChange::default()
        });
        assert_eq!(unlocked.body(), r#"{"unlocked":true}"#);
        assert_eq!(
            Fact::parse(unlocked.kind(), &unlocked.body()).unwrap(),
            unlocked
        );
    }

    #[test]
    fn the_hash_covers_every_field_and_the_one_before() {
        let base = hash_of(START, 1, 5, "genesis", None, "{}");
        // sha256("0…0\n1\n5\ngenesis\n\n{}"), computed by coreutils' sha256sum.
        assert_eq!(
            base,
            "010b62a43bed723b04e7e104de13354c54ed9f942a89a86907c15e9604d1550f"
        );
        assert_ne!(hash_of(START, 2, 5, "genesis", None, "{}"), base);
        assert_ne!(hash_of(START, 1, 6, "genesis", None, "{}"), base);
        assert_ne!(hash_of(START, 1, 5, "attempt", None, "{}"), base);
        assert_ne!(hash_of(START, 1, 5, "genesis", Some(0), "{}"), base);
        assert_ne!(hash_of(START, 1, 5, "genesis", None, "{ }"), base);
        assert_ne!(hash_of(&base, 1, 5, "genesis", None, "{}"), base);
    }

    #[test]
    fn an_unknown_kind_is_not_konektes() {
        assert!(Fact::parse("session.deleted", "{}").is_err());
        assert!(Fact::parse(kind::SESSION_ENDED, "{}").is_err());
    }
}
