//! The journal replayed against the tables, for `console verify`: every link of the
//! chain first (each entry follows the one before, its hash matches its fields), then
//! every row of `users`, `sessions` and `login_attempts` against what the journal says
//! of it. Pure: the entries and rows are handed in by whoever reads them.

use std::collections::BTreeMap;

use foldhash::HashMap;

use super::witness::Checkpoint;
use super::{
    Attempt, CarriedAccount, CarriedSession, Ended, Entry, Fact, Genesis, Holiday, Leave, Month,
    Opening, START, ScheduleSet,
};
use crate::model::Millis;

/// An account as its table holds it, in the journal's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub role: String,
    pub disabled: bool,
    /// `journal::fingerprint` of its password's hash.
    pub password: String,
}

/// A session as its table holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub id: i64,
    pub user_id: Option<i64>,
    pub login_time: Millis,
    pub host: String,
    /// A login of the system (PAM): its service and the name the system gave.
    pub service: Option<String>,
    pub login_name: Option<String>,
    /// `None` while it is open.
    pub end: Option<Ended>,
    /// `end`, `added` or `void`, with the admin's note: a corrected session.
    pub correction: Option<(String, String)>,
}

/// A login attempt as its table holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRow {
    pub id: i64,
    pub user_id: Option<i64>,
    pub typed: String,
    pub at: Millis,
    pub outcome: String,
}

/// A schedule as its table holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleRow {
    pub id: i64,
    pub role: Option<String>,
    pub user_id: Option<i64>,
    pub from: String,
    /// `schedule::Week::text`.
    pub week: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayRow {
    pub id: i64,
    pub day: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedMonthRow {
    pub id: i64,
    pub month: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaveRow {
    pub id: i64,
    pub user_id: i64,
    pub from: String,
    pub to: String,
    pub reason: String,
}

/// A value in a finding: a time (shown in the office's zone), a text, or nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown {
    Time(Millis),
    Text(String),
    Nothing,
}

/// What is wrong with a link of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// Its hash is not the hash of its fields: the entry was edited.
    Hash,
    /// It does not carry the hash of the entry before it, or an entry is missing.
    Follows { expected_id: i64 },
    /// Its kind or body is not konekte's.
    Unreadable(String),
}

/// One thing `verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    Link {
        entry: i64,
        problem: Link,
    },
    /// The recorded head is not the chain's last entry: entries were removed from its
    /// end, or the head moved by hand.
    Head {
        head: i64,
        last: i64,
    },
    /// A row's field is not what the journal says.
    Differs {
        table: &'static str,
        id: i64,
        field: &'static str,
        recorded: Shown,
        now: Shown,
    },
    /// A row the journal knows nothing of, written after the journal began.
    Unrecorded {
        table: &'static str,
        id: i64,
    },
    /// A row the journal records, gone from its table, and not pruned.
    Missing {
        table: &'static str,
        id: i64,
    },
    /// A checkpoint of the witness file (its line) that the chain does not hold.
    Witness {
        line: usize,
        checkpoint: Checkpoint,
        problem: Witnessed,
    },
}

/// How the chain disagrees with a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Witnessed {
    /// Its entry is in the chain with another hash: the chain was rewritten.
    Rewritten,
    /// Its entry is past the chain's end: the database was rolled back behind it.
    Beyond { last: i64 },
}

/// What the journal knows of a session: how it was opened (unless before the journal)
/// and its end as last recorded (`Some(None)`: open).
#[derive(Debug, Clone, Default)]
struct SessionKnown {
    opened: Option<Opening>,
    end: Option<Option<Ended>>,
    /// The end as an admin moved it, over whatever end was recorded.
    corrected_end: Option<Millis>,
    correction: Option<(String, String)>,
}

/// What the journal knows of an account, each field as last recorded.
#[derive(Debug, Clone, Default)]
struct AccountKnown {
    username: Option<String>,
    full_name: Option<String>,
    role: Option<String>,
    disabled: Option<bool>,
    password: Option<String>,
}

