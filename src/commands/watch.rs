//! `console watch [--format text|json] [--after ID] [--exec CMD]`: the journal followed
//! live, one line per event, woken by the database's own change notice (inotify on a
//! SQLite file, LISTEN on PostgreSQL).

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::Result;

use crate::cli::{WatchArgs, WatchFormat};
use crate::clock::{Zone, days_between, format_in};
use crate::db::{Db, Target, Watch};
use crate::error::Error;
use crate::exceptions::{Expected, holds_at, moments};
use crate::journal::events::{Event, event_of};
use crate::model::{Millis, Role};

/// Entries read at a time.
const BATCH: i64 = 500;
/// The longest a watcher sleeps without looking (a change notice can be missed when
/// its connection drops).
const PATIENCE: Duration = Duration::from_secs(1);
const DAY: Millis = 86_400_000;

pub fn run(args: &WatchArgs, target: &Target, out: &mut dyn Write) -> Result<()> {
    let db = Db::open_existing(target)?;
    let mut watch = Watch::open(target)?;
    let (mut after, told_until) = cursor(&db, args.after.as_deref())?;
    let mut clockwork = Clockwork::new(told_until);
    loop {
        let entries = db.entries_after(after, BATCH)?;
        let full = entries.len() == BATCH as usize;
        // Behind: the exceptions up to the last entry read; else up to now.
        let horizon = match entries.last() {
            Some(last) if full => last.at,
            _ => db.now(),
        };
        let mut derived = clockwork.due(&db, horizon)?.into_iter().peekable();
        let mut told_until = clockwork.told;
        for entry in &entries {
            while let Some(event) = derived.next_if(|event| event.at <= entry.at) {
                told_until = event.at;
                handle(args, out, event, (after, told_until))?;
            }
            after = entry.id;
            if changes_expectations(&entry.kind) {
                clockwork.forget();
            }
            let Some(mut event) = event_of(entry) else {
                continue;
            };
            name(&db, &mut event)?;
            handle(args, out, event, (after, told_until))?;
        }
        for event in derived {
            told_until = event.at;
            handle(args, out, event, (after, told_until))?;
        }
        if !full && watch.wait(PATIENCE).is_err() {
            // A lost connection: the next wait makes it again.
            std::thread::sleep(PATIENCE);
        }
    }
}

/// Tells one event: its hook first, then its line, so that a line out means the event
/// was handled, and a watcher killed and restarted after it does not skip a hook.
/// `(after, told)`: the last entry and the last exception's instant handled with it.
fn handle(
    args: &WatchArgs,
    out: &mut dyn Write,
    mut event: Event,
    (after, told): (i64, Millis),
) -> Result<()> {
    if event.id == 0 {
        // A derived event carries the last entry before it.
        event.id = after;
    }
    event.resume = format!("{after}:{told}");
    if let Some(command) = &args.exec {
        run_hook(command, &event);
    }
    tell(out, args.format, &event)
}

/// Where to start: `--after ID` (the entries after it, and the exceptions from its
/// time), `--after ID:MS` (an event's `resume`: exactly past it), or now.
fn cursor(db: &Db, after: Option<&str>) -> Result<(i64, Millis)> {
    let Some(text) = after else {
        return Ok((db.journal_head()?.0, db.now()));
    };
    let unreadable = || Error::Usage(crate::said!(after_unreadable, text = text));
    let (id, instant) = match text.trim().split_once(':') {
        Some((id, instant)) => (id, Some(instant)),
        None => (text.trim(), None),
    };
    let id: i64 = id.parse().map_err(|_| unreadable())?;
    let instant = match instant {
        Some(instant) => instant.parse().map_err(|_| unreadable())?,
        None => db.entry_time(id)?.unwrap_or_else(|| db.now()),
    };
    Ok((id, instant))
}

/// Whether an entry of `kind` changes what is expected of whom.
fn changes_expectations(kind: &str) -> bool {
    ["schedule.", "holiday.", "leave.", "account."]
        .iter()
        .any(|prefix| kind.starts_with(prefix))
}

/// The enabled accounts: id, name, role.
type Staff = Vec<(i64, String, Role)>;

/// The exceptions that become true as time passes, which no entry says: late at the
/// start and its grace with nobody in, absent at the end, still on past it.
struct Clockwork {
    /// Read when first needed, and again after an entry that changes it.
    expected: Option<(Expected, Staff)>,
    /// The exceptions up to this instant are told.
    told: Millis,
    /// Nothing can become true before this instant (the next moment of anyone's day).
    quiet_until: Millis,
}

