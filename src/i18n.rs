//! Every word a person reads, on screen and in the human-readable output and errors of
//! the commands, in English, French and Haitian Creole. Machine-readable output (CSV,
//! JSON), exit codes and the names of CLI.md never change with the language.
//!
//! Each key carries its three translations side by side: a missing one does not compile,
//! and a test checks that every translation has the placeholders (`{name}`) of English.

use std::fmt::Display;
use std::sync::OnceLock;

use crate::clock::Zone;
use crate::model::{EndReason, Millis, Outcome, UserState};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Lang {
    /// English
    En,
    /// Français
    Fr,
    /// Kreyòl ayisyen
    Ht,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Fr, Lang::Ht];

    /// `CONSOLE_LANG`, else the locale's (`Lang::from_locale`), else English: the
    /// language before any configuration file is read.
    pub fn from_env() -> Lang {
        Lang::from_vars(&|name| std::env::var(name).ok())
    }

    fn from_vars(var: &dyn Fn(&str) -> Option<String>) -> Lang {
        match var("CONSOLE_LANG").filter(|tag| !tag.is_empty()) {
            Some(tag) => Lang::from_tag(&tag),
            None => Lang::locale_of(var).map_or(Lang::En, |(lang, _)| lang),
        }
    }

    /// The language of the first of `LC_ALL`, `LC_MESSAGES`, `LANG` that is set
    /// (`fr_FR.UTF-8` is French, `ht_HT` Haitian Creole, anything else English), and
    /// which variable said it.
    pub fn from_locale() -> Option<(Lang, &'static str)> {
        Lang::locale_of(&|name| std::env::var(name).ok())
    }

    fn locale_of(var: &dyn Fn(&str) -> Option<String>) -> Option<(Lang, &'static str)> {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .into_iter()
            .find_map(|name| {
                let value = var(name).filter(|value| !value.is_empty())?;
                Some((Lang::from_tag(&value), name))
            })
    }

    /// `fr`, `fr_HT.UTF-8`: French; `ht…`: Creole; anything else English.
    pub fn from_tag(tag: &str) -> Lang {
        let tag = tag.to_lowercase();
        if tag.starts_with("fr") {
            Lang::Fr
        } else if tag.starts_with("ht") {
            Lang::Ht
        } else {
            Lang::En
        }
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::En => &EN,
            Lang::Fr => &FR,
            Lang::Ht => &HT,
        }
    }

    /// The language's tag (BCP 47), as a document declares it.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::Ht => "ht",
        }
    }

    /// What stands between a label and its value: French puts a space before the colon.
    pub fn colon(self) -> &'static str {
        match self {
            Lang::Fr => " : ",
            Lang::En | Lang::Ht => ": ",
        }
    }

    /// The next language, for the key that switches (F2 on the login screen).
    pub fn next(self) -> Lang {
        Lang::ALL[(Lang::ALL.iter().position(|l| *l == self).unwrap_or(0) + 1) % Lang::ALL.len()]
    }

    /// `2026-11-24 09:15` in English; `24/11/2026 09:15` in French and Creole.
    pub fn date_time(self, at: Millis, tz: Zone) -> String {
        self.format(at, tz, "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M")
    }

    /// With the seconds: `2026-11-24 09:15:02`, `24/11/2026 09:15:02`.
    pub fn date_time_seconds(self, at: Millis, tz: Zone) -> String {
        self.format(at, tz, "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M:%S")
    }

    /// The time of day: `09:15`, in every language.
    pub fn time(self, at: Millis, tz: Zone) -> String {
        crate::clock::format_in(at, tz, "%H:%M")
    }

    /// Without the year: `11-24 09:15`, `24/11 09:15`.
    pub fn short_date_time(self, at: Millis, tz: Zone) -> String {
        self.format(at, tz, "%m-%d %H:%M", "%d/%m %H:%M")
    }

    /// When a session ended, as `last` writes it: the time alone on the day of its
    /// login (`16:40`), else the day too (`11-24 16:40`, `24/11 16:40`).
    pub fn end_time(self, login: Millis, logout: Millis, tz: Zone) -> String {
        let day = |at| crate::clock::format_in(at, tz, "%F");
        if day(login) == day(logout) {
            crate::clock::format_in(logout, tz, "%H:%M")
        } else {
            self.short_date_time(logout, tz)
        }
    }

    pub fn date(self, day: chrono::NaiveDate) -> String {
        match self {
            Lang::En => day.format("%Y-%m-%d").to_string(),
            Lang::Fr | Lang::Ht => day.format("%d/%m/%Y").to_string(),
        }
    }

    fn format(self, at: Millis, tz: Zone, english: &'static str, french: &'static str) -> String {
        crate::clock::format_in(at, tz, if self == Lang::En { english } else { french })
    }

    /// A duration, the one way every screen and table writes it, in every language:
    /// hours, minutes and seconds, `1:05:09`, the hours counted on past a day
    /// (`38:34:53`), as a week's total reads.
    pub fn duration(self, millis: Millis) -> String {
        let seconds = millis.max(0) / 1000;
        let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
        format!("{h}:{m:02}:{s:02}")
    }
}

impl Texts {
    /// A user's state in this language (CSV and JSON keep the canonical name).
    pub fn state(&self, state: UserState) -> &'static str {
        match state {
            UserState::Online => self.state_online,
            UserState::Offline => self.state_offline,
            UserState::Disabled => self.state_disabled,
            UserState::Locked => self.state_locked,
        }
    }

    /// What became of a login attempt, in this language (CSV and JSON keep the code).
    pub fn outcome(&self, outcome: Outcome) -> &'static str {
        match outcome {
            Outcome::Success => self.outcome_success,
            Outcome::BadPassword => self.outcome_bad_password,
            Outcome::UnknownUser => self.outcome_unknown_user,
            Outcome::Disabled => self.outcome_disabled,
            Outcome::Locked => self.outcome_locked,
            Outcome::NotAdmin => self.outcome_not_admin,
        }
    }

    /// How a session ended, in this language.
    pub fn end_reason(&self, reason: EndReason) -> &'static str {
        match reason {
            EndReason::Logout => self.end_logout,
            EndReason::Idle => self.end_idle,
            EndReason::Hangup => self.end_hangup,
            EndReason::Forced => self.end_forced,
            EndReason::Lost => self.end_lost,
        }
    }

    /// How a session ended, with an admin's correction of it said: `idle (corrected)`,
    /// `logout (added)`, `logout (void)`; nothing while it is open.
    pub fn ended(&self, reason: Option<EndReason>, correction: Option<&str>) -> String {
        let reason = reason.map_or("", |reason| self.end_reason(reason));
        let mark = match correction {
            Some("end") => self.correction_end,
            Some("added") => self.correction_added,
            Some("void") => self.correction_void,
            _ => return reason.to_string(),
        };
        format!("{reason} ({mark})")
    }
}

static CURRENT: OnceLock<Lang> = OnceLock::new();

/// Sets the language of this process (from `--lang`, else the environment). Once.
pub fn set(lang: Lang) {
    let _ = CURRENT.set(lang);
}

/// The texts of this process's language. Unit tests, which set none, read English.
pub fn texts() -> &'static Texts {
    let fallback = || {
        if cfg!(test) {
            Lang::En
        } else {
            Lang::from_env()
        }
    };
    // The environment only when no language was set: a listing asks once a cell.
    CURRENT.get().copied().unwrap_or_else(fallback).texts()
}

/// `template` with each `{name}` replaced by its value.
///
/// A placeholder may carry the word that agrees with its number: `{count|session|
/// sessions}` writes "1 session", "2 sessions" (English: one for exactly 1), and
/// `{count/session/sessions}` writes "0 session", "1 session", "2 sessions" (French:
/// one for 0 and 1). Creole's nouns do not change.
pub fn fill(template: &str, values: &[(&str, &dyn Display)]) -> String {
    let mut text = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        text.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}').map(|close| open + close) else {
            break;
        };
        let inside = &rest[open + 1..close];
        match placeholder(inside, values) {
            Some(filled) => text.push_str(&filled),
            None => text.push_str(&rest[open..=close]),
        }
        rest = &rest[close + 1..];
    }
    text.push_str(rest);
    text
}

/// What `{inside}` becomes: the value named, with its word in the form its number
/// asks for; `None` when no value has that name.
fn placeholder(inside: &str, values: &[(&str, &dyn Display)]) -> Option<String> {
    let (name, forms, one_for_zero) = match inside.find(['|', '/']) {
        Some(at) => (
            &inside[..at],
            Some(&inside[at + 1..]),
            inside[at..].starts_with('/'),
        ),
        None => (inside, None, false),
    };
    let value = values.iter().find(|(n, _)| *n == name)?.1.to_string();
    let Some(forms) = forms else {
        return Some(value);
    };
    let (one, other) = forms.split_once(['|', '/']).unwrap_or((forms, forms));
    let singular = value == "1" || (one_for_zero && value == "0");
    Some(format!("{value} {}", if singular { one } else { other }))
}

/// Words to be said in whoever reads them's language: a catalogue entry and the values
/// of its placeholders, put into text only when shown. An error carries them up from
/// the database or the login's checks; a screen says them in its person's language,
/// a command in the process's (`Display`). Values are kept as said where they came
/// from (a path, a server's message).
#[derive(Debug, Clone)]
pub struct Words {
    entry: Entry,
    values: Vec<(&'static str, String)>,
}

#[derive(Debug, Clone)]
enum Entry {
    Catalogue(fn(&Texts) -> &'static str),
    /// Words from outside the catalogue, the same in every language.
    Plain(String),
}

impl Words {
    pub fn new(entry: fn(&Texts) -> &'static str, values: Vec<(&'static str, String)>) -> Words {
        Words {
            entry: Entry::Catalogue(entry),
            values,
        }
    }

    /// The words in `texts`' language.
    pub fn in_lang(&self, texts: &Texts) -> String {
        let template = match &self.entry {
            Entry::Catalogue(entry) => entry(texts),
            Entry::Plain(text) => return text.clone(),
        };
        let values: Vec<(&str, &dyn Display)> = self
            .values
            .iter()
            .map(|(name, value)| (*name, value as &dyn Display))
            .collect();
        fill(template, &values)
    }
}

impl Display for Words {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.in_lang(texts()))
    }
}

impl From<String> for Words {
    fn from(text: String) -> Words {
        Words {
            entry: Entry::Plain(text),
            values: Vec::new(),
        }
    }
}

