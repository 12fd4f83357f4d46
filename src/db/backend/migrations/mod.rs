//! The schema's versions, one number for both backends: a new database is created
//! from the whole schema of the latest version (`schema.sql`, `schema.postgres.sql`);
//! an older one is brought up by the upgrade steps, applied in order. A step that has
//! shipped is never edited; the next is added, with the same change made to the whole
//! schemas, and a test checks that both roads agree. SQLite keeps the version in
//! `PRAGMA user_version`, PostgreSQL in the table `konekte_schema`.

use anyhow::Result;
use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::failure::server_reason;
use super::postgres::{PgClient, PgTarget};
use crate::error::Error;

const SQLITE_SCHEMA: &str = include_str!("../../../../schema.sql");
const POSTGRES_SCHEMA: &str = include_str!("../../../../schema.postgres.sql");

/// One upgrade: from a version to the next, in each dialect (`None` before the
/// backend existed: no database of it can be that old; PostgreSQL's first is 4).
struct Upgrade {
    sqlite: &'static str,
    postgres: Option<&'static str>,
}

/// `UPGRADES[i]` brings a database from version `i + 1` to `i + 2`.
const UPGRADES: &[Upgrade] = &[
    Upgrade {
        sqlite: include_str!("v2.sql"),
        postgres: None,
    },
    Upgrade {
        sqlite: include_str!("v3.sql"),
        postgres: None,
    },
    Upgrade {
        sqlite: include_str!("v4.sql"),
        postgres: None,
    },
    Upgrade {
        sqlite: include_str!("v5.sql"),
        postgres: Some(include_str!("v5.postgres.sql")),
    },
    Upgrade {
        sqlite: include_str!("v6.sql"),
        postgres: Some(include_str!("v6.postgres.sql")),
    },
    Upgrade {
        sqlite: include_str!("v7.sql"),
        postgres: Some(include_str!("v7.postgres.sql")),
    },
    Upgrade {
        sqlite: include_str!("v8.sql"),
        postgres: Some(include_str!("v8.postgres.sql")),
    },
    Upgrade {
        sqlite: include_str!("v9.sql"),
        postgres: Some(include_str!("v9.postgres.sql")),
    },
    Upgrade {
        sqlite: include_str!("v10.sql"),
        postgres: Some(include_str!("v10.postgres.sql")),
    },
    Upgrade {
        sqlite: include_str!("v11.sql"),
        postgres: Some(include_str!("v11.postgres.sql")),
    },
];

/// The version whose step lets a session have no account (a name the system logged in
/// that konekte does not know), which SQLite's schema text gets from konekte after it.
const SESSIONS_WITHOUT_USER: i64 = 11;

/// The version whose step adds the folded names, which PostgreSQL's rows get from
/// konekte after it (SQLite's from `konekte_fold` within the step).
const FOLDED_NAMES: i64 = 6;

pub const LATEST_VERSION: i64 = UPGRADES.len() as i64 + 1;

/// Whoever holds it migrates; the others wait, then find the schema up to date.
const MIGRATION_LOCK: i64 = 0x6b6f_6e65_6b74_6501;

/// Creates or upgrades the schema in one exclusive transaction, so that two terminals
/// opening a new database at once do not both do it.
pub fn migrate_sqlite(conn: &Connection) -> rusqlite::Result<()> {
    if sqlite_version(conn)? == LATEST_VERSION {
        return Ok(());
    }
    // The upgrade steps fold names with konekte's own rule.
    conn.create_scalar_function(
        "konekte_fold",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| Ok(crate::model::folded(&ctx.get::<String>(0)?)),
    )?;
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Exclusive)?;
    // Read again under the lock: another terminal may have migrated meanwhile.
    let current = sqlite_version(&tx)?;
    if current == 0 {
        tx.execute_batch(SQLITE_SCHEMA)?;
    } else {
        for step in steps_from(current) {
            tx.execute_batch(step.sqlite)?;
        }
        if current < SESSIONS_WITHOUT_USER {
            allow_sessions_without_user(&tx)?;
        }
    }
    tx.pragma_update(None, "user_version", LATEST_VERSION)?;
    tx.commit()
}

/// Drops the NOT NULL of `sessions.user_id`. SQLite has no ALTER COLUMN; a constraint
/// taken away changes nothing stored, so its documented way is to edit the table's text
/// in the schema and tell every connection the schema changed
/// (<https://sqlite.org/lang_altertable.html>, "making other kinds of table schema
/// changes"), rather than copy every session into a new table.
fn allow_sessions_without_user(tx: &Connection) -> rusqlite::Result<()> {
    let version: i64 = tx.pragma_query_value(None, "schema_version", |row| row.get(0))?;
    tx.pragma_update(None, "writable_schema", true)?;
    tx.execute(
        "UPDATE sqlite_schema
         SET sql = replace(sql, 'user_id      INTEGER NOT NULL REFERENCES users (id)',
                                'user_id      INTEGER REFERENCES users (id)')
         WHERE type = 'table' AND name = 'sessions'",
        [],
    )?;
    tx.pragma_update(None, "schema_version", version + 1)?;
    tx.pragma_update(None, "writable_schema", false)
}

