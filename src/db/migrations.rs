//! Append-only migrations on `PRAGMA user_version`: migration N brings a database from
//! version N-1 to N. Never edit one that has shipped; add the next.

use rusqlite::{Connection, Transaction, TransactionBehavior};

const MIGRATIONS: &[&str] = &[include_str!("../../schema.sql")];

pub const LATEST_VERSION: i64 = MIGRATIONS.len() as i64;

/// Applies the missing migrations in one exclusive transaction, so that two terminals
/// opening a new database at once do not both apply them.
pub fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    if version(conn)? == LATEST_VERSION {
        return Ok(());
    }
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Exclusive)?;
    // Read again under the lock: another terminal may have migrated meanwhile.
    let current = version(&tx)?;
    for migration in MIGRATIONS
        .iter()
        .skip(usize::try_from(current).unwrap_or(usize::MAX))
    {
        tx.execute_batch(migration)?;
    }
    tx.pragma_update(None, "user_version", LATEST_VERSION)?;
    tx.commit()
}

fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
            .unwrap();
        stmt.query_map([], |row| row.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn migrating_twice_changes_nothing_the_second_time() {
        let conn = Connection::open_in_memory().unwrap();
        migrate(&conn).unwrap();
        let first = tables(&conn);
        migrate(&conn).unwrap();
        assert_eq!(tables(&conn), first);
        assert_eq!(version(&conn).unwrap(), LATEST_VERSION);
        assert_eq!(first, ["login_attempts", "sessions", "users"]);
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
