//! A station as a process: the database opened, the terminal taken over, the threads
//! that feed the loop (keys, changes in the database, signals), and what is left to do
//! once the loop ends (a last end after a panic, the monitor's last checkpoint).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Sender};
use std::thread;

use anyhow::Result;

use super::{Clock, Event, Mode, Place, Settings, Station, WATCH, WATCH_RETRY};
use crate::cli::TerminalArgs;
use crate::clock::{Zone, now_ms};
use crate::db::{Db, Target, Watch};
use crate::error::Error;
use crate::model::Origin;
use crate::origin::ThisHost;
use crate::tui::{self, TerminalGuard, Theme};

/// Runs a station on the database `target`, in this terminal, until it is done.
pub fn run(target: &Target, args: &TerminalArgs, mode: Mode) -> Result<()> {
    let db = Db::open_existing(target)?;
    if matches!(mode, Mode::Monitor { .. }) && !db.has_enabled_admin()? {
        return Err(Error::Refused(crate::said!(no_admin, path = target.describe())).into());
    }
    let watch = Watch::open(target)?;
    let signals = Signals::install()?;
    let mut guard = TerminalGuard::enter()?;
    let (events, inbox) = mpsc::channel();
    tui::spawn_input_reader(events.clone(), Event::Input);
    spawn_watcher(watch, events.clone());
    let place = Place {
        origin: Origin::of_this_process(),
        this_host: ThisHost::detect(),
        tz: Zone::Local,
        theme: Theme::from_env(),
        texts: crate::i18n::texts(),
    };
    // The database's clock: on PostgreSQL the server's, as each heartbeat measures it.
    let offset = db.clock_offset();
    let session_keys = db.session_keys();
    let clock: Clock = Arc::new(move || now_ms() + offset.load(Ordering::Relaxed));
    let mut station = Station::new(db, Settings::from_args(args), mode, place, clock, events);
    station.start();
    // A panic of the loop's own thread ends the loop as one in another thread does.
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        station.run_loop(&mut guard.terminal, &inbox, &signals);
    }));
    if tui::panicked() {
        // The worker may be what panicked: the end goes through a connection of its
        // own, if the database answers before the process is ended.
        if let Some((session_id, reason, at)) = station.unwritten_end() {
            let _ = Db::open_existing(target).and_then(|mut db| {
                db.share_session_keys(session_keys);
                db.close_session(session_id, reason, at, None, None)
            });
        }
        return Err(Error::Refused(crate::said!(stopped_by_fault)).into());
    }
    station.last_checkpoint(target)
}

/// Tells the loop whenever another connection changed the database: the monitor
/// reloads only then. A lost connection is made again, and counts as a change.
pub fn spawn_watcher(mut watch: Watch, events: Sender<Event>) {
    thread::spawn(move || {
        loop {
            match watch.wait(WATCH) {
                Ok(false) => {}
                Ok(true) => {
                    if events.send(Event::Changed).is_err() {
                        return;
                    }
                }
                Err(_) => thread::sleep(WATCH_RETRY),
            }
        }
    });
}

/// The stop signals, remembered until the loop looks.
pub(super) struct Signals(Arc<AtomicUsize>);

impl Signals {
    fn install() -> Result<Signals> {
        let received = Arc::new(AtomicUsize::new(0));
        for signal in [
            signal_hook::consts::SIGHUP,
            signal_hook::consts::SIGTERM,
            signal_hook::consts::SIGINT,
        ] {
            signal_hook::flag::register_usize(signal, Arc::clone(&received), signal as usize)?;
        }
        Ok(Signals(received))
    }

    pub(super) fn received(&self) -> bool {
        self.0.load(Ordering::Relaxed) != 0
    }
}
