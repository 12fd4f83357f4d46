//! `console close-month YYYY-MM [--note TEXT]` and `reopen-month YYYY-MM --note TEXT`.

use std::io::Write;

use super::{month_arg, open_as_admin};
use crate::db::Target;
use anyhow::Result;

/// Closes `month`, or (with `reopen`, its note) opens it again.
pub fn run(
    month: &str,
    note: Option<&str>,
    reopen: bool,
    target: &Target,
    out: &mut dyn Write,
) -> Result<()> {
    let first = month_arg(month)?;
    let db = open_as_admin(target)?;
    let name = &month.trim();
    let said = match (reopen, note) {
        (true, Some(note)) => {
            db.reopen_month(first, note)?;
            crate::tr!(month_reopened, month = name)
        }
        _ => {
            db.close_month(first, note)?;
            crate::tr!(month_closed, month = name)
        }
    };
    writeln!(out, "{said}")?;
    Ok(())
}
