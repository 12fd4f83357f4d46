//! Least privilege on PostgreSQL (`console roles`): a terminal connected as its role
//! cannot change or delete a row, nor write the journal but through konekte's
//! functions, and a whole office day still works through them. Roles belong to the
//! whole server: each test makes its own, and drops them after its database.

use assert_cmd::Command;
use konekte::auth::{self, LockPolicy, LoginRequest, Refusal};
use konekte::db::testing::{PgDatabase, elsewhere, person, postgres_server};
use konekte::db::{Beat, Closed, Db, Environment, PgTarget, Target};
use konekte::model::{EndReason, Origin, Role, SystemLogin};

/// Two roles of this test's own, with passwords (whatever the server's rules for
/// connections), dropped when the guard is: after the database that holds their grants.
struct Roles {
    server: PgTarget,
    terminal: String,
    admin: String,
    password: String,
}

impl Roles {
    fn named(server: &PgTarget) -> Roles {
        let tag = format!("{}_{:08x}", std::process::id(), rand::random::<u32>());
        Roles {
            server: server.clone(),
            terminal: format!("konekte_kiosk_{tag}"),
            admin: format!("konekte_desk_{tag}"),
            password: format!("pw-{:016x}", rand::random::<u64>()),
        }
    }

    fn give_passwords(&self) {
        let client = self.server.connect().unwrap();
        for role in [&self.terminal, &self.admin] {
            client
                .batch_execute(&format!("ALTER ROLE {role} PASSWORD '{}'", self.password))
                .unwrap();
        }
    }

    /// The test's database, reached as `role`.
    fn target(&self, database: &PgDatabase, role: &str) -> PgTarget {
        let url = format!("postgres://{role}@{}", host_and_database(database));
        let password = self.password.clone();
        let var = move |name: &str| match name {
            "PGPASSWORD" => Some(password.clone()),
            "PGSSLMODE" => std::env::var(name).ok(),
            _ => None,
        };
        PgTarget::parse(
            &url,
            &Environment {
                var: &var,
                home: None,
            },
        )
        .unwrap()
    }
}

impl Drop for Roles {
    fn drop(&mut self) {
        if let Ok(client) = self.server.connect() {
            for role in [&self.terminal, &self.admin] {
                let _ = client.batch_execute(&format!("DROP ROLE IF EXISTS {role}"));
            }
        }
    }
}

/// `host:port/database` of the test's database.
fn host_and_database(database: &PgDatabase) -> String {
    let described = database.target.describe();
    described
        .split_once('@')
        .map_or(described.clone(), |(_, rest)| rest.to_string())
}

/// An office with its two roles granted by `console roles`, run by the owner.
fn office(what: &str) -> Option<(Roles, PgDatabase)> {
    let server = postgres_server(what)?;
    let roles = Roles::named(&server);
    let database = PgDatabase::new(&server);
    let owner = Db::open(&Target::Postgres(Box::new(database.target.clone()))).unwrap();
    owner
        .create_users(
            &[person("boss", Role::Admin), person("ann", Role::Secretaire)],
            false,
            0,
        )
        .unwrap();
    for (run, how) in [(1, "created"), (2, "already there")] {
        let out = console(&database.url(), None)
            .args([
                "roles",
                "--terminal",
                &roles.terminal,
                "--admin",
                &roles.admin,
            ])
            .env("LANG", "C")
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "run {run}: {said}");
        assert!(said.contains(how), "run {run}: {said}");
    }
    roles.give_passwords();
    Some((roles, database))
}

fn console(url: &str, password: Option<&str>) -> Command {
    let mut cmd = Command::cargo_bin("console").unwrap();
    cmd.env("CONSOLE_DB", url);
    if let Some(password) = password {
        cmd.env("PGPASSWORD", password);
    }
    cmd
}

fn open(target: PgTarget) -> Db {
    Db::open_existing(&Target::Postgres(Box::new(target))).unwrap()
}

