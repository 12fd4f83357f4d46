//! Accounts: creation, lookup, listing and administration.

use anyhow::Result;

use crate::db::backend::value::{Row, params};
use crate::db::backend::{Dialect, Exec};
use crate::db::backend::{Failure, failure_of};
use crate::db::query::escape_like;
use crate::db::{Db, Target};
use crate::error::Error;
use crate::i18n::{Texts, Words};
use crate::journal::{self, AccountChange, Actor, Ended, Fact};
use crate::model::{
    EndReason, Millis, NewUser, Role, User, UserRecord, UserState, UserSummary, folded,
};

pub(in crate::db) const USER_COLUMNS: &str = "u.id, u.username, u.full_name, u.role, u.disabled, \
                            u.must_change_password, u.locked_until, u.created_at";

/// After USER_COLUMNS: whether the user is online, the last login, the last logout (all
/// kept on the account).
pub(in crate::db) const ACTIVITY_COLUMNS: &str = "u.open_sessions > 0, u.last_login, u.last_logout";

/// A filter on users: name, full name or role; each `?` is the folded pattern
/// (`query::like_pattern`).
pub(in crate::db) const USER_FILTER: &str = "(u.username_key LIKE ? ESCAPE '\\' \
     OR u.full_name_key LIKE ? ESCAPE '\\' OR u.role LIKE ? ESCAPE '\\')";

/// The one transaction lock of everything that could leave no enabled admin.
const LAST_ADMIN_LOCK: &str = "konekte:last-admin";

impl Db {
    /// Whether the database at `target` holds any account, whatever the version of its
    /// schema, read without writing anything (not even an upgrade): the demo, whose
    /// accounts have public passwords, refuses such a database. A SQLite file that is
    /// not there holds none.
    pub fn holds_accounts(target: &Target) -> Result<bool> {
        match target {
            Target::Sqlite(path) => {
                if !crate::db::backend::sqlite::exists(path)? {
                    return Ok(false);
                }
                let conn = rusqlite::Connection::open_with_flags(
                    path,
                    rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
                )
                .map_err(|e| crate::db::backend::sqlite::unreadable(path, &e))?;
                let read = || -> rusqlite::Result<bool> {
                    let has_table: bool = conn.query_row(
                        "SELECT count(*) > 0 FROM sqlite_schema
                         WHERE type = 'table' AND name = 'users'",
                        [],
                        |row| row.get(0),
                    )?;
                    if !has_table {
                        return Ok(false);
                    }
                    conn.query_row("SELECT EXISTS (SELECT 1 FROM users)", [], |row| row.get(0))
                };
                read().map_err(|e| crate::db::backend::sqlite::unreadable(path, &e))
            }
            Target::Postgres(pg) => {
                let client = pg.connect()?;
                let has_table: bool = client
                    .query_one("SELECT to_regclass('users') IS NOT NULL", &[])?
                    .get(0);
                if !has_table {
                    return Ok(false);
                }
                Ok(client
                    .query_one("SELECT EXISTS (SELECT 1 FROM users)", &[])?
                    .get(0))
            }
        }
    }
}

impl Db {
    /// Writes `users` in one transaction: all of them or none. A name that exists already
    /// (perhaps created by another terminal since it was checked) aborts the whole import,
    /// unless `skip_existing`. Returns the indexes in `users` of those created.
    pub fn create_users(
        &self,
        users: &[NewUser],
        skip_existing: bool,
        now: Millis,
    ) -> Result<Vec<usize>> {
        self.write(|tx| {
            let mut created = Vec::with_capacity(users.len());
            for (index, user) in users.iter().enumerate() {
                let exists = tx
                    .query_opt(
                        "SELECT 1 FROM users WHERE username_key = ?1",
                        params![folded(&user.username)],
                    )?
                    .is_some();
                let exists_already = || -> anyhow::Error {
                    Error::bad_input(crate::tr!(
                        user_exists_nothing_written,
                        name = user.username
                    ))
                    .into()
                };
                if exists && skip_existing {
                    continue;
                }
                if exists {
                    return Err(exists_already());
                }
                insert_user(tx, user, now, self.actor().as_ref())
                    // Created elsewhere since the check (PostgreSQL's writers run side by side).
                    .map_err(|e| {
                        if failure_of(&e) == Some(Failure::Unique) {
                            exists_already()
                        } else {
                            e
                        }
                    })?;
                created.push(index);
            }
            Ok(created)
        })
    }

