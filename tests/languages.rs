//! What people read follows the language; what scripts read never does.

mod common;

use common::Office;
use predicates::prelude::*;

fn stdout(office: &Office, lang: &str, args: &[&str]) -> Vec<u8> {
    let output = office
        .console(args)
        .env("LANG", lang)
        .output()
        .expect("run");
    assert!(output.status.success(), "{output:?}");
    output.stdout
}

#[test]
fn french_from_lang_in_the_users_table() {
    let office = Office::with_history();
    let table = String::from_utf8(stdout(&office, "fr_FR.UTF-8", &["users", "list"])).unwrap();
    for header in [
        "Utilisateur",
        "Nom complet",
        "Rôle",
        "État",
        "Connexion",
        "Déconnexion",
    ] {
        assert!(table.contains(header), "{header} missing:\n{table}");
    }
    assert!(
        table.contains("en ligne"),
        "states are translated in tables:\n{table}"
    );
    assert!(table.contains("21/11/2026"), "French dates:\n{table}");
    let english = String::from_utf8(stdout(&office, "C.UTF-8", &["users", "list"])).unwrap();
    assert!(english.contains("Full name") && english.contains("2026-11-21"));
}

#[test]
fn creole_from_lang_and_dates_as_it_writes_them() {
    let office = Office::with_history();
    let table = String::from_utf8(stdout(&office, "ht_HT.UTF-8", &["last", "ann"])).unwrap();
    assert!(
        table.contains("Itilizatè") && table.contains("Dekoneksyon"),
        "{table}"
    );
    assert!(
        table.contains("inaktif"),
        "end reasons are translated:\n{table}"
    );
    assert!(
        table.contains("4:00:00") && table.contains("20/11"),
        "durations and dates:\n{table}"
    );
}

#[test]
fn the_screens_speak_the_language_of_lang_on_the_command_line() {
    let office = Office::with_sample_users();
    let mut terminal = common::pty::Terminal::open(&office, &["--lang", "ht", "login", "--once"]);
    terminal.wait_for("Non itilizatè");
    terminal.type_keys("Hantz123\tHantz123-2026\r");
    terminal.wait_for("L dekonekte");
    terminal.type_keys("l");
    terminal.wait_exit();
}

#[test]
fn csv_and_json_are_byte_identical_in_every_language() {
    let office = Office::with_history();
    // Nothing that runs on with the clock between two runs: dee's session ends.
    office
        .sql("UPDATE sessions SET logout_time = 1795341600000, end_reason = 'logout' WHERE id = 5");
    let commands: [&[&str]; 8] = [
        &["users", "list", "--format", "json"],
        &["users", "list", "--format", "csv"],
        &["last", "--format", "json"],
        &["last", "--format", "csv"],
        &[
            "report",
            "--since",
            "2026-11-20",
            "--until",
            "2026-11-22",
            "--format",
            "json",
        ],
        &[
            "report",
            "--by",
            "day",
            "--since",
            "2026-11-20",
            "--until",
            "2026-11-22",
            "--format",
            "csv",
        ],
        &["failures", "--format", "json"],
        &["who", "--format", "csv"],
    ];
    for args in commands {
        let english = stdout(&office, "en_US.UTF-8", args);
        assert_eq!(
            stdout(&office, "fr_FR.UTF-8", args),
            english,
            "{args:?} in French"
        );
        assert_eq!(
            stdout(&office, "ht_HT.UTF-8", args),
            english,
            "{args:?} in Creole"
        );
    }
}

#[test]
fn errors_are_translated_and_exit_codes_are_not() {
    let office = Office::with_history();
    office
        .console(&["users", "disable", "ghost"])
        .env("LANG", "ht_HT.UTF-8")
        .assert()
        .code(65)
        .stderr("console: pa gen itilizatè ki rele \"ghost\"\n");
    office
        .console(&["last", "--since", "bientôt"])
        .env("LANG", "fr_FR.UTF-8")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("impossible de lire « bientôt »"));
}

#[test]
fn lang_on_the_command_line_wins_over_the_environment() {
    let office = Office::with_history();
    office
        .console(&["--lang", "en", "users", "disable", "ghost"])
        .env("LANG", "fr_FR.UTF-8")
        .env("CONSOLE_LANG", "ht")
        .assert()
        .code(65)
        .stderr("console: no user named \"ghost\"\n");
    office
        .console(&["users", "disable", "ghost"])
        .env("LANG", "en_US.UTF-8")
        .env("CONSOLE_LANG", "fr")
        .assert()
        .stderr("console: aucun utilisateur nommé « ghost »\n");
}
