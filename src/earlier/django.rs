//! The office's earlier system: a Django site whose `UserSession` rows (user,
//! ip_address, user_agent, login_time, logout_time, is_active) recorded each web login.
//! `manage.py dumpdata auth.user auth.group utilisateurs.usersession` writes them as one
//! JSON list of `{"model", "pk", "fields"}`; its users come with their role (a `role`
//! field, else a group named as a role, else admin for a superuser) and without their
//! passwords, and each session ends at its logout, or (still active, or never logged
//! out) as lost at its last known time.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime};
use serde_json::Value;

use super::{Earlier, EarlierAccount, EarlierSession, Problem};
use crate::clock::Zone;
use crate::model::{EndReason, Millis, Role};

/// The records of `text`, a dumpdata JSON list, the file `file` (for the messages).
pub fn read(file: &str, text: &str) -> Result<Earlier, String> {
    let records: Vec<Value> = serde_json::from_str(text).map_err(|err| {
        crate::tr!(
            django_not_a_dump,
            file = file,
            line = err.line(),
            error = err
        )
    })?;
    let groups: HashMap<i64, String> = records
        .iter()
        .filter(|record| model_of(record) == "auth.group")
        .filter_map(|record| {
            Some((
                record["pk"].as_i64()?,
                record["fields"]["name"].as_str()?.to_string(),
            ))
        })
        .collect();
    let mut earlier = Earlier::default();
    // The users' names by their primary key, which the sessions point at.
    let mut names: HashMap<i64, String> = HashMap::new();
    let place = |index: usize, record: &Value| position(file, index, record);
    for (index, record) in records.iter().enumerate() {
        if is_user(record) {
            match account(place(index, record), record, &groups) {
                Ok(account) => {
                    if let Some(pk) = record["pk"].as_i64() {
                        names.insert(pk, account.username.clone());
                    }
                    earlier.accounts.push(account);
                }
                Err(why) => earlier
                    .problems
                    .push(Problem::at(place(index, record), why)),
            }
        }
    }
    for (index, record) in records.iter().enumerate() {
        if model_of(record).ends_with("usersession") {
            match session(place(index, record), record, &names) {
                Ok(session) => earlier.sessions.push(session),
                Err(why) => earlier
                    .problems
                    .push(Problem::at(place(index, record), why)),
            }
        }
    }
    Ok(earlier)
}

fn model_of(record: &Value) -> String {
    record["model"].as_str().unwrap_or_default().to_lowercase()
}

/// `auth.user`, or a project's own user model (`utilisateurs.utilisateur`): what has a
/// username.
fn is_user(record: &Value) -> bool {
    let model = model_of(record);
    !model.ends_with("usersession") && record["fields"]["username"].is_string()
}

/// `dump.json: entry 12 (auth.user 3)`: a record's place in the list, counted from 1,
/// and its key.
fn position(file: &str, index: usize, record: &Value) -> String {
    crate::tr!(
        django_position,
        file = file,
        entry = index + 1,
        model = model_of(record),
        pk = record["pk"]
    )
}

fn account(
    place: String,
    record: &Value,
    groups: &HashMap<i64, String>,
) -> Result<EarlierAccount, String> {
    let fields = &record["fields"];
    let username = fields["username"].as_str().unwrap_or_default().to_string();
    if let Some(problem) = crate::import::username_problem(&username) {
        return Err(problem);
    }
    let text = |name: &str| fields[name].as_str().unwrap_or_default().trim().to_string();
    let full_name = [text("first_name"), text("last_name")]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(EarlierAccount {
        position: place,
        role: role_of(fields, groups).ok_or_else(|| crate::tr!(django_no_role, name = username))?,
        username,
        full_name,
        disabled: fields["is_active"].as_bool() == Some(false),
        joined: fields["date_joined"].as_str().and_then(instant),
    })
}

/// The role field, else the first group that names a role, else admin for a superuser.
fn role_of(fields: &Value, groups: &HashMap<i64, String>) -> Option<Role> {
    if let Some(role) = fields["role"].as_str() {
        return role.parse().ok();
    }
    let group_names = fields["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|group| {
            // A group by its key, or by its natural key (`--natural-foreign`: ["name"]).
            match group {
                Value::Number(pk) => groups.get(&pk.as_i64()?).cloned(),
                Value::Array(natural) => natural.first()?.as_str().map(str::to_string),
                _ => None,
            }
        });
    for name in group_names {
        if let Ok(role) = name.parse() {
            return Some(role);
        }
    }
    (fields["is_superuser"].as_bool() == Some(true)).then_some(Role::Admin)
}

