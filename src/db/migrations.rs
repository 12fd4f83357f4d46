//! The schema on `PRAGMA user_version`: a new database is created from `schema.sql` (the
//! whole schema of the latest version); an older one is brought up to it by the upgrade
//! steps, applied in order. A step that has shipped is never edited; the next is added,
//! with the same change made to `schema.sql`, and a test checks that both roads agree.

use rusqlite::{Connection, Transaction, TransactionBehavior};

const SCHEMA: &str = include_str!("../../schema.sql");

/// `UPGRADES[i]` brings a database from version `i + 1` to `i + 2`.
const UPGRADES: &[&str] = &[include_str!("migrations/v2.sql")];

pub const LATEST_VERSION: i64 = UPGRADES.len() as i64 + 1;

/// Creates or upgrades the schema in one exclusive transaction, so that two terminals
/// opening a new database at once do not both do it.
pub fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    if version(conn)? == LATEST_VERSION {
        return Ok(());
    }
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Exclusive)?;
    // Read again under the lock: another terminal may have migrated meanwhile.
    let current = version(&tx)?;
    if current == 0 {
        tx.execute_batch(SCHEMA)?;
    } else {
        let done = usize::try_from(current - 1).unwrap_or(usize::MAX);
        for step in UPGRADES.iter().skip(done) {
            tx.execute_batch(step)?;
        }
    }
    tx.pragma_update(None, "user_version", LATEST_VERSION)?;
    tx.commit()
}

pub(super) fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
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
        migrate(&new).unwrap();
        let old = Connection::open_in_memory().unwrap();
        old.execute_batch(include_str!("migrations/v1.sql"))
            .unwrap();
        old.pragma_update(None, "user_version", 1).unwrap();
        migrate(&old).unwrap();
        assert_eq!(structure(&old), structure(&new));
        assert_eq!(trigger_bodies(&old), trigger_bodies(&new));
        assert_eq!(version(&old).unwrap(), LATEST_VERSION);
    }

    #[test]
    fn an_upgrade_keeps_the_history_and_fills_the_new_columns() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(include_str!("migrations/v1.sql"))
            .unwrap();
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
        migrate(&conn).unwrap();
        let kept: (i64, i64, i64, i64) = conn
            .query_row(
                "SELECT last_login, last_logout, sessions_count, connected_ms FROM users",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!(kept, (5000, 4000, 2, 3000));
    }

    #[test]
    fn migrating_twice_changes_nothing_the_second_time() {
        let conn = Connection::open_in_memory().unwrap();
        migrate(&conn).unwrap();
        let first = structure(&conn);
        migrate(&conn).unwrap();
        assert_eq!(structure(&conn), first);
        assert_eq!(version(&conn).unwrap(), LATEST_VERSION);
    }

    #[test]
    fn a_file_database_reopened_is_not_migrated_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        for _ in 0..2 {
            let conn = Connection::open(&path).unwrap();
            migrate(&conn).unwrap();
            assert_eq!(version(&conn).unwrap(), LATEST_VERSION);
        }
    }
}
