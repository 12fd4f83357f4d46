//! `console checkpoint (--witness FILE | --syslog)`: the journal's head written where the
//! terminals cannot, for `verify --witness` to hold the database to later.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

use crate::db::{Db, Target};
use crate::error::Error;
use crate::journal::witness::{Checkpoint, to_system_log};

pub fn run(
    target: &Target,
    witness: Option<&Path>,
    syslog: bool,
    out: &mut dyn Write,
) -> Result<()> {
    let db = Db::open_existing(target)?;
    let (entry, hash) = db.journal_head()?;
    let checkpoint = Checkpoint {
        at: db.now(),
        entry,
        hash,
    };
    if let Some(file) = witness {
        checkpoint.append_to(file).map_err(|e| {
            Error::Refused(crate::said!(
                cannot_write_file,
                file = file.display(),
                error = e
            ))
        })?;
    }
    if syslog {
        to_system_log(&checkpoint)?;
    }
    writeln!(out, "{}", checkpoint.line())?;
    Ok(())
}
