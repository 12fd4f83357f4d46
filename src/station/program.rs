//! The office's program as the session (`console login --exec CMD`): after a login the
//! terminal runs CMD (`sh -c`) in a pseudo-terminal of its own, with `KONEKTE_USER`,
//! `KONEKTE_ROLE` and `KONEKTE_SESSION` in its environment. The person's keys go to it
//! (they are what keeps the session alive: the program's own output is not), its output
//! goes to the screen, and when the session must end (idle, an admin, a hangup) it is
//! told with SIGHUP, then SIGKILL after a grace.

use std::io::{Read, Stdout, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;

use anyhow::{Context, Result};
use portable_pty::{CommandBuilder, MasterPty, PtySize, native_pty_system};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{Event, Screen, Station};
use crate::model::{EndReason, Millis, User};
use crate::tui::session;

/// How long a program told to stop (SIGHUP) has before it is killed.
pub const GRACE: Millis = 3_000;

/// A program running as a session.
pub struct Program {
    /// Which program of this station's it is: an earlier one's exit ends no later session.
    id: u64,
    master: Box<dyn MasterPty + Send>,
    input: Box<dyn Write + Send>,
    /// Its process group (the program leads its own session in the pseudo-terminal).
    pid: i32,
    /// Once its session has ended, nothing it writes reaches the screen.
    muted: Arc<AtomicBool>,
    /// When it was told to stop; killed at this time + GRACE.
    hung_up_at: Option<Millis>,
}

/// Who the program runs for.
pub struct For<'a> {
    pub user: &'a User,
    pub session_id: i64,
    pub size: (u16, u16),
}

/// Each program started gets its own number (`Event::ProgramEnded` tells it).
static STARTED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl Program {
    /// Starts `command` for `person`; `events` hears `Event::ProgramEnded` when it exits.
    pub fn start(command: &str, person: &For, events: Sender<Event>) -> Result<Program> {
        let id = STARTED.fetch_add(1, Ordering::Relaxed);
        let (cols, rows) = person.size;
        // A clean screen with a cursor: the program draws as it would on a terminal.
        let _ = terminal_out().write_all(b"\x1b[2J\x1b[H\x1b[?25h");
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: rows.max(1),
                cols: cols.max(1),
                pixel_width: 0,
                pixel_height: 0,
            })
            .context("a pseudo-terminal for --exec")?;
        let mut shell = CommandBuilder::new("sh");
        shell.args(["-c", command]);
        shell.env("KONEKTE_USER", &person.user.username);
        shell.env("KONEKTE_ROLE", person.user.role.as_str());
        shell.env("KONEKTE_SESSION", person.session_id.to_string());
        let mut child = pty
            .slave
            .spawn_command(shell)
            .with_context(|| format!("--exec {command}"))?;
        drop(pty.slave);
        let pid = child
            .process_id()
            .and_then(|pid| i32::try_from(pid).ok())
            .context("the program's process")?;
        let muted = Arc::new(AtomicBool::new(false));
        show_on_screen(pty.master.try_clone_reader()?, Arc::clone(&muted));
        std::thread::spawn(move || {
            let _ = child.wait();
            let _ = events.send(Event::ProgramEnded(id));
        });
        Ok(Program {
            id,
            input: pty.master.take_writer()?,
            master: pty.master,
            pid,
            muted,
            hung_up_at: None,
        })
    }

    /// A key of the person's, as a terminal sends it.
    pub fn key(&mut self, key: KeyEvent) {
        let bytes = key_bytes(key);
        if !bytes.is_empty() {
            let _ = self
                .input
                .write_all(&bytes)
                .and_then(|()| self.input.flush());
        }
    }

    pub fn resize(&self, (cols, rows): (u16, u16)) {
        let _ = self.master.resize(PtySize {
            rows: rows.max(1),
            cols: cols.max(1),
            pixel_width: 0,
            pixel_height: 0,
        });
    }

    /// The session has ended: the program is told (SIGHUP to its whole group) and no
    /// longer shown; `tick` kills it if it is still there after GRACE.
    pub fn hang_up(&mut self, now: Millis) {
        self.muted.store(true, Ordering::Relaxed);
        if self.hung_up_at.is_none() {
            self.hung_up_at = Some(now);
            signal(self.pid, libc::SIGHUP);
        }
    }

    /// Told to stop: it no longer has the screen, and its exit ends nothing.
    pub fn told_to_stop(&self) -> bool {
        self.hung_up_at.is_some()
    }

    pub fn tick(&mut self, now: Millis) {
        if self.hung_up_at.is_some_and(|at| now >= at + GRACE) {
            signal(self.pid, libc::SIGKILL);
        }
    }
}

