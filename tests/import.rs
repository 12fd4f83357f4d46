//! `console import`: a wtmp file read as util-linux `last -f` reads it, the Django
//! system's dumpdata, each idempotent, journaled, and all or nothing on a bad record.

mod common;

use common::{Office, path_str, stdout_of, tool};
use konekte::earlier::wtmp::Record;
use predicates::prelude::*;
use serde_json::Value;

const DJANGO: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/django-dumpdata.json"
);

// ut_type values (utmp.h).
const RUN_LVL: i16 = 1;
const BOOT_TIME: i16 = 2;
const USER_PROCESS: i16 = 7;
const DEAD_PROCESS: i16 = 8;

/// 2025-11-24 16:00:00 UTC.
const BASE: i64 = 1_764_000_000;

fn record(kind: i16, pid: i32, line: &str, user: &str, host: &str, seconds: i64) -> Record {
    Record {
        kind,
        pid,
        line: line.into(),
        user: user.into(),
        host: host.into(),
        at: (BASE + seconds) * 1000,
        address: [0; 16],
    }
}

/// A day of a PC: logins with their logouts, one cut by a shutdown, one by a crash
/// (a boot with no shutdown), one still going; a name of an account in another case.
fn a_pcs_wtmp() -> Vec<u8> {
    let mut bob = record(USER_PROCESS, 101, "pts/0", "bob", "10.0.0.7", 120);
    bob.address[..4].copy_from_slice(&[10, 0, 0, 7]);
    [
        record(BOOT_TIME, 0, "~", "reboot", "6.1.0", 0),
        record(RUN_LVL, i32::from(b'5'), "~", "runlevel", "6.1.0", 1),
        record(USER_PROCESS, 100, "tty1", "ana", "", 60),
        bob,
        record(DEAD_PROCESS, 101, "pts/0", "", "", 3000),
        record(USER_PROCESS, 102, "pts/0", "carl", "host.example", 4000),
        record(RUN_LVL, i32::from(b'0'), "~", "shutdown", "6.1.0", 7000),
        record(BOOT_TIME, 0, "~", "reboot", "6.1.0", 7200),
        record(USER_PROCESS, 103, "pts/1", "dina", "", 7300),
        record(BOOT_TIME, 0, "~", "reboot", "6.1.0", 9000),
        record(USER_PROCESS, 104, "pts/1", "ANA", "", 9100),
        record(DEAD_PROCESS, 104, "pts/1", "", "", 9500),
        record(USER_PROCESS, 105, "tty2", "eve", "", 9600),
    ]
    .iter()
    .flat_map(Record::to_bytes)
    .collect()
}

/// A session as both tools tell it: name, line, login, and the end (a time, or the
/// minutes it lasted when the machine went down under it).
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Told {
    name: String,
    line: String,
    login: String,
    end: String,
}

/// util-linux's `last -f FILE`, in UTC: its user lines, but the ones still going.
fn told_by_last(file: &str) -> Vec<Told> {
    let output = std::process::Command::new(tool("last"))
        .args(["-f", file, "--time-format", "iso", "-w"])
        .env("TZ", "UTC")
        .output()
        .expect("last");
    assert!(output.status.success(), "{output:?}");
    let mut told = Vec::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() < 4 || fields[0] == "reboot" || line.contains("no logout") {
            continue;
        }
        // user tty [host] login - end (duration)
        let Some(dash) = fields.iter().position(|f| *f == "-") else {
            continue;
        };
        let end = match fields[dash + 1] {
            "crash" | "down" => minutes(fields[dash + 2]),
            time => time.replace("+00:00", "Z"),
        };
        told.push(Told {
            name: fields[0].to_lowercase(),
            line: fields[1].into(),
            login: fields[dash - 1].replace("+00:00", "Z"),
            end,
        });
    }
    told.sort();
    told
}

/// `(01:55)` or `(1+02:03)`: whole minutes.
fn minutes(duration: &str) -> String {
    let inner = duration.trim_matches(|c| c == '(' || c == ')');
    let (days, clock) = inner.split_once('+').unwrap_or(("0", inner));
    let (hours, mins) = clock.split_once(':').expect("HH:MM");
    let total = days.parse::<i64>().unwrap() * 1440
        + hours.parse::<i64>().unwrap() * 60
        + mins.parse::<i64>().unwrap();
    format!("{total} min")
}

