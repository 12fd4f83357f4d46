//! `console add-users`: from a CSV file, by role and count, or at prompts.
//! stdout carries only the CSV of the accounts created; everything else goes to stderr.

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};

use crate::auth;
use crate::cli::AddUsersArgs;
use crate::clock::now_ms;
use crate::db::Db;
use crate::error::Error;
use crate::import::{self, Candidate};
use crate::model::Role;
use crate::tr;

pub fn run(args: &AddUsersArgs, db_path: &Path, out: &mut dyn Write) -> Result<()> {
    // The input is read before the database is opened: a missing file creates nothing.
    let file_candidates = match &args.file {
        Some(file) => Some(read_csv(file)?),
        None => None,
    };
    let db = if args.dry_run {
        Db::open_read_only(db_path)?
    } else {
        Some(Db::open(db_path)?)
    };
    let candidates = match (file_candidates, args.role, args.count) {
        (Some(candidates), _, _) => candidates,
        (None, Some(role), Some(count)) => {
            numbered(db.as_ref(), role, args.prefix.as_deref(), count)?
        }
        _ => interactive(db.as_ref())?,
    };
    let source = args.file.as_ref().map(|f| f.display().to_string());
    let candidates = leave_out_existing(
        db.as_ref(),
        candidates,
        source.as_deref(),
        args.skip_existing,
    )?;

    if args.dry_run {
        let names: Vec<&str> = candidates.iter().map(|c| c.username.as_str()).collect();
        eprintln!(
            "{}",
            tr!(dry_run, count = names.len(), names = names.join(", "))
        );
        return Ok(());
    }
    let Some(db) = db else {
        unreachable!("opened for writing above")
    };
    create(&db, &candidates, args.skip_existing, out)
}

fn read_csv(file: &Path) -> Result<Vec<Candidate>> {
    let bytes = std::fs::read(file)
        .map_err(|e| Error::NoInput(tr!(cannot_read_file, file = file.display(), error = e)))?;
    Ok(import::parse_csv(&bytes, &file.display().to_string())?)
}

fn numbered(
    db: Option<&Db>,
    role: Role,
    prefix: Option<&str>,
    count: u32,
) -> Result<Vec<Candidate>> {
    let prefix = prefix.unwrap_or(role.as_str());
    let existing = match db {
        Some(db) => db.usernames_with_prefix(prefix)?,
        None => Vec::new(),
    };
    Ok(import::numbered_names(prefix, &existing, count)?
        .into_iter()
        .map(|username| Candidate {
            line: None,
            username,
            full_name: String::new(),
            role,
            password: None,
        })
        .collect())
}

/// Refuses names that exist already, every one named with its file and line; with
/// `skip_existing`, leaves them out instead and says so.
fn leave_out_existing(
    db: Option<&Db>,
    candidates: Vec<Candidate>,
    source: Option<&str>,
    skip_existing: bool,
) -> Result<Vec<Candidate>> {
    let Some(db) = db else { return Ok(candidates) };
    let existing = db.existing_usernames(candidates.iter().map(|c| c.username.as_str()))?;
    if existing.is_empty() {
        return Ok(candidates);
    }
    let is_existing = |c: &Candidate| existing.iter().any(|e| e.eq_ignore_ascii_case(&c.username));
    if skip_existing {
        eprintln!(
            "{}",
            tr!(
                skipping_existing,
                count = existing.len(),
                names = existing.join(", ")
            )
        );
        return Ok(candidates.into_iter().filter(|c| !is_existing(c)).collect());
    }
    let problems = candidates
        .iter()
        .filter(|c| is_existing(c))
        .map(|c| {
            let place = match (source, c.line) {
                (Some(file), Some(line)) => format!("{file}:{line}: "),
                _ => String::new(),
            };
            format!("{place}{}", tr!(user_exists, name = c.username))
        })
        .chain(std::iter::once(tr!(nothing_written_skip)))
        .collect();
    Err(Error::BadInput(problems).into())
}

