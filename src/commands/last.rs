//! `console last [USER]`: session history, newest first, as `last` shows it.

use std::io::Write;
use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use super::{Columns, open_swept, time_arg, user_id_of, write_rows};
use crate::cli::LastArgs;
use crate::clock::{self, local_offset, now_ms};
use crate::db::Range;
use crate::i18n::Texts;
use crate::model::{EndReason, Millis, Role, SessionLine};

pub fn run(args: &LastArgs, db_path: &Path, out: &mut dyn Write) -> Result<()> {
    let now = now_ms();
    let present = time_arg("--present", args.present.as_deref(), now)?;
    let mut range = Range {
        since: time_arg("--since", args.since.as_deref(), now)?,
        until: time_arg("--until", args.until.as_deref(), now)?,
        ..Range::default()
    };
    if let Some(at) = present {
        // Connected at T: begun by T, not ended by T.
        (range.since, range.until) = (Some(at), Some(at + 1));
    }
    let db = open_swept(db_path, now)?;
    if let Some(user) = &args.user {
        range.user_id = Some(user_id_of(&db, user)?);
    }
    let rows: Vec<HistorySession> = db
        .sessions_in(&range, args.limit)?
        .iter()
        .map(|s| HistorySession::new(s, now))
        .collect();
    write_rows(
        out,
        args.format,
        &LAST_COLUMNS,
        &rows,
        HistorySession::cells,
    )
}

const LAST_COLUMNS: Columns = Columns {
    table: |t| {
        vec![
            t.col_username,
            t.col_role,
            t.col_host,
            t.col_tty,
            t.col_ip,
            t.col_login,
            t.col_logout,
            t.col_duration,
            t.col_ended,
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
    ],
};

/// A session of the history, as CLI.md gives it to scripts: `logout_time` and
/// `end_reason` are null while it is open, and its duration runs up to now.
#[derive(Serialize)]
struct HistorySession {
    id: i64,
    username: String,
    role: Role,
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
}

impl HistorySession {
    /// As `last` writes it: the time alone when the logout is on the day of the login.
    fn logout_cell(&self, texts: &Texts) -> String {
        let Some(logout) = self.logout_time else {
            return texts.still_logged_in.into();
        };
        let tz = local_offset();
        if clock::format_in(logout, tz, "%F") == clock::format_in(self.login_time, tz, "%F") {
            clock::format_in(logout, tz, "%H:%M")
        } else {
            texts.lang.short_date_time(logout, tz)
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
        }
    }

    fn cells(&self) -> Vec<String> {
        let t = crate::i18n::texts();
        vec![
            self.username.clone(),
            self.role.to_string(),
            self.host.clone(),
            self.tty.clone().unwrap_or_default(),
            self.remote_ip.clone().unwrap_or_default(),
            t.lang.short_date_time(self.login_time, local_offset()),
            self.logout_cell(t),
            t.lang.hours_minutes(self.duration_seconds * 1000),
            self.end_reason
                .map_or("", |reason| t.end_reason(reason))
                .to_string(),
        ]
    }
}
