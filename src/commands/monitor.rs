//! `console monitor`: the admin's live monitor, as a station (`crate::station`), which
//! keeps checkpoints of the journal in the admin's own state folder.

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
            witness: witness_file(),
        },
    )
}

/// `$XDG_STATE_HOME/konekte/witness` (`~/.local/state/konekte/witness`): the admin's
/// own, out of the terminals' reach when the terminals run as another account.
pub fn witness_file() -> Option<std::path::PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "konekte")?;
    Some(dirs.state_dir()?.join("witness"))
}
