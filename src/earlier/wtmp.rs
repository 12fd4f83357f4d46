//! A Linux wtmp file (`/var/log/wtmp`, glibc's `struct utmp` of 384 bytes on every
//! 64-bit Linux: utmp(5)) into ended sessions, paired as util-linux `last` pairs them:
//! a login ends at the next record of its line (its DEAD_PROCESS, or the next login
//! there), or at the next shutdown or boot, where it was cut short (lost). A login
//! with no end yet is still going: it is left for a later import.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use super::{Earlier, EarlierSession, Problem};
use crate::model::{EndReason, Millis};

/// sizeof(struct utmp) on x86_64, aarch64 and the other 64-bit Linux ABIs.
pub const RECORD: usize = 384;

// ut_type values (utmp.h).
const RUN_LVL: i16 = 1;
const BOOT_TIME: i16 = 2;
const ACCOUNTING: i16 = 9;
const USER_PROCESS: i16 = 7;
const DEAD_PROCESS: i16 = 8;

/// One record, as the fields `last` reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub kind: i16,
    pub pid: i32,
    pub line: String,
    pub user: String,
    pub host: String,
    /// Seconds and microseconds since the epoch, as `ut_tv`.
    pub at: Millis,
    /// `ut_addr_v6`: an IPv4 address in its first word, or IPv6 in all four.
    pub address: [u8; 16],
}

impl Record {
    /// The record of `bytes` (exactly `RECORD` of them).
    pub fn parse(bytes: &[u8]) -> Result<Record, String> {
        let text = |from: usize, len: usize| {
            let field = &bytes[from..from + len];
            let end = field.iter().position(|&b| b == 0).unwrap_or(len);
            String::from_utf8_lossy(&field[..end]).into_owned()
        };
        let i32_at = |at: usize| {
            i32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        let kind = i16::from_le_bytes([bytes[0], bytes[1]]);
        if !(0..=ACCOUNTING).contains(&kind) {
            return Err(crate::tr!(wtmp_bad_type, kind = kind));
        }
        let (seconds, micros) = (i64::from(i32_at(340)), i64::from(i32_at(344)));
        let mut address = [0; 16];
        address.copy_from_slice(&bytes[348..364]);
        Ok(Record {
            kind,
            pid: i32_at(4),
            line: text(8, 32),
            user: text(44, 32),
            host: text(76, 256),
            at: seconds * 1000 + micros / 1000,
            address,
        })
    }

    /// The record as the C library writes it (for tests and tools that make a wtmp).
    pub fn to_bytes(&self) -> [u8; RECORD] {
        let mut bytes = [0; RECORD];
        let mut put = |from: usize, len: usize, text: &str| {
            let text = &text.as_bytes()[..text.len().min(len)];
            bytes[from..from + text.len()].copy_from_slice(text);
        };
        put(8, 32, &self.line);
        put(44, 32, &self.user);
        put(76, 256, &self.host);
        bytes[0..2].copy_from_slice(&self.kind.to_le_bytes());
        bytes[4..8].copy_from_slice(&self.pid.to_le_bytes());
        let seconds = self.at.div_euclid(1000) as i32;
        let micros = (self.at.rem_euclid(1000) * 1000) as i32;
        bytes[340..344].copy_from_slice(&seconds.to_le_bytes());
        bytes[344..348].copy_from_slice(&micros.to_le_bytes());
        bytes[348..364].copy_from_slice(&self.address);
        bytes
    }

    /// A shutdown or a boot: what `last` calls down and crash for the logins before it.
    fn ends_everything(&self) -> bool {
        self.line == "~"
            && matches!(self.kind, RUN_LVL | BOOT_TIME)
            && (self.user == "shutdown" || self.user == "reboot")
    }

    /// Where the login came from: the address when the record has one, else the host
    /// name it gives (an X display `:0` is no place).
    fn remote(&self) -> Option<String> {
        let address = if self.address[4..].iter().all(|&b| b == 0) {
            (self.address[..4] != [0; 4]).then(|| {
                std::net::Ipv4Addr::from([
                    self.address[0],
                    self.address[1],
                    self.address[2],
                    self.address[3],
                ])
                .to_string()
            })
        } else {
            Some(std::net::Ipv6Addr::from(self.address).to_string())
        };
        address.or_else(|| {
            Some(self.host.clone()).filter(|host| !host.is_empty() && !host.starts_with(':'))
        })
    }
}

/// The sessions of wtmp files, each `(name, bytes)`, oldest first (`wtmp.1` then
/// `wtmp`: a login of one that ends in the next is one session), written on `host`.
pub fn read(files: &[(String, Vec<u8>)], host: &str) -> Earlier {
    let mut pairing = Pairing {
        host,
        earlier: Earlier::default(),
        open: HashMap::new(),
    };
    for (name, bytes) in files {
        pairing.file(name, bytes);
    }
    pairing.finish()
}

/// The logins not ended yet, by line, as the records go by.
struct Pairing<'a> {
    host: &'a str,
    earlier: Earlier,
    /// Each open line's login, with its record's place.
    open: HashMap<String, (String, Record)>,
}

