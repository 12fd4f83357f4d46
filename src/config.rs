//! The configuration files: the PC's (`/etc/konekte/konekte.toml`) and the user's
//! (`$XDG_CONFIG_HOME/konekte/konekte.toml`). Each key is a setting of the command line
//! by its long name (`idle-timeout = "10m"`); its value is read by the flag's own parser,
//! so that a file accepts exactly what the flag does. What wins: the flag, then the
//! environment, then the user's file, then the system's, then the default
//! (`console config` shows which).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::{Arg, Command, CommandFactory, ValueEnum};
use toml::Spanned;

use crate::cli::Cli;
use crate::db::PgTarget;
use crate::error::Error;
use crate::i18n::Lang;

/// The PC's file, as the package installs it.
pub const SYSTEM_FILE: &str = "/etc/konekte/konekte.toml";

/// A setting the files may hold.
#[derive(Debug)]
pub struct Key {
    /// Its name in a file: its flag without the dashes.
    pub name: &'static str,
    /// The id of its argument on the command line.
    arg: &'static str,
    /// The environment variable over the files, if it has one.
    pub env: Option<&'static str>,
}

/// Every setting the files may hold, in the order `console config` lists them.
pub const KEYS: &[Key] = &[
    key("db", "db", Some("CONSOLE_DB")),
    key("lang", "lang", Some("CONSOLE_LANG")),
    key("idle-timeout", "idle_timeout", Some("CONSOLE_IDLE_TIMEOUT")),
    key("heartbeat", "heartbeat", Some("CONSOLE_HEARTBEAT")),
    key("lock-after", "lock_after", Some("CONSOLE_LOCK_AFTER")),
    key("lock-minutes", "lock_minutes", Some("CONSOLE_LOCK_MINUTES")),
    key("lock-by", "lock_by", Some("CONSOLE_LOCK_BY")),
    key("exec", "exec", Some("CONSOLE_EXEC")),
    key("exec-role", "exec_role", None),
];

const fn key(name: &'static str, arg: &'static str, env: Option<&'static str>) -> Key {
    Key { name, arg, env }
}

/// A setting as a file gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FromFile {
    /// Its values as the command line would take them (`exec-role`: one `ROLE=CMD` each).
    pub values: Vec<String>,
    pub file: PathBuf,
    pub line: usize,
}

/// What the files say, the user's over the system's.
#[derive(Debug, Default)]
pub struct Config {
    settings: BTreeMap<&'static str, FromFile>,
}

impl Config {
    /// The files at their places: `CONSOLE_CONFIG_SYSTEM` and `CONSOLE_CONFIG_USER` name
    /// others (empty: none), for a test or a second office on one PC.
    pub fn load() -> Result<Config, Error> {
        let system = place("CONSOLE_CONFIG_SYSTEM", || Some(PathBuf::from(SYSTEM_FILE)));
        let user = place("CONSOLE_CONFIG_USER", || {
            directories::ProjectDirs::from("", "", "konekte")
                .map(|dirs| dirs.config_dir().join("konekte.toml"))
        });
        Config::from_files(system.as_deref(), user.as_deref())
    }

    /// The settings of `system`, then of `user` over them; a file that does not exist
    /// says nothing.
    pub fn from_files(system: Option<&Path>, user: Option<&Path>) -> Result<Config, Error> {
        let mut config = Config::default();
        for path in [system, user].into_iter().flatten() {
            let text = match std::fs::read_to_string(path) {
                Ok(text) => text,
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
                Err(err) => {
                    return Err(Error::Config(crate::said!(
                        config_unreadable,
                        file = path.display(),
                        error = err
                    )));
                }
            };
            config.settings.extend(read(path, &text)?);
        }
        Ok(config)
    }

    /// The setting `name` as the files give it.
    pub fn get(&self, name: &str) -> Option<&FromFile> {
        self.settings.get(name)
    }

    /// The language: --lang, else CONSOLE_LANG (`fr`, `fr_FR.UTF-8`…), else the files',
    /// else the locale's (LC_ALL, LC_MESSAGES, LANG), else English. The locale comes
    /// after the files: a PC's system language is rarely chosen for its office.
    pub fn lang(&self, flag: Option<Lang>) -> (Lang, Origin) {
        if let Some(lang) = flag {
            return (lang, Origin::Flag);
        }
        if let Some(text) = non_empty_var("CONSOLE_LANG") {
            return (Lang::from_tag(&text), Origin::Env("CONSOLE_LANG"));
        }
        if let Some(setting) = self.get("lang") {
            let lang = setting
                .values
                .first()
                .and_then(|text| Lang::from_str(text, true).ok());
            if let Some(lang) = lang {
                return (lang, setting.origin());
            }
        }
        match Lang::from_locale() {
            Some((lang, variable)) => (lang, Origin::Locale(variable)),
            None => (Lang::En, Origin::Default),
        }
    }

