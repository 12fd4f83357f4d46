//! `console login`: the run loop of a shared terminal (and of `console monitor` and
//! `console demo`). It carries out what the screens ask for (authenticate, open and end
//! sessions, load the monitor), beats the heartbeat, sweeps lost sessions, watches the
//! database for changes, and closes the session on SIGHUP, SIGTERM, SIGINT or a closed
//! terminal before it exits.

use std::io::Stdout;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

use anyhow::Result;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::KeyEvent;

use super::{monitor as loader, sweep};
use crate::auth::{self, LockPolicy, LoginRequest};
use crate::cli::{LoginArgs, TerminalArgs};
use crate::clock::{local_offset, now_ms};
use crate::db::{Beat, Closed, Db};
use crate::i18n::{Lang, Texts};

/// "Database unreachable: …", in `texts`' language.
fn trouble(texts: &Texts, err: &anyhow::Error) -> String {
    fill(texts.database_trouble, &[("error", &format!("{err:#}"))])
}
use crate::i18n::fill;
use crate::model::{EndReason, Millis, Origin, User};
use crate::origin::ThisHost;
use crate::tui::{self, Input, TerminalGuard, Theme, login, monitor, session};

/// How often the loop wakes without a key: the clock ticks, and the monitor asks the
/// database whether anything changed (`PRAGMA data_version`, about a microsecond).
const TICK: Duration = Duration::from_millis(100);
/// How often a logout that could not be written is tried again.
const RETRY_END: Millis = 1_000;

pub fn run(args: &LoginArgs, db_path: &Path) -> Result<()> {
    run_station(db_path, &args.terminal, Mode::Terminal { once: args.once })
}

/// What a station is for.
pub enum Mode {
    /// A shared terminal: login, session, logout, the next person (or exit with `once`).
    Terminal { once: bool },
    /// The admin's monitor: an admin logs in, the monitor opens; leaving it logs out.
    Monitor {
        /// Shown above the panes (the demo says what it is).
        banner: Option<String>,
        /// Credentials to log in with at once, through the same path as a person.
        sign_in: Option<(String, String)>,
    },
}

pub fn run_station(db_path: &Path, args: &TerminalArgs, mode: Mode) -> Result<()> {
    let db = Db::open(db_path)?;
    let watch = Db::open(db_path)?;
    let signals = Signals::install()?;
    let mut guard = TerminalGuard::enter()?;
    let mut station = Station::new(db, watch, args, mode);
    station.run(&mut guard.terminal, &signals);
    Ok(())
}

/// The stop signals, remembered until the loop looks.
struct Signals(Arc<AtomicUsize>);

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

    fn received(&self) -> bool {
        self.0.load(Ordering::Relaxed) != 0
    }
}

enum Screen {
    Login(login::State),
    Session(session::State),
    /// The monitor, opened within an admin's session (which goes on beating and can
    /// still end for inactivity).
    Monitor(session::State, Box<monitor::State>),
}

/// An end decided but not yet written: kept and retried until the database takes it.
#[derive(Clone, Copy)]
struct PendingEnd {
    session_id: i64,
    reason: EndReason,
    at: Millis,
}

/// One terminal: its database, where it is, what it shows.
struct Station {
    db: Db,
    /// A second connection, only to ask whether another one committed.
    watch: Db,
    seen_version: i64,
    origin: Origin,
    this_host: ThisHost,
    mode: Mode,
    idle_timeout: Millis,
    heartbeat: Millis,
    policy: LockPolicy,
    theme: Theme,
    texts: &'static Texts,
    screen: Screen,
    size: (u16, u16),
    pending_end: Option<PendingEnd>,
    next_beat: Millis,
    next_retry: Millis,
    finished: bool,
}

impl Station {
    fn new(db: Db, watch: Db, args: &TerminalArgs, mode: Mode) -> Station {
        let origin = Origin::of_this_process();
        let minutes = Millis::from(args.lock_minutes) * 60_000;
        let (theme, texts) = (Theme::from_env(), Lang::from_env().texts());
        let mut first =
            login::State::new(origin.host.clone(), now_ms(), local_offset(), theme, texts);
        first.for_monitor = matches!(mode, Mode::Monitor { .. });
        Station {
            db,
            watch,
            seen_version: 0,
            this_host: ThisHost::detect(),
            mode,
            idle_timeout: args.idle_timeout,
            heartbeat: args.heartbeat,
            policy: LockPolicy {
                max_failures: args.lock_after,
                window: minutes,
                lock: minutes,
            },
            theme,
            texts,
            screen: Screen::Login(first),
            origin,
            size: (0, 0),
            pending_end: None,
            next_beat: 0,
            next_retry: 0,
            finished: false,
        }
    }

