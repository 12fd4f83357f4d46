//! A station: the run loop of one terminal, shared by `console login`, `console monitor`
//! and `console demo`. It carries out what the screens ask for (log in, end sessions,
//! load the monitor), beats the heartbeat, and closes the session on SIGHUP, SIGTERM,
//! SIGINT or a closed terminal before it exits.
//!
//! The loop never waits for the database: every query and write goes to a worker thread
//! with its own connection, whose replies come back as events beside the keys, so that
//! clocks keep ticking and the screen says so while another program holds the lock. Time
//! comes from an injected clock, so that the whole station runs in tests on a temporary
//! database without a terminal.

mod process;
mod program;
mod watching;
mod worker;

use std::io::Stdout;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use anyhow::Result;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::KeyEvent;

use crate::auth::LockPolicy;
use crate::cli::TerminalArgs;
use crate::clock::Zone;
use crate::db::{Beat, Closed, Db, Target};
use crate::error::said_in;
use crate::i18n::{Texts, fill};
use crate::model::{EndReason, Millis, Origin, Role};
use crate::origin::ThisHost;
use crate::tui::login::Said;
use crate::tui::{self, DbLink, DbStatus, Input, Theme, Unusable, login, monitor, session};

pub use process::{run, spawn_watcher};
pub use worker::{Job, LoggedIn, Opened, Reply};

use process::Signals;
use program::{Program, repaint_whole};

/// How often the loop wakes without an event: the clocks tick.
const TICK: Duration = Duration::from_millis(100);
/// How long the watcher waits for a sign of change before it looks anyway (SQLite's
/// `data_version`; PostgreSQL's notifications come as they are sent).
const WATCH: Duration = Duration::from_millis(100);
/// How long the watcher waits before it connects again, after a drop.
const WATCH_RETRY: Duration = Duration::from_secs(1);
/// How often a logout that could not be written is tried again.
const RETRY_END: Millis = 1_000;
/// A job unanswered this long is said on screen: the database is held elsewhere.
const WAIT_NOTICE: Millis = 1_500;
/// How long a stopping terminal waits for its last end to be written: past that it
/// exits anyway (a server that cannot be reached must not keep a closed terminal's
/// process alive), and the sweep finds the session lost at its last heartbeat.
const HANGUP_PATIENCE: Duration = Duration::from_secs(3);
/// The same after a panic, when the worker may be gone (the process ends a second
/// after a panic).
const PANIC_PATIENCE: Duration = Duration::from_millis(300);

/// Where the time comes from: the system's clock, or a test's.
pub use crate::db::Clock;

/// What a station is for.
pub enum Mode {
    /// A shared terminal: login, session, logout, the next person (or exit with `once`);
    /// the session is the office's program, where one is given.
    Terminal { once: bool, programs: Programs },
    /// The admin's monitor: an admin logs in, the monitor opens; leaving it logs out.
    Monitor {
        /// Shown above the panes (the demo says what it is).
        banner: Option<String>,
        /// Credentials to log in with at once, through the same path as a person.
        sign_in: Option<(String, String)>,
        /// Leaving asks first, saying what becomes of the demo's database.
        confirm_quit: Option<monitor::Leaving>,
        /// Where the monitor keeps checkpoints of the journal's head: every
        /// CHECKPOINT_EVERY while it is open, and when it closes.
        witness: Option<PathBuf>,
    },
}

/// The office's program that runs as a session (`--exec`, `--exec-role`): a role's own,
/// else everyone's, else none (the session screen).
#[derive(Debug, Clone, Default)]
pub struct Programs {
    pub everyone: Option<String>,
    pub by_role: Vec<(Role, String)>,
}

impl Programs {
    fn for_role(&self, role: Role) -> Option<&str> {
        self.by_role
            .iter()
            .find(|(of, _)| *of == role)
            .map(|(_, command)| command.as_str())
            .or(self.everyone.as_deref())
    }
}

