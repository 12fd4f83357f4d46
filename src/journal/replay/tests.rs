use super::*;
use crate::journal::{Account, AccountChange, Attempt, Opened, Pruned, hash_of};

/// Entries chained as konekte writes them.
fn chain(facts: Vec<(Option<i64>, Fact)>) -> Vec<Entry> {
    let mut prev = START.to_string();
    facts
        .into_iter()
        .enumerate()
        .map(|(i, (subject, fact))| {
            let id = i as i64 + 1;
            let (kind, body) = (fact.kind().to_string(), fact.body());
            let hash = hash_of(&prev, id, 1_000 * id, &kind, subject, &body);
            Entry {
                id,
                at: 1_000 * id,
                kind,
                subject,
                body,
                prev_hash: std::mem::replace(&mut prev, hash.clone()),
                hash,
            }
        })
        .collect()
}

fn opened(user_id: i64, login_time: Millis) -> Fact {
    Fact::SessionOpened(Opened {
        user_id: Some(user_id),
        login_time,
        host: "accueil".into(),
        tty: None,
        remote_ip: None,
        terminal: None,
        service: None,
        login_name: None,
    })
}

fn ended(logout_time: Millis, reason: &str) -> Ended {
    Ended {
        logout_time,
        reason: reason.into(),
        ended_by: None,
        ended_by_account: None,
        note: None,
        by: None,
    }
}

fn account(role: &str) -> Fact {
    Fact::AccountCreated(Account {
        username: "hantz".into(),
        full_name: "Hantz Dorvil".into(),
        role: role.into(),
        disabled: false,
        must_change_password: false,
        password: "fp1".into(),
        by: None,
    })
}

fn office() -> Vec<Entry> {
    chain(vec![
        (None, Fact::Genesis(Genesis::default())),
        (Some(1), account("secretaire")),
        (Some(1), opened(1, 8_000)),
        (Some(1), Fact::SessionEnded(ended(16_000, "logout"))),
        (Some(2), opened(1, 17_000)),
        (
            Some(1),
            Fact::Attempt(Attempt {
                user_id: Some(1),
                typed: "hantz".into(),
                at: 7_000,
                outcome: "success".into(),
                host: Some("accueil".into()),
                tty: None,
                remote_ip: None,
            }),
        ),
    ])
}

fn account_row() -> AccountRow {
    AccountRow {
        id: 1,
        username: "hantz".into(),
        full_name: "Hantz Dorvil".into(),
        role: "secretaire".into(),
        disabled: false,
        password: "fp1".into(),
    }
}

fn session_rows() -> Vec<SessionRow> {
    vec![
        SessionRow {
            id: 1,
            user_id: Some(1),
            login_time: 8_000,
            host: "accueil".into(),
            service: None,
            login_name: None,
            end: Some(ended(16_000, "logout")),
            correction: None,
        },
        SessionRow {
            id: 2,
            user_id: Some(1),
            login_time: 17_000,
            host: "accueil".into(),
            service: None,
            login_name: None,
            end: None,
            correction: None,
        },
    ]
}

fn attempt_row() -> AttemptRow {
    AttemptRow {
        id: 1,
        user_id: Some(1),
        typed: "hantz".into(),
        at: 7_000,
        outcome: "success".into(),
    }
}

/// The verdict on `entries` against the tables as given.
fn verdict(
    entries: Vec<Entry>,
    accounts: Vec<AccountRow>,
    sessions: Vec<SessionRow>,
    attempts: Vec<AttemptRow>,
) -> Verdict {
    let mut replay = Replay::new();
    let last = entries.last().map_or(0, |e| e.id);
    for entry in entries {
        replay.entry(entry);
    }
    replay.recorded_head(last);
    accounts.into_iter().for_each(|row| replay.account(row));
    sessions.into_iter().for_each(|row| replay.session(row));
    attempts.into_iter().for_each(|row| replay.attempt(row));
    replay.finish()
}

#[test]
fn an_untouched_office_is_intact() {
    let found = verdict(
        office(),
        vec![account_row()],
        session_rows(),
        vec![attempt_row()],
    );
    assert_eq!(found.findings, vec![]);
    assert_eq!(found.entries, 6);
}

#[test]
fn a_logout_time_moved_is_found() {
    let mut sessions = session_rows();
    sessions[0].end = Some(ended(17_000, "logout"));
    let found = verdict(office(), vec![account_row()], sessions, vec![attempt_row()]);
    assert_eq!(
        found.findings,
        vec![Finding::Differs {
            table: "sessions",
            id: 1,
            field: "logout_time",
            recorded: Shown::Time(16_000),
            now: Shown::Time(17_000),
        }]
    );
}

#[test]
fn an_end_reason_changed_a_session_deleted_and_one_forged_are_found() {
    let mut sessions = session_rows();
    sessions[0].end = Some(ended(16_000, "idle"));
    sessions.remove(1);
    sessions.push(SessionRow {
        id: 3,
        user_id: Some(1),
        login_time: 20_000,
        host: "accueil".into(),
        service: None,
        login_name: None,
        end: None,
        correction: None,
    });
    let found = verdict(office(), vec![account_row()], sessions, vec![]);
    assert_eq!(
        found.findings,
        vec![
            Finding::Differs {
                table: "sessions",
                id: 1,
                field: "end_reason",
                recorded: Shown::Text("logout".into()),
                now: Shown::Text("idle".into()),
            },
            Finding::Unrecorded {
                table: "sessions",
                id: 3
            },
            Finding::Missing {
                table: "login_attempts",
                id: 1
            },
            Finding::Missing {
                table: "sessions",
                id: 2
            },
        ]
    );
}

