//! Plain types shared by the database, the commands and the screens. No SQL, no terminal.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// A name in any case as one key: konekte's single rule for every comparison of names
/// that ignores case (a login's name, a failure's, the monitor's filter), the same on
/// both backends, whose own lower() disagree past ASCII. Stored beside what it folds.
pub fn folded(name: &str) -> String {
    name.to_lowercase()
}

/// Milliseconds since 1970-01-01 UTC: how every time is stored.
pub type Millis = i64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Directeur,
    Secretaire,
    Archives,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Admin,
        Role::Directeur,
        Role::Secretaire,
        Role::Archives,
    ];

    /// The canonical name: lowercase ASCII, as stored and as written to CSV and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Directeur => "directeur",
            Role::Secretaire => "secretaire",
            Role::Archives => "archives",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRole(pub String);

impl fmt::Display for UnknownRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::tr!(unknown_role, role = self.0))
    }
}

impl std::error::Error for UnknownRole {}

impl FromStr for Role {
    type Err = UnknownRole;

    /// Any case, surrounding spaces, and the accented spelling `secrétaire` are accepted.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let folded = input.trim().to_lowercase().replace('é', "e");
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == folded)
            .ok_or_else(|| UnknownRole(input.to_string()))
    }
}

/// How a session ended (CLI.md, "How a session can end").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EndReason {
    Logout,
    Idle,
    Hangup,
    Forced,
    Lost,
}

impl EndReason {
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::Logout => "logout",
            EndReason::Idle => "idle",
            EndReason::Hangup => "hangup",
            EndReason::Forced => "forced",
            EndReason::Lost => "lost",
        }
    }

    pub fn parse(stored: &str) -> Option<Self> {
        [
            Self::Logout,
            Self::Idle,
            Self::Hangup,
            Self::Forced,
            Self::Lost,
        ]
        .into_iter()
        .find(|reason| reason.as_str() == stored)
    }

    /// Told by the session's own terminal, which knows: it outranks a sweep's guess.
    pub fn is_the_terminals_own(self) -> bool {
        matches!(
            self,
            EndReason::Logout | EndReason::Idle | EndReason::Hangup
        )
    }
}

/// An account as the commands see it (the password hash stays in the database layer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub disabled: bool,
    pub must_change_password: bool,
    pub locked_until: Option<Millis>,
    pub created_at: Millis,
}

impl User {
    pub fn is_locked(&self, now: Millis) -> bool {
        self.locked_until.is_some_and(|until| now < until)
    }
}

/// An account ready to be written: validated, its password already hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub password_hash: String,
    pub must_change_password: bool,
}

/// What `users list` shows of an account's state, most telling first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UserState {
    Disabled,
    Locked,
    Online,
    Offline,
}

impl UserState {
    pub fn as_str(self) -> &'static str {
        match self {
            UserState::Disabled => "disabled",
            UserState::Locked => "locked",
            UserState::Online => "online",
            UserState::Offline => "offline",
        }
    }
}

/// One line of `users list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSummary {
    pub user: User,
    pub state: UserState,
    pub last_login: Option<Millis>,
    pub last_logout: Option<Millis>,
}

// The monitor's "today": a page of the people connected since midnight, each with
// their sessions of the day.

/// One session of the day, drawn as a bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bar {
    pub session: i64,
    pub login: Millis,
    /// `None`: still open.
    pub logout: Option<Millis>,
    pub end_reason: Option<EndReason>,
}

/// A person of the day and their sessions, earliest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    pub bars: Vec<Bar>,
}

/// A page of the day's people.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Timeline {
    /// Where the page starts among all the day's people, and how many there are.
    pub offset: usize,
    pub total: usize,
    pub people: Vec<Person>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_in_any_case_and_with_the_accent() {
        assert_eq!("ADMIN".parse(), Ok(Role::Admin));
        assert_eq!(" Directeur ".parse(), Ok(Role::Directeur));
        assert_eq!("secrétaire".parse(), Ok(Role::Secretaire));
        assert_eq!("SECRÉTAIRE".parse(), Ok(Role::Secretaire));
        assert_eq!("archives".parse(), Ok(Role::Archives));
        assert!("boss".parse::<Role>().is_err());
        assert!("".parse::<Role>().is_err());
    }

    #[test]
    fn end_reasons_round_trip() {
        for reason in ["logout", "idle", "hangup", "forced", "lost"] {
            assert_eq!(
                EndReason::parse(reason).map(EndReason::as_str),
                Some(reason)
            );
        }
        assert_eq!(EndReason::parse("vanished"), None);
    }

    #[test]
    fn a_lock_ends_at_its_time() {
        let user = User {
            id: 1,
            username: "a".into(),
            full_name: String::new(),
            role: Role::Admin,
            disabled: false,
            must_change_password: false,
            locked_until: Some(1_000),
            created_at: 0,
        };
        assert!(user.is_locked(999));
        assert!(!user.is_locked(1_000));
    }
}

/// Where a login happens: the terminal and the process that hold the session.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Origin {
    pub host: String,
    pub tty: Option<String>,
    pub remote_ip: Option<String>,
    pub terminal: Option<String>,
    pub pid: u32,
    /// When the process started (clock ticks after boot, /proc/PID/stat's field 22):
    /// a pid reused by a later process is not taken for it.
    pub pid_start: Option<i64>,
    pub boot_id: Option<String>,
    /// `/etc/machine-id`: which machine, whatever its host name.
    pub machine_id: Option<String>,
    /// The PID namespace `pid` belongs to (`/proc/self/ns/pid`).
    pub pid_ns: Option<String>,
}

