//! What every screen shares: the terminal guard, the theme, the key-hint bar, the
//! minimum size.

pub mod login;
pub mod monitor;
pub mod session;

use std::io::{self, IsTerminal, Stdout};

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::thread;
use std::time::Duration;
use unicode_width::UnicodeWidthStr;

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::crossterm::{cursor, execute, terminal};
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::error::Error;
use crate::i18n::Texts;
use crate::model::{EndReason, Role, UserState};

pub const MIN_WIDTH: u16 = 40;

/// Text from the database as a screen shows it: what a terminal would obey (or what
/// would hide or reorder the text), written out instead. ratatui drops C0 and C1 controls
/// itself; bidi and zero-width characters it would pass on.
pub fn shown(text: &str) -> String {
    crate::printable::escaped(text).into_owned()
}

/// How the station's database answers, as every screen says it: a wait for a lock
/// held elsewhere is not a server that cannot be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DbLink {
    #[default]
    Answering,
    /// A job of this terminal has waited for a while (another program holds the lock).
    Waiting,
    /// The server cannot be reached: the worker is connecting again.
    Unreachable,
}

impl DbLink {
    /// What the status line says, if anything.
    pub fn text(self, texts: &Texts) -> Option<&'static str> {
        match self {
            DbLink::Answering => None,
            DbLink::Waiting => Some(texts.db_waiting),
            DbLink::Unreachable => Some(texts.db_reconnecting),
        }
    }
}

/// What the station knows of its database, told to each screen as a message
/// (`Msg::Database`) whenever the clocks move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DbStatus {
    /// Whether it answers, waits, or cannot be reached.
    pub link: DbLink,
    /// It can take no more logins (its file replaced, or damaged).
    pub unusable: Option<Unusable>,
}

/// Why a station's database can take no more logins: it says so on every screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unusable {
    /// The file was removed, or another put in its place.
    Replaced,
    /// `PRAGMA quick_check` found damage.
    Damaged,
}

impl Unusable {
    pub fn text(self, texts: &Texts) -> &'static str {
        match self {
            Unusable::Replaced => texts.db_replaced,
            Unusable::Damaged => texts.db_damaged_screen,
        }
    }
}
pub const MIN_HEIGHT: u16 = 12;

/// Owns the terminal while a screen is up: raw mode and the alternate screen on entry,
/// everything restored on drop, whether the screen returns, fails or panics.
pub struct TerminalGuard {
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl TerminalGuard {
    pub fn enter() -> anyhow::Result<TerminalGuard> {
        if !io::stdin().is_terminal() || !io::stdout().is_terminal() {
            return Err(Error::Usage(crate::said!(screen_needs_terminal)).into());
        }
        install_panic_hook();
        terminal::enable_raw_mode()?;
        execute!(io::stdout(), terminal::EnterAlternateScreen, cursor::Hide)?;
        Ok(TerminalGuard {
            terminal: Terminal::new(CrosstermBackend::new(io::stdout()))?,
        })
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Best effort: after a hangup the terminal is gone, and that is fine. After a panic
/// the hook has restored it already: leaving the alternate screen again would move the
/// cursor back over the panic's message.
fn restore_terminal() {
    if panicked() {
        return;
    }
    let _ = terminal::disable_raw_mode();
    let _ = execute!(io::stdout(), terminal::LeaveAlternateScreen, cursor::Show);
}

/// Set once any thread has panicked: the station stops at its next tick.
static PANICKED: AtomicBool = AtomicBool::new(false);

/// How long a process that panicked may take to end its session before it is ended
/// whatever it is doing.
const PANIC_EXIT: Duration = Duration::from_secs(1);

/// Held while a frame is drawn, so that the panic hook restores the terminal between
/// frames, never under one (which would draw the screen again over the shell's).
static DRAWING: Mutex<()> = Mutex::new(());

/// How long the panic hook waits for a frame under way to be done.
const FRAME_WAIT: Duration = Duration::from_millis(250);

/// Whether a thread of this process has panicked.
pub fn panicked() -> bool {
    PANICKED.load(Ordering::SeqCst)
}

/// Draws a frame with `draw`, unless a thread has panicked (the terminal is the
/// shell's again then): `None`.
pub fn frame<T>(draw: impl FnOnce() -> T) -> Option<T> {
    let _drawing = DRAWING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    (!panicked()).then(draw)
}

/// Waits, a little, for the frame under way to be done (the panicking thread may be
/// the one drawing: then it is not waited for).
fn wait_for_frame() -> Option<std::sync::MutexGuard<'static, ()>> {
    let started = std::time::Instant::now();
    loop {
        match DRAWING.try_lock() {
            Ok(guard) => return Some(guard),
            Err(std::sync::TryLockError::Poisoned(poisoned)) => return Some(poisoned.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) if started.elapsed() < FRAME_WAIT => {
                thread::sleep(Duration::from_millis(2));
            }
            Err(std::sync::TryLockError::WouldBlock) => return None,
        }
    }
}

/// On a panic in any thread: the terminal restored and cleared at once, without
/// waiting on any lock (another thread may hold stdout's for the whole run), so that
/// nothing typed afterwards is echoed under a login screen; the message printed once;
/// the station told to stop, and the process ended after PANIC_EXIT whatever it does.
fn install_panic_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if PANICKED.swap(true, Ordering::SeqCst) {
            return;
        }
        let _no_frame = wait_for_frame();
        let _ = terminal::disable_raw_mode();
        // Leave the alternate screen, clear, cursor home, cursor shown.
        write_to_terminal(b"\x1b[?1049l\x1b[2J\x1b[H\x1b[?25h");
        default(info);
        let _ = thread::Builder::new().spawn(|| {
            thread::sleep(PANIC_EXIT);
            // SAFETY: _exit ends the process at once; nothing of ours runs after it.
            unsafe { libc::_exit(101) };
        });
    }));
}

