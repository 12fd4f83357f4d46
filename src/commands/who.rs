//! `console who`: who is online now.

use std::collections::HashSet;
use std::io::Write;

use anyhow::Result;

use crate::db::Target;
use serde::Serialize;

use super::{Columns, open_swept, write_rows};
use crate::cli::Format;
use crate::clock;
use crate::model::{Millis, Role, SessionLine, folded, way_in};
use crate::tui::role_name;

pub fn run(format: Format, target: &Target, out: &mut dyn Write) -> Result<()> {
    let (db, now) = open_swept(target)?;
    let sessions = db.open_sessions()?;
    let rows: Vec<LiveSession> = sessions.iter().map(|s| LiveSession::new(s, now)).collect();
    if format != Format::Json {
        return write_rows(out, format, &WHO_COLUMNS, &rows, |row| row.cells(now));
    }
    let active_users = sessions
        .iter()
        // A name with no account is a person too, known by that name.
        .map(|s| (s.user_id, s.user_id.is_none().then(|| folded(&s.username))))
        .collect::<HashSet<_>>()
        .len();
    let who = Who {
        active_users,
        active_sessions: rows.len(),
        timestamp: now,
        sessions: rows,
    };
    serde_json::to_writer(&mut *out, &who)?;
    writeln!(out)?;
    Ok(())
}

/// The JSON of CLI.md: the successor of the earlier web page's count of active users.
/// `active_users` counts people (one at two terminals counts once), `active_sessions`
/// the sessions listed.
#[derive(Serialize)]
struct Who {
    active_users: usize,
    active_sessions: usize,
    #[serde(serialize_with = "clock::serialize_time")]
    timestamp: Millis,
    sessions: Vec<LiveSession>,
}

const WHO_COLUMNS: Columns = Columns {
    table: |t| {
        vec![
            (t.col_id, 0),
            (t.col_username, 0),
            (t.col_role, 2),
            (t.col_via, 2),
            (t.col_since, 0),
            (t.col_duration, 1),
            (t.col_idle, 1),
            (t.col_host, 1),
            (t.col_tty, 3),
            (t.col_ip, 3),
            (t.col_heartbeat, 2),
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
        "idle_seconds",
        "via",
    ],
};

#[derive(Serialize)]
struct LiveSession {
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
    /// Since the last key pressed, as `w` says it (null when the session never told).
    idle_seconds: Option<i64>,
    /// How it was entered: `console` (konekte's screen), `ssh`, `desktop`, `tty`, or
    /// the PAM service as named.
    via: String,
}

impl LiveSession {
    fn new(s: &SessionLine, now: Millis) -> Self {
        LiveSession {
            id: s.id,
            username: s.username.clone(),
            role: s.role,
            login_time: s.login_time,
            last_seen: s.last_seen,
            host: s.host.clone(),
            tty: s.tty.clone(),
            remote_ip: s.remote_ip.clone(),
            terminal: s.terminal.clone(),
            idle_seconds: s.last_key.map(|key| (now - key).max(0) / 1000),
            via: way_in(s.service.as_deref()).into(),
        }
    }

    fn cells(&self, now: Millis) -> Vec<String> {
        let t = crate::i18n::texts();
        vec![
            self.id.to_string(),
            self.username.clone(),
            role_name(self.role),
            self.via.clone(),
            super::local_time(self.login_time),
            t.lang.duration(now - self.login_time),
            self.idle_seconds
                .map(|idle| t.lang.duration(idle * 1000))
                .unwrap_or_default(),
            self.host.clone(),
            super::short_tty(self.tty.as_deref()),
            self.remote_ip.clone().unwrap_or_default(),
            crate::tr!(seconds_ago, seconds = (now - self.last_seen).max(0) / 1000),
        ]
    }
}
