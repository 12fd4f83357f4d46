//! The two connections behind `Db`, chosen at run time: SQLite (a file, the embedded
//! default) or PostgreSQL (a server, for terminals on many hosts), and their write
//! transactions. A statement is written once where the dialects agree, with `?1`-style
//! or bare `?` placeholders (turned into `$1` for PostgreSQL); where they differ,
//! `Dialect` gives each its text.

use anyhow::{Result, anyhow};

use super::postgres::{PgConn, PgTx};
use super::value::{Row, Value, from_sqlite};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// ` INDEXED BY index` for SQLite, whose planner has to be told (each use says why);
    /// nothing for PostgreSQL, whose planner finds the index alone.
    pub fn indexed_by(self, index: &str) -> String {
        match self {
            Dialect::Sqlite => format!(" INDEXED BY {index}"),
            Dialect::Postgres => String::new(),
        }
    }
}

/// Runs statements: a connection outside a transaction, or a transaction.
pub trait Exec {
    fn dialect(&self) -> Dialect;

    /// Every row of the result.
    fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>>;

    /// The number of rows changed.
    fn execute(&self, sql: &str, params: &[Value]) -> Result<u64>;

    /// Each row, one after the other, without holding them all.
    fn each(
        &self,
        sql: &str,
        params: &[Value],
        visit: &mut dyn FnMut(Row) -> Result<()>,
    ) -> Result<()>;

    /// The one row of the result.
    fn query_row(&self, sql: &str, params: &[Value]) -> Result<Row> {
        self.query_opt(sql, params)?
            .ok_or_else(|| anyhow!("the query returned no row"))
    }

    /// The first row of the result, if any.
    fn query_opt(&self, sql: &str, params: &[Value]) -> Result<Option<Row>> {
        Ok(self.query(sql, params)?.into_iter().next())
    }
}

pub enum Conn {
    Sqlite(rusqlite::Connection),
    Postgres(Box<PgConn>),
}

impl Exec for Conn {
    fn dialect(&self) -> Dialect {
        match self {
            Conn::Sqlite(_) => Dialect::Sqlite,
            Conn::Postgres(_) => Dialect::Postgres,
        }
    }

    fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        match self {
            Conn::Sqlite(conn) => sqlite_query(conn, sql, params),
            Conn::Postgres(pg) => pg.query(sql, params),
        }
    }

    fn execute(&self, sql: &str, params: &[Value]) -> Result<u64> {
        match self {
            Conn::Sqlite(conn) => sqlite_execute(conn, sql, params),
            Conn::Postgres(pg) => pg.execute(sql, params),
        }
    }

    fn each(
        &self,
        sql: &str,
        params: &[Value],
        visit: &mut dyn FnMut(Row) -> Result<()>,
    ) -> Result<()> {
        match self {
            Conn::Sqlite(conn) => sqlite_rows(conn, sql, params, visit),
            Conn::Postgres(pg) => pg.each(sql, params, visit),
        }
    }
}

/// A write transaction, on either connection.
pub enum Tx<'a> {
    Sqlite(rusqlite::Transaction<'a>),
    Postgres(PgTx<'a>),
}

impl Tx<'_> {
    pub fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(tx) => tx.commit()?,
            Tx::Postgres(tx) => tx.commit()?,
        }
        Ok(())
    }

    /// Waits for the transaction's own lock on `key` (held until it ends). SQLite has
    /// one writer at a time already (BEGIN IMMEDIATE); on PostgreSQL, whose writers run
    /// side by side, this makes a read-then-write on the same thing (one account's
    /// failures, the last admin) wait for the one before it.
    pub fn lock(&self, key: &str) -> Result<()> {
        if self.dialect() == Dialect::Postgres {
            self.query(
                "SELECT pg_advisory_xact_lock(hashtextextended(?1, 0))",
                &[Value::Text(key.to_string())],
            )?;
        }
        Ok(())
    }
}

impl Exec for Tx<'_> {
    fn dialect(&self) -> Dialect {
        match self {
            Tx::Sqlite(_) => Dialect::Sqlite,
            Tx::Postgres(_) => Dialect::Postgres,
        }
    }

    fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        match self {
            Tx::Sqlite(tx) => sqlite_query(tx, sql, params),
            Tx::Postgres(tx) => tx.query(sql, params),
        }
    }

    fn execute(&self, sql: &str, params: &[Value]) -> Result<u64> {
        match self {
            Tx::Sqlite(tx) => sqlite_execute(tx, sql, params),
            Tx::Postgres(tx) => tx.execute(sql, params),
        }
    }

    fn each(
        &self,
        sql: &str,
        params: &[Value],
        visit: &mut dyn FnMut(Row) -> Result<()>,
    ) -> Result<()> {
        for row in self.query(sql, params)? {
            visit(row)?;
        }
        Ok(())
    }
}

fn sqlite_rows(
    conn: &rusqlite::Connection,
    sql: &str,
    params: &[Value],
    visit: &mut dyn FnMut(Row) -> Result<()>,
) -> Result<()> {
    let mut statement = conn.prepare_cached(sql)?;
    let columns = statement.column_count();
    let mut rows = statement.query(rusqlite::params_from_iter(params))?;
    while let Some(row) = rows.next()? {
        let read = (0..columns)
            .map(|i| from_sqlite(row.get_ref(i)?))
            .collect::<Result<Vec<_>>>()?;
        visit(Row(read))?;
    }
    Ok(())
}

fn sqlite_query(conn: &rusqlite::Connection, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    sqlite_rows(conn, sql, params, &mut |row| {
        rows.push(row);
        Ok(())
    })?;
    Ok(rows)
}

fn sqlite_execute(conn: &rusqlite::Connection, sql: &str, params: &[Value]) -> Result<u64> {
    let changed = conn
        .prepare_cached(sql)?
        .execute(rusqlite::params_from_iter(params))?;
    Ok(changed as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sqlite_is_told_its_index() {
        assert_eq!(
            Dialect::Sqlite.indexed_by("sessions_open"),
            " INDEXED BY sessions_open"
        );
        assert_eq!(Dialect::Postgres.indexed_by("sessions_open"), "");
    }
}
