//! The real binary in a pseudo-terminal, its screen kept by a vt100 parser: tests type
//! keys and wait for what a person would see, never for a fixed time.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

use super::Office;

/// How long a condition may take before the test fails; generous for a loaded CI.
pub const PATIENCE: Duration = Duration::from_secs(15);

pub struct Terminal {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    _master: Box<dyn MasterPty + Send>,
}

impl Terminal {
    /// `console ARGS` on the office's database, in an 80×24 terminal.
    pub fn open(office: &Office, args: &[&str]) -> Terminal {
        Terminal::open_sized(office, args, 80, 24)
    }

    pub fn open_sized(office: &Office, args: &[&str], cols: u16, rows: u16) -> Terminal {
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
        command.env("CONSOLE_DB", &office.db);
        command.env("TERM", "xterm-256color");
        for name in ["CONSOLE_LANG", "LANG", "LC_ALL", "LC_MESSAGES", "NO_COLOR"] {
            command.env_remove(name);
        }
        let child = pty.slave.spawn_command(command).expect("spawn console");
        drop(pty.slave);
        let size = |n: u16| std::num::NonZeroU16::new(n).expect("a non-empty terminal");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(size(rows), size(cols), 0)));
        let mut reader = pty.master.try_clone_reader().expect("pty reader");
        let screen = Arc::clone(&parser);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                screen.lock().expect("screen").process(&buf[..n]);
            }
        });
        let writer = pty.master.take_writer().expect("pty writer");
        Terminal {
            parser,
            writer,
            child,
            _master: pty.master,
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
        self.writer.write_all(keys.as_bytes()).expect("type");
        self.writer.flush().expect("flush");
    }

    /// Username, Tab, password, Enter: then waits for the session screen.
    pub fn log_in(&mut self, username: &str, password: &str) {
        self.wait_for("Username");
        self.type_keys(&format!("{username}\t{password}\r"));
        self.wait_for("log out");
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

    /// Waits for the process to exit; returns its exit code.
    pub fn wait_exit(&mut self) -> u32 {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
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