/// The verdict: what was checked, and what was found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Verdict {
    pub entries: i64,
    pub head: Option<(i64, String)>,
    pub first_at: Option<Millis>,
    pub last_at: Option<Millis>,
    /// What the database held when its journal began: counted, not proved.
    pub genesis: Option<Genesis>,
    /// Rows from before the journal that no entry speaks of.
    pub unproved: i64,
    /// Rows the journal records as pruned.
    pub pruned: i64,
    /// Checkpoints found in the chain, with their hash.
    pub witnessed: i64,
    /// The last entry a prune removed: the chain kept starts after it.
    pub retained_after: Option<i64>,
    /// Checkpoints of entries a prune removed: before the retained history, neither
    /// proved nor a break.
    pub before_retained: i64,
    pub findings: Vec<Finding>,
}

/// An entry with the costly part of its check done, on any thread and in any order:
/// its hash recomputed, its body read.
pub struct Checked {
    entry: Entry,
    hash_matches: bool,
    fact: Result<Fact, String>,
}

impl Checked {
    pub fn of(entry: Entry) -> Checked {
        let hash_matches = entry.hash_matches();
        Checked::hashed(entry, hash_matches)
    }

    /// An entry whose hash was checked already (by the thread that read it).
    pub fn hashed(entry: Entry, hash_matches: bool) -> Checked {
        Checked {
            hash_matches,
            fact: Fact::parse(&entry.kind, &entry.body).map_err(|e| e.to_string()),
            entry,
        }
    }
}

/// The replay under way.
#[derive(Default)]
pub struct Replay {
    accounts: HashMap<i64, AccountKnown>,
    sessions: HashMap<i64, SessionKnown>,
    attempts: HashMap<i64, AttemptRow>,
    /// The attendance rows, each as last recorded: `None` once removed.
    schedules: HashMap<i64, Option<ScheduleSet>>,
    holidays: HashMap<i64, Option<Holiday>>,
    leaves: HashMap<i64, Option<Leave>>,
    closed_months: HashMap<i64, Option<Month>>,
    /// The latest `before` of the prunes: what ended or happened before it may be gone.
    pruned_before: Option<Millis>,
    /// The checkpoints still to be found, by entry, each with its line.
    checkpoints: BTreeMap<i64, Vec<(usize, Checkpoint)>>,
    verdict: Verdict,
}

impl Replay {
    pub fn new() -> Replay {
        Replay::default()
    }

    /// Room for about this many rows of each table, made once rather than grown (a
    /// million sessions are a few hundred megabytes).
    pub fn reserve(&mut self, accounts: usize, sessions: usize, attempts: usize) {
        self.accounts.reserve(accounts);
        self.sessions.reserve(sessions);
        self.attempts.reserve(attempts);
    }

    /// A replay of a chain whose entries up to `through` a prune removed: its first
    /// kept entry follows `hash`.
    pub fn after(through: i64, hash: String) -> Replay {
        let mut replay = Replay::default();
        replay.verdict.head = Some((through, hash));
        replay.verdict.retained_after = Some(through);
        replay
    }

    /// What the entries so far say of each account, each session that `keep_session`
    /// keeps and each attempt that `keep_attempt` keeps, as facts to carry past them
    /// when a prune removes them.
    pub fn carried(
        &self,
        keep_session: impl Fn(i64) -> bool,
        keep_attempt: impl Fn(i64) -> bool,
    ) -> Vec<(i64, Fact)> {
        let mut facts: Vec<(i64, Fact)> = Vec::new();
        for (id, known) in &self.accounts {
            let carried = CarriedAccount {
                username: known.username.clone(),
                full_name: known.full_name.clone(),
                role: known.role.clone(),
                disabled: known.disabled,
                password: known.password.clone(),
            };
            facts.push((*id, Fact::AccountCarried(carried)));
        }
        for (id, known) in self.sessions.iter().filter(|(id, _)| keep_session(**id)) {
            let carried = CarriedSession {
                opened: known.opened.clone(),
                end_known: known.end.is_some(),
                end: known.end.clone().flatten(),
                corrected_end: known.corrected_end,
                correction: known.correction.clone(),
            };
            facts.push((*id, Fact::SessionCarried(carried)));
        }
        for (id, known) in self.attempts.iter().filter(|(id, _)| keep_attempt(**id)) {
            let attempt = Attempt {
                user_id: known.user_id,
                typed: known.typed.clone(),
                at: known.at,
                outcome: known.outcome.clone(),
                host: None,
                tty: None,
                remote_ip: None,
            };
            facts.push((*id, Fact::Attempt(attempt)));
        }
        facts.extend(self.attendance_facts());
        // In a stable order: the same chain whatever the maps' order.
        facts.sort_by(|(a, x), (b, y)| (x.kind(), a).cmp(&(y.kind(), b)));
        facts
    }

