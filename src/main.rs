//! `console`: parse, dispatch, print the error chain once, exit with the code of CLI.md.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{CommandFactory, FromArgMatches};
use konekte::cli::Cli;
use konekte::config::Config;
use konekte::error::{Exit, exit_code_of};
use konekte::i18n::{self, Lang};

fn main() -> ExitCode {
    // The files first: what they set is the default the command line overrides.
    let config = Config::load();
    let command = match &config {
        Ok(config) => config.command(),
        Err(_) => Cli::command(),
    };
    let parsed = command
        .try_get_matches()
        .and_then(|matches| Ok((Cli::from_arg_matches(&matches)?, matches)));
    let (cli, _) = match parsed {
        Ok(parsed) => parsed,
        Err(err) => return usage_error(&err),
    };
    i18n::set(match &config {
        Ok(config) => config.lang(cli.lang).0,
        Err(_) => cli.lang.unwrap_or_else(Lang::from_env),
    });
    // One buffer for everything a command prints: a large listing goes out in a few
    // writes instead of one per kilobyte (stdout's own buffer flushes that often).
    let mut out = BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let result = konekte::commands::run(cli, config, &mut out)
        .and_then(|()| out.flush().map_err(anyhow::Error::from));
    match result {
        Ok(()) => Exit::Ok.into(),
        // The reader went away (`console last | head`): nothing is wrong, as for `ls`.
        Err(err) if is_broken_pipe(&err) => Exit::Ok.into(),
        Err(err) => {
            // An error may quote a file or a name: shown, never obeyed by the terminal.
            for line in format!("{err:#}").lines() {
                eprintln!("console: {}", konekte::printable::escaped(line));
            }
            exit_code_of(&err).into()
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    let broken = |io: &std::io::Error| io.kind() == std::io::ErrorKind::BrokenPipe;
    err.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(broken)
            || cause
                .downcast_ref::<csv::Error>()
                .is_some_and(|csv| matches!(csv.kind(), csv::ErrorKind::Io(io) if broken(io)))
            || cause
                .downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind)
                == Some(std::io::ErrorKind::BrokenPipe)
    })
}

/// Help and version go to stdout as clap writes them; a usage error becomes one line,
/// with clap's guess of what was meant ("did you mean"). A role that is not one is bad
/// input (65), as it is in a file.
fn usage_error(err: &clap::Error) -> ExitCode {
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    ) {
        let _ = err.print();
        return Exit::Ok.into();
    }
    let rendered = err.render().to_string();
    let message: Vec<&str> = rendered
        .lines()
        .take_while(|line| !line.trim().is_empty())
        .map(|line| line.trim().trim_start_matches("error: "))
        .collect();
    let tips: Vec<&str> = rendered
        .lines()
        .filter_map(|line| line.trim().strip_prefix("tip: "))
        .collect();
    let mut said = message.join(" ");
    if !tips.is_empty() {
        said.push_str(&format!("; {}", tips.join("; ")));
    }
    eprintln!("console: {said} ({})", konekte::tr!(see_help));
    let bad_role = std::error::Error::source(err)
        .is_some_and(|cause| cause.is::<konekte::model::UnknownRole>());
    if bad_role {
        Exit::DataErr.into()
    } else {
        Exit::Usage.into()
    }
}

/// mimalloc: `verify` moves millions of rows from the thread that reads them to the
/// one that replays them, and glibc's malloc spent half its time on those frees.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
