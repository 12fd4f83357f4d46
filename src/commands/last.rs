//! `console last [USER]`: session history, newest first, as `last` shows it.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::{Columns, open_swept, short_tty, time_arg, time_range, user_id_of, write_rows};
use crate::cli::{Format, LastArgs, TimeFormat};
use crate::clock;
use crate::db::{Db, Range, Target};
use crate::i18n::Texts;
use crate::model::{EndReason, Millis, Role, SessionLine, way_in};
use crate::tui::role_name;

pub fn run(args: &LastArgs, target: &Target, out: &mut dyn Write) -> Result<()> {
    let (db, now) = open_swept(target)?;
    let present = time_arg("--present", args.present.as_deref(), now)?;
    let (since, until) = time_range(args.since.as_deref(), args.until.as_deref(), now)?;
    let mut range = Range {
        since,
        until,
        unknown_names: true,
        ..Range::default()
    };
    if let Some(at) = present {
        // Connected at T: begun by T, not ended by T.
        (range.since, range.until) = (Some(at), Some(at + 1));
    }
    if let Some(user) = &args.user {
        // A name the PC logged in that has no account has a history too.
        match user_id_of(&db, user) {
            Ok(id) => range.user_id = Some(id),
            Err(_) if db.unknown_names()?.iter().any(|seen| seen.name == *user) => {
                range.unknown_name = Some(user.clone());
            }
            Err(err) => return Err(err),
        }
    }
    (range.host, range.tty) = (args.host.clone(), args.tty.clone());
    if args.corrections {
        return corrections(&db, &range, args, out);
    }
    let rows: Vec<HistorySession> = db
        .sessions_in(&range, args.limit)?
        .iter()
        .map(|s| HistorySession::new(s, now))
        .collect();
    write_rows(out, args.format, &LAST_COLUMNS, &rows, |row| {
        row.cells(args.time_format)
    })?;
    if args.format == Format::Table {
        // As `last` ends with "wtmp begins": what is older was pruned, or never was.
        let begins = match db.history_begins()? {
            Some(at) => crate::tr!(history_begins, time = time_cell(at, TimeFormat::Full)),
            None => crate::tr!(history_empty),
        };
        writeln!(out, "\n{begins}")?;
    }
    Ok(())
}

/// `last --corrections`: the corrected sessions of `range`, each with the end recorded
/// before (the journal's) beside the end as corrected.
fn corrections(db: &Db, range: &Range, args: &LastArgs, out: &mut dyn Write) -> Result<()> {
    let sessions: Vec<SessionLine> = db
        .sessions_in(range, None)?
        .into_iter()
        .filter(|s| s.correction.is_some())
        .take(args.limit.unwrap_or(usize::MAX))
        .collect();
    let ids: Vec<i64> = sessions.iter().map(|s| s.id).collect();
    let mut recorded = db.recorded_ends(&ids)?;
    let rows: Vec<CorrectedSession> = sessions
        .into_iter()
        .map(|s| {
            let before = recorded.remove(&s.id);
            CorrectedSession {
                id: s.id,
                username: s.username,
                login_time: s.login_time,
                correction: s.correction.unwrap_or_default(),
                recorded_logout_time: before.as_ref().map(|end| end.logout_time),
                recorded_end_reason: before.map(|end| end.reason),
                logout_time: s.logout_time,
                correction_note: s.correction_note,
            }
        })
        .collect();
    write_rows(out, args.format, &CORRECTION_COLUMNS, &rows, |row| {
        row.cells(args.time_format)
    })
}

const CORRECTION_COLUMNS: Columns = Columns {
    table: |t| {
        vec![
            (t.col_id, 0),
            (t.col_username, 0),
            (t.col_login, 0),
            (t.col_recorded, 0),
            (t.col_corrected, 0),
            (t.col_note, 1),
        ]
    },
    fields: &[
        "id",
        "username",
        "login_time",
        "correction",
        "recorded_logout_time",
        "recorded_end_reason",
        "logout_time",
        "correction_note",
    ],
};

/// A corrected session beside what was recorded before its correction.
#[derive(Serialize)]
struct CorrectedSession {
    id: i64,
    username: String,
    #[serde(serialize_with = "clock::serialize_time")]
    login_time: Millis,
    /// `end`, `added` or `void`.
    correction: String,
    /// The end recorded before (null for an added session, or one a prune forgot).
    #[serde(serialize_with = "clock::serialize_rfc3339")]
    recorded_logout_time: Option<Millis>,
    recorded_end_reason: Option<String>,
    /// The end as it stands.
    #[serde(serialize_with = "clock::serialize_rfc3339")]
    logout_time: Option<Millis>,
    correction_note: Option<String>,
}

