//! Where to connect: a `postgres://` URL completed as libpq completes it (PGHOST,
//! PGPORT, PGUSER, PGDATABASE, PGPASSWORD, ~/.pgpass, sslmode, sslrootcert).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;
use tokio_postgres::config::Host;

use crate::error::Error;

/// How long a connection may take before it is given up (libpq's `connect_timeout`),
/// the server's answers to the start included.
pub(super) const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// TCP keepalives: a dead peer on an idle connection is noticed in about 11 s.
const KEEPALIVE_IDLE: Duration = Duration::from_secs(5);
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(2);
const KEEPALIVE_RETRIES: u32 = 3;

/// What `sslmode` asks of the server's certificate, as libpq reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    Disable,
    /// TLS if the server offers it, unverified.
    Prefer,
    /// TLS, unverified (verified against the root certificate when one is given).
    Require,
    /// TLS, the certificate signed by the root certificate.
    VerifyCa,
    /// TLS, the certificate signed by the root and naming the host.
    VerifyFull,
}

/// A PostgreSQL database to connect to.
#[derive(Clone)]
pub struct PgTarget {
    pub(super) config: tokio_postgres::Config,
    pub(super) tls: TlsMode,
    pub(super) root_cert: Option<PathBuf>,
}

/// Where a setting comes from when the URL lacks it: the environment and the files of
/// libpq. Given, so that tests can set it.
pub struct Environment<'a> {
    pub var: &'a dyn Fn(&str) -> Option<String>,
    pub home: Option<PathBuf>,
}

impl Environment<'_> {
    pub fn of_this_process() -> Environment<'static> {
        Environment {
            var: &|name| std::env::var(name).ok().filter(|v| !v.is_empty()),
            home: std::env::var_os("HOME").map(PathBuf::from),
        }
    }
}

/// Whether `text` names a PostgreSQL database rather than a SQLite file.
pub fn is_url(text: &str) -> bool {
    text.starts_with("postgres://") || text.starts_with("postgresql://")
}

