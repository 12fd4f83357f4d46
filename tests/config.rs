//! The configuration files as every command reads them, `console config` telling where
//! each setting came from, and what the binary writes of itself for a package: its
//! completions and its man pages.

mod common;

use assert_cmd::Command;
use common::{Office, path_str, stdout_of};
use predicates::prelude::*;
use serde_json::Value;

/// `console ARGS` with `system` and `user` as its configuration files, and none of the
/// office's settings in the environment.
fn console_with(system: &str, user: &str, args: &[&str]) -> Command {
    let mut cmd = Command::cargo_bin("console").expect("the binary");
    cmd.args(args)
        .env("CONSOLE_CONFIG_SYSTEM", system)
        .env("CONSOLE_CONFIG_USER", user)
        .env("NO_COLOR", "1")
        .env("LANG", "C.UTF-8");
    for name in [
        "CONSOLE_DB",
        "CONSOLE_LANG",
        "LC_ALL",
        "LC_MESSAGES",
        "CONSOLE_IDLE_TIMEOUT",
    ] {
        cmd.env_remove(name);
    }
    cmd
}

/// `console config --format json`, by setting: (value, origin, file, line, variable).
fn settings(mut cmd: Command) -> Vec<(String, Value)> {
    let json = stdout_of({
        cmd.args(["config", "--format", "json"]);
        cmd
    });
    let rows: Vec<Value> = serde_json::from_str(&json).unwrap();
    rows.into_iter()
        .map(|row| (row["setting"].as_str().unwrap().to_string(), row))
        .collect()
}

fn setting<'a>(all: &'a [(String, Value)], name: &str) -> &'a Value {
    &all.iter().find(|(key, _)| key == name).expect(name).1
}