/// konekte's `last`, as the same sessions.
fn told_by_konekte(office: &Office) -> Vec<Told> {
    let json = stdout_of(office.console(&["last", "--format", "json"]));
    let rows: Vec<Value> = serde_json::from_str(&json).unwrap();
    let mut told: Vec<Told> = rows
        .iter()
        .map(|row| {
            let text = |field: &str| row[field].as_str().unwrap_or_default().to_string();
            let at = |field: &str| chrono::DateTime::parse_from_rfc3339(&text(field)).unwrap();
            let end = if text("end_reason") == "lost" {
                let lasted = at("logout_time") - at("login_time");
                format!("{} min", lasted.num_minutes())
            } else {
                text("logout_time")
            };
            Told {
                name: text("username").to_lowercase(),
                line: text("tty"),
                login: text("login_time"),
                end,
            }
        })
        .collect();
    told.sort();
    told
}

#[test]
fn a_wtmp_file_brings_the_sessions_last_reads_in_it_once() {
    let office = Office::new();
    let accounts = office.file(
        "ana.csv",
        b"username,full_name,role,password\nana,Ana,secretaire,\n",
    );
    office
        .console(&["add-users", "--file", path_str(&accounts)])
        .assert()
        .success();
    let wtmp = office.file("wtmp", &a_pcs_wtmp());
    let file = path_str(&wtmp);
    office
        .console(&["import", "--wtmp", file, "--host", "pc1"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "5 sessions and 0 accounts added; 0 already there, 1 still going",
        ));
    let ours = told_by_konekte(&office);
    assert_eq!(ours, told_by_last(file));
    assert_eq!(ours.len(), 5);

    // The same file again, and a longer copy of it: nothing twice.
    let head = office.sql_count("SELECT max(id) FROM journal");
    office
        .console(&["import", "--wtmp", file, "--host", "pc1"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "0 sessions and 0 accounts added; 5 already there",
        ));
    assert_eq!(told_by_konekte(&office), ours);
    assert_eq!(office.sql_count("SELECT count(*) FROM sessions"), 5);
    let after = office.sql_count(&format!("SELECT count(*) FROM journal WHERE id > {head}"));
    assert_eq!(
        after, 1,
        "a second import is one entry, and adds no session"
    );

    // The account in any case; the names without one kept as the system gave them.
    let json = stdout_of(office.console(&["last", "ana", "--format", "json"]));
    let rows: Vec<Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter()
            .all(|row| row["role"] == "secretaire" && row["via"] == "wtmp")
    );
    let unknown = stdout_of(office.console(&["users", "list", "--unknown", "--format", "csv"]));
    for name in ["bob", "carl", "dina"] {
        assert!(unknown.contains(&format!("\n{name},1,")), "{unknown}");
    }
    let bob = &serde_json::from_str::<Vec<Value>>(&stdout_of(
        office.console(&["last", "bob", "--format", "json"]),
    ))
    .unwrap()[0];
    assert_eq!(
        (bob["remote_ip"].as_str(), bob["host"].as_str()),
        (Some("10.0.0.7"), Some("pc1"))
    );

    office.console(&["verify"]).assert().success();
    office
        .console(&["audit", "--format", "csv"])
        .assert()
        .success()
        .stdout(predicate::str::contains("import,history,wtmp="));
}

#[test]
fn a_rotated_wtmp_and_the_current_one_are_one_history() {
    let office = Office::new();
    let day = a_pcs_wtmp();
    let whole = office.file("whole", &day);
    // Rotated after bob's login, before his logout (records 4 and 5).
    let (older, newer) = day.split_at(4 * 384);
    let older = office.file("wtmp.1", older);
    let newer = office.file("wtmp", newer);
    office
        .console(&["import", "--wtmp", path_str(&older), path_str(&newer)])
        .assert()
        .success()
        .stdout(predicate::str::contains("wtmp.1, "))
        .stdout(predicate::str::contains("5 sessions and 0 accounts added"));
    assert_eq!(told_by_konekte(&office), told_by_last(path_str(&whole)));
    // The current file alone later (after a logrotate): nothing twice.
    office
        .console(&["import", "--wtmp", path_str(&newer)])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "0 sessions and 0 accounts added; 3 already there",
        ));
}

