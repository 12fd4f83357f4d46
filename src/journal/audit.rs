//! `console audit`: the admin actions of the journal, each with who did it, where,
//! and to what. An entry is an admin's action when it names its actor (`by`): accounts
//! made or changed, sessions ended by an admin, prunes.

use super::{Actor, Entry, Fact};
use crate::model::Millis;

/// What an action was done to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Account(i64),
    Session(i64),
    /// The history as a whole (a prune).
    History,
    /// The database's roles (PostgreSQL).
    Roles,
    /// Expected hours, holidays, leave.
    Attendance,
}

/// One admin action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub at: Millis,
    pub actor: Actor,
    /// As a command names it: `add-user`, `set-role`, `disable`, `enable`, `unlock`,
    /// `passwd`, `end-session`, `prune`, `correct`.
    pub action: &'static str,
    pub subject: Subject,
    /// What changed, as `name=value` words that scripts can read.
    pub detail: String,
    pub note: Option<String>,
}

/// The admin action an entry records, if it is one.
pub fn action_of(entry: &Entry) -> Option<Action> {
    let fact = Fact::parse(&entry.kind, &entry.body).ok()?;
    let id = entry.subject.unwrap_or_default();
    let (actor, action, subject, detail, note) = match fact {
        Fact::AccountCreated(account) => (
            account.by?,
            "add-user",
            Subject::Account(id),
            format!("role={}", account.role),
            None,
        ),
        Fact::AccountChanged(change) => {
            let (action, detail) = if let Some(role) = &change.role {
                ("set-role", format!("role={role}"))
            } else if let Some(disabled) = change.disabled {
                (if disabled { "disable" } else { "enable" }, String::new())
            } else if change.password.is_some() {
                let must_change = change.must_change_password.unwrap_or(false);
                ("passwd", format!("must_change_password={must_change}"))
            } else {
                ("unlock", String::new())
            };
            (change.by?, action, Subject::Account(id), detail, None)
        }
        Fact::SessionEnded(ended) => (
            ended.by?,
            "end-session",
            Subject::Session(id),
            format!("logout_time={}", crate::clock::rfc3339(ended.logout_time)),
            ended.note,
        ),
        Fact::Pruned(pruned) => (
            pruned.by?,
            "prune",
            Subject::History,
            format!(
                "before={} sessions={} attempts={}",
                crate::clock::rfc3339(pruned.before),
                pruned.sessions,
                pruned.attempts
            ),
            None,
        ),
        Fact::SessionCorrected(corrected) => (
            corrected.by?,
            "correct",
            Subject::Session(id),
            format!("end={}", crate::clock::rfc3339(corrected.logout_time)),
            Some(corrected.note),
        ),
        Fact::SessionAdded(added) => (
            added.by?,
            "correct",
            Subject::Session(id),
            format!(
                "added start={} end={}",
                crate::clock::rfc3339(added.login_time),
                crate::clock::rfc3339(added.logout_time)
            ),
            Some(added.note),
        ),
        Fact::SessionVoided(voided) => (
            voided.by?,
            "correct",
            Subject::Session(id),
            "void".into(),
            Some(voided.note),
        ),
        Fact::RolesGranted(roles) => (
            roles.by?,
            "roles",
            Subject::Roles,
            format!("terminal={} admin={}", roles.terminal, roles.admin),
            None,
        ),
        Fact::Copied(copied) => (
            copied.by?,
            "copy",
            Subject::History,
            format!(
                "from={} users={} sessions={} attempts={}",
                copied.from, copied.users, copied.sessions, copied.attempts
            ),
            None,
        ),
        Fact::Imported(imported) => (
            imported.by?,
            "import",
            Subject::History,
            format!(
                "{}={} sessions={} accounts={} known={} bad={}",
                imported.source,
                imported.file,
                imported.sessions,
                imported.accounts,
                imported.known,
                imported.bad
            ),
            None,
        ),
        Fact::ScheduleSet(set) => (
            set.by?,
            "schedule-set",
            Subject::Attendance,
            format!(
                "{} from={} {}",
                schedule_of(set.role.as_deref(), set.user_id),
                if set.from.is_empty() { "-" } else { &set.from },
                set.week.summary()
            ),
            None,
        ),
        Fact::HolidayAdded(holiday) => (
            holiday.by?,
            "holiday-add",
            Subject::Attendance,
            format!("day={} name={}", holiday.day, holiday.name),
            None,
        ),
        Fact::LeaveAdded(leave) => (
            leave.by?,
            "leave-add",
            Subject::Account(leave.user_id),
            format!("from={} to={}", leave.from, leave.to),
            Some(leave.reason),
        ),
        Fact::ScheduleCleared(removed) => (
            removed.by?,
            "schedule-clear",
            Subject::Attendance,
            format!("schedule={id}"),
            None,
        ),
        Fact::HolidayRemoved(removed) => (
            removed.by?,
            "holiday-remove",
            Subject::Attendance,
            format!("holiday={id}"),
            None,
        ),
        Fact::LeaveRemoved(removed) => (
            removed.by?,
            "leave-remove",
            Subject::Attendance,
            format!("leave={id}"),
            None,
        ),
        Fact::MonthClosed(month) => (
            month.by?,
            "close-month",
            Subject::Attendance,
            format!("month={}", month.month),
            month.note,
        ),
        Fact::MonthReopened(month) => (
            month.by?,
            "reopen-month",
            Subject::Attendance,
            format!("month={}", month.month),
            month.note,
        ),
        _ => return None,
    };
    Some(Action {
        at: entry.at,
        actor,
        action,
        subject,
        detail,
        note,
    })
}

