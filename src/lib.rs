//! konekte: a terminal console that records when each person of an office logs in and
//! out. One binary, `console`: stations (the shared terminal's login screen and the
//! admin's live monitor, each a run loop whose worker thread owns the database) and
//! shell commands (accounts, `who`, `last`, `report`, `failures`, backups), on one
//! database shared by every terminal: a SQLite file on one PC or a PostgreSQL server for
//! many, behind one `Db` API. Everything a person reads is in English, French or
//! Haitian Creole. ARCHITECTURE.md is the map.

pub mod attendance;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod db;
pub mod demo;
pub mod earlier;
pub mod error;
pub mod exceptions;
pub mod i18n;
pub mod import;
pub mod journal;
pub mod model;
pub mod origin;
pub mod printable;
pub mod schedule;
pub mod sheet;
pub mod station;
pub mod system_log;
pub mod tui;
