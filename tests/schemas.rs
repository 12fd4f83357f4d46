//! The two schemas, read back from each database's own catalogue: SQLite's and
//! PostgreSQL's hold the same tables, columns, nullability, unique keys and foreign
//! keys; and a PostgreSQL database of the oldest schema, upgraded, is the same as a new
//! one (`pg_dump --schema-only` of both). Skipped without a PostgreSQL server, except
//! under CI.

use std::collections::BTreeSet;
use std::process::Command;

use konekte::db::testing::{PgDatabase, postgres_server};
use konekte::db::{Db, PgClient, Target};

/// Everything compared, one line a fact: `table.column nullable`, `table unique (a, b)`,
/// `table.column -> other.column`.
type Facts = BTreeSet<String>;

/// The facts of a new SQLite database.
fn sqlite_facts() -> Facts {
    let dir = tempfile::tempdir().expect("a folder");
    let path = dir.path().join("new.db");
    drop(Db::open(&Target::Sqlite(path.clone())).expect("a new SQLite database"));
    let conn = rusqlite::Connection::open(&path).expect("open");
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .expect("tables")
        .query_map([], |row| row.get(0))
        .expect("tables")
        .map(|name| name.expect("a name"))
        .collect();
    let mut facts = Facts::new();
    for table in &tables {
        facts.insert(format!("table {table}"));
        let rows = |sql: &str| -> Vec<Vec<rusqlite::types::Value>> {
            let mut statement = conn.prepare(sql).expect("a pragma");
            let columns = statement.column_count();
            statement
                .query_map([], |row| (0..columns).map(|i| row.get(i)).collect())
                .expect("rows")
                .map(|row| row.expect("a row"))
                .collect()
        };
        let text = |value: &rusqlite::types::Value| match value {
            rusqlite::types::Value::Text(text) => text.clone(),
            rusqlite::types::Value::Integer(n) => n.to_string(),
            other => format!("{other:?}"),
        };
        // cid, name, type, notnull, default, pk, hidden
        for column in rows(&format!("PRAGMA table_xinfo({table})")) {
            let not_null = text(&column[3]) == "1" || text(&column[5]) != "0";
            let name = text(&column[1]);
            facts.insert(format!("{table}.{name} {}", nullability(not_null)));
        }
        // seq, name, unique, origin, partial
        for index in rows(&format!("PRAGMA index_list({table})")) {
            if text(&index[2]) != "1" {
                continue;
            }
            let columns: Vec<String> = rows(&format!("PRAGMA index_info({})", text(&index[1])))
                .iter()
                .map(|c| text(&c[2]))
                .collect();
            facts.insert(format!("{table} unique ({})", columns.join(", ")));
        }
        // id, seq, table, from, to
        for key in rows(&format!("PRAGMA foreign_key_list({table})")) {
            facts.insert(format!(
                "{table}.{} -> {}.{}",
                text(&key[3]),
                text(&key[2]),
                text(&key[4])
            ));
        }
    }
    facts
}

fn nullability(not_null: bool) -> &'static str {
    if not_null { "not null" } else { "null" }
}

/// The facts of a PostgreSQL database, konekte's version table aside (SQLite keeps the
/// version in `PRAGMA user_version`).
fn postgres_facts(client: &PgClient) -> Facts {
    let mut facts = Facts::new();
    let lines = |sql: &str| -> Vec<String> {
        client
            .query(sql, &[])
            .expect("the catalogue")
            .iter()
            .map(|row| row.get(0))
            .collect()
    };
    facts.extend(lines(
        "SELECT 'table ' || table_name FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_name <> 'konekte_schema'",
    ));
    facts.extend(lines(
        "SELECT table_name || '.' || column_name || ' ' ||
                CASE WHEN is_nullable = 'YES' THEN 'null' ELSE 'not null' END
         FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name <> 'konekte_schema'",
    ));
    facts.extend(lines(
        "SELECT t.relname || ' unique (' ||
                string_agg(a.attname, ', ' ORDER BY k.n) || ')'
         FROM pg_index i
         JOIN pg_class t ON t.oid = i.indrelid
         JOIN pg_namespace s ON s.oid = t.relnamespace AND s.nspname = current_schema()
         CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
         WHERE i.indisunique AND NOT i.indisprimary
         GROUP BY t.relname, i.indexrelid",
    ));
    facts.extend(lines(
        "SELECT kcu.table_name || '.' || kcu.column_name || ' -> ' ||
                ccu.table_name || '.' || ccu.column_name
         FROM information_schema.table_constraints tc
         JOIN information_schema.key_column_usage kcu
           ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
         JOIN information_schema.constraint_column_usage ccu
           ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema
         WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema()",
    ));
    facts
}

