//! SQLite: the database file, private to its owner, recognised as konekte's before
//! anything is written to it; and the watch that tells a monitor another connection
//! committed (inotify on the file's folder, `PRAGMA data_version` to be sure).

use std::fs::{DirBuilder, OpenOptions};
use std::os::fd::AsRawFd;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Result;
use inotify::{Inotify, WatchMask};
use rusqlite::{Connection, OpenFlags};

use super::migrations::{self, LATEST_VERSION};
use super::patience::BUSY_TIMEOUT;
use crate::error::Error;

/// Opens the file at `path` for reading and writing, checks it, brings its schema up to
/// date. A file that is not a konekte database, is corrupt, or has a newer schema is
/// refused before anything is written to it.
pub fn open(path: &Path) -> Result<Connection> {
    keep_from_other_users(path)?;
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| unreadable(path, &e))?;
    configure(&conn, path)?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(|e| unreadable(path, &e))?;
    migrations::migrate_sqlite(&conn).map_err(|e| unreadable(path, &e))?;
    Ok(conn)
}

/// Whether the file is there: a folder on the way that this account cannot enter is
/// said as such (exit 74), not taken for a missing file.
pub fn exists(path: &Path) -> Result<bool> {
    match std::fs::metadata(path) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(unreadable(path, &e)),
    }
}

/// Opens the file without writing anything to it, not even a migration; `None` when
/// it does not exist or is of an older schema (nothing to read yet).
pub fn open_read_only(path: &Path) -> Result<Option<Connection>> {
    if !exists(path)? {
        return Ok(None);
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| unreadable(path, &e))?;
    configure(&conn, path)?;
    let current = migrations::sqlite_version(&conn).map_err(|e| unreadable(path, &e))?;
    Ok((current == LATEST_VERSION).then_some(conn))
}

/// Settings every connection needs, then the checks that must pass before any write.
pub fn configure(conn: &Connection, path: &Path) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    let version = migrations::sqlite_version(conn).map_err(|e| unreadable(path, &e))?;
    if version > LATEST_VERSION {
        return Err(Error::Database(crate::said!(
            db_newer,
            path = path.display(),
            found = version,
            known = LATEST_VERSION
        ))
        .into());
    }
    if !is_konekte(conn, version).map_err(|e| unreadable(path, &e))? {
        return Err(Error::Database(crate::said!(db_foreign, path = path.display())).into());
    }
    Ok(())
}

/// Whether the file holds konekte's tables (or nothing yet): another program's
/// database is recognised, and refused, before anything is written to it.
fn is_konekte(conn: &Connection, version: i64) -> rusqlite::Result<bool> {
    let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))?;
    if version == 0 {
        return Ok(tables == 0);
    }
    let ours: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND
           (name = 'users' AND sql LIKE '%password_hash%'
            OR name = 'sessions' AND sql LIKE '%session_key%'
            OR name = 'login_attempts' AND sql LIKE '%username_typed%')",
        [],
        |row| row.get(0),
    )?;
    Ok(ours == 3)
}

/// Makes the database file and its `-wal` and `-shm` (SQLite gives those the file's own
/// mode) its owner's only, as a file konekte creates is: one made beforehand with
/// `touch` is 0644, and anyone who can read it can read every record. Every terminal
/// runs as one account (README). A file that cannot be tightened (another owner's) is
/// refused.
fn keep_from_other_users(path: &Path) -> Result<()> {
    for file in [
        path.to_path_buf(),
        suffixed(path, "-wal"),
        suffixed(path, "-shm"),
    ] {
        let Ok(metadata) = std::fs::metadata(&file) else {
            continue;
        };
        let mode = metadata.permissions().mode();
        if mode & 0o077 == 0 || !metadata.is_file() {
            continue;
        }
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode & !0o077)).map_err(
            |_| {
                Error::Database(crate::said!(
                    db_open_to_all,
                    path = file.display(),
                    mode = format!("{:04o}", mode & 0o7777)
                ))
            },
        )?;
    }
    Ok(())
}