impl CorrectedSession {
    fn cells(&self, format: TimeFormat) -> Vec<String> {
        let t = crate::i18n::texts();
        let recorded = match (self.recorded_logout_time, &self.recorded_end_reason) {
            (Some(at), Some(reason)) => {
                let reason = EndReason::parse(reason).map_or("", |r| t.end_reason(r));
                format!("{} {reason}", time_cell(at, format))
            }
            _ => String::new(),
        };
        let corrected = match self.correction.as_str() {
            "void" => t.correction_void.to_string(),
            kind => {
                let end = self
                    .logout_time
                    .map(|at| time_cell(at, format))
                    .unwrap_or_default();
                let mark = if kind == "added" {
                    t.correction_added
                } else {
                    t.correction_end
                };
                format!("{end} ({mark})")
            }
        };
        vec![
            self.id.to_string(),
            self.username.clone(),
            time_cell(self.login_time, format),
            recorded,
            corrected,
            self.correction_note.clone().unwrap_or_default(),
        ]
    }
}

/// A time as `--time-format` writes it; `short` is the login's (the logout's is
/// shorter still, `HistorySession::logout_cell`).
fn time_cell(at: Millis, format: TimeFormat) -> String {
    let lang = crate::i18n::texts().lang;
    let tz = clock::Zone::Local;
    match format {
        TimeFormat::Short => lang.short_date_time(at, tz),
        TimeFormat::Full => lang.date_time_seconds(at, tz),
        TimeFormat::Iso => clock::offset_time(at, tz),
    }
}

const LAST_COLUMNS: Columns = Columns {
    table: |t| {
        vec![
            (t.col_id, 0),
            (t.col_username, 0),
            (t.col_role, 2),
            (t.col_via, 2),
            (t.col_host, 1),
            (t.col_tty, 3),
            (t.col_ip, 3),
            (t.col_login, 0),
            (t.col_logout, 0),
            (t.col_duration, 0),
            (t.col_ended, 1),
            (t.col_ended_by, 3),
            (t.col_note, 3),
        ]
    },
    fields: &[
        "id",
        "username",
        "role",
        "login_time",
        "last_seen",
        "host",
        "tty",
        "remote_ip",
        "terminal",
        "logout_time",
        "duration_seconds",
        "end_reason",
        "ended_by",
        "end_note",
        "correction",
        "correction_note",
        "via",
    ],
};

/// A session of the history, as CLI.md gives it to scripts: `logout_time` and
/// `end_reason` are null while it is open, and its duration runs up to now.
#[derive(Serialize)]
struct HistorySession {
    id: i64,
    username: String,
    /// `null` for a name the system logged in that konekte has no account of.
    role: Option<Role>,
    #[serde(serialize_with = "clock::serialize_time")]
    login_time: Millis,
    #[serde(serialize_with = "clock::serialize_time")]
    last_seen: Millis,
    host: String,
    tty: Option<String>,
    remote_ip: Option<String>,
    terminal: Option<String>,
    #[serde(serialize_with = "clock::serialize_rfc3339")]
    logout_time: Option<Millis>,
    duration_seconds: i64,
    end_reason: Option<EndReason>,
    /// Who ended it (`forced`): the admin of the monitor, or the system account that
    /// ran `end-session` or `users disable`; and why.
    ended_by: Option<String>,
    end_note: Option<String>,
    /// An admin's correction: `end` (its end moved), `added`, `void` (left out of the
    /// reports); and its note.
    correction: Option<String>,
    correction_note: Option<String>,
    /// How it was entered: `console` (konekte's screen), `ssh`, `desktop`, `tty`, or
    /// the PAM service as named.
    via: String,
}

impl HistorySession {
    /// As `last` writes it: the time alone when the logout is on the day of the login
    /// (in the short format).
    fn logout_cell(&self, texts: &Texts, format: TimeFormat) -> String {
        let Some(logout) = self.logout_time else {
            return texts.still_logged_in.into();
        };
        match format {
            TimeFormat::Short => texts
                .lang
                .end_time(self.login_time, logout, clock::Zone::Local),
            _ => time_cell(logout, format),
        }
    }

    fn new(s: &SessionLine, now: Millis) -> Self {
        HistorySession {
            id: s.id,
            username: s.username.clone(),
            role: s.role,
            login_time: s.login_time,
            last_seen: s.last_seen,
            host: s.host.clone(),
            tty: s.tty.clone(),
            remote_ip: s.remote_ip.clone(),
            terminal: s.terminal.clone(),
            logout_time: s.logout_time,
            duration_seconds: (s.logout_time.unwrap_or(now) - s.login_time) / 1000,
            end_reason: s.end_reason,
            ended_by: s.ended_by.clone(),
            end_note: s.end_note.clone(),
            correction: s.correction.clone(),
            correction_note: s.correction_note.clone(),
            via: way_in(s.service.as_deref()).into(),
        }
    }

    fn cells(&self, format: TimeFormat) -> Vec<String> {
        let t = crate::i18n::texts();
        vec![
            self.id.to_string(),
            self.username.clone(),
            role_name(self.role),
            self.via.clone(),
            self.host.clone(),
            short_tty(self.tty.as_deref()),
            self.remote_ip.clone().unwrap_or_default(),
            time_cell(self.login_time, format),
            self.logout_cell(t, format),
            t.lang.duration(self.duration_seconds * 1000),
            t.ended(self.end_reason, self.correction.as_deref()),
            self.ended_by.clone().unwrap_or_default(),
            [&self.end_note, &self.correction_note]
                .into_iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join("; "),
        ]
    }
}