impl Clockwork {
    fn new(told: Millis) -> Clockwork {
        Clockwork {
            expected: None,
            told,
            quiet_until: 0,
        }
    }

    fn forget(&mut self) {
        self.expected = None;
        self.quiet_until = 0;
    }

    /// The exceptions that became true in (told, to], in order of their instants.
    fn due(&mut self, db: &Db, to: Millis) -> Result<Vec<Event>> {
        let from = self.told;
        if to <= from {
            return Ok(Vec::new());
        }
        self.told = to;
        if to < self.quiet_until {
            return Ok(Vec::new());
        }
        if self.expected.is_none() {
            self.expected = Some((db.expected()?, db.staff()?));
        }
        let Some((expected, staff)) = &self.expected else {
            return Ok(Vec::new());
        };
        let tz = Zone::Local;
        let mut events = Vec::new();
        // Until the next moment after `to`: looked for up to two days ahead.
        let mut next = to + 2 * DAY;
        // From the day before: a day's last moment may fall after its midnight.
        for day in days_between(from - DAY, to + 2 * DAY, tz) {
            let mut due = Vec::new();
            for (id, name, role) in staff {
                for (at, kind) in moments(&expected.spans(*id, *role, day, tz)) {
                    if from < at && at <= to {
                        due.push((at, kind, name.as_str(), *id));
                    } else if at > to {
                        next = next.min(at);
                    }
                }
            }
            let midnight = day.and_hms_opt(0, 0, 0).and_then(|m| tz.instant(m));
            let (Some(midnight), false) = (midnight, due.is_empty()) else {
                continue;
            };
            // The sessions that touch the day, and its moments past midnight.
            let worked = db.worked_between(None, midnight, (midnight + 2 * DAY).min(to + 1))?;
            for (at, kind, name, id) in due {
                let sessions = worked.get(&id).map_or(&[][..], Vec::as_slice);
                if holds_at(kind, at, midnight, sessions) {
                    events.push(Event::derived(at, kind, name, day));
                }
            }
        }
        self.quiet_until = next;
        events.sort_by_key(|event| event.at);
        Ok(events)
    }
}

/// The event's person, by name: the account of its user id, or its session's owner.
fn name(db: &Db, event: &mut Event) -> Result<()> {
    if let Some(id) = event.user_id {
        event.user = db.names_of(&[id])?.remove(&id).map(|(name, _)| name);
    } else if let (None, Some(session)) = (&event.user, event.session) {
        event.user = db.owners_of(&[session])?.remove(&session);
    }
    Ok(())
}

fn tell(out: &mut dyn Write, format: WatchFormat, event: &Event) -> Result<()> {
    match format {
        WatchFormat::Json => writeln!(out, "{}", serde_json::to_string(event)?)?,
        WatchFormat::Text => {
            let parts = [
                Some(format_in(event.at, Zone::Local, "%Y-%m-%d %H:%M:%S")),
                Some(event.event.to_string()),
                event.user.clone(),
                event.session.map(|id| format!("session {id}")),
                event.what.clone(),
                event.detail.clone(),
                event.by.as_ref().map(|by| format!("by {by}")),
            ];
            let line: Vec<String> = parts.into_iter().flatten().collect();
            let line = crate::printable::escaped(&line.join("  ")).into_owned();
            writeln!(out, "{line}  #{}", event.resume)?;
        }
    }
    out.flush()?;
    Ok(())
}

/// Runs `command` with the event's JSON on its stdin and waits for it; a hook that
/// fails is said on stderr, and the watch goes on.
fn run_hook(command: &str, event: &Event) {
    let json = serde_json::to_string(event).unwrap_or_default();
    let ran = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            if let Some(mut stdin) = child.stdin.take() {
                // A hook that does not read its input is its own business.
                let _ = writeln!(stdin, "{json}");
            }
            child.wait()
        });
    match ran {
        Ok(status) if status.success() => {}
        Ok(status) => eprintln!(
            "{}",
            crate::tr!(hook_failed, id = event.id, status = status)
        ),
        Err(err) => eprintln!("{}", crate::tr!(hook_failed, id = event.id, status = err)),
    }
}