impl PgTarget {
    /// Reads a `postgres://` URL and fills what it lacks from `env`.
    pub fn parse(url: &str, env: &Environment) -> Result<PgTarget> {
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let mut kept = Vec::new();
        let (mut sslmode, mut sslrootcert) = (None, None);
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "sslmode" => sslmode = Some(percent_decoded(value)),
                "sslrootcert" => sslrootcert = Some(PathBuf::from(percent_decoded(value))),
                _ => kept.push(pair),
            }
        }
        let rebuilt = if kept.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        let mut config: tokio_postgres::Config =
            rebuilt.parse().map_err(|e: tokio_postgres::Error| {
                Error::Usage(crate::said!(pg_bad_url, error = e))
            })?;
        let var = env.var;
        if config.get_hosts().is_empty() {
            let host = var("PGHOST").unwrap_or_else(default_host);
            for host in host.split(',') {
                config.host(host);
            }
        }
        if config.get_ports().is_empty()
            && let Some(port) = var("PGPORT").and_then(|p| p.parse().ok())
        {
            config.port(port);
        }
        if config.get_user().is_none() {
            config.user(
                var("PGUSER")
                    .or_else(|| var("USER"))
                    .unwrap_or_default()
                    .as_str(),
            );
        }
        if config.get_dbname().is_none() {
            let dbname = var("PGDATABASE")
                .unwrap_or_else(|| config.get_user().unwrap_or_default().to_string());
            config.dbname(dbname.as_str());
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        config.application_name("konekte");
        keep_alive(&mut config);
        let mut target = PgTarget {
            config,
            tls: TlsMode::Prefer,
            root_cert: None,
        };
        if target.config.get_password().is_none() {
            let password = var("PGPASSWORD").or_else(|| target.password_from_file(env));
            if let Some(password) = password {
                target.config.password(password);
            }
        }
        let mode = sslmode.or_else(|| var("PGSSLMODE"));
        target.tls = match mode.as_deref() {
            None | Some("prefer" | "allow") => TlsMode::Prefer,
            Some("disable") => TlsMode::Disable,
            Some("require") => TlsMode::Require,
            Some("verify-ca") => TlsMode::VerifyCa,
            Some("verify-full") => TlsMode::VerifyFull,
            Some(other) => {
                return Err(Error::Usage(crate::said!(pg_bad_sslmode, mode = other)).into());
            }
        };
        target.root_cert = sslrootcert
            .or_else(|| var("PGSSLROOTCERT").map(PathBuf::from))
            .or_else(|| {
                let default = env.home.as_ref()?.join(".postgresql/root.crt");
                default.exists().then_some(default)
            });
        Ok(target)
    }

    /// Whether the URL itself holds a password (refused on the command line, where
    /// every user of the machine can read it).
    pub fn url_has_password(url: &str) -> bool {
        let base = url.split_once('?').map_or(url, |(base, _)| base);
        let query_password = url
            .split_once('?')
            .is_some_and(|(_, q)| q.split('&').any(|p| p.starts_with("password=")));
        let userinfo = base
            .split_once("://")
            .and_then(|(_, rest)| rest.split_once('@'))
            .map(|(userinfo, _)| userinfo);
        query_password || userinfo.is_some_and(|u| u.contains(':'))
    }

    /// `user@host:port/database`: how messages name it (never with the password).
    pub fn describe(&self) -> String {
        let host = match self.config.get_hosts().first() {
            Some(Host::Tcp(host)) => host.clone(),
            Some(Host::Unix(path)) => path.display().to_string(),
            None => String::new(),
        };
        let port = self.config.get_ports().first().copied().unwrap_or(5432);
        format!(
            "{}@{host}:{port}/{}",
            self.config.get_user().unwrap_or_default(),
            self.config.get_dbname().unwrap_or_default()
        )
    }

    pub fn tls_mode(&self) -> TlsMode {
        self.tls
    }

    pub fn dbname(&self) -> &str {
        self.config.get_dbname().unwrap_or_default()
    }

    /// The same server, another database (for tests).
    pub fn with_dbname(&self, dbname: &str) -> PgTarget {
        let mut other = self.clone();
        other.config.dbname(dbname);
        other
    }

    /// The same database reached at another address, in the clear (for a test's proxy).
    pub fn through(&self, host: &str, port: u16) -> PgTarget {
        let mut config = tokio_postgres::Config::new();
        if let Some(user) = self.config.get_user() {
            config.user(user);
        }
        if let Some(password) = self.config.get_password() {
            config.password(password);
        }
        if let Some(dbname) = self.config.get_dbname() {
            config.dbname(dbname);
        }
        config
            .host(host)
            .port(port)
            .connect_timeout(CONNECT_TIMEOUT)
            .application_name("konekte");
        keep_alive(&mut config);
        PgTarget {
            config,
            tls: TlsMode::Disable,
            root_cert: None,
        }
    }

    /// The password of `~/.pgpass` (or PGPASSFILE) for this host, port, database and
    /// user; as libpq does, a file that others can read is ignored, and said so.
    fn password_from_file(&self, env: &Environment) -> Option<String> {
        let file = (env.var)("PGPASSFILE")
            .map(PathBuf::from)
            .or_else(|| Some(env.home.as_ref()?.join(".pgpass")))?;
        let mode = std::fs::metadata(&file).ok()?.permissions().mode();
        if mode & 0o077 != 0 {
            eprintln!(
                "console: {}",
                crate::tr!(pgpass_open, file = file.display())
            );
            return None;
        }
        let text = std::fs::read_to_string(&file).ok()?;
        let host = match self.config.get_hosts().first() {
            Some(Host::Tcp(host)) => host.clone(),
            _ => "localhost".to_string(),
        };
        let port = self
            .config
            .get_ports()
            .first()
            .copied()
            .unwrap_or(5432)
            .to_string();
        let wanted = [
            host.as_str(),
            port.as_str(),
            self.config.get_dbname().unwrap_or_default(),
            self.config.get_user().unwrap_or_default(),
        ];
        text.lines()
            .filter(|line| !line.starts_with('#'))
            .find_map(|line| pgpass_match(line, &wanted))
    }
}

/// The password of a `~/.pgpass` line (`host:port:database:user:password`, `*` for any,
/// `\:` and `\\` escaped) if it matches `wanted`.
fn pgpass_match(line: &str, wanted: &[&str; 4]) -> Option<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => field.extend(chars.next()),
            ':' if fields.len() < 4 => fields.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    fields.push(field);
    let [host, port, db, user, password] = <[String; 5]>::try_from(fields).ok()?;
    let matches = [host, port, db, user]
        .iter()
        .zip(wanted)
        .all(|(field, want)| field == "*" || field == want);
    matches.then_some(password)
}