    /// The attendance rows still present, as facts carried past a prune.
    fn attendance_facts(&self) -> Vec<(i64, Fact)> {
        let schedules = present_rows(&self.schedules, |set| {
            Fact::ScheduleSet(ScheduleSet {
                carried: true,
                by: None,
                ..set
            })
        });
        let holidays = present_rows(&self.holidays, |holiday| {
            Fact::HolidayAdded(Holiday {
                carried: true,
                by: None,
                ..holiday
            })
        });
        let leaves = present_rows(&self.leaves, |leave| {
            Fact::LeaveAdded(Leave {
                carried: true,
                by: None,
                ..leave
            })
        });
        let months = present_rows(&self.closed_months, |month| {
            Fact::MonthClosed(Month {
                carried: true,
                by: None,
                ..month
            })
        });
        schedules
            .chain(holidays)
            .chain(leaves)
            .chain(months)
            .collect()
    }

    /// What the entries so far say of the history before the journal.
    pub fn genesis(&self) -> Option<Genesis> {
        self.verdict.genesis.clone()
    }

    /// Whether a link of the chain is broken so far (a prune refuses to go on).
    pub fn broken(&self) -> bool {
        self.verdict
            .findings
            .iter()
            .any(|finding| matches!(finding, Finding::Link { .. } | Finding::Head { .. }))
    }

    /// A checkpoint to find in the chain (line `line` of the witness), before the
    /// entries are handed in.
    pub fn witness(&mut self, line: usize, checkpoint: Checkpoint) {
        self.checkpoints
            .entry(checkpoint.entry)
            .or_default()
            .push((line, checkpoint));
    }

    /// The next entry of the chain, in id order.
    pub fn entry(&mut self, entry: Entry) {
        self.checked(Checked::of(entry));
    }

    /// The next entry of the chain, in id order, its hash and body read already.
    pub fn checked(&mut self, checked: Checked) {
        let Checked {
            entry,
            hash_matches,
            fact,
        } = checked;
        for (line, checkpoint) in self.checkpoints.remove(&entry.id).unwrap_or_default() {
            if checkpoint.hash == entry.hash {
                self.verdict.witnessed += 1;
            } else {
                self.verdict.findings.push(Finding::Witness {
                    line,
                    checkpoint,
                    problem: Witnessed::Rewritten,
                });
            }
        }
        let (expected_id, expected_prev) = match &self.verdict.head {
            Some((id, hash)) => (id + 1, hash.as_str()),
            None => (1, START),
        };
        if entry.id != expected_id || entry.prev_hash != expected_prev {
            self.found_link(entry.id, Link::Follows { expected_id });
        }
        if !hash_matches {
            self.found_link(entry.id, Link::Hash);
        }
        let verdict = &mut self.verdict;
        verdict.entries += 1;
        verdict.first_at.get_or_insert(entry.at);
        verdict.last_at = Some(entry.at);
        verdict.head = Some((entry.id, entry.hash));
        match fact {
            Ok(fact) => self.fold(entry.subject, fact),
            Err(err) => self.found_link(entry.id, Link::Unreadable(err)),
        }
    }

    /// The head the database records, after the last entry.
    pub fn recorded_head(&mut self, head: i64) {
        let last = self.verdict.head.as_ref().map_or(0, |(id, _)| *id);
        if head != last {
            self.verdict.findings.push(Finding::Head { head, last });
        }
    }

    fn found_link(&mut self, entry: i64, problem: Link) {
        self.verdict.findings.push(Finding::Link { entry, problem });
    }

