//! What `console watch` tells: each journal entry a person or a script cares about as
//! an event (a login, a logout and how, a failed attempt, a lockout, a correction, an
//! admin's action), with the journal id it can resume after. Pure: names are looked up
//! by the caller.

use chrono::NaiveDate;
use serde::Serialize;

use super::Actor;
use super::audit::{Subject, action_of};
use super::{Entry, Fact};
use crate::exceptions::Kind;
use crate::model::{Millis, way_in};

/// One event, as the JSON of `watch` and of `--exec`'s stdin carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// The journal entry it comes from: `--after` this id resumes past it.
    pub id: i64,
    #[serde(serialize_with = "crate::clock::serialize_time")]
    pub at: Millis,
    /// login, logout, failure, lockout, correction, admin; late, absent, still_on
    pub event: &'static str,
    /// The account it is about, by id (the caller names it).
    #[serde(skip)]
    pub user_id: Option<i64>,
    pub user: Option<String>,
    pub session: Option<i64>,
    /// How a session ended, an attempt's outcome, an admin's action.
    pub what: Option<String>,
    pub detail: Option<String>,
    /// Who did an admin's action: the system account, or the monitor's admin.
    pub by: Option<String>,
    /// What to give `--after` to resume past this event, and past nothing else:
    /// `ID:MS`, the last journal entry and the last instant of an exception told.
    pub resume: String,
}

impl Event {
    fn of(entry: &Entry, event: &'static str) -> Event {
        Event {
            id: entry.id,
            at: entry.at,
            event,
            user_id: None,
            user: None,
            session: None,
            what: None,
            detail: None,
            by: None,
            resume: String::new(),
        }
    }

    /// An exception that became true at `at` as time passed (late, absent, still on):
    /// no entry says it, so it carries the id of the last entry before it.
    pub fn derived(at: Millis, kind: Kind, user: &str, day: NaiveDate) -> Event {
        Event {
            id: 0,
            at,
            event: kind.as_str(),
            user_id: None,
            user: Some(user.to_string()),
            session: None,
            what: None,
            detail: Some(format!("day={day}")),
            by: None,
            resume: String::new(),
        }
    }
}

/// The event of `entry`, if it is one: what a terminal records, and what an admin does.
/// Heartbeats are not journaled; a genesis, a prune's carried facts and its anchor are
/// not events.
pub fn event_of(entry: &Entry) -> Option<Event> {
    let fact = Fact::parse(&entry.kind, &entry.body).ok()?;
    let session = entry.subject;
    let event = match fact {
        Fact::SessionOpened(opened) => Event {
            user_id: opened.user_id,
            // A name with no account is known by the name the system gave.
            user: opened.login_name,
            session,
            // A login of the PC itself says its way in (ssh, desktop…).
            what: opened
                .service
                .map(|service| way_in(Some(&service)).to_string()),
            detail: Some(opened.host),
            ..Event::of(entry, "login")
        },
        Fact::SessionEnded(ended) if ended.by.is_none() => Event {
            session,
            what: Some(ended.reason),
            ..Event::of(entry, "logout")
        },
        Fact::Attempt(attempt) if attempt.outcome != "success" => {
            let event = if attempt.outcome == "locked" {
                "lockout"
            } else {
                "failure"
            };
            Event {
                user_id: attempt.user_id,
                user: Some(attempt.typed),
                what: Some(attempt.outcome),
                detail: attempt.host,
                ..Event::of(entry, event)
            }
        }
        Fact::SessionCorrected(_) | Fact::SessionAdded(_) | Fact::SessionVoided(_) => {
            let action = action_of(entry)?;
            Event {
                session,
                what: Some(action.detail),
                detail: action.note,
                by: Some(actor_name(&action.actor)),
                ..Event::of(entry, "correction")
            }
        }
        _ => {
            let action = action_of(entry)?;
            let (user_id, session) = match action.subject {
                Subject::Account(id) => (Some(id), None),
                Subject::Session(id) => (None, Some(id)),
                _ => (None, None),
            };
            Event {
                user_id,
                session,
                what: Some(action.action.into()),
                detail: Some(action.detail),
                by: Some(actor_name(&action.actor)),
                ..Event::of(entry, "admin")
            }
        }
    };
    Some(event)
}

/// `boss (root)`: the monitor's admin and the system account, or the account alone.
fn actor_name(actor: &Actor) -> String {
    match &actor.admin {
        Some(admin) => format!("{admin} ({})", actor.account),
        None => actor.account.clone(),
    }
}
