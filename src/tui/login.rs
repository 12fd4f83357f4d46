//! The login screen of a shared terminal (and of the monitor): username, hidden
//! password, host and clock, one status line. Also asks for a new password when an
//! admin-issued one must be changed.

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Widget, Wrap};
use zeroize::Zeroize;

use unicode_width::UnicodeWidthStr;

use super::tail_fitting;
use super::{
    Binding, Key, Theme, action_of, always, hints_of, key_hints, pad_to, render_too_small,
};
use crate::auth::{PasswordProblem, Refusal};
use crate::clock::{Zone, format_in};
use crate::i18n::{Texts, fill};
use crate::model::{Millis, User};

const MAX_USERNAME: usize = 64;
const MAX_PASSWORD: usize = 1024;
/// A form left alone this long is emptied for the next person: the previous one's name,
/// a lock or logout message, the language they chose.
pub const CLEAR_AFTER: Millis = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Username,
    Password,
    Repeat,
}

/// Which form is on screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Form {
    Credentials,
    /// The user logged in with a password that must be changed first.
    NewPassword {
        user: User,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Prompt,
    Waiting,
    Error(Said),
    Notice(Said),
}

/// What the status line says: kept as what it means, and worded in the screen's
/// language when it is drawn, so that F2 or the return to the terminal's own language
/// re-words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Said {
    InvalidLogin,
    Locked {
        until: Millis,
    },
    SourceLocked {
        until: Millis,
    },
    /// The database file was replaced, or is damaged: no login here until a restart.
    DatabaseUnusable(super::Unusable),
    TypeUsername,
    ChoosePassword,
    PasswordsDiffer,
    Password(PasswordProblem),
    LoggedOut {
        lasted: Millis,
    },
    LoggedOutIdle {
        lasted: Millis,
    },
    EndedByAdmin,
    SessionLost,
    /// The database could not be reached: its error, as it came.
    DatabaseTrouble(String),
}

impl Said {
    pub fn text(&self, texts: &Texts, tz: Zone) -> String {
        let lasted = |millis: &Millis| texts.lang.duration(*millis);
        match self {
            Said::InvalidLogin => texts.invalid_login.into(),
            Said::Locked { until } => fill(
                texts.locked_until,
                &[("time", &format_in(*until, tz, "%H:%M"))],
            ),
            Said::SourceLocked { until } => fill(
                texts.source_locked_until,
                &[("time", &format_in(*until, tz, "%H:%M"))],
            ),
            Said::DatabaseUnusable(unusable) => unusable.text(texts).into(),
            Said::TypeUsername => texts.type_username.into(),
            Said::ChoosePassword => texts.choose_password.into(),
            Said::PasswordsDiffer => texts.passwords_differ.into(),
            Said::Password(problem) => problem.text(texts),
            Said::LoggedOut { lasted: l } => fill(texts.logged_out, &[("duration", &lasted(l))]),
            Said::LoggedOutIdle { lasted: l } => {
                fill(texts.logged_out_idle, &[("duration", &lasted(l))])
            }
            Said::EndedByAdmin => texts.ended_by_admin.into(),
            Said::SessionLost => texts.session_lost.into(),
            Said::DatabaseTrouble(error) => fill(texts.database_trouble, &[("error", error)]),
        }
    }
}

