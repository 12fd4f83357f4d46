//! One file per subcommand, each a `run`; what they share about output lives here.

pub mod add_users;
mod agent;
mod audit;
mod backup;
mod checkpoint;
mod close_month;
mod config;
mod copy;
mod correct;
pub mod demo;
pub mod end_session;
mod exceptions;
pub mod failures;
mod holiday;
mod import;
pub mod last;
mod leave;
pub mod login;
mod manual;
pub mod monitor;
mod pam;
pub mod prune;
pub mod report;
mod roles;
mod schedule;
mod sheet;
pub mod users;
mod verify;
mod watch;
pub mod who;

use std::borrow::Cow;
use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::Result;
use ratatui::crossterm;
use rayon::prelude::*;
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::cli::{Cli, Command, Format};
use crate::config::Config;
use crate::db::{Db, PgTarget, Target};
use crate::error::Error;
use crate::i18n::{self, Texts};
use crate::model::Millis;
use crate::origin::ThisHost;
use crate::printable;

/// Runs the command line given, writing its results to `out`: on the database of --db,
/// else of CONSOLE_DB, else of the configuration files (but for the demo), else the
/// default. A configuration file that cannot be used stops every command but `pam`.
pub fn run(cli: Cli, config: Result<Config, Error>, out: &mut dyn Write) -> Result<()> {
    let given = cli.db.as_deref();
    let copy_to = match &cli.command {
        Some(Command::Copy { to }) => Some(to.as_path()),
        _ => None,
    };
    // Every user of the machine can read a command line (ps).
    if [given, copy_to]
        .into_iter()
        .flatten()
        .filter_map(Path::to_str)
        .any(PgTarget::url_has_password)
    {
        return Err(Error::Usage(crate::said!(pg_password_in_url)).into());
    }
    if let Some(Command::Demo(args)) = &cli.command {
        return demo::run(args, given.map(Target::parse).transpose()?.as_ref());
    }
    if let Some(Command::Pam) = &cli.command {
        // An OS login is never failed: whatever goes wrong is logged, and is no error.
        let config = config.map_err(anyhow::Error::from);
        pam::run(config.and_then(|config| target_of(cli.db.as_deref(), &config)));
        return Ok(());
    }
    let config = config?;
    match &cli.command {
        Some(Command::Config { format }) => {
            return config::run(&config, cli.db.as_deref(), cli.lang, *format, out);
        }
        Some(Command::Completions { shell }) => return manual::completions(*shell, out),
        Some(Command::Man { command, dir }) => {
            return manual::man(command.as_deref(), dir.as_deref(), out);
        }
        _ => {}
    }
    let target = &target_of(cli.db.as_deref(), &config)?;
    match cli.command {
        Some(Command::AddUsers(args)) => add_users::run(&args, target, out),
        Some(Command::Copy { to }) => copy::run(target, &Target::parse(&to)?),
        Some(Command::Backup { to, force }) => backup::run(target, &to, force),
        Some(Command::Users(command)) => users::run(command, target, out),
        Some(Command::Login(args)) => login::run(&args, target),
        Some(Command::Monitor(args)) => monitor::run(&args, target),
        Some(
            Command::Demo(_)
            | Command::Pam
            | Command::Config { .. }
            | Command::Completions { .. }
            | Command::Man { .. },
        ) => unreachable!("handled above"),
        Some(Command::Import(args)) => import::run(&args, target, out),
        Some(Command::Agent { heartbeat }) => agent::run(heartbeat, target),
        Some(Command::Who { format }) => who::run(format, target, out),
        Some(Command::Last(args)) => last::run(&args, target, out),
        Some(Command::Report(args)) => report::run(&args, target, out),
        Some(Command::Failures(args)) => failures::run(&args, target, out),
        Some(Command::Audit(args)) => audit::run(&args, target, out),
        Some(Command::Correct(args)) => correct::run(&args, target, out),
        Some(Command::Prune { before, dry_run }) => prune::run(&before, dry_run, target, out),
        Some(Command::Roles { terminal, admin }) => roles::run(&terminal, &admin, target, out),
        Some(Command::Schedule(command)) => schedule::run(&command, target, out),
        Some(Command::Watch(args)) => watch::run(&args, target, out),
        Some(Command::Sheet(args)) => sheet::run(&args, target, out),
        Some(Command::CloseMonth { month, note }) => {
            close_month::run(&month, note.as_deref(), false, target, out)
        }
        Some(Command::ReopenMonth { month, note }) => {
            close_month::run(&month, Some(&note), true, target, out)
        }
        Some(Command::Exceptions(args)) => exceptions::run(&args, target, out),
        Some(Command::Holiday(command)) => holiday::run(&command, target, out),
        Some(Command::Leave(command)) => leave::run(&command, target, out),
        Some(Command::Verify { witness }) => verify::run(target, witness.as_deref(), out),
        Some(Command::Checkpoint { witness, syslog }) => {
            checkpoint::run(target, witness.as_deref(), syslog, out)
        }
        Some(Command::EndSession { session_id, reason }) => {
            end_session::run(session_id, reason.as_deref(), target)
        }
        None => login::run(&cli.login, target),
    }
}