/// What became of one login attempt, as `login_attempts.outcome` stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Success,
    BadPassword,
    UnknownUser,
    Disabled,
    Locked,
    NotAdmin,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::BadPassword => "bad_password",
            Outcome::UnknownUser => "unknown_user",
            Outcome::Disabled => "disabled",
            Outcome::Locked => "locked",
            Outcome::NotAdmin => "not_admin",
        }
    }

    pub fn parse(stored: &str) -> Option<Outcome> {
        [
            Outcome::Success,
            Outcome::BadPassword,
            Outcome::UnknownUser,
            Outcome::Disabled,
            Outcome::Locked,
            Outcome::NotAdmin,
        ]
        .into_iter()
        .find(|outcome| outcome.as_str() == stored)
    }
}

/// One session as stored: open while `logout_time` is `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: i64,
    /// `None` for a name the system logged in that konekte has no account of.
    pub user_id: Option<i64>,
    pub login_time: Millis,
    pub last_seen: Millis,
    pub logout_time: Option<Millis>,
    pub end_reason: Option<EndReason>,
    pub origin: Origin,
    /// A login of the system itself (PAM), not of konekte's screen.
    pub system: Option<SystemLogin>,
}

/// A login of the PC itself, told by PAM (`console pam`): konekte did not authenticate
/// it, and no terminal of konekte's beats for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemLogin {
    /// `PAM_SERVICE`: sshd, login, gdm-password…
    pub service: String,
    /// `PAM_USER`, as the system gave it.
    pub name: String,
}

/// How a session was entered, as `who`, `last` and the monitor name it.
pub fn way_in(service: Option<&str>) -> &str {
    match service {
        None => "console",
        // A second sshd of its own name (`sshd-office`, `test-sshd`) is SSH too.
        Some(s) if s.starts_with("sshd") || s.ends_with("-sshd") => "ssh",
        Some("login") => "tty",
        Some(s) if DESKTOPS.iter().any(|d| s.starts_with(d)) => "desktop",
        Some(other) => other,
    }
}

/// The PAM services of graphical logins (gdm-password, lightdm-greeter…).
const DESKTOPS: &[&str] = &["gdm", "lightdm", "sddm", "xdm", "kdm", "lxdm", "slim"];

impl Session {
    /// A session opened at `now` and not yet written (its id 0 until it is).
    pub fn opening(
        user_id: Option<i64>,
        origin: &Origin,
        system: Option<SystemLogin>,
        now: Millis,
    ) -> Session {
        Session {
            id: 0,
            user_id,
            login_time: now,
            last_seen: now,
            logout_time: None,
            end_reason: None,
            origin: origin.clone(),
            system,
        }
    }
}

/// The login before this one, as `lastlog` shows it, and the failures since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviousLogin {
    pub at: Millis,
    pub host: String,
    pub tty: Option<String>,
    pub remote_ip: Option<String>,
}

/// An account's lockout bookkeeping (see `auth::LockPolicy` for the rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FailureState {
    pub failures: u32,
    pub window_start: Option<Millis>,
    pub locked_until: Option<Millis>,
}

impl FailureState {
    pub fn is_locked(&self, now: Millis) -> bool {
        self.locked_until.is_some_and(|until| now < until)
    }
}

/// One session as listings show it: with its user's name and role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionLine {
    pub id: i64,
    /// `None` (and no role) for a name the system logged in that konekte has no account
    /// of: `username` is then the name the system gave.
    pub user_id: Option<i64>,
    pub username: String,
    pub role: Option<Role>,
    pub login_time: Millis,
    pub last_seen: Millis,
    pub logout_time: Option<Millis>,
    pub end_reason: Option<EndReason>,
    pub host: String,
    pub tty: Option<String>,
    pub remote_ip: Option<String>,
    pub terminal: Option<String>,
    /// The admin who ended it (`forced`), by name.
    pub ended_by: Option<String>,
    /// Why, as the admin wrote it.
    pub end_note: Option<String>,
    /// When a key was last pressed in it, as its last heartbeat told.
    pub last_key: Option<Millis>,
    /// An admin's correction of it (`end`, `added`, `void`), and its note.
    pub correction: Option<String>,
    pub correction_note: Option<String>,
    /// The PAM service it was entered by; `None` for konekte's own screen.
    pub service: Option<String>,
}

/// A line of the monitor's "All users" pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserLine {
    pub summary: UserSummary,
    pub sessions_today: i64,
}

/// One login attempt as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub at: Millis,
    pub username_typed: String,
    pub user_id: Option<i64>,
    pub host: Option<String>,
    pub tty: Option<String>,
    pub remote_ip: Option<String>,
    pub outcome: String,
}

/// Failed attempts by one typed name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureCount {
    pub name: String,
    pub failures: i64,
    pub latest: Millis,
    /// The name is an account, locked now.
    pub locked: bool,
}

/// An account's totals, as `lslogins` shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub summary: UserSummary,
    pub sessions: i64,
    /// Connected time of all its sessions, the open ones up to now.
    pub connected: Millis,
}
