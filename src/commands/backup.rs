//! `console backup --to FILE [--force]`: a consistent copy of the office's SQLite file,
//! taken while its terminals run.

use std::path::Path;

use anyhow::Result;

use crate::db::{Db, Target};
use crate::error::Error;

pub fn run(from: &Target, to: &Path, force: bool) -> Result<()> {
    if let Target::Postgres(_) = from {
        return Err(Error::Usage(crate::said!(backup_postgres)).into());
    }
    if !force && to.exists() {
        return Err(Error::Refused(crate::said!(backup_exists, path = to.display())).into());
    }
    let db = Db::open_existing(from)?;
    let pages = db.backup_to(to)?;
    eprintln!(
        "{}",
        crate::tr!(backed_up, path = to.display(), pages = pages)
    );
    Ok(())
}