/// How often an open monitor writes a checkpoint to its witness.
const CHECKPOINT_EVERY: Millis = 5 * 60_000;

/// How a terminal keeps its sessions.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub idle_timeout: Option<Millis>,
    pub heartbeat: Millis,
    pub policy: LockPolicy,
    /// Whether Ctrl-C on the login screen leaves the program.
    pub quit_allowed: bool,
}

impl Settings {
    pub fn from_args(args: &TerminalArgs) -> Settings {
        let minutes = Millis::from(args.lock_minutes) * 60_000;
        Settings {
            idle_timeout: args.idle_timeout.0,
            heartbeat: args.heartbeat,
            policy: LockPolicy {
                max_failures: args.lock_after,
                window: minutes,
                lock: minutes,
                by: args.lock_by,
            },
            quit_allowed: !args.no_quit,
        }
    }
}

/// What reaches the loop: a key, a reply of the worker, a change seen in the database.
pub enum Event {
    Input(Input),
    Reply(Box<Reply>),
    Changed,
    /// The database can take no more logins: its file was removed or replaced, or it
    /// is damaged.
    Unusable(Unusable),
    /// The program run as a session (`--exec`), by its number, has exited.
    ProgramEnded(u64),
}

/// Where the station runs and how it speaks.
pub struct Place {
    pub origin: Origin,
    pub this_host: ThisHost,
    pub tz: Zone,
    pub theme: Theme,
    /// The terminal's own language (`--lang`, else the environment).
    pub texts: &'static Texts,
}

pub enum Screen {
    Login(login::State),
    Session(session::State),
    /// The monitor, opened within an admin's session (which goes on beating and can
    /// still end for inactivity).
    Monitor(session::State, Box<monitor::State>),
}

/// An end decided but not yet written: kept and retried until the database takes it.
#[derive(Debug, Clone, Copy)]
struct PendingEnd {
    session_id: i64,
    reason: EndReason,
    at: Millis,
    in_flight: bool,
    retry_at: Millis,
}

pub struct Station {
    settings: Settings,
    mode: Mode,
    place: Place,
    clock: Clock,
    jobs: Sender<Job>,
    screen: Screen,
    size: (u16, u16),
    /// When each job still unanswered was sent, oldest first (the worker answers in order).
    sent: std::collections::VecDeque<Millis>,
    pending_end: Option<PendingEnd>,
    beat_in_flight: bool,
    next_beat: Millis,
    /// When the monitor writes its next checkpoint to its witness.
    next_checkpoint: Millis,
    load_in_flight: bool,
    reload_wanted: bool,
    /// The database can take no more logins (its file replaced: what is written here,
    /// no one reads; or damaged).
    db_unusable: Option<Unusable>,
    /// Whether the worker's connection reached the database at its last try.
    reachable: Arc<std::sync::atomic::AtomicBool>,
    /// The program that is the session (`--exec`), from its start until it has exited.
    program: Option<Program>,
    /// Where the program tells that it has exited.
    events: Sender<Event>,
    /// The screen was the program's: drawn again whole.
    repaint: bool,
    finished: bool,
}

impl Station {
    pub fn new(
        db: Db,
        settings: Settings,
        mode: Mode,
        place: Place,
        clock: Clock,
        events: Sender<Event>,
    ) -> Station {
        let reachable = db.reachable();
        let program_events = events.clone();
        let jobs = worker::spawn(
            db,
            worker::Context {
                origin: place.origin.clone(),
                this_host: place.this_host.clone(),
                policy: settings.policy,
                heartbeat: settings.heartbeat,
                tz: place.tz,
                clock: Arc::clone(&clock),
            },
            events,
        );
        let now = clock();
        let for_monitor = matches!(mode, Mode::Monitor { .. });
        let first = login_screen(&place, &settings, for_monitor, now, None);
        Station {
            settings,
            mode,
            place,
            clock,
            jobs,
            screen: Screen::Login(first),
            size: (0, 0),
            sent: Default::default(),
            pending_end: None,
            beat_in_flight: false,
            next_beat: now,
            next_checkpoint: now,
            load_in_flight: false,
            reload_wanted: false,
            db_unusable: None,
            reachable,
            program: None,
            events: program_events,
            repaint: false,
            finished: false,
        }
    }