    /// Those of `names` that exist already, each as it is stored.
    pub fn existing_usernames<'a>(
        &self,
        names: impl IntoIterator<Item = &'a str>,
    ) -> Result<Vec<String>> {
        let mut found = Vec::new();
        for name in names {
            if let Some(row) = self.query_opt(
                "SELECT username FROM users WHERE username_key = ?1",
                params![folded(name)],
            )? {
                found.push(row.get(0)?);
            }
        }
        Ok(found)
    }

    /// Every username that starts with `prefix`, in any case.
    pub fn usernames_with_prefix(&self, prefix: &str) -> Result<Vec<String>> {
        let pattern = format!("{}%", escape_like(&prefix.to_lowercase()));
        self.query(
            "SELECT username FROM users WHERE username_key LIKE ?1 ESCAPE '\\'",
            params![pattern],
        )?
        .iter()
        .map(|row| row.get(0))
        .collect()
    }

    pub fn user(&self, username: &str) -> Result<Option<User>> {
        find_user(self, username)
    }

    pub fn user_by_id(&self, id: i64) -> Result<Option<User>> {
        self.query_opt(
            &format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = ?1"),
            params![id],
        )?
        .map(|mut row| user_from_row(&mut row))
        .transpose()
    }

    /// Every account (of one role, if given), by name, with its state, latest session,
    /// number of sessions and connected time (open sessions counted up to `now`). The
    /// totals are kept on the account: they count the sessions a prune has forgotten.
    pub fn list_users(&self, role: Option<Role>, now: Millis) -> Result<Vec<UserRecord>> {
        let Some((path, middle)) = self.split_point()? else {
            return self.users_between(role, now, None, None);
        };
        // A large SQLite office is read in two halves at once, the second on a read-only
        // connection of its own: SQLite reads on one core per connection.
        std::thread::scope(|scope| {
            let second = scope.spawn(|| -> Result<Vec<UserRecord>> {
                let Some(conn) = crate::db::backend::sqlite::open_read_only(&path)? else {
                    return Ok(Vec::new());
                };
                Db::on_file(conn, &path).users_between(role, now, Some(&middle), None)
            });
            let mut users = self.users_between(role, now, None, Some(&middle))?;
            let second = second
                .join()
                .map_err(|_| anyhow::anyhow!("reading the second half of the users failed"))??;
            users.extend(second);
            Ok(users)
        })
    }

    /// Where to cut a listing of a SQLite file's users in two (the file, and the
    /// `username_key` the second half starts at), when there are enough to gain by it.
    fn split_point(&self) -> Result<Option<(std::path::PathBuf, String)>> {
        const WORTH_SPLITTING: i64 = 20_000;
        let Some((path, ..)) = &self.file else {
            return Ok(None);
        };
        let users: i64 = self
            .query_row("SELECT users FROM tallies", params![])?
            .get(0)?;
        if users < WORTH_SPLITTING {
            return Ok(None);
        }
        let middle: Option<String> = self
            .query_opt(
                "SELECT username_key FROM users ORDER BY username_key LIMIT 1 OFFSET ?1",
                params![users / 2],
            )?
            .map(|row| row.get(0))
            .transpose()?;
        Ok(middle.map(|middle| (path.clone(), middle)))
    }

    /// The users of `role` (all if none) whose `username_key` is in [from, to), in
    /// `username_key` order.
    fn users_between(
        &self,
        role: Option<Role>,
        now: Millis,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Vec<UserRecord>> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, {ACTIVITY_COLUMNS}, u.sessions_count,
                    u.connected_ms + CASE WHEN u.open_sessions = 0 THEN 0 ELSE coalesce(
                        (SELECT CAST(sum(?2 - s.login_time) AS BIGINT)
                         FROM sessions s{open_user}
                         WHERE s.user_id = u.id AND s.logout_time IS NULL), 0) END
             FROM users u
             WHERE (CAST(?1 AS TEXT) IS NULL OR u.role = ?1)
               AND (CAST(?3 AS TEXT) IS NULL OR u.username_key >= ?3)
               AND (CAST(?4 AS TEXT) IS NULL OR u.username_key < ?4)
             ORDER BY u.username_key",
            open_user = self.dialect().indexed_by("sessions_open_user"),
        );
        // Row by row: 100 000 accounts are not held twice.
        let mut records = Vec::new();
        let params = params![role.map(Role::as_str), now, from, to];
        self.each(&sql, params, &mut |mut row| {
            records.push(UserRecord {
                summary: summary_from_row(&mut row, now)?,
                sessions: row.get(11)?,
                connected: row.get(12)?,
            });
            Ok(())
        })?;
        Ok(records)
    }

    /// Whether some enabled account is an admin: without one, nobody can open the monitor.
    pub fn has_enabled_admin(&self) -> Result<bool> {
        self.query_row(
            "SELECT EXISTS (SELECT 1 FROM users WHERE role = 'admin' AND NOT disabled)",
            params![],
        )?
        .get(0)
    }

    /// Sets a new password hash; `must_change` makes the user choose another at next login.
    pub fn set_password(&self, username: &str, hash: &str, must_change: bool) -> Result<()> {
        self.write(|tx| {
            let user = require_user(tx, username)?;
            tx.execute(
                "UPDATE users SET password_hash = ?2, must_change_password = ?3 WHERE id = ?1",
                params![user.id, hash, must_change],
            )?;
            let change = AccountChange {
                password: Some(journal::fingerprint(hash)),
                must_change_password: Some(must_change),
                ..AccountChange::default()
            };
            self.changed(tx, self.now(), user.id, change)
        })
    }

    /// A temporary password replaced by the account's owner at first login: their own
    /// act, no admin's. Refused (exit 1) for an account that has none to change. On
    /// PostgreSQL through `konekte_change_temporary_password`, the one password a
    /// terminal role may write.
    pub fn change_temporary_password(&self, user_id: i64, hash: &str) -> Result<()> {
        self.write(|tx| {
            if tx.dialect() == Dialect::Postgres {
                tx.execute(
                    "SELECT konekte_change_temporary_password(?1, ?2, ?3)",
                    params![user_id, hash, self.now()],
                )?;
                return Ok(());
            }
            let changed = tx.execute(
                "UPDATE users SET password_hash = ?2, must_change_password = FALSE
                 WHERE id = ?1 AND must_change_password",
                params![user_id, hash],
            )?;
            if changed == 0 {
                return Err(Error::Refused(crate::said!(no_temporary_password)).into());
            }
            let change = AccountChange {
                password: Some(journal::fingerprint(hash)),
                must_change_password: Some(false),
                ..AccountChange::default()
            };
            super::journal::append(tx, self.now(), Some(user_id), &Fact::AccountChanged(change))?;
            Ok(())
        })
    }

    /// Disables or enables an account. The last enabled admin cannot be disabled: nobody
    /// could open the monitor any more. Disabling ends the account's open sessions
    /// (`forced`, noted "account disabled"): a disabled admin keeps no monitor, a
    /// disabled clerk no session. Returns how many it ended.
    pub fn set_disabled(&self, username: &str, disabled: bool, account: &str) -> Result<u64> {
        let now = self.now();
        self.write(|tx| {
            tx.lock(LAST_ADMIN_LOCK)?;
            let user = require_user(tx, username)?;
            let change = AccountChange {
                disabled: Some(disabled),
                ..AccountChange::default()
            };
            if !disabled {
                tx.execute(
                    "UPDATE users SET disabled = FALSE WHERE id = ?1",
                    params![user.id],
                )?;
                self.changed(tx, now, user.id, change)?;
                return Ok(0);
            }
            refuse_if_last_admin(tx, &user, |texts| texts.last_admin_disable)?;
            tx.execute(
                "UPDATE users SET disabled = TRUE WHERE id = ?1",
                params![user.id],
            )?;
            let ended = tx.query(
                "UPDATE sessions
                 SET logout_time = CASE WHEN ?2 > login_time THEN ?2 ELSE login_time END,
                     end_reason = 'forced', end_note = ?4, ended_by_account = ?3
                 WHERE user_id = ?1 AND logout_time IS NULL
                 RETURNING id, logout_time",
                params![user.id, now, account, DISABLED_NOTE],
            )?;
            self.changed(tx, now, user.id, change)?;
            for row in &ended {
                let fact = Fact::SessionEnded(Ended {
                    logout_time: row.get(1)?,
                    reason: EndReason::Forced.as_str().into(),
                    ended_by: None,
                    ended_by_account: Some(account.into()),
                    note: Some(DISABLED_NOTE.into()),
                    by: self.actor(),
                });
                super::journal::append(tx, now, Some(row.get(0)?), &fact)?;
            }
            Ok(ended.len() as u64)
        })
    }

    /// Lifts a lockout and forgets the failures that led to it. Says whether there was
    /// anything to lift: a lock at `now`, or failures counting towards one.
    pub fn unlock(&self, username: &str, now: Millis) -> Result<bool> {
        self.write(|tx| {
            let user = require_user(tx, username)?;
            let changed = tx.execute(
                "UPDATE users SET failed_attempts = 0, failure_window_start = NULL,
                                  locked_until = NULL
                 WHERE id = ?1 AND (failed_attempts > 0 OR locked_until > ?2)",
                params![user.id, now],
            )?;
            if changed > 0 {
                let change = AccountChange {
                    unlocked: true,
                    ..AccountChange::default()
                };
                self.changed(tx, self.now(), user.id, change)?;
            }
            Ok(changed > 0)
        })
    }

    /// Changes a role. The last enabled admin cannot be demoted.
    pub fn set_role(&self, username: &str, role: Role) -> Result<()> {
        self.write(|tx| {
            tx.lock(LAST_ADMIN_LOCK)?;
            let user = require_user(tx, username)?;
            if role != Role::Admin {
                refuse_if_last_admin(tx, &user, |texts| texts.last_admin_demote)?;
            }
            tx.execute(
                "UPDATE users SET role = ?2 WHERE id = ?1",
                params![user.id, role.as_str()],
            )?;
            let change = AccountChange {
                role: Some(role.as_str().into()),
                ..AccountChange::default()
            };
            self.changed(tx, self.now(), user.id, change)
        })
    }
}