impl From<&str> for Words {
    fn from(text: &str) -> Words {
        Words::from(text.to_string())
    }
}

/// `said!(key)`, or `said!(key, name = value, …)`: `Words` of the catalogue, to be put
/// in the language of whoever reads them.
#[macro_export]
macro_rules! said {
    ($key:ident) => {
        $crate::i18n::Words::new(|texts| texts.$key, Vec::new())
    };
    ($key:ident, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::Words::new(
            |texts| texts.$key,
            vec![$((stringify!($name), $value.to_string())),+],
        )
    };
}

/// `tr!(key)`, or `tr!(key, name = value, …)` to fill its placeholders: a text of the
/// process's language.
#[macro_export]
macro_rules! tr {
    ($key:ident) => {
        $crate::i18n::texts().$key.to_string()
    };
    ($key:ident, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::fill($crate::i18n::texts().$key, &[$((stringify!($name), &$value)),+])
    };
}

macro_rules! catalog {
    ($($key:ident: [$en:expr, $fr:expr, $ht:expr $(,)?],)*) => {
        pub struct Texts {
            pub lang: Lang,
            $(pub $key: &'static str,)*
        }

        pub static EN: Texts = Texts { lang: Lang::En, $($key: $en,)* };
        pub static FR: Texts = Texts { lang: Lang::Fr, $($key: $fr,)* };
        pub static HT: Texts = Texts { lang: Lang::Ht, $($key: $ht,)* };

        impl Texts {
            /// Every key with its text: what the tests compare across languages.
            pub fn entries(&self) -> Vec<(&'static str, &'static str)> {
                vec![$((stringify!($key), self.$key),)*]
            }
        }
    };
}

catalog! {
    // The login and session screens.
    app: ["konekte", "konekte", "konekte"],
    log_in: ["Log in", "Connexion", "Konekte"],
    admin_log_in: ["Admin log in: monitor", "Connexion administrateur : moniteur", "Koneksyon administratè: siveyans"],
    username: ["Username", "Utilisateur", "Non itilizatè"],
    password: ["Password", "Mot de passe", "Modpas"],
    new_password: ["New password", "Nouveau mot de passe", "Nouvo modpas"],
    file_too_large: [
        "{file}: larger than {megabytes} MB, not a list of accounts",
        "{file} : plus de {megabytes} Mo, ce n'est pas une liste de comptes",
        "{file}: plis pase {megabytes} Mo, se pa yon lis kont",
    ],
    password_not_utf8: [
        "the password on stdin is not UTF-8 text",
        "le mot de passe lu sur l'entrée standard n'est pas du texte UTF-8",
        "modpas ki sou stdin an pa tèks UTF-8",
    ],
    repeat_password: ["Repeat it", "Répétez-le", "Repete l"],
    choose_password: [
        "Choose a new password (8 characters or more)",
        "Choisissez un nouveau mot de passe (8 caractères ou plus)",
        "Chwazi yon nouvo modpas (8 karaktè oswa plis)",
    ],
    passwords_differ: ["The two passwords differ", "Les deux mots de passe diffèrent", "De modpas yo pa menm"],
    invalid_login: [
        "Invalid username or password",
        "Utilisateur ou mot de passe invalide",
        "Non itilizatè oswa modpas la pa bon",
    ],
    source_locked_until: [
        "Too many failed attempts at this terminal: try again at {time}",
        "Trop d'échecs sur ce terminal : réessayez à {time}",
        "Twòp tantativ ki echwe sou tèminal sa a: eseye ankò a {time}",
    ],
    locked_until: [
        "Too many failed attempts: locked until {time}",
        "Trop d'échecs : compte bloqué jusqu'à {time}",
        "Twòp tantativ ki echwe: bloke jiska {time}",
    ],
    type_username: ["Type your username", "Saisissez votre nom d'utilisateur", "Tape non itilizatè ou"],
    checking: ["Checking…", "Vérification…", "N ap verifye…"],
    database_trouble: [
        "Database unreachable: {error}",
        "Base de données inaccessible : {error}",
        "Baz done a pa disponib: {error}",
    ],
    logged_out: [
        "Logged out. Session lasted {duration}",
        "Déconnecté. Durée de la session : {duration}",
        "Ou dekonekte. Sesyon an te dire {duration}",
    ],
    logged_out_idle: [
        "Logged out after inactivity. Session lasted {duration}",
        "Déconnecté pour inactivité. Durée de la session : {duration}",
        "Ou dekonekte paske pa t gen aktivite. Sesyon an te dire {duration}",
    ],
    ended_by_admin: [
        "Your session was ended by an administrator",
        "Votre session a été fermée par un administrateur",
        "Yon administratè fèmen sesyon ou",
    ],
    session_lost: [
        "Your session was closed: this terminal stopped answering",
        "Votre session a été fermée : ce terminal ne répondait plus",
        "Sesyon ou fèmen: tèminal sa a te sispann reponn",
    ],
    role: ["Role", "Rôle", "Wòl"],
    since: ["Since", "Depuis", "Depi"],
    duration: ["Duration", "Durée", "Dire"],
    previous_login: ["Previous login", "Connexion précédente", "Dènye koneksyon"],
    first_login: ["First login", "Première connexion", "Premye koneksyon"],
    from: ["from", "depuis", "soti"],
    failures_since: [
        "Failed attempts since the last login",
        "Échecs de connexion depuis la dernière",
        "Tantativ ki echwe depi dènye koneksyon an",
    ],
    idle_warning: [
        "No activity: logging out in {seconds} s",
        "Aucune activité : déconnexion dans {seconds} s",
        "Pa gen aktivite: dekoneksyon nan {seconds} s",
    ],
    retrying_logout: [
        "Database unreachable: retrying the logout…",
        "Base de données inaccessible : nouvel essai de déconnexion…",
        "Baz done a pa disponib: n ap eseye dekonekte ankò…",
    ],
    db_damaged_screen: [
        "The database is damaged: no login here. Tell an admin",
        "La base de données est abîmée : pas de connexion ici. Prévenez un admin",
        "Baz done a domaje: pa gen koneksyon la a. Di yon admin",
    ],
    db_replaced: [
        "Database file replaced or removed: restart this terminal",
        "Fichier de la base remplacé ou supprimé : redémarrez ce terminal",
        "Fichye baz done a ranplase oswa efase: rekòmanse tèminal sa a",
    ],
    db_waiting: [
        "Waiting for the database (another program holds it)…",
        "En attente de la base de données (un autre programme la tient)…",
        "N ap tann baz done a (yon lòt pwogram kenbe l)…",
    ],
    stopped_by_fault: [
        "this terminal stopped on an internal fault (above); its session was closed if the database answered",
        "ce terminal s'est arrêté sur une erreur interne (ci-dessus) ; sa session a été fermée si la base a répondu",
        "tèminal sa a kanpe sou yon erè entèn (anwo a); sesyon li fèmen si baz done a te reponn",
    ],
    db_reconnecting: [
        "Database unreachable — reconnecting…",
        "Base de données injoignable — reconnexion…",
        "Baz done a pa disponib — n ap rekonekte…",
    ],
    too_small: [
        "Terminal too small: 40×12 at least",
        "Terminal trop petit : 40×12 au moins",
        "Tèminal la twò piti: omwen 40×12",
    ],
    language_name: ["English", "Français", "Kreyòl"],
    key_log_in: ["log in", "connexion", "konekte"],
    key_save_password: ["save", "enregistrer", "anrejistre"],
    key_next_field: ["next field", "champ suivant", "lòt chan"],
    key_clear: ["clear", "effacer", "efase"],
    key_quit: ["quit", "quitter", "kite"],
    key_cancel: ["cancel", "annuler", "anile"],
    key_log_out: ["log out", "déconnexion", "dekonekte"],
    key_language: ["language", "langue", "lang"],

    // States and ends, on screen and in tables (CSV and JSON keep the canonical names).
    state_online: ["online", "en ligne", "anliy"],
    state_offline: ["offline", "hors ligne", "pa konekte"],
    state_disabled: ["disabled", "désactivé", "dezaktive"],
    state_locked: ["locked", "bloqué", "bloke"],
    end_logout: ["logout", "déconnexion", "dekonekte"],
    end_idle: ["idle", "inactivité", "inaktif"],
    end_hangup: ["hangup", "coupure", "koupe"],
    end_forced: ["forced", "forcée", "fòse"],
    end_lost: ["lost", "perdue", "pèdi"],
    outcome_success: ["logged in", "connecté", "konekte"],
    outcome_bad_password: ["wrong password", "mauvais mot de passe", "move modpas"],
    outcome_unknown_user: ["unknown name", "nom inconnu", "non enkoni"],
    outcome_disabled: ["account disabled", "compte désactivé", "kont dezaktive"],
    outcome_locked: ["refused: locked", "refusé : bloqué", "refize: bloke"],
    outcome_not_admin: ["not an admin (monitor)", "pas administrateur (moniteur)", "pa administratè (siveyans)"],

    // The monitor.
    monitor: ["monitor", "moniteur", "siveyans"],
    online: ["Online", "En ligne", "Anliy"],
    people_online: ["{online}/{total} people online", "{online}/{total} personnes en ligne", "{online}/{total} moun anliy"],
    sessions_open: ["{count|session|sessions}", "{count/session/sessions}", "{count} sesyon"],
    all_users: ["All users", "Tous les utilisateurs", "Tout itilizatè yo"],
    online_now: ["Online now", "En ligne maintenant", "Anliy kounye a"],
    recently_offline: ["Recently offline", "Récemment hors ligne", "Fèk dekonekte"],
    tab_users: ["Users", "Utilisateurs", "Itilizatè"],
    tab_offline: ["Offline", "Hors ligne", "Dekonekte"],
    col_id: ["ID", "ID", "ID"],
    col_username: ["User", "Utilisateur", "Itilizatè"],
    col_full_name: ["Full name", "Nom complet", "Non konplè"],
    col_role: ["Role", "Rôle", "Wòl"],
    col_status: ["Status", "Statut", "Eta"],
    col_last_login: ["Last login", "Connexion", "Koneksyon"],
    col_last_logout: ["Last logout", "Déconnexion", "Dekoneksyon"],
    col_today: ["Today", "Auj.", "Jodi a"],
    col_since: ["Since", "Depuis", "Depi"],
    col_idle: ["Idle", "Inactif", "San touche"],
    col_duration: ["Duration", "Durée", "Dire"],
    col_host: ["Host", "Hôte", "Òdinatè"],
    col_tty: ["TTY", "TTY", "TTY"],
    col_via: ["Via", "Via", "Pa"],
    col_ip: ["IP", "IP", "IP"],
    col_heartbeat: ["Beat", "Signal", "Siyal"],
    col_login: ["Login", "Connexion", "Koneksyon"],
    col_logout: ["Logout", "Déconnexion", "Dekoneksyon"],
    col_ended: ["Ended", "Fin", "Fen"],
    col_ended_by: ["Ended by", "Fermée par", "Fèmen pa"],
    col_note: ["Note", "Note", "Nòt"],
    col_by: ["By", "Par", "Pa"],
    col_recorded: ["Recorded end", "Fin enregistrée", "Fen anrejistre"],
    col_corrected: ["Corrected", "Corrigée", "Korije"],
    col_action: ["Action", "Action", "Aksyon"],
    col_subject: ["Subject", "Objet", "Sou kisa"],
    col_detail: ["Detail", "Détail", "Detay"],
    filter: ["Filter", "Filtre", "Filtè"],
    sort_by: ["sort {order}", "tri {order}", "lòd {order}"],
    sort_name: ["name", "nom", "non"],
    sort_role: ["role", "rôle", "wòl"],
    sort_last_login: ["last login", "dernière connexion", "dènye koneksyon"],
    filter_typing: ["Enter keeps it · Esc clears it", "Entrée le garde · Échap l'efface", "Enter kenbe l · Esc efase l"],
    filter_kept: ["(/ changes it · Esc clears it)", "(/ le change · Échap l'efface)", "(/ chanje l · Esc efase l)"],
    history: ["History", "Historique", "Istwa"],
    per_day: ["Per day", "Par jour", "Pa jou"],
    still_online: ["online", "en ligne", "anliy"],
    confirm_end: ["End this session?", "Fermer cette session ?", "Fèmen sesyon sa a?"],
    ended_session: ["Ended session {id}", "Session {id} fermée", "Sesyon {id} fèmen"],
    confirm_since: ["since {time} · session {id}", "depuis {time} · session {id}", "depi {time} · sesyon {id}"],
    own_session: [
        "This is your own session: the monitor closes with it.",
        "C'est votre propre session : le moniteur se ferme avec elle.",
        "Se pwòp sesyon ou: siveyans lan ap fèmen avè l.",
    ],
    own_session_again: [
        "Really end your own session and leave the monitor?",
        "Vraiment fermer votre propre session et quitter le moniteur ?",
        "Ou vle fèmen pwòp sesyon ou epi kite siveyans lan vre?",
    ],
    confirm_end_own: ["End your own session?", "Fermer votre propre session ?", "Fèmen pwòp sesyon ou?"],
    confirm_quit_demo: ["Leave the demo?", "Quitter la démo ?", "Kite demo a?"],
    demo_removed: [
        "Its database is removed with it.",
        "Sa base de données est supprimée avec elle.",
        "Baz done li an ap efase avè l.",
    ],
    demo_kept: [
        "Its database file is kept.",
        "Son fichier de base de données est conservé.",
        "Fichye baz done li an ap rete.",
    ],
    key_yes: ["yes", "oui", "wi"],
    key_no: ["no", "non", "non"],
    nothing_here: ["nothing here", "rien ici", "anyen la a"],
    today_title: ["Today", "Aujourd'hui", "Jodi a"],
    today_nobody: [
        "Nobody has logged in today.",
        "Personne ne s'est connecté aujourd'hui.",
        "Pèsonn pa konekte jodi a.",
    ],
    legend_open: ["still on", "en cours", "toujou la"],
    legend_ended: ["ended", "terminée", "fini"],
    legend_expected: ["expected", "attendu", "prevwa"],
    late_absent: ["{late} late · {absent} absent", "{late} en retard · {absent} absent(s)", "{late} an reta · {absent} absan"],
    key_today: ["today", "aujourd'hui", "jodi a"],
    help_today: [
        "the day: each person's sessions as bars",
        "la journée : les sessions de chacun en barres",
        "jounen an: sesyon chak moun an ba",
    ],
    help_title: ["Keys", "Touches", "Touch yo"],
    help_pane: ["next / previous pane", "volet suivant / précédent", "pwochen / anvan panno"],
    help_move: ["move the selection (also j k)", "déplacer la sélection (aussi j k)", "deplase seleksyon an (j k tou)"],
    help_scroll: ["a page up, a page down", "une page plus haut, plus bas", "yon paj anwo, anba"],
    help_first_last: ["the first, the last row (also g G)", "la première, la dernière ligne (aussi g G)", "premye, dènye liy lan (g G tou)"],
    help_filter: [
        "filter by name, role or host (Esc clears)",
        "filtrer par nom, rôle ou hôte (Échap efface)",
        "filtre pa non, wòl oswa machin (Esc efase)",
    ],
    help_sort: [
        "cycle the sort: name, role, last login",
        "changer le tri : nom, rôle, dernière connexion",
        "chanje lòd la: non, wòl, dènye koneksyon",
    ],
    help_history: [
        "the user's history, with totals per day",
        "l'historique de l'utilisateur, avec les totaux par jour",
        "istwa itilizatè a, ak total pa jou",
    ],
    help_end: ["end the selected online session", "fermer la session en ligne choisie", "fèmen sesyon anliy ou chwazi a"],
    help_help: ["this help", "cette aide", "èd sa a"],
    help_quit: ["close, or leave the monitor", "fermer, ou quitter le moniteur", "fèmen, oswa kite siveyans lan"],
    key_pane: ["pane", "volet", "panno"],
    key_scroll: ["move", "déplacer", "deplase"],
    key_filter: ["filter", "filtrer", "filtre"],
    key_sort: ["sort", "trier", "lòd"],
    key_history: ["history", "historique", "istwa"],
    key_end: ["end session", "fermer la session", "fèmen sesyon"],
    key_help: ["help", "aide", "èd"],
    key_monitor: ["monitor", "moniteur", "siveyans"],
    key_back: ["back", "retour", "retounen"],
    key_clear_filter: ["clear filter", "effacer le filtre", "efase filtè"],
    key_keep_filter: ["keep", "garder", "kenbe"],
    demo_not_empty: [
        "{db}: the demo runs only on an empty database (its sample accounts have public passwords); this one holds users",
        "{db} : la démo ne tourne que sur une base vide (ses comptes d'exemple ont des mots de passe publics) ; celle-ci contient des utilisateurs",
        "{db}: demo a mache sèlman sou yon baz vid (kont egzanp li yo gen modpas piblik); baz sa a gen itilizatè",
    ],
    demo_banner: [
        "DEMO · {terminals} simulated terminals · log in elsewhere: console --db {db} · admin {admin} / {password}",
        "DÉMO · {terminals} terminaux simulés · connectez-vous ailleurs : console --db {db} · admin {admin} / {password}",
        "DEMO · {terminals} tèminal similasyon · konekte yon lòt kote: console --db {db} · admin {admin} / {password}",
    ],

    // The commands' tables.
    col_sessions: ["Sessions", "Sessions", "Sesyon"],
    col_connected: ["Connected", "Connecté", "Konekte"],
    col_summed: ["Sessions' sum", "Somme des sessions", "Total sesyon yo"],
    col_people: ["People", "Personnes", "Moun"],
    col_first_login: ["First login", "Première connexion", "Premye koneksyon"],
    col_setting: ["Setting", "Réglage", "Paramèt"],
    col_value: ["Value", "Valeur", "Valè"],
    col_origin: ["From", "Origine", "Sous"],
    col_day: ["Day", "Jour", "Jou"],
    col_time: ["Time", "Heure", "Lè"],
    col_name_typed: ["Name typed", "Nom saisi", "Non ki tape"],
    col_outcome: ["Outcome", "Résultat", "Rezilta"],
    col_failures: ["Failures", "Échecs", "Echèk"],
    col_latest: ["Latest", "Dernier", "Dènye"],
    col_locked: ["Locked", "Bloqué", "Bloke"],
    col_state: ["State", "État", "Eta"],
    col_password: ["Password", "Mot de passe", "Modpas"],
    seconds_ago: ["{seconds}s ago", "il y a {seconds} s", "sa gen {seconds} s"],
    still_logged_in: ["still logged in", "toujours connecté", "toujou konekte"],
    history_begins: [
        "history begins {time}",
        "historique depuis le {time}",
        "istwa a kòmanse {time}",
    ],
    history_empty: [
        "no session in the history yet",
        "aucune session dans l'historique",
        "poko gen sesyon nan istwa a",
    ],
    locked_flag: ["LOCKED", "BLOQUÉ", "BLOKE"],
    total: ["Total", "Total", "Total"],

    // What the commands say.
    pruned: [
        "deleted {sessions|ended session|ended sessions} and {attempts|login attempt|login attempts} from before {time}",
        "supprimé : {sessions/session terminée/sessions terminées} et {attempts/tentative de connexion/tentatives de connexion} d'avant {time}",
        "efase {sessions} sesyon ki fini ak {attempts} tantativ koneksyon anvan {time}",
    ],
    verify_intact: [
        "journal intact: {entries|entry|entries}, head {head} ({hash}), {from} to {to}",
        "journal intact : {entries/entrée/entrées}, tête {head} ({hash}), du {from} au {to}",
        "jounal la entak: {entries} antre, tèt {head} ({hash}), depi {from} rive {to}",
    ],
    verify_before: [
        "before the journal: {users|account|accounts}, {sessions|session|sessions} and {attempts|attempt|attempts} as they stood when it began, counted but not proved ({unproved} not touched since)",
        "avant le journal : {users/compte/comptes}, {sessions/session/sessions} et {attempts/tentative/tentatives} tels qu'ils étaient à son début, comptés mais non prouvés ({unproved} inchangés depuis)",
        "anvan jounal la: {users} kont, {sessions} sesyon ak {attempts} tantativ jan yo te ye lè li te kòmanse, konte men pa pwouve ({unproved} pa chanje depi lè sa)",
    ],
    verify_pruned: [
        "{count|row|rows} pruned, as the journal records",
        "{count/ligne supprimée/lignes supprimées} par prune, comme le journal l'enregistre",
        "{count} liy efase pa prune, jan jounal la anrejistre l",
    ],
    verify_retained: [
        "kept since entry {entry} (the older entries removed by prune, what they said carried)",
        "conservé depuis l'entrée {entry} (les entrées plus anciennes retirées par prune, ce qu'elles disaient reporté)",
        "kenbe depi antre {entry} (prune retire antre ki pi ansyen yo, sa yo te di a pote pi devan)",
    ],
    verify_before_retained: [
        "{count|checkpoint|checkpoints} before the retained history",
        "{count/point de contrôle/points de contrôle} d'avant l'historique conservé",
        "{count} pwen kontwòl anvan istwa ki kenbe a",
    ],
    verify_found: [
        "verify found {count|problem|problems} in the record",
        "verify a trouvé {count/problème/problèmes} dans l'historique",
        "verify jwenn {count} pwoblèm nan dosye a",
    ],
    finding_differs: [
        "{row}: {field} differs from the journal ({recorded} recorded, {now} now)",
        "{row} : {field} diffère du journal ({recorded} enregistré, {now} maintenant)",
        "{row}: {field} pa menm ak jounal la ({recorded} anrejistre, {now} kounye a)",
    ],
    finding_unrecorded: [
        "{row}: not in the journal (written behind konekte's back)",
        "{row} : absent du journal (écrit à l'insu de konekte)",
        "{row}: pa nan jounal la (ekri san konekte pa konnen)",
    ],
    finding_missing: [
        "{row}: in the journal, missing from its table",
        "{row} : dans le journal, absent de sa table",
        "{row}: nan jounal la, men li pa nan tab li",
    ],
    finding_hash: [
        "journal entry {id}: its hash does not match its contents (the entry was edited)",
        "entrée {id} du journal : son empreinte ne correspond pas à son contenu (l'entrée a été modifiée)",
        "antre {id} nan jounal la: anprent li pa koresponn ak sa l genyen (yo chanje antre a)",
    ],
    finding_follows: [
        "journal entry {id}: does not follow entry {previous} (an entry was removed, inserted or rewritten before it)",
        "entrée {id} du journal : ne suit pas l'entrée {previous} (une entrée a été retirée, insérée ou réécrite avant elle)",
        "antre {id} nan jounal la: li pa swiv antre {previous} (yo retire, mete oswa reekri yon antre anvan l)",
    ],
    finding_unreadable: [
        "journal entry {id}: not written by konekte ({error})",
        "entrée {id} du journal : pas écrite par konekte ({error})",
        "antre {id} nan jounal la: se pa konekte ki ekri l ({error})",
    ],
    finding_head: [
        "the journal's head is entry {head} but its last entry is {last} (entries were cut from its end)",
        "la tête du journal est l'entrée {head} mais sa dernière entrée est {last} (des entrées ont été coupées à la fin)",
        "tèt jounal la se antre {head} men dènye antre li se {last} (yo koupe antre nan bout li)",
    ],
    finding_witness_rewritten: [
        "witness line {line}: entry {entry}, taken {at}, has another hash in the chain (the journal was rewritten)",
        "témoin ligne {line} : l'entrée {entry}, relevée le {at}, a une autre empreinte dans la chaîne (le journal a été réécrit)",
        "temwen liy {line}: antre {entry}, pran {at}, gen yon lòt anprent nan chèn nan (yo reekri jounal la)",
    ],
    finding_witness_beyond: [
        "witness line {line}: entry {entry}, taken {at}, is past the chain's end at entry {last} (the database was rolled back or rebuilt)",
        "témoin ligne {line} : l'entrée {entry}, relevée le {at}, est au-delà de la fin de la chaîne, l'entrée {last} (la base a été ramenée en arrière ou refaite)",
        "temwen liy {line}: antre {entry}, pran {at}, pi lwen pase bout chèn nan, antre {last} (yo fè baz la tounen dèyè oswa yo refè l)",
    ],
    verify_witnessed: [
        "{count|checkpoint|checkpoints} of {file} found in the chain",
        "{count/point de contrôle/points de contrôle} de {file} retrouvés dans la chaîne",
        "{count} pwen kontwòl nan {file} jwenn nan chèn nan",
    ],
    no_checkpoints: [
        "{file}: no konekte-checkpoint line in it",
        "{file} : aucune ligne konekte-checkpoint",
        "{file}: pa gen okenn liy konekte-checkpoint ladan l",
    ],
    key_correct_end: ["correct the end", "corriger la fin", "korije fen"],
    key_void: ["void", "annuler", "anile"],
    key_save: ["save", "enregistrer", "anrejistre"],
    correct_title_end: [
        "Correct the end of session {id} ({name})",
        "Corriger la fin de la session {id} ({name})",
        "Korije fen sesyon {id} ({name})",
    ],
    correct_title_void: [
        "Void session {id} ({name})",
        "Annuler la session {id} ({name})",
        "Anile sesyon {id} ({name})",
    ],
    correct_field_end: ["Ended at", "Fin à", "Fini a"],
    correct_field_note: ["Note (why)", "Note (pourquoi)", "Nòt (poukisa)"],
    correct_bad_time: [
        "{text}: not a time (HH:MM, or YYYY-MM-DD HH:MM)",
        "{text} : pas une heure (HH:MM, ou AAAA-MM-JJ HH:MM)",
        "{text}: se pa yon lè (HH:MM, oswa AAAA-MM-JJ HH:MM)",
    ],
    prune_journal_broken: [
        "the journal does not verify: its old entries were not removed (run console verify)",
        "le journal ne se vérifie pas : ses anciennes entrées n'ont pas été retirées (lancez console verify)",
        "jounal la pa verifye: yo pa retire ansyen antre l yo (fè console verify)",
    ],
    correct_open: [
        "session {id} is still open: end it first (end-session), then correct it",
        "la session {id} est encore ouverte : terminez-la d'abord (end-session), puis corrigez-la",
        "sesyon {id} la toujou louvri: fèmen l anvan (end-session), epi korije l",
    ],
    correct_void: [
        "session {id} is void already",
        "la session {id} est déjà annulée",
        "sesyon {id} la anile deja",
    ],
    correct_before_start: [
        "the end {end} is not after the start {start}",
        "la fin {end} n'est pas après le début {start}",
        "fen {end} la pa apre kòmansman {start}",
    ],
    correct_future: [
        "{time} is in the future",
        "{time} est dans le futur",
        "{time} nan lavni",
    ],
    correct_overlap: [
        "it would overlap session {id} of {name} ({from} to {to})",
        "elle chevaucherait la session {id} de {name} ({from} à {to})",
        "li ta kwaze ak sesyon {id} {name} ({from} rive {to})",
    ],
    correct_note_blank: [
        "--note: say why, in a few words",
        "--note : dites pourquoi, en quelques mots",
        "--note: di poukisa, an kèk mo",
    ],
    correction_end: ["corrected", "corrigée", "korije"],
    correction_added: ["added", "ajoutée", "ajoute"],
    correction_void: ["void", "annulée", "anile"],
    correct_usage: [
        "say what to correct: correct ID --end T, correct ID --void, or correct --add USER --start T --end T; each with --note TEXT",
        "dites quoi corriger : correct ID --end T, correct ID --void, ou correct --add USER --start T --end T ; chacun avec --note TEXTE",
        "di kisa pou korije: correct ID --end T, correct ID --void, oswa correct --add USER --start T --end T; chak ak --note TÈKS",
    ],
    corrected: [
        "session {id} corrected",
        "session {id} corrigée",
        "sesyon {id} korije",
    ],
    row_account: ["account {id}", "compte {id}", "kont {id}"],
    row_session: ["session {id}", "session {id}", "sesyon {id}"],
    row_attempt: ["attempt {id}", "tentative {id}", "tantativ {id}"],
    row_schedule: ["schedule {id}", "horaire {id}", "orè {id}"],
    row_holiday: ["holiday {id}", "jour férié {id}", "jou ferye {id}"],
    row_leave: ["leave {id}", "congé {id}", "konje {id}"],
    nothing: ["nothing", "rien", "anyen"],
    would_prune: [
        "dry run: would delete {sessions|ended session|ended sessions} and {attempts|login attempt|login attempts} from before {time}; nothing was deleted",
        "essai à blanc : seraient supprimées {sessions/session terminée/sessions terminées} et {attempts/tentative de connexion/tentatives de connexion} d'avant {time} ; rien n'a été supprimé",
        "esè: {sessions} sesyon ki fini ak {attempts} tantativ koneksyon anvan {time} ta efase; anyen pa efase",
    ],
    copied: [
        "copied {users|user|users}, {sessions|session|sessions} and {attempts|login attempt|login attempts} to {to}",
        "copié vers {to} : {users/utilisateur/utilisateurs}, {sessions/session/sessions} et {attempts/tentative de connexion/tentatives de connexion}",
        "kopye {users} itilizatè, {sessions} sesyon ak {attempts} tantativ koneksyon nan {to}",
    ],
    backup_postgres: [
        "backup copies a SQLite file; for a PostgreSQL database use the server's pg_dump (see the README)",
        "backup copie un fichier SQLite ; pour une base PostgreSQL, utilisez pg_dump du serveur (voir le README)",
        "backup kopye yon fichye SQLite; pou yon baz PostgreSQL, sèvi ak pg_dump sèvè a (gade README a)",
    ],
    backup_exists: [
        "{path}: a file is there already: nothing was written (--force replaces it)",
        "{path} : un fichier s'y trouve déjà : rien n'a été écrit (--force le remplace)",
        "{path}: gen yon fichye la deja: anyen pa ekri (--force ranplase l)",
    ],
    backed_up: [
        "backed up to {path} ({pages|page|pages}), checked",
        "sauvegardé dans {path} ({pages/page/pages}), vérifié",
        "sovgade nan {path} ({pages} paj), verifye",
    ],
    copy_sessions_open: [
        "sessions still open: {count}; terminals are running on this database: stop them (their sessions end as hangups), then copy; nothing was copied",
        "sessions encore ouvertes : {count} ; des terminaux tournent sur cette base : arrêtez-les (leurs sessions finissent en déconnexion brutale), puis copiez ; rien n'a été copié",
        "sesyon ki toujou louvri: {count}; gen tèminal k ap travay sou baz sa a: kanpe yo (sesyon yo ap fini kòm koupe), epi kopye; anyen pa kopye",
    ],
    copy_not_empty: [
        "the database copied into already holds users: nothing was copied (copy into an empty one)",
        "la base de destination contient déjà des utilisateurs : rien n'a été copié (copiez vers une base vide)",
        "baz done kote n ap kopye a gen itilizatè deja: anyen pa kopye (kopye nan yon baz vid)",
    ],
    created_users: ["created {count|user|users}", "{count/utilisateur créé/utilisateurs créés}", "kreye {count} itilizatè"],
    generated_passwords: [
        "{count|generated password|generated passwords} written to stdout: shown this once, to be changed at first login",
        "{count/mot de passe généré écrit/mots de passe générés écrits} sur la sortie standard : montrés cette seule fois, à changer à la première connexion",
        "{count} modpas ki jenere ekri sou sòti estanda: yo parèt yon sèl fwa, pou chanje nan premye koneksyon",
    ],
    dry_run: [
        "dry run: {count|user|users} would be created, nothing was written: {names}",
        "essai à blanc : {count/utilisateur serait créé/utilisateurs seraient créés}, rien n'a été écrit : {names}",
        "esè: {count} itilizatè ta kreye, anyen pa ekri: {names}",
    ],
    skipping_existing: [
        "skipping {count|user who exists|users who exist} already: {names}",
        "laissés de côté car ils existent déjà : {count/utilisateur/utilisateurs} : {names}",
        "kite {count} itilizatè ki egziste deja sou kote: {names}",
    ],
    user_exists: ["user \"{name}\" exists already", "l'utilisateur « {name} » existe déjà", "itilizatè \"{name}\" egziste deja"],
    user_exists_skip: [
        "user \"{name}\" exists already (--skip-existing leaves it out)",
        "l'utilisateur « {name} » existe déjà (--skip-existing le laisse de côté)",
        "itilizatè \"{name}\" egziste deja (--skip-existing kite l sou kote)",
    ],
    nothing_written: ["nothing was written", "rien n'a été écrit", "anyen pa ekri"],
    passwords_from_file: [
        "the passwords of the file are kept as they are: whoever has read the file can log in with them (--temporary makes each user choose a new one at first login)",
        "les mots de passe du fichier sont gardés tels quels : qui a lu le fichier peut s'en servir (--temporary fait choisir un nouveau mot de passe à la première connexion)",
        "modpas ki nan fichye a rete jan yo ye: nenpòt moun ki li fichye a ka sèvi ak yo (--temporary fè chak itilizatè chwazi yon nouvo nan premye koneksyon)",
    ],
    user_exists_nothing_written: [
        "user \"{name}\" exists already; nothing was written",
        "l'utilisateur « {name} » existe déjà ; rien n'a été écrit",
        "itilizatè \"{name}\" egziste deja; anyen pa ekri",
    ],
    no_user: ["no user named \"{name}\"", "aucun utilisateur nommé « {name} »", "pa gen itilizatè ki rele \"{name}\""],
    cannot_write_file: [
        "{file}: cannot write: {error}",
        "{file} : écriture impossible : {error}",
        "{file}: pa ka ekri ladan l: {error}",
    ],
    cannot_read_file: ["{file}: cannot read: {error}", "{file} : lecture impossible : {error}", "{file}: pa ka li l: {error}"],
    interactive_needs_terminal: [
        "--interactive needs a terminal on stdin; in scripts use --file or --role/--count",
        "--interactive demande un terminal sur l'entrée standard ; dans un script, utilisez --file ou --role/--count",
        "--interactive bezwen yon tèminal sou antre estanda; nan yon script, sèvi ak --file oswa --role/--count",
    ],
    password_stdin_needed: [
        "stdin is not a terminal: give the password on stdin with --password-stdin",
        "l'entrée standard n'est pas un terminal : donnez le mot de passe avec --password-stdin",
        "antre estanda a pa yon tèminal: bay modpas la ak --password-stdin",
    ],
    screen_needs_terminal: [
        "this screen needs a terminal on stdin and stdout",
        "cet écran demande un terminal sur l'entrée et la sortie standard",
        "ekran sa a bezwen yon tèminal sou antre ak sòti estanda",
    ],
    disabled_user: ["disabled {name}", "{name} désactivé", "{name} dezaktive"],
    disabled_user_sessions: [
        "ended their open sessions: {count}",
        "sessions ouvertes terminées : {count}",
        "sesyon ki te louvri fini : {count}",
    ],
    enabled_user: ["enabled {name}", "{name} activé", "{name} aktive"],
    unlocked_user: ["unlocked {name}", "{name} débloqué", "{name} debloke"],
    was_not_locked: [
        "{name} was not locked; nothing to do",
        "{name} n'était pas bloqué ; rien à faire",
        "{name} pa t bloke; pa gen anyen pou fè",
    ],
    role_changed: ["{name} is now {role}", "{name} est maintenant {role}", "{name} se {role} kounye a"],
    password_changed: ["password of {name} changed", "mot de passe de {name} changé", "modpas {name} chanje"],
    no_system_log: [
        "no system log listens on this machine ({path} is missing): the checkpoint was not sent; keep it in a file with --witness",
        "aucun journal système n'écoute sur cette machine ({path} manque) : le point de contrôle n'a pas été envoyé ; gardez-le dans un fichier avec --witness",
        "pa gen jounal sistèm k ap koute sou machin sa a ({path} manke): pwen kontwòl la pa t voye; kenbe l nan yon fichye ak --witness",
    ],
    agent_no_machine_id: [
        "this machine has no /etc/machine-id or boot id: the agent cannot tell its sessions from another machine's",
        "cette machine n'a ni /etc/machine-id ni identifiant de démarrage : l'agent ne peut distinguer ses sessions de celles d'une autre machine",
        "machin sa a pa gen /etc/machine-id oswa id demaraj: ajan an pa ka distenge sesyon li yo ak sa yon lòt machin",
    ],
    roles_sqlite: [
        "roles are PostgreSQL's: a SQLite file has none (whoever can write the file can change anything; `verify --witness` is what finds it)",
        "les rôles sont ceux de PostgreSQL : un fichier SQLite n'en a pas (qui peut écrire le fichier peut tout changer ; `verify --witness` est ce qui le découvre)",
        "wòl yo se pou PostgreSQL: yon fichye SQLite pa genyen (moun ki ka ekri fichye a ka chanje tout bagay; se `verify --witness` ki jwenn sa)",
    ],
    roles_same: [
        "the terminal role and the admin role must differ (both are \"{role}\")",
        "le rôle des terminaux et celui des administrateurs doivent différer (tous deux « {role} »)",
        "wòl tèminal yo ak wòl administratè yo dwe diferan (toude se \"{role}\")",
    ],
    roles_not_owner: [
        "only the owner of konekte's tables ({owner}) can grant roles, not {me}",
        "seul le propriétaire des tables de konekte ({owner}) peut accorder les rôles, pas {me}",
        "se sèlman mèt tab konekte yo ({owner}) ki ka bay wòl yo, pa {me}",
    ],
    roles_too_strong: [
        "role \"{role}\" is a superuser or the tables' owner: nothing can be withheld from it; choose another",
        "le rôle « {role} » est superutilisateur ou propriétaire des tables : rien ne peut lui être refusé ; choisissez-en un autre",
        "wòl \"{role}\" se yon sipèitilizatè oswa mèt tab yo: yo pa ka refize l anyen; chwazi yon lòt",
    ],
    role_created: ["created", "créé", "kreye"],
    role_existed: ["already there", "déjà là", "te la deja"],
    roles_terminal: [
        "terminal role {role} ({how}): logs in, beats and ends its own sessions through konekte's functions; cannot change or delete a row",
        "rôle des terminaux {role} ({how}) : connecte, signale et termine ses propres sessions par les fonctions de konekte ; ne peut modifier ni supprimer une ligne",
        "wòl tèminal {role} ({how}): konekte, voye siy lavi epi fèmen pwòp sesyon li atravè fonksyon konekte yo; li pa ka chanje ni efase yon liy",
    ],
    roles_admin: [
        "admin role {role} ({how}): reads and changes the record, for the monitor and the shell commands",
        "rôle des administrateurs {role} ({how}) : lit et modifie le registre, pour le moniteur et les commandes",
        "wòl administratè {role} ({how}): li epi chanje rejis la, pou monitè a ak kòmand yo",
    ],
    roles_next: [
        "connect the terminals as {terminal} and the admins as {admin}; give each a password (ALTER ROLE … PASSWORD) or a pg_hba.conf rule",
        "connectez les terminaux en tant que {terminal} et les administrateurs en tant que {admin} ; donnez à chacun un mot de passe (ALTER ROLE … PASSWORD) ou une règle pg_hba.conf",
        "konekte tèminal yo kòm {terminal} ak administratè yo kòm {admin}; bay chak yon modpas (ALTER ROLE … PASSWORD) oswa yon règ pg_hba.conf",
    ],
    schedule_backwards: [
        "--end must be after --start (a span past midnight is two: one to 24:00, one from 00:00)",
        "--end doit suivre --start (une plage après minuit en fait deux : jusqu'à 24:00, puis depuis 00:00)",
        "--end dwe vini apre --start (yon plaj ki depase minwi se de: jiska 24:00, epi depi 00:00)",
    ],
    schedule_overlaps: [
        "this span overlaps one already set on {day} (set without --add replaces the day's spans)",
        "cette plage chevauche une autre déjà fixée le {day} (sans --add, les plages du jour sont remplacées)",
        "plaj sa a kwaze yon lòt ki deja fikse {day} (san --add, plaj jou a ranplase)",
    ],
    schedule_days_unreadable: [
        "--days: cannot read \"{text}\" (mon-fri, mon,wed,fri, sat…)",
        "--days : « {text} » illisible (mon-fri, mon,wed,fri, sat…)",
        "--days: pa ka li \"{text}\" (mon-fri, mon,wed,fri, sat…)",
    ],
    clock_unreadable: [
        "{option}: cannot read \"{text}\" as a time of day (HH:MM, 00:00 to 24:00)",
        "{option} : « {text} » n'est pas une heure (HH:MM, de 00:00 à 24:00)",
        "{option}: pa ka li \"{text}\" kòm yon lè (HH:MM, 00:00 rive 24:00)",
    ],
    date_unreadable: [
        "{option}: cannot read \"{text}\" as a date (YYYY-MM-DD)",
        "{option} : « {text} » n'est pas une date (AAAA-MM-JJ)",
        "{option}: pa ka li \"{text}\" kòm yon dat (AAAA-MM-JJ)",
    ],
    schedule_set: ["schedule of {whose}: {week}", "horaire de {whose} : {week}", "orè {whose}: {week}"],
    schedule_cleared: ["schedule of {whose} cleared", "horaire de {whose} effacé", "orè {whose} efase"],
    no_schedule: ["{whose} has no schedule; nothing to do", "{whose} n'a pas d'horaire ; rien à faire", "{whose} pa gen orè; pa gen anyen pou fè"],
    holiday_exists: [
        "{day} is a holiday already ({name})",
        "le {day} est déjà un jour férié ({name})",
        "{day} se deja yon jou ferye ({name})",
    ],
    no_holiday: ["{day} is no holiday", "le {day} n'est pas un jour férié", "{day} pa yon jou ferye"],
    holiday_added: ["{day} is a holiday: {name}", "le {day} est férié : {name}", "{day} se jou ferye: {name}"],
    holiday_removed: ["{day} is a working day again", "le {day} est de nouveau ouvré", "{day} se jou travay ankò"],
    leave_backwards: [
        "--to must not be before --from",
        "--to ne doit pas précéder --from",
        "--to pa dwe vini anvan --from",
    ],
    leave_overlaps: [
        "{name} is on leave from {from} to {to} already",
        "{name} est déjà en congé du {from} au {to}",
        "{name} deja an konje depi {from} rive {to}",
    ],
    no_leave: ["no leave {id}", "aucun congé {id}", "pa gen konje {id}"],
    leave_added: ["leave {id}: {name} from {from} to {to}", "congé {id} : {name} du {from} au {to}", "konje {id}: {name} depi {from} rive {to}"],
    leave_removed: ["leave {id} taken back", "congé {id} annulé", "konje {id} anile"],
    col_days: ["Days", "Jours", "Jou"],
    col_start: ["Start", "Début", "Kòmansman"],
    col_end: ["End", "Fin", "Fen"],
    col_grace: ["Grace", "Tolérance", "Tolerans"],
    col_from: ["From", "Du", "Depi"],
    col_to: ["To", "Au", "Rive"],
    col_reason: ["Reason", "Motif", "Rezon"],
    col_holiday: ["Holiday", "Jour férié", "Jou ferye"],
    col_exception: ["Exception", "Exception", "Eksepsyon"],
    col_expected: ["Expected", "Attendu", "Prevwa"],
    col_difference: ["Difference", "Écart", "Diferans"],
    col_minutes: ["Minutes", "Minutes", "Minit"],
    exc_late: ["late", "en retard", "an reta"],
    exc_left_early: ["left early", "parti tôt", "ale bonè"],
    exc_absent: ["absent", "absent", "absan"],
    exc_no_logout: ["no logout", "sans déconnexion", "san dekonekte"],
    exc_still_on: ["still on", "encore là", "toujou la"],
    month_is_closed: [
        "{month} is closed: this would change it (console reopen-month {month} --note WHY first)",
        "{month} est clos : ceci le changerait (console reopen-month {month} --note POURQUOI d'abord)",
        "{month} fèmen: sa a ta chanje l (console reopen-month {month} --note POUKISA anvan)",
    ],
    month_not_over: ["{month} is not over yet", "{month} n'est pas encore fini", "{month} poko fini"],
    month_closed_already: ["{month} is closed already", "{month} est déjà clos", "{month} deja fèmen"],
    month_not_closed: ["{month} is not closed", "{month} n'est pas clos", "{month} pa fèmen"],
    month_closed: ["{month} closed", "{month} clos", "{month} fèmen"],
    month_reopened: ["{month} reopened", "{month} rouvert", "{month} louvri ankò"],
    month_unreadable: [
        "cannot read \"{text}\" as a month (YYYY-MM)",
        "« {text} » n'est pas un mois (AAAA-MM)",
        "pa ka li \"{text}\" kòm yon mwa (AAAA-MM)",
    ],
    hook_failed: [
        "console: --exec for event {id}: {status}",
        "console : --exec pour l'événement {id} : {status}",
        "console: --exec pou evènman {id}: {status}",
    ],
    after_unreadable: [
        "--after: cannot read \"{text}\" (a journal id, 5214, or an event's resume, 5214:1795161600000)",
        "--after : « {text} » illisible (un numéro du journal, 5214, ou le resume d'un événement, 5214:1795161600000)",
        "--after: pa ka li \"{text}\" (yon nimewo jounal, 5214, oswa resume yon evènman, 5214:1795161600000)",
    ],
    sheet_title: ["Attendance sheet — {month}", "Feuille de présence — {month}", "Fèy prezans — {month}"],
    months: [
        "January February March April May June July August September October November December",
        "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
        "janvye fevriye mas avril me jen jiyè out septanm oktòb novanm desanm",
    ],
    week_days: ["Mon Tue Wed Thu Fri Sat Sun", "lun. mar. mer. jeu. ven. sam. dim.", "len mad mèk jed van sam dim"],
    sheet_total: ["Total", "Total", "Total"],
    sheet_first_in: ["First in", "Arrivée", "Antre"],
    sheet_last_out: ["Last out", "Départ", "Soti"],
    sheet_counts: [
        "Days absent: {absent} · days late: {late}",
        "Jours d'absence : {absent} · jours de retard : {late}",
        "Jou absan: {absent} · jou an reta: {late}",
    ],
    sheet_corrected: [
        "* a session of this day was corrected by an admin (console last --corrections tells who, when and why)",
        "* une session de ce jour a été corrigée par un administrateur (console last --corrections dit qui, quand et pourquoi)",
        "* yon administratè korije yon sesyon jou sa a (console last --corrections di kiyès, kilè ak poukisa)",
    ],
    sheet_holiday: ["holiday: {name}", "férié : {name}", "jou ferye: {name}"],
    sheet_leave: ["on leave", "en congé", "an konje"],
    sheet_sign_employee: ["Employee's signature", "Signature de l'employé(e)", "Siyati anplwaye a"],
    sheet_sign_director: ["Director's signature", "Signature du directeur", "Siyati direktè a"],
    sheet_date: ["Date", "Date", "Dat"],
    sheet_written: [
        "{path}: pages written: {count} (one per person)",
        "{path} : pages écrites : {count} (une par personne)",
        "{path}: paj ekri: {count} (youn pa moun)",
    ],
    sheet_witness: [
        "The journal as this sheet was taken (`console verify --witness` checks the database against this line):",
        "Le journal au moment de cette feuille (`console verify --witness` confronte la base à cette ligne) :",
        "Jounal la lè fèy sa a te fèt (`console verify --witness` konpare baz la ak liy sa a):",
    ],
    no_temporary_password: [
        "this account has no temporary password to change",
        "ce compte n'a pas de mot de passe provisoire à changer",
        "kont sa a pa gen modpas pwovizwa pou chanje",
    ],
    last_admin_disable: [
        "cannot disable \"{name}\": it is the last enabled admin (add or enable another first)",
        "impossible de désactiver « {name} » : c'est le dernier administrateur actif (ajoutez-en ou activez-en un autre d'abord)",
        "pa ka dezaktive \"{name}\": se dènye administratè aktif la (ajoute oswa aktive yon lòt anvan)",
    ],
    last_admin_demote: [
        "cannot demote \"{name}\": it is the last enabled admin (add or enable another first)",
        "impossible de rétrograder « {name} » : c'est le dernier administrateur actif (ajoutez-en ou activez-en un autre d'abord)",
        "pa ka retire wòl \"{name}\": se dènye administratè aktif la (ajoute oswa aktive yon lòt anvan)",
    ],
    no_admin: [
        "{path}: no enabled admin account, so nobody can open the monitor (create one: console add-users --role admin --count 1)",
        "{path} : aucun compte administrateur actif, personne ne peut ouvrir le moniteur (créez-en un : console add-users --role admin --count 1)",
        "{path}: pa gen kont administratè aktif, pèsonn pa ka louvri siveyans lan (kreye youn: console add-users --role admin --count 1)",
    ],
    no_longer_admin: [
        "{name} is no longer an enabled admin: nothing was done",
        "{name} n'est plus un administrateur actif : rien n'a été fait",
        "{name} pa yon administratè aktif ankò: anyen pa fèt",
    ],
    idle_off_monitor_only: [
        "--idle-timeout off is for the monitor only: a shared terminal must log out whoever walks away",
        "--idle-timeout off est réservé au moniteur : un terminal partagé doit déconnecter qui s'en va",
        "--idle-timeout off se pou siveyans lan sèlman: yon tèminal pataje dwe dekonekte moun ki ale",
    ],
    ended_session_cli: ["ended session {id}", "session {id} fermée", "sesyon {id} fèmen"],
    session_already_ended: [
        "session {id} had already ended ({reason})",
        "la session {id} était déjà terminée ({reason})",
        "sesyon {id} te deja fini ({reason})",
    ],
    no_session: ["no session {id}", "aucune session {id}", "pa gen sesyon {id}"],
    time_unreadable: [
        "{option}: cannot read \"{text}\" as a time (2026-11-24, 2026-11-24T09:00, RFC 3339, today, yesterday, tomorrow, 2h, 7d)",
        "{option} : impossible de lire « {text} » comme une date (2026-11-24, 2026-11-24T09:00, RFC 3339, aujourd'hui, hier, demain, 2h, 7d)",
        "{option}: pa ka li \"{text}\" tankou yon lè (2026-11-24, 2026-11-24T09:00, RFC 3339, jodi a, yè, demen, 2h, 7d)",
    ],
    range_reversed: [
        "--since {since} is not before --until {until}: the range is empty",
        "--since {since} n'est pas avant --until {until} : la période est vide",
        "--since {since} pa vini anvan --until {until}: peryòd la vid",
    ],
    cancelled: ["cancelled; nothing was written", "annulé ; rien n'a été écrit", "anile; anyen pa ekri"],
    see_help: ["see 'console --help'", "voir « console --help »", "gade 'console --help'"],

    // The database.
    db_open_to_all: [
        "{path}: open to other users of this machine (mode {mode}), and not ours to change: its owner can chmod 600 it",
        "{path} : ouvert à d'autres utilisateurs de la machine (mode {mode}), et pas à nous de le changer : son propriétaire peut faire chmod 600",
        "{path}: lòt moun sou machin nan ka louvri l (mòd {mode}), e se pa nou ki ka chanje l: mèt li ka fè chmod 600",
    ],
    db_damaged: [
        "{path}: the database is damaged ({error}); nothing was written. Restore a backup, or rebuild it with sqlite3's .recover",
        "{path} : la base de données est abîmée ({error}) ; rien n'a été écrit. Restaurez une sauvegarde, ou reconstruisez-la avec .recover de sqlite3",
        "{path}: baz done a domaje ({error}); anyen pa t ekri. Remete yon kopi, oswa refè l ak .recover sqlite3 la",
    ],
    db_unreadable: [
        "{path}: database unreadable: {error}",
        "{path} : base de données illisible : {error}",
        "{path}: pa ka li baz done a: {error}",
    ],
    db_newer: [
        "{path}: schema version {found} is newer than this console knows ({known}); use a newer console",
        "{path} : la version de schéma {found} est plus récente que celle que cette console connaît ({known}) ; utilisez une console plus récente",
        "{path}: vèsyon chema {found} pi nouvo pase sa konsòl sa a konnen ({known}); sèvi ak yon konsòl ki pi nouvo",
    ],
    db_foreign: [
        "{path}: a SQLite database, but not a konekte one; refusing to touch it",
        "{path} : une base SQLite, mais pas de konekte ; on n'y touche pas",
        "{path}: se yon baz SQLite, men se pa pou konekte; nou p ap manyen l",
    ],
    db_missing: [
        "{path}: no database here (check --db or CONSOLE_DB; console add-users creates one)",
        "{path} : aucune base de données ici (vérifiez --db ou CONSOLE_DB ; console add-users en crée une)",
        "{path}: pa gen baz done la a (verifye --db oswa CONSOLE_DB; console add-users kreye youn)",
    ],
    db_cannot_create: ["{path}: cannot create: {error}", "{path} : création impossible : {error}", "{path}: pa ka kreye l: {error}"],
    db_disk_full: [
        "{path}: the disk is full; free some room on it (nothing was written)",
        "{path} : le disque est plein ; libérez de la place (rien n'a été écrit)",
        "{path}: disk la plen; libere plas sou li (anyen pa ekri)",
    ],
    snapshot_broken: [
        "the connection was lost in the middle of one consistent read",
        "la connexion a été perdue au milieu d'une lecture cohérente",
        "koneksyon an te pèdi nan mitan yon lekti ki dwe fèt an yon sèl kou",
    ],
    db_lost: [
        "the database could not be reached ({reason}); try again",
        "la base de données est injoignable ({reason}) ; réessayez",
        "baz done a pa ka jwenn ({reason}); eseye ankò",
    ],
    pg_unreachable: [
        "{target}: cannot connect to the database: {error}",
        "{target} : connexion à la base de données impossible : {error}",
        "{target}: pa ka konekte ak baz done a: {error}",
    ],
    pg_no_schema: [
        "{target}: no konekte database here (check --db or CONSOLE_DB; console add-users creates one)",
        "{target} : aucune base konekte ici (vérifiez --db ou CONSOLE_DB ; console add-users en crée une)",
        "{target}: pa gen baz konekte la a (verifye --db oswa CONSOLE_DB; console add-users kreye youn)",
    ],
    pg_foreign: [
        "{target}: this database holds other tables, not konekte's; refusing to touch it",
        "{target} : cette base contient d'autres tables que celles de konekte ; on n'y touche pas",
        "{target}: baz done sa a gen lòt tab, se pa pou konekte; nou p ap manyen l",
    ],
    pg_bad_url: [
        "cannot read the database URL: {error}",
        "impossible de lire l'URL de la base de données : {error}",
        "pa ka li URL baz done a: {error}",
    ],
    pg_bad_sslmode: [
        "sslmode={mode}: expected disable, prefer, require, verify-ca or verify-full",
        "sslmode={mode} : disable, prefer, require, verify-ca ou verify-full attendu",
        "sslmode={mode}: nou tann disable, prefer, require, verify-ca oswa verify-full",
    ],
    pg_no_root_cert: [
        "sslmode verify-ca and verify-full need the server's root certificate: give sslrootcert=FILE (or PGSSLROOTCERT, or ~/.postgresql/root.crt)",
        "sslmode verify-ca et verify-full demandent le certificat racine du serveur : donnez sslrootcert=FICHIER (ou PGSSLROOTCERT, ou ~/.postgresql/root.crt)",
        "sslmode verify-ca ak verify-full bezwen sètifika rasin sèvè a: bay sslrootcert=FICHYE (oswa PGSSLROOTCERT, oswa ~/.postgresql/root.crt)",
    ],
    no_such_command: [
        "{name}: console has no such command (console --help lists them)",
        "{name} : console n'a pas cette commande (console --help les liste)",
        "{name}: console pa gen kòmand sa a (console --help bay lis yo)",
    ],
    wtmp_position: [
        "{file}: record {record} (byte {byte})",
        "{file} : enregistrement {record} (octet {byte})",
        "{file}: anrejistreman {record} (okte {byte})",
    ],
    wtmp_bad_type: [
        "type {kind} is not a utmp record's: not a wtmp file, or a damaged one",
        "le type {kind} n'est pas celui d'un enregistrement utmp : pas un fichier wtmp, ou abîmé",
        "tip {kind} se pa tip yon anrejistreman utmp: se pa yon fichye wtmp, oswa li domaje",
    ],
    wtmp_no_user: [
        "a login without a name",
        "une connexion sans nom",
        "yon koneksyon san non",
    ],
    wtmp_cut: [
        "the file ends inside a record ({bytes} bytes of {size})",
        "le fichier s'arrête au milieu d'un enregistrement ({bytes} octets sur {size})",
        "fichye a fini nan mitan yon anrejistreman ({bytes} okte sou {size})",
    ],
    django_not_a_dump: [
        "{file}:{line}: not a dumpdata JSON list: {error}",
        "{file}:{line} : ce n'est pas une liste JSON de dumpdata : {error}",
        "{file}:{line}: se pa yon lis JSON dumpdata: {error}",
    ],
    django_position: [
        "{file}: entry {entry} ({model} {pk})",
        "{file} : entrée {entry} ({model} {pk})",
        "{file}: antre {entry} ({model} {pk})",
    ],
    django_no_role: [
        "{name} has no role konekte knows (a role field, a group admin, directeur, secretaire or archives, or superuser)",
        "{name} n'a aucun rôle que konekte connaît (un champ role, un groupe admin, directeur, secretaire ou archives, ou superuser)",
        "{name} pa gen okenn wòl konekte konnen (yon chan role, yon gwoup admin, directeur, secretaire oswa archives, oswa superuser)",
    ],
    django_no_such_user: [
        "user {user} is not among the dump's users",
        "l'utilisateur {user} n'est pas parmi ceux du fichier",
        "itilizatè {user} pa nan itilizatè fichye a",
    ],
    django_bad_time: [
        "{field}: {text} is not a time",
        "{field} : {text} n'est pas une heure",
        "{field}: {text} se pa yon lè",
    ],
    django_no_login_time: [
        "no login_time",
        "pas de login_time",
        "pa gen login_time",
    ],
    django_logout_before_login: [
        "logout_time before login_time",
        "logout_time avant login_time",
        "logout_time anvan login_time",
    ],
    import_problem: [
        "{position}: {why}",
        "{position} : {why}",
        "{position}: {why}",
    ],
    import_nothing_written: [
        "{count|bad record|bad records}: nothing imported (--skip-bad takes the rest)",
        "{count/enregistrement invalide/enregistrements invalides} : rien n'a été importé (--skip-bad prend le reste)",
        "{count} anrejistreman ki pa bon: anyen pa enpòte (--skip-bad pran rès la)",
    ],
    import_done: [
        "{file}: {sessions|session|sessions} and {accounts|account|accounts} added; {known} already there, {still_open} still going (for a later import), {bad} bad",
        "{file} : {sessions/session ajoutée/sessions ajoutées} et {accounts/compte ajouté/comptes ajoutés} ; {known} déjà là, {still_open} encore en cours (pour un import ultérieur), {bad} invalides",
        "{file}: {sessions} sesyon ak {accounts} kont ajoute; {known} te la deja, {still_open} ap kontinye toujou (pou yon lòt enpòtasyon), {bad} pa bon",
    ],
    import_dry_run: [
        "nothing written (--dry-run)",
        "rien n'a été écrit (--dry-run)",
        "anyen pa ekri (--dry-run)",
    ],
    import_passwords: [
        "the accounts added have no password: give each one with `console users passwd NAME`",
        "les comptes ajoutés n'ont pas de mot de passe : donnez-en un à chacun avec `console users passwd NOM`",
        "kont ki ajoute yo pa gen modpas: bay chak youn yon modpas ak `console users passwd NON`",
    ],
    month_closed_import: [
        "{month} is closed: reopen it to bring its sessions in",
        "{month} est clos : rouvrez-le pour y importer des sessions",
        "{month} fèmen: relouvri l pou enpòte sesyon li yo",
    ],
    config_unreadable: [
        "{file}: cannot be read: {error}",
        "{file} : illisible : {error}",
        "{file}: pa ka li l: {error}",
    ],
    config_syntax: [
        "{file}:{line}: not TOML: {error}",
        "{file}:{line} : ce n'est pas du TOML : {error}",
        "{file}:{line}: se pa TOML: {error}",
    ],
    config_unknown_key: [
        "{file}:{line}: {key}: konekte has no such setting (it knows {known})",
        "{file}:{line} : {key} : konekte ne connaît pas ce réglage (il connaît {known})",
        "{file}:{line}: {key}: konekte pa konnen paramèt sa a (li konnen {known})",
    ],
    config_bad: [
        "{file}:{line}: {key}: {problem}",
        "{file}:{line} : {key} : {problem}",
        "{file}:{line}: {key}: {problem}",
    ],
    config_expected_text: [
        "expected a text in quotes or a number",
        "un texte entre guillemets ou un nombre est attendu",
        "nou tann yon tèks ant gimè oswa yon nimewo",
    ],
    config_expected_table: [
        "expected a table of a command by role: [exec-role] then archives = \"scan\"",
        "une table d'une commande par rôle est attendue : [exec-role] puis archives = \"scan\"",
        "nou tann yon tab yon kòmand pa wòl: [exec-role] epi archives = \"scan\"",
    ],
    config_password_in_url: [
        "a password in the URL is refused: put it in ~/.pgpass or PGPASSWORD",
        "un mot de passe dans l'URL est refusé : mettez-le dans ~/.pgpass ou PGPASSWORD",
        "yon modpas nan URL la refize: mete l nan ~/.pgpass oswa PGPASSWORD",
    ],
    config_relative_db: [
        "give a whole path (from /) or a postgres:// URL",
        "donnez un chemin complet (depuis /) ou une URL postgres://",
        "bay yon chemen konplè (depi /) oswa yon URL postgres://",
    ],
    config_one_of: [
        "{value}: expected one of {valid}",
        "{value} : l'un de {valid} est attendu",
        "{value}: nou tann youn nan {valid}",
    ],
    config_not_taken: [
        "{value} is not a value it takes",
        "{value} n'est pas une valeur acceptée",
        "{value} se pa yon valè li pran",
    ],
    pg_password_in_url: [
        "--db: a password in the URL would be seen by every user of this machine (ps); put it in ~/.pgpass, PGPASSWORD or CONSOLE_DB",
        "--db : un mot de passe dans l'URL serait vu par tous les utilisateurs de cette machine (ps) ; mettez-le dans ~/.pgpass, PGPASSWORD ou CONSOLE_DB",
        "--db: yon modpas nan URL la ta parèt pou tout itilizatè machin sa a (ps); mete l nan ~/.pgpass, PGPASSWORD oswa CONSOLE_DB",
    ],
    pg_no_password: [
        "the server asks for a password and none was found: put it in ~/.pgpass (host:port:database:user:password, mode 0600) or PGPASSWORD",
        "le serveur demande un mot de passe et aucun n'a été trouvé : mettez-le dans ~/.pgpass (hôte:port:base:utilisateur:mot de passe, mode 0600) ou PGPASSWORD",
        "sèvè a mande yon modpas e nou pa jwenn youn: mete l nan ~/.pgpass (host:port:baz:itilizatè:modpas, mòd 0600) oswa PGPASSWORD",
    ],
    pgpass_open: [
        "{file}: others can read it, so it is ignored (chmod 600 {file})",
        "{file} : d'autres peuvent le lire, il est donc ignoré (chmod 600 {file})",
        "{file}: lòt moun ka li l, se poutèt sa nou pa sèvi avè l (chmod 600 {file})",
    ],
    db_busy: [
        "another program held the database for {seconds} s (a backup, an import?): nothing was written; try again",
        "un autre programme a tenu la base de données pendant {seconds} s (une sauvegarde, un import ?) : rien n'a été écrit ; réessayez",
        "yon lòt pwogram te kenbe baz done a pandan {seconds} s (yon sovgad, yon enpòtasyon?): anyen pa ekri; eseye ankò",
    ],

    // Input that cannot be accepted (add-users, passwords, roles).
    empty_file: ["{file}: empty file, no header", "{file} : fichier vide, sans en-tête", "{file}: fichye a vid, pa gen antèt"],
    bad_header: [
        "the header must be username,full_name,role,password ({detail})",
        "l'en-tête doit être username,full_name,role,password ({detail})",
        "antèt la dwe username,full_name,role,password ({detail})",
    ],
    semicolon_hint: [
        "the fields seem separated by ';': save the file as CSV with commas",
        "les champs semblent séparés par « ; » : enregistrez le fichier en CSV avec des virgules",
        "chan yo sanble separe ak ';': anrejistre fichye a an CSV ak vigil",
    ],
    header_column: [
        "column \"{column}\" missing or twice",
        "colonne « {column} » absente ou en double",
        "kolòn \"{column}\" manke oswa parèt de fwa",
    ],
    header_count: ["{count|column|columns} found", "{count/colonne trouvée/colonnes trouvées}", "{count} kolòn jwenn"],
    wrong_columns: ["{count} columns, expected {expected}", "{count} colonnes, {expected} attendues", "{count} kolòn, nou te tann {expected}"],
    not_utf8: [
        "column {column} is not valid UTF-8",
        "la colonne {column} n'est pas en UTF-8 valide",
        "kolòn {column} pa an UTF-8 ki valab",
    ],
    duplicate_in_file: [
        "username \"{name}\" is on line {line} already",
        "le nom « {name} » est déjà à la ligne {line}",
        "non itilizatè \"{name}\" deja sou liy {line}",
    ],
    empty_username: ["empty username", "nom d'utilisateur vide", "non itilizatè a vid"],
    username_length: [
        "username \"{name}\" has {count} characters (from {min} to {max})",
        "le nom « {name} » a {count} caractères (de {min} à {max})",
        "non itilizatè \"{name}\" gen {count} karaktè (soti {min} rive {max})",
    ],
    username_characters: [
        "username \"{name}\" may hold only letters a-z, digits and _ . -",
        "le nom « {name} » ne peut contenir que des lettres a-z, des chiffres et _ . -",
        "non itilizatè \"{name}\" ka gen sèlman lèt a-z, chif ak _ . -",
    ],
    full_name_long: [
        "full name longer than {max} characters",
        "nom complet de plus de {max} caractères",
        "non konplè a gen plis pase {max} karaktè",
    ],
    full_name_control: [
        "full name contains a control character",
        "le nom complet contient un caractère de contrôle",
        "non konplè a gen yon karaktè kontwòl",
    ],
    password_short: [
        "password too short ({count} characters; at least {min})",
        "mot de passe trop court ({count} caractères ; au moins {min})",
        "modpas la twò kout ({count} karaktè; omwen {min})",
    ],
    password_long: [
        "password too long (at most {max} characters)",
        "mot de passe trop long ({max} caractères au plus)",
        "modpas la twò long (pa plis pase {max} karaktè)",
    ],
    password_control: [
        "password contains a control character",
        "le mot de passe contient un caractère de contrôle",
        "modpas la gen yon karaktè kontwòl",
    ],
    password_same: [
        "the new password must differ from the old one",
        "le nouveau mot de passe doit différer de l'ancien",
        "nouvo modpas la dwe diferan de ansyen an",
    ],
    unknown_role: [
        "unknown role \"{role}\" (expected admin, directeur, secretaire or archives)",
        "rôle inconnu « {role} » (admin, directeur, secretaire ou archives attendu)",
        "wòl \"{role}\" pa konnen (nou tann admin, directeur, secretaire oswa archives)",
    ],

    // The prompts of add-users --interactive and users passwd.
    prompt_generate: ["Generate a password?", "Générer un mot de passe ?", "Jenere yon modpas?"],
    prompt_passwords_differ: [
        "The two passwords differ; try again",
        "Les deux mots de passe diffèrent ; recommencez",
        "De modpas yo pa menm; eseye ankò",
    ],
    prompt_another: ["Add another user?", "Ajouter un autre utilisateur ?", "Ajoute yon lòt itilizatè?"],
    prompt_create: ["Create {count|user|users}?", "Créer {count/utilisateur/utilisateurs} ?", "Kreye {count} itilizatè sa yo?"],
    password_given: ["given", "fourni", "bay"],
    hashing_passwords: ["hashing passwords", "chiffrement des mots de passe", "n ap chifre modpas yo"],
    password_generated: ["generated", "généré", "jenere"],
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn words_agree_with_their_numbers() {
        let said = |count: i64| {
            fill(
                "{n|session|sessions} · {n/session/sessions}",
                &[("n", &count)],
            )
        };
        assert_eq!(said(0), "0 sessions · 0 session");
        assert_eq!(said(1), "1 session · 1 session");
        assert_eq!(said(2), "2 sessions · 2 sessions");
        assert_eq!(fill("{missing} {n}", &[("n", &3)]), "{missing} 3");
        assert_eq!(
            fill(
                EN.copied,
                &[
                    ("users", &16),
                    ("sessions", &1),
                    ("attempts", &0),
                    ("to", &"x")
                ]
            ),
            "copied 16 users, 1 session and 0 login attempts to x"
        );
    }

    fn placeholders(text: &str) -> BTreeSet<String> {
        text.split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}'))
            .map(|(inside, _)| {
                inside
                    .split(['|', '/'])
                    .next()
                    .unwrap_or(inside)
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn every_translation_has_the_placeholders_of_english() {
        for lang in [Lang::Fr, Lang::Ht] {
            for ((key, english), (_, translated)) in
                EN.entries().into_iter().zip(lang.texts().entries())
            {
                assert_eq!(
                    placeholders(english),
                    placeholders(translated),
                    "{key} in {lang:?}"
                );
                assert!(!translated.trim().is_empty(), "{key} in {lang:?} is empty");
            }
        }
    }

    #[test]
    fn the_language_comes_from_the_environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(Lang::from_vars(&env(&[("LANG", "fr_FR.UTF-8")])), Lang::Fr);
        assert_eq!(Lang::from_vars(&env(&[("LANG", "ht_HT.UTF-8")])), Lang::Ht);
        assert_eq!(
            Lang::from_vars(&env(&[("LANG", "fr_FR.UTF-8"), ("CONSOLE_LANG", "en")])),
            Lang::En
        );
        assert_eq!(
            Lang::from_vars(&env(&[("LC_ALL", "ht_HT"), ("LANG", "en_US")])),
            Lang::Ht
        );
        assert_eq!(
            Lang::from_vars(&env(&[("LC_MESSAGES", "fr_CA"), ("LANG", "en_US")])),
            Lang::Fr
        );
        assert_eq!(Lang::from_vars(&env(&[])), Lang::En);
        assert_eq!(Lang::from_vars(&env(&[("LANG", "C.UTF-8")])), Lang::En);
    }

    #[test]
    fn dates_and_durations_are_written_as_each_language_writes_them() {
        let utc = Zone::UTC;
        let at = 1_795_511_702_000; // 2026-11-24 09:15:02 UTC
        assert_eq!(Lang::En.date_time(at, utc), "2026-11-24 09:15");
        assert_eq!(Lang::Fr.date_time(at, utc), "24/11/2026 09:15");
        assert_eq!(Lang::Ht.short_date_time(at, utc), "24/11 09:15");
        let lasted = 2 * 3_600_000 + 5 * 60_000 + 9_000;
        for lang in Lang::ALL {
            assert_eq!(lang.duration(lasted), "2:05:09");
        }
        assert_eq!(Lang::En.duration(2 * 86_400_000 + 3_600_000), "49:00:00");
        assert_eq!(Lang::Fr.duration(-5), "0:00:00");
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            fill(
                "{name} is now {role}",
                &[("name", &"ann"), ("role", &"admin")]
            ),
            "ann is now admin"
        );
        assert_eq!(tr!(no_user, name = "ghost"), "no user named \"ghost\"");
    }

    #[test]
    fn f2_goes_round_the_languages() {
        assert_eq!(Lang::En.next(), Lang::Fr);
        assert_eq!(Lang::Fr.next(), Lang::Ht);
        assert_eq!(Lang::Ht.next(), Lang::En);
    }
}