    /// A monitor's last checkpoint, as it closes: the head after its own logout.
    fn last_checkpoint(&self, target: &Target) -> Result<()> {
        match &self.mode {
            Mode::Monitor {
                witness: Some(file),
                ..
            } => worker::checkpoint(&Db::open_existing(target)?, file, (self.clock)()),
            _ => Ok(()),
        }
    }

    /// The demo's admin signs in at once, through the same path as a person.
    pub fn start(&mut self) {
        if let Mode::Monitor {
            sign_in: Some((username, password)),
            ..
        } = &self.mode
        {
            let (username, password) = (username.clone(), password.clone());
            self.on_login_effect(Some(login::Effect::Authenticate { username, password }));
        }
    }

    pub fn screen(&self) -> &Screen {
        &self.screen
    }

    pub fn finished(&self) -> bool {
        self.finished
    }

    /// Whether a job is still waiting for its reply.
    pub fn busy(&self) -> bool {
        !self.sent.is_empty()
    }

    fn now(&self) -> Millis {
        (self.clock)()
    }

    fn for_monitor(&self) -> bool {
        matches!(self.mode, Mode::Monitor { .. })
    }

    fn login_screen(&self, notice: Option<Said>) -> login::State {
        login_screen(
            &self.place,
            &self.settings,
            self.for_monitor(),
            self.now(),
            notice,
        )
    }

    fn run_loop(
        &mut self,
        terminal: &mut Terminal<CrosstermBackend<Stdout>>,
        inbox: &Receiver<Event>,
        signals: &Signals,
    ) {
        while !self.finished {
            if let Ok(size) = terminal.size() {
                self.resized(size.width, size.height);
            }
            if std::mem::take(&mut self.repaint) {
                repaint_whole(terminal);
            }
            // A closed terminal shows up as a signal, as a terminal that cannot be drawn
            // on, or as input that cannot be read: each is a hangup. So is a panic in
            // any thread: the terminal is restored already, nothing is drawn again. The
            // program that is the session draws itself.
            let drawn = tui::frame(|| {
                self.program_on_screen() || terminal.draw(|frame| self.draw(frame)).is_ok()
            });
            match drawn {
                None => return self.hang_up_after_panic(inbox),
                Some(false) => return self.hang_up(inbox),
                Some(true) if signals.received() => return self.hang_up(inbox),
                Some(true) => {}
            }
            match inbox.recv_timeout(TICK) {
                Ok(Event::Input(Input::Gone)) | Err(RecvTimeoutError::Disconnected) => {
                    return self.hang_up(inbox);
                }
                // The screens' clocks move first: a key acts at the time it came, and a
                // logout is written with the time L was pressed.
                Ok(event) => {
                    self.tick();
                    self.on_event(event);
                }
                Err(RecvTimeoutError::Timeout) => self.tick(),
            }
        }
    }

    pub fn draw(&self, frame: &mut ratatui::Frame) {
        match &self.screen {
            Screen::Login(state) => frame.render_widget(state, frame.area()),
            Screen::Session(state) => frame.render_widget(state, frame.area()),
            Screen::Monitor(_, state) => frame.render_widget(&**state, frame.area()),
        }
    }

    pub fn resized(&mut self, width: u16, height: u16) {
        if self.size == (width, height) {
            return;
        }
        self.size = (width, height);
        if let Some(program) = &self.program {
            program.resize(self.size);
        }
        if let Screen::Monitor(_, state) = &mut self.screen {
            let effect = monitor::update(state, monitor::Msg::Resize(width, height));
            self.on_monitor_effect(effect);
        }
    }