/// Writes `bytes` straight to the terminal's descriptor, past Rust's stdout lock.
fn write_to_terminal(bytes: &[u8]) {
    // SAFETY: a write of a valid buffer to descriptor 1; a failure is ignored.
    let _ = unsafe { libc::write(libc::STDOUT_FILENO, bytes.as_ptr().cast(), bytes.len()) };
}

/// What the terminal sends the run loop.
pub enum Input {
    Key(KeyEvent),
    Resized,
    /// The terminal cannot be read any more: it was closed.
    Gone,
}

/// Reads the terminal on a thread of its own and hands the run loop what it reads.
/// The loop waits on the channel with a timeout, so it always gets control back: on a
/// closed terminal crossterm's `event::poll` spins on EOF and never returns, whatever
/// its timeout (crossterm issue #793), and a loop inside it could never write the
/// session's end. The reading thread ends with the process.
pub fn spawn_input_reader<E: Send + 'static>(sender: Sender<E>, wrap: fn(Input) -> E) {
    thread::spawn(move || {
        loop {
            let input = match event::read() {
                Ok(Event::Key(key)) if key.kind == KeyEventKind::Press => Input::Key(key),
                Ok(Event::Resize(..)) => Input::Resized,
                Ok(_) => continue,
                Err(_) => Input::Gone,
            };
            let gone = matches!(input, Input::Gone);
            if sender.send(wrap(input)).is_err() || gone {
                return;
            }
        }
    });
}