impl Drop for Program {
    /// Whatever becomes of the station, its program does not outlive it: told, or
    /// killed if it was told already (the next person's program takes its place).
    fn drop(&mut self) {
        self.muted.store(true, Ordering::Relaxed);
        let how = match self.hung_up_at {
            Some(_) => libc::SIGKILL,
            None => libc::SIGHUP,
        };
        signal(self.pid, how);
    }
}

/// Sends `signal` to the process group `pid` leads.
fn signal(pid: i32, signal: libc::c_int) {
    // SAFETY: kill(2) takes plain integers; a group already gone is ESRCH, harmless.
    unsafe {
        libc::kill(-pid, signal);
    }
}

/// Copies what the program writes to this terminal, until it ends or is muted.
fn show_on_screen(mut output: Box<dyn Read + Send>, muted: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = output.read(&mut buf) {
            if n == 0 || muted.load(Ordering::Relaxed) {
                return;
            }
            if terminal_out().write_all(&buf[..n]).is_err() {
                return;
            }
        }
    });
}

/// This process's terminal, written to directly: `std::io::stdout()` is locked by the
/// command's thread for as long as it runs (`main`), and the station writes between
/// frames only, never while the program has the screen.
fn terminal_out() -> std::mem::ManuallyDrop<std::fs::File> {
    use std::os::fd::FromRawFd;
    // SAFETY: fd 1 is open for the whole process; ManuallyDrop never closes it.
    std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(libc::STDOUT_FILENO) })
}

/// The bytes an xterm sends for `key`.
fn key_bytes(key: KeyEvent) -> Vec<u8> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    let mut bytes = match key.code {
        KeyCode::Char(c) if ctrl && c.is_ascii_alphabetic() => {
            vec![(c.to_ascii_lowercase() as u8) & 0x1f]
        }
        KeyCode::Char(c) => c.to_string().into_bytes(),
        KeyCode::Enter => b"\r".to_vec(),
        KeyCode::Backspace => b"\x7f".to_vec(),
        KeyCode::Tab => b"\t".to_vec(),
        KeyCode::BackTab => b"\x1b[Z".to_vec(),
        KeyCode::Esc => b"\x1b".to_vec(),
        KeyCode::Up => b"\x1b[A".to_vec(),
        KeyCode::Down => b"\x1b[B".to_vec(),
        KeyCode::Right => b"\x1b[C".to_vec(),
        KeyCode::Left => b"\x1b[D".to_vec(),
        KeyCode::Home => b"\x1b[H".to_vec(),
        KeyCode::End => b"\x1b[F".to_vec(),
        KeyCode::Insert => b"\x1b[2~".to_vec(),
        KeyCode::Delete => b"\x1b[3~".to_vec(),
        KeyCode::PageUp => b"\x1b[5~".to_vec(),
        KeyCode::PageDown => b"\x1b[6~".to_vec(),
        KeyCode::F(n) => function_key(n),
        _ => Vec::new(),
    };
    if alt && !bytes.is_empty() {
        bytes.insert(0, 0x1b);
    }
    bytes
}

