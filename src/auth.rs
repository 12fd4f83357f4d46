//! Passwords: argon2id hashing and verification, generation, and the rules a new one obeys.

use anyhow::{Result, anyhow};
use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, PasswordVerifier, Version};
use rand::seq::IndexedRandom;

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
/// A stored value that is not a valid PHC string matches nothing.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// A new random password from the operating system's CSPRNG via `rand`'s thread RNG
/// (ChaCha12, seeded and reseeded from the OS).
pub fn generate_password() -> String {
    let mut rng = rand::rng();
    (0..GENERATED_PASSWORD_LEN)
        .map(|_| char::from(*PASSWORD_ALPHABET.choose(&mut rng).unwrap_or(&b'x')))
        .collect()
}

/// Why `password` cannot be used, if it cannot.
pub fn password_problem(password: &str) -> Option<String> {
    let length = password.chars().count();
    if length < MIN_PASSWORD_LEN {
        Some(format!(
            "password too short ({length} characters; at least {MIN_PASSWORD_LEN})"
        ))
    } else if length > MAX_PASSWORD_LEN {
        Some(format!(
            "password too long (at most {MAX_PASSWORD_LEN} characters)"
        ))
    } else if password.chars().any(char::is_control) {
        Some("password contains a control character".into())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(password_problem("seven77").unwrap().contains("too short"));
        assert!(password_problem("eight888").is_none());
        assert!(password_problem("tab\there!").is_some());
        assert!(password_problem(&"x".repeat(MAX_PASSWORD_LEN + 1)).is_some());
    }
}
