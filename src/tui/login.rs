//! The login screen of a shared terminal (and of the monitor): username, hidden
//! password, host and clock, one status line. Also asks for a new password when an
//! admin-issued one must be changed.

use chrono::FixedOffset;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Widget, Wrap};
use zeroize::Zeroize;

use unicode_width::UnicodeWidthStr;

use super::{Theme, key_hints, pad_to, render_too_small, tail_fitting};
use crate::auth::Refusal;
use crate::clock::format_in;
use crate::i18n::{Texts, fill};
use crate::model::{Millis, User};

const MAX_USERNAME: usize = 64;
const MAX_PASSWORD: usize = 1024;

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
    Error(String),
    Notice(String),
}

pub struct State {
    pub form: Form,
    pub username: String,
    pub password: String,
    pub repeat: String,
    pub focus: Field,
    pub status: Status,
    pub now: Millis,
    pub tz: FixedOffset,
    pub host: String,
    /// The monitor's login admits admins only and says so in its title.
    pub for_monitor: bool,
    pub theme: Theme,
    pub texts: &'static Texts,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    Key(KeyEvent),
    Tick(Millis),
    Refused(Refusal),
    MustChangePassword(User),
    PasswordRejected(String),
    /// Something to tell the next person (why the last session ended, a database error).
    Notice(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Authenticate { username: String, password: String },
    ChangePassword { user: User, password: String },
    Quit,
}

impl State {
    pub fn new(
        host: String,
        now: Millis,
        tz: FixedOffset,
        theme: Theme,
        texts: &'static Texts,
    ) -> State {
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
            theme,
            texts,
        }
    }

    /// Back to an empty form for the next person, with `notice` on the status line.
    pub fn reset(&mut self, notice: Option<String>) {
        self.clear_fields();
        self.form = Form::Credentials;
        self.status = notice.map_or(Status::Prompt, Status::Notice);
    }

    fn clear_fields(&mut self) {
        self.username.clear();
        self.password.zeroize();
        self.repeat.zeroize();
        self.focus = Field::Username;
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

pub fn update(state: &mut State, msg: Msg) -> Option<Effect> {
    match msg {
        Msg::Key(key) => on_key(state, key),
        Msg::Tick(now) => {
            state.now = now;
            None
        }
        Msg::Refused(refusal) => {
            state.password.zeroize();
            state.focus = Field::Password;
            state.status = Status::Error(refusal_message(state, refusal));
            None
        }
        Msg::MustChangePassword(user) => {
            state.clear_fields();
            state.form = Form::NewPassword { user };
            state.focus = Field::Password;
            state.status = Status::Notice(state.texts.choose_password.into());
            None
        }
        Msg::PasswordRejected(problem) => {
            state.password.zeroize();
            state.repeat.zeroize();
            state.focus = Field::Password;
            state.status = Status::Error(problem);
            None
        }
        Msg::Notice(text) => {
            state.status = Status::Notice(text);
            None
        }
    }
}

fn refusal_message(state: &State, refusal: Refusal) -> String {
    match refusal {
        Refusal::Invalid => state.texts.invalid_login.into(),
        Refusal::Locked { until } => fill(
            state.texts.locked_until,
            &[("time", &format_in(until, state.tz, "%H:%M"))],
        ),
    }
}

fn on_key(state: &mut State, key: KeyEvent) -> Option<Effect> {
    if state.status == Status::Waiting {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Char('c') if ctrl => return Some(Effect::Quit),
        KeyCode::Char('u') if ctrl => state.field_mut(state.focus).zeroize(),
        KeyCode::Char(c) if !ctrl => type_char(state, c),
        KeyCode::Backspace => {
            state.field_mut(state.focus).pop();
        }
        KeyCode::Tab | KeyCode::Down => state.move_focus(true),
        KeyCode::BackTab | KeyCode::Up => state.move_focus(false),
        KeyCode::Esc => state.reset(None),
        // A shared terminal serves people who read different languages.
        KeyCode::F(2) => state.texts = state.texts.lang.next().texts(),
        KeyCode::Enter => return submit(state),
        _ => {}
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
                state.status = Status::Error(state.texts.type_username.into());
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
                return update(
                    state,
                    Msg::PasswordRejected(state.texts.passwords_differ.into()),
                );
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
        let format = if area.width >= 60 {
            "%Y-%m-%d %H:%M:%S"
        } else {
            "%H:%M:%S"
        };
        let clock = format_in(self.now, self.tz, format);
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
            Status::Waiting => (self.texts.checking.to_string(), self.theme.label()),
            Status::Error(text) => (text.clone(), self.theme.error()),
            Status::Notice(text) => (text.clone(), self.theme.notice()),
        };
        Paragraph::new(Span::styled(text, style))
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true })
            .render(area, buf);
    }

    fn render_hints(&self, area: Rect, buf: &mut Buffer) {
        let t = self.texts;
        let escape = match self.form {
            Form::Credentials => t.key_clear,
            Form::NewPassword { .. } => t.key_cancel,
        };
        let next_language = t.lang.next().texts().language_name;
        key_hints(
            self.theme,
            &[
                ("Enter", t.key_log_in),
                ("Tab", t.key_next_field),
                ("Esc", escape),
                ("F2", next_language),
                ("Ctrl-C", t.key_quit),
            ],
            area.width,
        )
        .render(area, buf);
    }
}