/// A database that root makes in a folder of another account (the package's
/// /var/lib/konekte, owned by `konekte`) is that account's, as the folder is: the kiosk
/// and the agent, which run as it, can then open it. SQLite gives its journal files the
/// database's owner when root opens it.
fn give_to_folders_owner(path: &Path) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let (made, owner) = (std::fs::metadata(path)?, std::fs::metadata(folder)?);
    // Made by root (the file is its creator's) in a folder that is not root's.
    if made.uid() == 0 && owner.uid() != 0 {
        std::os::unix::fs::chown(path, Some(owner.uid()), Some(owner.gid()))?;
    }
    Ok(())
}

fn suffixed(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    name.into()
}

/// Creates the database file readable by its owner only (and its folder, 0700, if
/// missing), before SQLite opens it: anyone who can read it can read every record.
pub fn create_private_file(path: &Path) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(parent)
            .map_err(|e| {
                Error::Database(crate::said!(
                    db_cannot_create,
                    path = parent.display(),
                    error = e
                ))
            })?;
    }
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => give_to_folders_owner(path),
        // Another terminal created it in the meantime: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(Error::Database(crate::said!(
            db_cannot_create,
            path = path.display(),
            error = e
        ))
        .into()),
    }
}

pub fn unreadable(path: &Path, err: &dyn std::fmt::Display) -> anyhow::Error {
    if disk_full(path) {
        return Error::Database(crate::said!(db_disk_full, path = path.display())).into();
    }
    Error::Database(crate::said!(
        db_unreadable,
        path = path.display(),
        error = err
    ))
    .into()
}

