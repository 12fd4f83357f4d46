//! Passwords (argon2id hashing and verification, generation, the rules a new one obeys)
//! and logging in: one answer for every failure, the same time for an unknown name, and
//! a lockout after repeated failures.

use std::sync::OnceLock;

use anyhow::{Result, anyhow};
use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, PasswordVerifier, Version};
use rand::seq::IndexedRandom;

use crate::db::{Db, Prior, SourceCount};
use crate::i18n::{Texts, fill};
use crate::model::{FailureState, Millis, Origin, Outcome, Role, User};

/// Generated passwords avoid look-alikes (0/O/o, 1/l/I) so they can be read aloud and typed.
const PASSWORD_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
pub const GENERATED_PASSWORD_LEN: usize = 16;
pub const MIN_PASSWORD_LEN: usize = 8;
pub const MAX_PASSWORD_LEN: usize = 1024;

/// Hashes passwords with argon2id at the crate's default cost (m = 19 MiB, t = 2, p = 1,
/// OWASP's minimum), reusing one 19 MiB memory block across calls: in bulk, each thread
/// keeps one `Hasher` instead of allocating and zeroing that block for every user.
pub struct Hasher {
    argon2: Argon2<'static>,
    memory: Vec<Block>,
}

impl Default for Hasher {
    fn default() -> Self {
        let params = Params::default();
        let memory = vec![Block::default(); params.block_count()];
        Hasher {
            argon2: Argon2::new(Algorithm::Argon2id, Version::V0x13, params),
            memory,
        }
    }
}

impl Hasher {
    /// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) of `password`, salted
    /// with 16 random bytes.
    pub fn hash(&mut self, password: &str) -> Result<String> {
        self.hash_with_salt(password, Salt::generate())
    }

    fn hash_with_salt(&mut self, password: &str, salt: Salt) -> Result<String> {
        let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
        self.argon2
            .hash_password_into_with_memory(password.as_bytes(), &salt, &mut out, &mut self.memory)
            .map_err(|e| anyhow!("hashing a password: {e}"))?;
        let phc = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(self.argon2.params())
                .map_err(|e| anyhow!("encoding argon2 parameters: {e}"))?,
            salt: Some(salt),
            hash: Some(Output::new(&out).map_err(|e| anyhow!("encoding a hash: {e}"))?),
        };
        Ok(phc.to_string())
    }
}

/// Hashes one password (allocating its own memory block).
pub fn hash_password(password: &str) -> Result<String> {
    Hasher::default().hash(password)
}

/// Whether `password` matches the PHC string `stored`, with the cost written in it.
pub fn verify_password(password: &str, stored: &str) -> bool {
    let (hash, real) = checked_against(stored);
    let matches = hash.is_some_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    });
    matches && real
}

/// The hash a password is checked against, and whether it is the account's: a stored
/// value that is not a PHC string (an account imported without a password) matches
/// nothing, after the work of the dummy hash, so that such an account cannot be told
/// apart by how long its refusal takes.
fn checked_against(stored: &str) -> (Option<PasswordHash>, bool) {
    match PasswordHash::new(stored) {
        Ok(hash) => (Some(hash), true),
        Err(_) => (PasswordHash::new(dummy_hash()).ok(), false),
    }
}

/// A new random password from the operating system's CSPRNG via `rand`'s thread RNG
/// (ChaCha12, seeded and reseeded from the OS).
pub fn generate_password() -> String {
    let mut rng = rand::rng();
    (0..GENERATED_PASSWORD_LEN)
        .map(|_| char::from(*PASSWORD_ALPHABET.choose(&mut rng).unwrap_or(&b'x')))
        .collect()
}

/// Why a password cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort { length: usize },
    TooLong,
    Control,
    SameAsOld,
}

