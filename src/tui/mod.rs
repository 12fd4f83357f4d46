//! What every screen shares: the terminal guard, the theme, the key-hint bar, the
//! minimum size.

pub mod login;
pub mod monitor;
pub mod session;

use std::io::{self, IsTerminal, Stdout};

use std::sync::mpsc::{self, Receiver};
use std::thread;
use unicode_width::UnicodeWidthStr;

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{self, Event, KeyEvent, KeyEventKind};
use ratatui::crossterm::{cursor, execute, terminal};
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::error::Error;
use crate::model::{EndReason, Role, UserState};

pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 12;

/// Owns the terminal while a screen is up: raw mode and the alternate screen on entry,
/// everything restored on drop, whether the screen returns, fails or panics.
pub struct TerminalGuard {
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl TerminalGuard {
    pub fn enter() -> anyhow::Result<TerminalGuard> {
        if !io::stdin().is_terminal() || !io::stdout().is_terminal() {
            return Err(Error::Usage(crate::tr!(screen_needs_terminal)).into());
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

/// Best effort: after a hangup the terminal is gone, and that is fine.
fn restore_terminal() {
    let _ = terminal::disable_raw_mode();
    let _ = execute!(io::stdout(), terminal::LeaveAlternateScreen, cursor::Show);
}

/// Restores the terminal before the panic message is printed, so that it is readable.
fn install_panic_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        default(info);
    }));
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
pub fn spawn_input_reader() -> Receiver<Input> {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        loop {
            let input = match event::read() {
                Ok(Event::Key(key)) if key.kind == KeyEventKind::Press => Input::Key(key),
                Ok(Event::Resize(..)) => Input::Resized,
                Ok(_) => continue,
                Err(_) => Input::Gone,
            };
            let gone = matches!(input, Input::Gone);
            if sender.send(input).is_err() || gone {
                return;
            }
        }
    });
    receiver
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

/// The bottom bar, `Enter log in · Tab next field · …`: as many whole hints as fit in
/// `width`, the first ones first (a hint is never cut in the middle).
pub fn key_hints(theme: Theme, hints: &[(&str, &str)], width: u16) -> Line<'static> {
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    for (index, (key, label)) in hints.iter().enumerate() {
        let separator = if index > 0 { " · " } else { "" };
        let needed = separator.width() + key.width() + 1 + label.width();
        if used + needed > usize::from(width) {
            break;
        }
        used += needed;
        spans.push(Span::styled(separator, theme.label()));
        spans.push(Span::styled(key.to_string(), theme.key()));
        spans.push(Span::raw(format!(" {label}")));
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
    fn hints_that_do_not_fit_are_left_out_whole() {
        let theme = Theme { color: false };
        let hints = [("Enter", "log in"), ("Tab", "next field"), ("Esc", "clear")];
        assert_eq!(
            key_hints(theme, &hints, 80).to_string(),
            " Enter log in · Tab next field · Esc clear"
        );
        assert_eq!(
            key_hints(theme, &hints, 35).to_string(),
            " Enter log in · Tab next field"
        );
    }

    #[test]
    fn no_color_means_no_colour() {
        let plain = Theme { color: false };
        assert_eq!(plain.role(Role::Admin).fg, None);
        assert_eq!(Theme { color: true }.role(Role::Admin).fg, Some(Color::Red));
    }
}