    /// What `fact` says of its subject, over what was known.
    fn fold(&mut self, subject: Option<i64>, fact: Fact) {
        let id = subject.unwrap_or_default();
        match fact {
            Fact::Genesis(genesis) => self.verdict.genesis = Some(genesis),
            Fact::AccountCreated(account) => {
                self.accounts.insert(
                    id,
                    AccountKnown {
                        username: Some(account.username),
                        full_name: Some(account.full_name),
                        role: Some(account.role),
                        disabled: Some(account.disabled),
                        password: Some(account.password),
                    },
                );
            }
            Fact::AccountChanged(change) => {
                let known = self.accounts.entry(id).or_default();
                known.role = change.role.or(known.role.take());
                known.disabled = change.disabled.or(known.disabled);
                known.password = change.password.or(known.password.take());
            }
            Fact::SessionOpened(opened) => {
                let known = self.sessions.entry(id).or_default();
                known.opened = Some(Opening {
                    user_id: opened.user_id,
                    login_time: opened.login_time,
                    host: opened.host,
                    service: opened.service,
                    login_name: opened.login_name,
                });
                known.end = Some(None);
            }
            Fact::SessionEnded(ended) => {
                // Who did it is the audit's; the row does not keep it.
                let ended = Ended { by: None, ..ended };
                self.sessions.entry(id).or_default().end = Some(Some(ended))
            }
            Fact::SessionReopened => {
                let known = self.sessions.entry(id).or_default();
                known.end = Some(None);
                known.corrected_end = None;
            }
            Fact::SessionCorrected(corrected) => {
                let known = self.sessions.entry(id).or_default();
                known.corrected_end = Some(corrected.logout_time);
                // An added session stays one whatever its end.
                let kind = match &known.correction {
                    Some((kind, _)) if kind == "added" => "added",
                    _ => "end",
                };
                known.correction = Some((kind.into(), corrected.note));
            }
            Fact::SessionAdded(added) => {
                self.sessions.insert(
                    id,
                    SessionKnown {
                        opened: Some(Opening {
                            user_id: Some(added.user_id),
                            login_time: added.login_time,
                            host: String::new(),
                            service: None,
                            login_name: None,
                        }),
                        end: Some(Some(Ended {
                            logout_time: added.logout_time,
                            reason: "logout".into(),
                            ended_by: None,
                            ended_by_account: None,
                            note: None,
                            by: None,
                        })),
                        corrected_end: None,
                        correction: Some(("added".into(), added.note)),
                    },
                );
            }
            Fact::SessionImported(imported) => {
                self.sessions.insert(
                    id,
                    SessionKnown {
                        opened: Some(Opening {
                            user_id: imported.user_id,
                            login_time: imported.login_time,
                            host: imported.host,
                            service: Some(imported.service),
                            login_name: Some(imported.login_name),
                        }),
                        end: Some(Some(Ended {
                            logout_time: imported.logout_time,
                            reason: imported.reason,
                            ended_by: None,
                            ended_by_account: None,
                            note: None,
                            by: None,
                        })),
                        corrected_end: None,
                        correction: None,
                    },
                );
            }
            // What a prune carried is older than every kept entry, though written
            // after them: it fills in what the kept entries did not say.
            Fact::AccountCarried(carried) => {
                let known = self.accounts.entry(id).or_default();
                known.username = known.username.take().or(carried.username);
                known.full_name = known.full_name.take().or(carried.full_name);
                known.role = known.role.take().or(carried.role);
                known.disabled = known.disabled.or(carried.disabled);
                known.password = known.password.take().or(carried.password);
            }
            Fact::SessionCarried(carried) => {
                let known = self.sessions.entry(id).or_default();
                known.opened = known.opened.take().or(carried.opened);
                if known.end.is_none() {
                    known.end = carried.end_known.then_some(carried.end);
                    known.corrected_end = known.corrected_end.or(carried.corrected_end);
                }
                known.correction = known.correction.take().or(carried.correction);
            }
            Fact::Anchor(anchor) => {
                if anchor.before_journal.is_some() {
                    self.verdict.genesis = anchor.before_journal;
                }
            }
            Fact::SessionVoided(voided) => {
                self.sessions.entry(id).or_default().correction =
                    Some(("void".into(), voided.note));
            }
            Fact::Attempt(attempt) => {
                // An attempt never changes: carried again, it is the same.
                self.attempts.insert(
                    id,
                    AttemptRow {
                        id,
                        user_id: attempt.user_id,
                        typed: attempt.typed,
                        at: attempt.at,
                        outcome: attempt.outcome,
                    },
                );
            }
            Fact::Pruned(pruned) => {
                self.verdict.pruned += pruned.sessions + pruned.attempts;
                self.pruned_before = self.pruned_before.max(Some(pruned.before));
            }
            Fact::ScheduleSet(set) => remember(&mut self.schedules, id, set.carried, set),
            Fact::HolidayAdded(holiday) => {
                remember(&mut self.holidays, id, holiday.carried, holiday)
            }
            Fact::LeaveAdded(leave) => remember(&mut self.leaves, id, leave.carried, leave),
            Fact::ScheduleCleared(_) => {
                self.schedules.insert(id, None);
            }
            Fact::HolidayRemoved(_) => {
                self.holidays.insert(id, None);
            }
            Fact::LeaveRemoved(_) => {
                self.leaves.insert(id, None);
            }
            Fact::MonthClosed(month) => remember(&mut self.closed_months, id, month.carried, month),
            Fact::MonthReopened(_) => {
                self.closed_months.insert(id, None);
            }
            // Grants live in the server's catalogue, not in konekte's tables.
            Fact::RolesGranted(_) => {}
            // The rows it copied were journaled by the entries before it.
            // The rows an import wrote were journaled each as written.
            Fact::Copied(_) | Fact::Imported(_) => {}
        }
    }

