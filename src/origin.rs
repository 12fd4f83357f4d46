//! Where this process runs: host, terminal, remote address, boot. Read from the
//! environment and /proc (konekte is for Linux terminals).

use std::net::IpAddr;
use std::path::Path;

use crate::db::Here;
use crate::model::{Millis, Origin};

/// This machine, as the lost-session sweep needs it: read once, it does not change.
#[derive(Debug, Clone)]
pub struct ThisHost {
    pub host: String,
    pub machine_id: Option<String>,
    pub boot_id: Option<String>,
    pub booted_at: Option<Millis>,
    pub pid_ns: Option<String>,
}

impl ThisHost {
    pub fn detect() -> ThisHost {
        ThisHost {
            host: hostname(),
            machine_id: machine_id(),
            boot_id: boot_id(),
            booted_at: booted_at(),
            pid_ns: pid_namespace(),
        }
    }

    pub fn here(&self) -> Here<'_> {
        Here {
            host: &self.host,
            machine_id: self.machine_id.as_deref(),
            boot_id: self.boot_id.as_deref(),
            booted_at: self.booted_at,
            pid_ns: self.pid_ns.as_deref(),
            pid_alive: &pid_alive,
        }
    }
}

/// When this machine booted: `btime` of /proc/stat, in seconds.
fn booted_at() -> Option<Millis> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let seconds: Millis = stat
        .lines()
        .find_map(|line| line.strip_prefix("btime "))?
        .trim()
        .parse()
        .ok()?;
    Some(seconds * 1000)
}

impl Origin {
    /// The origin of a login of the system that PAM tells this process of
    /// (`console pam`): held by the process that called pam_exec, this one's parent,
    /// at `PAM_TTY` from `PAM_RHOST` (kept only if it is an address).
    pub fn of_a_system_login(tty: Option<String>, rhost: Option<String>) -> Origin {
        const LONGEST: usize = 64;
        let pid = std::os::unix::process::parent_id();
        Origin {
            host: hostname(),
            tty: tty.filter(|tty| !tty.is_empty() && tty.len() <= LONGEST),
            remote_ip: rhost
                .and_then(|host| host.parse::<IpAddr>().ok())
                .map(|ip| ip.to_string()),
            terminal: None,
            pid,
            pid_start: start_of(pid),
            boot_id: boot_id(),
            machine_id: machine_id(),
            pid_ns: pid_namespace(),
        }
    }

    /// The origin of a login made by this process.
    pub fn of_this_process() -> Origin {
        Origin {
            host: hostname(),
            tty: tty_of_stdin(),
            remote_ip: remote_ip(|name| std::env::var(name).ok()),
            terminal: terminal_name(std::env::var("TERM").ok()),
            pid: std::process::id(),
            pid_start: process_start(),
            boot_id: boot_id(),
            machine_id: machine_id(),
            pid_ns: pid_namespace(),
        }
    }
}

/// Which machine this is, whatever its host name: `/etc/machine-id` (systemd's, also
/// written by dbus as /var/lib/dbus/machine-id).
/// Who runs this shell command, as the journal names the author of an admin's action:
/// the system account, this host and terminal.
pub fn actor() -> crate::journal::Actor {
    crate::journal::Actor {
        account: os_account(),
        admin: None,
        host: hostname(),
        tty: tty_of_stdin(),
    }
}

/// The system account that runs this command, as an admin's action names it: the
/// account that called sudo when it did (SUDO_USER), else this process's own.
pub fn os_account() -> String {
    if let Some(caller) = std::env::var("SUDO_USER")
        .ok()
        .filter(|name| !name.is_empty())
    {
        return caller;
    }
    // SAFETY: getpwuid reads the password database; its answer is copied at once.
    let entry = unsafe { libc::getpwuid(libc::geteuid()) };
    if entry.is_null() {
        // SAFETY: geteuid has no preconditions.
        return format!("uid {}", unsafe { libc::geteuid() });
    }
    // SAFETY: pw_name of an entry getpwuid returned is a NUL-terminated string.
    unsafe { std::ffi::CStr::from_ptr((*entry).pw_name) }
        .to_string_lossy()
        .into_owned()
}