#[test]
fn sqlite_and_postgresql_have_one_schema() {
    let Some(server) = postgres_server("the two schemas agree") else {
        return;
    };
    let database = PgDatabase::new(&server);
    drop(Db::open(&Target::Postgres(Box::new(database.target.clone()))).expect("a new one"));
    let client = database.target.connect().expect("the database");
    let (sqlite, postgres) = (sqlite_facts(), postgres_facts(&client));
    let only = |a: &Facts, b: &Facts| a.difference(b).cloned().collect::<Vec<_>>();
    assert!(
        sqlite == postgres,
        "only in SQLite: {:#?}\nonly in PostgreSQL: {:#?}",
        only(&sqlite, &postgres),
        only(&postgres, &sqlite)
    );
    assert!(
        sqlite.contains("sessions.user_id -> users.id"),
        "{sqlite:#?}"
    );
}

/// `pg_dump --schema-only` of `database`: what its structure is, whatever the road.
fn dumped(database: &PgDatabase) -> Option<String> {
    let output = Command::new("pg_dump")
        .args(["--schema-only", "--no-owner", "--no-privileges", "--dbname"])
        .arg(database.url())
        .output()
        .ok()?;
    assert!(
        output.status.success(),
        "pg_dump: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    // pg_dump 15.14 and later fence the dump with a random key of its own.
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    Some(
        text.lines()
            .filter(|line| !line.starts_with("\\restrict") && !line.starts_with("\\unrestrict"))
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

#[test]
fn the_oldest_postgresql_schema_upgraded_is_a_new_one() {
    let Some(server) = postgres_server("a PostgreSQL upgrade from version 4") else {
        return;
    };
    let old = PgDatabase::new(&server);
    {
        let client = old.target.connect().expect("the old database");
        client
            .batch_execute(include_str!("fixtures/schema.postgres.v4.sql"))
            .expect("the version 4 schema");
        client
            .batch_execute(
                "INSERT INTO users (username, full_name, role, password_hash, created_at)
                 VALUES ('edouard', 'Édouard Pierre', 'archives', 'x', 0);
                 INSERT INTO login_attempts (username_typed, at, outcome)
                 VALUES ('ÉZÉCHIEL', 1, 'unknown_user');",
            )
            .expect("rows of version 4");
    }
    let upgraded = Db::open(&Target::Postgres(Box::new(old.target.clone()))).expect("upgraded");
    drop(upgraded);
    let new = PgDatabase::new(&server);
    drop(Db::open(&Target::Postgres(Box::new(new.target.clone()))).expect("a new one"));
    let (Some(old_dump), Some(new_dump)) = (dumped(&old), dumped(&new)) else {
        assert!(std::env::var_os("CI").is_none(), "pg_dump is missing");
        eprintln!("skipped, no pg_dump: the upgrade's structure is not compared");
        return;
    };
    assert_eq!(
        old_dump, new_dump,
        "the upgrade road and the new road differ"
    );
    // And the rows of version 4 got what version 6 keeps beside them.
    let client = old.target.connect().expect("the upgraded database");
    let keys: String = client
        .query_one(
            "SELECT full_name_key || ' ' || (SELECT typed_key FROM login_attempts) FROM users",
            &[],
        )
        .expect("the keys")
        .get(0);
    assert_eq!(keys, "édouard pierre ézéchiel");
}