pub struct State {
    pub form: Form,
    pub username: String,
    pub password: String,
    pub repeat: String,
    pub focus: Field,
    pub status: Status,
    pub now: Millis,
    pub tz: Zone,
    pub host: String,
    /// The monitor's login admits admins only and says so in its title.
    pub for_monitor: bool,
    /// Whether Ctrl-C leaves the login screen (not on a kiosk).
    pub quit_allowed: bool,
    pub theme: Theme,
    /// The language of the person at the terminal (F2 changes it).
    pub texts: &'static Texts,
    /// The terminal's own language, which the next person gets.
    pub home_texts: &'static Texts,
    /// When the form last changed: it is emptied CLEAR_AFTER later.
    pub last_input: Millis,
    /// Whether the database answers: a login waiting on a server that cannot be
    /// reached says so rather than "Checking…".
    pub db_link: super::DbLink,
    /// The database can take no more logins: the form says so until it can.
    pub db_unusable: Option<super::Unusable>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    Key(KeyEvent),
    Tick(Millis),
    Refused(Refusal),
    MustChangePassword(User),
    PasswordRejected(PasswordProblem),
    /// Something to tell the next person (why the last session ended).
    Notice(Said),
    /// The login failed for another reason than the credentials (the database could not
    /// be reached, or can take no login): the form starts again, as after a refusal.
    Failed(Said),
    /// What the station knows of the database now.
    Database(super::DbStatus),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Authenticate { username: String, password: String },
    ChangePassword { user: User, password: String },
    Quit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Submit,
    NextField,
    PreviousField,
    Clear,
    Language,
    EraseField,
    Backspace,
    Quit,
}

fn on_credentials(state: &State) -> bool {
    state.form == Form::Credentials
}

fn on_new_password(state: &State) -> bool {
    !on_credentials(state)
}

fn choosing_password(state: &State) -> bool {
    matches!(state.form, Form::NewPassword { .. })
}

fn may_quit(state: &State) -> bool {
    state.quit_allowed
}

/// The login screen's keys: what `on_key` does and what the hint bar says.
const KEYS: &[Binding<State, Action>] = &[
    Binding {
        keys: &[Key::plain(KeyCode::Enter)],
        shown: "Enter",
        hint: Some(|t| t.key_save_password),
        help: None,
        essential: false,
        when: choosing_password,
        action: Action::Submit,
    },
    Binding {
        keys: &[Key::plain(KeyCode::Enter)],
        shown: "Enter",
        hint: Some(|t| t.key_log_in),
        help: None,
        essential: false,
        when: |s| !choosing_password(s),
        action: Action::Submit,
    },
    Binding {
        keys: &[Key::plain(KeyCode::Tab), Key::plain(KeyCode::Down)],
        shown: "Tab",
        hint: Some(|t| t.key_next_field),
        help: None,
        essential: false,
        when: always,
        action: Action::NextField,
    },
    Binding {
        keys: &[Key::plain(KeyCode::BackTab), Key::plain(KeyCode::Up)],
        shown: "Shift-Tab",
        hint: None,
        help: None,
        essential: false,
        when: always,
        action: Action::PreviousField,
    },
    Binding {
        keys: &[Key::plain(KeyCode::Esc)],
        shown: "Esc",
        hint: Some(|t| t.key_clear),
        help: None,
        essential: false,
        when: on_credentials,
        action: Action::Clear,
    },
    Binding {
        keys: &[Key::plain(KeyCode::Esc)],
        shown: "Esc",
        hint: Some(|t| t.key_cancel),
        help: None,
        essential: false,
        when: on_new_password,
        action: Action::Clear,
    },
    Binding {
        keys: &[Key::plain(KeyCode::F(2))],
        shown: "F2",
        // Named in the language it switches to, so that its reader finds it.
        hint: Some(|t| t.lang.next().texts().language_name),
        help: None,
        essential: false,
        when: always,
        action: Action::Language,
    },
    Binding {
        keys: &[Key::ctrl('u')],
        shown: "Ctrl-U",
        hint: None,
        help: None,
        essential: false,
        when: always,
        action: Action::EraseField,
    },
    Binding {
        keys: &[Key::plain(KeyCode::Backspace)],
        shown: "Backspace",
        hint: None,
        help: None,
        essential: false,
        when: always,
        action: Action::Backspace,
    },
    Binding {
        keys: &[Key::ctrl('c')],
        shown: "Ctrl-C",
        hint: Some(|t| t.key_quit),
        help: None,
        essential: true,
        when: may_quit,
        action: Action::Quit,
    },
];

