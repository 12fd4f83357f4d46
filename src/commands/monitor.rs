//! `console monitor`: the admin's live monitor, as a station (`crate::station`).

use anyhow::Result;

use crate::db::Target;

use crate::cli::TerminalArgs;
use crate::station::{self, Mode};

pub fn run(args: &TerminalArgs, target: &Target) -> Result<()> {
    station::run(
        target,
        args,
        Mode::Monitor {
            banner: None,
            sign_in: None,
            confirm_quit: None,
        },
    )
}
