//! The connection: made (in the clear or through TLS), kept with its prepared
//! statements, made again after a drop; its transactions; the server's clock.

use std::cell::{Cell, Ref, RefCell};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Result;
use tokio_postgres::config::SslMode;

use super::client::PgClient;
use super::target::{CONNECT_TIMEOUT, PgTarget, TlsMode};
use crate::db::backend::failure::{Failure, failure_of, server_reason};
use crate::db::backend::patience::BUSY_TIMEOUT;
use crate::db::backend::value::{Row, Value, from_postgres};
use crate::error::Error;
use crate::model::Millis;

/// How long a statement may go unanswered beyond its own lock timeout before the
/// server is taken for gone: a cut network, a silent proxy, a frozen host.
const SILENCE: Duration = Duration::from_secs(3);

impl PgTarget {
    /// A new connection, or the error that says which server and database could not be
    /// reached or logged in to (exit 74).
    pub fn connect(&self) -> Result<PgClient> {
        self.connect_as_it_fails().map_err(|e| {
            Error::Database(crate::said!(
                pg_unreachable,
                target = self.describe(),
                error = server_reason(&e)
            ))
            .into()
        })
    }

    /// A new connection, or tokio-postgres's own error: a connection made again tells a
    /// server still down (worth another try) from one that refuses us.
    pub(super) fn connect_as_it_fails(&self) -> Result<PgClient> {
        let mut config = self.config.clone();
        let deadline = BUSY_TIMEOUT + SILENCE;
        if self.tls == TlsMode::Disable {
            config.ssl_mode(SslMode::Disable);
            PgClient::connect(&config, tokio_postgres::NoTls, CONNECT_TIMEOUT, deadline)
        } else {
            config.ssl_mode(match self.tls {
                TlsMode::Prefer => SslMode::Prefer,
                _ => SslMode::Require,
            });
            PgClient::connect(&config, self.tls_connector()?, CONNECT_TIMEOUT, deadline)
        }
    }
}

/// A PostgreSQL connection with its prepared statements. A dropped connection is made
/// again before the next statement (and once within a statement, before it fails);
/// whether the server could be reached last time is kept in `reachable` for the screens.
pub struct PgConn {
    client: RefCell<PgClient>,
    statements: RefCell<HashMap<String, tokio_postgres::Statement>>,
    target: PgTarget,
    lock_timeout: Cell<Duration>,
    reachable: Arc<AtomicBool>,
    /// How many times the connection was made again: a read that must see one moment
    /// (`Db::in_snapshot`) knows whether it still reads on the connection it began on.
    reconnections: Cell<u64>,
}

impl PgConn {
    pub fn connect(target: &PgTarget) -> Result<PgConn> {
        let conn = PgConn {
            client: RefCell::new(target.connect()?),
            statements: RefCell::new(HashMap::new()),
            target: target.clone(),
            lock_timeout: Cell::new(BUSY_TIMEOUT),
            reachable: Arc::new(AtomicBool::new(true)),
            reconnections: Cell::new(0),
        };
        conn.set_lock_timeout(BUSY_TIMEOUT)?;
        Ok(conn)
    }

    /// A new connection in place of a dropped one; its statements are prepared anew.
    pub fn reconnect(&self) -> Result<()> {
        let client = self
            .target
            .connect_as_it_fails()
            .inspect_err(|_| self.set_reachable(false))?;
        *self.client.borrow_mut() = client;
        self.reconnections.set(self.reconnections.get() + 1);
        self.statements.borrow_mut().clear();
        self.set_lock_timeout(self.lock_timeout.get())?;
        self.set_reachable(true);
        Ok(())
    }

    pub fn reconnections(&self) -> u64 {
        self.reconnections.get()
    }

