//! A PostgreSQL connection that never waits forever. tokio-postgres on a runtime of its
//! own, driven from the calling thread, with every round trip under a deadline: a
//! server that stops answering without closing the connection (a cut network, a
//! firewall that drops packets, a proxy gone quiet) is taken for a lost connection
//! once the deadline passes, so that the caller connects again instead of hanging.
//! TCP keepalives alone cannot see that: the kernel on the way still acknowledges.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::task::{Context, Poll};
use std::time::Duration;

use anyhow::Result;
use futures_util::Stream;
use tokio::runtime::Runtime;
use tokio_postgres::tls::{MakeTlsConnect, TlsConnect};
use tokio_postgres::types::ToSql;
use tokio_postgres::{AsyncMessage, Notification, Row, Socket, Statement, ToStatement};

/// Parameters as tokio-postgres takes them.
pub type Params<'a> = [&'a (dyn ToSql + Sync)];

/// A connection found gone by this client rather than by tokio-postgres; both count as
/// lost (`Failure::Lost`).
#[derive(Debug, thiserror::Error)]
pub enum Lost {
    /// Nothing came back within the deadline; the connection is closed now.
    #[error("the database server stopped answering (nothing heard for {} s)", .0.as_secs())]
    Silent(Duration),
    #[error("the connection to the database server closed")]
    Closed,
}

/// The socket's side of a connection, as a stream of what the server sends on its own.
type Messages = Pin<Box<dyn Stream<Item = Result<AsyncMessage, tokio_postgres::Error>> + Send>>;

pub struct PgClient {
    runtime: Runtime,
    client: tokio_postgres::Client,
    /// Read, on this thread, whenever a call waits (as the postgres crate does): no task
    /// to switch to. `None` once the connection is closed or given up.
    connection: RefCell<Option<Messages>>,
    /// Notifications read meanwhile, for `notification`.
    notifications: RefCell<VecDeque<Notification>>,
    deadline: Cell<Duration>,
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
        let messages: Messages = Box::pin(futures_util::stream::poll_fn(move |cx| {
            connection.poll_message(cx)
        }));
        Ok(PgClient {
            runtime,
            client,
            connection: RefCell::new(Some(messages)),
            notifications: RefCell::new(VecDeque::new()),
            deadline: Cell::new(deadline),
        })
    }

    /// How long a round trip may take before the server is taken for gone.
    pub fn set_deadline(&self, deadline: Duration) {
        self.deadline.set(deadline);
    }

    /// Whether the connection is closed (by the server, the network, or a deadline).
    pub fn is_closed(&self) -> bool {
        self.connection.borrow().is_none() || self.client.is_closed()
    }

    /// `work`, the socket read meanwhile, given at most the deadline; past it the
    /// connection is closed.
    fn within<T>(&self, work: impl Future<Output = Result<T, tokio_postgres::Error>>) -> Result<T> {
        let deadline = self.deadline.get();
        let mut work = pin!(work);
        let waited = self.runtime.block_on(async {
            let driven = poll_fn(|cx| {
                if let Err(err) = self.read_socket(cx) {
                    return Poll::Ready(Err(err));
                }
                work.as_mut().poll(cx)
            });
            tokio::time::timeout(deadline, driven).await
        });
        match waited {
            Ok(result) => Ok(result?),
            Err(_) => {
                // Dropped: the socket is closed, and every later call says so.
                self.connection.borrow_mut().take();
                Err(Lost::Silent(deadline).into())
            }
        }
    }

    /// Reads what the server sent: answers go to the calls waiting for them (inside
    /// tokio-postgres), notifications to the queue.
    fn read_socket(&self, cx: &mut Context<'_>) -> Result<(), tokio_postgres::Error> {
        let mut connection = self.connection.borrow_mut();
        let Some(messages) = connection.as_mut() else {
            return Ok(());
        };
        loop {
            match messages.as_mut().poll_next(cx) {
                Poll::Ready(Some(Ok(AsyncMessage::Notification(notification)))) => {
                    self.notifications.borrow_mut().push_back(notification);
                }
                Poll::Ready(Some(Ok(_))) => {}
                Poll::Ready(Some(Err(err))) => {
                    connection.take();
                    return Err(err);
                }
                Poll::Ready(None) => {
                    connection.take();
                    return Ok(());
                }
                Poll::Pending => return Ok(()),
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
        let waited = self.runtime.block_on(async {
            let heard = poll_fn(|cx| {
                if let Err(err) = self.read_socket(cx) {
                    return Poll::Ready(Err(anyhow::Error::from(err)));
                }
                if let Some(notification) = self.notifications.borrow_mut().pop_front() {
                    return Poll::Ready(Ok(notification));
                }
                if self.connection.borrow().is_none() {
                    return Poll::Ready(Err(Lost::Closed.into()));
                }
                Poll::Pending
            });
            tokio::time::timeout(patience, heard).await
        });
        match waited {
            Ok(heard) => heard.map(Some),
            Err(_) => Ok(None),
        }
    }

    /// A notification already received, without waiting.
    pub fn pending_notification(&self) -> Option<Notification> {
        self.notifications.borrow_mut().pop_front()
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
