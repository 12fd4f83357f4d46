//! The tables, each with its row shapes, its filters and its writes: accounts
//! (`users`), sessions (`sessions`), login attempts and lockouts (`attempts`), and the
//! bulk loader that fills all three at once (`bulk`, for the demo's past weeks), and
//! the journal that records every fact written to them (`journal`); expected hours
//! (`schedules`), days off for everyone (`holidays`) and a person's leave (`leaves`);
//! each person's sessions counted whole (`totals`).

pub mod attempts;
pub mod bulk;
pub mod closed_months;
pub mod holidays;
pub mod journal;
pub mod leaves;
pub mod schedules;
pub mod sessions;
pub mod totals;
pub mod users;
