//! `console login`: the run loop of a shared terminal. It carries out what the screens
//! ask for (authenticate, open and end sessions), beats the heartbeat, sweeps lost
//! sessions, and closes the session on SIGHUP, SIGTERM and SIGINT before it exits.

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

use super::sweep;
use crate::auth::{self, LockPolicy, LoginRequest};
use crate::cli::LoginArgs;
use crate::clock::{local_offset, now_ms};
use crate::db::{Beat, Db};
use crate::i18n::{Lang, Texts};
use crate::model::{EndReason, Millis, Origin, User};
use crate::origin::ThisHost;
use crate::tui::{self, Input, TerminalGuard, Theme, clock_duration, login, session};

/// How often the loop wakes without a key: the clock and the countdown tick from it.
const TICK: Duration = Duration::from_millis(200);
/// How often a logout that could not be written is tried again.
const RETRY_END: Millis = 1_000;

pub fn run(args: &LoginArgs, db_path: &Path) -> Result<()> {
    let db = Db::open(db_path)?;
    let signals = Signals::install()?;
    let mut guard = TerminalGuard::enter()?;
    let mut station = Station::new(db, args);
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
}

/// An end decided but not yet written: kept and retried until the database takes it.
#[derive(Clone, Copy)]
struct PendingEnd {
    session_id: i64,
    reason: EndReason,
    at: Millis,
}

/// One shared terminal: its database, where it is, what it shows.
struct Station {
    db: Db,
    origin: Origin,
    this_host: ThisHost,
    once: bool,
    idle_timeout: Millis,
    heartbeat: Millis,
    policy: LockPolicy,
    theme: Theme,
    texts: &'static Texts,
    screen: Screen,
    pending_end: Option<PendingEnd>,
    next_beat: Millis,
    next_retry: Millis,
    finished: bool,
}

impl Station {
    fn new(db: Db, args: &LoginArgs) -> Station {
        let origin = Origin::of_this_process();
        let theme = Theme::from_env();
        let texts = Lang::from_env().texts();
        let minutes = Millis::from(args.terminal.lock_minutes) * 60_000;
        let screen = Screen::Login(login::State::new(
            origin.host.clone(),
            now_ms(),
            local_offset(),
            theme,
            texts,
        ));
        Station {
            db,
            origin,
            this_host: ThisHost::detect(),
            once: args.once,
            idle_timeout: args.terminal.idle_timeout,
            heartbeat: args.terminal.heartbeat,
            policy: LockPolicy {
                max_failures: args.terminal.lock_after,
                window: minutes,
                lock: minutes,
            },
            theme,
            texts,
            screen,
            pending_end: None,
            next_beat: 0,
            next_retry: 0,
            finished: false,
        }
    }

    fn run(&mut self, terminal: &mut Terminal<CrosstermBackend<Stdout>>, signals: &Signals) {
        let input = tui::spawn_input_reader();
        while !self.finished {
            // A closed terminal shows up as a signal, as a terminal that cannot be drawn
            // on, or as input that cannot be read: each is a hangup.
            if signals.received() || terminal.draw(|frame| self.draw(frame)).is_err() {
                return self.hang_up();
            }
            match input.recv_timeout(TICK) {
                Ok(Input::Key(key)) => self.on_key(key),
                Ok(Input::Resized) | Err(RecvTimeoutError::Timeout) => {}
                Ok(Input::Gone) | Err(RecvTimeoutError::Disconnected) => return self.hang_up(),
            }
            self.tick(now_ms());
        }
    }

    fn draw(&self, frame: &mut ratatui::Frame) {
        match &self.screen {
            Screen::Login(state) => frame.render_widget(state, frame.area()),
            Screen::Session(state) => frame.render_widget(state, frame.area()),
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
        }
        if self.pending_end.is_some() && now >= self.next_retry {
            self.write_pending_end();
        }
        if now >= self.next_beat {
            self.next_beat = now + self.heartbeat;
            self.beat(now);
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
                    admin_only: false,
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
        login::Msg::Notice(format!("{}: {err:#}", self.texts.database_trouble))
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
        self.screen = Screen::Session(session::State {
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
            texts: self.texts,
        });
    }

    fn on_session_effect(&mut self, effect: Option<session::Effect>) {
        let Some(session::Effect::End { reason, at }) = effect else {
            return;
        };
        if let Screen::Session(state) = &self.screen {
            self.pending_end = Some(PendingEnd {
                session_id: state.session_id,
                reason,
                at,
            });
            self.write_pending_end();
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
                if let Screen::Session(state) = &mut self.screen {
                    session::update(state, session::Msg::EndNotWritten);
                }
            }
        }
    }

    /// The heartbeat: tells the database this terminal is alive, notices a session
    /// ended elsewhere (an admin, a sweep), and sweeps other terminals' lost sessions.
    fn beat(&mut self, now: Millis) {
        if let (Screen::Session(state), None) = (&self.screen, self.pending_end)
            && let Ok(Beat::Ended(reason)) = self.db.beat(state.session_id, now)
        {
            self.session_ended(reason, now);
        }
        sweep(&self.db, &self.this_host, now);
    }

    /// Back to the login screen for the next person, saying how the session ended; or
    /// the end of the program with --once, or after a hangup.
    fn session_ended(&mut self, reason: EndReason, at: Millis) {
        let Screen::Session(state) = &self.screen else {
            return;
        };
        if self.once || reason == EndReason::Hangup {
            self.finished = true;
            return;
        }
        let lasted = clock_duration(at - state.since);
        let t = self.texts;
        let notice = match reason {
            EndReason::Logout => format!("{} {lasted}", t.logged_out),
            EndReason::Idle => format!("{} {lasted}", t.logged_out_idle),
            EndReason::Forced => t.ended_by_admin.to_string(),
            EndReason::Lost | EndReason::Hangup => t.session_lost.to_string(),
        };
        let mut login = login::State::new(
            self.origin.host.clone(),
            now_ms(),
            local_offset(),
            self.theme,
            t,
        );
        login.reset(Some(notice));
        self.screen = Screen::Login(login);
    }

    /// The terminal closed or the process was asked to stop: the open session (or the
    /// end already pending, with its own reason) is written before the process exits.
    fn hang_up(&mut self) {
        if self.pending_end.is_none()
            && let Screen::Session(state) = &self.screen
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
