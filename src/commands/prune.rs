//! `console prune --before T`: forget old history, in batches, never an open session.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

use super::{open_swept, time_arg};
use crate::clock::{self, now_ms};

/// Rows deleted per transaction: terminals logging in meanwhile wait at most one batch.
const BATCH: usize = 5_000;

pub fn run(before: &str, db_path: &Path, out: &mut dyn Write) -> Result<()> {
    let now = now_ms();
    let Some(before) = time_arg("--before", Some(before), now)? else {
        return Ok(());
    };
    let (sessions, attempts) = open_swept(db_path, now)?.prune_before(before, BATCH)?;
    let time = clock::rfc3339(before);
    writeln!(
        out,
        "{}",
        crate::tr!(
            pruned,
            sessions = sessions,
            attempts = attempts,
            time = time
        )
    )?;
    Ok(())
}