const MIN_FORM_WIDTH: u16 = 36;

/// A bullet per character typed: feedback without the secret.
fn mask(secret: &str) -> String {
    "•".repeat(secret.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::EN;
    use crate::model::Role;

    /// 2026-11-24 09:15:02 UTC.
    pub const NOW: Millis = 1_795_511_702_000;

    fn state() -> State {
        State::new(
            "frontdesk".into(),
            NOW,
            FixedOffset::east_opt(0).unwrap(),
            Theme { color: false },
            &EN,
        )
    }

    fn key(code: KeyCode) -> Msg {
        Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    fn type_text(state: &mut State, text: &str) {
        for c in text.chars() {
            assert_eq!(update(state, key(KeyCode::Char(c))), None);
        }
    }

    fn clerk() -> User {
        User {
            id: 7,
            username: "Hantz123".into(),
            full_name: "Hantz Dorvil".into(),
            role: Role::Secretaire,
            disabled: false,
            must_change_password: true,
            locked_until: None,
            created_at: 0,
        }
    }

    #[test]
    fn typing_then_enter_twice_asks_to_authenticate() {
        let mut s = state();
        type_text(&mut s, "Hantz123");
        assert_eq!(update(&mut s, key(KeyCode::Enter)), None);
        assert_eq!(s.focus, Field::Password);
        type_text(&mut s, "secret-pw");
        let effect = update(&mut s, key(KeyCode::Enter));
        assert_eq!(
            effect,
            Some(Effect::Authenticate {
                username: "Hantz123".into(),
                password: "secret-pw".into()
            })
        );
        assert!(
            s.password.is_empty(),
            "the password must not linger in the state"
        );
        assert_eq!(s.status, Status::Waiting);
        // Keys are ignored while the check runs.
        assert_eq!(update(&mut s, key(KeyCode::Char('x'))), None);
        assert_eq!(s.username, "Hantz123");
    }

    #[test]
    fn an_empty_username_is_not_submitted() {
        let mut s = state();
        s.focus = Field::Password;
        type_text(&mut s, "pw");
        assert_eq!(update(&mut s, key(KeyCode::Enter)), None);
        assert_eq!(s.status, Status::Error(EN.type_username.into()));
        assert_eq!(s.focus, Field::Username);
    }

    #[test]
    fn tab_moves_backspace_erases_esc_clears() {
        let mut s = state();
        type_text(&mut s, "abc");
        update(&mut s, key(KeyCode::Backspace));
        assert_eq!(s.username, "ab");
        update(&mut s, key(KeyCode::Tab));
        assert_eq!(s.focus, Field::Password);
        update(&mut s, key(KeyCode::Tab));
        assert_eq!(s.focus, Field::Username);
        update(&mut s, key(KeyCode::BackTab));
        assert_eq!(s.focus, Field::Password);
        type_text(&mut s, "pw");
        update(&mut s, key(KeyCode::Esc));
        assert_eq!(
            (s.username.as_str(), s.password.as_str(), s.focus),
            ("", "", Field::Username)
        );
    }

    #[test]
    fn ctrl_c_quits() {
        let mut s = state();
        let ctrl_c = Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
        assert_eq!(update(&mut s, ctrl_c), Some(Effect::Quit));
    }

    #[test]
    fn a_refusal_says_one_thing_and_keeps_the_name() {
        let mut s = state();
        type_text(&mut s, "Hantz123");
        update(&mut s, key(KeyCode::Tab));
        type_text(&mut s, "wrong");
        update(&mut s, key(KeyCode::Enter));
        update(&mut s, Msg::Refused(Refusal::Invalid));
        assert_eq!(
            s.status,
            Status::Error("Invalid username or password".into())
        );
        assert_eq!(
            (s.username.as_str(), s.focus),
            ("Hantz123", Field::Password)
        );
        update(
            &mut s,
            Msg::Refused(Refusal::Locked {
                until: NOW + 15 * 60_000,
            }),
        );
        assert_eq!(
            s.status,
            Status::Error("Too many failed attempts: locked until 09:30".into())
        );
    }

    #[test]
    fn a_password_to_change_is_asked_twice() {
        let mut s = state();
        update(&mut s, Msg::MustChangePassword(clerk()));
        assert_eq!(s.focus, Field::Password);
        type_text(&mut s, "new-password");
        update(&mut s, key(KeyCode::Enter));
        assert_eq!(s.focus, Field::Repeat);
        type_text(&mut s, "new-passwort");
        assert_eq!(update(&mut s, key(KeyCode::Enter)), None);
        assert_eq!(s.status, Status::Error(EN.passwords_differ.into()));
        assert!(s.password.is_empty() && s.repeat.is_empty());
        type_text(&mut s, "new-password");
        update(&mut s, key(KeyCode::Tab));
        type_text(&mut s, "new-password");
        assert_eq!(
            update(&mut s, key(KeyCode::Enter)),
            Some(Effect::ChangePassword {
                user: clerk(),
                password: "new-password".into()
            })
        );
    }

    #[test]
    fn esc_abandons_a_password_change() {
        let mut s = state();
        update(&mut s, Msg::MustChangePassword(clerk()));
        update(&mut s, key(KeyCode::Esc));
        assert_eq!(s.form, Form::Credentials);
    }

    fn render(state: &State, width: u16, height: u16) -> String {
        crate::tui::render_to_text(state, width, height)
    }

    #[test]
    fn snapshot_login_80x24() {
        let mut s = state();
        type_text(&mut s, "Hantz123");
        update(&mut s, key(KeyCode::Tab));
        type_text(&mut s, "secret");
        insta::assert_snapshot!(render(&s, 80, 24));
    }

    #[test]
    fn snapshot_login_refused_40x12() {
        let mut s = state();
        type_text(&mut s, "Hantz123");
        update(&mut s, Msg::Refused(Refusal::Invalid));
        insta::assert_snapshot!(render(&s, 40, 12));
    }

    #[test]
    fn snapshot_new_password_80x24() {
        let mut s = state();
        update(&mut s, Msg::MustChangePassword(clerk()));
        insta::assert_snapshot!(render(&s, 80, 24));
    }

    #[test]
    fn f2_switches_the_language_for_the_next_person() {
        let mut s = state();
        let f2 = || Msg::Key(KeyEvent::new(KeyCode::F(2), KeyModifiers::NONE));
        update(&mut s, f2());
        assert_eq!(s.texts.lang, crate::i18n::Lang::Fr);
        update(&mut s, f2());
        assert_eq!(s.texts.lang, crate::i18n::Lang::Ht);
        update(&mut s, Msg::Refused(Refusal::Invalid));
        assert_eq!(
            s.status,
            Status::Error("Non itilizatè oswa modpas la pa bon".into())
        );
        update(&mut s, f2());
        assert_eq!(s.texts.lang, crate::i18n::Lang::En);
    }

    fn in_language(lang: crate::i18n::Lang) -> State {
        let mut s = state();
        s.texts = lang.texts();
        type_text(&mut s, "Hantz123");
        update(
            &mut s,
            Msg::Refused(Refusal::Locked {
                until: NOW + 15 * 60_000,
            }),
        );
        s
    }

    #[test]
    fn snapshot_login_fr_80x24() {
        insta::assert_snapshot!(render(&in_language(crate::i18n::Lang::Fr), 80, 24));
    }

    #[test]
    fn snapshot_login_ht_80x24() {
        insta::assert_snapshot!(render(&in_language(crate::i18n::Lang::Ht), 80, 24));
    }

    #[test]
    fn below_the_minimum_it_says_so() {
        let screen = render(&state(), 30, 8);
        assert!(screen.contains("Terminal too small"), "{screen}");
    }

    #[test]
    fn the_password_never_reaches_the_screen() {
        let mut s = state();
        update(&mut s, key(KeyCode::Tab));
        type_text(&mut s, "hunter22");
        let screen = render(&s, 80, 24);
        assert!(!screen.contains("hunter22"));
        assert!(screen.contains("••••••••"));
    }
}
