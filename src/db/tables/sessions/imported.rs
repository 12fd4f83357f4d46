//! The history of an earlier system written in (`console import`): its accounts first,
//! then its sessions, a thousand to a transaction so that terminals are never kept
//! waiting long, each session once however often the file is imported (its key), and
//! the import's own entry last. What is written was checked whole before: a bad record
//! never leaves half an import.

use std::collections::{HashMap, HashSet};

use anyhow::Result;

use crate::db::Db;
use crate::db::backend::Exec;
use crate::db::backend::value::params;
use crate::db::tables::journal;
use crate::db::tables::users::{find_user, insert_user};
use crate::earlier::{Earlier, EarlierSession, Source};
use crate::journal::{AccountChange, Fact, Imported, ImportedSession};
use crate::model::{Millis, NewUser, folded};

/// Sessions written per transaction.
const CHUNK: usize = 1000;

/// The password of an account brought in without one: no PHC string, so that nothing
/// matches it (`auth::verify_password`) until an admin gives one.
pub const NO_PASSWORD: &str = "!";

/// How long apart a login recorded by `console pam` and the same login in wtmp may be.
const SAME_LOGIN_MS: Millis = 2_000;

/// What an import added and found there already.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportCount {
    pub sessions: i64,
    pub accounts: i64,
    /// Sessions and accounts there already.
    pub known: i64,
    /// The accounts added, which need a password.
    pub new_accounts: Vec<String>,
}

impl Db {
    /// Writes `earlier` from `source`'s `file` (`bad`: how many records were left out),
    /// or with `dry_run` counts what it would write and writes nothing.
    pub fn import_earlier(
        &self,
        source: Source,
        file: &str,
        earlier: &Earlier,
        bad: usize,
        dry_run: bool,
    ) -> Result<ImportCount> {
        let now = self.now();
        let mut count = ImportCount::default();
        let mut accounts = Vec::new();
        for account in &earlier.accounts {
            if find_user(self, &account.username)?.is_some() {
                count.known += 1;
            } else {
                accounts.push(account);
            }
        }
        count.accounts = accounts.len() as i64;
        count.new_accounts = accounts.iter().map(|a| a.username.clone()).collect();
        if !dry_run && !accounts.is_empty() {
            self.write(|tx| {
                for account in &accounts {
                    let user = NewUser {
                        username: account.username.clone(),
                        full_name: account.full_name.clone(),
                        role: account.role,
                        password_hash: NO_PASSWORD.into(),
                        must_change_password: true,
                    };
                    let id = insert_user(tx, &user, now, self.actor().as_ref())?;
                    // Its first day of attendance is the one it had there.
                    tx.execute(
                        "UPDATE users SET created_at = ?2, disabled = ?3 WHERE id = ?1",
                        params![id, account.joined.unwrap_or(now).min(now), account.disabled],
                    )?;
                    if account.disabled {
                        let change = AccountChange {
                            disabled: Some(true),
                            ..AccountChange::default()
                        };
                        self.changed(tx, now, id, change)?;
                    }
                }
                Ok(())
            })?;
        }
        let ids = self.account_ids(&earlier.sessions)?;
        let mut new = Vec::new();
        let mut here = self.here_already(source, &earlier.sessions)?;
        for session in &earlier.sessions {
            // A record the file holds twice is one session.
            if here.knows(session) || !here.keys.insert(session.key.clone()) {
                count.known += 1;
            } else {
                new.push(session);
            }
        }
        count.sessions = new.len() as i64;
        if dry_run {
            return Ok(count);
        }
        for chunk in new.chunks(CHUNK) {
            self.write(|tx| {
                for session in chunk {
                    let user_id = ids.get(&folded(&session.name)).copied().flatten();
                    insert_imported(tx, source, session, user_id, now)?;
                }
                Ok(())
            })?;
        }
        let fact = Fact::Imported(Imported {
            source: source.as_str().into(),
            file: file.into(),
            sessions: count.sessions,
            accounts: count.accounts,
            known: count.known,
            bad: bad as i64,
            by: self.actor(),
        });
        self.write(|tx| journal::append(tx, now, None, &fact).map(drop))?;
        Ok(count)
    }

