//! PostgreSQL: where to connect (a URL completed as libpq would: PGHOST, PGPORT, PGUSER,
//! PGDATABASE, PGPASSWORD, ~/.pgpass, sslmode, sslrootcert), TLS through rustls, the
//! connection with its prepared statements, and the server's clock.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Result;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use tokio_postgres::config::{Host, SslMode};
use tokio_postgres::error::SqlState;
use tokio_postgres_rustls::MakeRustlsConnect;

use super::conn::{postgres_params, postgres_row, prepared, values_of};
use super::pg_client::{Lost, PgClient};
use super::value::{Row, ToValue};
use crate::error::Error;
use crate::model::Millis;

/// How long a connection may take before it is given up (libpq's `connect_timeout`),
/// the server's answers to the start included.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a statement may go unanswered beyond its own lock timeout before the
/// server is taken for gone: a cut network, a silent proxy, a frozen host.
const SILENCE: Duration = Duration::from_secs(3);
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
    config: tokio_postgres::Config,
    tls: TlsMode,
    root_cert: Option<PathBuf>,
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
        let mut config: tokio_postgres::Config = rebuilt
            .parse()
            .map_err(|e| Error::Usage(crate::tr!(pg_bad_url, error = e)))?;
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
                return Err(Error::Usage(crate::tr!(pg_bad_sslmode, mode = other)).into());
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

    /// A new connection, or the error that says which server and database could not be
    /// reached or logged in to (exit 74).
    pub fn connect(&self) -> Result<PgClient> {
        self.connect_as_it_fails().map_err(|e| {
            Error::Database(crate::tr!(
                pg_unreachable,
                target = self.describe(),
                error = server_reason(&e)
            ))
            .into()
        })
    }

    /// A new connection, or tokio-postgres's own error: a connection made again tells a
    /// server still down (worth another try) from one that refuses us.
    fn connect_as_it_fails(&self) -> Result<PgClient> {
        let mut config = self.config.clone();
        let deadline = super::BUSY_TIMEOUT + SILENCE;
        if self.tls == TlsMode::Disable {
            config.ssl_mode(SslMode::Disable);
            PgClient::connect(&config, tokio_postgres::NoTls, CONNECT_TIMEOUT, deadline)
        } else {
            config.ssl_mode(match self.tls {
                TlsMode::Prefer => SslMode::Prefer,
                _ => SslMode::Require,
            });
            PgClient::connect(&config, self.tls_connector()?, CONNECT_TIMEOUT, deadline)
        }
    }

    fn tls_connector(&self) -> Result<MakeRustlsConnect> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier: Arc<dyn ServerCertVerifier> = match (&self.root_cert, self.tls) {
            (Some(root), TlsMode::Require | TlsMode::VerifyCa | TlsMode::VerifyFull) => {
                let webpki = rustls::client::WebPkiServerVerifier::builder_with_provider(
                    Arc::new(self.roots(root)?),
                    Arc::clone(&provider),
                )
                .build()?;
                Arc::new(Verifier {
                    webpki: Some(webpki),
                    check_name: self.tls == TlsMode::VerifyFull,
                    provider: Arc::clone(&provider),
                })
            }
            (None, TlsMode::VerifyCa | TlsMode::VerifyFull) => {
                return Err(Error::Usage(crate::tr!(pg_no_root_cert)).into());
            }
            _ => Arc::new(Verifier {
                webpki: None,
                check_name: false,
                provider: Arc::clone(&provider),
            }),
        };
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        Ok(MakeRustlsConnect::new(config))
    }

    fn roots(&self, file: &Path) -> Result<rustls::RootCertStore> {
        let unreadable = |e: &dyn std::fmt::Display| {
            Error::NoInput(crate::tr!(
                cannot_read_file,
                file = file.display(),
                error = e
            ))
        };
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_file_iter(file).map_err(|e| unreadable(&e))? {
            roots
                .add(cert.map_err(|e| unreadable(&e))?)
                .map_err(|e| unreadable(&e))?;
        }
        Ok(roots)
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

/// The certificate check `sslmode` asks for: none (prefer, require), the chain
/// (verify-ca), the chain and the name (verify-full). The handshake's own signatures
/// are always checked.
#[derive(Debug)]
struct Verifier {
    webpki: Option<Arc<rustls::client::WebPkiServerVerifier>>,
    check_name: bool,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        let Some(webpki) = &self.webpki else {
            return Ok(ServerCertVerified::assertion());
        };
        match webpki.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(CertificateError::NotValidForName))
                if !self.check_name =>
            {
                Ok(ServerCertVerified::assertion())
            }
            Err(rustls::Error::InvalidCertificate(CertificateError::NotValidForNameContext {
                ..
            })) if !self.check_name => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A PostgreSQL connection with its prepared statements. A dropped connection is made
/// again before the next statement (and once within a statement, before it fails);
/// whether the server could be reached last time is kept in `reachable` for the screens.
pub struct PgConn {
    client: RefCell<PgClient>,
    pub(super) statements: RefCell<HashMap<String, tokio_postgres::Statement>>,
    target: PgTarget,
    lock_timeout: Cell<Duration>,
    reachable: Arc<AtomicBool>,
}

impl PgConn {
    pub fn connect(target: &PgTarget) -> Result<PgConn> {
        let conn = PgConn {
            client: RefCell::new(target.connect()?),
            statements: RefCell::new(HashMap::new()),
            target: target.clone(),
            lock_timeout: Cell::new(super::BUSY_TIMEOUT),
            reachable: Arc::new(AtomicBool::new(true)),
        };
        conn.set_lock_timeout(super::BUSY_TIMEOUT)?;
        Ok(conn)
    }

    /// A new connection in place of a dropped one; its statements are prepared anew.
    pub fn reconnect(&self) -> Result<()> {
        let client = self
            .target
            .connect_as_it_fails()
            .inspect_err(|_| self.set_reachable(false))?;
        *self.client.borrow_mut() = client;
        self.statements.borrow_mut().clear();
        self.set_lock_timeout(self.lock_timeout.get())?;
        self.set_reachable(true);
        Ok(())
    }

    /// Whether the last statement reached the server, shared with whoever shows it.
    pub fn reachable(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.reachable)
    }

    pub(super) fn set_reachable(&self, reachable: bool) {
        self.reachable.store(reachable, Ordering::Relaxed);
    }

    /// How long a statement waits for a lock held elsewhere before it fails (and the
    /// write is tried again): SQLite's busy_timeout. A statement unanswered for that
    /// long and `SILENCE` more is a server gone.
    pub fn set_lock_timeout(&self, timeout: Duration) -> Result<()> {
        self.lock_timeout.set(timeout);
        let client = self.client.borrow();
        client.set_deadline(timeout + SILENCE);
        client.batch_execute(&format!("SET lock_timeout = {}", timeout.as_millis()))
    }

    /// The connection, made again first if it is known to be gone.
    pub(super) fn client(&self) -> Result<std::cell::Ref<'_, PgClient>> {
        if self.client.borrow().is_closed() {
            self.reconnect()?;
        }
        Ok(self.client.borrow())
    }

    /// Runs `work` on the connection; if the connection was lost, once more on a new one.
    fn with_client<T>(&self, work: impl Fn(&PgClient) -> Result<T>) -> Result<T> {
        let first = work(&*self.client()?);
        match first {
            Err(err) if connection_lost(&err) => {
                self.set_reachable(false);
                self.reconnect()?;
                work(&*self.client()?)
            }
            other => other,
        }
    }

    /// `sql`'s statement on `client`, prepared once per connection.
    fn statement(&self, client: &PgClient, sql: &str) -> Result<tokio_postgres::Statement> {
        prepared(&self.statements, sql, |text| client.prepare(text))
    }

    pub fn query(&self, sql: &str, params: &[&dyn ToValue]) -> Result<Vec<Row>> {
        let values = values_of(params);
        self.with_client(|client| {
            let statement = self.statement(client, sql)?;
            client
                .query(&statement, &postgres_params(&values))?
                .iter()
                .map(postgres_row)
                .collect()
        })
    }

    pub fn execute(&self, sql: &str, params: &[&dyn ToValue]) -> Result<u64> {
        let values = values_of(params);
        self.with_client(|client| {
            let statement = self.statement(client, sql)?;
            client.execute(&statement, &postgres_params(&values))
        })
    }

    pub fn each(
        &self,
        sql: &str,
        params: &[&dyn ToValue],
        visit: &mut dyn FnMut(Row) -> Result<()>,
    ) -> Result<()> {
        let values = values_of(params);
        let client = self.client()?;
        let statement = self.statement(&client, sql)?;
        client.each(&statement, &postgres_params(&values), &mut |row| {
            visit(postgres_row(row)?)
        })
    }

    /// The offset of the server's clock from this machine's: measured halfway through
    /// the quickest of three round trips, in microseconds, whose error is at most half
    /// of it (a round trip slowed by a busy machine would put it off by milliseconds).
    pub fn clock_offset(&self) -> Result<Millis> {
        const TRIES: usize = 3;
        let micros = || chrono::Utc::now().timestamp_micros();
        let mut best: Option<(i64, i64)> = None;
        for _ in 0..TRIES {
            let before = micros();
            let row = self.query(SERVER_NOW_MICROS, &[])?;
            let after = micros();
            let server: i64 = row.first().map(|r| r.get(0)).transpose()?.unwrap_or(before);
            let round_trip = after - before;
            if best.is_none_or(|(quickest, _)| round_trip < quickest) {
                best = Some((round_trip, server - (before + after) / 2));
            }
        }
        Ok(best.map_or(0, |(_, offset)| (offset as f64 / 1000.0).round() as Millis))
    }
}