    fn for_monitor(&self) -> bool {
        matches!(self.mode, Mode::Monitor { .. })
    }

    fn login_screen(&self, notice: Option<String>) -> login::State {
        let mut state = login::State::new(
            self.origin.host.clone(),
            now_ms(),
            local_offset(),
            self.theme,
            self.texts,
        );
        state.for_monitor = self.for_monitor();
        state.reset(notice);
        state
    }

    fn run(&mut self, terminal: &mut Terminal<CrosstermBackend<Stdout>>, signals: &Signals) {
        let input = tui::spawn_input_reader();
        if let Mode::Monitor {
            sign_in: Some((username, password)),
            ..
        } = &self.mode
        {
            let (username, password) = (username.clone(), password.clone());
            self.on_login_effect(Some(login::Effect::Authenticate { username, password }));
        }
        while !self.finished {
            if let Ok(size) = terminal.size() {
                self.resized(size.width, size.height);
            }
            // A closed terminal shows up as a signal, as a terminal that cannot be drawn
            // on, or as input that cannot be read: each is a hangup.
            if signals.received() || terminal.draw(|frame| self.draw(frame)).is_err() {
                return self.hang_up();
            }
            let received = input.recv_timeout(TICK);
            if let Ok(Input::Gone) | Err(RecvTimeoutError::Disconnected) = received {
                return self.hang_up();
            }
            // The screens' clocks move on ticks, and a key is acted on at the time it
            // came: a logout is written with the time L was pressed.
            self.tick(now_ms());
            if let (Ok(Input::Key(key)), false) = (received, self.finished) {
                self.on_key(key);
            }
        }
    }

    fn draw(&self, frame: &mut ratatui::Frame) {
        match &self.screen {
            Screen::Login(state) => frame.render_widget(state, frame.area()),
            Screen::Session(state) => frame.render_widget(state, frame.area()),
            Screen::Monitor(_, state) => frame.render_widget(&**state, frame.area()),
        }
    }

    fn resized(&mut self, width: u16, height: u16) {
        if self.size == (width, height) {
            return;
        }
        self.size = (width, height);
        if let Screen::Monitor(_, state) = &mut self.screen {
            let effect = monitor::update(state, monitor::Msg::Resize(width, height));
            self.on_monitor_effect(effect);
        }
    }

    fn on_key(&mut self, key: KeyEvent) {
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

    fn tick(&mut self, now: Millis) {
        match &mut self.screen {
            Screen::Login(state) => {
                login::update(state, login::Msg::Tick(now));
            }
            Screen::Session(state) => {
                let effect = session::update(state, session::Msg::Tick(now));
                self.on_session_effect(effect);
            }
            Screen::Monitor(session, state) => {
                monitor::update(state, monitor::Msg::Tick(now));
                let effect = session::update(session, session::Msg::Tick(now));
                self.on_session_effect(effect);
            }
        }
        if self.pending_end.is_some() && now >= self.next_retry {
            self.write_pending_end();
        }
        if now >= self.next_beat {
            self.next_beat = now + self.heartbeat;
            self.beat(now);
        }
        self.reload_if_changed();
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
            Some(login::Effect::Authenticate { username, password }) => {
                let request = LoginRequest {
                    username: &username,
                    password: &password,
                    admin_only: self.for_monitor(),
                };
                match auth::authenticate(&self.db, &request, &self.origin, &self.policy, now_ms()) {
                    Ok(Ok(user)) if user.must_change_password => {
                        self.tell_login(login::Msg::MustChangePassword(user));
                    }
                    Ok(Ok(user)) => self.start_session(user),
                    Ok(Err(refusal)) => self.tell_login(login::Msg::Refused(refusal)),
                    Err(err) => self.tell_login(self.database_trouble(&err)),
                }
            }
            Some(login::Effect::ChangePassword { user, password }) => {
                match auth::change_password(&self.db, &user, &password) {
                    Ok(Ok(())) => self.start_session(user),
                    Ok(Err(problem)) => self.tell_login(login::Msg::PasswordRejected(problem)),
                    Err(err) => self.tell_login(self.database_trouble(&err)),
                }
            }
        }
    }

