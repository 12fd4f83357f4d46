//! The command line (CLI.md). Only clap types here: doc comments are the help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::auth::LockBy;
use crate::i18n::Lang;
use crate::model::{Millis, Role};

/// konekte: who logs in to the office's terminals, and when they log out.
///
/// Every terminal of the office shares one database: a SQLite file on one PC, or a
/// PostgreSQL server for many. Staff log in at a shared terminal; admins watch who is
/// online; scripts add users and read the history.
#[derive(Debug, Parser)]
#[command(name = "console", version, propagate_version = true)]
pub struct Cli {
    /// The database: a SQLite file [default: CONSOLE_DB, else `db` of the configuration
    /// files, else /var/lib/konekte/konekte.db on a system install, else
    /// ~/.local/share/konekte/konekte.db], created with its folder by add-users (readable
    /// by its owner only), or a PostgreSQL server,
    /// postgres://USER@HOST[:PORT]/DATABASE[?sslmode=…] (the password from ~/.pgpass or
    /// PGPASSWORD, never here). The demo reads no CONSOLE_DB: it never touches the
    /// office's database unless given one here.
    #[arg(long, global = true, value_name = "PATH|URL")]
    pub db: Option<PathBuf>,

    /// The language of what people read [default: CONSOLE_LANG, else `lang` of the
    /// configuration files, else LC_ALL, LC_MESSAGES or LANG (fr_* French, ht_* Haitian
    /// Creole), else English]. CSV, JSON and exit codes
    /// do not change with it.
    #[arg(long, global = true, value_enum, value_name = "LANG")]
    pub lang: Option<Lang>,

    #[command(subcommand)]
    pub command: Option<Command>,

