//! `console end-session ID [--reason TEXT]`: an admin ends a live session from the shell.

use anyhow::Result;

use super::sweep;
use crate::db::{Closed, Target};
use crate::error::Error;
use crate::origin::ThisHost;

pub fn run(session_id: i64, reason: Option<&str>, target: &Target) -> Result<()> {
    let db = super::open_as_admin(target)?;
    db.check_integrity(&["sessions"])?;
    let now = db.now();
    sweep(&db, &ThisHost::detect(), now);
    match db.end_from_shell(session_id, now, &crate::origin::os_account(), reason)? {
        Closed::Now => {
            eprintln!("{}", crate::tr!(ended_session_cli, id = session_id));
            Ok(())
        }
        Closed::Already(how) => Err(Error::Refused(crate::said!(
            session_already_ended,
            id = session_id,
            reason = how.as_str()
        ))
        .into()),
    }
}
