//! `console failures [USER]`: failed login attempts, as `lastb` shows them, and a count
//! per name typed, with the accounts locked now flagged.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::{Columns, time_arg, write_rows};
use crate::cli::{FailuresArgs, Format};
use crate::clock;
use crate::db::{Db, Target};
use crate::model::{Attempt, FailureCount, Millis, Outcome};

pub fn run(args: &FailuresArgs, target: &Target, out: &mut dyn Write) -> Result<()> {
    let db = Db::open_existing(target)?;
    let now = db.now();
    let since = time_arg("--since", args.since.as_deref(), now)?;
    let typed = args.user.as_deref();
    let attempts: Vec<FailedAttempt> = db
        .failed_attempts(typed, since, args.limit)?
        .iter()
        .map(FailedAttempt::from)
        .collect();
    let counts: Vec<NameCount> = db
        .failure_counts(typed, since, now)?
        .iter()
        .map(NameCount::from)
        .collect();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(
                &mut *out,
                &Failures {
                    attempts: &attempts,
                    by_name: &counts,
                },
            )?;
            writeln!(out)?;
            Ok(())
        }
        Format::Csv => write_rows(out, Format::Csv, &ATTEMPT_COLUMNS, &attempts, |_| {
            Vec::new()
        }),
        Format::Table => {
            write_rows(
                out,
                Format::Table,
                &ATTEMPT_COLUMNS,
                &attempts,
                FailedAttempt::cells,
            )?;
            write_rows(
                out,
                Format::Table,
                &COUNT_COLUMNS,
                &counts,
                NameCount::cells,
            )
        }
    }
}

#[derive(Serialize)]
struct Failures<'a> {
    attempts: &'a [FailedAttempt],
    by_name: &'a [NameCount],
}

const ATTEMPT_COLUMNS: Columns = Columns {
    table: |t| {
        vec![
            (t.col_time, 0),
            (t.col_name_typed, 0),
            (t.col_host, 1),
            (t.col_tty, 3),
            (t.col_ip, 2),
            (t.col_outcome, 0),
        ]
    },
    fields: &[
        "at",
        "username_typed",
        "known_user",
        "host",
        "tty",
        "remote_ip",
        "outcome",
    ],
};

const COUNT_COLUMNS: Columns = Columns {
    table: |t| {
        vec![
            (t.col_name_typed, 0),
            (t.col_failures, 0),
            (t.col_latest, 1),
            (t.col_locked, 0),
        ]
    },
    fields: &["name", "failures", "latest", "locked"],
};

#[derive(Serialize)]
struct FailedAttempt {
    #[serde(serialize_with = "clock::serialize_time")]
    at: Millis,
    username_typed: String,
    /// Whether the name was an account's.
    known_user: bool,
    host: Option<String>,
    tty: Option<String>,
    remote_ip: Option<String>,
    outcome: String,
}

impl From<&Attempt> for FailedAttempt {
    fn from(a: &Attempt) -> Self {
        FailedAttempt {
            at: a.at,
            username_typed: a.username_typed.clone(),
            known_user: a.user_id.is_some(),
            host: a.host.clone(),
            tty: a.tty.clone(),
            remote_ip: a.remote_ip.clone(),
            outcome: a.outcome.clone(),
        }
    }
}

impl FailedAttempt {
    fn cells(&self) -> Vec<String> {
        let outcome = Outcome::parse(&self.outcome)
            .map_or(self.outcome.as_str(), |o| crate::i18n::texts().outcome(o));
        vec![
            super::local_time(self.at),
            self.username_typed.clone(),
            self.host.clone().unwrap_or_default(),
            super::short_tty(self.tty.as_deref()),
            self.remote_ip.clone().unwrap_or_default(),
            outcome.to_string(),
        ]
    }
}

#[derive(Serialize)]
struct NameCount {
    name: String,
    failures: i64,
    #[serde(serialize_with = "clock::serialize_time")]
    latest: Millis,
    locked: bool,
}

impl From<&FailureCount> for NameCount {
    fn from(c: &FailureCount) -> Self {
        NameCount {
            name: c.name.clone(),
            failures: c.failures,
            latest: c.latest,
            locked: c.locked,
        }
    }
}

impl NameCount {
    fn cells(&self) -> Vec<String> {
        let locked = if self.locked {
            crate::i18n::texts().locked_flag
        } else {
            ""
        };
        vec![
            self.name.clone(),
            self.failures.to_string(),
            super::local_time(self.latest),
            locked.into(),
        ]
    }
}
