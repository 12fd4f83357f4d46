//! What screens and commands read across the tables: the monitor's panes (`monitor`),
//! the day's timeline (`timeline`), the history after the fact (`history`), the
//! whole database copied or backed up (`copy`), what is expected of everyone
//! (`expected`), and the journal replayed against the tables (`verify`). Readers import from the tables and the backend, never from each
//! other.

pub mod copy;
pub mod expected;
pub mod history;
pub mod monitor;
pub mod timeline;
pub mod verify;