/// The database of --db, else of CONSOLE_DB, else of the files, else the default.
fn target_of(given: Option<&Path>, config: &Config) -> Result<Target> {
    Target::parse(&config.db(given)?.0)
}

/// Opens the database for a command that reads sessions, and sweeps it first, so that
/// what it reads says which sessions are lost; returns it with now by its clock. The
/// database must exist: a mistyped path is an error (exit 66), not an empty office.
pub fn open_swept(target: &Target) -> Result<(Db, Millis)> {
    let db = open_as_admin(target)?;
    let now = db.now();
    sweep(&db, &ThisHost::detect(), now);
    Ok((db, now))
}

/// Opens a database that must exist, for a shell command: what it does as an admin is
/// journaled as done by this system account, here (`origin::actor`).
pub fn open_as_admin(target: &Target) -> Result<Db> {
    let mut db = Db::open_existing(target)?;
    db.act_as(crate::origin::actor());
    Ok(db)
}

/// A time argument (CLI.md's forms), or a usage error naming it.
pub fn time_arg(option: &str, text: Option<&str>, now: Millis) -> Result<Option<Millis>> {
    let Some(text) = text else { return Ok(None) };
    crate::clock::parse_time(text, now, crate::clock::Zone::Local)
        .map(Some)
        .ok_or_else(|| {
            Error::Usage(crate::said!(time_unreadable, option = option, text = text)).into()
        })
}

/// The accounts `names` (each must exist: exit 65), or every enabled one when none is
/// named, in the order of `list_users`.
pub fn people(db: &Db, names: &[String], now: Millis) -> Result<Vec<crate::model::User>> {
    if names.is_empty() {
        return Ok(db
            .list_users(None, now)?
            .into_iter()
            .map(|record| record.summary.user)
            .filter(|user| !user.disabled)
            .collect());
    }
    // The ones named only: one read each, not the whole office's.
    names
        .iter()
        .map(|name| {
            db.user(name)?
                .ok_or_else(|| Error::bad_input(crate::tr!(no_user, name = name)).into())
        })
        .collect()
}

/// A month argument, `YYYY-MM`, as its first day, or a usage error naming it.
pub fn month_arg(text: &str) -> Result<chrono::NaiveDate> {
    let text = text.trim();
    chrono::NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d")
        .ok()
        .filter(|_| text.len() == 7)
        .ok_or_else(|| Error::Usage(crate::said!(month_unreadable, text = text)).into())
}

/// A date argument, `YYYY-MM-DD`, or a usage error naming it.
pub fn date_arg(option: &str, text: &str) -> Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        Error::Usage(crate::said!(date_unreadable, option = option, text = text)).into()
    })
}

/// `--since` and `--until`, read; an empty range is a usage error.
pub fn time_range(
    since: Option<&str>,
    until: Option<&str>,
    now: Millis,
) -> Result<(Option<Millis>, Option<Millis>)> {
    let (since_at, until_at) = (
        time_arg("--since", since, now)?,
        time_arg("--until", until, now)?,
    );
    if let (Some(from), Some(to)) = (since_at, until_at)
        && from >= to
    {
        return Err(Error::Usage(crate::said!(
            range_reversed,
            since = since.unwrap_or_default(),
            until = until.unwrap_or_default()
        ))
        .into());
    }
    Ok((since_at, until_at))
}

/// The id of the user named `username`, or the error a script gets for a name that does
/// not exist.
pub fn user_id_of(db: &Db, username: &str) -> Result<i64> {
    Ok(db
        .user(username)?
        .ok_or_else(|| Error::bad_input(crate::tr!(no_user, name = username)))?
        .id)
}

/// Closes the sessions that are lost (silent for three heartbeats, or whose process on
/// this host is gone). Every command that reads sessions runs it first. A failure is
/// not the reader's problem: the next reader sweeps again.
pub fn sweep(db: &Db, this_host: &ThisHost, now: Millis) {
    let _ = db.sweep_lost(now, &this_host.here());
}

/// `at` as people read it here: local time, in the language of the process.
pub fn local_time(at: Millis) -> String {
    i18n::texts().lang.date_time(at, crate::clock::Zone::Local)
}

