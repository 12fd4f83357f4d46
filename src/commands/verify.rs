//! `console verify`: the journal walked link by link and replayed against the tables.
//! Exit 0 with one line that says what was checked; exit 1 with each finding on its own
//! line, naming its table's row; exit 74 for a database that cannot be read.

use std::io::Write;

use anyhow::Result;

use crate::clock::Zone;
use crate::db::{Db, Target};
use crate::error::Error;
use crate::i18n::{Texts, fill, texts};
use crate::journal::replay::{Finding, Link, Shown, Verdict};

pub fn run(target: &Target, out: &mut dyn Write) -> Result<()> {
    let db = Db::open_existing(target)?;
    db.check_integrity(&[])?;
    let verdict = db.verify()?;
    let t = texts();
    for finding in &verdict.findings {
        writeln!(out, "{}", said(finding, t))?;
    }
    if !verdict.findings.is_empty() {
        let count = verdict.findings.len();
        return Err(Error::Refused(crate::said!(verify_found, count = count)).into());
    }
    writeln!(out, "{}", summary(&verdict, t))?;
    Ok(())
}

/// The one line of an intact journal, and what it cannot prove.
fn summary(verdict: &Verdict, t: &Texts) -> String {
    let when =
        |at: Option<i64>| at.map_or_else(String::new, |at| t.lang.date_time(at, Zone::Local));
    let (head, hash) = verdict.head.clone().unwrap_or_default();
    let mut line = fill(
        t.verify_intact,
        &[
            ("entries", &verdict.entries),
            ("head", &head),
            ("hash", &hash.get(..12).unwrap_or(&hash)),
            ("from", &when(verdict.first_at)),
            ("to", &when(verdict.last_at)),
        ],
    );
    if let Some(genesis) = verdict
        .genesis
        .as_ref()
        .filter(|g| g.users + g.sessions + g.attempts > 0)
    {
        line.push_str("; ");
        line.push_str(&fill(
            t.verify_before,
            &[
                ("users", &genesis.users),
                ("sessions", &genesis.sessions),
                ("attempts", &genesis.attempts),
                ("unproved", &verdict.unproved),
            ],
        ));
    }
    if verdict.pruned > 0 {
        line.push_str("; ");
        line.push_str(&fill(t.verify_pruned, &[("count", &verdict.pruned)]));
    }
    line
}

/// One finding, in words.
fn said(finding: &Finding, t: &Texts) -> String {
    match finding {
        Finding::Link { entry, problem } => match problem {
            Link::Hash => fill(t.finding_hash, &[("id", entry)]),
            Link::Follows { expected_id } => fill(
                t.finding_follows,
                &[("id", entry), ("previous", &(expected_id - 1))],
            ),
            Link::Unreadable(error) => {
                fill(t.finding_unreadable, &[("id", entry), ("error", error)])
            }
        },
        Finding::Head { head, last } => fill(t.finding_head, &[("head", head), ("last", last)]),
        Finding::Differs {
            table,
            id,
            field,
            recorded,
            now,
        } => fill(
            t.finding_differs,
            &[
                ("row", &row(table, *id, t)),
                ("field", field),
                ("recorded", &shown(recorded, t)),
                ("now", &shown(now, t)),
            ],
        ),
        Finding::Unrecorded { table, id } => {
            fill(t.finding_unrecorded, &[("row", &row(table, *id, t))])
        }
        Finding::Missing { table, id } => fill(t.finding_missing, &[("row", &row(table, *id, t))]),
    }
}

/// "session 812": a row named by what it is.
fn row(table: &str, id: i64, t: &Texts) -> String {
    let template = match table {
        "users" => t.row_account,
        "sessions" => t.row_session,
        _ => t.row_attempt,
    };
    fill(template, &[("id", &id)])
}

fn shown(value: &Shown, t: &Texts) -> String {
    match value {
        Shown::Time(at) => t.lang.date_time_seconds(*at, Zone::Local),
        Shown::Text(text) => crate::printable::escaped(text).into_owned(),
        Shown::Nothing => t.nothing.to_string(),
    }
}
