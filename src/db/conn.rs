//! The two connections behind `Db`, chosen at run time: SQLite (a file, the embedded
//! default) or PostgreSQL (a server, for terminals on many hosts). A statement is
//! written once where the dialects agree, with `?1`-style or bare `?` placeholders
//! (turned into `$1` for PostgreSQL); where they differ, `Dialect` gives each its text.

use std::cell::{Cell, Ref, RefCell};
use std::collections::HashMap;

use anyhow::{Result, anyhow};

use super::pg::PgConn;
use super::pg_client::PgClient;
use super::value::{Row, ToValue, Value, from_postgres, from_sqlite};

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
    fn query(&self, sql: &str, params: &[&dyn ToValue]) -> Result<Vec<Row>>;

    /// The number of rows changed.
    fn execute(&self, sql: &str, params: &[&dyn ToValue]) -> Result<u64>;

    /// Each row, one after the other, without holding them all.
    fn each(
        &self,
        sql: &str,
        params: &[&dyn ToValue],
        visit: &mut dyn FnMut(Row) -> Result<()>,
    ) -> Result<()>;

    /// The one row of the result.
    fn query_row(&self, sql: &str, params: &[&dyn ToValue]) -> Result<Row> {
        self.query_opt(sql, params)?
            .ok_or_else(|| anyhow!("the query returned no row"))
    }

    /// The first row of the result, if any.
    fn query_opt(&self, sql: &str, params: &[&dyn ToValue]) -> Result<Option<Row>> {
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

    fn query(&self, sql: &str, params: &[&dyn ToValue]) -> Result<Vec<Row>> {
        match self {
            Conn::Sqlite(conn) => sqlite_query(conn, sql, params),
            Conn::Postgres(pg) => pg.query(sql, params),
        }
    }

    fn execute(&self, sql: &str, params: &[&dyn ToValue]) -> Result<u64> {
        match self {
            Conn::Sqlite(conn) => sqlite_execute(conn, sql, params),
            Conn::Postgres(pg) => pg.execute(sql, params),
        }
    }

    fn each(
        &self,
        sql: &str,
        params: &[&dyn ToValue],
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

/// A PostgreSQL transaction on a connection held for its length: BEGIN when made,
/// COMMIT when told, ROLLBACK if dropped before.
pub struct PgTx<'a> {
    client: Ref<'a, PgClient>,
    statements: &'a RefCell<HashMap<String, tokio_postgres::Statement>>,
    open: Cell<bool>,
}

impl<'a> PgTx<'a> {
    pub fn begin(pg: &'a PgConn) -> Result<PgTx<'a>> {
        let client = pg.client()?;
        client.batch_execute("BEGIN")?;
        Ok(PgTx {
            client,
            statements: &pg.statements,
            open: Cell::new(true),
        })
    }

    fn statement(&self, sql: &str) -> Result<tokio_postgres::Statement> {
        prepared(self.statements, sql, |text| self.client.prepare(text))
    }
}

impl Drop for PgTx<'_> {
    fn drop(&mut self) {
        // A connection gone meanwhile has rolled back on the server already.
        if self.open.get() && !self.client.is_closed() {
            let _ = self.client.batch_execute("ROLLBACK");
        }
    }
}

impl Tx<'_> {
    pub fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(tx) => tx.commit()?,
            Tx::Postgres(tx) => {
                tx.open.set(false);
                tx.client.batch_execute("COMMIT")?;
            }
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
                &[&key],
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

    fn query(&self, sql: &str, params: &[&dyn ToValue]) -> Result<Vec<Row>> {
        match self {
            Tx::Sqlite(tx) => sqlite_query(tx, sql, params),
            Tx::Postgres(tx) => {
                let statement = tx.statement(sql)?;
                let values = values_of(params);
                tx.client
                    .query(&statement, &postgres_params(&values))?
                    .iter()
                    .map(postgres_row)
                    .collect()
            }
        }
    }

    fn execute(&self, sql: &str, params: &[&dyn ToValue]) -> Result<u64> {
        match self {
            Tx::Sqlite(tx) => sqlite_execute(tx, sql, params),
            Tx::Postgres(tx) => {
                let statement = tx.statement(sql)?;
                let values = values_of(params);
                tx.client.execute(&statement, &postgres_params(&values))
            }
        }
    }

    fn each(
        &self,
        sql: &str,
        params: &[&dyn ToValue],
        visit: &mut dyn FnMut(Row) -> Result<()>,
    ) -> Result<()> {
        for row in self.query(sql, params)? {
            visit(row)?;
        }
        Ok(())
    }
}