/// Generates the missing passwords, hashes all on every core, writes all in one
/// transaction, then prints what was created.
fn create(
    db: &Db,
    candidates: &[Candidate],
    skip_existing: bool,
    out: &mut dyn Write,
) -> Result<()> {
    let passwords: Vec<String> = candidates
        .iter()
        .map(|c| c.password.clone().unwrap_or_else(auth::generate_password))
        .collect();
    let progress = progress_bar(candidates.len());
    let new_users = import::hashed(candidates, &passwords, || progress.inc(1))?;
    progress.finish_and_clear();
    let created = db.create_users(&new_users, skip_existing, now_ms())?;

    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(["username", "role", "password"])?;
    for &index in &created {
        let (candidate, password) = (&candidates[index], &passwords[index]);
        let shown = if candidate.password.is_none() {
            password.as_str()
        } else {
            ""
        };
        writer.write_record([candidate.username.as_str(), candidate.role.as_str(), shown])?;
    }
    writer.flush()?;
    let generated = created
        .iter()
        .filter(|&&i| candidates[i].password.is_none())
        .count();
    eprintln!("{}", tr!(created_users, count = created.len()));
    if generated > 0 {
        eprintln!("{}", tr!(generated_passwords, count = generated));
    }
    Ok(())
}

fn progress_bar(total: usize) -> ProgressBar {
    let bar = ProgressBar::new(total as u64);
    if let Ok(style) = ProgressStyle::with_template(&format!(
        "{} {{bar:40}} {{pos}}/{{len}} {{eta}}",
        tr!(hashing_passwords)
    )) {
        bar.set_style(style);
    }
    bar
}

/// Asks for users one by one; a summary and a confirmation before anything is written.
fn interactive(db: Option<&Db>) -> Result<Vec<Candidate>> {
    use dialoguer::{Confirm, Input, Password, Select};
    if !std::io::stdin().is_terminal() {
        return Err(Error::Usage(tr!(interactive_needs_terminal)).into());
    }
    let mut candidates: Vec<Candidate> = Vec::new();
    loop {
        let taken: Vec<String> = candidates
            .iter()
            .map(|c| c.username.to_ascii_lowercase())
            .collect();
        let username: String = Input::new()
            .with_prompt(tr!(username))
            .validate_with(|name: &String| -> Result<(), String> {
                if let Some(problem) = import::username_problem(name) {
                    return Err(problem);
                }
                let exists = db.map(|db| db.existing_usernames([name.as_str()]));
                if taken.contains(&name.to_ascii_lowercase())
                    || exists.is_some_and(|found| found.is_ok_and(|f| !f.is_empty()))
                {
                    return Err(tr!(user_exists, name = name));
                }
                Ok(())
            })
            .interact_text()?;
        let full_name: String = Input::new()
            .with_prompt(tr!(col_full_name))
            .allow_empty(true)
            .interact_text()?;
        let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        let role = Role::ALL[Select::new()
            .with_prompt(tr!(role))
            .items(&roles)
            .default(0)
            .interact()?];
        let password = if Confirm::new()
            .with_prompt(tr!(prompt_generate))
            .default(true)
            .interact()?
        {
            None
        } else {
            Some(
                Password::new()
                    .with_prompt(tr!(password))
                    .with_confirmation(tr!(repeat_password), tr!(prompt_passwords_differ))
                    .validate_with(|p: &String| auth::password_problem(p).map_or(Ok(()), Err))
                    .interact()?,
            )
        };
        candidates.push(Candidate {
            line: None,
            username,
            full_name: full_name.trim().into(),
            role,
            password,
        });
        if !Confirm::new()
            .with_prompt(tr!(prompt_another))
            .default(false)
            .interact()?
        {
            break;
        }
    }
    let t = crate::i18n::texts();
    let mut summary = super::table(&[t.username, t.col_full_name, t.role, t.col_password]);
    for c in &candidates {
        let password = if c.password.is_some() {
            t.password_given
        } else {
            t.password_generated
        };
        summary.add_row([c.username.as_str(), &c.full_name, c.role.as_str(), password]);
    }
    eprintln!("{summary}");
    if Confirm::new()
        .with_prompt(tr!(prompt_create, count = candidates.len()))
        .interact()?
    {
        Ok(candidates)
    } else {
        Err(Error::Refused(tr!(cancelled)).into())
    }
}
