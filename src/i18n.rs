//! Every word a person reads on screen, in one place: English by default, French when
//! the environment asks for it (`CONSOLE_LANG=fr`, or `LANG`/`LC_*` = `fr_*`).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Fr,
}

impl Lang {
    /// `CONSOLE_LANG`, else `LC_ALL`, `LC_MESSAGES`, `LANG`; English when none says French.
    pub fn from_env() -> Lang {
        Lang::from_vars(|name| std::env::var(name).ok())
    }

    fn from_vars(var: impl Fn(&str) -> Option<String>) -> Lang {
        let wanted = ["CONSOLE_LANG", "LC_ALL", "LC_MESSAGES", "LANG"]
            .into_iter()
            .find_map(|name| var(name).filter(|value| !value.is_empty()));
        match wanted {
            Some(value) if value.to_lowercase().starts_with("fr") => Lang::Fr,
            _ => Lang::En,
        }
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::En => &EN,
            Lang::Fr => &FR,
        }
    }
}

pub struct Texts {
    pub app: &'static str,
    pub log_in: &'static str,
    pub admin_log_in: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub new_password: &'static str,
    pub repeat_password: &'static str,
    pub choose_password: &'static str,
    pub passwords_differ: &'static str,
    pub invalid_login: &'static str,
    /// Followed by a time: "Too many failed attempts: locked until 10:30".
    pub locked_until: &'static str,
    pub type_username: &'static str,
    pub checking: &'static str,
    pub database_trouble: &'static str,
    pub logged_out: &'static str,
    pub logged_out_idle: &'static str,
    pub ended_by_admin: &'static str,
    pub session_lost: &'static str,
    pub role: &'static str,
    pub since: &'static str,
    pub duration: &'static str,
    pub previous_login: &'static str,
    pub first_login: &'static str,
    pub from: &'static str,
    pub failures_since: &'static str,
    pub idle_warning: &'static str,
    pub retrying_logout: &'static str,
    pub too_small: &'static str,
    pub key_log_in: &'static str,
    pub key_next_field: &'static str,
    pub key_clear: &'static str,
    pub key_quit: &'static str,
    pub key_cancel: &'static str,
    pub key_log_out: &'static str,
    pub monitor: &'static str,
    pub online: &'static str,
    pub all_users: &'static str,
    pub online_now: &'static str,
    pub recently_offline: &'static str,
    pub tab_users: &'static str,
    pub tab_offline: &'static str,
    pub col_username: &'static str,
    pub col_full_name: &'static str,
    pub col_role: &'static str,
    pub col_status: &'static str,
    pub col_last_login: &'static str,
    pub col_last_logout: &'static str,
    pub col_today: &'static str,
    pub col_since: &'static str,
    pub col_duration: &'static str,
    pub col_host: &'static str,
    pub col_tty: &'static str,
    pub col_ip: &'static str,
    pub col_heartbeat: &'static str,
    pub col_login: &'static str,
    pub col_logout: &'static str,
    pub col_ended: &'static str,
    pub filter: &'static str,
    pub sort: &'static str,
    pub sort_name: &'static str,
    pub sort_role: &'static str,
    pub history: &'static str,
    pub per_day: &'static str,
    pub still_online: &'static str,
    pub confirm_end: &'static str,
    pub yes_no: &'static str,
    pub nothing_here: &'static str,
    pub help_title: &'static str,
    pub help_keys: &'static [(&'static str, &'static str)],
    pub key_pane: &'static str,
    pub key_scroll: &'static str,
    pub key_filter: &'static str,
    pub key_sort: &'static str,
    pub key_history: &'static str,
    pub key_end: &'static str,
    pub key_help: &'static str,
    pub key_monitor: &'static str,
    pub key_back: &'static str,
}

pub static EN: Texts = Texts {
    app: "konekte",
    log_in: "Log in",
    admin_log_in: "Admin log in: monitor",
    username: "Username",
    password: "Password",
    new_password: "New password",
    repeat_password: "Repeat it",
    choose_password: "Choose a new password (8 characters or more)",
    passwords_differ: "The two passwords differ",
    invalid_login: "Invalid username or password",
    locked_until: "Too many failed attempts: locked until",
    type_username: "Type your username",
    checking: "Checking…",
    database_trouble: "Database unreachable",
    logged_out: "Logged out. Session lasted",
    logged_out_idle: "Logged out after inactivity. Session lasted",
    ended_by_admin: "Your session was ended by an administrator",
    session_lost: "Your session was closed: this terminal stopped answering",
    role: "Role",
    since: "Since",
    duration: "Duration",
    previous_login: "Previous login",
    first_login: "First login",
    from: "from",
    failures_since: "Failed attempts since the last login",
    idle_warning: "No activity: logging out in",
    retrying_logout: "Database unreachable: retrying the logout…",
    too_small: "Terminal too small: 40×12 at least",
    key_log_in: "log in",
    key_next_field: "next field",
    key_clear: "clear",
    key_quit: "quit",
    key_cancel: "cancel",
    key_log_out: "log out",
    monitor: "monitor",
    online: "Online",
    all_users: "All users",
    online_now: "Online now",
    recently_offline: "Recently offline",
    tab_users: "Users",
    tab_offline: "Offline",
    col_username: "User",
    col_full_name: "Full name",
    col_role: "Role",
    col_status: "Status",
    col_last_login: "Last login",
    col_last_logout: "Last logout",
    col_today: "Today",
    col_since: "Since",
    col_duration: "Duration",
    col_host: "Host",
    col_tty: "TTY",
    col_ip: "IP",
    col_heartbeat: "Beat",
    col_login: "Login",
    col_logout: "Logout",
    col_ended: "Ended",
    filter: "Filter",
    sort: "sort",
    sort_name: "name",
    sort_role: "role",
    history: "History",
    per_day: "Per day",
    still_online: "online",
    confirm_end: "End this session?",
    yes_no: "y yes · n no",
    nothing_here: "nothing here",
    help_title: "Keys",
    help_keys: &[
        ("Tab / Shift-Tab", "next / previous pane"),
        ("↑ ↓ j k", "move"),
        ("PgUp PgDn Home End", "scroll"),
        ("/", "filter by name, role or host (Esc clears)"),
        ("s", "cycle the sort: name, role"),
        ("Enter", "the user's history, with totals per day"),
        ("e", "end the selected online session"),
        ("?", "this help"),
        ("q Esc", "close, or leave the monitor"),
    ],
    key_pane: "pane",
    key_scroll: "move",
    key_filter: "filter",
    key_sort: "sort",
    key_history: "history",
    key_end: "end session",
    key_help: "help",
    key_monitor: "monitor",
    key_back: "back",
};

