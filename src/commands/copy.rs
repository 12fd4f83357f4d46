//! `console copy --to URL|PATH`: the office's database into another, empty one.

use anyhow::Result;

use crate::db::{Db, Target};
use crate::error::Error;
use crate::origin::ThisHost;

pub fn run(from: &Target, to: &Target) -> Result<()> {
    let source = Db::open_existing(from)?;
    // A damaged file would be copied with its damage.
    source.check_integrity(&[])?;
    // A session open while its terminal runs would beat on the source only: on the
    // copy it would soon be taken for lost. The lost ones are closed first.
    source.sweep_lost(source.now(), &ThisHost::detect().here())?;
    let open = source.open_sessions()?.len();
    if open > 0 {
        return Err(Error::Refused(crate::said!(copy_sessions_open, count = open)).into());
    }
    let mut into = Db::open(to)?;
    into.act_as(crate::origin::actor());
    let copied = source.copy_into(&into, &from.describe())?;
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
