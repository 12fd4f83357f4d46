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
    let (source, path) = match (&args.wtmp, &args.django) {
        (Some(path), _) => (Source::Wtmp, path),
        (None, Some(path)) => (Source::Django, path),
        // clap requires one of them.
        (None, None) => return Ok(()),
    };
    // The file is read before the database is opened: a missing one creates nothing.
    let mut earlier = read(source, path, args.host.as_deref())?;
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
    let file = path.display().to_string();
    for problem in &earlier.problems {
        eprintln!(
            "console: {}",
            crate::tr!(
                import_problem,
                file = file,
                position = problem.position,
                why = problem.why
            )
        );
    }
    let bad = earlier.problems.len();
    if bad > 0 && !args.skip_bad {
        return Err(Error::bad_input(crate::tr!(import_nothing_written, count = bad)).into());
    }
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
    writeln!(
        out,
        "{}",
        crate::tr!(
            import_done,
            file = file,
            sessions = count.sessions,
            accounts = count.accounts,
            known = count.known,
            still_open = earlier.still_open,
            bad = bad
        )
    )?;
    if args.dry_run {
        writeln!(out, "{}", crate::tr!(import_dry_run))?;
    } else if !count.new_accounts.is_empty() {
        writeln!(out, "{}", crate::tr!(import_passwords))?;
        for name in &count.new_accounts {
            writeln!(out, "  {name}")?;
        }
    }
    Ok(())
}

fn read(source: Source, path: &Path, host: Option<&str>) -> Result<Earlier> {
    let bytes = std::fs::read(path).map_err(|error| {
        Error::NoInput(crate::said!(
            cannot_read_file,
            file = path.display(),
            error = error
        ))
    })?;
    match source {
        Source::Wtmp => {
            let host = host.map_or_else(crate::origin::hostname, str::to_string);
            Ok(wtmp::read(&bytes, &host))
        }
        Source::Django => {
            let text = String::from_utf8_lossy(&bytes);
            django::read(&text)
                .map_err(|why| Error::bad_input(format!("{}: {why}", path.display())).into())
        }
    }
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
        let months =
            [session.login_time, session.logout_time].map(|at| format_in(at, Zone::Local, "%Y-%m"));
        let Some(month) = months.iter().find(|month| closed.contains(month)) else {
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