pub fn machine_id() -> Option<String> {
    ["/etc/machine-id", "/var/lib/dbus/machine-id"]
        .iter()
        .find_map(|file| std::fs::read_to_string(file).ok())
        .map(|id| id.trim().to_string())
        .filter(|id| !id.is_empty())
}

pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|name| name.trim().to_string())
        .ok()
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

/// Changes at every boot: a session of an earlier boot on this host cannot be alive.
pub fn boot_id() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .ok()
        .map(|id| id.trim().to_string())
}

/// The PID namespace this process sees (`pid:[4026531836]`): a pid names a process only
/// within its namespace (a container has its own).
pub fn pid_namespace() -> Option<String> {
    std::fs::read_link("/proc/self/ns/pid")
        .ok()
        .map(|link| link.display().to_string())
}

/// Whether the process of this host with that pid, started at `started` (clock ticks
/// after boot, when known), still runs: a zombie (killed, its parent not yet told) is
/// gone, and so is another process that has been given the same pid since.
pub fn pid_alive(pid: u32, started: Option<i64>) -> bool {
    process_alive(Path::new("/proc"), pid, started)
}

/// When this process started, in clock ticks after boot: with its pid, it names this
/// process and no later one.
pub fn process_start() -> Option<i64> {
    start_of(std::process::id())
}

/// When process `pid` started (clock ticks after boot), if it runs.
fn start_of(pid: u32) -> Option<i64> {
    proc_stat(Path::new("/proc"), pid).map(|stat| stat.started)
}

fn process_alive(proc_root: &Path, pid: u32, started: Option<i64>) -> bool {
    match proc_stat(proc_root, pid) {
        Some(stat) => {
            !matches!(stat.state, 'Z' | 'X' | 'x') && started.is_none_or(|s| s == stat.started)
        }
        // Its stat unreadable (another user's under hidepid): there, so taken for alive.
        None => proc_root.join(pid.to_string()).exists(),
    }
}

/// What /proc says of a process: its state and when it started.
struct ProcStat {
    state: char,
    started: i64,
}

/// `/proc/PID/stat`'s fields 3 (the state) and 22 (the start time). The name, field 2,
/// may hold spaces and parentheses: the fields are counted from its last `)`.
fn proc_stat(proc_root: &Path, pid: u32) -> Option<ProcStat> {
    let text = std::fs::read_to_string(proc_root.join(pid.to_string()).join("stat")).ok()?;
    let fields: Vec<&str> = text[text.rfind(')')? + 1..].split_whitespace().collect();
    Some(ProcStat {
        state: fields.first()?.chars().next()?,
        started: fields.get(19)?.parse().ok()?,
    })
}

fn tty_of_stdin() -> Option<String> {
    std::fs::read_link("/proc/self/fd/0")
        .ok()
        .map(|path| path.display().to_string())
        .filter(|path| path.starts_with("/dev/"))
}

/// The client address of an SSH login: first word of `SSH_CONNECTION` ("client_ip
/// client_port server_ip server_port"), else of `SSH_CLIENT`. Only an address is kept:
/// the variables come from the client's side of the world, and whatever else they
/// hold (escape sequences for the admin's terminal) is not stored.
fn remote_ip(var: impl Fn(&str) -> Option<String>) -> Option<String> {
    ["SSH_CONNECTION", "SSH_CLIENT"]
        .into_iter()
        .find_map(|name| {
            let first = var(name)?.split_whitespace().next()?.to_string();
            // A link-local IPv6 address may carry its interface: fe80::1%eth0.
            let address = first.split('%').next()?;
            address.parse::<IpAddr>().ok().map(|ip| ip.to_string())
        })
}