    fn before_journal(&self, last: impl Fn(&Genesis) -> i64, id: i64) -> bool {
        self.verdict.genesis.as_ref().is_some_and(|g| id <= last(g))
    }

    /// An account's row, against the journal.
    pub fn account(&mut self, row: AccountRow) {
        let Some(known) = self.accounts.remove(&row.id) else {
            return self.unknown("users", row.id, |g| g.last_user);
        };
        let mut differs = Differs::new("users", row.id);
        differs.text("username", known.username, &row.username);
        differs.text("full_name", known.full_name, &row.full_name);
        differs.text("role", known.role, &row.role);
        if let Some(disabled) = known.disabled {
            differs.text(
                "disabled",
                Some(disabled.to_string()),
                &row.disabled.to_string(),
            );
        }
        differs.text("password", known.password, &row.password);
        self.verdict.findings.extend(differs.found);
    }

    /// A session's row, against the journal.
    pub fn session(&mut self, row: SessionRow) {
        let Some(known) = self.sessions.remove(&row.id) else {
            return self.unknown("sessions", row.id, |g| g.last_session);
        };
        let mut differs = Differs::new("sessions", row.id);
        if let Some(opened) = known.opened {
            differs.number("user_id", opened.user_id, row.user_id);
            differs.time("login_time", Some(opened.login_time), Some(row.login_time));
            differs.text("host", Some(opened.host), &row.host);
            differs.optional_text("service", opened.service.as_deref(), row.service.as_deref());
            let name = opened.login_name.as_deref();
            differs.optional_text("login_name", name, row.login_name.as_deref());
        }
        match (known.end, known.corrected_end) {
            (Some(end), corrected) => {
                let end = end.map(|end| Ended {
                    logout_time: corrected.unwrap_or(end.logout_time),
                    ..end
                });
                differs.end(end.as_ref(), row.end.as_ref());
            }
            // From before the journal, its end moved: that much is known.
            (None, Some(corrected)) => {
                differs.time(
                    "logout_time",
                    Some(corrected),
                    row.end.map(|e| e.logout_time),
                );
            }
            (None, None) => {}
        }
        if let Some((kind, note)) = &known.correction {
            let now = row.correction.as_ref();
            differs.optional_text("correction", Some(kind), now.map(|(k, _)| k.as_str()));
            differs.optional_text("correction_note", Some(note), now.map(|(_, n)| n.as_str()));
        } else if let Some((kind, _)) = &row.correction {
            differs.optional_text("correction", None, Some(kind));
        }
        self.verdict.findings.extend(differs.found);
    }

    /// An attempt's row, against the journal.
    pub fn attempt(&mut self, row: AttemptRow) {
        let Some(known) = self.attempts.remove(&row.id) else {
            return self.unknown("login_attempts", row.id, |g| g.last_attempt);
        };
        let mut differs = Differs::new("login_attempts", row.id);
        differs.number("user_id", known.user_id, row.user_id);
        differs.text("username_typed", Some(known.typed), &row.typed);
        differs.time("at", Some(known.at), Some(row.at));
        differs.text("outcome", Some(known.outcome), &row.outcome);
        self.verdict.findings.extend(differs.found);
    }

