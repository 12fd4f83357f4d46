//! `console prune --before T [--dry-run]`: forget old history, in batches, never an open
//! session. Each user's last login and logout, and their totals, stay on the account.

use std::io::Write;

use anyhow::Result;

use crate::db::Target;

use super::{open_swept, time_arg};
use crate::clock;

/// Rows deleted per transaction: terminals logging in meanwhile wait at most one batch.
const BATCH: usize = 5_000;

pub fn run(before: &str, dry_run: bool, target: &Target, out: &mut dyn Write) -> Result<()> {
    let (db, now) = open_swept(target)?;
    let Some(before) = time_arg("--before", Some(before), now)? else {
        return Ok(());
    };
    // Said to a person: in local time, as the tables are.
    let time = crate::i18n::texts()
        .lang
        .date_time(before, clock::Zone::Local);
    if !dry_run {
        db.check_integrity(&[])?;
    }
    let said = if dry_run {
        let (sessions, attempts) = db.count_prunable(before)?;
        crate::tr!(
            would_prune,
            sessions = sessions,
            attempts = attempts,
            time = time
        )
    } else {
        let (sessions, attempts) = db.prune_before(before, BATCH)?;
        crate::tr!(
            pruned,
            sessions = sessions,
            attempts = attempts,
            time = time
        )
    };
    writeln!(out, "{said}")?;
    Ok(())
}