#[test]
fn a_terminal_role_cannot_change_or_delete_the_record() {
    let Some((roles, database)) = office("a terminal role's rights") else {
        return;
    };
    let terminal = roles.target(&database, &roles.terminal);
    // A session of its own first, so that each statement has a row to touch.
    let db = open(terminal.clone());
    db.open_session(2, &Origin::default(), 5_000, db.now())
        .unwrap();
    let client = terminal.connect().unwrap();
    for statement in [
        "UPDATE sessions SET logout_time = login_time + 1, end_reason = 'logout'",
        "DELETE FROM sessions",
        "DELETE FROM login_attempts",
        "UPDATE users SET role = 'admin' WHERE username = 'ann'",
        "UPDATE users SET password_hash = 'x'",
        "SELECT password_hash FROM users",
        "SELECT session_key FROM sessions",
        "INSERT INTO journal (id, at, kind, body, prev_hash, hash) VALUES (99, 0, 'x', '{}', 'a', 'b')",
        "DELETE FROM journal",
        "UPDATE journal_head SET id = 1",
        "SELECT konekte_append(0, 'session.ended', 1, '{}')",
        "TRUNCATE sessions",
    ] {
        let refused = client.batch_execute(statement).unwrap_err();
        assert!(
            format!("{refused:#}").contains("permission denied"),
            "{statement}: {refused:#}"
        );
    }
    // Its own functions do only what they say: another's session is not ended without
    // its key, and an end is a terminal's own.
    let row = client
        .query_one(
            "SELECT konekte_end_own(1, 'not-its-key', 'logout', 0, 0) IS NULL",
            &[],
        )
        .unwrap();
    assert!(row.get::<_, bool>(0));
    assert!(
        client
            .batch_execute("SELECT konekte_end_own(1, 'x', 'forced', 0, 0)")
            .is_err()
    );
    assert!(
        client
            .batch_execute("SELECT konekte_change_temporary_password(2, 'x', 0)")
            .is_err(),
        "ann has no temporary password"
    );
    let admin = open(roles.target(&database, &roles.admin));
    assert_eq!(admin.open_sessions().unwrap().len(), 1, "still open");
    // A table a later schema step adds is the admin's too, not the terminal's.
    database
        .target
        .connect()
        .unwrap()
        .batch_execute("CREATE TABLE a_later_step (x BIGINT)")
        .unwrap();
    let desk = roles.target(&database, &roles.admin).connect().unwrap();
    desk.batch_execute("INSERT INTO a_later_step VALUES (1)")
        .unwrap();
    assert!(
        client
            .batch_execute("INSERT INTO a_later_step VALUES (2)")
            .is_err()
    );
    console(&database.url(), None)
        .arg("verify")
        .assert()
        .success();
}