    /// A schedule's row, against the journal.
    pub fn schedule(&mut self, row: ScheduleRow) {
        let Some(Some(known)) = self.schedules.remove(&row.id) else {
            return self.unrecorded("schedules", row.id);
        };
        let mut differs = Differs::new("schedules", row.id);
        differs.optional_text("role", known.role.as_deref(), row.role.as_deref());
        differs.number("user_id", known.user_id, row.user_id);
        differs.text("from_day", Some(known.from), &row.from);
        if known.week.text() != row.week {
            // Said as `--days` and `--start`/`--end` write it, when the row reads as a week.
            let now = crate::schedule::Week::parse(&row.week)
                .map_or(row.week.clone(), |week| week.summary());
            differs.differ("week", Shown::Text(known.week.summary()), Shown::Text(now));
        }
        self.verdict.findings.extend(differs.found);
    }

    pub fn holiday(&mut self, row: HolidayRow) {
        let Some(Some(known)) = self.holidays.remove(&row.id) else {
            return self.unrecorded("holidays", row.id);
        };
        let mut differs = Differs::new("holidays", row.id);
        differs.text("day", Some(known.day), &row.day);
        differs.text("name", Some(known.name), &row.name);
        self.verdict.findings.extend(differs.found);
    }

    pub fn leave(&mut self, row: LeaveRow) {
        let Some(Some(known)) = self.leaves.remove(&row.id) else {
            return self.unrecorded("leaves", row.id);
        };
        let mut differs = Differs::new("leaves", row.id);
        differs.number("user_id", Some(known.user_id), Some(row.user_id));
        differs.text("from_day", Some(known.from), &row.from);
        differs.text("to_day", Some(known.to), &row.to);
        differs.text("reason", Some(known.reason), &row.reason);
        self.verdict.findings.extend(differs.found);
    }

    pub fn closed_month(&mut self, row: ClosedMonthRow) {
        let Some(Some(known)) = self.closed_months.remove(&row.id) else {
            return self.unrecorded("closed_months", row.id);
        };
        let mut differs = Differs::new("closed_months", row.id);
        differs.text("month", Some(known.month), &row.month);
        differs.optional_text("note", known.note.as_deref(), row.note.as_deref());
        self.verdict.findings.extend(differs.found);
    }

    /// A row of a table younger than every genesis that no entry speaks of: forged.
    fn unrecorded(&mut self, table: &'static str, id: i64) {
        self.verdict
            .findings
            .push(Finding::Unrecorded { table, id });
    }

    /// A row no entry speaks of: from before the journal, or forged.
    fn unknown(&mut self, table: &'static str, id: i64, last: impl Fn(&Genesis) -> i64) {
        if self.before_journal(last, id) {
            self.verdict.unproved += 1;
        } else {
            self.verdict
                .findings
                .push(Finding::Unrecorded { table, id });
        }
    }

    /// The verdict, once every row has been seen: what the journal records and no
    /// table holds is missing, unless a prune took it.
    pub fn finish(mut self) -> Verdict {
        let last = self.verdict.head.as_ref().map_or(0, |(id, _)| *id);
        for (line, checkpoint) in std::mem::take(&mut self.checkpoints)
            .into_values()
            .flatten()
        {
            if self
                .verdict
                .retained_after
                .is_some_and(|through| checkpoint.entry <= through)
            {
                self.verdict.before_retained += 1;
                continue;
            }
            self.verdict.findings.push(Finding::Witness {
                line,
                checkpoint,
                problem: Witnessed::Beyond { last },
            });
        }
        let pruned = |at: Option<Millis>| at.zip(self.pruned_before).is_some_and(|(at, b)| at < b);
        let mut missing: Vec<Finding> = Vec::new();
        for id in self.accounts.keys() {
            missing.push(Finding::Missing {
                table: "users",
                id: *id,
            });
        }
        for (id, known) in &self.sessions {
            let ended_at = known
                .end
                .as_ref()
                .and_then(|end| end.as_ref().map(|e| e.logout_time));
            if !pruned(ended_at) {
                missing.push(Finding::Missing {
                    table: "sessions",
                    id: *id,
                });
            }
        }
        for (id, attempt) in &self.attempts {
            if !pruned(Some(attempt.at)) {
                missing.push(Finding::Missing {
                    table: "login_attempts",
                    id: *id,
                });
            }
        }
        for (table, ids) in [
            ("schedules", present_ids(&self.schedules)),
            ("holidays", present_ids(&self.holidays)),
            ("leaves", present_ids(&self.leaves)),
            ("closed_months", present_ids(&self.closed_months)),
        ] {
            missing.extend(ids.into_iter().map(|id| Finding::Missing { table, id }));
        }
        missing.sort_by_key(|finding| match finding {
            Finding::Missing { table, id } => (*table, *id),
            _ => ("", 0),
        });
        self.verdict.findings.extend(missing);
        self.verdict
    }
}

