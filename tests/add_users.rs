//! `console add-users`, through the real binary.

mod common;

use std::os::unix::fs::PermissionsExt;

use common::{Office, SAMPLE_CSV, path_str, stdout_of};
use predicates::prelude::*;

#[test]
fn the_sample_file_creates_its_sixteen_accounts_in_a_private_file() {
    let office = Office::new();
    let out = stdout_of(office.console(&["add-users", "--file", SAMPLE_CSV]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "username,role,password");
    assert_eq!(lines.len(), 17);
    // Passwords given in the file are not echoed.
    assert!(lines.contains(&"Fedanoir,admin,"));
    assert!(lines.contains(&"secretaire_test,secretaire,"));
    if !office.is_postgres() {
        let mode = std::fs::metadata(&office.db).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    assert_eq!(office.users_csv().lines().count(), 17);
}

#[test]
fn importing_again_names_every_duplicate_and_changes_nothing() {
    let office = Office::with_sample_users();
    let before = office.users_csv();
    office
        .console(&["add-users", "--file", SAMPLE_CSV])
        .assert()
        .code(65)
        .stdout("")
        .stderr(predicate::str::contains(
            "users_sample.csv:2: user \"Fedanoir\" exists already",
        ))
        .stderr(predicate::str::contains(
            "users_sample.csv:17: user \"archives002\" exists already",
        ))
        .stderr(predicate::str::contains("nothing was written"));
    assert_eq!(office.users_csv(), before);
}

#[test]
fn bad_rows_and_existing_names_are_reported_together() {
    let office = Office::with_sample_users();
    let file = office.file(
        "mixed.csv",
        b"username,full_name,role,password\nHantz123,,secretaire,\nnewcomer,,boss,\nfresh01,,archives,\n",
    );
    let before = office.users_csv();
    office
        .console(&["add-users", "--file", common::path_str(&file)])
        .assert()
        .code(65)
        .stderr(predicate::str::contains(
            "mixed.csv:2: user \"Hantz123\" exists already",
        ))
        .stderr(predicate::str::contains(
            "mixed.csv:3: unknown role \"boss\"",
        ))
        .stderr(predicate::str::contains("nothing was written"));
    assert_eq!(office.users_csv(), before);
}

#[test]
fn temporary_makes_the_passwords_of_a_file_be_changed_at_first_login() {
    let office = Office::new();
    let file = office.file(
        "staff.csv",
        b"username,full_name,role,password\nfirst01,,admin,a-known-password\n",
    );
    office
        .console(&["add-users", "--file", common::path_str(&file)])
        .assert()
        .success()
        .stderr(predicate::str::contains("--temporary"));
    assert_eq!(
        office.sql_count("SELECT must_change_password FROM users WHERE username = 'first01'"),
        0
    );
    let file = office.file(
        "more.csv",
        b"username,full_name,role,password\nsecond02,,archives,a-known-password\n",
    );
    office
        .console(&[
            "add-users",
            "--file",
            common::path_str(&file),
            "--temporary",
        ])
        .assert()
        .success();
    assert_eq!(
        office.sql_count("SELECT must_change_password FROM users WHERE username = 'second02'"),
        1
    );
}

#[test]
fn skip_existing_creates_none_of_the_existing() {
    let office = Office::with_sample_users();
    office
        .console(&["add-users", "--file", SAMPLE_CSV, "--skip-existing"])
        .assert()
        .success()
        .stdout("username,role,password\n")
        .stderr(predicate::str::contains("created 0 users"));
}

#[test]
fn counted_users_number_on_and_their_passwords_are_printed_once() {
    let office = Office::with_sample_users();
    let out = stdout_of(office.console(&["add-users", "--role", "directeur", "--count", "5"]));
    let rows: Vec<Vec<&str>> = out
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let names: Vec<&str> = rows.iter().map(|r| r[0]).collect();
    assert_eq!(
        names,
        [
            "directeur003",
            "directeur004",
            "directeur005",
            "directeur006",
            "directeur007"
        ]
    );
    for row in &rows {
        assert_eq!(row[1], "directeur");
        assert!(row[2].len() >= 12, "generated password too short: {row:?}");
    }
    // Shown once: no listing shows a password again.
    assert!(!office.users_csv().contains(rows[0][2]));
    assert_eq!(
        office.sql_count("SELECT count(*) FROM users WHERE must_change_password"),
        5
    );
}

#[test]
fn a_prefix_names_the_users() {
    let office = Office::new();
    let out = stdout_of(office.console(&[
        "add-users",
        "--role",
        "Secrétaire",
        "--count",
        "2",
        "--prefix",
        "accueil",
    ]));
    assert!(out.contains("accueil001,secretaire,"));
    assert!(out.contains("accueil002,secretaire,"));
}

#[test]
fn a_bad_role_and_an_empty_name_are_both_reported_and_nothing_is_written() {
    let office = Office::with_sample_users();
    let before = office.users_csv();
    let csv = "username,full_name,role,password\n\
               new001,,admin,\n\
               new002,,admin,\n\
               new003,,boss,\n\
               new004,,admin,\n\
               new005,,admin,\n\
               new006,,admin,\n\
               new007,,admin,\n\
               ,Nobody,admin,\n";
    let file = office.file("bad.csv", csv.as_bytes());
    office
        .console(&["add-users", "--file", path_str(&file)])
        .assert()
        .code(65)
        .stdout("")
        .stderr(predicate::str::contains("bad.csv:4: unknown role \"boss\""))
        .stderr(predicate::str::contains("bad.csv:9: empty username"));
    assert_eq!(office.users_csv(), before);
}

#[test]
fn a_missing_file_is_exit_66_and_creates_no_database() {
    let office = Office::new();
    office
        .console(&["add-users", "--file", "/nonexistent/users.csv"])
        .assert()
        .code(66)
        .stderr(predicate::str::starts_with(
            "console: /nonexistent/users.csv: cannot read",
        ));
    assert!(!office.has_database());
}

#[test]
fn dry_run_checks_everything_and_writes_nothing() {
    let office = Office::new();
    office
        .console(&["add-users", "--file", SAMPLE_CSV, "--dry-run"])
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains("16 users would be created"));
    assert!(!office.has_database(), "a dry run created the database");

    let office = Office::with_sample_users();
    let before = office.snapshot();
    office
        .console(&["add-users", "--file", SAMPLE_CSV, "--dry-run"])
        .assert()
        .code(65);
    office
        .console(&[
            "add-users",
            "--role",
            "archives",
            "--count",
            "3",
            "--dry-run",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "archives003, archives004, archives005",
        ));
    assert_eq!(office.snapshot(), before);
}

#[test]
fn a_byte_order_mark_and_crlf_lines_are_accepted() {
    let office = Office::new();
    let file = office.file(
        "windows.csv",
        b"\xEF\xBB\xBFusername,full_name,role,password\r\nclerk01,Clerk,archives,\r\n",
    );
    let out = stdout_of(office.console(&["add-users", "--file", path_str(&file)]));
    assert!(out.contains("clerk01,archives,"));
    // Its problems are named at their own lines, as in a file of LF lines.
    let file = office.file(
        "excel.csv",
        b"username,full_name,role,password\r\nok1,A,archives,\r\nbad!,B,archives,\r\nok2,C,nope,\r\n",
    );
    office
        .console(&["add-users", "--dry-run", "--file", path_str(&file)])
        .assert()
        .code(65)
        .stderr(predicate::str::contains("excel.csv:3: username \"bad!\""))
        .stderr(predicate::str::contains(
            "excel.csv:4: unknown role \"nope\"",
        ));
}

#[test]
fn invalid_utf8_is_reported_with_its_line() {
    let office = Office::new();
    let file = office.file(
        "latin1.csv",
        b"username,full_name,role,password\nabc,Ren\xe9,admin,\n",
    );
    office
        .console(&["add-users", "--file", path_str(&file)])
        .assert()
        .code(65)
        .stderr(predicate::str::contains(
            "latin1.csv:2: column 2 is not valid UTF-8",
        ));
}

#[test]
fn interactive_mode_refuses_without_a_terminal() {
    let office = Office::new();
    office
        .console(&["add-users", "--interactive"])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("needs a terminal"));
}