impl State {
    /// A database that can take no login says so in place of any other status, but
    /// not over a login already under way.
    fn tell_unusable(&mut self) {
        if let Some(unusable) = self.db_unusable
            && self.status != Status::Waiting
        {
            self.status = Status::Error(Said::DatabaseUnusable(unusable));
        }
    }

    pub fn new(host: String, now: Millis, tz: Zone, theme: Theme, texts: &'static Texts) -> State {
        State {
            form: Form::Credentials,
            username: String::new(),
            password: String::new(),
            repeat: String::new(),
            focus: Field::Username,
            status: Status::Prompt,
            now,
            tz,
            host,
            for_monitor: false,
            quit_allowed: true,
            theme,
            texts,
            home_texts: texts,
            last_input: now,
            db_link: super::DbLink::Answering,
            db_unusable: None,
        }
    }

    /// Back to an empty form in the terminal's language for the next person, with
    /// `notice` on the status line.
    pub fn reset(&mut self, notice: Option<Said>) {
        self.clear_fields();
        self.form = Form::Credentials;
        self.texts = self.home_texts;
        self.status = notice.map_or(Status::Prompt, Status::Notice);
        self.last_input = self.now;
    }

    fn clear_fields(&mut self) {
        self.username.zeroize();
        self.password.zeroize();
        self.repeat.zeroize();
        self.focus = Field::Username;
    }

    /// Whether anything of the last person is still on screen.
    fn shows_someone(&self) -> bool {
        !self.username.is_empty()
            || !self.password.is_empty()
            || !self.repeat.is_empty()
            || self.form != Form::Credentials
            || matches!(self.status, Status::Error(_) | Status::Notice(_))
            || !std::ptr::eq(self.texts, self.home_texts)
    }

    fn fields(&self) -> &'static [Field] {
        match self.form {
            Form::Credentials => &[Field::Username, Field::Password],
            Form::NewPassword { .. } => &[Field::Password, Field::Repeat],
        }
    }

    fn field_mut(&mut self, field: Field) -> &mut String {
        match field {
            Field::Username => &mut self.username,
            Field::Password => &mut self.password,
            Field::Repeat => &mut self.repeat,
        }
    }

    fn move_focus(&mut self, forward: bool) {
        let fields = self.fields();
        let at = fields.iter().position(|f| *f == self.focus).unwrap_or(0);
        let next = if forward {
            at + 1
        } else {
            at + fields.len() - 1
        };
        self.focus = fields[next % fields.len()];
    }
}

#[must_use]
pub fn update(state: &mut State, msg: Msg) -> Option<Effect> {
    match msg {
        Msg::Key(key) => {
            let effect = on_key(state, key);
            state.last_input = state.now;
            effect
        }
        Msg::Tick(now) => {
            state.now = now;
            let waiting = state.status == Status::Waiting;
            if !waiting && state.shows_someone() && now - state.last_input >= CLEAR_AFTER {
                state.reset(None);
            }
            state.tell_unusable();
            None
        }
        Msg::Database(status) => {
            state.db_link = status.link;
            state.db_unusable = status.unusable;
            state.tell_unusable();
            None
        }
        Msg::Refused(refusal) => {
            failed(
                state,
                match refusal {
                    Refusal::Invalid => Said::InvalidLogin,
                    Refusal::Locked { until } => Said::Locked { until },
                    Refusal::SourceLocked { until } => Said::SourceLocked { until },
                },
            );
            None
        }
        Msg::Failed(said) => {
            failed(state, said);
            None
        }
        Msg::MustChangePassword(user) => {
            state.clear_fields();
            state.form = Form::NewPassword { user };
            state.focus = Field::Password;
            state.status = Status::Notice(Said::ChoosePassword);
            state.last_input = state.now;
            None
        }
        Msg::PasswordRejected(problem) => {
            reject_new_password(state, Said::Password(problem));
            None
        }
        Msg::Notice(said) => {
            state.status = Status::Notice(said);
            state.last_input = state.now;
            None
        }
    }
}