/// A table's column: its header, and how much it matters (0: always shown; the higher,
/// the sooner it is left out when the table is wider than the terminal).
pub type Column = (&'static str, u8);

/// The width of the terminal stdout is, if it is one: piped output is never cut.
pub fn terminal_width() -> Option<u16> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    crossterm::terminal::size().ok().map(|(width, _)| width)
}

/// Writes a table for people: columns blank in every row left out, then, if it is wider
/// than `width`, the columns that matter least, until it fits. A cell is never cut or
/// wrapped: a name stays whole.
pub fn write_table(
    out: &mut dyn Write,
    columns: &[Column],
    rows: &[Vec<String>],
    width: Option<u16>,
) -> Result<()> {
    // What came from outside (a name typed at the prompt) is shown, never obeyed.
    let unsafe_cell = |cell: &String| matches!(printable::escaped(cell), Cow::Owned(_));
    if rows.iter().flatten().any(unsafe_cell) {
        let shown: Vec<Vec<String>> = rows
            .iter()
            .map(|row| {
                row.iter()
                    .map(|cell| printable::escaped(cell).into_owned())
                    .collect()
            })
            .collect();
        fitted_table(out, columns, &shown, width)
    } else {
        fitted_table(out, columns, rows, width)
    }
}

/// The table as text: a header, a rule under it, a line a row; each cell padded to its
/// column's width, two spaces between columns. Written here rather than by a table
/// crate: a listing of 100 000 users is formatted in tens of milliseconds, a line at a
/// time into `out`.
fn fitted_table(
    out: &mut dyn Write,
    columns: &[Column],
    rows: &[Vec<String>],
    width: Option<u16>,
) -> Result<()> {
    fn cell(row: &[String], i: usize) -> &str {
        row.get(i).map_or("", String::as_str)
    }
    // One pass over the rows: each column's width, and whether it has anything in it.
    let mut widths: Vec<usize> = columns.iter().map(|c| text_width(c.0)).collect();
    let mut filled = vec![rows.is_empty(); columns.len()];
    for row in rows {
        for (i, (width, filled)) in widths.iter_mut().zip(filled.iter_mut()).enumerate() {
            let content = cell(row, i);
            *width = (*width).max(text_width(content));
            *filled |= !content.is_empty();
        }
    }
    // A column blank in every row (no remote address at all, say) says nothing.
    let mut shown: Vec<usize> = (0..columns.len()).filter(|&i| filled[i]).collect();
    // A space before the first column, each cell and two spaces after it.
    let table_width = |shown: &[usize]| 1 + shown.iter().map(|&i| widths[i] + 2).sum::<usize>();
    if let Some(width) = width.map(usize::from) {
        while table_width(&shown) > width {
            let least_needed = shown
                .iter()
                .enumerate()
                .filter(|(_, i)| columns[**i].1 > 0)
                .max_by_key(|(at, i)| (columns[**i].1, *at))
                .map(|(at, _)| at);
            let Some(at) = least_needed else { break };
            shown.remove(at);
        }
    }
    let total = table_width(&shown);
    let mut line = String::with_capacity(total * 2);
    push_line(&mut line, shown.iter().map(|&i| (columns[i].0, widths[i])));
    line.extend(std::iter::repeat_n('─', total));
    line.push('\n');
    out.write_all(line.as_bytes())?;
    for row in rows {
        line.clear();
        push_line(&mut line, shown.iter().map(|&i| (cell(row, i), widths[i])));
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// The columns `text` takes on a terminal; most cells are ASCII, one column a byte.
fn text_width(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        text.width()
    }
}

/// One line of a table: a space, then each cell padded to its width and two spaces.
fn push_line<'a>(text: &mut String, cells: impl Iterator<Item = (&'a str, usize)>) {
    text.push(' ');
    for (content, width) in cells {
        text.push_str(content);
        let pad = width.saturating_sub(text_width(content)) + 2;
        text.extend(std::iter::repeat_n(' ', pad));
    }
    text.push('\n');
}

/// The column names of a listing: `table` for people, `fields` for CSV (the JSON keys,
/// from the rows' `Serialize`, are the same). Fields never change with the language.
pub struct Columns {
    /// The table's columns, in the language of the texts given.
    pub table: fn(&'static Texts) -> Vec<Column>,
    pub fields: &'static [&'static str],
}

/// Writes `rows` in `format`. CSV always starts with its header, even with no rows.
/// Rows serialized at a time for CSV, and how many such chunks at once.
const CSV_CHUNK: usize = 4096;
const CSV_CHUNKS_AT_ONCE: usize = 16;