#[test]
fn a_role_raised_by_hand_is_found_and_one_raised_by_konekte_is_not() {
    let mut raised = account_row();
    raised.role = "admin".into();
    let found = verdict(
        office(),
        vec![raised.clone()],
        session_rows(),
        vec![attempt_row()],
    );
    assert!(matches!(
        found.findings.as_slice(),
        [Finding::Differs { field: "role", .. }]
    ));
    let mut facts: Vec<(Option<i64>, Fact)> = office()
        .into_iter()
        .map(|e| (e.subject, Fact::parse(&e.kind, &e.body).unwrap()))
        .collect();
    facts.push((
        Some(1),
        Fact::AccountChanged(AccountChange {
            role: Some("admin".into()),
            ..AccountChange::default()
        }),
    ));
    let found = verdict(
        chain(facts),
        vec![raised],
        session_rows(),
        vec![attempt_row()],
    );
    assert_eq!(found.findings, vec![]);
}

#[test]
fn an_entry_edited_removed_or_cut_from_the_end_breaks_the_chain() {
    let mut edited = office();
    edited[3].body = Fact::SessionEnded(ended(17_000, "logout")).body();
    let found = verdict(
        edited,
        vec![account_row()],
        session_rows(),
        vec![attempt_row()],
    );
    assert!(found.findings.contains(&Finding::Link {
        entry: 4,
        problem: Link::Hash
    }));

    let mut removed = office();
    removed.remove(2);
    let found = verdict(
        removed,
        vec![account_row()],
        session_rows(),
        vec![attempt_row()],
    );
    assert!(found.findings.contains(&Finding::Link {
        entry: 4,
        problem: Link::Follows { expected_id: 3 }
    }));

    let mut replay = Replay::new();
    office().into_iter().take(4).for_each(|e| replay.entry(e));
    replay.recorded_head(6);
    assert!(
        replay
            .finish()
            .findings
            .contains(&Finding::Head { head: 6, last: 4 })
    );
}

#[test]
fn rows_from_before_the_journal_are_counted_not_proved_and_pruned_ones_are_not_missing() {
    let genesis = Genesis {
        sessions: 1,
        last_session: 1,
        ..Genesis::default()
    };
    let entries = chain(vec![
        (None, Fact::Genesis(genesis)),
        (Some(2), opened(1, 8_000)),
        (Some(2), Fact::SessionEnded(ended(9_000, "logout"))),
        (
            None,
            Fact::Pruned(Pruned {
                before: 10_000,
                sessions: 1,
                attempts: 0,
                by: None,
            }),
        ),
    ]);
    let old = SessionRow {
        id: 1,
        user_id: Some(1),
        login_time: 1_000,
        host: "old".into(),
        service: None,
        login_name: None,
        end: None,
        correction: None,
    };
    let found = verdict(entries, vec![], vec![old], vec![]);
    assert_eq!(found.findings, vec![]);
    assert_eq!((found.unproved, found.pruned), (1, 1));
}

#[test]
fn a_chain_rolled_back_or_rewritten_behind_a_checkpoint_is_found() {
    use crate::journal::witness::Checkpoint;
    let entries = office();
    let taken = |entry: &Entry| Checkpoint {
        at: entry.at,
        entry: entry.id,
        hash: entry.hash.clone(),
    };
    let mut replay = Replay::new();
    replay.witness(1, taken(&entries[3]));
    replay.witness(2, taken(&entries[5]));
    // Rolled back to entry 4: the second checkpoint is past its end.
    entries
        .iter()
        .take(4)
        .cloned()
        .for_each(|e| replay.entry(e));
    replay.recorded_head(4);
    let found = replay.finish();
    assert_eq!(found.witnessed, 1);
    assert!(found.findings.contains(&Finding::Witness {
        line: 2,
        checkpoint: taken(&entries[5]),
        problem: Witnessed::Beyond { last: 4 },
    }));

    // Rebuilt from the start with another history: consistent, but not with the witness.
    let mut rebuilt = office();
    rebuilt.truncate(3);
    let mut facts: Vec<(Option<i64>, Fact)> = rebuilt
        .into_iter()
        .map(|e| (e.subject, Fact::parse(&e.kind, &e.body).unwrap()))
        .collect();
    facts.push((Some(1), Fact::SessionEnded(ended(9_000, "logout"))));
    let mut replay = Replay::new();
    replay.witness(1, taken(&entries[3]));
    chain(facts).into_iter().for_each(|e| replay.entry(e));
    replay.recorded_head(4);
    let witnessed: Vec<Finding> = replay
        .finish()
        .findings
        .into_iter()
        .filter(|f| matches!(f, Finding::Witness { .. }))
        .collect();
    assert!(matches!(
        witnessed.as_slice(),
        [Finding::Witness {
            problem: Witnessed::Rewritten,
            ..
        }]
    ));
}
