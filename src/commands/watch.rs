//! `console watch [--format text|json] [--after ID] [--exec CMD]`: the journal followed
//! live, one line per event, woken by the database's own change notice (inotify on a
//! SQLite file, LISTEN on PostgreSQL).

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::Result;

use crate::cli::{WatchArgs, WatchFormat};
use crate::clock::{Zone, format_in};
use crate::db::{Db, Target, Watch};
use crate::journal::events::{Event, event_of};

/// Entries read at a time.
const BATCH: i64 = 500;
/// The longest a watcher sleeps without looking (a change notice can be missed when
/// its connection drops).
const PATIENCE: Duration = Duration::from_secs(1);

pub fn run(args: &WatchArgs, target: &Target, out: &mut dyn Write) -> Result<()> {
    let db = Db::open_existing(target)?;
    let mut watch = Watch::open(target)?;
    let mut after = match args.after {
        Some(after) => after,
        None => db.journal_head()?.0,
    };
    loop {
        let entries = db.entries_after(after, BATCH)?;
        for entry in &entries {
            after = entry.id;
            let Some(mut event) = event_of(entry) else {
                continue;
            };
            name(&db, &mut event)?;
            // The hook first: a line out means the event was handled, so that a
            // watcher killed and restarted after it does not skip a hook.
            if let Some(command) = &args.exec {
                run_hook(command, &event);
            }
            tell(out, args.format, &event)?;
        }
        if entries.len() < BATCH as usize && watch.wait(PATIENCE).is_err() {
            // A lost connection: the next wait makes it again.
            std::thread::sleep(PATIENCE);
        }
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
            writeln!(out, "{line}  #{}", event.id)?;
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