    pub fn on_event(&mut self, event: Event) {
        match event {
            Event::Input(Input::Key(key)) => self.on_key(key),
            Event::Input(Input::Resized | Input::Gone) => {}
            Event::Reply(reply) => self.on_reply(*reply),
            Event::Changed => {
                if let Screen::Monitor(_, state) = &self.screen {
                    let query = state.query();
                    self.request_load(query);
                }
            }
            Event::Unusable(unusable) => {
                self.db_unusable = Some(unusable);
                self.tick();
            }
            Event::ProgramEnded(id) => self.program_ended(id),
        }
    }

    fn on_key(&mut self, key: KeyEvent) {
        if self.program_on_screen() {
            // The person's keys, not the program's output, keep the session alive.
            if let (Screen::Session(state), Some(program)) = (&mut self.screen, &mut self.program) {
                state.last_activity = state.now;
                program.key(key);
            }
            return;
        }
        match &mut self.screen {
            Screen::Login(state) => {
                let effect = login::update(state, login::Msg::Key(key));
                self.on_login_effect(effect);
            }
            Screen::Session(state) => {
                let effect = session::update(state, session::Msg::Key(key));
                self.on_session_effect(effect);
            }
            Screen::Monitor(session, state) => {
                // Watching is activity: the session stays, and so does its idle deadline.
                session.last_activity = session.now;
                let effect = monitor::update(state, monitor::Msg::Key(key));
                self.on_monitor_effect(effect);
            }
        }
    }

    /// The clocks move on; an idle session ends; the heartbeat and a logout waiting to
    /// be written are sent when due.
    pub fn tick(&mut self) {
        let now = self.now();
        let status = DbStatus {
            link: self.db_link(now),
            unusable: self.db_unusable,
        };
        match &mut self.screen {
            Screen::Login(state) => {
                let _ = login::update(state, login::Msg::Database(status));
                let _ = login::update(state, login::Msg::Tick(now));
            }
            Screen::Session(state) => {
                let _ = session::update(state, session::Msg::Database(status));
                let effect = session::update(state, session::Msg::Tick(now));
                self.on_session_effect(effect);
            }
            Screen::Monitor(session, state) => {
                let _ = session::update(session, session::Msg::Database(status));
                let effect = session::update(session, session::Msg::Tick(now));
                let idle_left = session.idle_countdown();
                let _ = monitor::update(state, monitor::Msg::IdleLeft(idle_left));
                let _ = monitor::update(state, monitor::Msg::Database(status));
                let _ = monitor::update(state, monitor::Msg::Tick(now));
                self.on_session_effect(effect);
            }
        }
        if let Some(end) = self.pending_end
            && !end.in_flight
            && now >= end.retry_at
        {
            self.send_end(end);
        }
        if let Some(program) = &mut self.program {
            program.tick(now);
        }
        if now >= self.next_beat {
            self.next_beat = now + self.settings.heartbeat;
            self.beat(now);
        }
        if let (
            Screen::Monitor(..),
            Mode::Monitor {
                witness: Some(file),
                ..
            },
        ) = (&self.screen, &self.mode)
            && now >= self.next_checkpoint
        {
            self.next_checkpoint = now + CHECKPOINT_EVERY;
            let file = file.clone();
            self.send(Job::Checkpoint { file, at: now });
        }
    }

    /// Whether the database answers: a server that cannot be reached, else a job of
    /// this terminal left waiting (for a lock held elsewhere).
    fn db_link(&self, now: Millis) -> DbLink {
        if !self.reachable.load(Ordering::Relaxed) {
            DbLink::Unreachable
        } else if self
            .sent
            .front()
            .is_some_and(|&sent| now - sent >= WAIT_NOTICE)
        {
            DbLink::Waiting
        } else {
            DbLink::Answering
        }
    }

    fn send(&mut self, job: Job) {
        self.sent.push_back(self.now());
        // The worker lives as long as the station: a send fails only when it panicked,
        // and then its reply never comes; the hangup path stops waiting on its own.
        let _ = self.jobs.send(job);
    }