fn session(
    place: String,
    record: &Value,
    names: &HashMap<i64, String>,
) -> Result<EarlierSession, String> {
    let fields = &record["fields"];
    let name = match &fields["user"] {
        Value::Number(pk) => pk.as_i64().and_then(|pk| names.get(&pk)).cloned(),
        Value::Array(natural) => natural.first().and_then(Value::as_str).map(str::to_string),
        _ => None,
    }
    .ok_or_else(|| crate::tr!(django_no_such_user, user = fields["user"]))?;
    let time = |field: &str| -> Result<Option<Millis>, String> {
        match &fields[field] {
            Value::Null => Ok(None),
            Value::String(text) => instant(text)
                .map(Some)
                .ok_or_else(|| crate::tr!(django_bad_time, field = field, text = text)),
            other => Err(crate::tr!(django_bad_time, field = field, text = other)),
        }
    };
    let login_time = time("login_time")?.ok_or_else(|| crate::tr!(django_no_login_time))?;
    let (logout_time, reason) = match time("logout_time")? {
        Some(at) if at < login_time => {
            return Err(crate::tr!(django_logout_before_login));
        }
        Some(at) => (at, EndReason::Logout),
        // Active when the dump was taken, or never told of its logout: its last known
        // time is all there is.
        None => {
            let last_seen = time("last_activity")?.unwrap_or(login_time);
            (last_seen.max(login_time), EndReason::Lost)
        }
    };
    let text = |field: &str| {
        fields[field]
            .as_str()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
    };
    Ok(EarlierSession {
        position: place,
        key: format!("django:{}:{}", model_of(record), record["pk"]),
        name,
        login_time,
        logout_time,
        reason,
        host: "django".into(),
        tty: None,
        remote: text("ip_address"),
        // The browser: what the person used to come in.
        terminal: text("user_agent").map(|agent| agent.chars().take(200).collect()),
        pid: None,
    })
}

/// Django's times: RFC 3339 (`USE_TZ`), or local time without an offset.
fn instant(text: &str) -> Option<Millis> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|at| at.timestamp_millis())
        .ok()
        .or_else(|| {
            let naive = NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M:%S%.f").ok()?;
            Zone::Local.instant(naive)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DUMP: &str = r#"[
      {"model": "auth.group", "pk": 2, "fields": {"name": "Secrétaire", "permissions": []}},
      {"model": "auth.user", "pk": 1, "fields": {"username": "Fedanoir", "first_name": "Fed", "last_name": "Anoir",
        "is_superuser": true, "is_active": true, "groups": [], "date_joined": "2025-01-02T08:00:00Z", "password": "pbkdf2_sha256$x"}},
      {"model": "auth.user", "pk": 5, "fields": {"username": "Hantz123", "is_superuser": false, "is_active": false,
        "groups": [2], "date_joined": "2025-03-01T08:00:00Z"}},
      {"model": "auth.user", "pk": 6, "fields": {"username": "nobody", "groups": []}},
      {"model": "utilisateurs.usersession", "pk": 10, "fields": {"user": 1, "session_key": "k1",
        "ip_address": "10.0.0.4", "user_agent": "Mozilla/5.0", "login_time": "2025-11-10T09:00:00.250Z",
        "logout_time": "2025-11-10T12:30:00Z", "is_active": false}},
      {"model": "utilisateurs.usersession", "pk": 11, "fields": {"user": 5, "login_time": "2025-11-11T09:00:00+00:00",
        "logout_time": null, "is_active": true}},
      {"model": "utilisateurs.usersession", "pk": 12, "fields": {"user": 99, "login_time": "2025-11-11T09:00:00Z"}},
      {"model": "utilisateurs.usersession", "pk": 13, "fields": {"user": 1, "login_time": "yesterday"}}
    ]"#;

    #[test]
    fn users_come_with_their_roles_and_sessions_with_their_ends() {
        let earlier = read("dump.json", DUMP).unwrap();
        let accounts: Vec<_> = earlier
            .accounts
            .iter()
            .map(|a| {
                (
                    a.username.as_str(),
                    a.full_name.as_str(),
                    a.role,
                    a.disabled,
                )
            })
            .collect();
        assert_eq!(
            accounts,
            [
                ("Fedanoir", "Fed Anoir", Role::Admin, false),
                ("Hantz123", "", Role::Secretaire, true),
            ]
        );
        let sessions: Vec<_> = earlier
            .sessions
            .iter()
            .map(|s| {
                (
                    s.name.as_str(),
                    s.logout_time - s.login_time,
                    s.reason,
                    s.remote.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            sessions,
            [
                ("Fedanoir", 12_599_750, EndReason::Logout, Some("10.0.0.4")),
                ("Hantz123", 0, EndReason::Lost, None),
            ]
        );
        let problems: Vec<&str> = earlier
            .problems
            .iter()
            .map(|p| p.position.as_str())
            .collect();
        assert_eq!(
            problems,
            [
                "dump.json: entry 4 (auth.user 6)",
                "dump.json: entry 7 (utilisateurs.usersession 12)",
                "dump.json: entry 8 (utilisateurs.usersession 13)"
            ]
        );
    }

    #[test]
    fn a_file_that_is_not_a_dump_says_where() {
        let said = read("dump.json", "[{\"model\": 1,\n").unwrap_err();
        assert!(said.starts_with("dump.json:2: not a dumpdata"), "{said}");
    }
}
