//! The screen of a session in progress: who, role, since when, a live duration, the
//! previous login, and how to log out. Ends the session itself after the idle timeout.

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Padding, Paragraph, Widget, Wrap};

use super::{Binding, Key, Theme, action_of, always, hints_of, key_hints, render_too_small};
use crate::clock::{Zone, format_in};
use crate::i18n::{Texts, fill};
use crate::model::{EndReason, Millis, PreviousLogin, Role, User};

/// The countdown shows in the last minute before an idle logout.
pub const IDLE_WARNING: Millis = 60_000;

pub struct State {
    pub user: User,
    pub session_id: i64,
    pub since: Millis,
    pub now: Millis,
    pub tz: Zone,
    pub host: String,
    pub last_activity: Millis,
    /// No key for this long ends the session (`None`: never, for a wall-screen monitor).
    pub idle_timeout: Option<Millis>,
    pub previous: Option<PreviousLogin>,
    pub failures_since_previous: u32,
    /// Set once the session is being ended: no second end is ever asked for.
    pub ending: Option<EndReason>,
    /// The end could not be written yet; the run loop keeps retrying.
    pub trouble: bool,
    /// Whether Ctrl-C ends the session and the program (not on a kiosk).
    pub quit_allowed: bool,
    /// Whether the database answers, and whether it can take logins.
    pub db: super::DbStatus,
    pub theme: Theme,
    pub texts: &'static Texts,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    Key(KeyEvent),
    Tick(Millis),
    /// Writing the end failed; the loop will retry.
    EndNotWritten,
    /// What the station knows of the database now.
    Database(super::DbStatus),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    End {
        reason: EndReason,
        at: Millis,
    },
    /// Admins only.
    OpenMonitor,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    LogOut,
    Monitor,
    Interrupt,
}

fn is_admin(state: &State) -> bool {
    state.user.role == Role::Admin
}

/// The session screen's keys.
const KEYS: &[Binding<State, Action>] = &[
    Binding {
        keys: &[
            Key::plain(KeyCode::Char('l')),
            Key::plain(KeyCode::Char('L')),
        ],
        shown: "L",
        hint: Some(|t| t.key_log_out),
        help: None,
        essential: true,
        when: always,
        action: Action::LogOut,
    },
    Binding {
        keys: &[
            Key::plain(KeyCode::Char('m')),
            Key::plain(KeyCode::Char('M')),
        ],
        shown: "M",
        hint: Some(|t| t.key_monitor),
        help: None,
        essential: false,
        when: is_admin,
        action: Action::Monitor,
    },
    // Ctrl-C is the raw-mode terminal's SIGINT: the process is asked to stop, except on
    // a kiosk (--no-quit), where nothing a person types ends it.
    Binding {
        keys: &[Key::ctrl('c')],
        shown: "Ctrl-C",
        hint: None,
        help: None,
        essential: false,
        when: |s| s.quit_allowed,
        action: Action::Interrupt,
    },
];

impl State {
    /// When the session ends for inactivity, if it can.
    pub fn idle_deadline(&self) -> Option<Millis> {
        self.idle_timeout
            .map(|timeout| self.last_activity + timeout)
    }

    /// The time left before an idle logout, once in its last minute.
    pub fn idle_countdown(&self) -> Option<Millis> {
        let left = self.idle_deadline()? - self.now;
        (self.ending.is_none() && left < IDLE_WARNING).then_some(left.max(0))
    }
}

#[must_use]
pub fn update(state: &mut State, msg: Msg) -> Option<Effect> {
    match msg {
        Msg::Database(status) => {
            state.db = status;
            None
        }
        Msg::Tick(now) => {
            state.now = now;
            let deadline = state.idle_deadline()?;
            (now >= deadline)
                .then(|| end(state, EndReason::Idle, deadline))
                .flatten()
        }
        Msg::Key(key) => {
            if state.ending.is_some() {
                return None;
            }
            state.last_activity = state.now;
            match action_of(KEYS, state, &key)? {
                Action::LogOut => end(state, EndReason::Logout, state.now),
                Action::Monitor => Some(Effect::OpenMonitor),
                Action::Interrupt => end(state, EndReason::Hangup, state.now),
            }
        }
        Msg::EndNotWritten => {
            state.trouble = true;
            None
        }
    }
}

fn end(state: &mut State, reason: EndReason, at: Millis) -> Option<Effect> {
    if state.ending.is_some() {
        return None;
    }
    state.ending = Some(reason);
    Some(Effect::End { reason, at })
}

impl Widget for &State {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if render_too_small(area, buf, self.texts.too_small) {
            return;
        }
        let status = self.status().map(|(text, style)| {
            Paragraph::new(Span::styled(text, style))
                .alignment(Alignment::Center)
                .wrap(Wrap { trim: true })
        });
        let status_height = status
            .as_ref()
            .map_or(0, |p| p.line_count(area.width) as u16);
        let [header, body, status_area, hints] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(status_height),
            Constraint::Length(1),
        ])
        .areas(area);
        self.render_header(header, buf);
        self.render_card(body, buf);
        if let Some(status) = status {
            status.render(status_area, buf);
        }
        key_hints(self.theme, &hints_of(KEYS, self, self.texts), hints.width).render(hints, buf);
    }
}

