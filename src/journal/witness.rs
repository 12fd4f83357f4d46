//! Checkpoints of the chain kept where the terminals cannot write: one line each, the
//! time it was taken, the head's entry id and its hash. A journal rewritten from its
//! start is consistent with itself, but not with a checkpoint taken before: `verify
//! --witness FILE` finds each checkpoint's entry in the chain, with the same hash.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use anyhow::Result;

use crate::model::Millis;
use crate::system_log::{self, SYSTEM_LOG};

/// One checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub at: Millis,
    pub entry: i64,
    pub hash: String,
}

/// The word each line starts with, so that a checkpoint is found in a system log too.
const MARK: &str = "konekte-checkpoint";

impl Checkpoint {
    /// `konekte-checkpoint 2026-12-02T10:55:00.123Z entry=5214 hash=3f9a…`
    pub fn line(&self) -> String {
        format!(
            "{MARK} {} entry={} hash={}",
            chrono::DateTime::from_timestamp_millis(self.at)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
                .unwrap_or_default(),
            self.entry,
            self.hash
        )
    }

    /// The checkpoint of a line, `None` for any other line (a system log has many).
    pub fn parse(line: &str) -> Option<Checkpoint> {
        let rest = &line[line.find(MARK)? + MARK.len()..];
        let mut fields = rest.split_whitespace();
        let at = chrono::DateTime::parse_from_rfc3339(fields.next()?)
            .ok()?
            .timestamp_millis();
        let entry = fields.next()?.strip_prefix("entry=")?.parse().ok()?;
        let hash = fields.next()?.strip_prefix("hash=")?;
        let is_hash = hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit());
        is_hash.then(|| Checkpoint {
            at,
            entry,
            hash: hash.to_ascii_lowercase(),
        })
    }

    /// Appends the checkpoint to `file` (made with its folder if missing, mode 0600).
    pub fn append_to(&self, file: &Path) -> std::io::Result<()> {
        if let Some(folder) = file.parent().filter(|f| !f.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder)?;
        }
        let mut out = OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(file)?;
        writeln!(out, "{}", self.line())
    }
}

/// Every checkpoint of `text`, with its line number; other lines are passed over.
pub fn checkpoints_in(text: &str) -> Vec<(usize, Checkpoint)> {
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| Checkpoint::parse(line).map(|c| (i + 1, c)))
        .collect()
}

/// Sends the checkpoint's line to the system log (journald, or syslog), which the
/// terminals' account can add to but not edit. A machine with no system log listening
/// is refused (exit 1): `syslog(3)` would drop the line and say nothing.
pub fn to_system_log(checkpoint: &Checkpoint) -> Result<()> {
    if !system_log::listening() {
        return Err(
            crate::error::Error::Refused(crate::said!(no_system_log, path = SYSTEM_LOG)).into(),
        );
    }
    system_log::send(libc::LOG_AUTH, libc::LOG_NOTICE, &checkpoint.line());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_reads_back_from_its_line_and_from_a_log() {
        let checkpoint = Checkpoint {
            at: 1_795_511_702_123,
            entry: 5214,
            hash: "ab".repeat(32),
        };
        let line = checkpoint.line();
        assert_eq!(
            line,
            format!(
                "konekte-checkpoint 2026-11-24T09:15:02.123Z entry=5214 hash={}",
                "ab".repeat(32)
            )
        );
        assert_eq!(Checkpoint::parse(&line), Some(checkpoint.clone()));
        let log = format!("Dec 02 10:55:00 desk konekte[812]: {line}\nsomething else\n");
        assert_eq!(checkpoints_in(&log), vec![(1, checkpoint)]);
        assert_eq!(Checkpoint::parse("konekte-checkpoint garbage"), None);
        assert_eq!(
            Checkpoint::parse("konekte-checkpoint 2026-11-24T09:15:02Z entry=1 hash=xyz"),
            None
        );
    }

    #[test]
    fn checkpoints_are_appended_to_a_private_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("state/witness");
        for entry in [1, 2] {
            let checkpoint = Checkpoint {
                at: 0,
                entry,
                hash: "0".repeat(64),
            };
            checkpoint.append_to(&file).unwrap();
        }
        let text = std::fs::read_to_string(&file).unwrap();
        assert_eq!(checkpoints_in(&text).len(), 2);
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