impl PasswordProblem {
    /// Said in the language of `texts` (a screen's, which F2 may have changed).
    pub fn text(self, texts: &Texts) -> String {
        match self {
            PasswordProblem::TooShort { length } => fill(
                texts.password_short,
                &[("count", &length), ("min", &MIN_PASSWORD_LEN)],
            ),
            PasswordProblem::TooLong => fill(texts.password_long, &[("max", &MAX_PASSWORD_LEN)]),
            PasswordProblem::Control => texts.password_control.to_string(),
            PasswordProblem::SameAsOld => texts.password_same.to_string(),
        }
    }
}

impl std::fmt::Display for PasswordProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(crate::i18n::texts()))
    }
}

/// Why `password` cannot be used, if it cannot.
pub fn password_problem(password: &str) -> Option<PasswordProblem> {
    let length = password.chars().count();
    if length < MIN_PASSWORD_LEN {
        Some(PasswordProblem::TooShort { length })
    } else if length > MAX_PASSWORD_LEN {
        Some(PasswordProblem::TooLong)
    } else if password.chars().any(char::is_control) {
        Some(PasswordProblem::Control)
    } else {
        None
    }
}

/// When failures lock: `max_failures` within `window` lock the account (or the name, if
/// unknown) for `lock`; with `by` taking in sources, they also lock the terminal or
/// remote address they came from, for every name, until they age out of the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockPolicy {
    pub max_failures: u32,
    pub window: Millis,
    pub lock: Millis,
    pub by: LockBy,
}

/// What failed logins lock (`--lock-by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LockBy {
    /// The account tried (or the unknown name): from wherever the failures came.
    Account,
    /// The place they came from (a remote address, else the host's terminal), for every
    /// name: a passer-by at one terminal can lock out no admin, only that terminal.
    Source,
    /// Both.
    Both,
}

impl Default for LockPolicy {
    fn default() -> Self {
        LockPolicy {
            max_failures: 5,
            window: 15 * 60_000,
            lock: 15 * 60_000,
            by: LockBy::Account,
        }
    }
}

impl LockPolicy {
    fn locks_accounts(&self) -> bool {
        matches!(self.by, LockBy::Account | LockBy::Both)
    }

    /// How the source's failures are counted, if they lock it.
    fn source_count(&self, now: Millis) -> Option<SourceCount> {
        matches!(self.by, LockBy::Source | LockBy::Both).then_some(SourceCount {
            since: now - self.window,
            most: self.max_failures,
        })
    }

    /// Until when the source is locked, given its latest failures (newest first, at
    /// most `max_failures`, all within the window): it is while there are that many.
    fn source_locked_until(&self, latest: &[Millis]) -> Option<Millis> {
        let oldest = latest.get(usize::try_from(self.max_failures).ok()? - 1)?;
        Some(oldest + self.window)
    }

    /// The state after one more failure at `now`.
    pub fn after_failure(&self, state: FailureState, now: Millis) -> FailureState {
        let in_window = state
            .window_start
            .is_some_and(|start| now - start <= self.window);
        let (failures, window_start) = if in_window {
            (state.failures + 1, state.window_start)
        } else {
            (1, Some(now))
        };
        if failures >= self.max_failures {
            FailureState {
                failures: 0,
                window_start: None,
                locked_until: Some(now + self.lock),
            }
        } else {
            FailureState {
                failures,
                window_start,
                locked_until: None,
            }
        }
    }

    /// The state an unknown name would have, had it been an account: its failures
    /// replayed in order (refusals while locked count for nothing, as for an account).
    pub fn replay(&self, history: &[(Millis, Outcome)]) -> FailureState {
        history
            .iter()
            .fold(FailureState::default(), |state, &(at, outcome)| {
                if outcome == Outcome::Locked || state.is_locked(at) {
                    state
                } else {
                    self.after_failure(state, at)
                }
            })
    }

    /// How far back the history of an unknown name can still matter.
    fn horizon(&self, now: Millis) -> Millis {
        now - 2 * (self.window + self.lock)
    }
}