fn function_key(n: u8) -> Vec<u8> {
    let text = match n {
        1 => "\x1bOP",
        2 => "\x1bOQ",
        3 => "\x1bOR",
        4 => "\x1bOS",
        5 => "\x1b[15~",
        6 => "\x1b[17~",
        7 => "\x1b[18~",
        8 => "\x1b[19~",
        9 => "\x1b[20~",
        10 => "\x1b[21~",
        11 => "\x1b[23~",
        12 => "\x1b[24~",
        _ => "",
    };
    text.as_bytes().to_vec()
}

/// The station's side: a program started with the session, its keys, its end.
impl Station {
    /// Whether the program that is the session has the screen.
    pub(super) fn program_on_screen(&self) -> bool {
        self.program
            .as_ref()
            .is_some_and(|program| !program.told_to_stop())
            && self.pending_end.is_none()
            && matches!(self.screen, Screen::Session(_))
    }

    /// The office's program `id` exited: if its session was still on, that is the
    /// logout. An earlier program's exit (killed after its grace) changes nothing.
    pub(super) fn program_ended(&mut self, id: u64) {
        if self.program.as_ref().is_none_or(|program| program.id != id) {
            return;
        }
        if self.program_on_screen()
            && let Some(state) = self.session()
        {
            let effect = session::Effect::End {
                reason: EndReason::Logout,
                at: state.now.max(self.now()),
            };
            self.on_session_effect(Some(effect));
        }
        self.program = None;
        self.repaint = true;
    }

    /// The session ends (or has): its program is told, and gives the screen back.
    pub(super) fn stop_program(&mut self) {
        let now = self.now();
        if let Some(program) = &mut self.program {
            program.hang_up(now);
            self.repaint = true;
        }
    }

    /// Runs the office's program as the session just opened; one that cannot be started
    /// ends it at once, as a logout.
    pub(super) fn start_program(&mut self, command: &str) {
        let Some(state) = self.session() else { return };
        let person = For {
            user: &state.user,
            session_id: state.session_id,
            size: self.size,
        };
        match Program::start(command, &person, self.events.clone()) {
            Ok(program) => self.program = Some(program),
            Err(_) => {
                let at = state.now;
                self.on_session_effect(Some(session::Effect::End {
                    reason: EndReason::Logout,
                    at,
                }));
            }
        }
    }
}

/// The screen was the program's: cleared, and drawn blank so that the next frame is
/// drawn whole. (`Terminal::clear` asks the terminal where its cursor is first, an
/// answer the input thread reads instead.)
pub(super) fn repaint_whole(terminal: &mut Terminal<CrosstermBackend<Stdout>>) {
    use ratatui::backend::Backend;
    let _ = terminal.backend_mut().clear();
    let _ = terminal.draw(|frame| frame.render_widget(ratatui::widgets::Clear, frame.area()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> Vec<u8> {
        key_bytes(KeyEvent::new(code, modifiers))
    }

    #[test]
    fn keys_are_sent_as_a_terminal_sends_them() {
        assert_eq!(
            press(KeyCode::Char('é'), KeyModifiers::NONE),
            "é".as_bytes()
        );
        assert_eq!(press(KeyCode::Char('c'), KeyModifiers::CONTROL), [3]);
        assert_eq!(press(KeyCode::Char('D'), KeyModifiers::CONTROL), [4]);
        assert_eq!(press(KeyCode::Enter, KeyModifiers::NONE), b"\r");
        assert_eq!(press(KeyCode::Up, KeyModifiers::NONE), b"\x1b[A");
        assert_eq!(press(KeyCode::Char('x'), KeyModifiers::ALT), b"\x1bx");
        assert_eq!(press(KeyCode::F(5), KeyModifiers::NONE), b"\x1b[15~");
        assert!(press(KeyCode::CapsLock, KeyModifiers::NONE).is_empty());
    }
}