    fn session(&self) -> Option<&session::State> {
        match &self.screen {
            Screen::Session(state) | Screen::Monitor(state, _) => Some(state),
            Screen::Login(_) => None,
        }
    }

    fn on_login_effect(&mut self, effect: Option<login::Effect>) {
        match effect {
            None => {}
            Some(login::Effect::Quit) => self.finished = true,
            // A login into a file no one reads would be lost to the office.
            Some(login::Effect::Authenticate { .. }) if self.db_unusable.is_some() => {
                if let Some(unusable) = self.db_unusable {
                    self.tell_login(login::Msg::Failed(login::Said::DatabaseUnusable(unusable)));
                }
            }
            Some(login::Effect::Authenticate { username, password }) => {
                let admin_only = self.for_monitor();
                self.send(Job::LogIn {
                    username,
                    password: password.into(),
                    admin_only,
                });
            }
            Some(login::Effect::ChangePassword { user, password }) => {
                self.send(Job::ChangePassword {
                    user,
                    password: password.into(),
                });
            }
        }
    }

    fn on_reply(&mut self, reply: Reply) {
        self.sent.pop_front();
        match reply {
            Reply::LoggedIn(result) => self.logged_in(result),
            Reply::Beat(result) => {
                self.beat_in_flight = false;
                if let (Ok(Beat::Ended(reason)), None) = (result, self.pending_end) {
                    let now = self.now();
                    self.session_ended(reason, now);
                }
            }
            Reply::Swept => self.beat_in_flight = false,
            Reply::Ended(result) => self.end_written(result),
            Reply::EndedOther { session_id, result } => self.ended_other(session_id, result),
            Reply::Loaded(result) => self.loaded(result),
            Reply::Checkpointed(Err(err)) => {
                if let Screen::Monitor(_, state) = &mut self.screen {
                    let said = monitor::Msg::Said(said_in(&err, state.texts));
                    let _ = monitor::update(state, said);
                }
            }
            Reply::Checkpointed(Ok(())) => {}
            Reply::Corrected(result) => {
                if let Screen::Monitor(_, state) = &mut self.screen {
                    let said = match result {
                        Ok(id) => fill(state.texts.corrected, &[("id", &id)]),
                        Err(err) => said_in(&err, state.texts),
                    };
                    let _ = monitor::update(state, monitor::Msg::Said(said));
                }
            }
            Reply::History(result) => {
                if let Screen::Monitor(_, state) = &mut self.screen {
                    let msg = match result {
                        Ok(history) => monitor::Msg::HistoryLoaded(history),
                        Err(err) => monitor::Msg::Said(said_in(&err, state.texts)),
                    };
                    let _ = monitor::update(state, msg);
                }
            }
        }
    }

    fn logged_in(&mut self, result: Result<LoggedIn>) {
        match result {
            Ok(LoggedIn::Refused(refusal)) => self.tell_login(login::Msg::Refused(refusal)),
            Ok(LoggedIn::MustChangePassword(user)) => {
                self.tell_login(login::Msg::MustChangePassword(user));
            }
            Ok(LoggedIn::PasswordRejected(problem)) => {
                self.tell_login(login::Msg::PasswordRejected(problem));
            }
            Ok(LoggedIn::Opened(opened)) => self.start_session(*opened),
            Err(err) => {
                let said = database_trouble(self.person_texts(), &err);
                self.tell_login(login::Msg::Failed(said));
            }
        }
    }

    fn tell_login(&mut self, msg: login::Msg) {
        if let Screen::Login(state) = &mut self.screen {
            let _ = login::update(state, msg);
        }
    }