impl Pairing<'_> {
    fn file(&mut self, name: &str, bytes: &[u8]) {
        let whole = bytes.len() - bytes.len() % RECORD;
        for (index, chunk) in bytes[..whole].chunks_exact(RECORD).enumerate() {
            match Record::parse(chunk) {
                Ok(record) => self.record(record, position(name, index)),
                Err(why) => self.problem(position(name, index), why),
            }
        }
        if whole != bytes.len() {
            let why = crate::tr!(wtmp_cut, bytes = bytes.len() - whole, size = RECORD);
            self.problem(position(name, whole / RECORD), why);
        }
    }

    fn record(&mut self, record: Record, place: String) {
        if record.ends_everything() {
            let open: Vec<_> = self.open.drain().map(|(_, login)| login).collect();
            for (at, login) in open {
                self.ended(at, &login, record.at, EndReason::Lost);
            }
            return;
        }
        if !matches!(record.kind, USER_PROCESS | DEAD_PROCESS) || record.line.is_empty() {
            return;
        }
        if let Some((at, login)) = self.open.remove(&record.line) {
            self.ended(at, &login, record.at, EndReason::Logout);
        }
        if record.kind == USER_PROCESS {
            if record.user.is_empty() {
                return self.problem(place, crate::tr!(wtmp_no_user));
            }
            self.open.insert(record.line.clone(), (place, record));
        }
    }

    fn ended(&mut self, place: String, login: &Record, end: Millis, reason: EndReason) {
        let session = session(self.host, place, login, end, reason);
        self.earlier.sessions.push(session);
    }

    fn problem(&mut self, place: String, why: String) {
        self.earlier.problems.push(Problem::at(place, why));
    }

    fn finish(mut self) -> Earlier {
        self.earlier.still_open = self.open.len();
        // As they began, whatever order their ends came in.
        self.earlier
            .sessions
            .sort_by_key(|session| session.login_time);
        self.earlier
    }
}

/// `wtmp: record 12 (byte 4224)`: a record's place in its file, counted from 1.
fn position(file: &str, index: usize) -> String {
    crate::tr!(
        wtmp_position,
        file = file,
        record = index + 1,
        byte = index * RECORD
    )
}

