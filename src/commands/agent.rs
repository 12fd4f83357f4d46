//! `console agent`: one per machine, under systemd. The PC's own logins (PAM sessions)
//! have no terminal of konekte's beating for them: the agent beats for all of this
//! machine's at once, one statement a beat, and sweeps, closing as lost those whose
//! process is gone and those of an earlier boot (at their last beat). When it stops it
//! gives its sessions back to "nobody beats for them": a machine whose agent was
//! stopped on purpose is never taken for a dead one.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Result;

use crate::db::{Db, Target};
use crate::model::Millis;
use crate::origin::ThisHost;

pub fn run(heartbeat: Millis, target: &Target) -> Result<()> {
    let host = ThisHost::detect();
    let (Some(machine), Some(boot)) = (host.machine_id.clone(), host.boot_id.clone()) else {
        return Err(crate::error::Error::Refused(crate::said!(agent_no_machine_id)).into());
    };
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(signal, Arc::clone(&stop))?;
    }
    let Some(db) = open_when_there(target, &stop, heartbeat) else {
        return Ok(());
    };
    eprintln!(
        "console agent: beating every {heartbeat} ms for {}",
        host.host
    );
    while !stop.load(Ordering::Relaxed) {
        beat_and_sweep(&db, &host, (&machine, &boot), heartbeat);
        sleep_unless_stopped(&stop, heartbeat);
    }
    // Nobody beats for them now: silence no longer means death.
    db.beat_host(&machine, &boot, db.now(), 0)?;
    Ok(())
}

/// The database, once it can be opened: a package installs the agent before the
/// office's first `add-users` makes its database, and a server may be down at boot.
/// Each new reason it cannot is said once; `None` if stopped meanwhile.
fn open_when_there(target: &Target, stop: &AtomicBool, heartbeat: Millis) -> Option<Db> {
    let mut said = String::new();
    while !stop.load(Ordering::Relaxed) {
        match super::open_as_admin(target) {
            Ok(db) => return Some(db),
            Err(err) => {
                let why = format!("{err:#}");
                if why != said {
                    eprintln!("console agent: waiting for the database: {why}");
                    said = why;
                }
            }
        }
        sleep_unless_stopped(stop, heartbeat);
    }
    None
}

/// One beat. A database out of reach is said and tried again at the next beat: the
/// agent outlives it, as the sessions it beats for do.
fn beat_and_sweep(db: &Db, host: &ThisHost, (machine, boot): (&str, &str), heartbeat: Millis) {
    let now = db.now();
    if let Err(err) = db.beat_host(machine, boot, now, heartbeat) {
        eprintln!("console agent: beat not written: {err:#}");
    }
    if let Err(err) = db.sweep_lost(db.now(), &host.here()) {
        eprintln!("console agent: sweep not done: {err:#}");
    }
}

fn sleep_unless_stopped(stop: &AtomicBool, heartbeat: Millis) {
    let step = Duration::from_millis(50);
    let mut left = Duration::from_millis(heartbeat.unsigned_abs());
    while !left.is_zero() && !stop.load(Ordering::Relaxed) {
        std::thread::sleep(step.min(left));
        left = left.saturating_sub(step);
    }
}
