//! `console demo`: the whole product on a throw-away database, with one command.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::cli::DemoArgs;
use crate::clock::{local_offset, now_ms};
use crate::db::{Db, Range};
use crate::demo;
use crate::import;
use crate::model::Role;
use crate::station::{self, Mode};

const SAMPLE_USERS: &str = include_str!("../../users_sample.csv");
/// How far back the demo's history goes.
const PAST_DAYS: i64 = 28;

/// Runs the demo on `db` when given on the command line, else on a temporary database
/// that is removed afterwards.
pub fn run(args: &DemoArgs, db: Option<&Path>) -> Result<()> {
    let temporary = match db {
        Some(_) => None,
        None => Some(tempfile::tempdir().context("creating a temporary folder")?),
    };
    let path: PathBuf = match (&temporary, db) {
        (Some(dir), _) => dir.path().join("demo.db"),
        (None, Some(path)) => path.to_path_buf(),
        (None, None) => unreachable!("one of the two is set"),
    };
    let accounts = import_sample_users(&path)?;
    let (admin_name, admin_password) = accounts
        .iter()
        .find(|(_, _, role)| *role == Role::Admin)
        .map(|(name, password, _)| (name.clone(), password.clone()))
        .context("the sample users have no admin")?;
    let db = Db::open(&path)?;
    let admin_id = db
        .user(&admin_name)?
        .context("the sample admin is missing")?
        .id;
    let at_work = seed_past_weeks(&db, &accounts)?;
    let staff: Vec<(String, String)> = accounts
        .into_iter()
        .filter(|(_, _, role)| *role != Role::Admin)
        .map(|(name, password, _)| (name, password))
        .collect();
    let _simulator = demo::start(&path, usize::from(args.terminals), staff, admin_id, at_work)?;
    let banner = crate::tr!(
        demo_banner,
        terminals = args.terminals,
        db = path.display(),
        admin = admin_name,
        password = admin_password
    );
    station::run(
        &path,
        &args.terminal,
        Mode::Monitor {
            banner: Some(banner),
            sign_in: Some((admin_name, admin_password)),
            confirm_quit: true,
        },
    )
}

/// Four weeks of the office's past, on a database that has no history yet: something
/// for the histories and the reports to show. Returns those at work since the morning.
fn seed_past_weeks(db: &Db, accounts: &[(String, String, Role)]) -> Result<Vec<demo::AtWork>> {
    if !db.sessions_in(&Range::default(), Some(1))?.is_empty() {
        return Ok(Vec::new());
    }
    let mut staff = Vec::new();
    for (name, _, _) in accounts {
        if let Some(user) = db.user(name)? {
            staff.push((user.id, user.username));
        }
    }
    demo::seed_history(
        db,
        &staff,
        now_ms(),
        local_offset(),
        PAST_DAYS,
        rand::random(),
    )
}

/// Imports the sample users (those that exist already are left as they are) and returns
/// each with its password and role.
fn import_sample_users(path: &Path) -> Result<Vec<(String, String, Role)>> {
    let candidates = import::parse_csv(SAMPLE_USERS.as_bytes(), "users_sample.csv")?;
    let passwords: Vec<String> = candidates
        .iter()
        .map(|c| c.password.clone().unwrap_or_default())
        .collect();
    let users = import::hashed(&candidates, &passwords, || {})?;
    Db::open(path)?.create_users(&users, true, now_ms())?;
    Ok(candidates
        .into_iter()
        .zip(passwords)
        .map(|(c, password)| (c.username, password, c.role))
        .collect())
}
