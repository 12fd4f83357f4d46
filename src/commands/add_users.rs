//! `console add-users`: from a CSV file, by role and count, or at prompts.
//! stdout carries only the CSV of the accounts created; everything else goes to stderr.

use std::io::{IsTerminal, Read, Write};
use std::path::Path;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};

use crate::auth;
use crate::cli::AddUsersArgs;
use crate::db::{Db, Target};
use crate::error::Error;
use crate::import::{self, Candidate, Parsed};
use crate::model::Role;
use crate::tr;

pub fn run(args: &AddUsersArgs, target: &Target, out: &mut dyn Write) -> Result<()> {
    // The input is read before the database is opened: a missing file creates nothing.
    let file_rows = match &args.file {
        Some(file) => Some(read_csv(file)?),
        None => None,
    };
    let db = if args.dry_run {
        Db::open_read_only(target)?
    } else {
        let mut db = Db::open(target)?;
        db.act_as(crate::origin::actor());
        db.check_integrity(&["users"])?;
        Some(db)
    };
    let candidates = match (file_rows, args.role, args.count) {
        (Some((parsed, source)), _, _) => {
            from_file(db.as_ref(), parsed, &source, args.skip_existing)?
        }
        (None, Some(role), Some(count)) => {
            numbered(db.as_ref(), role, args.prefix.as_deref(), count)?
        }
        _ => interactive(db.as_ref())?,
    };

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
    let given_passwords = candidates.iter().any(|c| c.password.is_some());
    if given_passwords && args.file.is_some() && !args.temporary {
        eprintln!("{}", tr!(passwords_from_file));
    }
    create(
        &db,
        &candidates,
        args.skip_existing,
        args.temporary,
        !args.no_header,
        out,
    )
}

/// The largest file of accounts read: 100 000 accounts take about 8 MB. Past it the
/// file is not an office's list (`/dev/zero`, a disk image), and is refused before it
/// fills the memory.
const LARGEST_FILE: u64 = 64 << 20;

fn read_csv(file: &Path) -> Result<(Parsed, String)> {
    let unreadable = |e: std::io::Error| {
        Error::NoInput(crate::said!(
            cannot_read_file,
            file = file.display(),
            error = e
        ))
    };
    let mut bytes = Vec::new();
    std::fs::File::open(file)
        .and_then(|f| f.take(LARGEST_FILE + 1).read_to_end(&mut bytes))
        .map_err(unreadable)?;
    let source = file.display().to_string();
    if bytes.len() as u64 > LARGEST_FILE {
        return Err(Error::bad_input(tr!(
            file_too_large,
            file = source,
            megabytes = LARGEST_FILE >> 20
        ))
        .into());
    }
    Ok((import::parse_csv_rows(&bytes, &source)?, source))
}