impl State {
    fn render_header(&self, area: Rect, buf: &mut Buffer) {
        let right = format!(
            "{}  {}",
            self.host,
            format_in(self.now, self.tz, "%H:%M:%S")
        );
        Line::styled(format!(" {}", self.texts.app), self.theme.title()).render(area, buf);
        Line::from(right)
            .alignment(Alignment::Right)
            .render(area, buf);
    }

    fn render_card(&self, area: Rect, buf: &mut Buffer) {
        let t = self.texts;
        let name = if self.user.full_name.is_empty() {
            self.user.username.clone()
        } else {
            format!(
                "{} ({})",
                super::shown(&self.user.full_name),
                self.user.username
            )
        };
        let block = Block::bordered()
            .border_type(BorderType::Rounded)
            .padding(Padding::horizontal(1))
            .title(Span::styled(format!(" {name} "), self.theme.strong()));
        let colon = t.lang.colon();
        let label = |text: &str| Span::styled(format!("{text}{colon}"), self.theme.label());
        let mut lines = vec![
            Line::from(vec![
                label(t.role),
                Span::styled(self.user.role.to_string(), self.theme.role(self.user.role)),
            ]),
            Line::from(vec![
                label(t.since),
                Span::raw(t.lang.date_time_seconds(self.since, self.tz)),
            ]),
            Line::from(vec![
                label(t.duration),
                Span::styled(t.lang.duration(self.now - self.since), self.theme.strong()),
            ]),
        ];
        let about_this_session = lines.len();
        lines.push(match &self.previous {
            Some(previous) => Line::from(vec![
                label(t.previous_login),
                Span::raw(self.describe(previous)),
            ]),
            None => Line::from(t.first_login),
        });
        if self.failures_since_previous > 0 {
            lines.push(Line::from(vec![
                label(t.failures_since),
                Span::styled(
                    self.failures_since_previous.to_string(),
                    self.theme.notice(),
                ),
            ]));
        }
        // As tall as its content once wrapped (plus borders), not the whole screen; a
        // blank line between this session and the previous one when there is room.
        let inner_width = area.width.saturating_sub(4);
        let wrapped = |lines: &[Line<'static>]| {
            Paragraph::new(lines.to_vec())
                .wrap(Wrap { trim: true })
                .line_count(inner_width) as u16
                + 2
        };
        if wrapped(&lines) < area.height {
            lines.insert(about_this_session, Line::default());
        }
        let height = wrapped(&lines).min(area.height);
        let paragraph = Paragraph::new(lines).wrap(Wrap { trim: true });
        let [card] = Layout::vertical([Constraint::Length(height)])
            .flex(ratatui::layout::Flex::Center)
            .areas(area);
        paragraph.block(block).render(card, buf);
    }

    /// `2026-11-23 16:40 from frontdesk /dev/pts/3 (203.0.113.7)`, as `lastlog` says it.
    fn describe(&self, previous: &PreviousLogin) -> String {
        let mut text = format!(
            "{} {} {}",
            self.texts.lang.date_time(previous.at, self.tz),
            self.texts.from,
            super::shown(&previous.host)
        );
        if let Some(tty) = &previous.tty {
            text.push_str(&format!(" {}", super::shown(tty)));
        }
        if let Some(ip) = &previous.remote_ip {
            text.push_str(&format!(" ({})", super::shown(ip)));
        }
        text
    }

    /// What the line above the keys says, if anything.
    fn status(&self) -> Option<(String, ratatui::style::Style)> {
        if let Some(unusable) = self.db.unusable {
            Some((unusable.text(self.texts).to_string(), self.theme.error()))
        } else if self.trouble {
            Some((self.texts.retrying_logout.to_string(), self.theme.error()))
        } else if let Some(text) = self.db.link.text(self.texts) {
            Some((text.to_string(), self.theme.notice()))
        } else {
            let left = self.idle_countdown()?;
            Some((idle_warning(self.texts, left), self.theme.notice()))
        }
    }
}

