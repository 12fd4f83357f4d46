//! `cargo bench --bench login`: one login (look up, verify, record the attempt, open the
//! session, read the previous login) split into the argon2id verify and everything
//! else, on a database file and on a PostgreSQL server over loopback (when there is
//! one). Goals: everything else <= 1 ms on SQLite and <= 5 ms on PostgreSQL, the
//! journal's entries included; a journal entry appended <= 0.2 ms (what it adds to the
//! write transaction of its fact).

mod support;

use argon2::password_hash::{PasswordHasher, phc::Salt};
use argon2::{Algorithm, Argon2, Params, Version};
use konekte::auth::{self, LockPolicy, LoginRequest};
use konekte::clock::now_ms;
use konekte::db::{Db, Target};
use konekte::model::{EndReason, NewUser, Origin, Role};

const LOGINS: usize = 200;
const PASSWORD: &str = "bench-password";

fn main() {
    let dir = tempfile::tempdir().expect("temporary folder");
    measure("SQLite", &Target::Sqlite(dir.path().join("bench.db")));
    match support::postgres_server() {
        Some(server) => {
            let database = konekte::db::testing::PgDatabase::new(&server);
            measure(
                "PostgreSQL over loopback",
                &Target::Postgres(Box::new(database.target.clone())),
            );
        }
        None => println!("PostgreSQL: no server (KONEKTE_BENCH_POSTGRES, or PG*): not measured"),
    }
}

fn measure(backend: &str, target: &Target) {
    let db = Db::open(target).expect("database");
    let real_cost = auth::hash_password(PASSWORD).expect("hash");
    db.create_users(
        &[
            user("real", real_cost.clone()),
            user("cheap", cheapest_hash()),
        ],
        false,
        now_ms(),
    )
    .expect("users");
    let origin = Origin::of_this_process();

    let verify = support::median(LOGINS / 4, || {
        assert!(auth::verify_password(PASSWORD, &real_cost));
    });
    let whole = support::median(LOGINS / 4, || log_in_and_out(&db, "real", &origin));
    let everything_else = support::median(LOGINS, || log_in_and_out(&db, "cheap", &origin));

    let append = support::median(LOGINS, || {
        konekte::db::testing::append_one(&db).expect("append");
    });
    let one_row = support::median(LOGINS, || {
        konekte::db::testing::write_one_row(&db).expect("a write of one row");
    });
    let append = append.saturating_sub(one_row);

    println!("{backend}:");
    println!(
        "  login, whole (median of {}):          {:>8.3} ms",
        LOGINS / 4,
        support::ms(whole)
    );
    println!(
        "  argon2id verify (m=19 MiB, t=2, p=1): {:>8.3} ms",
        support::ms(verify)
    );
    // With the journal: a file's writes are local, a server's cross the network.
    let goal = if backend == "SQLite" {
        "<= 1 ms"
    } else {
        "<= 5 ms"
    };
    println!(
        "  everything else (median of {LOGINS}):  {:>8.3} ms   goal {goal}",
        support::ms(everything_else)
    );
    println!(
        "  a journal entry appended (median of {LOGINS}): {:>6.3} ms   goal <= 0.2 ms",
        support::ms(append)
    );
    support::row(
        &format!("a journal entry appended, {backend}"),
        format!("{:.3} ms", support::ms(append)),
        "<= 0.2 ms",
        format!(
            "beyond a write transaction of one row, {:.3} ms",
            support::ms(one_row)
        ),
    );
    support::row(
        &format!("a login, all but the argon2 verify, {backend}"),
        format!("{:.2} ms", support::ms(everything_else)),
        goal,
        format!(
            "whole login {:.1} ms, of which verify {:.1} ms",
            support::ms(whole),
            support::ms(verify)
        ),
    );
}

/// What the login screen does for one person, and the logout that follows (not timed
/// apart: a logout is one short UPDATE).
fn log_in_and_out(db: &Db, username: &str, origin: &Origin) {
    let request = LoginRequest {
        username,
        password: PASSWORD,
        admin_only: false,
    };
    let user = auth::authenticate(db, &request, origin, &LockPolicy::default(), now_ms())
        .expect("authenticate")
        .expect("granted");
    let session = db
        .open_session(user.id, origin, 5_000, now_ms())
        .expect("open");
    db.previous_login(user.id, session.id).expect("previous");
    db.failures_since(user.id, 0).expect("failures");
    db.close_session(session.id, EndReason::Logout, now_ms(), None, None)
        .expect("close");
}

fn user(username: &str, password_hash: String) -> NewUser {
    NewUser {
        username: username.into(),
        full_name: String::new(),
        role: Role::Secretaire,
        password_hash,
        must_change_password: false,
    }
}

/// A PHC string with argon2's smallest cost: verifying it takes microseconds, so a login
/// with it measures everything but the hash.
fn cheapest_hash() -> String {
    let params = Params::new(8, 1, 1, None).expect("params");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_with_salt(PASSWORD.as_bytes(), &Salt::generate())
        .expect("hash")
        .to_string()
}
