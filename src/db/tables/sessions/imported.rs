//! The history of an earlier system written in (`console import`): its accounts first,
//! then its sessions, a thousand to a transaction so that terminals are never kept
//! waiting long, each session once however often the file is imported (its key), and
//! the import's own entry last. What is written was checked whole before: a bad record
//! never leaves half an import.

use std::collections::HashMap;

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
        let mut keys = std::collections::HashSet::new();
        for session in &earlier.sessions {
            // A record the file holds twice is one session.
            if !keys.insert(session.key.as_str()) || self.known(source, session)? {
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

    /// Whether `session` is here already: imported before, or (wtmp) recorded live by
    /// `console pam` on the same line within a moment of it.
    fn known(&self, source: Source, session: &EarlierSession) -> Result<bool> {
        if self
            .query_opt(
                "SELECT 1 FROM sessions WHERE session_key = ?1",
                params![session.key],
            )?
            .is_some()
        {
            return Ok(true);
        }
        if source != Source::Wtmp {
            return Ok(false);
        }
        let live = self.query_opt(
            "SELECT 1 FROM sessions
             WHERE login_time BETWEEN ?1 AND ?2 AND login_name = ?3 AND tty = ?4
               AND service IS NOT NULL AND service NOT IN ('wtmp', 'django')",
            params![
                session.login_time - SAME_LOGIN_MS,
                session.login_time + SAME_LOGIN_MS,
                session.name,
                session.tty
            ],
        )?;
        Ok(live.is_some())
    }
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
