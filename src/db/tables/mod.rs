//! The tables, each with its row shapes, its filters and its writes: accounts
//! (`users`), sessions (`sessions`), login attempts and lockouts (`attempts`), and the
//! bulk loader that fills all three at once (`bulk`, for the demo's past weeks), and
//! the journal that records every fact written to them (`journal`).

pub mod attempts;
pub mod bulk;
pub mod journal;
pub mod sessions;
pub mod users;
