//! `console verify [--witness FILE]`: the journal walked link by link and replayed
//! against the tables, and each checkpoint of the witness found in it. Exit 0 with one
//! line that says what was checked; exit 1 with each finding on its own line, naming its
//! table's row; exit 74 for a database that cannot be read.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

use crate::clock::Zone;
use crate::db::{Db, Target};
use crate::error::Error;
use crate::i18n::{Texts, fill, texts};
use crate::journal::replay::{Finding, Link, Shown, Verdict, Witnessed};
use crate::journal::witness::{Checkpoint, checkpoints_in};

pub fn run(target: &Target, witness: Option<&Path>, out: &mut dyn Write) -> Result<()> {
    let checkpoints = witness.map(read_witness).transpose()?.unwrap_or_default();
    // No quick_check first: verify reads every page it judges, and a damaged one is
    // exit 74 as it is read.
    let db = Db::open_existing(target)?;
    let verdict = db.verify(checkpoints)?;
    let t = texts();
    for finding in &verdict.findings {
        writeln!(out, "{}", said(finding, t))?;
    }
    if !verdict.findings.is_empty() {
        let count = verdict.findings.len();
        return Err(Error::Refused(crate::said!(verify_found, count = count)).into());
    }
    let mut line = summary(&verdict, t);
    if let Some(file) = witness {
        line.push_str("; ");
        line.push_str(&fill(
            t.verify_witnessed,
            &[("count", &verdict.witnessed), ("file", &file.display())],
        ));
        if verdict.before_retained > 0 {
            line.push_str(", ");
            line.push_str(&fill(
                t.verify_before_retained,
                &[("count", &verdict.before_retained)],
            ));
        }
    }
    writeln!(out, "{line}")?;
    Ok(())
}

/// The checkpoints of the witness file: missing or unreadable is exit 66, a file with
/// none is exit 65 (a mistake worth saying: it would prove nothing).
fn read_witness(file: &Path) -> Result<Vec<(usize, Checkpoint)>> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        Error::NoInput(crate::said!(
            cannot_read_file,
            file = file.display(),
            error = e
        ))
    })?;
    let checkpoints = checkpoints_in(&text);
    if checkpoints.is_empty() {
        return Err(Error::bad_input(crate::tr!(no_checkpoints, file = file.display())).into());
    }
    Ok(checkpoints)
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
    if let Some(through) = verdict.retained_after {
        line.push_str("; ");
        line.push_str(&fill(t.verify_retained, &[("entry", &through)]));
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
        Finding::Witness {
            line,
            checkpoint,
            problem,
        } => {
            let at = t.lang.date_time(checkpoint.at, Zone::Local);
            let fields: [(&str, &dyn std::fmt::Display); 3] =
                [("line", line), ("entry", &checkpoint.entry), ("at", &at)];
            match problem {
                Witnessed::Rewritten => fill(t.finding_witness_rewritten, &fields),
                Witnessed::Beyond { last } => {
                    let mut fields = fields.to_vec();
                    fields.push(("last", last));
                    fill(t.finding_witness_beyond, &fields)
                }
            }
        }
    }
}

/// "session 812": a row named by what it is.
fn row(table: &str, id: i64, t: &Texts) -> String {
    let template = match table {
        "users" => t.row_account,
        "sessions" => t.row_session,
        "schedules" => t.row_schedule,
        "holidays" => t.row_holiday,
        "leaves" => t.row_leave,
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