#[test]
fn a_whole_office_day_works_through_the_functions() {
    let Some((roles, database)) = office("an office day as the terminal role") else {
        return;
    };
    let terminal = open(roles.target(&database, &roles.terminal));
    let desk = roles.target(&database, &roles.admin);
    let mut admin = open(desk.clone());
    admin.act_as(konekte::origin::actor());
    let origin = Origin::default();
    let log_in = |password: &str| {
        let request = LoginRequest {
            username: "ann",
            password,
            admin_only: false,
        };
        auth::authenticate(
            &terminal,
            &request,
            &origin,
            &LockPolicy::default(),
            terminal.now(),
        )
        .unwrap()
    };
    assert_eq!(log_in("wrong-password"), Err(Refusal::Invalid));
    let ann = log_in("right-password").unwrap();
    // Logout, idle, hangup: the terminal's own ends, by its keys.
    for reason in [EndReason::Logout, EndReason::Idle, EndReason::Hangup] {
        let session = terminal
            .open_session(ann.id, &origin, 5_000, terminal.now())
            .unwrap();
        assert_eq!(
            terminal
                .beat(session.id, terminal.now(), terminal.now())
                .unwrap(),
            Beat::Alive
        );
        let closed = terminal
            .close_session(session.id, reason, terminal.now(), None, None)
            .unwrap();
        assert_eq!(closed, Closed::Now);
    }
    // Forced by the admin: the terminal hears it at its next heartbeat.
    let forced = terminal
        .open_session(ann.id, &origin, 5_000, terminal.now())
        .unwrap();
    admin
        .end_from_shell(forced.id, admin.now(), "root", None)
        .unwrap();
    assert_eq!(
        terminal
            .beat(forced.id, terminal.now(), terminal.now())
            .unwrap(),
        Beat::Ended(EndReason::Forced)
    );
    // Lost: a terminal that went silent an hour ago, closed by another's sweep.
    let silent = open(roles.target(&database, &roles.terminal));
    let hour_ago = silent.now() - 3_600_000;
    let lost = silent
        .open_session(ann.id, &origin, 5_000, hour_ago)
        .unwrap();
    assert_eq!(
        terminal.sweep_lost(terminal.now(), &elsewhere()).unwrap(),
        1
    );
    assert_eq!(
        admin.session(lost.id).unwrap().unwrap().end_reason,
        Some(EndReason::Lost)
    );
    // The PC's own logins, as `console pam` and `console agent` write them: an
    // account's (in another case) and a name with none, opened, beaten for, ended.
    let pc = Origin {
        machine_id: Some("this-pc".into()),
        boot_id: Some("this-boot".into()),
        pid: 4242,
        ..Origin::default()
    };
    for (user, name) in [(Some(ann.id), "ANN"), (None, "visitor")] {
        let login = SystemLogin {
            service: "sshd".into(),
            name: name.into(),
        };
        terminal
            .open_system_session(user, &login, &pc, terminal.now())
            .unwrap();
        assert_eq!(
            terminal
                .beat_host("this-pc", "this-boot", terminal.now(), 5_000)
                .unwrap(),
            1
        );
        assert_eq!(
            terminal
                .end_system_session(&login, &pc, terminal.now())
                .unwrap(),
            Some(Closed::Now)
        );
    }
    // A temporary password, replaced by its owner at the terminal.
    let temporary = auth::hash_password("temporary-one").unwrap();
    admin.set_password("ann", &temporary, true).unwrap();
    let ann = log_in("temporary-one").unwrap();
    assert!(ann.must_change_password);
    auth::change_password(&terminal, &ann, "a-brand-new-one")
        .unwrap()
        .unwrap();
    assert!(log_in("a-brand-new-one").is_ok());
    // The admin role reads it all, and the record checks.
    let reasons: Vec<String> = desk
        .connect()
        .unwrap()
        .query("SELECT end_reason FROM sessions ORDER BY id", &[])
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(
        reasons,
        [
            "logout", "idle", "hangup", "forced", "lost", "logout", "logout"
        ]
    );
    console(
        &format!(
            "postgres://{}@{}",
            roles.admin,
            host_and_database(&database)
        ),
        Some(&roles.password),
    )
    .arg("verify")
    .assert()
    .success();
}

#[test]
fn roles_are_refused_to_anyone_but_the_owner() {
    let Some((roles, database)) = office("roles granted by the owner only") else {
        return;
    };
    let admin_url = format!(
        "postgres://{}@{}",
        roles.admin,
        host_and_database(&database)
    );
    console(&admin_url, Some(&roles.password))
        .args(["roles", "--terminal", "someone", "--admin", "else"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("only the owner"));
    console(&database.url(), None)
        .args(["roles", "--terminal", "same", "--admin", "same"])
        .assert()
        .code(65);
}

#[test]
fn a_sqlite_file_has_no_roles() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("office.db");
    Db::open(&Target::Sqlite(path.clone())).unwrap();
    console(path.to_str().unwrap(), None)
        .args(["roles", "--terminal", "kiosk", "--admin", "desk"])
        .env("LANG", "C")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("a SQLite file has none"));
}
