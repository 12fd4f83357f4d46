//! `console import --wtmp FILE` / `--django FILE`: the history the office already has.
//! The whole file is read and checked before anything is written: a bad record is one
//! line on stderr with its place, and unless --skip-bad nothing is imported (exit 65).

use std::io::Write;
use std::path::Path;

use anyhow::Result;

use crate::cli::ImportArgs;
use crate::clock::{Zone, format_in};
use crate::db::{Db, ImportCount, Target};
use crate::earlier::{Earlier, Problem, Source, django, wtmp};
use crate::error::Error;

pub fn run(args: &ImportArgs, target: &Target, out: &mut dyn Write) -> Result<()> {
    let (source, paths) = match &args.django {
        Some(path) => (Source::Django, std::slice::from_ref(path)),
        None => (Source::Wtmp, args.wtmp.as_slice()),
    };
    // The files are read before the database is opened: a missing one creates nothing.
    let files = paths
        .iter()
        .map(|path| read_file(path))
        .collect::<Result<Vec<_>>>()?;
    let mut earlier = match source {
        Source::Wtmp => {
            let host = args.host.clone().unwrap_or_else(crate::origin::hostname);
            wtmp::read(&files, &host)
        }
        Source::Django => {
            let (name, bytes) = &files[0];
            django::read(name, &String::from_utf8_lossy(bytes)).map_err(Error::bad_input)?
        }
    };
    let db = if args.dry_run {
        Db::open_read_only(target)?
    } else {
        let mut db = Db::open(target)?;
        db.act_as(crate::origin::actor());
        Some(db)
    };
    if let Some(db) = &db {
        refuse_closed_months(db, &mut earlier)?;
    }
    for problem in &earlier.problems {
        let why = crate::tr!(
            import_problem,
            position = problem.position,
            why = problem.why
        );
        // A name or a model out of the file: shown, never obeyed by the terminal.
        eprintln!("console: {}", crate::printable::escaped(&why));
    }
    let bad = earlier.problems.len();
    if bad > 0 && !args.skip_bad {
        return Err(Error::bad_input(crate::tr!(import_nothing_written, count = bad)).into());
    }
    let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    let file = names.join(", ");
    let count = match &db {
        Some(db) => db.import_earlier(source, &file, &earlier, bad, args.dry_run)?,
        // A dry run on a database not made yet: everything would be new.
        None => ImportCount {
            sessions: earlier.sessions.len() as i64,
            accounts: earlier.accounts.len() as i64,
            known: 0,
            new_accounts: earlier
                .accounts
                .iter()
                .map(|a| a.username.clone())
                .collect(),
        },
    };
    say(out, &file, &count, &earlier, bad, args.dry_run)
}

/// What was added, found there already, still going and bad; the accounts that need a
/// password.
fn say(
    out: &mut dyn Write,
    file: &str,
    count: &ImportCount,
    earlier: &Earlier,
    bad: usize,
    dry_run: bool,
) -> Result<()> {
    let done = crate::tr!(
        import_done,
        file = file,
        sessions = count.sessions,
        accounts = count.accounts,
        known = count.known,
        still_open = earlier.still_open,
        bad = bad
    );
    writeln!(out, "{}", crate::printable::escaped(&done))?;
    if dry_run {
        writeln!(out, "{}", crate::tr!(import_dry_run))?;
    } else if !count.new_accounts.is_empty() {
        writeln!(out, "{}", crate::tr!(import_passwords))?;
        for name in &count.new_accounts {
            writeln!(out, "  {name}")?;
        }
    }
    Ok(())
}

/// A file's name as messages give it, and its bytes.
fn read_file(path: &Path) -> Result<(String, Vec<u8>)> {
    let bytes = std::fs::read(path).map_err(|error| {
        Error::NoInput(crate::said!(
            cannot_read_file,
            file = path.display(),
            error = error
        ))
    })?;
    Ok((path.display().to_string(), bytes))
}

/// A session in a closed month would change what was signed: it is a bad record.
fn refuse_closed_months(db: &Db, earlier: &mut Earlier) -> Result<()> {
    let closed: Vec<String> = db
        .closed_months()?
        .into_iter()
        .map(|(month, _)| month)
        .collect();
    if closed.is_empty() {
        return Ok(());
    }
    earlier.sessions.retain(|session| {
        // Every month the session touches, as `refuse_if_closed` judges a correction:
        // one across a whole closed month changes it too.
        let [first, last] =
            [session.login_time, session.logout_time].map(|at| format_in(at, Zone::Local, "%Y-%m"));
        let Some(month) = closed.iter().find(|month| (&first..=&last).contains(month)) else {
            return true;
        };
        earlier.problems.push(Problem::at(
            session.position.clone(),
            crate::tr!(month_closed_import, month = month),
        ));
        false
    });
    Ok(())
}