/// What the triggers of users and sessions NOTIFY (`schema.postgres.sql`).
pub const CHANGES_CHANNEL: &str = "konekte_changes";

/// How long a LISTEN connection may hear nothing before it asks the server whether it
/// is still there: a notification that cannot come looks like quiet.
const LISTEN_PING: Duration = Duration::from_secs(5);

/// A connection that LISTENs for the triggers' NOTIFY; made again after a drop (the
/// server restarted, the network cut, the backend killed), which counts as a change:
/// whatever happened meanwhile was not heard.
pub struct PgWatch {
    client: Option<PgClient>,
    target: PgTarget,
    quiet: std::time::Instant,
}

impl PgWatch {
    pub fn new(target: &PgTarget) -> Result<PgWatch> {
        Ok(PgWatch {
            client: Some(listening(target)?),
            target: target.clone(),
            quiet: std::time::Instant::now(),
        })
    }

    pub fn wait(&mut self, patience: Duration) -> Result<bool> {
        let Some(client) = &self.client else {
            self.client = Some(listening(&self.target)?);
            self.quiet = std::time::Instant::now();
            return Ok(true);
        };
        let heard = match client.notification(patience) {
            Ok(Some(_)) => {
                // One reload for a burst: what came with it is heard already.
                while client.pending_notification().is_some() {}
                Ok(true)
            }
            Ok(None) if self.quiet.elapsed() >= LISTEN_PING => {
                self.quiet = std::time::Instant::now();
                client.batch_execute("").map(|()| false)
            }
            other => other.map(|_| false),
        };
        if heard.as_ref().is_ok_and(|heard| *heard) {
            self.quiet = std::time::Instant::now();
        }
        match heard {
            Ok(heard) if !client.is_closed() => Ok(heard),
            Ok(_) => {
                self.client = None;
                Err(Lost::Closed.into())
            }
            Err(err) => {
                self.client = None;
                Err(err)
            }
        }
    }
}

