//! A login of the PC itself as PAM makes one: `console pam`, run as pam_exec runs it,
//! from a process that holds the login until told to let go.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::Office;

pub const PATIENCE: Duration = Duration::from_secs(30);

/// Waits for `condition`, checked every 50 ms, at most `limit`.
pub fn wait_until(what: &str, limit: Duration, mut condition: impl FnMut() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(start.elapsed() < limit, "waited {limit:?} for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub fn console_bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("console")
}

/// A process that opened a login of the system and holds it, as sshd's process for one
/// connection does: `console pam` at open (its parent is this process), then a line on
/// its stdin, then `console pam` at close.
pub struct Holder {
    pub child: Child,
}

impl Holder {
    pub fn open(office: &Office, name: &str, service: &str) -> Holder {
        let child = Command::new("sh")
            .args([
                "-c",
                "PAM_TYPE=open_session \"$KONEKTE\" pam; read line; \
                 PAM_TYPE=close_session \"$KONEKTE\" pam; exit 0",
            ])
            .env("KONEKTE", console_bin())
            .env("CONSOLE_DB", &office.console_db)
            .env("CONSOLE_CONFIG_SYSTEM", "")
            .env("PAM_USER", name)
            .env("PAM_SERVICE", service)
            .env("PAM_TTY", "/dev/pts/9")
            .env("PAM_RHOST", "192.0.2.7")
            .stdin(Stdio::piped())
            .spawn()
            .expect("sh");
        let holder = Holder { child };
        let pid = holder.child.id();
        wait_until("the login's session", PATIENCE, || {
            office.sql_count(&format!(
                "SELECT count(*) FROM sessions WHERE pid = {pid} AND logout_time IS NULL"
            )) == 1
        });
        holder
    }

    pub fn session(&self, office: &Office, column: &str) -> i64 {
        office.sql_count(&format!(
            "SELECT {column} FROM sessions WHERE pid = {} ORDER BY id DESC LIMIT 1",
            self.child.id()
        ))
    }

    pub fn ended(&self, office: &Office) -> bool {
        office.sql_count(&format!(
            "SELECT count(*) FROM sessions WHERE pid = {} AND logout_time IS NOT NULL",
            self.child.id()
        )) == 1
    }

    /// The login ends: its process closes the PAM session, then exits.
    pub fn log_out(mut self, office: &Office) {
        let mut stdin = self.child.stdin.take().expect("stdin");
        writeln!(stdin).expect("a line");
        drop(stdin);
        assert!(self.child.wait().expect("sh").success());
        assert!(self.ended(office));
    }

    /// Its process killed outright (SIGKILL): nothing closes the session.
    pub fn kill(mut self) {
        self.child.kill().expect("kill");
        self.child.wait().expect("reaped");
    }
}

/// A test that failed leaves no process behind.
impl Drop for Holder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
