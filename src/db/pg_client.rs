//! A PostgreSQL connection that never waits forever. tokio-postgres on a runtime of its
//! own, driven from the calling thread, with every round trip under a deadline: a
//! server that stops answering without closing the connection (a cut network, a
//! firewall that drops packets, a proxy gone quiet) is taken for a lost connection
//! once the deadline passes, so that the caller connects again instead of hanging.
//! TCP keepalives alone cannot see that: the kernel on the way still acknowledges.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Result;
use futures_util::Stream;
use tokio::runtime::Runtime;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};
use tokio::task::JoinHandle;
use tokio_postgres::tls::{MakeTlsConnect, TlsConnect};
use tokio_postgres::types::ToSql;
use tokio_postgres::{AsyncMessage, Notification, Row, Socket, Statement, ToStatement};

/// Parameters as tokio-postgres takes them.
pub type Params<'a> = [&'a (dyn ToSql + Sync)];

/// A connection found gone by this client rather than by tokio-postgres; both count as
/// lost (`connection_lost`).
#[derive(Debug, thiserror::Error)]
pub enum Lost {
    /// Nothing came back within the deadline; the connection is closed now.
    #[error("the database server stopped answering (nothing heard for {} s)", .0.as_secs())]
    Silent(Duration),
    #[error("the connection to the database server closed")]
    Closed,
}

pub struct PgClient {
    runtime: Runtime,
    client: tokio_postgres::Client,
    notifications: std::cell::RefCell<UnboundedReceiver<Notification>>,
    /// The task that drives the socket; aborted when the server goes silent.
    connection: JoinHandle<()>,
    /// Set once a deadline passed: the client must not be used again.
    silenced: Arc<AtomicBool>,
    deadline: std::cell::Cell<Duration>,
}

impl PgClient {
    /// Connects with `config`; the whole start (TCP, TLS, authentication) must be done
    /// within `connect_deadline`, and each later round trip within `deadline`.
    pub fn connect<T>(
        config: &tokio_postgres::Config,
        tls: T,
        connect_deadline: Duration,
        deadline: Duration,
    ) -> Result<PgClient>
    where
        T: MakeTlsConnect<Socket> + Send + 'static,
        T::Stream: Send + 'static,
        T::TlsConnect: Send,
        <T::TlsConnect as TlsConnect<Socket>>::Future: Send,
    {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        // The timer is made inside the runtime, which it needs.
        let connecting =
            async { tokio::time::timeout(connect_deadline, config.connect(tls)).await };
        let (client, mut connection) = match runtime.block_on(connecting) {
            Ok(connected) => connected?,
            Err(_) => return Err(Lost::Silent(connect_deadline).into()),
        };
        let (heard, notifications) = unbounded_channel();
        // Spawned tasks run whenever this thread blocks on the runtime, that is during
        // every call: the socket is read and notifications queued meanwhile.
        let connection = runtime.spawn(async move {
            while let Some(Ok(message)) = poll_fn(|cx| connection.poll_message(cx)).await {
                if let AsyncMessage::Notification(notification) = message
                    && heard.send(notification).is_err()
                {
                    return;
                }
            }
        });
        Ok(PgClient {
            runtime,
            client,
            notifications: std::cell::RefCell::new(notifications),
            connection,
            silenced: Arc::new(AtomicBool::new(false)),
            deadline: std::cell::Cell::new(deadline),
        })
    }

    /// How long a round trip may take before the server is taken for gone.
    pub fn set_deadline(&self, deadline: Duration) {
        self.deadline.set(deadline);
    }

    /// Whether the connection is closed (by the server, the network, or a deadline).
    pub fn is_closed(&self) -> bool {
        self.silenced.load(Ordering::Relaxed) || self.client.is_closed()
    }

    /// `work`, given at most the deadline; past it the connection is closed.
    fn within<T>(&self, work: impl Future<Output = Result<T, tokio_postgres::Error>>) -> Result<T> {
        let deadline = self.deadline.get();
        match self
            .runtime
            .block_on(async { tokio::time::timeout(deadline, work).await })
        {
            Ok(result) => Ok(result?),
            Err(_) => {
                self.silenced.store(true, Ordering::Relaxed);
                self.connection.abort();
                Err(Lost::Silent(deadline).into())
            }
        }
    }

    pub fn prepare(&self, sql: &str) -> Result<Statement> {
        self.within(self.client.prepare(sql))
    }

    pub fn query<S: ToStatement + ?Sized>(
        &self,
        statement: &S,
        params: &Params,
    ) -> Result<Vec<Row>> {
        self.within(self.client.query(statement, params))
    }

    pub fn query_one(&self, sql: &str, params: &Params) -> Result<Row> {
        self.within(self.client.query_one(sql, params))
    }

    pub fn execute<S: ToStatement + ?Sized>(&self, statement: &S, params: &Params) -> Result<u64> {
        self.within(self.client.execute(statement, params))
    }

    pub fn batch_execute(&self, sql: &str) -> Result<()> {
        self.within(self.client.batch_execute(sql))
    }

    /// Each row in turn, without holding them all: each under the deadline.
    pub fn each(
        &self,
        statement: &Statement,
        params: &Params,
        visit: &mut dyn FnMut(&Row) -> Result<()>,
    ) -> Result<()> {
        let stream = self.within(self.client.query_raw(statement, params.iter().copied()))?;
        let mut stream = Box::pin(stream);
        while let Some(row) = self.within(next(stream.as_mut()))? {
            visit(&row)?;
        }
        Ok(())
    }

    /// The next notification, if one comes within `patience`; an error when the
    /// connection is gone.
    pub fn notification(&self, patience: Duration) -> Result<Option<Notification>> {
        let mut queue = self.notifications.borrow_mut();
        match self
            .runtime
            .block_on(async { tokio::time::timeout(patience, queue.recv()).await })
        {
            Ok(Some(notification)) => Ok(Some(notification)),
            Ok(None) => Err(Lost::Closed.into()),
            Err(_) => Ok(None),
        }
    }

    /// A notification already received, without waiting.
    pub fn pending_notification(&self) -> Option<Notification> {
        self.notifications.borrow_mut().try_recv().ok()
    }
}

impl Drop for PgClient {
    fn drop(&mut self) {
        self.connection.abort();
    }
}

/// The next item of a row stream, as a future.
async fn next(
    mut stream: Pin<&mut tokio_postgres::RowStream>,
) -> Result<Option<Row>, tokio_postgres::Error> {
    poll_fn(|cx| stream.as_mut().poll_next(cx))
        .await
        .transpose()
}