pub(super) fn values_of(params: &[&dyn ToValue]) -> Vec<Value> {
    params.iter().map(|p| p.to_value()).collect()
}

pub(super) fn postgres_params(values: &[Value]) -> Vec<&(dyn tokio_postgres::types::ToSql + Sync)> {
    values
        .iter()
        .map(|v| v as &(dyn tokio_postgres::types::ToSql + Sync))
        .collect()
}

pub(super) fn postgres_row(row: &tokio_postgres::Row) -> Result<Row> {
    (0..row.len())
        .map(|i| from_postgres(row, i))
        .collect::<Result<_>>()
        .map(Row)
}

/// The statement for `sql`, prepared once per connection (`prepare` gets PostgreSQL's
/// text of it).
pub(super) fn prepared(
    statements: &RefCell<HashMap<String, tokio_postgres::Statement>>,
    sql: &str,
    prepare: impl FnOnce(&str) -> Result<tokio_postgres::Statement>,
) -> Result<tokio_postgres::Statement> {
    if let Some(statement) = statements.borrow().get(sql) {
        return Ok(statement.clone());
    }
    let statement = prepare(&postgres_text(sql))?;
    statements
        .borrow_mut()
        .insert(sql.to_string(), statement.clone());
    Ok(statement)
}

/// `?1` → `$1`; bare `?`s are numbered in order. The statements of this crate hold no
/// `?` inside a string literal.
pub(super) fn postgres_text(sql: &str) -> String {
    let mut text = String::with_capacity(sql.len() + 8);
    let mut next = 1;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '?' {
            text.push(c);
            continue;
        }
        text.push('$');
        if chars.peek().is_some_and(char::is_ascii_digit) {
            while let Some(digit) = chars.next_if(char::is_ascii_digit) {
                text.push(digit);
            }
        } else {
            text.push_str(&next.to_string());
            next += 1;
        }
    }
    text
}

fn sqlite_rows(
    conn: &rusqlite::Connection,
    sql: &str,
    params: &[&dyn ToValue],
    visit: &mut dyn FnMut(Row) -> Result<()>,
) -> Result<()> {
    let mut statement = conn.prepare_cached(sql)?;
    let columns = statement.column_count();
    let values = values_of(params);
    let mut rows = statement.query(rusqlite::params_from_iter(values.iter()))?;
    while let Some(row) = rows.next()? {
        let read = (0..columns)
            .map(|i| from_sqlite(row.get_ref(i)?))
            .collect::<Result<Vec<_>>>()?;
        visit(Row(read))?;
    }
    Ok(())
}

fn sqlite_query(
    conn: &rusqlite::Connection,
    sql: &str,
    params: &[&dyn ToValue],
) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    sqlite_rows(conn, sql, params, &mut |row| {
        rows.push(row);
        Ok(())
    })?;
    Ok(rows)
}

fn sqlite_execute(conn: &rusqlite::Connection, sql: &str, params: &[&dyn ToValue]) -> Result<u64> {
    let values = values_of(params);
    let changed = conn
        .prepare_cached(sql)?
        .execute(rusqlite::params_from_iter(values.iter()))?;
    Ok(changed as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_for_postgresql() {
        assert_eq!(
            postgres_text("SELECT ?1, ?2 WHERE a = ?1 AND b > ?10"),
            "SELECT $1, $2 WHERE a = $1 AND b > $10"
        );
        assert_eq!(
            postgres_text("x = ? AND y IN (?, ?)"),
            "x = $1 AND y IN ($2, $3)"
        );
    }

    #[test]
    fn only_sqlite_is_told_its_index() {
        assert_eq!(
            Dialect::Sqlite.indexed_by("sessions_open"),
            " INDEXED BY sessions_open"
        );
        assert_eq!(Dialect::Postgres.indexed_by("sessions_open"), "");
    }
}
