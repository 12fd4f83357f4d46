//! Where this process runs: host, terminal, remote address, boot. Read from the
//! environment and /proc (konekte is for Linux terminals).

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
}

impl ThisHost {
    pub fn detect() -> ThisHost {
        ThisHost {
            host: hostname(),
            machine_id: machine_id(),
            boot_id: boot_id(),
            booted_at: booted_at(),
        }
    }

    pub fn here(&self) -> Here<'_> {
        Here {
            host: &self.host,
            machine_id: self.machine_id.as_deref(),
            boot_id: self.boot_id.as_deref(),
            booted_at: self.booted_at,
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
    /// The origin of a login made by this process.
    pub fn of_this_process() -> Origin {
        Origin {
            host: hostname(),
            tty: tty_of_stdin(),
            remote_ip: remote_ip(|name| std::env::var(name).ok()),
            terminal: std::env::var("TERM").ok().filter(|t| !t.is_empty()),
            pid: std::process::id(),
            boot_id: boot_id(),
            machine_id: machine_id(),
        }
    }
}

/// Which machine this is, whatever its host name: `/etc/machine-id` (systemd's, also
/// written by dbus as /var/lib/dbus/machine-id).
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

/// Whether a process of this host with that pid still runs.
pub fn pid_alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

fn tty_of_stdin() -> Option<String> {
    std::fs::read_link("/proc/self/fd/0")
        .ok()
        .map(|path| path.display().to_string())
        .filter(|path| path.starts_with("/dev/"))
}

/// The client address of an SSH login: first word of `SSH_CONNECTION` ("client_ip
/// client_port server_ip server_port"), else of `SSH_CLIENT`.
fn remote_ip(var: impl Fn(&str) -> Option<String>) -> Option<String> {
    ["SSH_CONNECTION", "SSH_CLIENT"]
        .into_iter()
        .find_map(|name| var(name)?.split_whitespace().next().map(String::from))
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
    fn this_host_booted_in_the_past() {
        let host = ThisHost::detect();
        let booted = host.booted_at.expect("a Linux host knows its boot time");
        assert!(booted > 0 && booted < crate::clock::now_ms());
    }

    #[test]
    fn this_process_is_alive_and_has_a_host() {
        let origin = Origin::of_this_process();
        assert!(pid_alive(origin.pid));
        assert!(!origin.host.is_empty());
        assert!(!pid_alive(u32::MAX));
    }
}