#[test]
fn a_login_console_pam_recorded_is_not_brought_in_twice() {
    let office = Office::with_sample_users();
    let holder = common::pam::Holder::open(&office, "hantz123", "sshd");
    holder.log_out(&office);
    let at = office.sql_count("SELECT login_time FROM sessions");
    // sshd wrote the same login to wtmp a moment later; then one PAM never saw.
    let line = |kind: i16, user: &str, at: i64| Record {
        kind,
        pid: 4242,
        line: "pts/9".into(),
        user: user.into(),
        host: "192.0.2.7".into(),
        at,
        address: [0; 16],
    };
    let wtmp: Vec<u8> = [
        line(USER_PROCESS, "hantz123", at + 400),
        line(DEAD_PROCESS, "", at + 60_000),
        line(USER_PROCESS, "hantz123", at - 3_600_000),
        line(DEAD_PROCESS, "", at - 3_000_000),
    ]
    .iter()
    .flat_map(Record::to_bytes)
    .collect();
    let wtmp = office.file("wtmp", &wtmp);
    office
        .console(&["import", "--wtmp", path_str(&wtmp)])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "1 session and 0 accounts added; 1 already there",
        ));
    // From another PC, the same moment is another login.
    office
        .console(&[
            "import",
            "--wtmp",
            path_str(&wtmp),
            "--host",
            "pc2",
            "--dry-run",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "2 sessions and 0 accounts added; 0 already there",
        ));
}

#[test]
fn a_session_across_a_closed_month_is_refused_with_its_month() {
    let office = Office::with_sample_users();
    office
        .console(&["close-month", "2025-11"])
        .assert()
        .success();
    // Logged in on 31 October, cut short by the boot of 1 December: November is in it.
    let day = 86_400;
    let (october_31, december_1) = (1_761_868_800, 1_764_547_200);
    let login = Record {
        at: october_31 * 1000 + 3_600_000,
        ..record(USER_PROCESS, 100, "tty1", "ana", "", 0)
    };
    let boot = Record {
        at: december_1 * 1000 + day,
        ..record(BOOT_TIME, 0, "~", "reboot", "6.1.0", 0)
    };
    let wtmp: Vec<u8> = [login, boot].iter().flat_map(Record::to_bytes).collect();
    let wtmp = office.file("wtmp", &wtmp);
    let before = office.snapshot();
    office
        .console(&["import", "--wtmp", path_str(&wtmp)])
        .assert()
        .code(65)
        .stderr(predicate::str::contains(
            "record 1 (byte 0): 2025-11 is closed",
        ));
    assert_eq!(office.snapshot(), before);
}