    fn database_trouble(&self, err: &anyhow::Error) -> login::Msg {
        login::Msg::Notice(trouble(self.person_texts(), err))
    }

    /// The language of the person at the terminal: the one chosen on the login screen
    /// (F2), then that of their session.
    fn person_texts(&self) -> &'static Texts {
        match &self.screen {
            Screen::Login(state) => state.texts,
            Screen::Session(state) | Screen::Monitor(state, _) => state.texts,
        }
    }

    fn tell_login(&mut self, msg: login::Msg) {
        if let Screen::Login(state) = &mut self.screen {
            login::update(state, msg);
        }
    }

    fn start_session(&mut self, user: User) {
        let now = now_ms();
        sweep(&self.db, &self.this_host, now);
        let session = match self
            .db
            .open_session(user.id, &self.origin, self.heartbeat, now)
        {
            Ok(session) => session,
            Err(err) => return self.tell_login(self.database_trouble(&err)),
        };
        // What lastlog and login(1) tell: the previous login, and failures since.
        let previous = self.db.previous_login(user.id, session.id).ok().flatten();
        let failures_since_previous = self
            .db
            .failures_since(user.id, previous.as_ref().map_or(0, |p| p.at))
            .unwrap_or(0);
        self.next_beat = now + self.heartbeat;
        let state = session::State {
            user,
            session_id: session.id,
            since: now,
            now,
            tz: local_offset(),
            host: self.origin.host.clone(),
            last_activity: now,
            idle_timeout: self.idle_timeout,
            previous,
            failures_since_previous,
            ending: None,
            trouble: false,
            theme: self.theme,
            texts: self.person_texts(),
        };
        self.screen = Screen::Session(state);
        if self.for_monitor() {
            self.open_monitor();
        }
    }

    fn open_monitor(&mut self) {
        let session = match self.take_screen() {
            Screen::Session(session) => session,
            other => return self.screen = other,
        };
        let mut state = monitor::State::new(
            session.user.username.clone(),
            self.origin.host.clone(),
            now_ms(),
            local_offset(),
            self.theme,
            session.texts,
        );
        if let Mode::Monitor { banner, .. } = &self.mode {
            state.banner = banner.clone();
        }
        (state.width, state.height) = self.size;
        let query = state.query();
        self.screen = Screen::Monitor(session, Box::new(state));
        self.load_monitor(query);
    }

    fn load_monitor(&mut self, query: monitor::Query) {
        self.seen_version = self.watch.data_version().unwrap_or(self.seen_version);
        let now = now_ms();
        sweep(&self.db, &self.this_host, now);
        let loaded = loader::load(&self.db, &query, now, local_offset());
        if let Screen::Monitor(_, state) = &mut self.screen {
            match loaded {
                Ok(snapshot) => monitor::update(state, monitor::Msg::Loaded(snapshot)),
                Err(err) => monitor::update(state, monitor::Msg::Said(trouble(state.texts, &err))),
            };
        }
    }

    /// Live, not polled blindly: the monitor reloads only when another connection
    /// committed since its last load.
    fn reload_if_changed(&mut self) {
        let Screen::Monitor(_, state) = &self.screen else {
            return;
        };
        let query = state.query();
        if self
            .watch
            .data_version()
            .is_ok_and(|version| version != self.seen_version)
        {
            self.load_monitor(query);
        }
    }

    fn on_monitor_effect(&mut self, effect: Option<monitor::Effect>) {
        let Some(effect) = effect else { return };
        match effect {
            monitor::Effect::Load(query) => self.load_monitor(query),
            monitor::Effect::EndSession { session_id } => self.end_from_monitor(session_id),
            monitor::Effect::OpenHistory {
                user_id,
                offset,
                rows,
            } => {
                let history =
                    loader::load_history(&self.db, user_id, offset, rows, now_ms(), local_offset());
                if let Screen::Monitor(_, state) = &mut self.screen {
                    let msg = match history {
                        Ok(history) => monitor::Msg::HistoryLoaded(history),
                        Err(err) => monitor::Msg::Said(format!("{err:#}")),
                    };
                    monitor::update(state, msg);
                }
            }
            monitor::Effect::Quit => self.leave_monitor(),
        }
    }

    /// An admin ends a session: `forced`, with the admin's id kept on the row.
    fn end_from_monitor(&mut self, session_id: i64) {
        let Screen::Monitor(session, _) = &self.screen else {
            return;
        };
        let (admin, texts) = (session.user.id, session.texts);
        let said =
            match self
                .db
                .close_session(session_id, EndReason::Forced, now_ms(), Some(admin), None)
            {
                Ok(Closed::Now) => fill(texts.ended_session, &[("id", &session_id)]),
                Ok(Closed::Already(reason)) => {
                    format!("{session_id}: {}", texts.end_reason(reason))
                }
                Err(err) => trouble(texts, &err),
            };
        if let Screen::Monitor(_, state) = &mut self.screen {
            monitor::update(state, monitor::Msg::Said(said));
        }
    }

    /// Back to the session screen; for `console monitor`, leaving is logging out.
    fn leave_monitor(&mut self) {
        if self.for_monitor() {
            let effect = self.session().map(|s| session::Effect::End {
                reason: EndReason::Logout,
                at: s.now,
            });
            return self.on_session_effect(effect);
        }
        self.screen = match self.take_screen() {
            Screen::Monitor(session, _) => Screen::Session(session),
            other => other,
        };
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
                if let Some(state) = self.session() {
                    self.pending_end = Some(PendingEnd {
                        session_id: state.session_id,
                        reason,
                        at,
                    });
                    self.write_pending_end();
                }
            }
        }
    }

    /// Writes the pending end; if the database does not take it, says so on screen and
    /// tries again later. A logout is never dropped.
    fn write_pending_end(&mut self) {
        let Some(end) = self.pending_end else { return };
        match self
            .db
            .close_session(end.session_id, end.reason, end.at, None, None)
        {
            Ok(_) => {
                self.pending_end = None;
                self.session_ended(end.reason, end.at);
            }
            Err(_) => {
                self.next_retry = now_ms() + RETRY_END;
                if let Screen::Session(state) | Screen::Monitor(state, _) = &mut self.screen {
                    session::update(state, session::Msg::EndNotWritten);
                }
            }
        }
    }

    /// The heartbeat: tells the database this terminal is alive, notices a session
    /// ended elsewhere (an admin, a sweep), and sweeps other terminals' lost sessions.
    fn beat(&mut self, now: Millis) {
        if let (Some(state), None) = (self.session(), self.pending_end)
            && let Ok(Beat::Ended(reason)) = self.db.beat(state.session_id, now)
        {
            self.session_ended(reason, now);
        }
        sweep(&self.db, &self.this_host, now);
    }

    /// Back to the login screen for the next person, saying how the session ended; or
    /// the end of the program (--once, the monitor, a hangup).
    fn session_ended(&mut self, reason: EndReason, at: Millis) {
        let Some(state) = self.session() else { return };
        let once = match self.mode {
            Mode::Terminal { once } => once,
            Mode::Monitor { .. } => reason == EndReason::Logout,
        };
        if once || reason == EndReason::Hangup {
            self.finished = true;
            return;
        }
        // Said in the language of the person leaving; the form is back to the default.
        let t = state.texts;
        let lasted = t.lang.clock(at - state.since);
        let notice = match reason {
            EndReason::Logout => fill(t.logged_out, &[("duration", &lasted)]),
            EndReason::Idle => fill(t.logged_out_idle, &[("duration", &lasted)]),
            EndReason::Forced => t.ended_by_admin.to_string(),
            EndReason::Lost | EndReason::Hangup => t.session_lost.to_string(),
        };
        self.screen = Screen::Login(self.login_screen(Some(notice)));
    }

    /// The terminal closed or the process was asked to stop: the open session (or the
    /// end already pending, with its own reason) is written before the process exits.
    fn hang_up(&mut self) {
        if self.pending_end.is_none()
            && let Some(state) = self.session()
        {
            self.pending_end = Some(PendingEnd {
                session_id: state.session_id,
                reason: EndReason::Hangup,
                at: now_ms(),
            });
        }
        if let Some(end) = self.pending_end.take() {
            // Db::write already retries with back-off; past that the sweep will find the
            // session lost at its last heartbeat.
            let _ = self
                .db
                .close_session(end.session_id, end.reason, end.at, None, None);
        }
        self.finished = true;
    }
}