pub fn sqlite_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

fn steps_from(version: i64) -> impl Iterator<Item = &'static Upgrade> {
    UPGRADES
        .iter()
        .skip(usize::try_from(version - 1).unwrap_or(usize::MAX))
}

/// The version of the konekte schema in the database, `None` if it has none; another
/// program's tables, or a newer version, are refused (exit 74) before anything is
/// written.
pub fn postgres_version(client: &PgClient, target: &PgTarget) -> Result<Option<i64>> {
    let refused = |words: crate::i18n::Words| -> anyhow::Error { Error::Database(words).into() };
    let unreadable = |e: anyhow::Error| -> anyhow::Error { unreadable(target, &e).into() };
    // Read from the catalog tables themselves: to_regclass() would answer from a cache
    // that, inside the migration's transaction, may not have seen another's commit. One
    // statement, one snapshot: a terminal creating the schema meanwhile is seen whole
    // or not at all, never as tables without konekte's.
    let row = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM information_schema.tables
                            WHERE table_schema = current_schema()
                              AND table_name = 'konekte_schema'),
                    (SELECT count(*) FROM information_schema.tables
                     WHERE table_schema = current_schema())",
            &[],
        )
        .map_err(unreadable)?;
    let (ours, tables): (bool, i64) = (row.get(0), row.get(1));
    if !ours {
        if tables > 0 {
            return Err(refused(crate::said!(
                pg_foreign,
                target = target.describe()
            )));
        }
        return Ok(None);
    }
    let version: i64 = client
        .query_one("SELECT max(version) FROM konekte_schema", &[])
        .map_err(unreadable)?
        .get(0);
    if version > LATEST_VERSION {
        return Err(refused(crate::said!(
            db_newer,
            path = target.describe(),
            found = version,
            known = LATEST_VERSION
        )));
    }
    Ok(Some(version))
}

/// The database named as unreadable, with the server's own reason.
fn unreadable(target: &PgTarget, err: &anyhow::Error) -> Error {
    Error::Database(crate::said!(
        db_unreadable,
        path = target.describe(),
        error = server_reason(err)
    ))
}

/// Creates or upgrades the schema, in one transaction under an advisory lock: two
/// terminals starting at once on an empty database create it once.
pub fn migrate_postgres(client: &PgClient, target: &PgTarget) -> Result<()> {
    if postgres_version(client, target)? == Some(LATEST_VERSION) {
        return Ok(());
    }
    let failed = |e: anyhow::Error| unreadable(target, &e);
    client.batch_execute("BEGIN").map_err(failed)?;
    let migrated = migrate_in_transaction(client, target);
    let ended = if migrated.is_ok() {
        client.batch_execute("COMMIT")
    } else {
        client.batch_execute("ROLLBACK")
    };
    migrated?;
    ended.map_err(failed)?;
    Ok(())
}