    /// The language of the person at the terminal: the one chosen on the login screen
    /// (F2), then that of their session.
    fn person_texts(&self) -> &'static Texts {
        match &self.screen {
            Screen::Login(state) => state.texts,
            Screen::Session(state) | Screen::Monitor(state, _) => state.texts,
        }
    }

    fn start_session(&mut self, opened: Opened) {
        let program = match &self.mode {
            Mode::Terminal { programs, .. } => programs.for_role(opened.user.role),
            Mode::Monitor { .. } => None,
        }
        .map(str::to_owned);
        let now = self.now();
        self.next_beat = opened.session.login_time + self.settings.heartbeat;
        let state = session::State {
            user: opened.user,
            session_id: opened.session.id,
            since: opened.session.login_time,
            now,
            tz: self.place.tz,
            host: self.place.origin.host.clone(),
            // The idle countdown starts at the login, not when the screen heard of it.
            last_activity: opened.session.login_time,
            idle_timeout: self.settings.idle_timeout,
            previous: opened.previous,
            failures_since_previous: opened.failures_since_previous,
            ending: None,
            trouble: false,
            quit_allowed: self.settings.quit_allowed,
            db: DbStatus {
                link: DbLink::Answering,
                unusable: self.db_unusable,
            },
            theme: self.place.theme,
            texts: self.person_texts(),
        };
        self.screen = Screen::Session(state);
        if self.for_monitor() {
            self.open_monitor();
        }
        if let Some(command) = program {
            self.start_program(&command);
        }
    }

    /// The screen, to be moved into another (an empty login screen stands in meanwhile).
    fn take_screen(&mut self) -> Screen {
        let stand_in = Screen::Login(self.login_screen(None));
        std::mem::replace(&mut self.screen, stand_in)
    }

    fn on_session_effect(&mut self, effect: Option<session::Effect>) {
        match effect {
            None => {}
            Some(session::Effect::OpenMonitor) => self.open_monitor(),
            Some(session::Effect::End { reason, at }) => {
                self.stop_program();
                if let Some(state) = self.session() {
                    let end = PendingEnd {
                        session_id: state.session_id,
                        reason,
                        at,
                        in_flight: false,
                        retry_at: at,
                    };
                    self.send_end(end);
                }
            }
        }
    }

    fn send_end(&mut self, mut end: PendingEnd) {
        end.in_flight = true;
        self.pending_end = Some(end);
        self.send(Job::End {
            session_id: end.session_id,
            reason: end.reason,
            at: end.at,
        });
    }

    /// The end is written (or was written by someone else first: the screen says what
    /// the row says); if the database did not take it, the screen says so and it is
    /// tried again. A logout is never dropped.
    fn end_written(&mut self, result: Result<Closed>) {
        let Some(mut end) = self.pending_end else {
            return;
        };
        match result {
            Ok(closed) => {
                self.pending_end = None;
                let reason = match closed {
                    Closed::Now => end.reason,
                    Closed::Already(reason) => reason,
                };
                self.session_ended(reason, end.at);
            }
            Err(_) => {
                end.in_flight = false;
                end.retry_at = self.now() + RETRY_END;
                self.pending_end = Some(end);
                if let Screen::Session(state) | Screen::Monitor(state, _) = &mut self.screen {
                    let _ = session::update(state, session::Msg::EndNotWritten);
                }
            }
        }
    }

    /// The heartbeat tells the database this terminal is alive and notices a session
    /// ended elsewhere (an admin, a sweep); without a session it sweeps other terminals'
    /// lost sessions. One at a time: a beat still waiting for the lock is not doubled.
    fn beat(&mut self, now: Millis) {
        if self.beat_in_flight {
            return;
        }
        let job = match (self.session(), self.pending_end) {
            (Some(state), None) => Job::Beat {
                session_id: state.session_id,
                at: now,
                last_key: state.last_activity,
            },
            (Some(_), Some(_)) => return,
            (None, _) => Job::Sweep { at: now },
        };
        self.beat_in_flight = true;
        self.send(job);
    }

    /// Back to the login screen for the next person, saying how the session ended; or
    /// the end of the program (--once, the monitor, a hangup).
    fn session_ended(&mut self, reason: EndReason, at: Millis) {
        self.stop_program();
        let Some(state) = self.session() else { return };
        let once = match self.mode {
            Mode::Terminal { once, .. } => once,
            Mode::Monitor { .. } => reason == EndReason::Logout,
        };
        if once || reason == EndReason::Hangup {
            self.finished = true;
            return;
        }
        let lasted = at - state.since;
        let notice = match reason {
            EndReason::Logout => Said::LoggedOut { lasted },
            EndReason::Idle => Said::LoggedOutIdle { lasted },
            EndReason::Forced => Said::EndedByAdmin,
            EndReason::Lost | EndReason::Hangup => Said::SessionLost,
        };
        self.screen = Screen::Login(self.login_screen(Some(notice)));
    }

    /// The terminal closed or the process was asked to stop: the open session (or the
    /// end already pending, with its own reason and time) is written before the process
    /// exits, and its program (`--exec`) told. Waits for the worker, which retries with
    /// back-off, and for the program, at most HANGUP_PATIENCE; past that the sweep finds
    /// the session lost at its last heartbeat, and the program is killed.
    pub fn hang_up(&mut self, inbox: &Receiver<Event>) {
        self.hang_up_within(inbox, HANGUP_PATIENCE);
    }

    /// A panic stopped the station: the end is asked of the worker, which may be what
    /// panicked, so it is not waited for long (`run` tries a connection of its own).
    fn hang_up_after_panic(&mut self, inbox: &Receiver<Event>) {
        self.hang_up_within(inbox, PANIC_PATIENCE);
    }

    /// The end of the open session, decided and not written (a hangup that found the
    /// database out of reach, or a worker gone).
    pub fn unwritten_end(&self) -> Option<(i64, EndReason, Millis)> {
        self.pending_end
            .map(|end| (end.session_id, end.reason, end.at))
    }

    fn hang_up_within(&mut self, inbox: &Receiver<Event>, patience: Duration) {
        self.stop_program();
        match (self.pending_end, self.session()) {
            (None, Some(state)) => {
                let end = PendingEnd {
                    session_id: state.session_id,
                    reason: EndReason::Hangup,
                    at: self.now(),
                    in_flight: false,
                    retry_at: 0,
                };
                self.send_end(end);
            }
            (Some(end), _) if !end.in_flight => self.send_end(end),
            _ => {}
        }
        // The program told to stop (`--exec`) has the same time to do so; past it, it is
        // killed as the station lets go of it.
        let give_up = std::time::Instant::now() + patience;
        while self.pending_end.is_some_and(|end| end.in_flight) || self.program.is_some() {
            let left = give_up.saturating_duration_since(std::time::Instant::now());
            match inbox.recv_timeout(left) {
                Ok(Event::Reply(reply)) => self.on_reply(*reply),
                Ok(Event::ProgramEnded(id)) => self.program_ended(id),
                Ok(_) => {}
                Err(_) => break,
            }
        }
        self.finished = true;
    }
}

/// An empty login screen for the next person, in the terminal's language.
fn login_screen(
    place: &Place,
    settings: &Settings,
    for_monitor: bool,
    now: Millis,
    notice: Option<Said>,
) -> login::State {
    let mut state = login::State::new(
        place.origin.host.clone(),
        now,
        place.tz,
        place.theme,
        place.texts,
    );
    state.for_monitor = for_monitor;
    state.quit_allowed = settings.quit_allowed;
    state.reset(notice);
    state
}

/// Why the database failed a login, said in the person's language.
fn database_trouble(texts: &Texts, err: &anyhow::Error) -> Said {
    Said::DatabaseTrouble(said_in(err, texts))
}

/// "Database unreachable: …", in `texts`' language.
fn trouble(texts: &Texts, err: &anyhow::Error) -> String {
    fill(texts.database_trouble, &[("error", &said_in(err, texts))])
}

#[cfg(test)]
mod tests;