    /// Without a command: `console login` with these options (ignored with a command).
    #[command(flatten)]
    pub login: LoginArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The full-screen login of a shared terminal (what a bare `console` runs).
    ///
    /// After each logout it waits for the next person, unless --once.
    Login(LoginArgs),
    /// The admin's live monitor: all users, who is online now, who just left.
    ///
    /// Asks for an admin's credentials first, like a terminal's login.
    Monitor(TerminalArgs),
    /// The whole product on a throw-away database: the sample users, a few simulated
    /// terminals logging in and out, and the live monitor.
    ///
    /// The database is temporary and removed at the end, unless --db is given on the
    /// command line (CONSOLE_DB is ignored here, so that a demo never writes into the
    /// office's real database).
    Demo(DemoArgs),
    /// Who is online now, one line per open session (its id is what end-session takes).
    Who {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Session history, newest first, with duration and how each ended (as `last`).
    Last(LastArgs),
    /// Connected time per user or per day over a range (as `ac`), with a total.
    ///
    /// Only the part of each session inside the range counts; a session across midnight
    /// is split between its days; an open session counts up to now.
    Report(ReportArgs),
    /// Failed login attempts, newest first, with a count per name typed (as `lastb`).
    Failures(FailuresArgs),
    /// Correct the history, never overwriting it: move a session's end, add a session
    /// the terminals never saw, or void one recorded in error.
    ///
    /// `correct ID --end T --note TEXT`, `correct --add USER --start T --end T --note
    /// TEXT`, `correct ID --void --note TEXT`. The row shows the correction, `last`
    /// marks it, and the journal keeps what was recorded before. A correction that
    /// would overlap another session of the person, end before it starts or lie in the
    /// future is refused (exit 65).
    Correct(CorrectArgs),
    /// Every admin action the journal records: accounts added or changed, sessions
    /// ended by an admin, corrections, prunes; who did it (the system account, or the
    /// monitor's admin), where, to what, and their note.
    Audit(AuditArgs),
    /// Delete ended sessions and login attempts older than a time, so that history does
    /// not grow without bound. Open sessions are never touched.
    Prune {
        /// Delete what ended (sessions) or happened (attempts) before this time.
        #[arg(long, value_name = "T")]
        before: String,
        /// Count what would be deleted, and delete nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// End a live session from the shell (end reason `forced`); its terminal notices
    /// within one heartbeat and returns to the login screen.
    EndSession {
        /// The session's id, as `console who` shows it.
        session_id: i64,
        /// Why, kept with the session.
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
    /// Copy this office's whole database (users, sessions, attempts, with their ids)
    /// into another, empty one: a SQLite file into a PostgreSQL server, to move an
    /// office from one PC to many.
    ///
    /// The database copied from is --db (or CONSOLE_DB); nothing of it changes. The one
    /// copied into must hold no user; the copy is one transaction, all or nothing.
    Copy {
        /// Where to: a postgres:// URL (its password in ~/.pgpass or PGPASSWORD, never
        /// here), or a SQLite path.
        #[arg(long, value_name = "URL|PATH")]
        to: PathBuf,
    },
    /// A consistent copy of the office's SQLite file while its terminals run (SQLite's
    /// online backup; a plain cp taken during the day can miss what the WAL holds).
    ///
    /// The copy is written beside FILE and put in its place once whole and checked,
    /// mode 0600. On PostgreSQL, use the server's own tool: pg_dump (see the README).
    Backup {
        /// The copy's path; an existing file there is refused (--force replaces it).
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
        /// Replace the file at --to.
        #[arg(long)]
        force: bool,
    },
    /// Check the record against its journal: every link of the hash chain, then every
    /// account, session and login attempt against what the journal says of it.
    ///
    /// Exit 0 with one line (entries, head, time span); exit 1 with each finding on its
    /// own line, naming the row ("session 812: logout_time differs from the journal");
    /// exit 74 for a database that cannot be read. What the README's "The journal"
    /// says it cannot prove, it says too.
    Verify {
        /// Also find each checkpoint of FILE (written by `checkpoint --witness`, by the
        /// monitor, or read out of the system log) in the chain: a database rolled back
        /// or rebuilt behind one fails.
        #[arg(long, value_name = "FILE")]
        witness: Option<PathBuf>,
    },
    /// Write the journal's head where the terminals cannot: a line with the time, the
    /// last entry and its hash, appended to FILE or sent to the system log.
    ///
    /// Keep the file out of the terminals' reach (an admin's own folder, another
    /// machine); `verify --witness FILE` checks the database against it later.
    #[command(group(clap::ArgGroup::new("where").required(true).multiple(true)))]
    Checkpoint {
        /// Append the checkpoint to FILE (made 0600 if missing).
        #[arg(long, value_name = "FILE", group = "where")]
        witness: Option<PathBuf>,
        /// Send it to the system log (journald or syslog, facility auth).
        #[arg(long, group = "where")]
        syslog: bool,
    },
    /// Record this PC's own logins (SSH, a desktop, a text console): for pam_exec in a
    /// PAM session stack, `session optional pam_exec.so /usr/bin/console pam`.
    ///
    /// Reads PAM_TYPE, PAM_USER, PAM_SERVICE, PAM_TTY and PAM_RHOST. Never asks, never
    /// fails a login: at most 2 s, every problem to the system log, and exit 0.
    Pam,
    /// Beat for this PC's system logins and close those whose process is gone: one per
    /// machine, under systemd (konekte-agent.service).
    Agent {
        /// How often to beat. A system session silent for three beats is taken for
        /// lost, judged from any terminal.
        #[arg(long, env = "CONSOLE_HEARTBEAT", value_name = "DURATION", default_value = "5s", value_parser = crate::clock::parse_duration)]
        heartbeat: Millis,
    },
    /// Expected hours, for a role or a person (whose schedule overrides the role's), in
    /// the office's local time.
    #[command(subcommand)]
    Schedule(ScheduleCommand),
    /// Follow the journal live: one line per event as it happens (a login, a logout and
    /// how, a failed attempt, a lockout, a correction, an admin's action), each with the
    /// journal id `--after` resumes past.
    Watch(WatchArgs),
    /// The monthly sheet of each person (or of the users named): each day's expected
    /// hours, first in, last out, time connected and exceptions, corrections marked, the
    /// month's totals, and the journal's head as it was taken (to check the signed paper
    /// against the database later with `verify --witness`).
    Sheet(SheetArgs),
    /// Close a month (YYYY-MM) once it is over: nothing that would change its record
    /// (a correction, a schedule, a holiday or a leave) is written until it is reopened.
    CloseMonth {
        #[arg(value_name = "YYYY-MM")]
        month: String,
        /// Why, or who signed: kept in the journal.
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },
    /// Open a closed month again, with why.
    ReopenMonth {
        #[arg(value_name = "YYYY-MM")]
        month: String,
        #[arg(long, value_name = "TEXT", required = true)]
        note: String,
    },
    /// Who came late, left early, was absent, ended without a logout or stayed on,
    /// day by day, against their expected hours (`schedule`), holidays and leave.
    Exceptions(ExceptionsArgs),
    /// Days off for everyone.
    #[command(subcommand)]
    Holiday(HolidayCommand),
    /// A person's leave, from one date to another, both included.
    #[command(subcommand)]
    Leave(LeaveCommand),
    /// PostgreSQL only, run once by the owner of konekte's tables: make the role the
    /// terminals connect as, and the role of the monitors and shell commands.
    ///
    /// The terminal role writes only through konekte's functions: it records attempts,
    /// opens sessions, beats and ends its own, and cannot change or delete any row. The
    /// admin role reads and changes the record. Missing roles are created with LOGIN and
    /// no password; run again, it grants the same.
    Roles {
        /// The role every terminal (`console login`) connects as.
        #[arg(long, value_name = "ROLE")]
        terminal: String,
        /// The role of the admins' monitors and shell commands.
        #[arg(long, value_name = "ROLE")]
        admin: String,
    },
    /// Add user accounts: from a CSV file, by role and count, or one by one at prompts.
    ///
    /// The accounts created are written to stdout as CSV (username,role,password), with
    /// the password only for those generated: it is shown this once and never again.
    /// Everything else goes to stderr.
    AddUsers(AddUsersArgs),
    /// Manage user accounts.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Each setting in effect and where it came from (as git config --show-origin).
    ///
    /// A flag, the environment, the user's file ($XDG_CONFIG_HOME/konekte/konekte.toml),
    /// the PC's (/etc/konekte/konekte.toml), or the default: the first that says wins.
    /// A file holds the settings by their flag's name (`idle-timeout = "10m"`,
    /// `lock-after = 3`, `[exec-role]` then `archives = "scan"`); CONSOLE_CONFIG_SYSTEM
    /// and CONSOLE_CONFIG_USER name other files (empty: none). A key konekte does not
    /// know, or a value its flag would refuse, stops every command (exit 78).
    Config {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// The completions of the command line for SHELL (bash, zsh, fish…), to install
    /// where the package does not: `console completions bash > FILE`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// The manual page of console, or of one command (`console man login | man -l -`).
    Man {
        /// The command whose page to print.
        #[arg(value_name = "COMMAND", conflicts_with = "dir")]
        command: Option<String>,
        /// Write every page (console.1, console-login.1…) into DIR instead.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Bring in the history the office already has (a wtmp file, the Django system's).
    ///
    /// The PC's own logins from a wtmp file, or the sessions and users of the earlier
    /// Django system. Importing the same file again adds nothing. Every fact is journaled, with one
    /// entry for the import; a bad record is one line with its position, and nothing is
    /// written if there is one (unless --skip-bad).
    Import(ImportArgs),
}

#[derive(Debug, Clone, Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["wtmp", "django"])))]
pub struct ImportArgs {
    /// A Linux wtmp file (/var/log/wtmp, as `last -f FILE` reads it): each login with
    /// its logout; one cut short by a reboot as lost at the reboot. Names are matched
    /// to accounts in any case; the others are kept under the name, as PAM's logins are.
    /// Several, oldest first (`--wtmp /var/log/wtmp.1 /var/log/wtmp`): a login of one
    /// that ends in the next is one session.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub wtmp: Vec<PathBuf>,
    /// A `manage.py dumpdata` JSON of the Django system's users and UserSession rows:
    /// the users (without passwords: give each one with `users passwd`) and their
    /// sessions.
    #[arg(long, value_name = "FILE")]
    pub django: Option<PathBuf>,
    /// The PC the wtmp file was written on [default: this one].
    #[arg(long, value_name = "NAME", requires = "wtmp")]
    pub host: Option<String>,
    /// Take the good records and leave the bad ones out (each still said on stderr).
    #[arg(long)]
    pub skip_bad: bool,
    /// Say what would be added and skipped, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Args)]
pub struct LoginArgs {
    /// Exit after the first session ends (for an SSH ForceCommand or a login shell).
    #[arg(long)]
    pub once: bool,
    /// After a login, run CMD (with `sh -c`) as the session, in a pseudo-terminal of its
    /// own, with KONEKTE_USER, KONEKTE_ROLE and KONEKTE_SESSION set: when it exits the
    /// session ends as a logout. Keys keep the session alive, the program's output does
    /// not; at the idle timeout, an admin's end or a hangup it gets SIGHUP, then SIGKILL.
    #[arg(long, env = "CONSOLE_EXEC", value_name = "CMD")]
    pub exec: Option<String>,
    /// The program of one role, over --exec (repeatable): `--exec-role archives=scan`.
    #[arg(long, value_name = "ROLE=CMD", value_parser = parse_role_program)]
    pub exec_role: Vec<(Role, String)>,
    #[command(flatten)]
    pub terminal: TerminalArgs,
}

/// Times (T) read: 2026-11-24, 2026-11-24T09:00 (local time), RFC 3339, today,
/// yesterday, or a time ago: 30m, 2h, 7d.
#[derive(Debug, Clone, Args)]
pub struct LastArgs {
    /// Only this user's sessions.
    pub user: Option<String>,
    /// Sessions still going at or after T.
    #[arg(long, value_name = "T")]
    pub since: Option<String>,
    /// Sessions begun before T.
    #[arg(long, value_name = "T")]
    pub until: Option<String>,
    /// Who was connected at T.
    #[arg(long, value_name = "T", conflicts_with_all = ["since", "until"])]
    pub present: Option<String>,
    /// At most N sessions.
    #[arg(short = 'n', long = "limit", value_name = "N")]
    pub limit: Option<usize>,
    /// Only sessions at this host (any case).
    #[arg(long, value_name = "HOST")]
    pub host: Option<String>,
    /// Only sessions on this tty (`pts/3` or `/dev/pts/3`).
    #[arg(long, value_name = "TTY")]
    pub tty: Option<String>,
    /// How the table writes times: short (`11-24 09:15`, the logout's day only when it
    /// is not the login's), full (date and seconds), iso (RFC 3339, with the offset).
    #[arg(long, value_enum, default_value_t = TimeFormat::Short, value_name = "FORMAT")]
    pub time_format: TimeFormat,
    /// Only the corrected sessions, each with the end recorded before its correction
    /// (as the journal keeps it) beside the end as corrected, and the note.
    #[arg(long)]
    pub corrections: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TimeFormat {
    Short,
    Full,
    Iso,
}

/// Times (T) as for `last`. Connected time counts a person at two terminals at once
/// once (`summed` adds the sessions up instead).
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// Only this user's time.
    pub user: Option<String>,
    /// From T [default: the beginning of the history].
    #[arg(long, value_name = "T")]
    pub since: Option<String>,
    /// Until T [default: now].
    #[arg(long, value_name = "T")]
    pub until: Option<String>,
    /// One line per user, per day (the office's), or per user and day (attendance).
    #[arg(long, value_enum, default_value_t = ReportBy::User)]
    pub by: ReportBy,
    /// Only users of this role.
    #[arg(long, value_name = "ROLE")]
    pub role: Option<Role>,
    /// The lines without time too: every user (of the role), every day of the range.
    #[arg(long)]
    pub all: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportBy {
    User,
    Day,
    UserDay,
}

/// Times (T) as for `last`.
#[derive(Debug, Clone, Args)]
pub struct FailuresArgs {
    /// Only attempts with this name typed (any case).
    pub user: Option<String>,
    /// Attempts at or after T.
    #[arg(long, value_name = "T")]
    pub since: Option<String>,
    /// At most N attempts.
    #[arg(short = 'n', long = "limit", value_name = "N")]
    pub limit: Option<usize>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Clone, Args)]
pub struct CorrectArgs {
    /// The session to correct, as `last` shows its id.
    #[arg(conflicts_with = "add")]
    pub session_id: Option<i64>,
    /// Add a session of USER, from --start to --end.
    #[arg(long, value_name = "USER", requires = "start", requires = "end")]
    pub add: Option<String>,
    /// When the added session began.
    #[arg(long, value_name = "T", requires = "add")]
    pub start: Option<String>,
    /// When the session ended.
    #[arg(long, value_name = "T", conflicts_with = "void")]
    pub end: Option<String>,
    /// The session was recorded in error: keep it, out of the reports.
    #[arg(long)]
    pub void: bool,
    /// Why: kept with the session and in the journal.
    #[arg(long, value_name = "TEXT", required = true)]
    pub note: String,
}

#[derive(Debug, Clone, Args)]
pub struct AuditArgs {
    /// Actions at or after T.
    #[arg(long, value_name = "T")]
    pub since: Option<String>,
    /// Actions before T.
    #[arg(long, value_name = "T")]
    pub until: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// How many simulated terminals log in and out.
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=50))]
    pub terminals: u16,
    #[command(flatten)]
    pub terminal: TerminalArgs,
}

/// How a terminal keeps its sessions.
#[derive(Debug, Clone, Args)]
pub struct TerminalArgs {
    /// Log out after this long without a key press (90s, 15m, 1h); a countdown shows in
    /// the last minute. `off` (the monitor only, for a wall screen) never logs out: whoever
    /// passes by the screen then has the admin's monitor.
    #[arg(long, env = "CONSOLE_IDLE_TIMEOUT", value_name = "DURATION", default_value = "15m", value_parser = parse_idle_timeout)]
    pub idle_timeout: IdleTimeout,
    /// How often the terminal tells the database it is alive. A session silent for three
    /// beats is taken for lost.
    #[arg(long, env = "CONSOLE_HEARTBEAT", value_name = "DURATION", default_value = "5s", value_parser = crate::clock::parse_duration)]
    pub heartbeat: Millis,
    /// Lock an account after this many failed logins within --lock-minutes.
    #[arg(long, env = "CONSOLE_LOCK_AFTER", value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    pub lock_after: u32,
    /// How long failures are counted, and how long a lock lasts, in minutes.
    #[arg(long, env = "CONSOLE_LOCK_MINUTES", value_name = "MINUTES", default_value_t = 15, value_parser = clap::value_parser!(u32).range(1..))]
    pub lock_minutes: u32,
    /// What the failures lock: the account tried, the terminal or address they came
    /// from (for every name: a passer-by cannot lock the admins out), or both.
    #[arg(long, env = "CONSOLE_LOCK_BY", value_enum, default_value_t = LockBy::Account)]
    pub lock_by: LockBy,
    /// Ctrl-C on the login screen does nothing: for a kiosk, where leaving would hand
    /// the terminal to whatever started console.
    #[arg(long)]
    pub no_quit: bool,
}

fn parse_role_program(text: &str) -> Result<(Role, String), String> {
    let (role, command) = text
        .split_once('=')
        .ok_or_else(|| format!("{text}: expected ROLE=CMD"))?;
    let role = role.trim().parse::<Role>().map_err(|err| err.to_string())?;
    if command.trim().is_empty() {
        return Err(format!("{text}: no command after ="));
    }
    Ok((role, command.to_string()))
}

/// A duration, or none (`off`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdleTimeout(pub Option<Millis>);

fn parse_idle_timeout(text: &str) -> Result<IdleTimeout, String> {
    crate::clock::parse_idle_timeout(text).map(IdleTimeout)
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("source").required(true).args(["file", "role", "interactive"]))]
pub struct AddUsersArgs {
    /// A CSV file with the header username,full_name,role,password (UTF-8). full_name and
    /// password may be empty; an empty password is generated.
    #[arg(long, value_name = "FILE.csv")]
    pub file: Option<PathBuf>,

    /// Create COUNT users of this role: admin, directeur, secretaire or archives.
    #[arg(long, value_name = "ROLE", requires = "count")]
    pub role: Option<Role>,

    /// How many users to create with --role (1 to 10000).
    #[arg(long, value_name = "N", requires = "role",
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub count: Option<u32>,

    /// Name the users PREFIX001, PREFIX002..., numbering on from the highest that exists
    /// [default: the role's name].
    #[arg(long, value_name = "P", requires = "role")]
    pub prefix: Option<String>,

    /// Ask for each user at prompts (needs a terminal).
    #[arg(long)]
    pub interactive: bool,

    /// Check everything and write nothing, not even a new database file.
    #[arg(long)]
    pub dry_run: bool,

    /// With --file: leave out users that exist already instead of refusing the import.
    #[arg(long, requires = "file")]
    pub skip_existing: bool,

    /// With --file: the passwords given in the file must be changed at first login, as
    /// generated ones always are (for a file that others have seen).
    #[arg(long, requires = "file")]
    pub temporary: bool,

    /// Print the accounts created without the CSV header: for appending to a file of
    /// earlier ones (`umask 077; console add-users … --no-header >> passwords.csv`).
    #[arg(long)]
    pub no_header: bool,
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Every user with role, state (online, offline, disabled, locked), last login and
    /// last logout.
    List {
        /// Only users of this role.
        #[arg(long, value_name = "ROLE", conflicts_with = "unknown")]
        role: Option<Role>,
        /// The names this PC's own logins (`console pam`) were made under that have no
        /// account: how many sessions, first and last login.
        #[arg(long)]
        unknown: bool,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Set a user's password: prompted twice, or one line on stdin.
    Passwd {
        user: String,
        /// Read the password from the first line of stdin (for scripts).
        #[arg(long)]
        password_stdin: bool,
        /// Make the user choose a new password at the next login.
        #[arg(long)]
        temporary: bool,
    },
    /// Disable an account: it can no longer log in (the last enabled admin cannot be).
    Disable { user: String },
    /// Enable a disabled account.
    Enable { user: String },
    /// Lift a lockout after repeated failed logins.
    Unlock { user: String },
    /// Change a user's role (the last enabled admin cannot be demoted).
    SetRole { user: String, role: Role },
}

/// How a listing is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table for people, fitted to the terminal.
    Table,
    /// CSV with a header line, UTC times in RFC 3339.
    Csv,
    /// JSON, UTC times in RFC 3339.
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn roles_are_read_in_any_case() {
        let cli = Cli::try_parse_from([
            "console",
            "add-users",
            "--role",
            "Secrétaire",
            "--count",
            "2",
        ])
        .unwrap();
        let Some(Command::AddUsers(args)) = cli.command else {
            panic!()
        };
        assert_eq!(args.role, Some(Role::Secretaire));
    }

    #[test]
    fn a_bare_console_logs_in_with_the_defaults() {
        let cli = Cli::try_parse_from(["console"]).unwrap();
        assert!(cli.command.is_none());
        let defaults = cli.login;
        assert!(!defaults.once);
        assert_eq!(
            defaults.terminal.idle_timeout,
            IdleTimeout(Some(15 * 60_000))
        );
        assert_eq!(defaults.terminal.heartbeat, 5_000);
        assert_eq!(
            (defaults.terminal.lock_after, defaults.terminal.lock_minutes),
            (5, 15)
        );
    }

    #[test]
    fn login_options_work_without_the_word_login() {
        let cli = Cli::try_parse_from(["console", "--once", "--idle-timeout", "2m"]).unwrap();
        assert!(cli.login.once);
        assert_eq!(cli.login.terminal.idle_timeout, IdleTimeout(Some(120_000)));
        // Global options go before or after a command.
        let cli = Cli::try_parse_from(["console", "--db", "x.db", "--lang", "fr", "users", "list"])
            .unwrap();
        assert_eq!(cli.db.as_deref(), Some(std::path::Path::new("x.db")));
        assert_eq!(cli.lang, Some(crate::i18n::Lang::Fr));
    }

    #[test]
    fn add_users_needs_exactly_one_source() {
        assert!(Cli::try_parse_from(["console", "add-users"]).is_err());
        assert!(
            Cli::try_parse_from(["console", "add-users", "--file", "a.csv", "--interactive"])
                .is_err()
        );
        assert!(Cli::try_parse_from(["console", "add-users", "--role", "admin"]).is_err());
        assert!(
            Cli::try_parse_from(["console", "add-users", "--role", "admin", "--count", "0"])
                .is_err()
        );
    }
}

/// Whose schedule: one of a role or a person.
#[derive(Debug, Clone, Args)]
#[group(required = true, multiple = false)]
pub struct Whose {
    /// The schedule of everyone of ROLE who has none of their own.
    #[arg(long, value_name = "ROLE")]
    pub role: Option<String>,
    /// The schedule of USER alone.
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
}

#[derive(Debug, Clone, Subcommand)]
pub enum ScheduleCommand {
    /// Set a span of expected hours on some days: `--days mon-fri --start 08:00 --end 16:00`.
    Set {
        #[command(flatten)]
        whose: Whose,
        /// The days: mon-fri, mon,wed,fri, sat…
        #[arg(long, value_name = "DAYS")]
        days: String,
        /// When the span starts, HH:MM local time.
        #[arg(long, value_name = "HH:MM")]
        start: String,
        /// When it ends, HH:MM (24:00 for midnight).
        #[arg(long, value_name = "HH:MM")]
        end: String,
        /// How late an arrival, or how early a departure, is still on time: 10m, 1h
        /// (none when not given).
        #[arg(long, value_name = "D", value_parser = crate::clock::parse_duration)]
        grace: Option<crate::model::Millis>,
        /// Add this span beside the days' others (a split day) rather than replace them.
        #[arg(long)]
        add: bool,
        /// From this date on (the day after the last closed month when not given).
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
    },
    /// Every schedule set.
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Expect no hours of a role or a person any more.
    Clear {
        #[command(flatten)]
        whose: Whose,
        /// From this date on (the day after the last closed month when not given).
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum HolidayCommand {
    /// Make DATE (YYYY-MM-DD) a day off for everyone.
    Add {
        #[arg(value_name = "DATE")]
        date: String,
        /// What the day is: Noël, Fête du Drapeau…
        #[arg(long, value_name = "TEXT")]
        name: String,
    },
    /// Every holiday, by date.
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Make DATE a working day again.
    Remove {
        #[arg(value_name = "DATE")]
        date: String,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum LeaveCommand {
    /// USER is on leave from --from to --to (dates, both included).
    Add {
        #[arg(value_name = "USER")]
        user: String,
        #[arg(long, value_name = "DATE")]
        from: String,
        #[arg(long, value_name = "DATE")]
        to: String,
        /// Why: sick, holiday, training…
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// The leaves of USER, or everyone's.
    List {
        #[arg(value_name = "USER")]
        user: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Take leave ID back (as `leave list` shows it).
    Remove {
        #[arg(value_name = "ID")]
        id: i64,
    },
}

#[derive(Debug, Clone, Args)]
pub struct ExceptionsArgs {
    /// One person's only.
    #[arg(value_name = "USER")]
    pub user: Option<String>,
    /// From the day of T (the last seven days when not given).
    #[arg(long, value_name = "T")]
    pub since: Option<String>,
    /// Up to T (now when not given).
    #[arg(long, value_name = "T")]
    pub until: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Clone, Args)]
pub struct WatchArgs {
    #[arg(long, value_enum, default_value_t = WatchFormat::Text)]
    pub format: WatchFormat,
    /// Start after the last event handled, so that a watcher restarted misses nothing
    /// and repeats nothing: its `resume` (ID:MS), or a journal entry's ID (the
    /// exceptions then from that entry's time); from now on when not given.
    #[arg(long, value_name = "ID")]
    pub after: Option<String>,
    /// Run CMD (with `sh -c`) once per event, the event's JSON on its stdin, as git runs
    /// its hooks: to send a mail or a chat message.
    #[arg(long, value_name = "CMD")]
    pub exec: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WatchFormat {
    /// A line for people.
    Text,
    /// One JSON object a line.
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct SheetArgs {
    /// The month, YYYY-MM.
    #[arg(long, value_name = "YYYY-MM")]
    pub month: String,
    /// Only these people's sheets.
    #[arg(value_name = "USER")]
    pub users: Vec<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the sheets to sign to FILE as a PDF, one A4 page per person, in the
    /// language of --lang (mode 0600: it names people and their hours).
    #[arg(long, value_name = "FILE.pdf", conflicts_with = "format")]
    pub output: Option<PathBuf>,
}