    /// The account of each name the sessions were recorded under (in any case), or
    /// none: such a session is kept under its name, as a PAM login of no account is.
    fn account_ids(&self, sessions: &[EarlierSession]) -> Result<HashMap<String, Option<i64>>> {
        let mut ids = HashMap::new();
        for session in sessions {
            let name = folded(&session.name);
            if let std::collections::hash_map::Entry::Vacant(slot) = ids.entry(name) {
                slot.insert(find_user(self, &session.name)?.map(|user| user.id));
            }
        }
        Ok(ids)
    }

    /// What of `sessions` the database holds already, read in two statements (an
    /// import of a year's wtmp would otherwise ask once per record): the keys of the
    /// sessions of earlier imports of `source`, and (wtmp) the logins `console pam`
    /// recorded live over the same span.
    fn here_already(&self, source: Source, sessions: &[EarlierSession]) -> Result<HereAlready> {
        let mut here = HereAlready::default();
        for row in self.query(
            "SELECT session_key FROM sessions WHERE service = ?1",
            params![source.as_str()],
        )? {
            here.keys.insert(row.get(0)?);
        }
        let logins = sessions.iter().map(|session| session.login_time);
        let (Some(first), Some(last)) = (logins.clone().min(), logins.max()) else {
            return Ok(here);
        };
        if source != Source::Wtmp {
            return Ok(here);
        }
        for row in self.query(
            "SELECT login_name, host, tty, login_time FROM sessions
             WHERE login_time BETWEEN ?1 AND ?2 AND service IS NOT NULL
               AND service NOT IN ('wtmp', 'django') AND login_name IS NOT NULL",
            params![first - SAME_LOGIN_MS, last + SAME_LOGIN_MS],
        )? {
            let (name, host, tty, at): (String, String, Option<String>, Millis) =
                (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
            here.live.entry((name, host)).or_default().push((tty, at));
        }
        Ok(here)
    }
}

/// A login `console pam` recorded: its PAM_TTY, and when.
type LiveLogin = (Option<String>, Millis);

/// The sessions a database holds already, as an import asks.
#[derive(Default)]
struct HereAlready {
    /// The keys of the sessions imported before (and of this import so far).
    keys: HashSet<String>,
    /// The logins `console pam` recorded, by name and host.
    live: HashMap<(String, String), Vec<LiveLogin>>,
}

impl HereAlready {
    /// Imported before, or recorded live by `console pam` on the same PC within a
    /// moment of it, on its line (sshd tells PAM `ssh`, no line: the name and the moment
    /// say it then).
    fn knows(&self, session: &EarlierSession) -> bool {
        if self.keys.contains(&session.key) {
            return true;
        }
        let line = session.tty.as_deref().map(without_dev);
        let same_line = |tty: &Option<String>| match tty.as_deref().map(without_dev) {
            Some(tty) if tty.starts_with("tty") || tty.starts_with("pts/") => Some(tty) == line,
            _ => true,
        };
        self.live
            .get(&(session.name.clone(), session.host.clone()))
            .is_some_and(|logins| {
                logins.iter().any(|(tty, at)| {
                    (at - session.login_time).abs() <= SAME_LOGIN_MS && same_line(tty)
                })
            })
    }
}

/// `/dev/pts/3` as wtmp writes it: `pts/3`.
fn without_dev(tty: &str) -> &str {
    tty.strip_prefix("/dev/").unwrap_or(tty)
}

fn insert_imported(
    tx: &impl Exec,
    source: Source,
    session: &EarlierSession,
    user_id: Option<i64>,
    now: Millis,
) -> Result<()> {
    let id: i64 = tx
        .query_row(
            "INSERT INTO sessions (user_id, session_key, host, tty, remote_ip, terminal, pid,
                                   login_time, last_seen, heartbeat_ms, logout_time, end_reason,
                                   service, login_name)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?9, ?10, ?11, ?12)
             RETURNING id",
            params![
                user_id,
                session.key,
                session.host,
                session.tty,
                session.remote,
                session.terminal,
                session.pid,
                session.login_time,
                session.logout_time,
                session.reason.as_str(),
                source.as_str(),
                session.name
            ],
        )?
        .get(0)?;
    let fact = Fact::SessionImported(ImportedSession {
        user_id,
        login_time: session.login_time,
        logout_time: session.logout_time,
        reason: session.reason.as_str().into(),
        host: session.host.clone(),
        tty: session.tty.clone(),
        remote_ip: session.remote.clone(),
        terminal: session.terminal.clone(),
        service: source.as_str().into(),
        login_name: session.name.clone(),
    });
    journal::append(tx, now, Some(id), &fact).map(drop)
}
