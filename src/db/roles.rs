//! Least privilege on PostgreSQL (`console roles`): a terminal role that writes only
//! through konekte's functions (schema 8), and an admin role for the admin commands
//! and the monitor. Run by the owner of konekte's tables; run again, it grants the same.

use anyhow::Result;

use super::Db;
use super::backend::value::params;
use super::backend::{Dialect, Exec, Tx};
use super::tables::journal;
use crate::error::Error;
use crate::journal::{Fact, RolesGranted};

/// What a terminal does, each function its only way to do it.
const TERMINAL_FUNCTIONS: &[&str] = &[
    "konekte_login_account",
    "konekte_set_lockout",
    "konekte_record_attempt",
    "konekte_open_session",
    "konekte_beat",
    "konekte_beat_host",
    "konekte_end_own",
    "konekte_lock_session",
    "konekte_close_lost",
    "konekte_stall_ended",
    "konekte_change_temporary_password",
];

/// The tables a terminal reads whole: none holds a secret.
const TERMINAL_READS: &[&str] = &[
    "konekte_schema",
    "journal_head",
    "write_stalls",
    "login_attempts",
];

/// The tables a terminal reads all but a column of: the password hashes (read one name
/// at a time through `konekte_login_account`) and the sessions' keys (what proves a
/// session is a terminal's own).
const TERMINAL_READS_BUT: &[(&str, &str)] =
    &[("users", "password_hash"), ("sessions", "session_key")];

/// Whether each role was created now.
pub struct Granted {
    pub terminal_created: bool,
    pub admin_created: bool,
}

impl Db {
    /// Creates the two roles if missing (with LOGIN, never a password) and grants each
    /// exactly its part, in one transaction, journaled as an admin's action.
    pub fn grant_roles(&self, terminal: &str, admin: &str) -> Result<Granted> {
        if self.dialect() != Dialect::Postgres {
            return Err(Error::Usage(crate::said!(roles_sqlite)).into());
        }
        if terminal == admin {
            return Err(Error::bad_input(crate::tr!(roles_same, role = terminal)).into());
        }
        self.write(|tx| {
            refuse_unless_owner(tx)?;
            let granted = Granted {
                terminal_created: create_role(tx, terminal)?,
                admin_created: create_role(tx, admin)?,
            };
            let (terminal_id, admin_id) = (quoted(tx, terminal)?, quoted(tx, admin)?);
            for statement in grants(tx, &terminal_id, &admin_id)? {
                tx.execute(&statement, params![])?;
            }
            let fact = Fact::RolesGranted(RolesGranted {
                terminal: terminal.into(),
                admin: admin.into(),
                by: self.actor(),
            });
            journal::append(tx, self.now(), None, &fact)?;
            Ok(granted)
        })
    }
}

/// Only the owner of konekte's tables can grant on them (and a role that is a superuser
/// is refused: nothing can be withheld from it).
fn refuse_unless_owner(tx: &Tx) -> Result<()> {
    let row = tx.query_row(
        "SELECT tableowner::TEXT, current_user::TEXT FROM pg_tables
         WHERE schemaname = current_schema() AND tablename = 'sessions'",
        params![],
    )?;
    let (owner, me): (String, String) = (row.get(0)?, row.get(1)?);
    if owner != me {
        return Err(Error::Refused(crate::said!(roles_not_owner, owner = owner, me = me)).into());
    }
    Ok(())
}

/// Creates `role` with LOGIN if it does not exist; true if it did not. An existing
/// superuser, or the owner itself, is refused.
fn create_role(tx: &Tx, role: &str) -> Result<bool> {
    let existing = tx.query_opt(
        "SELECT rolsuper OR rolname = current_user FROM pg_roles WHERE rolname = ?1",
        params![role],
    )?;
    match existing {
        Some(row) if row.get::<bool>(0)? => {
            Err(Error::bad_input(crate::tr!(roles_too_strong, role = role)).into())
        }
        Some(_) => Ok(false),
        None => {
            tx.execute(
                &format!("CREATE ROLE {} LOGIN", quoted(tx, role)?),
                params![],
            )?;
            Ok(true)
        }
    }
}

/// `name` as an identifier in SQL, quoted by the server's own rule.
fn quoted(tx: &Tx, name: &str) -> Result<String> {
    tx.query_row("SELECT quote_ident(?1)", params![name])?
        .get(0)
}

/// The statements that give each role its part: everything taken from the terminal
/// first, so that a second run leaves exactly what this one grants.
fn grants(tx: &Tx, terminal: &str, admin: &str) -> Result<Vec<String>> {
    let schema: String = tx
        .query_row("SELECT quote_ident(current_schema())", params![])?
        .get(0)?;
    let database: String = tx
        .query_row("SELECT quote_ident(current_database())", params![])?
        .get(0)?;
    let mut statements = vec![
        format!("REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {terminal}"),
        format!("REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {terminal}"),
        format!("REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {schema} FROM {terminal}"),
        // Nobody else may put objects beside konekte's (an operator or a function that
        // a definer's function would find first).
        format!("REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC"),
        format!("GRANT CONNECT ON DATABASE {database} TO {terminal}, {admin}"),
        format!("GRANT USAGE ON SCHEMA {schema} TO {terminal}, {admin}"),
        format!(
            "GRANT SELECT ON {} TO {terminal}",
            TERMINAL_READS.join(", ")
        ),
        format!(
            "GRANT EXECUTE ON FUNCTION {} TO {terminal}",
            TERMINAL_FUNCTIONS.join(", ")
        ),
        format!("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {admin}"),
        format!("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {admin}"),
        format!("GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {schema} TO {admin}"),
        // What a later version of the schema adds is the admin's too (the terminal's
        // new functions wait for `roles` to be run again).
        format!(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA {schema}
             GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {admin}"
        ),
        format!(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA {schema}
             GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {admin}"
        ),
        format!(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT EXECUTE ON FUNCTIONS TO {admin}"
        ),
    ];
    for (table, secret) in TERMINAL_READS_BUT {
        let columns: String = tx
            .query_row(
                "SELECT string_agg(quote_ident(column_name::TEXT), ', ' ORDER BY ordinal_position)
                 FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = ?1 AND column_name <> ?2",
                params![table, secret],
            )?
            .get(0)?;
        statements.push(format!("GRANT SELECT ({columns}) ON {table} TO {terminal}"));
    }
    Ok(statements)
}
