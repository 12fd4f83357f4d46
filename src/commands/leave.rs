//! `console leave add|list|remove`: a person's leave.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::{Columns, date_arg, open_as_admin, write_rows};
use crate::cli::LeaveCommand;
use crate::db::{OnLeave, Target};

pub fn run(command: &LeaveCommand, target: &Target, out: &mut dyn Write) -> Result<()> {
    let db = open_as_admin(target)?;
    match command {
        LeaveCommand::Add {
            user,
            from,
            to,
            reason,
        } => {
            let (first, last) = (date_arg("--from", from)?, date_arg("--to", to)?);
            let id = db.add_leave(user, first, last, reason.trim())?;
            let said = crate::tr!(leave_added, id = id, name = user, from = first, to = last);
            writeln!(out, "{said}")?;
        }
        LeaveCommand::List { user, format } => {
            let lines: Vec<Line> = db
                .leaves(user.as_deref())?
                .into_iter()
                .map(Line::from)
                .collect();
            write_rows(out, *format, &COLUMNS, &lines, Line::cells)?;
        }
        LeaveCommand::Remove { id } => {
            db.remove_leave(*id)?;
            writeln!(out, "{}", crate::tr!(leave_removed, id = id))?;
        }
    }
    Ok(())
}

const COLUMNS: Columns = Columns {
    table: |t| {
        vec![
            (t.col_id, 0),
            (t.col_username, 0),
            (t.col_from, 0),
            (t.col_to, 0),
            (t.col_reason, 1),
        ]
    },
    fields: &["id", "user", "from", "to", "reason"],
};

#[derive(Serialize)]
struct Line {
    id: i64,
    user: String,
    from: String,
    to: String,
    reason: String,
}

impl From<OnLeave> for Line {
    fn from(leave: OnLeave) -> Line {
        Line {
            id: leave.id,
            user: leave.username,
            from: leave.from,
            to: leave.to,
            reason: leave.reason,
        }
    }
}

impl Line {
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.user.clone(),
            self.from.clone(),
            self.to.clone(),
            self.reason.clone(),
        ]
    }
}
