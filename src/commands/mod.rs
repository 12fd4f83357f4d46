//! One file per subcommand, each a `run`; what they share about output lives here.

pub mod add_users;
pub mod demo;
pub mod end_session;
pub mod failures;
pub mod last;
pub mod login;
pub mod monitor;
pub mod prune;
pub mod report;
pub mod users;
pub mod who;

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::Result;
use comfy_table::{ContentArrangement, LineStyle, Table, TableStyle};
use serde::Serialize;

use crate::cli::{Cli, Command, Format};
use crate::db::{self, Db};
use crate::error::Error;
use crate::i18n::{self, Texts};
use crate::model::Millis;
use crate::origin::ThisHost;

/// Runs the command line given, writing its results to `out`. `db_on_command_line`
/// says whether --db was typed (rather than taken from CONSOLE_DB).
pub fn run(cli: Cli, db_on_command_line: bool, out: &mut dyn Write) -> Result<()> {
    if let Some(Command::Demo(args)) = &cli.command {
        let db = cli.db.as_deref().filter(|_| db_on_command_line);
        return demo::run(args, db);
    }
    let db_path = match cli.db {
        Some(path) => path,
        None => db::default_path()?,
    };
    match cli.command {
        Some(Command::AddUsers(args)) => add_users::run(&args, &db_path, out),
        Some(Command::Users(command)) => users::run(command, &db_path, out),
        Some(Command::Login(args)) => login::run(&args, &db_path),
        Some(Command::Monitor(args)) => monitor::run(&args, &db_path),
        Some(Command::Demo(_)) => unreachable!("handled above"),
        Some(Command::Who { format }) => who::run(format, &db_path, out),
        Some(Command::Last(args)) => last::run(&args, &db_path, out),
        Some(Command::Report(args)) => report::run(&args, &db_path, out),
        Some(Command::Failures(args)) => failures::run(&args, &db_path, out),
        Some(Command::Prune { before }) => prune::run(&before, &db_path, out),
        Some(Command::EndSession { session_id, reason }) => {
            end_session::run(session_id, reason.as_deref(), &db_path)
        }
        None => login::run(&cli.login, &db_path),
    }
}

/// Opens the database for a command that reads sessions: after a sweep, so that what
/// it reads says which sessions are lost.
pub fn open_swept(db_path: &Path, now: Millis) -> Result<Db> {
    let db = Db::open(db_path)?;
    sweep(&db, &ThisHost::detect(), now);
    Ok(db)
}

/// A time argument (CLI.md's forms), or a usage error naming it.
pub fn time_arg(option: &str, text: Option<&str>, now: Millis) -> Result<Option<Millis>> {
    let Some(text) = text else { return Ok(None) };
    crate::clock::parse_time(text, now, crate::clock::local_offset())
        .map(Some)
        .ok_or_else(|| {
            Error::Usage(crate::tr!(time_unreadable, option = option, text = text)).into()
        })
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

/// Columns under an underlined header, as `last` and `who` print them: no borders, so
/// that wide listings fit the terminal.
const PLAIN: TableStyle = TableStyle::new().header_separator(LineStyle::new('─', '─', '─', '─'));

/// A table that fits the terminal's width (when stdout is one).
pub fn table(headers: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_style(PLAIN)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(headers.iter().copied());
    if !std::io::stdout().is_terminal() {
        table.force_no_tty();
    }
    table
}

/// `at` as people read it here: local time, in the language of the process.
pub fn local_time(at: Millis) -> String {
    i18n::texts()
        .lang
        .date_time(at, crate::clock::local_offset())
}

/// No space before a cell, one after: with the junction's, two spaces between columns.
const CELL_PADDING: (u16, u16) = (0, 1);

/// Cells wrap only when the columns at their natural width do not fit the terminal:
/// comfy-table's dynamic arrangement otherwise shares the width out unevenly and wraps
/// cells that had room.
pub fn fit(table: &mut Table) {
    for column in table.column_iter_mut() {
        column.set_padding(CELL_PADDING);
    }
    let widths = table.column_max_content_widths();
    // Each cell, its padding, a junction after it, and the two borders' places.
    let natural: u16 = widths
        .iter()
        .map(|w| w + CELL_PADDING.0 + CELL_PADDING.1 + 1)
        .sum::<u16>()
        + 1;
    if table.width().is_none_or(|width| natural <= width) {
        table.set_content_arrangement(ContentArrangement::Disabled);
    }
}

/// The column names of a listing: `table` for people, `fields` for CSV (the JSON keys,
/// from the rows' `Serialize`, are the same). Fields never change with the language.
pub struct Columns {
    /// The table's headers, in the language of the texts given.
    pub table: fn(&'static Texts) -> Vec<&'static str>,
    pub fields: &'static [&'static str],
}

/// Writes `rows` in `format`. CSV always starts with its header, even with no rows.
pub fn write_rows<R: Serialize>(
    out: &mut dyn Write,
    format: Format,
    columns: &Columns,
    rows: &[R],
    table_cells: impl Fn(&R) -> Vec<String>,
) -> Result<()> {
    match format {
        Format::Table => {
            let cells: Vec<Vec<String>> = rows.iter().map(table_cells).collect();
            // A column blank in every row (no remote address at all, say) says nothing.
            let headers = (columns.table)(i18n::texts());
            let shown: Vec<usize> = (0..headers.len())
                .filter(|&i| {
                    cells.is_empty()
                        || cells
                            .iter()
                            .any(|row| row.get(i).is_some_and(|c| !c.is_empty()))
                })
                .collect();
            let mut table = table(&shown.iter().map(|&i| headers[i]).collect::<Vec<_>>());
            for row in &cells {
                table.add_row(
                    shown
                        .iter()
                        .map(|&i| row.get(i).cloned().unwrap_or_default()),
                );
            }
            fit(&mut table);
            writeln!(out, "{table}")?;
        }
        Format::Csv => {
            let mut writer = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(out);
            writer.write_record(columns.fields)?;
            for row in rows {
                writer.serialize(row)?;
            }
            writer.flush()?;
        }
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, rows)?;
            writeln!(out)?;
        }
    }
    Ok(())
}
