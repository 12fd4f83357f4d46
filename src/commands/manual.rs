//! `console completions SHELL` and `console man [COMMAND]`: what a package installs
//! for the shells and for man, made from the command line's own definition, so that
//! they never tell of an option that is not there.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use clap::CommandFactory;

use crate::cli::Cli;
use crate::error::Error;

pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> Result<()> {
    clap_complete::generate(shell, &mut Cli::command(), "console", out);
    Ok(())
}

/// The page of `command` (console's own without one) to `out`, or every page into `dir`.
pub fn man(command: Option<&str>, dir: Option<&Path>, out: &mut dyn Write) -> Result<()> {
    let cli = Cli::command();
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir).with_context(|| dir.display().to_string())?;
        return clap_mangen::generate_to(cli, dir).with_context(|| dir.display().to_string());
    }
    let page = match command {
        None => cli,
        Some(name) => page_of(&cli, name)?,
    };
    clap_mangen::Man::new(page).render(out)?;
    Ok(())
}

/// A command's page is named `console-NAME` (man console-login), as generate_to names
/// its file.
fn page_of(cli: &clap::Command, name: &str) -> Result<clap::Command> {
    let mut cli = cli.clone();
    // The subcommands learn their full name (console login) only once built.
    cli.build();
    let sub = cli
        .find_subcommand(name)
        .ok_or_else(|| Error::Usage(crate::said!(no_such_command, name = name)))?;
    Ok(sub.clone().name(format!("console-{}", sub.get_name())))
}
