//! The backends: each connection (SQLite, PostgreSQL), the values that go in and out of
//! a statement, each dialect's execution, the schemas and their upgrades, and the one
//! place that tells a busy database from a lost connection, a conflict, a duplicate or
//! a damaged file. Nothing above this folder names rusqlite or tokio-postgres.

mod conn;
pub mod failure;
pub mod migrations;
mod patience;
pub mod postgres;
pub mod sqlite;
pub mod value;

pub use conn::{Conn, Dialect, Exec, Tx};
pub use failure::{Failure, failure_of, server_reason};
pub use patience::Patience;