pub static FR: Texts = Texts {
    app: "konekte",
    log_in: "Connexion",
    admin_log_in: "Connexion administrateur : moniteur",
    username: "Utilisateur",
    password: "Mot de passe",
    new_password: "Nouveau mot de passe",
    repeat_password: "Répétez-le",
    choose_password: "Choisissez un nouveau mot de passe (8 caractères ou plus)",
    passwords_differ: "Les deux mots de passe diffèrent",
    invalid_login: "Utilisateur ou mot de passe invalide",
    locked_until: "Trop d'échecs : compte bloqué jusqu'à",
    type_username: "Saisissez votre nom d'utilisateur",
    checking: "Vérification…",
    database_trouble: "Base de données inaccessible",
    logged_out: "Déconnecté. Durée de la session :",
    logged_out_idle: "Déconnecté pour inactivité. Durée de la session :",
    ended_by_admin: "Votre session a été fermée par un administrateur",
    session_lost: "Votre session a été fermée : ce terminal ne répondait plus",
    role: "Rôle",
    since: "Depuis",
    duration: "Durée",
    previous_login: "Connexion précédente",
    first_login: "Première connexion",
    from: "depuis",
    failures_since: "Échecs de connexion depuis la dernière",
    idle_warning: "Aucune activité : déconnexion dans",
    retrying_logout: "Base de données inaccessible : nouvel essai de déconnexion…",
    too_small: "Terminal trop petit : 40×12 au moins",
    key_log_in: "connexion",
    key_next_field: "champ suivant",
    key_clear: "effacer",
    key_quit: "quitter",
    key_cancel: "annuler",
    key_log_out: "déconnexion",
    monitor: "moniteur",
    online: "En ligne",
    all_users: "Tous les utilisateurs",
    online_now: "En ligne maintenant",
    recently_offline: "Récemment hors ligne",
    tab_users: "Utilisateurs",
    tab_offline: "Hors ligne",
    col_username: "Utilisateur",
    col_full_name: "Nom complet",
    col_role: "Rôle",
    col_status: "Statut",
    col_last_login: "Connexion",
    col_last_logout: "Déconnexion",
    col_today: "Auj.",
    col_since: "Depuis",
    col_duration: "Durée",
    col_host: "Hôte",
    col_tty: "TTY",
    col_ip: "IP",
    col_heartbeat: "Signal",
    col_login: "Connexion",
    col_logout: "Déconnexion",
    col_ended: "Fin",
    filter: "Filtre",
    sort: "tri",
    sort_name: "nom",
    sort_role: "rôle",
    history: "Historique",
    per_day: "Par jour",
    still_online: "en ligne",
    confirm_end: "Fermer cette session ?",
    yes_no: "y oui · n non",
    nothing_here: "rien ici",
    help_title: "Touches",
    help_keys: &[
        ("Tab / Maj-Tab", "volet suivant / précédent"),
        ("↑ ↓ j k", "se déplacer"),
        ("PgUp PgDn Début Fin", "défiler"),
        ("/", "filtrer par nom, rôle ou hôte (Échap efface)"),
        ("s", "changer le tri : nom, rôle"),
        ("Entrée", "l'historique de l'utilisateur, avec les totaux par jour"),
        ("e", "fermer la session en ligne choisie"),
        ("?", "cette aide"),
        ("q Échap", "fermer, ou quitter le moniteur"),
    ],
    key_pane: "volet",
    key_scroll: "déplacer",
    key_filter: "filtrer",
    key_sort: "trier",
    key_history: "historique",
    key_end: "fermer la session",
    key_help: "aide",
    key_monitor: "moniteur",
    key_back: "retour",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_when_asked_english_otherwise() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(Lang::from_vars(env(&[("LANG", "fr_FR.UTF-8")])), Lang::Fr);
        assert_eq!(
            Lang::from_vars(env(&[("LANG", "fr_FR.UTF-8"), ("CONSOLE_LANG", "en")])),
            Lang::En
        );
        assert_eq!(
            Lang::from_vars(env(&[("LC_ALL", "fr_HT.UTF-8"), ("LANG", "en_US")])),
            Lang::Fr
        );
        assert_eq!(Lang::from_vars(env(&[])), Lang::En);
        assert_eq!(Lang::from_vars(env(&[("LANG", "C.UTF-8")])), Lang::En);
    }
}