    /// Whether the last statement reached the server, shared with whoever shows it.
    pub fn reachable(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.reachable)
    }

    pub fn set_reachable(&self, reachable: bool) {
        self.reachable.store(reachable, Ordering::Relaxed);
    }

    /// How long a statement waits for a lock held elsewhere before it fails (and the
    /// write is tried again): SQLite's busy_timeout. A statement unanswered for that
    /// long and `SILENCE` more is a server gone.
    pub fn set_lock_timeout(&self, timeout: Duration) -> Result<()> {
        self.lock_timeout.set(timeout);
        let client = self.client.borrow();
        client.set_deadline(timeout + SILENCE);
        client.batch_execute(&format!("SET lock_timeout = {}", timeout.as_millis()))
    }

    /// The connection, made again first if it is known to be gone.
    pub fn client(&self) -> Result<Ref<'_, PgClient>> {
        if self.client.borrow().is_closed() {
            self.reconnect()?;
        }
        Ok(self.client.borrow())
    }

    /// Runs `work` on the connection; if the connection was lost, once more on a new one.
    fn with_client<T>(&self, work: impl Fn(&PgClient) -> Result<T>) -> Result<T> {
        let first = work(&*self.client()?);
        match first {
            Err(err) if failure_of(&err) == Some(Failure::Lost) => {
                self.set_reachable(false);
                self.reconnect()?;
                work(&*self.client()?)
            }
            other => other,
        }
    }

    /// `sql`'s statement on `client`, prepared once per connection.
    fn statement(&self, client: &PgClient, sql: &str) -> Result<tokio_postgres::Statement> {
        prepared(&self.statements, sql, |text| client.prepare(text))
    }

    pub fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        self.with_client(|client| {
            let statement = self.statement(client, sql)?;
            client
                .query(&statement, &postgres_params(params))?
                .iter()
                .map(postgres_row)
                .collect()
        })
    }

    pub fn execute(&self, sql: &str, params: &[Value]) -> Result<u64> {
        self.with_client(|client| {
            let statement = self.statement(client, sql)?;
            client.execute(&statement, &postgres_params(params))
        })
    }

    pub fn each(
        &self,
        sql: &str,
        params: &[Value],
        visit: &mut dyn FnMut(Row) -> Result<()>,
    ) -> Result<()> {
        let client = self.client()?;
        let statement = self.statement(&client, sql)?;
        client.each(&statement, &postgres_params(params), &mut |row| {
            visit(postgres_row(row)?)
        })
    }

    /// The offset of the server's clock from this machine's: measured halfway through
    /// the quickest of three round trips, in microseconds, whose error is at most half
    /// of it (a round trip slowed by a busy machine would put it off by milliseconds).
    pub fn clock_offset(&self) -> Result<Millis> {
        const TRIES: usize = 3;
        let micros = || chrono::Utc::now().timestamp_micros();
        let mut best: Option<(i64, i64)> = None;
        for _ in 0..TRIES {
            let before = micros();
            let row = self.query(SERVER_NOW_MICROS, &[])?;
            let after = micros();
            let server: i64 = row.first().map(|r| r.get(0)).transpose()?.unwrap_or(before);
            let round_trip = after - before;
            if best.is_none_or(|(quickest, _)| round_trip < quickest) {
                best = Some((round_trip, server - (before + after) / 2));
            }
        }
        Ok(best.map_or(0, |(_, offset)| (offset as f64 / 1000.0).round() as Millis))
    }
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

    pub fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        let statement = self.statement(sql)?;
        self.client
            .query(&statement, &postgres_params(params))?
            .iter()
            .map(postgres_row)
            .collect()
    }

    pub fn execute(&self, sql: &str, params: &[Value]) -> Result<u64> {
        let statement = self.statement(sql)?;
        self.client.execute(&statement, &postgres_params(params))
    }

    pub fn commit(self) -> Result<()> {
        self.open.set(false);
        self.client.batch_execute("COMMIT")
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

/// The server's time, in microseconds since 1970.
const SERVER_NOW_MICROS: &str =
    "SELECT CAST(extract(epoch FROM clock_timestamp()) * 1000000 AS BIGINT)";

fn postgres_params(values: &[Value]) -> Vec<&(dyn tokio_postgres::types::ToSql + Sync)> {
    values
        .iter()
        .map(|v| v as &(dyn tokio_postgres::types::ToSql + Sync))
        .collect()
}

fn postgres_row(row: &tokio_postgres::Row) -> Result<Row> {
    (0..row.len())
        .map(|i| from_postgres(row, i))
        .collect::<Result<_>>()
        .map(Row)
}

/// The statement for `sql`, prepared once per connection (`prepare` gets PostgreSQL's
/// text of it).
fn prepared(
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
pub(crate) fn postgres_text(sql: &str) -> String {
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
}