/// Semantic styles. Base colours only, on the terminal's own background, so that the
/// screens read on dark and light themes; none at all with `NO_COLOR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub fn from_env() -> Theme {
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    fn fg(self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    pub fn title(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn label(self) -> Style {
        Style::new().add_modifier(Modifier::DIM)
    }

    pub fn strong(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn notice(self) -> Style {
        self.fg(Color::Yellow)
    }

    /// The selected row. Explicit colours rather than reverse video, which some
    /// renderings of the screen lose; reverse video without colours.
    pub fn focused(self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::White)
                .bg(Color::DarkGray)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    /// The block where typing happens.
    pub fn cursor(self) -> Style {
        if self.color {
            Style::new().bg(Color::Cyan)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    pub fn key(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn online(self) -> Style {
        self.fg(Color::Green).add_modifier(Modifier::BOLD)
    }

    pub fn state(self, state: UserState) -> Style {
        match state {
            UserState::Online => self.online(),
            UserState::Offline => self.label(),
            UserState::Disabled => self.fg(Color::DarkGray).add_modifier(Modifier::CROSSED_OUT),
            UserState::Locked => self.error(),
        }
    }

    pub fn end_reason(self, reason: Option<EndReason>) -> Style {
        match reason {
            Some(EndReason::Logout) | None => Style::new(),
            Some(EndReason::Idle) | Some(EndReason::Hangup) => self.notice(),
            Some(EndReason::Forced) | Some(EndReason::Lost) => self.error(),
        }
    }

    pub fn demo(self) -> Style {
        self.fg(Color::Magenta).add_modifier(Modifier::BOLD)
    }

    /// A role's style; no role (a name the system logged in with no account) is plain.
    pub fn role_or_none(self, role: Option<Role>) -> Style {
        role.map_or_else(Style::default, |role| self.role(role))
    }

    pub fn role(self, role: Role) -> Style {
        let color = match role {
            Role::Admin => Color::Red,
            Role::Directeur => Color::Magenta,
            Role::Secretaire => Color::Green,
            Role::Archives => Color::LightBlue,
        };
        self.fg(color).add_modifier(Modifier::BOLD)
    }
}

/// One entry of a screen's key table: the keys, what they do, and how the hint bar and
/// the help overlay name them. Each screen has one table, which its `on_key`, its hint
/// bar and its help all read, so that the three never disagree.
pub struct Binding<S, A> {
    pub keys: &'static [Key],
    /// How the keys are written on screen: `↑↓`, `q Esc`.
    pub shown: &'static str,
    /// The hint bar's word for it (none: not in the bar).
    pub hint: Option<fn(&Texts) -> &'static str>,
    /// The help overlay's line for it (none: not in the help).
    pub help: Option<fn(&Texts) -> &'static str>,
    /// Kept in the hint bar however narrow the terminal (quit, help).
    pub essential: bool,
    /// Whether it applies in this state.
    pub when: fn(&S) -> bool,
    pub action: A,
}

/// A key and the modifiers it needs (Shift is not told apart: `G` is Shift-g).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key(pub KeyCode, pub KeyModifiers);

impl Key {
    pub const fn plain(code: KeyCode) -> Key {
        Key(code, KeyModifiers::NONE)
    }

    pub const fn ctrl(c: char) -> Key {
        Key(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    fn matches(self, event: &KeyEvent) -> bool {
        let modifiers = event.modifiers.difference(KeyModifiers::SHIFT);
        match (self.0, event.code) {
            (KeyCode::Char(a), KeyCode::Char(b)) => a == b && modifiers == self.1,
            (a, b) => a == b && modifiers == self.1,
        }
    }
}

/// Whether a binding applies always.
pub fn always<S>(_: &S) -> bool {
    true
}

/// The action bound to `event` in `table`, in this state.
pub fn action_of<S, A: Copy>(table: &[Binding<S, A>], state: &S, event: &KeyEvent) -> Option<A> {
    table
        .iter()
        .find(|b| (b.when)(state) && b.keys.iter().any(|k| k.matches(event)))
        .map(|b| b.action)
}

/// The hint bar's entries of `table` in this state: (keys, word, essential).
pub fn hints_of<S, A>(
    table: &[Binding<S, A>],
    state: &S,
    texts: &Texts,
) -> Vec<(&'static str, &'static str, bool)> {
    table
        .iter()
        .filter(|b| (b.when)(state))
        .filter_map(|b| Some((b.shown, (b.hint?)(texts), b.essential)))
        .collect()
}

/// The help overlay's lines of `table`: (keys, what they do).
pub fn help_of<S, A>(table: &[Binding<S, A>], texts: &Texts) -> Vec<(&'static str, &'static str)> {
    table
        .iter()
        .filter_map(|b| Some((b.shown, (b.help?)(texts))))
        .collect()
}

/// The bottom bar, `Enter log in · Tab next field · …`, in `width`: every hint if they
/// fit; else the essential ones (quit, help) are kept and the others left out from the
/// end; if even those do not fit, the keys alone. A hint is never cut in the middle.
pub fn key_hints(theme: Theme, hints: &[(&str, &str, bool)], width: u16) -> Line<'static> {
    let width = usize::from(width);
    let measure = |shown: &[&(&str, &str, bool)], labels: bool| -> usize {
        1 + shown
            .iter()
            .enumerate()
            .map(|(i, (key, label, _))| {
                let label = if labels { 1 + label.width() } else { 0 };
                let separator = if i > 0 { 3 } else { 0 };
                separator + key.width() + label
            })
            .sum::<usize>()
    };
    let mut shown: Vec<&(&str, &str, bool)> = hints.iter().collect();
    while measure(&shown, true) > width {
        let Some(last_optional) = shown.iter().rposition(|(_, _, essential)| !essential) else {
            break;
        };
        shown.remove(last_optional);
    }
    let labels = measure(&shown, true) <= width;
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    for (index, (key, label, _)) in shown.iter().enumerate() {
        let separator = if index > 0 { " · " } else { "" };
        let needed = separator.width() + key.width() + if labels { 1 + label.width() } else { 0 };
        if used + needed > width {
            break;
        }
        used += needed;
        spans.push(Span::styled(separator, theme.label()));
        spans.push(Span::styled(key.to_string(), theme.key()));
        if labels {
            spans.push(Span::raw(format!(" {label}")));
        }
    }
    Line::from(spans)
}

/// Draws the "too small" message and says so, when `area` is below 40×12.
pub fn render_too_small(area: Rect, buf: &mut Buffer, message: &str) -> bool {
    if area.width >= MIN_WIDTH && area.height >= MIN_HEIGHT {
        return false;
    }
    Paragraph::new(message)
        .alignment(Alignment::Center)
        .wrap(Wrap { trim: true })
        .render(area, buf);
    true
}

/// `text` padded with spaces to `width` terminal columns (accents and wide characters
/// measured as they show, not as bytes or chars).
pub fn pad_to(text: &str, width: usize) -> String {
    format!("{text}{}", " ".repeat(width.saturating_sub(text.width())))
}

/// The end of `text` that fits in `width` columns.
pub fn tail_fitting(text: &str, width: usize) -> String {
    let mut used = 0;
    let mut tail: Vec<char> = text
        .chars()
        .rev()
        .take_while(|c| {
            used += unicode_width::UnicodeWidthChar::width(*c).unwrap_or(0);
            used <= width
        })
        .collect();
    tail.reverse();
    tail.into_iter().collect()
}

/// The screen `widget` draws at `width` × `height`, as text: for snapshot tests.
#[cfg(test)]
pub(crate) fn render_to_text(widget: impl Widget, width: u16, height: u16) -> String {
    let mut terminal =
        Terminal::new(ratatui::backend::TestBackend::new(width, height)).expect("a test terminal");
    terminal
        .draw(|frame| frame.render_widget(widget, frame.area()))
        .expect("draw");
    terminal.backend().to_string()
}

/// A role as shown, or nothing for a name with no account.
pub fn role_name(role: Option<Role>) -> String {
    role.map(|role| role.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_are_measured_as_they_show() {
        assert_eq!(pad_to("Rôle", 6), "Rôle  ");
        assert_eq!(pad_to("名前", 6), "名前  ");
        assert_eq!(tail_fitting("abcdef", 3), "def");
        assert_eq!(tail_fitting("名前です", 5), "です");
    }

    #[test]
    fn hints_that_do_not_fit_are_left_out_whole_and_quit_stays() {
        let theme = Theme { color: false };
        let hints = [
            ("Enter", "log in", false),
            ("Tab", "next field", false),
            ("Esc", "clear", false),
            ("q", "quit", true),
        ];
        assert_eq!(
            key_hints(theme, &hints, 80).to_string(),
            " Enter log in · Tab next field · Esc clear · q quit"
        );
        assert_eq!(
            key_hints(theme, &hints, 39).to_string(),
            " Enter log in · Tab next field · q quit"
        );
        assert_eq!(key_hints(theme, &hints, 12).to_string(), " q quit");
        assert_eq!(key_hints(theme, &hints, 4).to_string(), " q");
    }

    #[test]
    fn a_key_table_finds_the_action_of_a_key() {
        const TABLE: [Binding<bool, char>; 2] = [
            Binding {
                keys: &[Key::plain(KeyCode::Char('q')), Key::plain(KeyCode::Esc)],
                shown: "q Esc",
                hint: Some(|t| t.key_quit),
                help: Some(|t| t.help_quit),
                essential: true,
                when: always,
                action: 'q',
            },
            Binding {
                keys: &[Key::plain(KeyCode::Char('G'))],
                shown: "G",
                hint: None,
                help: None,
                essential: false,
                when: |on| *on,
                action: 'G',
            },
        ];
        let table = &TABLE;
        let key = |code, modifiers| KeyEvent::new(code, modifiers);
        let plain = KeyModifiers::NONE;
        assert_eq!(
            action_of(table, &true, &key(KeyCode::Esc, plain)),
            Some('q')
        );
        assert_eq!(
            action_of(table, &true, &key(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some('G')
        );
        assert_eq!(
            action_of(table, &false, &key(KeyCode::Char('G'), plain)),
            None
        );
        assert_eq!(
            action_of(
                table,
                &true,
                &key(KeyCode::Char('q'), KeyModifiers::CONTROL)
            ),
            None
        );
        let texts = &crate::i18n::EN;
        assert_eq!(hints_of(table, &true, texts), [("q Esc", "quit", true)]);
        assert_eq!(help_of(table, texts).len(), 1);
    }

    #[test]
    fn no_color_means_no_colour() {
        let plain = Theme { color: false };
        assert_eq!(plain.role(Role::Admin).fg, None);
        assert_eq!(Theme { color: true }.role(Role::Admin).fg, Some(Color::Red));
    }
}
