//! The Debian package `scripts/package` builds: what it holds and its control data;
//! then, as root on a machine without konekte installed, installed for real with dpkg
//! (the binary, its man pages, its completion, the PC's configuration, the account and
//! its folder) and purged, leaving nothing behind but the database.
//!
//! Not a backend's test: it runs in the SQLite pass of the suite only.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::tool;

/// What `dpkg-deb -c` must list, and what installing must put in place.
const FILES: &[&str] = &[
    "/usr/bin/console",
    "/etc/konekte/konekte.toml",
    "/usr/share/man/man1/console.1.gz",
    "/usr/share/man/man1/console-login.1.gz",
    "/usr/share/man/man1/console-import.1.gz",
    "/usr/share/bash-completion/completions/console",
    "/usr/share/zsh/vendor-completions/_console",
    "/usr/share/fish/vendor_completions.d/console.fish",
    "/usr/lib/systemd/system/konekte-agent.service",
    "/usr/share/doc/konekte/examples/kiosk-tty1.conf",
    "/usr/share/doc/konekte/examples/pam-konekte",
    "/usr/share/doc/konekte/copyright",
];

#[test]
fn the_package_holds_a_system_tool_installs_and_purges_to_the_database_alone() {
    if konekte::db::testing::backend() != konekte::db::Dialect::Sqlite {
        println!("skipped: the package is tested in the SQLite pass");
        return;
    }
    if !has("dpkg-deb") {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs on Debian: dpkg-deb is missing"
        );
        println!("skipped: not a Debian machine (no dpkg-deb)");
        return;
    }
    let deb = build();
    let listing = run("dpkg-deb", &["-c", path(&deb)]);
    for file in FILES {
        assert!(
            listing.contains(&format!(".{file}\n")),
            "{file} in\n{listing}"
        );
    }
    let binary = listing
        .lines()
        .find(|line| line.ends_with(" ./usr/bin/console"))
        .expect("the binary");
    assert!(binary.starts_with("-rwxr-xr-x 0/0 "), "{binary}");
    let field = |name: &str| {
        run("dpkg-deb", &["-f", path(&deb), name])
            .trim()
            .to_string()
    };
    assert_eq!(field("Package"), "konekte");
    assert_eq!(field("Version"), format!("{}-1", env!("CARGO_PKG_VERSION")));
    assert!(field("Depends").contains("passwd"), "{}", field("Depends"));
    let control = tempfile::tempdir().unwrap();
    run("dpkg-deb", &["-e", path(&deb), path(control.path())]);
    let read = |name: &str| std::fs::read_to_string(control.path().join(name)).unwrap();
    assert_eq!(read("conffiles").trim(), "/etc/konekte/konekte.toml");
    assert!(read("postinst").contains("useradd --system"));
    assert!(read("postinst").contains("deb-systemd-helper enable konekte-agent.service"));

    if !as_root() || installed_already() {
        return;
    }
    install_and_purge(&deb);
}

fn install_and_purge(deb: &Path) {
    run("dpkg", &["-i", path(deb)]);
    let files: Vec<String> = run("dpkg", &["-L", "konekte"])
        .lines()
        .map(str::to_string)
        .collect();
    let outcome = std::panic::catch_unwind(check_installed);
    run("dpkg", &["-P", "konekte"]);
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
    for file in &files {
        let file = Path::new(file);
        assert!(
            file.is_dir() || !file.exists(),
            "{} left after a purge",
            file.display()
        );
    }
    assert!(
        !Path::new("/etc/konekte").exists(),
        "/etc/konekte left after a purge"
    );
    // The office's record outlives the package.
    assert!(Path::new("/var/lib/konekte").is_dir());
}

/// What an admin finds once the package is in.
fn check_installed() {
    let version = run("/usr/bin/console", &["--version"]);
    assert_eq!(
        version.trim(),
        format!("console {}", env!("CARGO_PKG_VERSION"))
    );
    let page = run(tool("man"), &["-w", "console"]);
    assert_eq!(page.trim(), "/usr/share/man/man1/console.1.gz");
    let conffile = std::fs::read_to_string("/etc/konekte/konekte.toml").unwrap();
    assert!(conffile.contains("#idle-timeout = \"15m\""), "{conffile}");
    // Every setting commented: the PC's configuration is the defaults.
    let config = Command::new("/usr/bin/console")
        .args(["config", "--format", "csv"])
        .env("CONSOLE_CONFIG_USER", "")
        .env_remove("CONSOLE_CONFIG_SYSTEM")
        .env_remove("CONSOLE_DB")
        .output()
        .unwrap();
    let config = String::from_utf8_lossy(&config.stdout);
    assert!(
        config.contains("db,/var/lib/konekte/konekte.db,default"),
        "{config}"
    );
    assert!(!config.contains(",file,,/"), "{config}");

    // The agent's unit as systemd reads it (its user, its paths, its binary).
    if has("systemd-analyze") {
        let unit = "/usr/lib/systemd/system/konekte-agent.service";
        run("systemd-analyze", &["verify", "--man=no", unit]);
        let enabled = "/etc/systemd/system/multi-user.target.wants/konekte-agent.service";
        assert!(Path::new(enabled).exists(), "the agent is enabled");
    }
    let owner = run("stat", &["-c", "%U %a", "/var/lib/konekte"]);
    assert_eq!(owner.trim(), "konekte 700");
    // A database root makes there is the kiosk's and the agent's account's.
    let db = format!("/var/lib/konekte/package-test-{}.db", std::process::id());
    let made = Command::new("/usr/bin/console")
        .args(["--db", &db, "add-users", "--role", "admin", "--count", "1"])
        .env("CONSOLE_CONFIG_USER", "")
        .output()
        .unwrap();
    let owner = run("stat", &["-c", "%U %a", &db]);
    let _ = std::fs::remove_file(&db);
    assert!(made.status.success(), "{made:?}");
    assert_eq!(owner.trim(), "konekte 600");

    let completion = run(
        "bash",
        &[
            "-c",
            "source /usr/share/bash-completion/completions/console; \
             COMP_WORDS=(console imp); COMP_CWORD=1; _console console imp console; \
             echo \"${COMPREPLY[@]}\"",
        ],
    );
    assert_eq!(completion.trim(), "import");
}

/// `scripts/package`, which prints the package's path.
fn build() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new(root.join("scripts/package"))
        .output()
        .expect("scripts/package");
    assert!(output.status.success(), "{output:?}");
    let printed = String::from_utf8_lossy(&output.stdout);
    root.join(printed.lines().last().expect("the package's path").trim())
}

fn run(program: &str, args: &[&str]) -> String {
    let output = Command::new(program).args(args).output().expect(program);
    assert!(output.status.success(), "{program} {args:?}: {output:?}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn has(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|output| output.status.success())
}

fn path(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

fn as_root() -> bool {
    let root = run("id", &["-u"]).trim() == "0";
    if !root {
        println!("installing skipped: not root (dpkg -i needs root)");
    }
    root
}

/// An admin's own konekte is never removed by a test.
fn installed_already() -> bool {
    let status = Command::new("dpkg-query")
        .args(["-W", "-f", "${Status}", "konekte"])
        .output()
        .expect("dpkg-query");
    let installed = String::from_utf8_lossy(&status.stdout).contains("installed");
    if installed {
        println!("installing skipped: konekte is installed on this machine already");
    }
    installed
}