/// The note of the sessions ended because their account was disabled.
const DISABLED_NOTE: &str = "account disabled";

/// Inserts an account, created at `now`, and its entry in the journal; returns its id.
/// `by`: the admin's action that made it (absent for the demo's and benches' offices).
pub(in crate::db) fn insert_user(
    conn: &impl Exec,
    user: &NewUser,
    now: Millis,
    by: Option<&Actor>,
) -> Result<i64> {
    let id: i64 = conn
        .query_row(
            "INSERT INTO users (username, full_name, role, password_hash,
                                must_change_password, created_at, full_name_key)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             RETURNING id",
            params![
                user.username,
                user.full_name,
                user.role.as_str(),
                user.password_hash,
                user.must_change_password,
                now,
                folded(&user.full_name)
            ],
        )?
        .get(0)?;
    let fact = Fact::AccountCreated(journal::Account {
        username: user.username.clone(),
        full_name: user.full_name.clone(),
        role: user.role.as_str().into(),
        disabled: false,
        must_change_password: user.must_change_password,
        password: journal::fingerprint(&user.password_hash),
        by: by.cloned(),
    });
    super::journal::append(conn, now, Some(id), &fact)?;
    Ok(id)
}

impl Db {
    /// The journal's entry for what changed of account `id`, by this connection's
    /// actor.
    pub(in crate::db) fn changed(
        &self,
        tx: &impl Exec,
        at: Millis,
        id: i64,
        change: AccountChange,
    ) -> Result<()> {
        let change = AccountChange {
            by: self.actor(),
            ..change
        };
        super::journal::append(tx, at, Some(id), &Fact::AccountChanged(change))?;
        Ok(())
    }
}