#[test]
fn a_file_that_is_not_a_database_is_exit_74_and_untouched() {
    let office = Office::new();
    if office.is_postgres() {
        return; // A file of another kind: SQLite's; PostgreSQL's own case is in postgres.rs.
    }
    let junk = b"this is a spreadsheet, not a database".repeat(50);
    std::fs::write(&office.db, &junk).unwrap();
    office
        .console(&["add-users", "--role", "admin", "--count", "1"])
        .assert()
        .code(74)
        .stderr(predicate::str::starts_with("console: "))
        .stderr(predicate::str::contains("database unreadable"));
    assert_eq!(std::fs::read(&office.db).unwrap(), junk);
}

#[test]
fn a_database_of_a_newer_schema_is_refused() {
    let office = Office::with_sample_users();
    if office.is_postgres() {
        office.sql("UPDATE konekte_schema SET version = 999");
    } else {
        office.sql("PRAGMA user_version = 999");
    }
    office
        .console(&["users", "list"])
        .assert()
        .code(74)
        .stderr(predicate::str::contains("newer than this console knows"));
}

#[test]
fn usage_errors_are_one_line_and_say_what_was_meant() {
    let office = Office::new();
    let output = office.console(&["add-users"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("console: "), "{stderr}");
    // A mistyped command or option: what was meant, on the same line.
    office
        .console(&["usres", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "a similar subcommand exists: 'users'",
        ));
    office
        .console(&["last", "--sinse", "2d"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "a similar argument exists: '--since'",
        ));
    // A role that is not one is bad input wherever it is typed, as in a file (65).
    for args in [
        &["add-users", "--role", "boss", "--count", "1"][..],
        &["users", "list", "--role", "boss"],
        &["users", "set-role", "ann", "boss"],
    ] {
        office
            .console(args)
            .assert()
            .code(65)
            .stderr(predicate::str::contains("unknown role \"boss\""));
    }
    // The demo ignores CONSOLE_DB, and its help does not offer it as its database.
    let help = common::stdout_of(office.console(&["demo", "--help"]));
    assert!(!help.contains("[env: CONSOLE_DB"), "{help}");
    assert!(help.contains("The demo reads no CONSOLE_DB"), "{help}");
}

#[test]
fn a_file_quoted_in_an_error_cannot_drive_the_terminal() {
    let office = Office::new();
    let csv = "username,full_name,role,password\n\
               ann,,\u{1b}]0;owned\u{7}\u{1b}[2J,Pass-word-123\n";
    let file = office.file("evil.csv", csv.as_bytes());
    let output = office
        .console(&["add-users", "--file", path_str(&file)])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(65));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
    assert!(
        stderr.contains("evil.csv:2: unknown role \"\\u{1b}]0;owned\\u{7}\\u{1b}[2J\""),
        "{stderr}"
    );
}