fn migrate_in_transaction(client: &PgClient, target: &PgTarget) -> Result<()> {
    let failed = |e: anyhow::Error| unreadable(target, &e);
    client
        .query_one("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(failed)?;
    // Read again under the lock: another terminal may have migrated meanwhile.
    match postgres_version(client, target)? {
        None => client.batch_execute(POSTGRES_SCHEMA).map_err(failed)?,
        Some(version) => {
            for step in steps_from(version) {
                if let Some(sql) = step.postgres {
                    client.batch_execute(sql).map_err(failed)?;
                }
            }
            if version < FOLDED_NAMES {
                fold_existing_names(client).map_err(failed)?;
            }
            client
                .query_one(
                    "UPDATE konekte_schema SET version = $1 RETURNING version",
                    &[&LATEST_VERSION],
                )
                .map_err(failed)?;
        }
    }
    Ok(())
}

/// The folded names of the rows a PostgreSQL database held before version 6, one
/// statement per distinct name (there are about as many as accounts).
fn fold_existing_names(client: &PgClient) -> Result<()> {
    for (table, name, key) in [
        ("users", "full_name", "full_name_key"),
        ("login_attempts", "username_typed", "typed_key"),
    ] {
        let names = client.query(&format!("SELECT DISTINCT {name} FROM {table}"), &[])?;
        for row in names {
            let text: String = row.get(0);
            client.execute(
                &format!("UPDATE {table} SET {key} = $1 WHERE {name} = $2"),
                &[&crate::model::folded(&text), &text],
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every table's columns, every index's columns and condition, every trigger: what
    /// a query can tell apart, whatever the text the schema was written in.
    fn structure(conn: &Connection) -> Vec<String> {
        let mut found = Vec::new();
        let mut objects = conn
            .prepare(
                "SELECT type, name, tbl_name FROM sqlite_schema
                 WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
            )
            .unwrap();
        let objects: Vec<(String, String, String)> = objects
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for (kind, name, table) in objects {
            let rows = match kind.as_str() {
                "table" => pragma_rows(conn, &format!("PRAGMA table_xinfo({name})")),
                "index" => {
                    let mut rows = pragma_rows(conn, &format!("PRAGMA index_xinfo({name})"));
                    rows.push(partial_condition(conn, &name));
                    rows
                }
                _ => vec![],
            };
            found.push(format!("{kind} {name} on {table}: {rows:?}"));
        }
        found
    }

    fn pragma_rows(conn: &Connection, pragma: &str) -> Vec<String> {
        let mut stmt = conn.prepare(pragma).unwrap();
        let count = stmt.column_count();
        stmt.query_map([], |row| {
            Ok((0..count)
                .map(|i| format!("{:?}", row.get_ref(i).unwrap()))
                .collect::<Vec<_>>()
                .join(","))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    }

    /// The WHERE of a partial index, whitespace folded.
    fn partial_condition(conn: &Connection, index: &str) -> String {
        let sql: Option<String> = conn
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE name = ?1",
                [index],
                |r| r.get(0),
            )
            .unwrap();
        let sql = sql.unwrap_or_default();
        let condition = sql.split_once(" WHERE ").map_or("", |(_, c)| c);
        condition.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn trigger_bodies(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT sql FROM sqlite_schema WHERE type = 'trigger' ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .map(|sql| {
                sql.unwrap()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    #[test]
    fn an_upgraded_database_has_the_schema_of_a_new_one() {
        let new = Connection::open_in_memory().unwrap();
        migrate_sqlite(&new).unwrap();
        let old = Connection::open_in_memory().unwrap();
        old.execute_batch(include_str!("v1.sql")).unwrap();
        old.pragma_update(None, "user_version", 1).unwrap();
        migrate_sqlite(&old).unwrap();
        assert_eq!(structure(&old), structure(&new));
        assert_eq!(trigger_bodies(&old), trigger_bodies(&new));
        assert_eq!(sqlite_version(&old).unwrap(), LATEST_VERSION);
    }

    #[test]
    fn an_upgrade_keeps_the_history_and_fills_the_new_columns() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(include_str!("v1.sql")).unwrap();
        conn.execute_batch(
            "PRAGMA user_version = 1;
             INSERT INTO users (id, username, role, password_hash, created_at)
             VALUES (1, 'ann', 'archives', 'x', 0);
             INSERT INTO sessions (user_id, session_key, host, login_time, last_seen,
                                   logout_time, end_reason)
             VALUES (1, 'a', 'desk', 1000, 4000, 4000, 'logout'),
                    (1, 'b', 'desk', 5000, 6000, NULL, NULL);",
        )
        .unwrap();
        migrate_sqlite(&conn).unwrap();
        let kept: (i64, i64, i64, i64, i64) = conn
            .query_row(
                "SELECT last_login, last_logout, sessions_count, connected_ms, open_sessions
                 FROM users",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .unwrap();
        assert_eq!(kept, (5000, 4000, 2, 3000, 1));
        let tallied: i64 = conn
            .query_row("SELECT users FROM tallies", [], |r| r.get(0))
            .unwrap();
        assert_eq!(tallied, 1);
    }

    #[test]
    fn an_upgrade_folds_the_names_already_there_as_konekte_does() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(include_str!("v1.sql")).unwrap();
        conn.execute_batch(
            "PRAGMA user_version = 1;
             INSERT INTO users (id, username, full_name, role, password_hash, created_at)
             VALUES (1, 'edouard', 'Édouard Pierre', 'archives', 'x', 0);
             INSERT INTO login_attempts (username_typed, at, outcome)
             VALUES ('ÉZÉCHIEL', 1, 'unknown_user');",
        )
        .unwrap();
        migrate_sqlite(&conn).unwrap();
        let keys: (String, String) = conn
            .query_row(
                "SELECT full_name_key, (SELECT typed_key FROM login_attempts) FROM users",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(keys, ("édouard pierre".into(), "ézéchiel".into()));
    }

    #[test]
    fn migrating_twice_changes_nothing_the_second_time() {
        let conn = Connection::open_in_memory().unwrap();
        migrate_sqlite(&conn).unwrap();
        let first = structure(&conn);
        migrate_sqlite(&conn).unwrap();
        assert_eq!(structure(&conn), first);
        assert_eq!(sqlite_version(&conn).unwrap(), LATEST_VERSION);
    }

    #[test]
    fn a_file_database_reopened_is_not_migrated_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        for _ in 0..2 {
            let conn = Connection::open(&path).unwrap();
            migrate_sqlite(&conn).unwrap();
            assert_eq!(sqlite_version(&conn).unwrap(), LATEST_VERSION);
        }
    }
}