pub(in crate::db) fn find_user(conn: &impl Exec, username: &str) -> Result<Option<User>> {
    conn.query_opt(
        &format!("SELECT {USER_COLUMNS} FROM users u WHERE u.username_key = ?1"),
        params![folded(username)],
    )?
    .map(|mut row| user_from_row(&mut row))
    .transpose()
}

/// The user named `username`, or the error a script gets for a name that does not exist.
pub(in crate::db) fn require_user(conn: &impl Exec, username: &str) -> Result<User> {
    find_user(conn, username)?
        .ok_or_else(|| Error::bad_input(crate::tr!(no_user, name = username)).into())
}

/// `refusal` says why, with a `{name}` placeholder. Inside the last-admin lock.
fn refuse_if_last_admin(
    conn: &impl Exec,
    user: &User,
    action: fn(&Texts) -> &'static str,
) -> Result<()> {
    if user.role != Role::Admin || user.disabled {
        return Ok(());
    }
    let other_admins: i64 = conn
        .query_row(
            "SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled AND id != ?1",
            params![user.id],
        )?
        .get(0)?;
    if other_admins == 0 {
        return Err(
            Error::Refused(Words::new(action, vec![("name", user.username.clone())])).into(),
        );
    }
    Ok(())
}

/// A row of USER_COLUMNS then the activity columns.
pub(in crate::db) fn summary_from_row(row: &mut Row, now: Millis) -> Result<UserSummary> {
    let user = user_from_row(row)?;
    let online: bool = row.get(8)?;
    Ok(UserSummary {
        state: state_of(&user, online, now),
        user,
        last_login: row.get(9)?,
        last_logout: row.get(10)?,
    })
}