    /// The database: --db, else CONSOLE_DB, else the files', else the default
    /// (`db::default_path`).
    pub fn db(&self, flag: Option<&Path>) -> anyhow::Result<(PathBuf, Origin)> {
        if let Some(path) = flag {
            return Ok((path.to_path_buf(), Origin::Flag));
        }
        if let Some(text) = non_empty_var("CONSOLE_DB") {
            return Ok((PathBuf::from(text), Origin::Env("CONSOLE_DB")));
        }
        if let Some(setting) = self.get("db").filter(|it| !it.values.is_empty()) {
            return Ok((PathBuf::from(&setting.values[0]), setting.origin()));
        }
        Ok((crate::db::default_path()?, Origin::Default))
    }

    /// Every setting as a command would take it, and where it came from, given the
    /// global flags of this command line.
    pub fn effective(
        &self,
        db: Option<&Path>,
        lang: Option<Lang>,
    ) -> anyhow::Result<Vec<Effective>> {
        let cli = Cli::command();
        let mut settings = Vec::with_capacity(KEYS.len());
        for key in KEYS {
            let (values, origin) = match key.name {
                "db" => {
                    let (path, origin) = self.db(db)?;
                    (vec![path.display().to_string()], origin)
                }
                "lang" => {
                    let (lang, origin) = self.lang(lang);
                    (vec![lang.tag().to_string()], origin)
                }
                _ => self.other(&cli, key),
            };
            settings.push(Effective {
                key: key.name,
                values,
                origin,
            });
        }
        Ok(settings)
    }

