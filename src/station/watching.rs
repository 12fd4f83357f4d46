//! The monitor's part of a station (the admin watching): opened within an admin's session, loaded again at
//! each change seen in the database (one load at a time), and what it asks for carried
//! out (an end of another's session, a person's history, a correction).

use anyhow::Result;

use super::{Job, Mode, Screen, Station, trouble};
use crate::clock::start_of_day;
use crate::db::Closed;
use crate::i18n::fill;
use crate::model::{EndReason, User};
use crate::tui::{monitor, session};

impl Station {
    pub(super) fn open_monitor(&mut self) {
        let session = match self.take_screen() {
            Screen::Session(session) => session,
            other => return self.screen = other,
        };
        let (banner, confirm_quit) = match &self.mode {
            Mode::Monitor {
                banner,
                confirm_quit,
                ..
            } => (banner.clone(), *confirm_quit),
            _ => (None, None),
        };
        let mut state = monitor::State::new(
            session.user.username.clone(),
            self.place.origin.host.clone(),
            self.now(),
            self.place.tz,
            self.place.theme,
            session.texts,
        )
        .opened(session.session_id, banner, confirm_quit);
        let (width, height) = self.size;
        // The load that follows asks for the new size.
        let _ = monitor::update(&mut state, monitor::Msg::Resize(width, height));
        let _ = monitor::update(&mut state, monitor::Msg::IdleLeft(session.idle_countdown()));
        let query = state.query();
        self.screen = Screen::Monitor(session, Box::new(state));
        self.request_load(query);
    }

    /// Loads the monitor, or, while a load is under way, loads again once it is done:
    /// bursts of changes cost one load each way, not one per change.
    pub(super) fn request_load(&mut self, query: crate::db::Query) {
        if self.load_in_flight {
            self.reload_wanted = true;
            return;
        }
        self.load_in_flight = true;
        let now = self.now();
        self.send(Job::LoadMonitor {
            query,
            at: now,
            day_start: start_of_day(now, self.place.tz),
        });
    }

    pub(super) fn loaded(&mut self, result: Result<crate::db::Snapshot>) {
        self.load_in_flight = false;
        let Screen::Monitor(_, state) = &mut self.screen else {
            return;
        };
        let effect = match result {
            Ok(snapshot) => monitor::update(state, monitor::Msg::Loaded(snapshot)),
            Err(err) => monitor::update(state, monitor::Msg::Said(trouble(state.texts, &err))),
        };
        if std::mem::take(&mut self.reload_wanted) {
            let query = state.query();
            self.request_load(query);
        } else {
            self.on_monitor_effect(effect);
        }
    }

    /// The admin whose monitor this is, while it is open.
    pub(super) fn monitor_admin(&self) -> Option<User> {
        match &self.screen {
            Screen::Monitor(session, _) => Some(session.user.clone()),
            _ => None,
        }
    }

    pub(super) fn load_history(&mut self, user_id: i64, offset: usize, rows: usize) {
        let at = self.now();
        self.send(Job::LoadHistory {
            user_id,
            offset,
            rows,
            at,
        });
    }

    pub(super) fn on_monitor_effect(&mut self, effect: Option<monitor::Effect>) {
        let Some(effect) = effect else { return };
        match effect {
            monitor::Effect::Load(query) => self.request_load(query),
            monitor::Effect::EndSession { session_id } => {
                let Some(admin) = self.monitor_admin() else {
                    return;
                };
                let at = self.now();
                self.send(Job::EndOther {
                    session_id,
                    admin,
                    at,
                });
            }
            monitor::Effect::OpenHistory {
                user_id,
                offset,
                rows,
            } => self.load_history(user_id, offset, rows),
            monitor::Effect::Correct {
                correction,
                note,
                user_id,
                offset,
                rows,
            } => {
                let Some(admin) = self.monitor_admin() else {
                    return;
                };
                self.send(Job::Correct {
                    correction,
                    note,
                    admin,
                });
                // The history again, with the correction (the worker does jobs in order).
                self.load_history(user_id, offset, rows);
            }
            monitor::Effect::Quit => self.leave_monitor(),
        }
    }

    /// What an admin's end of another session came to, told on the monitor.
    pub(super) fn ended_other(&mut self, session_id: i64, result: Result<Closed>) {
        let Screen::Monitor(_, state) = &mut self.screen else {
            return;
        };
        let texts = state.texts;
        let said = match result {
            Ok(Closed::Now) => fill(texts.ended_session, &[("id", &session_id)]),
            Ok(Closed::Already(reason)) => format!(
                "{session_id}{}{}",
                texts.lang.colon(),
                texts.end_reason(reason)
            ),
            Err(err) => trouble(texts, &err),
        };
        let _ = monitor::update(state, monitor::Msg::Said(said));
    }

    /// Back to the session screen; for `console monitor`, leaving is logging out.
    pub(super) fn leave_monitor(&mut self) {
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
}