#[test]
fn a_bad_record_imports_nothing_unless_told_to_skip_it() {
    let office = Office::with_sample_users();
    let mut bytes = a_pcs_wtmp();
    // A record of no known type, and a file cut inside its last record.
    let mut strange = record(USER_PROCESS, 1, "tty9", "x", "", 50).to_bytes();
    strange[0] = 42;
    bytes.splice(384..384, strange);
    bytes.extend_from_slice(&[0; 100]);
    let wtmp = office.file("wtmp", &bytes);
    let before = office.snapshot();
    office
        .console(&["import", "--wtmp", path_str(&wtmp)])
        .assert()
        .code(65)
        .stdout("")
        .stderr(predicate::str::contains("record 2 (byte 384): type 42"))
        .stderr(predicate::str::contains(
            "record 15 (byte 5376): the file ends inside",
        ))
        .stderr(predicate::str::contains("2 bad records: nothing imported"));
    assert_eq!(office.snapshot(), before, "nothing written");

    office
        .console(&["import", "--wtmp", path_str(&wtmp), "--dry-run"])
        .assert()
        .code(65);
    office
        .console(&[
            "import",
            "--wtmp",
            path_str(&wtmp),
            "--skip-bad",
            "--dry-run",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("5 sessions").and(predicate::str::contains("--dry-run")));
    assert_eq!(office.snapshot(), before, "a dry run writes nothing");
    office
        .console(&["import", "--wtmp", path_str(&wtmp), "--skip-bad"])
        .assert()
        .success()
        .stdout(predicate::str::contains("5 sessions and 0 accounts added; 0 already there, 1 still going (for a later import), 2 bad"));
    office
        .console(&["import", "--wtmp", "/nonexistent/wtmp"])
        .assert()
        .code(66);
}

#[test]
fn the_django_systems_users_and_sessions_come_in_once_without_passwords() {
    let office = Office::new();
    office
        .console(&["import", "--django", DJANGO])
        .assert()
        .success()
        .stdout(predicate::str::contains("6 sessions and 16 accounts added"))
        .stdout(predicate::str::contains("console users passwd"))
        .stdout(predicate::str::contains("  Fedanoir\n"));
    let users = office.users_csv();
    for expected in [
        "Fedanoir,,admin,",
        "Wilbert001,,directeur,",
        "Hantz123,,secretaire,",
        "Peterson002,,archives,",
        "admin_test,,admin,disabled",
    ] {
        assert!(users.contains(expected), "{expected} in\n{users}");
    }
    let json = stdout_of(office.console(&["last", "--format", "json"]));
    let rows: Vec<Value> = serde_json::from_str(&json).unwrap();
    let ended: Vec<(&str, &str, &str, &str)> = rows
        .iter()
        .map(|row| {
            (
                row["username"].as_str().unwrap(),
                row["login_time"].as_str().unwrap(),
                row["logout_time"].as_str().unwrap(),
                row["end_reason"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(ended.contains(&(
        "Hantz123",
        "2025-11-10T12:15:40Z",
        "2025-11-10T20:05:12Z",
        "logout"
    )));
    // Active when the dump was taken: lost at its last known time, its login.
    assert!(ended.contains(&(
        "Fedanoir",
        "2025-11-11T12:01:00Z",
        "2025-11-11T12:01:00Z",
        "lost"
    )));
    assert!(rows.iter().all(|row| row["via"] == "django"));

    // No password: no login until an admin gives one (the same refusal as any).
    office
        .console(&["import", "--django", DJANGO])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "0 sessions and 0 accounts added; 22 already there",
        ));
    assert_eq!(office.sql_count("SELECT count(*) FROM sessions"), 6);
    assert_eq!(
        office.sql_count("SELECT count(*) FROM users WHERE password_hash = '!'"),
        16
    );
    office.console(&["verify"]).assert().success();
}

#[test]
fn a_dump_with_a_bad_entry_names_it_and_writes_nothing() {
    let office = Office::with_sample_users();
    let mut dump: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(DJANGO).unwrap()).unwrap();
    dump.push(
        serde_json::json!({"model": "utilisateurs.usersession", "pk": 99,
        "fields": {"user": 404, "login_time": "2025-11-12T09:00:00Z"}}),
    );
    // What the file says is shown, never obeyed by the terminal.
    dump.push(
        serde_json::json!({"model": "app\u{1b}[2J.usersession", "pk": 100,
        "fields": {"user": 1, "login_time": "yesterday"}}),
    );
    let file = office.file(
        "dump.json",
        serde_json::to_string(&dump).unwrap().as_bytes(),
    );
    let before = office.snapshot();
    office
        .console(&["import", "--django", path_str(&file)])
        .assert()
        .code(65)
        .stderr(predicate::str::contains(
            "entry 27 (utilisateurs.usersession 99): user 404 is not among the dump's users",
        ))
        .stderr(predicate::str::contains("(app\\u{1b}[2j.usersession 100)"))
        .stderr(predicate::str::contains("\u{1b}").not());
    assert_eq!(office.snapshot(), before);
    // The sample's accounts are the dump's: they are matched, not made twice.
    office
        .console(&["import", "--django", path_str(&file), "--skip-bad"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "6 sessions and 0 accounts added; 16 already there",
        ));
    let broken = office.file("broken.json", b"[{\"model\": \"auth.user\",\n  \"pk\": }]");
    office
        .console(&["import", "--django", path_str(&broken)])
        .assert()
        .code(65)
        .stderr(predicate::str::contains(
            "broken.json:2: not a dumpdata JSON list",
        ));
}
