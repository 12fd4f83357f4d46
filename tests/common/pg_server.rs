//! A PostgreSQL server of the test's own, which it may stop, start and cut off without
//! touching the server the rest of the suite shares: initdb in a temporary folder, on a
//! free port of 127.0.0.1, trust authentication. As root the server runs as the
//! `postgres` account (PostgreSQL refuses root). And a TCP proxy that can go silent.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::Duration;

use konekte::db::{Environment, PgTarget, Target};
use tempfile::TempDir;

use super::Office;

pub struct PgServer {
    dir: TempDir,
    bin: PathBuf,
    pub port: u16,
}

impl PgServer {
    /// A new server, started; `None` (said on stderr) where PostgreSQL's programs are not
    /// installed, except under CI, where that fails the test.
    pub fn start(what: &str) -> Option<PgServer> {
        PgServer::start_with(what, None)
    }

    /// A new server whose `konekte` account logs in with `password` only (SCRAM).
    pub fn with_password(what: &str, password: &str) -> Option<PgServer> {
        PgServer::start_with(what, Some(password))
    }

    fn start_with(what: &str, password: Option<&str>) -> Option<PgServer> {
        let Some(bin) = server_programs() else {
            assert!(
                std::env::var_os("CI").is_none(),
                "{what}: PostgreSQL's server programs are missing (scripts/test-postgres installs them)"
            );
            eprintln!("skipped, no PostgreSQL server programs: {what}");
            return None;
        };
        let dir = tempfile::tempdir().expect("a folder for the server");
        let server = PgServer {
            dir,
            bin,
            port: free_port(),
        };
        let pwfile = server.dir.path().join("password");
        std::fs::write(&pwfile, password.unwrap_or_default()).expect("the password file");
        if is_root() {
            run(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(server.dir.path()));
        }
        let data = server.data();
        let pwfile = pwfile.display().to_string();
        let mut initdb = vec!["-D", &data, "-U", "konekte", "--no-sync"];
        match password {
            None => initdb.push("--auth=trust"),
            Some(_) => initdb.extend(["--auth=scram-sha-256", "--pwfile", &pwfile]),
        }
        run(&mut server.command("initdb", &initdb));
        server.start_again();
        let given = |name: &str| {
            (name == "PGPASSWORD")
                .then(|| password.map(str::to_string))
                .flatten()
        };
        PgTarget::parse(
            &PgServer::url_at(server.port, "postgres"),
            &Environment {
                var: &given,
                home: None,
            },
        )
        .expect("the server's URL")
        .connect()
        .expect("the new server")
        .batch_execute("CREATE DATABASE konekte")
        .expect("the office's database");
        Some(server)
    }

    /// `postgres://konekte@127.0.0.1:PORT/DATABASE?sslmode=disable`.
    pub fn url_at(port: u16, database: &str) -> String {
        format!("postgres://konekte@127.0.0.1:{port}/{database}?sslmode=disable")
    }

    pub fn target(&self, database: &str) -> PgTarget {
        PgTarget::parse(
            &PgServer::url_at(self.port, database),
            &Environment {
                var: &|_| None,
                home: None,
            },
        )
        .expect("the server's URL")
    }

    /// An office on this server's `konekte` database, reached at `port` (the server's
    /// own, or a proxy's).
    pub fn office(&self, port: u16) -> Office {
        let url = PgServer::url_at(port, "konekte");
        Office::at(Target::Postgres(Box::new(self.target("konekte"))), url)
    }

    /// Stops the server as an upgrade does (`pg_ctl stop -m fast`): every connection closed.
    pub fn stop(&self) {
        run(&mut self.command("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"]));
    }

    pub fn start_again(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("server.log");
        run(&mut self.command(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-l",
                &log.display().to_string(),
                "-o",
                &options,
                "-w",
                "start",
            ],
        ));
    }

    /// Ends every connection of konekte's, as `pg_terminate_backend` from an admin does.
    pub fn terminate_every_backend(&self) -> i64 {
        self.target("postgres")
            .connect()
            .expect("the server")
            .query_one(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                 WHERE application_name = 'konekte' AND pid <> pg_backend_pid()",
                &[],
            )
            .expect("terminate")
            .get(0)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn command(&self, program: &str, args: &[&str]) -> Command {
        let program = self.bin.join(program);
        let mut command = if is_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        };
        command.args(args);
        command
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        let _ = self
            .command(
                "pg_ctl",
                &["-D", &self.data(), "-m", "immediate", "-w", "stop"],
            )
            .output();
    }
}

fn run(command: &mut Command) {
    let output = command.output().expect("a PostgreSQL program");
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The newest PostgreSQL's programs of Debian's layout, or of PATH.
fn server_programs() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| Some(entry.ok()?.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    versions.sort_by_key(|bin| {
        bin.parent()
            .and_then(Path::file_name)
            .and_then(|v| v.to_str()?.parse::<u32>().ok())
    });
    versions.pop()
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// Forwards connections to a server, until told to go silent: from then on nothing
/// more passes on the connections it carries, and none is closed, as on a network cut
/// by a firewall that drops packets. Connections made after it heals pass again.
pub struct SilentProxy {
    pub port: u16,
    silent: Arc<AtomicBool>,
    /// Moves on at each silence: a connection of an earlier epoch never passes again.
    epoch: Arc<AtomicU64>,
}

impl SilentProxy {
    pub fn start(server_port: u16) -> SilentProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a port for the proxy");
        let port = listener.local_addr().expect("its address").port();
        let (silent, epoch) = (
            Arc::new(AtomicBool::new(false)),
            Arc::new(AtomicU64::new(0)),
        );
        let (quiet, era) = (Arc::clone(&silent), Arc::clone(&epoch));
        thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                let (quiet, era) = (Arc::clone(&quiet), Arc::clone(&era));
                thread::spawn(move || carry(client, server_port, &quiet, &era));
            }
        });
        SilentProxy {
            port,
            silent,
            epoch,
        }
    }

    pub fn go_silent(&self) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
        self.silent.store(true, Ordering::SeqCst);
    }

    pub fn heal(&self) {
        self.silent.store(false, Ordering::SeqCst);
    }
}

/// One connection: held while the proxy is silent, then forwarded both ways.
fn carry(client: TcpStream, server_port: u16, silent: &Arc<AtomicBool>, epoch: &Arc<AtomicU64>) {
    while silent.load(Ordering::SeqCst) {
        thread::sleep(Duration::from_millis(20));
    }
    let born = epoch.load(Ordering::SeqCst);
    let Ok(server) = TcpStream::connect(("127.0.0.1", server_port)) else {
        return;
    };
    let (client_in, server_out) = match (client.try_clone(), server.try_clone()) {
        (Ok(c), Ok(s)) => (c, s),
        _ => return,
    };
    let (quiet, era) = (Arc::clone(silent), Arc::clone(epoch));
    thread::spawn(move || pipe(server, client, born, &quiet, &era));
    pipe(client_in, server_out, born, silent, epoch);
}

fn pipe(mut from: TcpStream, mut to: TcpStream, born: u64, silent: &AtomicBool, epoch: &AtomicU64) {
    let mut buffer = [0u8; 16 * 1024];
    loop {
        let read = match from.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(read) => read,
        };
        if silent.load(Ordering::SeqCst) || epoch.load(Ordering::SeqCst) != born {
            // Swallowed, and the connection held open: nothing ever comes back.
            loop {
                thread::sleep(Duration::from_secs(1));
            }
        }
        if to.write_all(&buffer[..read]).is_err() {
            return;
        }
    }
}
