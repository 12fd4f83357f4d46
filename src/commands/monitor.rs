//! `console monitor`: the admin's live monitor, as a station (`crate::station`).

use std::path::Path;

use anyhow::Result;

use crate::cli::TerminalArgs;
use crate::station::{self, Mode};

pub fn run(args: &TerminalArgs, db_path: &Path) -> Result<()> {
    station::run(
        db_path,
        args,
        Mode::Monitor {
            banner: None,
            sign_in: None,
            confirm_quit: false,
        },
    )
}