fn session(
    host: &str,
    place: String,
    login: &Record,
    end: Millis,
    reason: EndReason,
) -> EarlierSession {
    // The same login in the same file, or in a later copy of it, has the same key.
    let mut digest = Sha256::new();
    for part in [
        host,
        &login.line,
        &login.user,
        &login.at.to_string(),
        &login.pid.to_string(),
    ] {
        digest.update(part.as_bytes());
        digest.update([0]);
    }
    EarlierSession {
        position: place,
        key: format!("wtmp:{}", &hex::encode(digest.finalize())[..32]),
        name: login.user.clone(),
        login_time: login.at,
        logout_time: end.max(login.at),
        reason,
        host: host.to_string(),
        tty: Some(login.line.clone()),
        remote: login.remote(),
        terminal: None,
        pid: Some(i64::from(login.pid)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: i16, line: &str, user: &str, at_s: i64) -> Record {
        Record {
            kind,
            pid: 100,
            line: line.into(),
            user: user.into(),
            host: String::new(),
            at: at_s * 1000,
            address: [0; 16],
        }
    }

    fn file(records: &[Record]) -> Vec<u8> {
        records.iter().flat_map(Record::to_bytes).collect()
    }

    #[test]
    fn a_record_reads_back_as_written() {
        let mut written = record(USER_PROCESS, "pts/3", "hantz", 1_764_000_000);
        written.host = "10.0.0.7".into();
        written.address[..4].copy_from_slice(&[10, 0, 0, 7]);
        written.at += 123;
        assert_eq!(Record::parse(&written.to_bytes()), Ok(written.clone()));
        assert_eq!(written.remote().as_deref(), Some("10.0.0.7"));
    }

    #[test]
    fn logins_pair_with_their_lines_end_and_a_boot_cuts_the_rest() {
        let bytes = file(&[
            record(BOOT_TIME, "~", "reboot", 1000),
            record(USER_PROCESS, "tty1", "ana", 1100),
            record(USER_PROCESS, "pts/0", "bob", 1200),
            record(DEAD_PROCESS, "pts/0", "", 1300),
            record(USER_PROCESS, "pts/0", "carl", 1400),
            record(BOOT_TIME, "~", "reboot", 2000),
            record(USER_PROCESS, "pts/1", "dina", 2100),
        ]);
        let earlier = read(&[("wtmp".into(), bytes.clone())], "pc1");
        let seen: Vec<_> = earlier
            .sessions
            .iter()
            .map(|s| {
                (
                    s.name.as_str(),
                    s.login_time / 1000,
                    s.logout_time / 1000,
                    s.reason,
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("ana", 1100, 2000, EndReason::Lost),
                ("bob", 1200, 1300, EndReason::Logout),
                ("carl", 1400, 2000, EndReason::Lost),
            ]
        );
        assert_eq!(earlier.still_open, 1);
        assert!(earlier.problems.is_empty());
        let again = |host: &str| read(&[("wtmp.1".into(), bytes.clone())], host);
        assert_eq!(again("pc1").sessions[1].key, earlier.sessions[1].key);
        assert_ne!(again("pc2").sessions[1].key, earlier.sessions[1].key);
    }

    #[test]
    fn a_login_in_one_file_ended_in_the_next_is_one_session() {
        let older = file(&[record(USER_PROCESS, "pts/0", "bob", 1200)]);
        let newer = file(&[record(DEAD_PROCESS, "pts/0", "", 1300)]);
        let earlier = read(&[("wtmp.1".into(), older), ("wtmp".into(), newer)], "pc1");
        let bob = &earlier.sessions[0];
        assert_eq!(
            (bob.logout_time, bob.reason),
            (1_300_000, EndReason::Logout)
        );
        assert_eq!(bob.position, "wtmp.1: record 1 (byte 0)");
        assert_eq!((earlier.sessions.len(), earlier.still_open), (1, 0));
    }

    #[test]
    fn a_cut_file_and_a_bad_record_are_problems_with_their_place() {
        let mut bytes = file(&[
            record(USER_PROCESS, "tty1", "ana", 1100),
            record(42, "tty2", "x", 1150),
            record(DEAD_PROCESS, "tty1", "", 1200),
        ]);
        bytes.extend_from_slice(&[1, 2, 3]);
        let earlier = read(&[("wtmp".into(), bytes.clone())], "pc1");
        assert_eq!(earlier.sessions.len(), 1);
        let places: Vec<&str> = earlier
            .problems
            .iter()
            .map(|p| p.position.as_str())
            .collect();
        assert_eq!(
            places,
            ["wtmp: record 2 (byte 384)", "wtmp: record 4 (byte 1152)"]
        );
    }
}
