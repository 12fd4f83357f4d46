//! `console roles --terminal ROLE --admin ROLE`: least privilege on PostgreSQL.

use std::io::Write;

use anyhow::Result;

use super::open_as_admin;
use crate::db::Target;

pub fn run(terminal: &str, admin: &str, target: &Target, out: &mut dyn Write) -> Result<()> {
    let db = open_as_admin(target)?;
    let granted = db.grant_roles(terminal, admin)?;
    let texts = crate::i18n::texts();
    let how = |created: bool| {
        if created {
            texts.role_created
        } else {
            texts.role_existed
        }
    };
    writeln!(
        out,
        "{}",
        crate::tr!(
            roles_terminal,
            role = terminal,
            how = how(granted.terminal_created)
        )
    )?;
    writeln!(
        out,
        "{}",
        crate::tr!(roles_admin, role = admin, how = how(granted.admin_created))
    )?;
    writeln!(
        out,
        "{}",
        crate::tr!(roles_next, terminal = terminal, admin = admin)
    )?;
    Ok(())
}