#[test]
fn each_setting_comes_from_the_flag_the_environment_the_users_file_the_systems_or_the_default() {
    let office = Office::with_sample_users();
    let system = office.file(
        "system.toml",
        format!(
            "# the PC's\ndb = \"{}\"\nlang = \"fr\"\nidle-timeout = \"10m\"\nlock-after = 3\n\n[exec-role]\narchives = \"scan --fast\"\n",
            office.console_db
        )
        .as_bytes(),
    );
    let user = office.file("user.toml", b"idle-timeout = \"2m\"\n");
    let (system, user) = (path_str(&system), path_str(&user));

    let all = settings(console_with(system, user, &[]));
    let db = setting(&all, "db");
    assert_eq!(
        (&db["value"], &db["origin"], &db["line"]),
        (
            &Value::from(office.console_db.as_str()),
            &Value::from("file"),
            &Value::from(2)
        )
    );
    assert_eq!(setting(&all, "idle-timeout")["file"], Value::from(user));
    assert_eq!(setting(&all, "idle-timeout")["value"], "2m");
    assert_eq!(setting(&all, "lock-after")["value"], "3");
    assert_eq!(setting(&all, "exec-role")["value"], "archives=scan --fast");
    assert_eq!(setting(&all, "heartbeat")["origin"], "default");
    assert_eq!(setting(&all, "heartbeat")["value"], "5s");
    assert_eq!(setting(&all, "lang")["value"], "fr");
    assert_eq!(setting(&all, "exec")["value"], Value::Null);

    // The environment over the files, the flag over the environment.
    let mut cmd = console_with(system, user, &["--lang", "ht"]);
    cmd.env("CONSOLE_IDLE_TIMEOUT", "1h")
        .env("CONSOLE_LANG", "en");
    let all = settings(cmd);
    let timeout = setting(&all, "idle-timeout");
    assert_eq!(
        (&timeout["value"], &timeout["origin"], &timeout["variable"]),
        (
            &Value::from("1h"),
            &Value::from("env"),
            &Value::from("CONSOLE_IDLE_TIMEOUT")
        )
    );
    assert_eq!(
        (
            &setting(&all, "lang")["value"],
            &setting(&all, "lang")["origin"]
        ),
        (&Value::from("ht"), &Value::from("flag"))
    );

    // Every command reads them: the file's database, in the file's language.
    console_with(system, user, &["users", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Fedanoir").and(predicate::str::contains("Rôle")));
    // The table says where, as git config --show-origin does.
    console_with(system, user, &["--lang", "en", "config"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("file {user}:1")))
        .stdout(predicate::str::contains("locale").not());
}

#[test]
fn a_file_konekte_cannot_use_stops_every_command_naming_its_file_line_and_key() {
    let office = Office::with_sample_users();
    let before = office.snapshot();
    for (text, said) in [
        (
            "idle-timeout = \"2m\"\nidle_timeout = \"3m\"\n",
            ":2: idle_timeout: konekte has no such setting",
        ),
        (
            "\n\nlock-by = \"everyone\"\n",
            ":3: lock-by: everyone: expected one of account, source, both",
        ),
        (
            "db = \"postgres://boss:hunter2@db.office/konekte\"\n",
            ":1: db: a password in the URL is refused",
        ),
        ("lang = \"fr\"\nidle-timeout 10m\n", ":2: not TOML"),
    ] {
        let file = office.file("konekte.toml", text.as_bytes());
        let output = console_with(
            path_str(&file),
            "",
            &["--db", &office.console_db, "users", "list"],
        )
        .output()
        .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(78), "{text}: {stderr}");
        assert!(
            stderr.starts_with(&format!("console: {}{said}", path_str(&file))),
            "{stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(!stderr.contains("hunter2"), "{stderr}");
        assert!(output.stdout.is_empty());
    }
    assert_eq!(office.snapshot(), before);
}

#[test]
fn a_login_of_the_pc_goes_on_whatever_the_file_says() {
    let office = Office::new();
    let file = office.file("konekte.toml", b"colour = \"blue\"\n");
    let mut cmd = console_with(path_str(&file), "", &["pam"]);
    cmd.env("PAM_TYPE", "open_session").env("PAM_USER", "ana");
    cmd.assert().success().stderr(predicate::str::contains(
        "colour: konekte has no such setting",
    ));
}

#[test]
fn completions_and_man_pages_are_written_from_the_command_line_itself() {
    let bash = stdout_of(console_with("", "", &["completions", "bash"]));
    assert!(
        bash.contains("complete -F _console") || bash.contains("-F _console"),
        "{bash}"
    );
    assert!(bash.contains("--wtmp") && bash.contains("import"));
    let zsh = stdout_of(console_with("", "", &["completions", "zsh"]));
    assert!(zsh.starts_with("#compdef console"), "{zsh}");
    let fish = stdout_of(console_with("", "", &["completions", "fish"]));
    assert!(fish.contains("complete -c console"), "{fish}");

    let page = stdout_of(console_with("", "", &["man"]));
    assert!(page.contains(".TH console 1"), "{page}");
    assert!(
        page.contains("console\\-login(1)") || page.contains("console-login(1)"),
        "{page}"
    );
    let login = stdout_of(console_with("", "", &["man", "login"]));
    assert!(login.contains(".TH console-login 1"), "{login}");
    assert!(login.contains("idle\\-timeout"), "{login}");
    console_with("", "", &["man", "logon"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "logon: console has no such command",
        ));

    let dir = tempfile::tempdir().unwrap();
    console_with("", "", &["man", "--dir", path_str(dir.path())])
        .assert()
        .success();
    for page in ["console.1", "console-import.1", "console-users-passwd.1"] {
        assert!(dir.path().join(page).is_file(), "{page}");
    }
    // A configuration does not leak into what a package ships.
    let office = Office::new();
    let file = office.file("konekte.toml", b"idle-timeout = \"1m\"\n");
    let with_file = stdout_of(console_with(path_str(&file), "", &["man", "login"]));
    assert_eq!(with_file, login);
}