/// The file's accounts, or every problem at once, its own rows' and the names that
/// exist already, each with its line; with `skip_existing`, those are left out instead.
fn from_file(
    db: Option<&Db>,
    parsed: Parsed,
    source: &str,
    skip_existing: bool,
) -> Result<Vec<Candidate>> {
    let Parsed {
        candidates,
        mut problems,
    } = parsed;
    let candidates = match db {
        Some(db) => leave_out_existing(db, candidates, skip_existing, &mut problems)?,
        None => candidates,
    };
    if problems.is_empty() {
        return Ok(candidates);
    }
    let mut error = Parsed::into_error(problems, source);
    if let Error::BadInput(lines) = &mut error {
        lines.push(tr!(nothing_written));
    }
    Err(error.into())
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

/// Names that exist already become problems of their lines; with `skip_existing`, they
/// are left out instead, and said so.
fn leave_out_existing(
    db: &Db,
    candidates: Vec<Candidate>,
    skip_existing: bool,
    problems: &mut Vec<(u64, String)>,
) -> Result<Vec<Candidate>> {
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
    problems.extend(candidates.iter().filter(|c| is_existing(c)).map(|c| {
        (
            c.line.unwrap_or(0),
            tr!(user_exists_skip, name = c.username),
        )
    }));
    Ok(candidates)
}

/// Generates the missing passwords, hashes all on every core, writes all in one
/// transaction, then prints what was created.
fn create(
    db: &Db,
    candidates: &[Candidate],
    skip_existing: bool,
    temporary: bool,
    header: bool,
    out: &mut dyn Write,
) -> Result<()> {
    let passwords: Vec<String> = candidates
        .iter()
        .map(|c| c.password.clone().unwrap_or_else(auth::generate_password))
        .collect();
    let progress = progress_bar(candidates.len());
    let mut new_users = import::hashed(candidates, &passwords, || progress.inc(1))?;
    for user in &mut new_users {
        user.must_change_password |= temporary;
    }
    progress.finish_and_clear();
    let created = db.create_users(&new_users, skip_existing, db.now())?;

    let mut writer = csv::Writer::from_writer(out);
    if header {
        writer.write_record(["username", "role", "password"])?;
    }
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

/// A yes-or-no question in the language of the prompts: `[O/n]` in French, `[W/n]` in
/// Creole (dialoguer's own Confirm knows only y and n). The answer is the word or its
/// first letter, in any case, English's too; Enter takes `default` when there is one.
fn confirm(question: &str, default: Option<bool>) -> Result<bool> {
    let t = crate::i18n::texts();
    let letter = |word: &str| word.chars().next().unwrap_or_default();
    let (yes, no) = (letter(t.key_yes), letter(t.key_no));
    let hint = match default {
        Some(true) => format!("[{}/{no}]", yes.to_uppercase()),
        Some(false) => format!("[{yes}/{}]", no.to_uppercase()),
        None => format!("[{yes}/{no}]"),
    };
    let answer = |text: &str| -> Option<bool> {
        let text = text.trim().to_lowercase();
        if text.is_empty() {
            return default;
        }
        let is = |word: &str| text == word || text == letter(word).to_string();
        if is(t.key_yes) || is("yes") {
            Some(true)
        } else if is(t.key_no) || is("no") {
            Some(false)
        } else {
            None
        }
    };
    let typed: String = dialoguer::Input::new()
        .with_prompt(format!("{question} {hint}"))
        .allow_empty(default.is_some())
        .validate_with(|text: &String| answer(text).map(|_| ()).ok_or_else(|| hint.clone()))
        .interact_text()?;
    Ok(answer(&typed).unwrap_or_default())
}

/// Asks for users one by one; a summary and a confirmation before anything is written.
fn interactive(db: Option<&Db>) -> Result<Vec<Candidate>> {
    use dialoguer::{Input, Password, Select};
    if !std::io::stdin().is_terminal() {
        return Err(Error::Usage(crate::said!(interactive_needs_terminal)).into());
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
        // The least privileged first, where the cursor starts: an admin is chosen, never
        // fallen into by pressing Enter.
        let by_privilege = [
            Role::Archives,
            Role::Secretaire,
            Role::Directeur,
            Role::Admin,
        ];
        let roles: Vec<&str> = by_privilege.iter().map(|r| r.as_str()).collect();
        let role = by_privilege[Select::new()
            .with_prompt(tr!(role))
            .items(&roles)
            .default(0)
            .interact()?];
        let password = if confirm(&tr!(prompt_generate), Some(true))? {
            None
        } else {
            Some(
                Password::new()
                    .with_prompt(tr!(password))
                    .with_confirmation(tr!(repeat_password), tr!(prompt_passwords_differ))
                    .validate_with(|p: &String| {
                        auth::password_problem(p).map_or(Ok(()), |e| Err(e.to_string()))
                    })
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
        if !confirm(&tr!(prompt_another), Some(false))? {
            break;
        }
    }
    let t = crate::i18n::texts();
    let columns = [
        (t.username, 0),
        (t.col_full_name, 1),
        (t.role, 0),
        (t.col_password, 0),
    ];
    let rows: Vec<Vec<String>> = candidates
        .iter()
        .map(|c| {
            let password = if c.password.is_some() {
                t.password_given
            } else {
                t.password_generated
            };
            vec![
                c.username.clone(),
                c.full_name.clone(),
                c.role.to_string(),
                password.into(),
            ]
        })
        .collect();
    let width = std::io::stderr()
        .is_terminal()
        .then(|| ratatui::crossterm::terminal::size().ok().map(|(w, _)| w))
        .flatten();
    super::write_table(&mut std::io::stderr(), &columns, &rows, width)?;
    if confirm(&tr!(prompt_create, count = candidates.len()), None)? {
        Ok(candidates)
    } else {
        Err(Error::Refused(crate::said!(cancelled)).into())
    }
}
