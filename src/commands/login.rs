//! `console login`: the shared terminal, as a station (`crate::station`).

use anyhow::Result;

use crate::db::Target;

use crate::cli::LoginArgs;
use crate::error::Error;
use crate::station::{self, Mode, Programs};

pub fn run(args: &LoginArgs, target: &Target) -> Result<()> {
    if args.terminal.idle_timeout.0.is_none() {
        return Err(Error::Usage(crate::said!(idle_off_monitor_only)).into());
    }
    let programs = Programs {
        everyone: args.exec.clone(),
        by_role: args.exec_role.clone(),
    };
    let mode = Mode::Terminal {
        once: args.once,
        programs,
    };
    station::run(target, &args.terminal, mode)
}