/// After any failed try, the next starts from an empty form with the cursor in the
/// name: "name Tab password" typed again into a kept name would be recorded as a name,
/// password included, in `console failures`. A new password being chosen is asked again.
fn failed(state: &mut State, said: Said) {
    match state.form {
        Form::Credentials => {
            state.clear_fields();
            state.status = Status::Error(said);
            state.last_input = state.now;
        }
        Form::NewPassword { .. } => reject_new_password(state, said),
    }
}

fn reject_new_password(state: &mut State, said: Said) {
    state.password.zeroize();
    state.repeat.zeroize();
    state.focus = Field::Password;
    state.status = Status::Error(said);
    state.last_input = state.now;
}

fn on_key(state: &mut State, key: KeyEvent) -> Option<Effect> {
    if state.status == Status::Waiting {
        return None;
    }
    let Some(action) = action_of(KEYS, state, &key) else {
        if let KeyCode::Char(c) = key.code
            && !key.modifiers.contains(KeyModifiers::CONTROL)
        {
            type_char(state, c);
        }
        return None;
    };
    match action {
        Action::Quit => return Some(Effect::Quit),
        Action::EraseField => state.field_mut(state.focus).zeroize(),
        Action::Backspace => {
            state.field_mut(state.focus).pop();
        }
        Action::NextField => state.move_focus(true),
        Action::PreviousField => state.move_focus(false),
        Action::Clear => {
            state.clear_fields();
            state.form = Form::Credentials;
            state.status = Status::Prompt;
        }
        // A shared terminal serves people who read different languages.
        Action::Language => state.texts = state.texts.lang.next().texts(),
        Action::Submit => return submit(state),
    }
    None
}

fn type_char(state: &mut State, c: char) {
    let limit = if state.focus == Field::Username {
        MAX_USERNAME
    } else {
        MAX_PASSWORD
    };
    let field = state.field_mut(state.focus);
    if field.chars().count() < limit {
        field.push(c);
    }
}

fn submit(state: &mut State) -> Option<Effect> {
    match state.form.clone() {
        Form::Credentials => {
            if state.username.trim().is_empty() {
                state.focus = Field::Username;
                state.status = Status::Error(Said::TypeUsername);
                return None;
            }
            if state.focus == Field::Username && state.password.is_empty() {
                state.focus = Field::Password;
                return None;
            }
            state.status = Status::Waiting;
            Some(Effect::Authenticate {
                username: state.username.trim().to_string(),
                password: std::mem::take(&mut state.password),
            })
        }
        Form::NewPassword { user } => {
            if state.focus == Field::Password && state.repeat.is_empty() {
                state.focus = Field::Repeat;
                return None;
            }
            if state.password != state.repeat {
                reject_new_password(state, Said::PasswordsDiffer);
                return None;
            }
            state.repeat.zeroize();
            state.status = Status::Waiting;
            Some(Effect::ChangePassword {
                user,
                password: std::mem::take(&mut state.password),
            })
        }
    }
}

impl Widget for &State {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if render_too_small(area, buf, self.texts.too_small) {
            return;
        }
        let [header, body, hints] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(area);
        self.render_header(header, buf);
        self.render_form(body, buf);
        self.render_hints(hints, buf);
    }
}

impl State {
    fn render_header(&self, area: Rect, buf: &mut Buffer) {
        // The date goes first when the width runs short; the host and the time stay.
        let clock = if area.width >= 60 {
            self.texts.lang.date_time_seconds(self.now, self.tz)
        } else {
            format_in(self.now, self.tz, "%H:%M:%S")
        };
        let right = format!("{}  {clock}", self.host);
        let [left_area, right_area] = Layout::horizontal([
            Constraint::Fill(1),
            Constraint::Length(right.chars().count() as u16),
        ])
        .areas(area);
        Line::styled(format!(" {}", self.texts.app), self.theme.title()).render(left_area, buf);
        Line::from(right)
            .alignment(Alignment::Right)
            .render(right_area, buf);
    }