/// The account of `row`'s first columns (`USER_COLUMNS`); its texts are moved out.
pub(in crate::db) fn user_from_row(row: &mut Row) -> Result<User> {
    let role: Role = row.take_text(3)?.parse()?;
    Ok(User {
        id: row.get(0)?,
        username: row.take_text(1)?,
        full_name: row.take_text(2)?,
        role,
        disabled: row.get(4)?,
        must_change_password: row.get(5)?,
        locked_until: row.get(6)?,
        created_at: row.get(7)?,
    })
}

fn state_of(user: &User, online: bool, now: Millis) -> UserState {
    if user.disabled {
        UserState::Disabled
    } else if user.is_locked(now) {
        UserState::Locked
    } else if online {
        UserState::Online
    } else {
        UserState::Offline
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn new_user(username: &str, role: Role) -> NewUser {
        NewUser {
            username: username.into(),
            full_name: format!("{username} Full"),
            role,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g".into(),
            must_change_password: false,
        }
    }

    fn db_with(users: &[(&str, Role)]) -> crate::db::testing::TestDb {
        let db = crate::db::testing::db();
        let users: Vec<_> = users.iter().map(|(n, r)| new_user(n, *r)).collect();
        db.create_users(&users, false, 1_000).unwrap();
        db
    }

    #[test]
    fn a_large_office_read_in_two_halves_is_the_whole_office_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let (target, _server) = crate::db::testing::shared(dir.path());
        let db = Db::open(&target).unwrap();
        // Mixed case and roles, inserted out of order.
        let users: Vec<NewUser> = (0..25_000)
            .map(|i| {
                let name = if i % 2 == 0 { "Clerk" } else { "boss" };
                let role = [Role::Archives, Role::Admin][i % 2];
                new_user(&format!("{name}{:05}", (i * 7919) % 25_000), role)
            })
            .collect();
        db.create_users(&users, false, 1_000).unwrap();
        let names = |records: Vec<UserRecord>| -> Vec<String> {
            records
                .into_iter()
                .map(|r| r.summary.user.username)
                .collect()
        };
        let listed = names(db.list_users(None, 2_000).unwrap());
        assert_eq!(
            listed,
            names(db.users_between(None, 2_000, None, None).unwrap())
        );
        assert_eq!(listed.len(), 25_000);
        assert!(
            listed
                .windows(2)
                .all(|w| w[0].to_lowercase() < w[1].to_lowercase())
        );
        let admins = names(db.list_users(Some(Role::Admin), 2_000).unwrap());
        assert_eq!(admins.len(), 12_500);
        assert!(admins.iter().all(|name| name.starts_with("boss")));
    }

    #[test]
    fn usernames_are_unique_whatever_the_case() {
        let db = db_with(&[("Hantz123", Role::Secretaire)]);
        let err = db
            .create_users(&[new_user("hantz123", Role::Admin)], false, 0)
            .unwrap_err();
        assert!(format!("{err}").contains("exists already"));
        assert_eq!(db.existing_usernames(["HANTZ123"]).unwrap(), ["Hantz123"]);
        assert_eq!(db.user("hantz123").unwrap().unwrap().username, "Hantz123");
    }

    #[test]
    fn an_import_with_one_duplicate_writes_nothing() {
        let db = db_with(&[("admin001", Role::Admin)]);
        let batch = [
            new_user("fresh", Role::Archives),
            new_user("ADMIN001", Role::Admin),
        ];
        assert!(db.create_users(&batch, false, 0).is_err());
        assert!(db.user("fresh").unwrap().is_none());
    }

    #[test]
    fn skip_existing_creates_only_the_new_ones() {
        let db = db_with(&[("admin001", Role::Admin)]);
        let batch = [
            new_user("admin001", Role::Admin),
            new_user("fresh", Role::Archives),
        ];
        assert_eq!(db.create_users(&batch, true, 0).unwrap(), [1]);
        assert!(db.user("fresh").unwrap().is_some());
    }

    #[test]
    fn prefixes_match_literally() {
        let db = db_with(&[
            ("admin_1", Role::Admin),
            ("adminX1", Role::Admin),
            ("Admin_2", Role::Admin),
        ]);
        let mut names = db.usernames_with_prefix("admin_").unwrap();
        names.sort();
        assert_eq!(names, ["Admin_2", "admin_1"]);
    }

    #[test]
    fn the_last_enabled_admin_cannot_be_disabled_or_demoted() {
        let db = db_with(&[
            ("boss", Role::Admin),
            ("other", Role::Admin),
            ("clerk", Role::Archives),
        ]);
        db.set_disabled("other", true, "root").unwrap();
        let err = db.set_disabled("boss", true, "root").unwrap_err();
        assert!(format!("{err}").contains("last enabled admin"), "{err}");
        assert!(db.set_role("boss", Role::Directeur).is_err());
        assert_eq!(db.user("boss").unwrap().unwrap().role, Role::Admin);
        db.set_disabled("other", false, "root").unwrap();
        db.set_role("boss", Role::Directeur).unwrap();
        assert_eq!(db.user("boss").unwrap().unwrap().role, Role::Directeur);
        db.set_disabled("clerk", true, "root").unwrap();
    }

    #[test]
    fn administration_of_an_unknown_user_is_bad_input() {
        let db = db_with(&[]);
        let err = db.unlock("nobody", 0).unwrap_err();
        assert_eq!(
            crate::error::exit_code_of(&err),
            crate::error::Exit::DataErr
        );
    }

    #[test]
    fn list_shows_state_and_filters_by_role() {
        let db = db_with(&[
            ("a1", Role::Admin),
            ("d1", Role::Directeur),
            ("d2", Role::Directeur),
        ]);
        db.set_disabled("d2", true, "root").unwrap();
        db.execute(
            "UPDATE users SET locked_until = 5000 WHERE username = 'd1'",
            params![],
        )
        .unwrap();
        let all = db.list_users(None, 4_000).unwrap();
        let states: Vec<_> = all
            .iter()
            .map(|s| (s.summary.user.username.as_str(), s.summary.state))
            .collect();
        assert_eq!(
            states,
            [
                ("a1", UserState::Offline),
                ("d1", UserState::Locked),
                ("d2", UserState::Disabled)
            ]
        );
        assert_eq!(
            db.list_users(None, 5_000).unwrap()[1].summary.state,
            UserState::Offline
        );
        assert_eq!(db.list_users(Some(Role::Directeur), 0).unwrap().len(), 2);
        assert!(db.unlock("d1", 4_000).unwrap());
        assert_eq!(db.user("d1").unwrap().unwrap().locked_until, None);
        assert!(!db.unlock("d1", 4_000).unwrap(), "nothing left to lift");
    }

    #[test]
    fn list_counts_sessions_and_connected_time() {
        let db = db_with(&[("a1", Role::Admin)]);
        let id = db.user("a1").unwrap().unwrap().id;
        let origin = crate::model::Origin::default();
        let s = db.open_session(id, &origin, 5_000, 1_000).unwrap();
        db.close_session(s.id, crate::model::EndReason::Logout, 4_000, None, None)
            .unwrap();
        db.open_session(id, &origin, 5_000, 10_000).unwrap();
        let record = &db.list_users(None, 12_000).unwrap()[0];
        assert_eq!((record.sessions, record.connected), (2, 3_000 + 2_000));
        assert_eq!(record.summary.state, UserState::Online);
        assert_eq!(
            (record.summary.last_login, record.summary.last_logout),
            (Some(10_000), Some(4_000))
        );
    }

    #[test]
    fn passwords_are_replaced_with_their_flag() {
        let db = db_with(&[("a1", Role::Admin)]);
        db.set_password("a1", "$argon2id$new", true).unwrap();
        assert!(db.user("a1").unwrap().unwrap().must_change_password);
        let stored: String = db
            .query_row("SELECT password_hash FROM users", params![])
            .unwrap()
            .get(0)
            .unwrap();
        assert_eq!(stored, "$argon2id$new");
    }
}
