//! `console correct`: an end moved, a session added, a session voided, each with its
//! note, journaled as this system account's action.

use std::io::Write;

use anyhow::Result;

use super::{open_as_admin, time_arg};
use crate::cli::CorrectArgs;
use crate::db::{Correction, Target};
use crate::error::Error;

pub fn run(args: &CorrectArgs, target: &Target, out: &mut dyn Write) -> Result<()> {
    let note = args.note.trim();
    if note.is_empty() {
        return Err(Error::bad_input(crate::tr!(correct_note_blank)).into());
    }
    let db = open_as_admin(target)?;
    let now = db.now();
    let end = time_arg("--end", args.end.as_deref(), now)?;
    let correction = match (args.session_id, &args.add, end) {
        (None, Some(name), Some(end)) => {
            let user = db
                .user(name)?
                .ok_or_else(|| Error::bad_input(crate::tr!(no_user, name = name)))?;
            let start = time_arg("--start", args.start.as_deref(), now)?.unwrap_or(end);
            Correction::Add {
                user_id: user.id,
                start,
                end,
            }
        }
        (Some(session), None, Some(at)) if !args.void => Correction::End { session, at },
        (Some(session), None, None) if args.void => Correction::Void { session },
        _ => return Err(Error::Usage(crate::said!(correct_usage)).into()),
    };
    let session = db.correct(correction, note)?;
    writeln!(out, "{}", crate::tr!(corrected, id = session))?;
    Ok(())
}
