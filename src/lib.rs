//! konekte: a terminal console that records when each person of an office logs in and
//! out, on one SQLite database shared by every terminal.

pub mod attendance;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod db;
pub mod demo;
pub mod error;
pub mod i18n;
pub mod import;
pub mod model;
pub mod origin;
pub mod printable;
pub mod station;
pub mod tui;