/// `rows` as CSV lines: as serde writes them, then read back, each field made safe for
/// a spreadsheet (two passes over memory, each as fast as the csv crate).
fn csv_part<R: Serialize>(rows: &[R]) -> Result<Vec<u8>> {
    let mut serialized = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    for row in rows {
        serialized.serialize(row)?;
    }
    let serialized = serialized.into_inner().map_err(|e| e.into_error())?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(serialized.as_slice());
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::with_capacity(serialized.len() + serialized.len() / 8));
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record)? {
        let fields: Vec<Cow<str>> = record.iter().map(printable::csv_field).collect();
        writer.write_record(fields.iter().map(|field| field.as_bytes()))?;
    }
    Ok(writer.into_inner().map_err(|e| e.into_error())?)
}

pub fn write_rows<R: Serialize + Sync>(
    out: &mut dyn Write,
    format: Format,
    columns: &Columns,
    rows: &[R],
    table_cells: impl Fn(&R) -> Vec<String> + Sync,
) -> Result<()> {
    match format {
        Format::Table => {
            // Dates and durations for 100 000 rows: formatted on every core.
            let cells: Vec<Vec<String>> = rows.par_iter().map(&table_cells).collect();
            let written = write_table(
                out,
                &(columns.table)(i18n::texts()),
                &cells,
                terminal_width(),
            );
            // Every caller is a command that exits after its listing: 100 000 rows of
            // cells are left to the exit rather than freed one by one (a tenth of
            // `users list`'s time).
            std::mem::forget(cells);
            written
        }
        Format::Csv => {
            let mut writer = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(&mut *out);
            writer.write_record(columns.fields)?;
            writer.flush()?;
            drop(writer);
            // A few thousand rows at a time, on every core, written in their order:
            // millions of lines never sit in memory at once.
            for group in rows.chunks(CSV_CHUNK * CSV_CHUNKS_AT_ONCE) {
                let parts: Vec<Vec<u8>> = group
                    .par_chunks(CSV_CHUNK)
                    .map(csv_part)
                    .collect::<Result<_>>()?;
                for part in parts {
                    out.write_all(&part)?;
                }
            }
            out.flush()?;
            Ok(())
        }
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, rows)?;
            writeln!(out)?;
            Ok(())
        }
    }
}

/// A terminal's device as `who` and `last` write it: `pts/3` for `/dev/pts/3`.
pub fn short_tty(tty: Option<&str>) -> String {
    tty.map(|tty| tty.strip_prefix("/dev/").unwrap_or(tty).to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(columns: &[Column], rows: &[Vec<String>], width: Option<u16>) -> String {
        let mut out = Vec::new();
        fitted_table(&mut out, columns, rows, width).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn a_wide_table_leaves_out_what_matters_least_and_never_cuts_a_name() {
        let columns = [("User", 0), ("Full name", 3), ("Role", 1), ("TTY", 2)];
        let rows = [
            row(&[
                "secretaire_longname",
                "Roseline Toussaint-Augustin",
                "secretaire",
                "pts/12",
            ]),
            row(&["ann", "Ann", "archives", ""]),
        ];
        let wide = rendered(&columns, &rows, Some(100));
        assert!(wide.contains("Roseline Toussaint-Augustin") && wide.contains("pts/12"));
        let narrow = rendered(&columns, &rows, Some(45));
        assert!(!narrow.contains("Full name"), "{narrow}");
        assert!(narrow.contains("secretaire_longname"), "{narrow}");
        assert!(
            narrow.contains("TTY"),
            "the full name goes first:\n{narrow}"
        );
        assert!(narrow.lines().all(|line| line.width() <= 45), "{narrow}");
        let tiny = rendered(&columns, &rows, Some(20));
        assert!(tiny.contains("secretaire_longname"), "{tiny}");
        assert_eq!(tiny.lines().count(), 4, "no line wrapped:\n{tiny}");
    }

    #[test]
    fn piped_tables_keep_every_column_and_blank_ones_go() {
        let columns = [("User", 0), ("IP", 3), ("Full name", 3)];
        let rows = [row(&["ann", "", "Ann Augustin ".repeat(20).trim()])];
        let piped = rendered(&columns, &rows, None);
        assert!(!piped.contains("IP"), "{piped}");
        assert_eq!(piped.lines().count(), 3, "{piped}");
        assert!(piped.contains(&"Ann Augustin ".repeat(20).trim().to_string()));
    }

    #[test]
    fn ttys_are_written_as_who_writes_them() {
        assert_eq!(short_tty(Some("/dev/pts/3")), "pts/3");
        assert_eq!(short_tty(Some("console")), "console");
        assert_eq!(short_tty(None), "");
    }
}
