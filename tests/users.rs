//! `console users ...`, through the real binary.

mod common;

use common::{Office, stdout_of};
use predicates::prelude::*;

#[test]
fn list_as_csv_and_json_with_a_role_filter() {
    let office = Office::with_sample_users();
    let csv = office.users_csv();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("username,full_name,role,state,last_login,last_logout,sessions,connected_seconds")
    );
    assert!(csv.contains("Hantz123,Hantz Dorvil,secretaire,offline,,,0,0\n"));

    let json =
        stdout_of(office.console(&["users", "list", "--role", "ARCHIVES", "--format", "json"]));
    let users: serde_json::Value = serde_json::from_str(&json).unwrap();
    let users = users.as_array().unwrap();
    assert_eq!(users.len(), 4);
    assert_eq!(users[0]["username"], "archives001");
    assert_eq!(users[0]["role"], "archives");
    assert_eq!(users[0]["state"], "offline");
    assert!(users[0]["last_login"].is_null());
}

#[test]
fn the_table_names_its_columns() {
    let office = Office::with_sample_users();
    office
        .console(&["users", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("User"))
        .stdout(predicate::str::contains("Full name"))
        .stdout(predicate::str::contains("Last logout"))
        .stdout(predicate::str::contains("Peterson Michel"));
}

#[test]
fn an_empty_list_in_csv_still_has_its_header() {
    let office = Office::new();
    konekte::db::Db::open(&office.target).expect("an empty office");
    office
        .console(&["users", "list", "--format", "csv"])
        .assert()
        .success()
        .stdout(
            "username,full_name,role,state,last_login,last_logout,sessions,connected_seconds\n",
        );
}

#[test]
fn disable_enable_and_set_role() {
    let office = Office::with_sample_users();
    office
        .console(&["users", "disable", "hantz123"])
        .assert()
        .success();
    assert!(
        office
            .users_csv()
            .contains("Hantz123,Hantz Dorvil,secretaire,disabled")
    );
    office
        .console(&["users", "enable", "Hantz123"])
        .assert()
        .success();
    office
        .console(&["users", "set-role", "Hantz123", "archives"])
        .assert()
        .success();
    assert!(
        office
            .users_csv()
            .contains("Hantz123,Hantz Dorvil,archives,offline")
    );
}

#[test]
fn the_last_enabled_admin_is_kept() {
    let office = Office::with_sample_users();
    for admin in ["Anderson002", "admin_test", "admin001"] {
        office
            .console(&["users", "disable", admin])
            .assert()
            .success();
    }
    office
        .console(&["users", "disable", "Fedanoir"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("last enabled admin"));
    office
        .console(&["users", "set-role", "Fedanoir", "directeur"])
        .assert()
        .code(1);
    assert!(
        office
            .users_csv()
            .contains("Fedanoir,Fedanoir Jean-Baptiste,admin,offline")
    );
}

#[test]
fn unlocking_an_account_that_is_not_locked_says_so() {
    let office = Office::with_sample_users();
    office
        .console(&["users", "unlock", "Hantz123"])
        .assert()
        .success()
        .stderr("Hantz123 was not locked; nothing to do\n");
}

#[test]
fn unlock_clears_a_lockout() {
    let office = Office::with_sample_users();
    office.sql(
        "UPDATE users SET failed_attempts = 5, locked_until = 9999999999999 WHERE username = 'admin001'",
    );
    assert!(
        office
            .users_csv()
            .contains("admin001,Marie-Claude Joseph,admin,locked")
    );
    office
        .console(&["users", "unlock", "admin001"])
        .assert()
        .success();
    assert!(
        office
            .users_csv()
            .contains("admin001,Marie-Claude Joseph,admin,offline")
    );
    assert_eq!(
        office.sql_count("SELECT failed_attempts FROM users WHERE username = 'admin001'"),
        0
    );
}

#[test]
fn passwd_from_stdin_replaces_the_hash_and_never_echoes() {
    let office = Office::with_sample_users();
    let hash_of =
        || office.sql_text("SELECT password_hash FROM users WHERE username = 'Wilbert001'");
    let before = hash_of();
    office
        .console(&[
            "users",
            "passwd",
            "Wilbert001",
            "--password-stdin",
            "--temporary",
        ])
        .write_stdin("brand-new-secret\n")
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains("brand-new-secret").not());
    let after = hash_of();
    assert_ne!(before, after);
    assert!(konekte::auth::verify_password("brand-new-secret", &after));
    assert_eq!(
        office.sql_count("SELECT must_change_password FROM users WHERE username = 'Wilbert001'"),
        1
    );
}

#[test]
fn passwd_refuses_short_passwords_unknown_users_and_missing_terminals() {
    let office = Office::with_sample_users();
    office
        .console(&["users", "passwd", "Wilbert001", "--password-stdin"])
        .write_stdin("short\n")
        .assert()
        .code(65)
        .stderr(predicate::str::contains("too short"));
    office
        .console(&["users", "passwd", "nobody", "--password-stdin"])
        .write_stdin("long-enough\n")
        .assert()
        .code(65)
        .stderr(predicate::str::contains("no user named \"nobody\""));
    office
        .console(&["users", "passwd", "Wilbert001"])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--password-stdin"));
}

#[test]
fn administration_of_an_unknown_user_is_exit_65() {
    let office = Office::with_sample_users();
    for command in ["disable", "enable", "unlock"] {
        office
            .console(&["users", command, "ghost"])
            .assert()
            .code(65)
            .stderr("console: no user named \"ghost\"\n");
    }
}

#[test]
fn a_password_from_stdin_is_bounded_and_must_be_text() {
    let office = Office::with_sample_users();
    let before = office.users_csv();
    office
        .console(&["users", "passwd", "Wilbert001", "--password-stdin"])
        // As /dev/zero would, without end of line: more than any password.
        .write_stdin(vec![0_u8; 4 << 20])
        .assert()
        .code(65)
        .stderr(predicate::str::contains("too long"))
        .stderr(predicate::str::contains("panicked").not());
    office
        .console(&["users", "passwd", "Wilbert001", "--password-stdin"])
        .write_stdin(b"long-enough-\xff\xfe\n".to_vec())
        .assert()
        .code(65)
        .stderr(predicate::str::contains("not UTF-8"));
    assert_eq!(office.users_csv(), before, "no password changed");
}

#[test]
fn a_damaged_file_is_refused_before_a_write_and_still_read() {
    let office = Office::with_sample_users();
    if office.is_postgres() {
        return; // PostgreSQL checks its own pages
    }
    let page_size = office.sql_count("PRAGMA page_size") as u64;
    let root =
        office.sql_count("SELECT rootpage FROM sqlite_schema WHERE name = 'users_role'") as u64;
    // The index's root page claims to be a table's interior page: its rows go astray.
    {
        use std::io::{Seek, SeekFrom, Write};
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .open(&office.db)
            .unwrap();
        file.seek(SeekFrom::Start((root - 1) * page_size)).unwrap();
        file.write_all(&[0x05]).unwrap();
    }
    let before = std::fs::read(&office.db).unwrap();
    office
        .console(&["users", "unlock", "Wilbert001"])
        .assert()
        .code(74)
        .stderr(predicate::str::contains(common::path_str(&office.db)))
        .stderr(predicate::str::contains("damaged"));
    assert_eq!(
        std::fs::read(&office.db).unwrap(),
        before,
        "nothing written"
    );
    office.console(&["who"]).assert().success();
}

#[test]
fn a_database_file_made_beforehand_is_made_private() {
    use std::os::unix::fs::PermissionsExt;
    let office = Office::new();
    if office.is_postgres() {
        return; // no file
    }
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    std::fs::write(&office.db, b"").unwrap();
    std::fs::set_permissions(&office.db, std::fs::Permissions::from_mode(0o644)).unwrap();
    office
        .console(&["add-users", "--role", "admin", "--count", "1"])
        .assert()
        .success();
    assert_eq!(mode(&office.db), 0o600);
}

#[test]
fn a_backup_taken_while_terminals_write_holds_everything() {
    use std::os::unix::fs::PermissionsExt;
    let office = Office::with_sample_users();
    if office.is_postgres() {
        office
            .console(&["backup", "--to", "/tmp/never.db"])
            .assert()
            .code(2)
            .stderr(predicates::str::contains("pg_dump"));
        return;
    }
    // A reader that stays keeps SQLite from moving the WAL into the file: a plain copy
    // of the file alone would miss what came since.
    let reader = rusqlite::Connection::open(&office.db).expect("a reader");
    reader
        .execute_batch("BEGIN; SELECT count(*) FROM users;")
        .expect("a read that stays open");
    office
        .console(&["add-users", "--role", "archives", "--count", "3"])
        .assert()
        .success();
    let copy = office.dir.path().join("backups").join("office-copy.db");
    std::fs::create_dir(copy.parent().expect("a folder")).expect("the backups' folder");
    office
        .console(&["backup", "--to", common::path_str(&copy)])
        .assert()
        .success()
        .stderr(predicates::str::contains("checked"));
    let mode = std::fs::metadata(&copy)
        .expect("the copy")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let listed = |db: &std::path::Path| {
        let mut command = office.console(&["users", "list", "--format", "csv"]);
        command.env("CONSOLE_DB", db);
        common::stdout_of(command)
    };
    assert_eq!(
        listed(&copy),
        listed(&office.db),
        "every account, the last three too"
    );
    assert_eq!(listed(&copy).lines().count(), 1 + 16 + 3);
    // The copy stands alone: no WAL beside it to lose.
    assert!(!copy.with_extension("db-wal").exists());
    // An existing file is not overwritten unless asked.
    let before = std::fs::read(&copy).expect("the copy");
    office
        .console(&["backup", "--to", common::path_str(&copy)])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("--force"));
    assert_eq!(std::fs::read(&copy).expect("the copy"), before);
    office
        .console(&["backup", "--to", common::path_str(&copy), "--force"])
        .assert()
        .success();
    drop(reader);
}

#[test]
fn no_header_appends_to_a_file_of_accounts() {
    let office = Office::new();
    let first =
        common::stdout_of(office.console(&["add-users", "--role", "archives", "--count", "2"]));
    let more = common::stdout_of(office.console(&[
        "add-users",
        "--role",
        "archives",
        "--count",
        "1",
        "--no-header",
    ]));
    assert!(first.starts_with("username,role,password\n"));
    assert_eq!(more.lines().count(), 1, "{more}");
    assert!(more.starts_with("archives003,archives,"), "{more}");
}