/// Why a login was refused. Deliberately coarse: an unknown name, a wrong password, a
/// disabled account and a non-admin at the monitor all read `Invalid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Invalid,
    Locked {
        until: Millis,
    },
    /// Too many failures from this terminal or address, whatever the names.
    SourceLocked {
        until: Millis,
    },
}

pub struct LoginRequest<'a> {
    pub username: &'a str,
    pub password: &'a str,
    /// The monitor admits admins only.
    pub admin_only: bool,
}

/// Checks a login and records the attempt. The password is verified against the
/// account's hash, or against a dummy hash when the name is unknown, so that both take
/// the same time; the lockout applies to unknown names exactly as to real ones.
pub fn authenticate(
    db: &Db,
    request: &LoginRequest,
    origin: &Origin,
    policy: &LockPolicy,
    now: Millis,
) -> Result<Result<User, Refusal>> {
    let typed = request.username.trim();
    let account = db.credentials(typed)?;
    let password_ok = match &account {
        Some(account) => verify_password(request.password, &account.password_hash),
        None => {
            // Spend the time a real check takes, so an unknown name cannot be told apart.
            verify_password(request.password, dummy_hash());
            false
        }
    };
    let user = account.map(|a| a.user);

    let verdict = match &user {
        None => Outcome::UnknownUser,
        Some(user) if user.disabled => Outcome::Disabled,
        Some(_) if !password_ok => Outcome::BadPassword,
        Some(user) if request.admin_only && user.role != Role::Admin => Outcome::NotAdmin,
        Some(_) => Outcome::Success,
    };
    let source_locked = std::cell::Cell::new(None);
    let (outcome, state) = db.settle_attempt(
        typed,
        user.as_ref().map(|u| u.id),
        origin,
        now,
        policy.horizon(now),
        policy.source_count(now),
        |prior, source_failures| {
            let state = match prior {
                Prior::Account(state) => state,
                Prior::UnknownName(history) => policy.replay(&history),
            };
            // A locked source is refused whatever the name, and charges no account:
            // its failures cannot lock anyone out.
            source_locked.set(policy.source_locked_until(source_failures));
            if source_locked.get().is_some() || state.is_locked(now) {
                (Outcome::Locked, state)
            } else if verdict == Outcome::Success {
                (Outcome::Success, FailureState::default())
            } else if policy.locks_accounts() {
                (verdict, policy.after_failure(state, now))
            } else {
                (verdict, state)
            }
        },
    )?;
    Ok(match (outcome, user) {
        (Outcome::Success, Some(user)) => Ok(user),
        _ => Err(match (source_locked.get(), state.locked_until) {
            (Some(until), _) => Refusal::SourceLocked { until },
            (None, Some(until)) if now < until => Refusal::Locked { until },
            _ => Refusal::Invalid,
        }),
    })
}

/// Replaces a password that had to be changed at first login. The new one must obey the
/// rules and differ from the old one.
pub fn change_password(
    db: &Db,
    user: &User,
    new_password: &str,
) -> Result<Result<(), PasswordProblem>> {
    if let Some(problem) = password_problem(new_password) {
        return Ok(Err(problem));
    }
    let old = db.credentials(&user.username)?.map(|c| c.password_hash);
    if old.is_some_and(|old| verify_password(new_password, &old)) {
        return Ok(Err(PasswordProblem::SameAsOld));
    }
    db.change_temporary_password(user.id, &hash_password(new_password)?)?;
    Ok(Ok(()))
}

/// Builds the dummy hash now, before anyone types a name: built at the first unknown
/// name instead, it would make that one answer slower than a known name's, and with
/// `--once` (a process per SSH connection) every first is that one.
pub fn prepare_for_logins() {
    dummy_hash();
}

