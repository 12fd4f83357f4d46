//! `console copy --to URL|PATH`: the office's database into another, empty one.

use anyhow::Result;

use crate::db::{Db, Target};

pub fn run(from: &Target, to: &Target) -> Result<()> {
    let source = Db::open_existing(from)?;
    // A damaged file would be copied with its damage.
    source.check_integrity(&[])?;
    let copied = source.copy_into(&Db::open(to)?)?;
    eprintln!(
        "{}",
        crate::tr!(
            copied,
            users = copied.users,
            sessions = copied.sessions,
            attempts = copied.attempts,
            to = to.describe()
        )
    );
    Ok(())
}
