//! `console demo`: the whole product on a throw-away database, with one command.

use anyhow::{Context, Result};

use crate::cli::DemoArgs;
use crate::clock::Zone;
use crate::db::{Db, Range, Target, Whose};
use crate::demo;
use crate::error::Error;
use crate::import;
use crate::model::Role;
use crate::schedule::Span;
use crate::station::{self, Mode};
use crate::tui::monitor::Leaving;

const SAMPLE_USERS: &str = include_str!("../../users_sample.csv");
/// How far back the demo's history goes.
const PAST_DAYS: i64 = 28;

/// Runs the demo on `given` when typed on the command line, else on a temporary SQLite
/// database that is removed afterwards. A given database must hold no users yet (a
/// SQLite file may not exist): the demo's public passwords, three admins among them,
/// never land in an office's database.
pub fn run(args: &DemoArgs, given: Option<&Target>) -> Result<()> {
    let temporary = match given {
        Some(_) => None,
        None => Some(tempfile::tempdir().context("creating a temporary folder")?),
    };
    let target = match (&temporary, given) {
        (Some(dir), _) => Target::Sqlite(dir.path().join("demo.db")),
        (None, Some(target)) => target.clone(),
        (None, None) => unreachable!("one of the two is set"),
    };
    if given.is_some() && Db::holds_accounts(&target)? {
        return Err(Error::Refused(crate::said!(demo_not_empty, db = target.describe())).into());
    }
    let accounts = import_sample_users(&target)?;
    let (admin_name, admin_password) = accounts
        .iter()
        .find(|(_, _, role)| *role == Role::Admin)
        .map(|(name, password, _)| (name.clone(), password.clone()))
        .context("the sample users have no admin")?;
    let db = Db::open(&target)?;
    let admin_id = db
        .user(&admin_name)?
        .context("the sample admin is missing")?
        .id;
    set_office_hours(&db)?;
    let at_work = seed_past_weeks(&db, &accounts)?;
    let staff: Vec<(String, String)> = accounts
        .into_iter()
        .filter(|(_, _, role)| *role != Role::Admin)
        .map(|(name, password, _)| (name, password))
        .collect();
    let _simulator = demo::start(
        &target,
        usize::from(args.terminals),
        staff,
        admin_id,
        at_work,
    )?;
    let banner = crate::tr!(
        demo_banner,
        terminals = args.terminals,
        db = target.describe(),
        admin = admin_name,
        password = admin_password
    );
    station::run(
        &target,
        &args.terminal,
        Mode::Monitor {
            banner: Some(banner),
            sign_in: Some((admin_name, admin_password)),
            confirm_quit: Some(if temporary.is_some() {
                Leaving::DatabaseRemoved
            } else {
                Leaving::DatabaseKept
            }),
            // The demo's office proves nothing to anyone: no checkpoints of it.
            witness: None,
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
    demo::seed_history(db, &staff, db.now(), Zone::Local, PAST_DAYS, rand::random())
}

/// The hours the demo's office keeps, for every role: Monday to Friday, 08:00 to
/// 16:00, ten minutes' grace; so that the exceptions, the sheet and the monitor's day
/// have something to judge by.
fn set_office_hours(db: &Db) -> Result<()> {
    if !db.schedules()?.is_empty() {
        return Ok(());
    }
    let weekdays = [true, true, true, true, true, false, false];
    let hours = Span {
        start: 8 * 60,
        end: 16 * 60,
        grace: 10,
    };
    for role in Role::ALL {
        db.set_schedule(&Whose::Role(role), None, weekdays, hours, false)?;
    }
    Ok(())
}

/// Imports the sample users (those that exist already are left as they are) and returns
/// each with its password and role.
fn import_sample_users(target: &Target) -> Result<Vec<(String, String, Role)>> {
    let candidates = import::parse_csv(SAMPLE_USERS.as_bytes(), "users_sample.csv")?;
    let passwords: Vec<String> = candidates
        .iter()
        .map(|c| c.password.clone().unwrap_or_default())
        .collect();
    let users = import::hashed(&candidates, &passwords, || {})?;
    let db = Db::open(target)?;
    // Their accounts are as old as the history the demo writes of them.
    let created = db.now() - (PAST_DAYS + 1) * 24 * 3_600_000;
    db.create_users(&users, true, created)?;
    Ok(candidates
        .into_iter()
        .zip(passwords)
        .map(|(c, password)| (c.username, password, c.role))
        .collect())
}
