//! `console login`: the shared terminal, as a station (`crate::station`).

use std::path::Path;

use anyhow::Result;

use crate::cli::LoginArgs;
use crate::error::Error;
use crate::station::{self, Mode};

pub fn run(args: &LoginArgs, db_path: &Path) -> Result<()> {
    if args.terminal.idle_timeout.0.is_none() {
        return Err(Error::Usage(crate::tr!(idle_off_monitor_only)).into());
    }
    station::run(db_path, &args.terminal, Mode::Terminal { once: args.once })
}