/// `TERM` as a terminal type's name (xterm-256color, screen.xterm, vt100): short and
/// plain, or not kept at all. An SSH client sets it as it likes.
fn terminal_name(term: Option<String>) -> Option<String> {
    const LONGEST: usize = 64;
    term.filter(|t| {
        !t.is_empty()
            && t.len() <= LONGEST
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '+'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ssh_client_address_is_found() {
        let env = |name: &str| (name == "SSH_CLIENT").then(|| "203.0.113.7 52814 22".to_string());
        assert_eq!(remote_ip(env).as_deref(), Some("203.0.113.7"));
        let both = |name: &str| match name {
            "SSH_CONNECTION" => Some("198.51.100.2 40000 10.0.0.1 22".to_string()),
            _ => Some("203.0.113.7 52814 22".to_string()),
        };
        assert_eq!(remote_ip(both).as_deref(), Some("198.51.100.2"));
        assert_eq!(remote_ip(|_| None), None);
    }

    #[test]
    fn what_an_ssh_client_sets_is_kept_only_if_it_is_what_it_claims() {
        let connection = |value: &'static str| {
            move |name: &str| (name == "SSH_CONNECTION").then(|| value.to_string())
        };
        assert_eq!(
            remote_ip(connection("\u{1b}]0;owned\u{7} 1 2 3")),
            None,
            "an escape sequence is no address"
        );
        assert_eq!(remote_ip(connection("\u{1b}[2J")), None);
        assert_eq!(
            remote_ip(connection("2001:db8::7 5000 2001:db8::1 22")).as_deref(),
            Some("2001:db8::7")
        );
        assert_eq!(
            remote_ip(connection("fe80::1%eth0 5000 fe80::2 22")).as_deref(),
            Some("fe80::1")
        );
        let term = |t: &str| terminal_name(Some(t.to_string()));
        assert_eq!(term("xterm-256color").as_deref(), Some("xterm-256color"));
        assert_eq!(term("screen.xterm+x").as_deref(), Some("screen.xterm+x"));
        assert_eq!(term("xterm\u{1b}]2;pwned\u{7}"), None);
        assert_eq!(term(&"x".repeat(65)), None);
        assert_eq!(term(""), None);
    }

    #[test]
    fn this_host_booted_in_the_past() {
        let host = ThisHost::detect();
        let booted = host.booted_at.expect("a Linux host knows its boot time");
        assert!(booted > 0 && booted < crate::clock::now_ms());
    }

    #[test]
    fn this_process_is_alive_and_has_a_host() {
        let origin = Origin::of_this_process();
        assert!(pid_alive(origin.pid, origin.pid_start));
        assert!(origin.pid_start.is_some());
        assert!(!origin.host.is_empty());
        assert!(!pid_alive(u32::MAX, None));
    }

    /// A /proc of one's own: each pid's stat line, as the kernel writes it.
    fn fake_proc(processes: &[(u32, &str)]) -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        for (pid, stat) in processes {
            let dir = root.path().join(pid.to_string());
            std::fs::create_dir(&dir).unwrap();
            std::fs::write(dir.join("stat"), stat).unwrap();
        }
        root
    }

    fn stat_line(pid: u32, name: &str, state: char, started: i64) -> String {
        format!(
            "{pid} ({name}) {state} 1 {pid} {pid} 34817 {pid} 4194560 950 0 0 0 3 1 0 0 20 0 4 0 \
             {started} 23220224 1370 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 17 1 0 0 0 0 0\n"
        )
    }

    #[test]
    fn a_zombie_and_a_reused_pid_are_no_terminal() {
        let proc = fake_proc(&[
            (100, &stat_line(100, "console", 'S', 5_000)),
            (200, &stat_line(200, "console", 'Z', 6_000)),
            (300, &stat_line(300, "sshd: ann (priv) x)", 'R', 9_999)),
        ]);
        let alive = |pid, started| process_alive(proc.path(), pid, started);
        assert!(alive(100, Some(5_000)));
        assert!(
            alive(100, None),
            "a session from before start times were kept"
        );
        assert!(!alive(200, Some(6_000)), "killed, not yet reaped: gone");
        assert!(!alive(300, Some(7_000)), "the pid of another process since");
        assert!(
            alive(300, Some(9_999)),
            "a name with spaces and parentheses"
        );
        assert!(!alive(400, None), "no such process");
    }
}