#[test]
fn an_endless_file_is_refused_before_it_fills_the_memory() {
    let office = Office::new();
    office
        .console(&["add-users", "--file", "/dev/zero"])
        .assert()
        .code(65)
        .stderr(predicate::str::contains("/dev/zero: larger than 64 MB"));
    assert!(!office.has_database(), "nothing was written");
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

#[test]
fn a_full_disk_is_named_and_nothing_is_written() {
    let office = Office::new();
    if office.is_postgres() || !is_root() {
        eprintln!("skipped, a full disk needs root (a tmpfs) and a SQLite file");
        return;
    }
    let disk = tempfile::tempdir().expect("a mount point");
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=300k", "tmpfs"])
        .arg(disk.path())
        .status()
        .is_ok_and(|status| status.success());
    if !mounted {
        eprintln!("skipped, no tmpfs could be mounted here");
        return;
    }
    let db = disk.path().join("office.db");
    let on_disk = |args: &[&str]| {
        let mut command = office.console(args);
        command.env("CONSOLE_DB", &db);
        command
    };
    on_disk(&["add-users", "--role", "archives", "--count", "2"])
        .assert()
        .success();
    // What is left is filled, but for a little: the next write runs out of room.
    let free = free_bytes(disk.path());
    std::fs::write(
        disk.path().join("filler"),
        vec![0u8; free.saturating_sub(24 * 1024)],
    )
    .expect("the filler");
    on_disk(&["add-users", "--role", "archives", "--count", "300"])
        .assert()
        .code(74)
        .stderr(predicate::str::contains("office.db: the disk is full"));
    std::fs::remove_file(disk.path().join("filler")).expect("room again");
    let listing = stdout_of(on_disk(&["users", "list", "--format", "csv"]));
    assert_eq!(
        listing.lines().count(),
        3,
        "the two accounts alone:\n{listing}"
    );
    let _ = std::process::Command::new("umount")
        .arg(disk.path())
        .status();
}

/// The bytes free on the file system of `folder`.
fn free_bytes(folder: &std::path::Path) -> usize {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(folder.as_os_str().as_bytes()).expect("a path");
    // SAFETY: statvfs fills the struct it is given for a NUL-terminated path.
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    assert_eq!(unsafe { libc::statvfs(path.as_ptr(), &mut stat) }, 0);
    usize::try_from(stat.f_bavail * stat.f_frsize).expect("a size")
}

#[test]
fn a_database_behind_a_folder_it_cannot_enter_is_permission_denied() {
    let office = Office::with_sample_users();
    if office.is_postgres() {
        return;
    }
    let closed = office.dir.path().join("closed");
    std::fs::create_dir(&closed).expect("a folder");
    let db = closed.join("office.db");
    std::fs::copy(&office.db, &db).expect("the office's file");
    std::fs::set_permissions(&closed, std::fs::Permissions::from_mode(0o000)).expect("closed");
    // Root enters any folder: the command runs as nobody then.
    let mut command = if is_root() {
        std::fs::set_permissions(office.dir.path(), std::fs::Permissions::from_mode(0o755))
            .expect("the way to it open");
        let mut command = assert_cmd::Command::new("runuser");
        command.args(["-u", "nobody", "--", env!("CARGO_BIN_EXE_console")]);
        command
    } else {
        assert_cmd::Command::cargo_bin("console").expect("the binary")
    };
    command
        .args(["who"])
        .env("CONSOLE_DB", &db)
        .env_remove("LANG")
        .env_remove("CONSOLE_LANG")
        .assert()
        .code(74)
        .stderr(predicate::str::contains("Permission denied"))
        .stderr(predicate::str::contains("no database here").not());
    std::fs::set_permissions(&closed, std::fs::Permissions::from_mode(0o700)).expect("open");
}

#[test]
fn interactive_prompts_ask_in_the_chosen_language() {
    let office = Office::new();
    let mut terminal = common::pty::Terminal::open_with(
        &office,
        &["add-users", "--interactive"],
        (100, 30),
        &[("CONSOLE_LANG", "fr")],
    );
    terminal.wait_for("Utilisateur");
    terminal.type_keys("commis01\r");
    terminal.wait_for("Nom complet");
    terminal.type_keys("Commis Un\r");
    terminal.wait_for("archives");
    terminal.type_keys("\r");
    terminal.wait_for("Générer un mot de passe ? [O/n]");
    terminal.type_keys("\r");
    terminal.wait_for("Ajouter un autre utilisateur ? [o/N]");
    terminal.type_keys("non\r");
    terminal.wait_for("Créer 1 utilisateur ? [o/n]");
    terminal.type_keys("o\r");
    assert_eq!(terminal.wait_exit(), 0);
    assert!(office.users_csv().contains("commis01,Commis Un,archives"));
}