/// "No activity: logging out in 42 s".
pub fn idle_warning(texts: &Texts, left: Millis) -> String {
    let seconds = (left + 999) / 1000;
    fill(texts.idle_warning, &[("seconds", &seconds)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{EN, Lang};
    use ratatui::crossterm::event::KeyModifiers;

    /// 2026-11-24 09:15:02 UTC.
    const NOW: Millis = 1_795_511_702_000;
    const MINUTE: Millis = 60_000;

    fn state() -> State {
        State {
            user: User {
                id: 7,
                username: "Hantz123".into(),
                full_name: "Hantz Dorvil".into(),
                role: Role::Secretaire,
                disabled: false,
                must_change_password: false,
                locked_until: None,
                created_at: 0,
            },
            session_id: 41,
            since: NOW - 65 * MINUTE - 9_000,
            now: NOW,
            tz: Zone::UTC,
            host: "frontdesk".into(),
            last_activity: NOW,
            idle_timeout: Some(15 * MINUTE),
            previous: Some(PreviousLogin {
                at: NOW - 17 * 60 * MINUTE,
                host: "frontdesk".into(),
                tty: Some("/dev/pts/3".into()),
                remote_ip: None,
            }),
            failures_since_previous: 2,
            ending: None,
            trouble: false,
            quit_allowed: true,
            db: crate::tui::DbStatus::default(),
            theme: Theme { color: false },
            texts: &EN,
        }
    }

    fn key(c: char) -> Msg {
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
    }

    #[test]
    fn l_logs_out_once() {
        let mut s = state();
        assert_eq!(
            update(&mut s, key('L')),
            Some(Effect::End {
                reason: EndReason::Logout,
                at: NOW
            })
        );
        assert_eq!(update(&mut s, key('l')), None);
        assert_eq!(update(&mut s, Msg::Tick(NOW + 20 * MINUTE)), None);
    }

    #[test]
    fn m_opens_the_monitor_for_admins_only() {
        let mut s = state();
        assert_eq!(update(&mut s, key('m')), None);
        s.user.role = Role::Admin;
        assert_eq!(update(&mut s, key('M')), Some(Effect::OpenMonitor));
        assert!(render(&s, 80, 24).contains("M monitor"));
    }

    #[test]
    fn ctrl_c_ends_the_session_as_a_hangup() {
        let mut s = state();
        let ctrl_c = Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
        assert_eq!(
            update(&mut s, ctrl_c),
            Some(Effect::End {
                reason: EndReason::Hangup,
                at: NOW
            })
        );
    }

    #[test]
    fn ctrl_c_does_nothing_on_a_kiosk() {
        let mut s = state();
        s.quit_allowed = false;
        let ctrl_c = Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
        assert_eq!(update(&mut s, ctrl_c), None);
        assert_eq!(s.ending, None);
    }

    #[test]
    fn idle_ends_at_the_deadline_not_at_the_tick() {
        let mut s = state();
        assert_eq!(update(&mut s, Msg::Tick(NOW + 15 * MINUTE - 1)), None);
        assert_eq!(
            update(&mut s, Msg::Tick(NOW + 15 * MINUTE + 700)),
            Some(Effect::End {
                reason: EndReason::Idle,
                at: NOW + 15 * MINUTE
            })
        );
    }

    #[test]
    fn a_key_restarts_the_idle_countdown() {
        let mut s = state();
        let _ = update(&mut s, Msg::Tick(NOW + 10 * MINUTE));
        let _ = update(&mut s, key('x'));
        assert_eq!(update(&mut s, Msg::Tick(NOW + 20 * MINUTE)), None);
        assert!(update(&mut s, Msg::Tick(NOW + 25 * MINUTE)).is_some());
    }

    fn render(state: &State, width: u16, height: u16) -> String {
        crate::tui::render_to_text(state, width, height)
    }

    #[test]
    fn the_countdown_shows_in_the_last_minute() {
        let mut s = state();
        let _ = update(&mut s, Msg::Tick(NOW + 14 * MINUTE));
        assert!(!render(&s, 80, 24).contains("logging out in"));
        let _ = update(&mut s, Msg::Tick(NOW + 14 * MINUTE + 18_000));
        assert!(render(&s, 80, 24).contains("No activity: logging out in 42 s"));
    }

    #[test]
    fn without_an_idle_timeout_the_session_never_ends_by_itself() {
        let mut s = state();
        s.idle_timeout = None;
        assert_eq!(update(&mut s, Msg::Tick(NOW + 1_000 * MINUTE)), None);
        assert!(!render(&s, 80, 24).contains("logging out in"));
    }

    #[test]
    fn a_write_kept_waiting_is_said() {
        let mut s = state();
        let _ = update(
            &mut s,
            Msg::Database(crate::tui::DbStatus {
                link: crate::tui::DbLink::Waiting,
                unusable: None,
            }),
        );
        assert!(render(&s, 80, 24).contains("Waiting for the database"));
    }

    #[test]
    fn every_line_of_the_card_shows_at_40x12_in_every_language() {
        for lang in Lang::ALL {
            let mut s = state();
            s.texts = lang.texts();
            let screen = render(&s, 40, 12);
            assert!(screen.contains("/dev/pts/3"), "{lang:?}:\n{screen}");
            let failures = screen
                .lines()
                .skip_while(|line| !line.contains("/dev/pts/3"))
                .any(|line| line.contains(" 2 "));
            assert!(failures, "the failures line, {lang:?}:\n{screen}");
        }
    }

    #[test]
    fn snapshots_in_every_language_at_80x24_and_40x12() {
        for lang in Lang::ALL {
            for (width, height) in [(80, 24), (40, 12)] {
                let mut s = state();
                s.texts = lang.texts();
                let name = format!("session_{lang:?}_{width}x{height}").to_lowercase();
                insta::assert_snapshot!(name, render(&s, width, height));
            }
        }
    }

    #[test]
    fn snapshot_session_retrying_a_logout_80x24() {
        let mut s = state();
        let _ = update(&mut s, key('l'));
        let _ = update(&mut s, Msg::EndNotWritten);
        insta::assert_snapshot!(render(&s, 80, 24));
    }
}