/// Keepalives on every connection, so that an idle one to a vanished host is noticed
/// too (libpq's defaults wait two hours).
fn keep_alive(config: &mut tokio_postgres::Config) {
    config
        .keepalives(true)
        .keepalives_idle(KEEPALIVE_IDLE)
        .keepalives_interval(KEEPALIVE_INTERVAL)
        .keepalives_retries(KEEPALIVE_RETRIES);
}

fn default_host() -> String {
    let socket = Path::new("/var/run/postgresql");
    if socket.is_dir() {
        socket.display().to_string()
    } else {
        "localhost".into()
    }
}

fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(url: &str, vars: &[(&str, &str)]) -> PgTarget {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let var = move |name: &str| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        PgTarget::parse(
            url,
            &Environment {
                var: &var,
                home: None,
            },
        )
        .unwrap()
    }

    #[test]
    fn what_the_url_lacks_comes_from_the_environment() {
        let target = parsed(
            "postgres:///konekte",
            &[
                ("PGHOST", "db.office"),
                ("PGPORT", "6543"),
                ("PGUSER", "desk"),
            ],
        );
        assert_eq!(target.describe(), "desk@db.office:6543/konekte");
        let target = parsed(
            "postgres://frontdesk@10.0.0.5/office",
            &[("PGHOST", "ignored"), ("PGDATABASE", "ignored")],
        );
        assert_eq!(target.describe(), "frontdesk@10.0.0.5:5432/office");
        let target = parsed("postgresql://ann@h", &[("PGDATABASE", "books")]);
        assert_eq!(target.dbname(), "books");
    }

    #[test]
    fn sslmode_and_sslrootcert_are_read_as_libpq_reads_them() {
        let target = parsed(
            "postgres://a@h/d?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&connect_timeout=3",
            &[],
        );
        assert_eq!(target.tls_mode(), TlsMode::VerifyFull);
        assert_eq!(target.root_cert.as_deref(), Some(Path::new("/etc/ca.pem")));
        assert_eq!(
            target.config.get_connect_timeout(),
            Some(&Duration::from_secs(3))
        );
        assert_eq!(parsed("postgres://a@h/d", &[]).tls_mode(), TlsMode::Prefer);
        assert_eq!(
            parsed("postgres://a@h/d", &[("PGSSLMODE", "disable")]).tls_mode(),
            TlsMode::Disable
        );
    }

    #[test]
    fn a_password_in_the_url_is_seen() {
        assert!(PgTarget::url_has_password("postgres://ann:secret@h/d"));
        assert!(PgTarget::url_has_password("postgres://h/d?password=secret"));
        assert!(!PgTarget::url_has_password("postgres://ann@h/d"));
        assert!(!PgTarget::url_has_password("postgres://h:5432/d"));
        assert!(!PgTarget::url_has_password("postgres://[::1]:5432/d"));
    }

    #[test]
    fn pgpass_lines_match_with_wildcards_and_escapes() {
        let wanted = ["db.office", "5432", "konekte", "desk"];
        assert_eq!(
            pgpass_match("db.office:5432:konekte:desk:s3cr:et", &wanted).as_deref(),
            Some("s3cr:et"),
            "as libpq reads it, the password is the rest of the line"
        );
        assert_eq!(
            pgpass_match("db.office:5432:konekte:desk:s3cr\\:et", &wanted).as_deref(),
            Some("s3cr:et")
        );
        assert_eq!(
            pgpass_match("*:*:*:desk:pw", &wanted).as_deref(),
            Some("pw")
        );
        assert_eq!(pgpass_match("*:*:other:desk:pw", &wanted), None);
    }

    #[test]
    fn a_pgpass_that_others_can_read_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pgpass");
        std::fs::write(&file, "*:*:*:*:from-the-file\n").unwrap();
        let file_var = file.display().to_string();
        let read = |mode: u32| {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
            let target = parsed("postgres://u@h/d", &[("PGPASSFILE", file_var.as_str())]);
            target
                .config
                .get_password()
                .map(|p| String::from_utf8_lossy(p).into_owned())
        };
        assert_eq!(read(0o600).as_deref(), Some("from-the-file"));
        assert_eq!(read(0o644), None);
    }
}