    fn render_form(&self, area: Rect, buf: &mut Buffer) {
        let width = area.width.clamp(MIN_FORM_WIDTH, 52);
        let height = 8;
        let [_, column, _] = Layout::horizontal([
            Constraint::Fill(1),
            Constraint::Length(width),
            Constraint::Fill(1),
        ])
        .areas(area);
        let [_, card, _] = Layout::vertical([
            Constraint::Fill(1),
            Constraint::Length(height),
            Constraint::Fill(1),
        ])
        .areas(column);

        let title = match (&self.form, self.for_monitor) {
            (Form::NewPassword { user }, _) => format!(" {} ", user.username),
            (Form::Credentials, true) => format!(" {} ", self.texts.admin_log_in),
            (Form::Credentials, false) => format!(" {} ", self.texts.log_in),
        };
        let block = Block::bordered()
            .border_type(BorderType::Rounded)
            .title(Span::styled(title, self.theme.title()));
        let inner = block.inner(card);
        block.render(card, buf);

        let rows = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Fill(1),
        ])
        .split(inner);
        let [first, second] = match self.form {
            Form::Credentials => [
                (self.texts.username, Field::Username, self.username.clone()),
                (self.texts.password, Field::Password, mask(&self.password)),
            ],
            Form::NewPassword { .. } => [
                (
                    self.texts.new_password,
                    Field::Password,
                    mask(&self.password),
                ),
                (
                    self.texts.repeat_password,
                    Field::Repeat,
                    mask(&self.repeat),
                ),
            ],
        };
        let label_width = [first.0, second.0]
            .iter()
            .map(|l| l.width())
            .max()
            .unwrap_or(0);
        for (row, (label, field, shown)) in [(rows[1], first), (rows[2], second)] {
            self.render_field(row, buf, label, label_width, field, &shown);
        }
        self.render_status(rows[4], buf);
    }

    fn render_field(
        &self,
        area: Rect,
        buf: &mut Buffer,
        label: &str,
        label_width: usize,
        field: Field,
        shown: &str,
    ) {
        let focused = self.focus == field;
        let room = usize::from(area.width).saturating_sub(label_width + 4);
        // Keep the end of a long entry in view, where the typing happens.
        let visible = tail_fitting(shown, room);
        let value_style = if focused {
            self.theme.strong()
        } else {
            self.theme.label()
        };
        let mut spans = vec![
            Span::styled(
                format!(" {} ", pad_to(label, label_width)),
                self.theme.label(),
            ),
            Span::styled(visible, value_style),
        ];
        if focused {
            spans.push(Span::styled(" ", self.theme.cursor()));
        }
        Line::from(spans).render(area, buf);
    }

    fn render_status(&self, area: Rect, buf: &mut Buffer) {
        let (text, style) = match &self.status {
            Status::Prompt => (String::new(), self.theme.label()),
            Status::Waiting => match self.db_link {
                super::DbLink::Unreachable => {
                    (self.texts.db_reconnecting.to_string(), self.theme.notice())
                }
                _ => (self.texts.checking.to_string(), self.theme.label()),
            },
            Status::Error(said) => (said.text(self.texts, self.tz), self.theme.error()),
            Status::Notice(said) => (said.text(self.texts, self.tz), self.theme.notice()),
        };
        Paragraph::new(Span::styled(text, style))
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true })
            .render(area, buf);
    }

    fn render_hints(&self, area: Rect, buf: &mut Buffer) {
        key_hints(self.theme, &hints_of(KEYS, self, self.texts), area.width).render(area, buf);
    }
}

const MIN_FORM_WIDTH: u16 = 36;

/// A bullet per character typed: feedback without the secret.
fn mask(secret: &str) -> String {
    "•".repeat(secret.chars().count())
}

#[cfg(test)]
mod tests;
