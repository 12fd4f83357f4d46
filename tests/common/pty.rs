//! The real binary in a pseudo-terminal, its screen kept by a vt100 parser: tests type
//! keys and wait for what a person would see, never for a fixed time.

use std::io::{ErrorKind, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

use super::Office;

/// How long a condition may take before the test fails; generous for a loaded CI.
pub const PATIENCE: Duration = Duration::from_secs(15);

pub struct Terminal {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Option<Box<dyn Write + Send>>,
    child: Box<dyn Child + Send + Sync>,
    master: Option<Box<dyn MasterPty + Send>>,
    closing: Arc<AtomicBool>,
    reader: Option<JoinHandle<()>>,
}

impl Terminal {
    /// `console ARGS` on the office's database, in an 80×24 terminal.
    pub fn open(office: &Office, args: &[&str]) -> Terminal {
        Terminal::open_sized(office, args, 80, 24)
    }

    pub fn open_sized(office: &Office, args: &[&str], cols: u16, rows: u16) -> Terminal {
        Terminal::open_with(office, args, (cols, rows), &[])
    }

    /// `console ARGS` with these environment variables more.
    pub fn open_with(
        office: &Office,
        args: &[&str],
        (cols, rows): (u16, u16),
        env: &[(&str, &str)],
    ) -> Terminal {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pseudo-terminal");
        let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_console"));
        command.args(args);
        command.env("CONSOLE_DB", &office.console_db);
        command.env("CONSOLE_CONFIG_SYSTEM", "");
        command.env("CONSOLE_CONFIG_USER", "");
        command.env("TERM", "xterm-256color");
        for name in ["CONSOLE_LANG", "LANG", "LC_ALL", "LC_MESSAGES", "NO_COLOR"] {
            command.env_remove(name);
        }
        for (name, value) in env {
            command.env(name, value);
        }
        let child = pty.slave.spawn_command(command).expect("spawn console");
        drop(pty.slave);
        let size = |n: u16| std::num::NonZeroU16::new(n).expect("a non-empty terminal");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(size(rows), size(cols), 0)));
        // Non-blocking reads (the flag is shared with the reader's duplicate of the fd),
        // so that the reading thread can be told to let go of the terminal.
        let fd = pty.master.as_raw_fd().expect("a unix pty");
        // SAFETY: fcntl on a descriptor this process owns, with valid flags.
        unsafe {
            libc::fcntl(
                fd,
                libc::F_SETFL,
                libc::fcntl(fd, libc::F_GETFL) | libc::O_NONBLOCK,
            )
        };
        let mut source = pty.master.try_clone_reader().expect("pty reader");
        let (screen, closing) = (Arc::clone(&parser), Arc::new(AtomicBool::new(false)));
        let stop = Arc::clone(&closing);
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while !stop.load(Ordering::Relaxed) {
                match source.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => screen.lock().expect("screen").process(&buf[..n]),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    Err(_) => break,
                }
            }
        });
        let writer = pty.master.take_writer().expect("pty writer");
        Terminal {
            parser,
            writer: Some(writer),
            child,
            master: Some(pty.master),
            closing,
            reader: Some(reader),
        }
    }

    pub fn contents(&self) -> String {
        self.parser.lock().expect("screen").screen().contents()
    }

    /// Waits until the screen shows `text`; returns the screen.
    pub fn wait_for(&self, text: &str) -> String {
        let started = Instant::now();
        loop {
            let screen = self.contents();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "the screen never showed {text:?}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn type_keys(&mut self, keys: &str) {
        let writer = self.writer.as_mut().expect("an open terminal");
        writer.write_all(keys.as_bytes()).expect("type");
        writer.flush().expect("flush");
    }

    /// Username, Tab, password, Enter: then waits for the session screen.
    pub fn log_in(&mut self, username: &str, password: &str) {
        self.wait_for("Username");
        self.type_keys(&format!("{username}\t{password}\r"));
        self.wait_for("log out");
    }

    /// Closes the terminal under the program, as closing its window or losing the SSH
    /// connection does: every descriptor of the pty's master side is let go.
    pub fn close(&mut self) {
        self.closing.store(true, Ordering::Relaxed);
        if let Some(reader) = self.reader.take() {
            reader.join().expect("the reading thread");
        }
        self.writer = None;
        self.master = None;
    }

    /// The monitor's admin login: then waits for the panes.
    pub fn log_in_to_monitor(&mut self, username: &str, password: &str) {
        self.wait_for("Admin log in");
        self.type_keys(&format!("{username}\t{password}\r"));
        self.wait_for("Recently offline");
    }

    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("a running child")
    }

    pub fn signal(&self, signal: &str) {
        let status = std::process::Command::new("kill")
            .args([format!("-{signal}"), self.pid().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
    }

    /// Waits for the process to exit, and for the screen to show all it wrote; returns
    /// its exit code.
    pub fn wait_exit(&mut self) -> u32 {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                self.read_to_the_end(started);
                return status.exit_code();
            }
            assert!(
                started.elapsed() < PATIENCE,
                "console did not exit:\n{}",
                self.contents()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Terminal {
    /// What the process wrote before it exited may still be in the pty: the reader
    /// stops at the end of it, when the last descriptor of the other side is closed.
    fn read_to_the_end(&mut self, started: Instant) {
        let Some(reader) = self.reader.take() else {
            return;
        };
        while !reader.is_finished() {
            assert!(
                started.elapsed() < PATIENCE,
                "the terminal was never closed:\n{}",
                self.contents()
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        reader.join().expect("the reading thread");
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Waits until `condition` holds, failing with `what` after PATIENCE.
pub fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let started = Instant::now();
    while !condition() {
        assert!(
            started.elapsed() < PATIENCE,
            "timed out waiting until {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