    /// A setting that clap chooses: its environment, the files, its default.
    fn other(&self, cli: &Command, key: &Key) -> (Vec<String>, Origin) {
        if let Some(variable) = key.env
            && let Some(text) = non_empty_var(variable)
        {
            return (vec![text], Origin::Env(variable));
        }
        if let Some(setting) = self.get(key.name) {
            return (setting.values.clone(), setting.origin());
        }
        let defaults = argument(cli, key.arg)
            .map(|arg| {
                arg.get_default_values()
                    .iter()
                    .map(|value| value.to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        (defaults, Origin::Default)
    }

    /// The command line, with the files' settings in place of the built-in defaults:
    /// a flag or its environment variable still wins. The database and the language are
    /// not among them: `commands::target_of` and `main` choose those, as the demo reads
    /// no office's database.
    pub fn command(&self) -> Command {
        let defaults: Vec<(&str, &FromFile)> = KEYS
            .iter()
            .filter(|key| !matches!(key.name, "db" | "lang"))
            .filter_map(|key| Some((key.arg, self.settings.get(key.name)?)))
            .collect();
        with_defaults(Cli::command(), &defaults)
    }
}

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Its flag on this command line.
    Flag,
    /// This environment variable.
    Env(&'static str),
    File {
        file: PathBuf,
        line: usize,
    },
    /// The language of this locale variable.
    Locale(&'static str),
    Default,
}

/// A setting in effect.
#[derive(Debug, Clone)]
pub struct Effective {
    pub key: &'static str,
    pub values: Vec<String>,
    pub origin: Origin,
}

impl FromFile {
    fn origin(&self) -> Origin {
        Origin::File {
            file: self.file.clone(),
            line: self.line,
        }
    }
}

fn non_empty_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

fn place(variable: &str, otherwise: impl FnOnce() -> Option<PathBuf>) -> Option<PathBuf> {
    match std::env::var_os(variable) {
        Some(given) if given.is_empty() => None,
        Some(given) => Some(PathBuf::from(given)),
        None => otherwise(),
    }
}

/// The commands whose options the files set, beside a bare `console`: the stations and
/// the agent. Another command's option of the same name is another thing (`watch
/// --exec` runs a program per event, not the session's).
const SET_BY_FILES: &[&str] = &["login", "monitor", "demo", "agent"];

/// `command` and the subcommands of `SET_BY_FILES`, each argument of `defaults`
/// defaulting to the file's.
fn with_defaults(mut command: Command, defaults: &[(&str, &FromFile)]) -> Command {
    command = defaults_of(command, defaults);
    for name in SET_BY_FILES {
        command = command.mut_subcommand(name, |sub| defaults_of(sub, defaults));
    }
    command
}

fn defaults_of(mut command: Command, defaults: &[(&str, &FromFile)]) -> Command {
    for (arg, setting) in defaults {
        if command.get_arguments().any(|it| it.get_id() == *arg) {
            command = command.mut_arg(*arg, |it| it.default_values(setting.values.clone()));
        }
    }
    command
}

/// The argument `id` of a bare `console`, else of the first of `SET_BY_FILES` that has
/// it (the agent's heartbeat).
fn argument(cli: &Command, id: &str) -> Option<Arg> {
    std::iter::once(cli)
        .chain(
            SET_BY_FILES
                .iter()
                .filter_map(|name| cli.find_subcommand(name)),
        )
        .find_map(|command| command.get_arguments().find(|arg| arg.get_id() == id))
        .cloned()
}

/// The settings of one file's text, each checked by its flag's parser.
fn read(path: &Path, text: &str) -> Result<BTreeMap<&'static str, FromFile>, Error> {
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let table: BTreeMap<Spanned<String>, Spanned<toml::Value>> =
        toml::from_str(text).map_err(|err| {
            let line = err.span().map_or(1, |span| line_of(span.start));
            Error::Config(crate::said!(
                config_syntax,
                file = path.display(),
                line = line,
                error = err.message().trim()
            ))
        })?;
    let cli = Cli::command();
    let mut settings = BTreeMap::new();
    for (name, value) in table {
        let line = line_of(name.span().start);
        let problem = |words: String| {
            Error::Config(crate::said!(
                config_bad,
                file = path.display(),
                line = line,
                key = name.get_ref(),
                problem = words
            ))
        };
        let Some(key) = KEYS.iter().find(|key| key.name == name.get_ref()) else {
            return Err(Error::Config(crate::said!(
                config_unknown_key,
                file = path.display(),
                line = line,
                key = name.get_ref(),
                known = KEYS
                    .iter()
                    .map(|key| key.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        };
        let values = values_of(key, value.get_ref()).map_err(problem)?;
        for text in &values {
            check(&cli, key, text).map_err(problem)?;
        }
        settings.insert(
            key.name,
            FromFile {
                values,
                file: path.to_path_buf(),
                line,
            },
        );
    }
    Ok(settings)
}

/// The command line's texts of a file's value: text or a number, or (`exec-role`) a
/// table of a command by role.
fn values_of(key: &Key, value: &toml::Value) -> Result<Vec<String>, String> {
    match (key.name, value) {
        ("exec-role", toml::Value::Table(table)) => table
            .iter()
            .map(|(role, command)| match command {
                toml::Value::String(command) => Ok(format!("{role}={command}")),
                _ => Err(crate::tr!(config_expected_text)),
            })
            .collect(),
        ("exec-role", _) => Err(crate::tr!(config_expected_table)),
        (_, toml::Value::String(text)) => Ok(vec![text.clone()]),
        (_, toml::Value::Integer(number)) => Ok(vec![number.to_string()]),
        _ => Err(crate::tr!(config_expected_text)),
    }
}

/// Whether the flag of `key` takes `text`; a database must be a whole path or a URL
/// without its password.
fn check(cli: &Command, key: &Key, text: &str) -> Result<(), String> {
    if key.name == "db" {
        if PgTarget::url_has_password(text) {
            return Err(crate::tr!(config_password_in_url));
        }
        if !text.starts_with("postgres") && !Path::new(text).is_absolute() {
            return Err(crate::tr!(config_relative_db));
        }
    }
    let Some(arg) = argument(cli, key.arg) else {
        return Ok(());
    };
    // The flag's parser alone, on a command line of one value.
    let value = Arg::new("value")
        .value_parser(arg.get_value_parser().clone())
        .allow_hyphen_values(true);
    Command::new("console")
        .arg(value)
        .try_get_matches_from([OsString::from("console"), OsString::from(text)])
        .map(drop)
        .map_err(|err| why_not(&err, text))
}

/// What a value parser said, without clap's framing of a command line.
fn why_not(err: &clap::Error, text: &str) -> String {
    use clap::error::{ContextKind, ContextValue};
    if let Some(cause) = std::error::Error::source(err) {
        return cause.to_string();
    }
    match err.get(ContextKind::ValidValue) {
        Some(ContextValue::Strings(valid)) => {
            crate::tr!(config_one_of, value = text, valid = valid.join(", "))
        }
        _ => crate::tr!(config_not_taken, value = text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("konekte.toml");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    /// The command line `args` as `config`'s command reads it.
    fn parsed(config: &Config, args: &[&str]) -> Cli {
        let matches = config.command().try_get_matches_from(args).unwrap();
        <Cli as clap::FromArgMatches>::from_arg_matches(&matches).unwrap()
    }

    fn said(result: Result<Config, Error>) -> String {
        result.unwrap_err().to_string()
    }

    #[test]
    fn every_key_is_a_flag_and_its_environment_is_the_flags() {
        let cli = Cli::command();
        for key in KEYS {
            let arg = argument(&cli, key.arg).unwrap_or_else(|| panic!("{}", key.name));
            assert_eq!(arg.get_long(), Some(key.name));
            if !matches!(key.name, "db" | "lang") {
                assert_eq!(arg.get_env().and_then(|env| env.to_str()), key.env);
            }
        }
    }

    #[test]
    fn the_users_file_wins_over_the_systems_key_by_key() {
        let (_a, system) = file("lang = \"ht\"\nidle-timeout = \"10m\"\n");
        let (_b, user) = file("\n# mine\nidle-timeout = \"2m\"\n");
        let config = Config::from_files(Some(&system), Some(&user)).unwrap();
        assert_eq!(config.get("lang").unwrap().values, ["ht"]);
        assert_eq!(config.get("lang").unwrap().file, system);
        let timeout = config.get("idle-timeout").unwrap();
        assert_eq!(
            (timeout.values.as_slice(), timeout.line),
            (&["2m".to_string()][..], 3)
        );
        assert_eq!(timeout.file, user);
    }

    #[test]
    fn a_files_setting_is_the_default_a_flag_overrides() {
        let (_dir, path) =
            file("idle-timeout = \"2m\"\nlock-after = 3\n[exec-role]\narchives = \"scan\"\n");
        let config = Config::from_files(Some(&path), None).unwrap();
        let parse = |args: &[&str]| parsed(&config, args);
        let cli = parse(&["console", "login"]);
        let Some(crate::cli::Command::Login(login)) = cli.command else {
            panic!()
        };
        assert_eq!(login.terminal.idle_timeout.0, Some(120_000));
        assert_eq!(login.terminal.lock_after, 3);
        assert_eq!(
            login.exec_role,
            [(crate::model::Role::Archives, "scan".to_string())]
        );
        let bare = parse(&["console", "--idle-timeout", "5m"]);
        assert_eq!(bare.login.terminal.idle_timeout.0, Some(300_000));
        let Some(crate::cli::Command::Agent { heartbeat }) = parse(&["console", "agent"]).command
        else {
            panic!()
        };
        assert_eq!(heartbeat, 5_000);
    }

    #[test]
    fn the_sessions_program_is_not_the_program_watch_runs_per_event() {
        let (_dir, path) = file("exec = \"office-app\"\nheartbeat = \"2s\"\n");
        let config = Config::from_files(Some(&path), None).unwrap();
        let parse = |args: &[&str]| parsed(&config, args);
        assert_eq!(
            parse(&["console"]).login.exec.as_deref(),
            Some("office-app")
        );
        let Some(crate::cli::Command::Watch(watch)) = parse(&["console", "watch"]).command else {
            panic!()
        };
        assert_eq!(watch.exec, None);
        let Some(crate::cli::Command::Agent { heartbeat }) = parse(&["console", "agent"]).command
        else {
            panic!()
        };
        assert_eq!(heartbeat, 2_000);
    }

    #[test]
    fn an_unknown_key_names_the_file_and_line() {
        let (_dir, path) = file("lang = \"fr\"\nidle_timeout = \"2m\"\n");
        let said = said(Config::from_files(Some(&path), None));
        assert!(
            said.starts_with(&format!("{}:2: idle_timeout:", path.display())),
            "{said}"
        );
        assert!(said.contains("idle-timeout"), "{said}");
    }

    #[test]
    fn a_bad_value_is_refused_by_the_flags_own_parser() {
        for (text, line, key) in [
            ("\nidle-timeout = \"soon\"", 2, "idle-timeout"),
            ("lock-by = \"nobody\"", 1, "lock-by"),
            ("lock-after = 0", 1, "lock-after"),
            ("heartbeat = true", 1, "heartbeat"),
            ("exec-role = \"scan\"", 1, "exec-role"),
            ("[exec-role]\nchef = \"scan\"", 1, "exec-role"),
            ("db = \"postgres://u:secret@host/db\"", 1, "db"),
            ("db = \"konekte.db\"", 1, "db"),
        ] {
            let (_dir, path) = file(text);
            let said = said(Config::from_files(Some(&path), None));
            let start = format!("{}:{line}: {key}: ", path.display());
            assert!(said.starts_with(&start), "{text}: {said}");
            assert!(!said.contains("u:secret@"), "{said}");
        }
    }

    #[test]
    fn a_file_that_is_not_toml_names_its_line() {
        let (_dir, path) = file("lang = \"fr\"\n\nidle-timeout 10m\n");
        let said = said(Config::from_files(Some(&path), None));
        assert!(
            said.starts_with(&format!("{}:3: ", path.display())),
            "{said}"
        );
    }

    #[test]
    fn a_missing_file_says_nothing() {
        let config = Config::from_files(Some(Path::new("/nonexistent/konekte.toml")), None);
        assert!(config.unwrap().get("db").is_none());
    }
}