/// A hash of a random password, at the same cost as real ones: what an unknown name's
/// password is checked against.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&generate_password()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `$argon2id$v=19$m=…,t=…,p=…`: the algorithm and the work a check does.
    fn cost_of(hash: &str) -> String {
        hash.split('$').take(4).collect::<Vec<_>>().join("$")
    }

    #[test]
    fn an_unknown_name_costs_the_argon2_work_of_a_known_one() {
        prepare_for_logins();
        let real = hash_password("some-password-1").unwrap();
        assert!(real.starts_with("$argon2id$"), "{real}");
        assert_eq!(cost_of(dummy_hash()), cost_of(&real));
        assert!(
            PasswordHash::new(dummy_hash()).is_ok(),
            "a hash that fails to parse would be checked in no time"
        );
    }

    #[test]
    fn an_account_without_a_password_costs_the_work_of_one_that_has_one() {
        prepare_for_logins();
        let (hash, real) = checked_against(crate::db::NO_PASSWORD);
        assert!(!real);
        let hash = hash.expect("the dummy hash").to_string();
        assert_eq!(
            cost_of(&hash),
            cost_of(&hash_password("x-password-1").unwrap())
        );
        assert!(!verify_password("", crate::db::NO_PASSWORD));
    }

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hash = hash_password("correct horse").unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("correct hors", &hash));
        assert!(!verify_password("correct horse", "not a phc string"));
    }

    #[test]
    fn reused_memory_gives_the_same_hash_as_the_standard_api() {
        use argon2::PasswordHasher;
        let salt = Salt::new(b"0123456789abcdef").unwrap();
        let mut hasher = Hasher::default();
        hasher.hash("warm the memory up").unwrap();
        let ours = hasher.hash_with_salt("s3cret-pass", salt).unwrap();
        let standard = Argon2::default()
            .hash_password_with_salt(b"s3cret-pass", b"0123456789abcdef")
            .unwrap()
            .to_string();
        assert_eq!(ours, standard);
    }

    #[test]
    fn two_hashes_of_one_password_differ_by_their_salt() {
        let mut hasher = Hasher::default();
        assert_ne!(hasher.hash("same").unwrap(), hasher.hash("same").unwrap());
    }

    #[test]
    fn generated_passwords_are_long_random_and_unambiguous() {
        let a = generate_password();
        let b = generate_password();
        assert_ne!(a, b);
        assert_eq!(a.chars().count(), GENERATED_PASSWORD_LEN);
        assert!(a.bytes().all(|c| PASSWORD_ALPHABET.contains(&c)));
        assert!(!a.contains(['0', 'O', 'o', '1', 'l', 'I']));
        assert_eq!(password_problem(&a), None);
    }

    #[test]
    fn short_or_control_passwords_are_refused() {
        assert!(
            password_problem("seven77")
                .unwrap()
                .to_string()
                .contains("too short")
        );
        assert!(password_problem("eight888").is_none());
        assert!(password_problem("tab\there!").is_some());
        assert!(password_problem(&"x".repeat(MAX_PASSWORD_LEN + 1)).is_some());
    }

    mod login {
        use super::*;
        use crate::model::NewUser;

        const MINUTE: Millis = 60_000;

        fn office() -> crate::db::testing::TestDb {
            let db = crate::db::testing::db();
            let user = |username: &str, role, password: &str| NewUser {
                username: username.into(),
                full_name: String::new(),
                role,
                password_hash: hash_password(password).unwrap(),
                must_change_password: false,
            };
            db.create_users(
                &[
                    user("boss", Role::Admin, "boss-password"),
                    user("clerk", Role::Archives, "clerk-password"),
                ],
                false,
                0,
            )
            .unwrap();
            db
        }

        fn try_login(
            db: &Db,
            username: &str,
            password: &str,
            now: Millis,
        ) -> Result<User, Refusal> {
            try_at(
                db,
                &Origin::default(),
                LockBy::Account,
                username,
                password,
                now,
            )
        }

        fn try_at(
            db: &Db,
            place: &Origin,
            by: LockBy,
            username: &str,
            password: &str,
            now: Millis,
        ) -> Result<User, Refusal> {
            let request = LoginRequest {
                username,
                password,
                admin_only: false,
            };
            let policy = LockPolicy {
                by,
                ..LockPolicy::default()
            };
            authenticate(db, &request, place, &policy, now).unwrap()
        }

        fn terminal(tty: &str) -> Origin {
            Origin {
                host: "frontdesk".into(),
                tty: Some(tty.into()),
                ..Origin::default()
            }
        }

        #[test]
        fn a_passer_by_locks_the_terminal_not_the_admins() {
            let db = office();
            let desk = terminal("/dev/tty1");
            // Five names tried at one terminal: that terminal is locked, for every name.
            for (i, name) in ["boss", "clerk", "boss", "ghost", "boss"]
                .iter()
                .enumerate()
            {
                let at = i as Millis * MINUTE;
                assert_eq!(
                    try_at(&db, &desk, LockBy::Source, name, "guess-guess", at),
                    Err(Refusal::Invalid)
                );
            }
            let refused = try_at(
                &db,
                &desk,
                LockBy::Source,
                "boss",
                "boss-password",
                5 * MINUTE,
            );
            assert_eq!(refused, Err(Refusal::SourceLocked { until: 15 * MINUTE }));
            // The admin, at another terminal, is not locked out.
            let other = terminal("/dev/tty2");
            assert!(
                try_at(
                    &db,
                    &other,
                    LockBy::Source,
                    "boss",
                    "boss-password",
                    6 * MINUTE
                )
                .is_ok()
            );
            // Once the failures age out of the window, the terminal is free again.
            assert!(
                try_at(
                    &db,
                    &desk,
                    LockBy::Source,
                    "boss",
                    "boss-password",
                    15 * MINUTE
                )
                .is_ok()
            );
            assert_eq!(
                outcomes(&db)[5..],
                ["locked", "success", "success"],
                "a locked terminal's attempt is recorded, and charges no account"
            );
        }

        #[test]
        fn one_remote_address_is_one_source_whatever_its_terminals() {
            let db = office();
            let from = |n: u32| Origin {
                host: "server".into(),
                tty: Some(format!("/dev/pts/{n}")),
                remote_ip: Some("203.0.113.9".into()),
                ..Origin::default()
            };
            for n in 0..5 {
                let _ = try_at(
                    &db,
                    &from(n),
                    LockBy::Both,
                    "ghost",
                    "guess-guess",
                    Millis::from(n),
                );
            }
            assert!(matches!(
                try_at(&db, &from(9), LockBy::Both, "clerk", "clerk-password", 10),
                Err(Refusal::SourceLocked { .. })
            ));
            // With both, the account lock works as before, from anywhere.
            for n in 0..5 {
                let at = 20 + Millis::from(n);
                let _ = try_at(
                    &db,
                    &terminal(&format!("/dev/tty{n}")),
                    LockBy::Both,
                    "boss",
                    "x-guess-x",
                    at,
                );
            }
            assert!(matches!(
                try_at(
                    &db,
                    &terminal("/dev/tty9"),
                    LockBy::Both,
                    "boss",
                    "boss-password",
                    30
                ),
                Err(Refusal::Locked { .. })
            ));
        }

        fn outcomes(db: &Db) -> Vec<String> {
            db.column_for_tests("SELECT outcome FROM login_attempts ORDER BY id")
        }

        #[test]
        fn the_right_password_logs_in_and_is_recorded() {
            let db = office();
            assert_eq!(
                try_login(&db, " Clerk ", "clerk-password", 0)
                    .unwrap()
                    .username,
                "clerk"
            );
            assert_eq!(outcomes(&db), ["success"]);
        }

        #[test]
        fn unknown_wrong_and_disabled_all_read_invalid() {
            let db = office();
            db.set_disabled("clerk", true, "root").unwrap();
            assert_eq!(
                try_login(&db, "nobody", "whatever1", 0),
                Err(Refusal::Invalid)
            );
            assert_eq!(
                try_login(&db, "boss", "wrong-password", 0),
                Err(Refusal::Invalid)
            );
            assert_eq!(
                try_login(&db, "clerk", "clerk-password", 0),
                Err(Refusal::Invalid)
            );
            assert_eq!(outcomes(&db), ["unknown_user", "bad_password", "disabled"]);
        }

        #[test]
        fn the_monitor_admits_admins_only() {
            let db = office();
            let request = LoginRequest {
                username: "clerk",
                password: "clerk-password",
                admin_only: true,
            };
            let result = authenticate(&db, &request, &Origin::default(), &LockPolicy::default(), 0);
            assert_eq!(result.unwrap(), Err(Refusal::Invalid));
            assert_eq!(outcomes(&db), ["not_admin"]);
        }

        #[test]
        fn five_failures_lock_for_fifteen_minutes_even_the_right_password() {
            let db = office();
            for minute in 0..4 {
                assert_eq!(
                    try_login(&db, "boss", "nope-nope", minute * MINUTE),
                    Err(Refusal::Invalid)
                );
            }
            let locked = Refusal::Locked {
                until: 4 * MINUTE + 15 * MINUTE,
            };
            assert_eq!(try_login(&db, "boss", "nope-nope", 4 * MINUTE), Err(locked));
            assert_eq!(
                try_login(&db, "boss", "boss-password", 5 * MINUTE),
                Err(locked)
            );
            assert!(try_login(&db, "boss", "boss-password", 19 * MINUTE).is_ok());
            assert_eq!(outcomes(&db).last().map(String::as_str), Some("success"));
        }

        #[test]
        fn failures_spread_wider_than_the_window_do_not_lock() {
            let db = office();
            for i in 0..10 {
                assert_eq!(
                    try_login(&db, "boss", "nope-nope", i * 4 * MINUTE),
                    Err(Refusal::Invalid)
                );
            }
        }

        #[test]
        fn an_unknown_name_locks_exactly_like_a_real_one() {
            let db = office();
            let mut real = Vec::new();
            let mut unknown = Vec::new();
            for minute in [0, 1, 2, 3, 4, 5, 10, 20] {
                real.push(try_login(&db, "clerk", "nope-nope", minute * MINUTE));
                unknown.push(try_login(&db, "ghost", "nope-nope", minute * MINUTE));
            }
            assert_eq!(real, unknown);
            assert!(matches!(unknown[4], Err(Refusal::Locked { .. })));
            assert!(unknown.contains(&Err(Refusal::Invalid)));
        }

        #[test]
        fn a_success_forgets_earlier_failures() {
            let db = office();
            for i in 0..4 {
                let _ = try_login(&db, "boss", "nope-nope", i);
            }
            assert!(try_login(&db, "boss", "boss-password", 10).is_ok());
            assert_eq!(
                try_login(&db, "boss", "nope-nope", 11),
                Err(Refusal::Invalid)
            );
        }

        #[test]
        fn a_changed_password_must_be_new_and_long_enough() {
            let db = office();
            let clerk = db.user("clerk").unwrap().unwrap();
            // Only a temporary password is changed at login.
            assert!(change_password(&db, &clerk, "a-brand-new-one").is_err());
            let temporary = hash_password("clerk-password").unwrap();
            db.set_password("clerk", &temporary, true).unwrap();
            assert!(change_password(&db, &clerk, "short").unwrap().is_err());
            assert!(
                change_password(&db, &clerk, "clerk-password")
                    .unwrap()
                    .is_err()
            );
            change_password(&db, &clerk, "a-brand-new-one")
                .unwrap()
                .unwrap();
            assert!(try_login(&db, "clerk", "a-brand-new-one", 0).is_ok());
            assert!(change_password(&db, &clerk, "yet-another-one").is_err());
        }
    }
}
