//! PostgreSQL, for terminals on many hosts: where to connect (`target`), TLS (`tls`),
//! the client with a deadline on every round trip (`client`), the connection with its
//! statements and transactions (`connection`), and LISTEN (`listen`).

pub mod client;
mod connection;
mod listen;
mod target;
mod tls;

pub use client::PgClient;
pub use connection::{PgConn, PgTx};
pub use listen::{CHANGES_CHANNEL, PgWatch};
pub use target::{Environment, PgTarget, TlsMode, is_url};