/// Whether the disk that holds `path` has no room left: SQLite says "disk I/O error"
/// or "database or disk is full", neither of which names the disk.
pub fn disk_full(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    /// Less than this free is full: a write of a few pages no longer fits.
    const ROOM: u64 = 64 * 1024;
    let folder = path
        .parent()
        .filter(|folder| !folder.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let Ok(folder) = std::ffi::CString::new(folder.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: statvfs fills the struct it is given for a NUL-terminated path.
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    let read = unsafe { libc::statvfs(folder.as_ptr(), &mut stat) } == 0;
    read && stat.f_bavail.saturating_mul(stat.f_frsize) < ROOM
}

/// Waits for another connection's commit to the file: the kernel tells when the
/// folder's files are written (the WAL at every commit), and `data_version` says
/// whether that was a commit. Without inotify it looks every `fallback`.
pub struct SqliteWatch {
    conn: Connection,
    inotify: Option<Inotify>,
    seen: i64,
}

impl SqliteWatch {
    pub fn new(conn: Connection, path: &Path) -> Result<SqliteWatch> {
        let folder = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        let inotify = Inotify::init().ok().and_then(|inotify| {
            let mask = WatchMask::MODIFY | WatchMask::CLOSE_WRITE | WatchMask::MOVED_TO;
            inotify.watches().add(&folder, mask).ok()?;
            Some(inotify)
        });
        let seen = data_version(&conn)?;
        Ok(SqliteWatch {
            conn,
            inotify,
            seen,
        })
    }

    /// Whether another connection committed, waiting at most `fallback` for a sign.
    pub fn wait(&mut self, fallback: Duration) -> Result<bool> {
        let SqliteWatch {
            conn,
            inotify,
            seen,
        } = self;
        let Some(inotify) = inotify else {
            std::thread::sleep(fallback);
            return committed_since(conn, seen);
        };
        if !readable_within(inotify, fallback) {
            return committed_since(conn, seen);
        }
        drain(inotify);
        // The kernel reports the write to the WAL a moment before the writer
        // publishes the commit in the shared-memory index, which data_version
        // reads and which inotify never sees (it is mapped memory): look again
        // for a short while rather than wait a whole fallback for it.
        let settle_until = Instant::now() + COMMIT_SETTLE.min(fallback);
        loop {
            if committed_since(conn, seen)? {
                return Ok(true);
            }
            if Instant::now() >= settle_until {
                return Ok(false);
            }
            if readable_within(inotify, SETTLE_STEP) {
                drain(inotify);
            }
        }
    }
}

/// Whether data_version moved from `seen`, which it then becomes.
fn committed_since(conn: &Connection, seen: &mut i64) -> Result<bool> {
    let version = data_version(conn)?;
    let changed = version != *seen;
    *seen = version;
    Ok(changed)
}

/// How long after a write to the folder a commit may still become visible: the
/// writer's fsync of the WAL (synchronous=FULL) sits between the two, and on a loaded
/// machine (CI compiling beside the tests) that took more than 30 ms. A commit that
/// shows sooner ends the look at once; a sign that was no commit costs this much.
const COMMIT_SETTLE: Duration = Duration::from_millis(250);
const SETTLE_STEP: Duration = Duration::from_millis(1);

fn readable_within(inotify: &Inotify, timeout: Duration) -> bool {
    let mut fd = libc::pollfd {
        fd: inotify.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    let millis = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
    // SAFETY: one pollfd of a descriptor this watch owns, for the given time.
    unsafe { libc::poll(&mut fd, 1, millis) > 0 }
}

/// Empties the queue: the events themselves say nothing data_version does not.
fn drain(inotify: &mut Inotify) {
    let mut buffer = [0u8; 4096];
    while inotify
        .read_events(&mut buffer)
        .is_ok_and(|mut events| events.next().is_some())
    {}
}

/// A number that changes whenever another connection commits to the database: about a
/// microsecond to ask.
pub fn data_version(conn: &Connection) -> Result<i64> {
    Ok(conn.pragma_query_value(None, "data_version", |row| row.get(0))?)
}

/// Copies the database of `source` as it stands at one moment to `to` (SQLite's online
/// backup, in one read transaction: the terminals keep writing meanwhile). The copy is
/// made beside `to`, mode 0600, turned into a file that needs no WAL, checked, then put
/// in place; a copy that fails leaves nothing behind. Returns the pages copied.
pub fn backup(source: &Connection, to: &Path) -> Result<i32> {
    use rusqlite::backup::{Backup, StepResult};
    let folder = to
        .parent()
        .filter(|folder| !folder.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let cannot = |e: &dyn std::fmt::Display| {
        Error::Database(crate::said!(
            db_cannot_create,
            path = to.display(),
            error = e
        ))
    };
    // Made with mode 0600, like every database file of konekte's.
    let copy = tempfile::Builder::new()
        .prefix(".konekte-backup-")
        .tempfile_in(folder)
        .map_err(|e| cannot(&e))?;
    let pages = {
        let mut target = Connection::open(copy.path()).map_err(|e| cannot(&e))?;
        let backup = Backup::new(source, &mut target).map_err(|e| cannot(&e))?;
        let mut tries = 0;
        loop {
            match backup.step(-1).map_err(|e| cannot(&e))? {
                StepResult::Done => break,
                // A writer's checkpoint under way: a moment later.
                _ if tries < 100 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                _ => return Err(Error::Refused(crate::said!(db_busy, seconds = 5)).into()),
            }
        }
        let pages = backup.progress().pagecount;
        drop(backup);
        target
            .pragma_update(None, "journal_mode", "DELETE")
            .map_err(|e| cannot(&e))?;
        let checked: String = target
            .query_row("PRAGMA quick_check", [], |row| row.get(0))
            .map_err(|e| cannot(&e))?;
        if checked != "ok" {
            return Err(cannot(&checked).into());
        }
        pages
    };
    copy.persist(to).map_err(|e| cannot(&e.error))?;
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_new_database_and_its_folder_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("office/konekte.db");
        create_private_file(&path).unwrap();
        open(&path).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
    }

    #[test]
    fn a_database_root_makes_in_another_accounts_folder_is_that_accounts() {
        use std::os::unix::fs::{MetadataExt, chown};
        let dir = tempfile::tempdir().unwrap();
        if std::fs::metadata(dir.path()).unwrap().uid() != 0 {
            eprintln!("skipped: not root");
            return;
        }
        let folder = dir.path().join("konekte");
        std::fs::create_dir(&folder).unwrap();
        chown(&folder, Some(65534), Some(65534)).unwrap();
        let path = folder.join("konekte.db");
        create_private_file(&path).unwrap();
        open(&path).unwrap();
        let made = std::fs::metadata(&path).unwrap();
        assert_eq!(
            (made.uid(), made.gid(), made.mode() & 0o777),
            (65534, 65534, 0o600)
        );
        let mine = dir.path().join("mine.db");
        create_private_file(&mine).unwrap();
        assert_eq!(std::fs::metadata(&mine).unwrap().uid(), 0);
    }

    #[test]
    fn a_file_that_is_not_a_database_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.db");
        let content = b"these are my notes, not a database at all; ".repeat(100);
        std::fs::write(&path, &content).unwrap();
        let err = open(&path).err().unwrap();
        assert_eq!(crate::error::exit_code_of(&err), crate::error::Exit::IoErr);
        assert_eq!(std::fs::read(&path).unwrap(), content);
    }

    #[test]
    fn a_newer_schema_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("future.db");
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", LATEST_VERSION + 1)
            .unwrap();
        drop(conn);
        let before = std::fs::read(&path).unwrap();
        let err = open(&path).err().unwrap();
        assert!(format!("{err:#}").contains("newer"), "{err:#}");
        assert_eq!(crate::error::exit_code_of(&err), crate::error::Exit::IoErr);
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn a_database_open_to_others_is_made_its_owners_only_with_its_wal_and_shm() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        for (file, mode) in [("k.db", 0o644), ("k.db-wal", 0o666), ("k.db-shm", 0o640)] {
            let file = dir.path().join(file);
            std::fs::write(&file, b"").unwrap();
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        keep_from_other_users(&path).unwrap();
        for file in ["k.db", "k.db-wal", "k.db-shm"] {
            let mode = std::fs::metadata(dir.path().join(file))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{file}");
        }
    }

    #[test]
    fn another_programs_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE users (name TEXT)")
            .unwrap();
        drop(conn);
        let err = open(&path).err().unwrap();
        assert!(format!("{err:#}").contains("not a konekte"), "{err:#}");
    }

    #[test]
    fn another_programs_database_of_version_one_is_refused_before_any_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE users (name TEXT); PRAGMA user_version = 1;")
            .unwrap();
        drop(conn);
        let before = std::fs::read(&path).unwrap();
        let err = open(&path).err().unwrap();
        assert!(format!("{err:#}").contains("not a konekte"), "{err:#}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
        assert!(
            !dir.path().join("other.db-wal").exists(),
            "not switched to WAL"
        );
    }

    #[test]
    fn read_only_open_creates_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("absent.db");
        assert!(open_read_only(&path).unwrap().is_none());
        assert!(!path.exists());
    }

    #[test]
    fn the_watch_sees_another_connections_commit_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        create_private_file(&path).unwrap();
        let mut watch = SqliteWatch::new(open(&path).unwrap(), &path).unwrap();
        assert!(watch.inotify.is_some(), "inotify on Linux");
        assert!(!watch.wait(Duration::from_millis(20)).unwrap());
        let writer = open(&path).unwrap();
        writer
            .execute(
                "INSERT INTO users (username, role, password_hash, created_at)
                 VALUES ('fresh', 'admin', 'x', 0)",
                [],
            )
            .unwrap();
        let started = std::time::Instant::now();
        assert!(watch.wait(Duration::from_secs(5)).unwrap());
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "woken by the write, not by the time"
        );
        assert!(!watch.wait(Duration::from_millis(20)).unwrap());
    }

    #[test]
    fn a_commit_made_while_the_watch_waits_ends_that_same_wait() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        create_private_file(&path).unwrap();
        let mut watch = SqliteWatch::new(open(&path).unwrap(), &path).unwrap();
        let (ready, waiting) = std::sync::mpsc::channel();
        let (report, results) = std::sync::mpsc::channel();
        let rounds = 20;
        let watcher = std::thread::spawn(move || {
            for _ in 0..rounds {
                ready.send(()).unwrap();
                // A fallback far longer than the test: only the commit can end it.
                report
                    .send(watch.wait(Duration::from_secs(600)).unwrap())
                    .unwrap();
            }
        });
        let writer = open(&path).unwrap();
        for round in 0..rounds {
            waiting.recv().unwrap();
            writer
                .execute(
                    "INSERT INTO users (username, role, password_hash, created_at)
                     VALUES (?1, 'admin', 'x', 0)",
                    [format!("user{round}")],
                )
                .unwrap();
            assert!(
                results.recv().unwrap(),
                "round {round}: the commit was seen"
            );
        }
        watcher.join().unwrap();
    }
}
