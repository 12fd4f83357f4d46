//! What screens and commands read across the tables: the monitor's panes (`monitor`),
//! the day's timeline (`timeline`), the history after the fact (`history`), and the
//! whole database copied or backed up (`copy`). Readers import from the tables and the
//! backend, never from each other.

pub mod copy;
pub mod history;
pub mod monitor;
pub mod timeline;