/// What a fact says of an attendance row: the row as it now stands, unless the fact was
/// carried past a prune, which fills in only what no kept entry said.
fn remember<T>(rows: &mut HashMap<i64, Option<T>>, id: i64, carried: bool, row: T) {
    if carried {
        rows.entry(id).or_insert(Some(row));
    } else {
        rows.insert(id, Some(row));
    }
}

/// Each row the journal says is there, as `fact` of it.
fn present_rows<'a, T: Clone>(
    rows: &'a HashMap<i64, Option<T>>,
    fact: impl Fn(T) -> Fact + 'a,
) -> impl Iterator<Item = (i64, Fact)> + 'a {
    rows.iter()
        .filter_map(move |(id, row)| row.clone().map(|row| (*id, fact(row))))
}

/// The ids of the rows the journal says are there.
fn present_ids<T>(rows: &HashMap<i64, Option<T>>) -> Vec<i64> {
    rows.iter()
        .filter_map(|(id, row)| row.as_ref().map(|_| *id))
        .collect()
}

/// The fields of one row that differ from the journal.
struct Differs {
    table: &'static str,
    id: i64,
    found: Vec<Finding>,
}

impl Differs {
    fn new(table: &'static str, id: i64) -> Differs {
        Differs {
            table,
            id,
            found: Vec::new(),
        }
    }

    fn differ(&mut self, field: &'static str, recorded: Shown, now: Shown) {
        self.found.push(Finding::Differs {
            table: self.table,
            id: self.id,
            field,
            recorded,
            now,
        });
    }

    /// A text field; `None` recorded: the journal does not know it.
    fn text(&mut self, field: &'static str, recorded: Option<String>, now: &str) {
        if let Some(recorded) = recorded
            && recorded != now
        {
            self.differ(field, Shown::Text(recorded), Shown::Text(now.into()));
        }
    }

    fn optional_text(&mut self, field: &'static str, recorded: Option<&str>, now: Option<&str>) {
        if recorded != now {
            let shown = |text: Option<&str>| text.map_or(Shown::Nothing, |t| Shown::Text(t.into()));
            self.differ(field, shown(recorded), shown(now));
        }
    }

    fn number(&mut self, field: &'static str, recorded: Option<i64>, now: Option<i64>) {
        if recorded != now {
            let shown = |n: Option<i64>| n.map_or(Shown::Nothing, |n| Shown::Text(n.to_string()));
            self.differ(field, shown(recorded), shown(now));
        }
    }

    fn time(&mut self, field: &'static str, recorded: Option<Millis>, now: Option<Millis>) {
        if recorded != now {
            let shown = |at: Option<Millis>| at.map_or(Shown::Nothing, Shown::Time);
            self.differ(field, shown(recorded), shown(now));
        }
    }

    /// A session's end, as recorded and as it stands (`None`: open).
    fn end(&mut self, recorded: Option<&Ended>, now: Option<&Ended>) {
        self.time(
            "logout_time",
            recorded.map(|e| e.logout_time),
            now.map(|e| e.logout_time),
        );
        self.optional_text(
            "end_reason",
            recorded.map(|e| e.reason.as_str()),
            now.map(|e| e.reason.as_str()),
        );
        self.number(
            "ended_by",
            recorded.and_then(|e| e.ended_by),
            now.and_then(|e| e.ended_by),
        );
        self.optional_text(
            "ended_by_account",
            recorded.and_then(|e| e.ended_by_account.as_deref()),
            now.and_then(|e| e.ended_by_account.as_deref()),
        );
        self.optional_text(
            "end_note",
            recorded.and_then(|e| e.note.as_deref()),
            now.and_then(|e| e.note.as_deref()),
        );
    }
}

#[cfg(test)]
mod tests;