fn listening(target: &PgTarget) -> Result<PgClient> {
    let client = target.connect()?;
    client.batch_execute(&format!("LISTEN {CHANGES_CHANNEL}"))?;
    Ok(client)
}

/// The server's time, in microseconds since 1970.
const SERVER_NOW_MICROS: &str =
    "SELECT CAST(extract(epoch FROM clock_timestamp()) * 1000000 AS BIGINT)";

/// Whether `err` is a connection that went away (a restart, a network cut, a killed
/// backend, a server gone silent): worth a new connection and another try.
pub fn connection_lost(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause.downcast_ref::<Lost>().is_some()
            || cause
                .downcast_ref::<tokio_postgres::Error>()
                .is_some_and(|e| {
                    e.is_closed()
                        || e.code().is_some_and(|code| {
                            *code == SqlState::ADMIN_SHUTDOWN
                                || *code == SqlState::CRASH_SHUTDOWN
                                || *code == SqlState::CANNOT_CONNECT_NOW
                        })
                        || std::error::Error::source(e)
                            .is_some_and(|s| s.downcast_ref::<std::io::Error>().is_some())
                })
    })
}

/// What the server said, when it said something (a wrong password, an unknown
/// database): its own message, not tokio-postgres's "db error".
pub fn server_reason(err: &anyhow::Error) -> String {
    let said = err
        .chain()
        .find_map(|cause| cause.downcast_ref::<tokio_postgres::Error>()?.as_db_error());
    match said {
        Some(db) => db.message().to_string(),
        // tokio-postgres's words when the server asks for a password and none was
        // found: say where konekte looks for it.
        None if format!("{err:#}").contains("password missing") => {
            crate::tr!(pg_no_password)
        }
        None => format!("{err:#}"),
    }
}

/// Whether `err` is a unique index refusing a row (PostgreSQL's unique_violation).
pub fn unique_violation(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<tokio_postgres::Error>()
            .and_then(tokio_postgres::Error::code)
            == Some(&SqlState::UNIQUE_VIOLATION)
    })
}

/// Whether `err` is a lock not had within `lock_timeout` (PostgreSQL's busy).
pub fn lock_timeout(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<tokio_postgres::Error>()
            .and_then(tokio_postgres::Error::code)
            == Some(&SqlState::LOCK_NOT_AVAILABLE)
    })
}

/// Whether `err` is PostgreSQL asking for the transaction to be tried again: a
/// serialization failure or a deadlock.
pub fn conflict(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<tokio_postgres::Error>()
            .and_then(tokio_postgres::Error::code)
            .is_some_and(|code| {
                *code == SqlState::T_R_SERIALIZATION_FAILURE
                    || *code == SqlState::T_R_DEADLOCK_DETECTED
            })
    })
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
