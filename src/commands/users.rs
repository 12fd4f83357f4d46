//! `console users list | passwd | disable | enable | unlock | set-role`.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, Result};
use serde::Serialize;

use super::{Columns, write_rows};
use crate::auth;
use crate::cli::UsersCommand;
use crate::clock;
use crate::db::{Db, Target, UnknownName};
use crate::error::Error;
use crate::model::{Millis, Role, UserRecord, UserState};
use crate::tr;
use zeroize::Zeroizing;

pub fn run(command: UsersCommand, target: &Target, out: &mut dyn Write) -> Result<()> {
    if let UsersCommand::List {
        unknown: true,
        format,
        ..
    } = command
    {
        let db = super::open_as_admin(target)?;
        let rows = db.unknown_names()?;
        return write_rows(out, format, &UNKNOWN_COLUMNS, &rows, unknown_cells);
    }
    if let UsersCommand::List { role, format, .. } = command {
        let (db, now) = super::open_swept(target)?;
        let rows: Vec<UserRow> = db
            .list_users(role, now)?
            .into_iter()
            .map(UserRow::from)
            .collect();
        return write_rows(out, format, &LIST_COLUMNS, &rows, UserRow::cells);
    }
    let db = super::open_as_admin(target)?;
    // What the command writes: the account, and for `disable` its sessions.
    let writes: &[&str] = match command {
        UsersCommand::Disable { .. } => &["users", "sessions"],
        _ => &["users"],
    };
    db.check_integrity(writes)?;
    match command {
        UsersCommand::List { .. } => unreachable!("listed above"),
        UsersCommand::Passwd {
            user,
            password_stdin,
            temporary,
        } => passwd(&db, &user, password_stdin, temporary),
        UsersCommand::Disable { user } => {
            let ended = db.set_disabled(&user, true, &crate::origin::os_account())?;
            done(&tr!(disabled_user, name = user))?;
            if ended > 0 {
                done(&tr!(disabled_user_sessions, count = ended))?;
            }
            Ok(())
        }
        UsersCommand::Enable { user } => {
            db.set_disabled(&user, false, &crate::origin::os_account())?;
            done(&tr!(enabled_user, name = user))
        }
        UsersCommand::Unlock { user } => {
            if db.unlock(&user, db.now())? {
                done(&tr!(unlocked_user, name = user))
            } else {
                done(&tr!(was_not_locked, name = user))
            }
        }
        UsersCommand::SetRole { user, role } => {
            db.set_role(&user, role)?;
            done(&tr!(role_changed, name = user, role = role))
        }
    }
}

const UNKNOWN_COLUMNS: Columns = Columns {
    table: |t| {
        vec![
            (t.col_username, 0),
            (t.col_sessions, 0),
            (t.col_first_login, 1),
            (t.col_last_login, 0),
        ]
    },
    fields: &["name", "sessions", "first_login", "last_login"],
};

fn unknown_cells(name: &UnknownName) -> Vec<String> {
    vec![
        name.name.clone(),
        name.sessions.to_string(),
        super::local_time(name.first_login),
        super::local_time(name.last_login),
    ]
}

const LIST_COLUMNS: Columns = Columns {
    table: |t| {
        vec![
            (t.col_username, 0),
            (t.col_full_name, 1),
            (t.col_role, 2),
            (t.col_state, 0),
            (t.col_last_login, 0),
            (t.col_last_logout, 3),
            (t.col_sessions, 3),
            (t.col_connected, 3),
        ]
    },
    fields: &[
        "username",
        "full_name",
        "role",
        "state",
        "last_login",
        "last_logout",
        "sessions",
        "connected_seconds",
    ],
};

/// One line of `users list` as scripts read it: UTC times in RFC 3339, null when never.
#[derive(Serialize)]
struct UserRow {
    username: String,
    full_name: String,
    role: Role,
    state: UserState,
    #[serde(serialize_with = "clock::serialize_rfc3339")]
    last_login: Option<Millis>,
    #[serde(serialize_with = "clock::serialize_rfc3339")]
    last_logout: Option<Millis>,
    sessions: i64,
    connected_seconds: i64,
}

impl From<UserRecord> for UserRow {
    fn from(record: UserRecord) -> Self {
        let summary = record.summary;
        UserRow {
            username: summary.user.username,
            full_name: summary.user.full_name,
            role: summary.user.role,
            state: summary.state,
            last_login: summary.last_login,
            last_logout: summary.last_logout,
            sessions: record.sessions,
            connected_seconds: record.connected / 1000,
        }
    }
}

impl UserRow {
    fn cells(&self) -> Vec<String> {
        let t = crate::i18n::texts();
        let local = |at: Option<Millis>| at.map_or_else(|| "-".to_string(), super::local_time);
        vec![
            self.username.clone(),
            self.full_name.clone(),
            self.role.to_string(),
            t.state(self.state).to_string(),
            local(self.last_login),
            local(self.last_logout),
            self.sessions.to_string(),
            t.lang.duration(self.connected_seconds * 1000),
        ]
    }
}

fn passwd(db: &Db, username: &str, from_stdin: bool, temporary: bool) -> Result<()> {
    if db.user(username)?.is_none() {
        return Err(Error::bad_input(tr!(no_user, name = username)).into());
    }
    let password = if from_stdin {
        read_password_line()?
    } else {
        prompt_new_password()?
    };
    if let Some(problem) = auth::password_problem(&password) {
        return Err(Error::bad_input(problem.to_string()).into());
    }
    db.set_password(username, &auth::hash_password(&password)?, temporary)?;
    done(&tr!(password_changed, name = username))
}

/// The first line of stdin, without its line ending. Read up to what the longest
/// password takes in UTF-8 (and its line ending): `/dev/zero` is refused, not swallowed.
fn read_password_line() -> Result<String> {
    read_password_from(std::io::stdin().lock())
}

fn read_password_from(input: impl BufRead) -> Result<String> {
    const MOST_BYTES: u64 = 4 * auth::MAX_PASSWORD_LEN as u64 + 2;
    let mut line = Vec::new();
    input
        .take(MOST_BYTES)
        .read_until(b'\n', &mut line)
        .context("reading the password from stdin")?;
    let line = Zeroizing::new(line);
    let ended = line.ends_with(b"\n");
    if !ended && line.len() as u64 >= MOST_BYTES {
        return Err(Error::bad_input(auth::PasswordProblem::TooLong.to_string()).into());
    }
    let text = std::str::from_utf8(&line).map_err(|_| Error::bad_input(tr!(password_not_utf8)))?;
    Ok(text.trim_end_matches(['\n', '\r']).to_string())
}

fn prompt_new_password() -> Result<String> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::Usage(crate::said!(password_stdin_needed)).into());
    }
    Ok(dialoguer::Password::new()
        .with_prompt(tr!(new_password))
        .with_confirmation(tr!(repeat_password), tr!(prompt_passwords_differ))
        .validate_with(|p: &String| {
            auth::password_problem(p).map_or(Ok(()), |e| Err(e.to_string()))
        })
        .interact()?)
}

/// Confirms an administrative change on stderr (stdout stays for data).
fn done(message: &str) -> Result<()> {
    eprintln!("{message}");
    Ok(())
}