/// Whose schedule: `role=R` or `user=ID`.
fn schedule_of(role: Option<&str>, user_id: Option<i64>) -> String {
    match (role, user_id) {
        (Some(role), _) => format!("role={role}"),
        (None, Some(user)) => format!("user={user}"),
        (None, None) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::{AccountChange, Ended, hash_of};

    fn entry(subject: Option<i64>, fact: Fact) -> Entry {
        let (kind, body) = (fact.kind().to_string(), fact.body());
        Entry {
            id: 2,
            at: 5_000,
            hash: hash_of(crate::journal::START, 2, 5_000, &kind, subject, &body),
            kind,
            subject,
            body,
            prev_hash: crate::journal::START.into(),
        }
    }

    fn root() -> Actor {
        Actor {
            account: "root".into(),
            admin: None,
            host: "desk".into(),
            tty: Some("/dev/pts/1".into()),
        }
    }

    #[test]
    fn an_admins_change_is_an_action_and_a_terminals_own_end_is_not() {
        let raised = entry(
            Some(3),
            Fact::AccountChanged(AccountChange {
                role: Some("admin".into()),
                by: Some(root()),
                ..AccountChange::default()
            }),
        );
        let action = action_of(&raised).unwrap();
        assert_eq!(
            (action.action, action.subject, action.detail.as_str()),
            ("set-role", Subject::Account(3), "role=admin")
        );
        assert_eq!(action.actor, root());
        let logout = Ended {
            logout_time: 9_000,
            reason: "logout".into(),
            ended_by: None,
            ended_by_account: None,
            note: None,
            by: None,
        };
        assert_eq!(
            action_of(&entry(Some(4), Fact::SessionEnded(logout.clone()))),
            None
        );
        let forced = Ended {
            reason: "forced".into(),
            note: Some("fire drill".into()),
            by: Some(root()),
            ..logout
        };
        let action = action_of(&entry(Some(4), Fact::SessionEnded(forced))).unwrap();
        assert_eq!(
            (action.action, action.note.as_deref()),
            ("end-session", Some("fire drill"))
        );
    }
}
