//! `console audit [--since T] [--until T]`: the admin actions of the journal, with who
//! did them, where, to what, and their note.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::{Columns, time_range, write_rows};
use crate::cli::AuditArgs;
use crate::clock;
use crate::db::{Db, Target};
use crate::journal::audit::{Action, Subject};
use crate::model::Millis;

pub fn run(args: &AuditArgs, target: &Target, out: &mut dyn Write) -> Result<()> {
    let db = Db::open_existing(target)?;
    let (since, until) = time_range(args.since.as_deref(), args.until.as_deref(), db.now())?;
    let actions = db.admin_actions(since, until)?;
    let lines = lines_of(&db, actions)?;
    write_rows(out, args.format, &COLUMNS, &lines, Line::cells)
}

/// The actions, their subjects named: an account by its name, a session by its id and
/// its owner's name (while the table still holds them).
fn lines_of(db: &Db, actions: Vec<Action>) -> Result<Vec<Line>> {
    let ids = |wanted: fn(Subject) -> Option<i64>| -> Vec<i64> {
        actions.iter().filter_map(|a| wanted(a.subject)).collect()
    };
    let accounts = db.names_of(&ids(|s| match s {
        Subject::Account(id) => Some(id),
        _ => None,
    }))?;
    let owners = db.owners_of(&ids(|s| match s {
        Subject::Session(id) => Some(id),
        _ => None,
    }))?;
    Ok(actions
        .into_iter()
        .map(|action| {
            let subject = match action.subject {
                Subject::Account(id) => accounts
                    .get(&id)
                    .map_or_else(|| format!("account {id}"), |(name, _)| name.clone()),
                Subject::Session(id) => match owners.get(&id) {
                    Some(owner) => format!("session {id} ({owner})"),
                    None => format!("session {id}"),
                },
                Subject::History => "history".into(),
                Subject::Roles => "roles".into(),
                Subject::Attendance => "attendance".into(),
            };
            Line {
                at: action.at,
                account: action.actor.account,
                admin: action.actor.admin,
                host: action.actor.host,
                tty: action.actor.tty,
                action: action.action,
                subject,
                detail: action.detail,
                note: action.note,
            }
        })
        .collect())
}

const COLUMNS: Columns = Columns {
    table: |t| {
        vec![
            (t.col_time, 0),
            (t.col_by, 0),
            (t.col_host, 2),
            (t.col_tty, 3),
            (t.col_action, 0),
            (t.col_subject, 0),
            (t.col_detail, 1),
            (t.col_note, 1),
        ]
    },
    fields: &[
        "at", "account", "admin", "host", "tty", "action", "subject", "detail", "note",
    ],
};

#[derive(Serialize)]
struct Line {
    #[serde(serialize_with = "clock::serialize_time")]
    at: Millis,
    /// The system account that ran the command (the one that called sudo).
    account: String,
    /// The admin logged into the monitor that did it.
    admin: Option<String>,
    host: String,
    tty: Option<String>,
    action: &'static str,
    subject: String,
    detail: String,
    note: Option<String>,
}

impl Line {
    fn cells(&self) -> Vec<String> {
        let lang = crate::i18n::texts().lang;
        let by = match &self.admin {
            Some(admin) => format!("{admin} ({})", self.account),
            None => self.account.clone(),
        };
        vec![
            lang.date_time(self.at, clock::Zone::Local),
            by,
            self.host.clone(),
            self.tty.clone().unwrap_or_default(),
            self.action.to_string(),
            self.subject.clone(),
            self.detail.clone(),
            self.note.clone().unwrap_or_default(),
        ]
    }
}
