use super::update::history_rows;
use super::*;
use crate::db::{Counts, UserKey, UserPage};
use crate::exceptions::Kind;
use crate::i18n::EN;
use crate::model::{EndReason, Role, User, UserState, UserSummary};

/// 2026-11-24 09:15:02 UTC.
const NOW: Millis = 1_795_511_702_000;
const MINUTE: Millis = 60_000;

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn user_line(id: i64, username: &str, full_name: &str, role: Role, state: UserState) -> UserLine {
    UserLine {
        summary: UserSummary {
            user: User {
                id,
                username: username.into(),
                full_name: full_name.into(),
                role,
                disabled: state == UserState::Disabled,
                must_change_password: false,
                locked_until: None,
                created_at: 0,
            },
            state,
            last_login: Some(NOW - id * 37 * MINUTE),
            last_logout: (state != UserState::Online).then_some(NOW - id * 20 * MINUTE),
        },
        sessions_today: id % 3,
    }
}

fn session(
    id: i64,
    user_id: i64,
    username: &str,
    role: Role,
    minutes_ago: i64,
    ended: Option<(i64, EndReason)>,
) -> SessionLine {
    SessionLine {
        id,
        user_id: Some(user_id),
        username: username.into(),
        role: Some(role),
        login_time: NOW - minutes_ago * MINUTE,
        last_seen: NOW - 3_000,
        logout_time: ended.map(|(ago, _)| NOW - ago * MINUTE),
        end_reason: ended.map(|(_, reason)| reason),
        host: "frontdesk".into(),
        tty: Some(format!("/dev/pts/{id}")),
        remote_ip: (id % 2 == 0).then(|| "192.0.2.10".to_string()),
        terminal: Some("xterm-256color".into()),
        ended_by: ended
            .filter(|(_, reason)| *reason == EndReason::Forced)
            .map(|_| "Fedanoir".to_string()),
        end_note: ended
            .filter(|(_, reason)| *reason == EndReason::Forced)
            .map(|_| "closing time".to_string()),
        last_key: Some(NOW - 3_000),
        correction: None,
        correction_note: None,
        service: None,
    }
}

fn snapshot() -> Snapshot {
    let users = vec![
        user_line(
            1,
            "Anderson002",
            "Anderson Pierre",
            Role::Admin,
            UserState::Offline,
        ),
        user_line(
            2,
            "archives001",
            "Guerline Baptiste",
            Role::Archives,
            UserState::Online,
        ),
        user_line(
            3,
            "directeur001",
            "Jean-Robert Étienne",
            Role::Directeur,
            UserState::Locked,
        ),
        user_line(
            4,
            "Fedanoir",
            "Fedanoir Jean-Baptiste",
            Role::Admin,
            UserState::Online,
        ),
        user_line(
            5,
            "Hantz123",
            "Hantz Dorvil",
            Role::Secretaire,
            UserState::Online,
        ),
        user_line(
            6,
            "secretaire002",
            "Roseline Toussaint",
            Role::Secretaire,
            UserState::Disabled,
        ),
    ];
    Snapshot {
        counts: Counts {
            users: 16,
            online_users: 3,
            online_sessions: 3,
        },
        users_from: None,
        users: UserPage {
            rows: users,
            next: None,
        },
        online: vec![
            session(41, 2, "archives001", Role::Archives, 95, None),
            session(42, 4, "Fedanoir", Role::Admin, 12, None),
            session(43, 5, "Hantz123", Role::Secretaire, 64, None),
        ],
        online_offset: 0,
        online_total: 3,
        timeline: None,
        attendance: None,
        offline: vec![
            session(
                40,
                1,
                "Anderson002",
                Role::Admin,
                80,
                Some((20, EndReason::Logout)),
            ),
            session(
                39,
                6,
                "secretaire002",
                Role::Secretaire,
                200,
                Some((60, EndReason::Idle)),
            ),
            session(
                38,
                3,
                "directeur001",
                Role::Directeur,
                300,
                Some((120, EndReason::Lost)),
            ),
            session(
                37,
                5,
                "Hantz123",
                Role::Secretaire,
                400,
                Some((250, EndReason::Forced)),
            ),
        ],
    }
}

fn state(width: u16, height: u16) -> State {
    let mut s = State::new(
        "Fedanoir".into(),
        "frontdesk".into(),
        NOW,
        Zone::UTC,
        Theme { color: false },
        &EN,
    );
    let _ = update(&mut s, Msg::Resize(width, height));
    let _ = update(&mut s, Msg::Loaded(snapshot()));
    s
}

fn render(state: &State) -> String {
    crate::tui::render_to_text(state, state.width, state.height)
}

#[test]
fn tab_moves_the_focus_round_the_panes() {
    let mut s = state(120, 40);
    let _ = update(&mut s, key(KeyCode::Tab));
    assert_eq!(s.focus, Pane::Online);
    let _ = update(&mut s, key(KeyCode::Tab));
    assert_eq!(s.focus, Pane::Offline);
    let _ = update(&mut s, key(KeyCode::Tab));
    assert_eq!(s.focus, Pane::Users);
    let _ = update(&mut s, key(KeyCode::BackTab));
    assert_eq!(s.focus, Pane::Offline);
}

#[test]
fn moving_within_a_page_needs_no_load() {
    let mut s = state(120, 40);
    assert_eq!(update(&mut s, key(KeyCode::Down)), None);
    assert_eq!(update(&mut s, key(KeyCode::Char('j'))), None);
    assert_eq!(s.users_selected, 2);
    assert_eq!(update(&mut s, key(KeyCode::Up)), None);
    assert_eq!(s.users_selected, 1);
}

#[test]
fn moving_past_the_page_asks_for_the_next_by_key() {
    let mut s = state(120, 40);
    let mut page = snapshot();
    page.users.next = Some(UserKey {
        role: "archives".into(),
        recency: 0,
        username: "zoe".into(),
    });
    let _ = update(&mut s, Msg::Loaded(page));
    let effect = update(&mut s, key(KeyCode::PageDown));
    let Some(Effect::Load(query)) = effect else {
        panic!("{effect:?}")
    };
    assert_eq!(
        query.users_anchor,
        UsersAnchor::From(UserKey {
            role: "archives".into(),
            recency: 0,
            username: "zoe".into()
        })
    );
    let effect = update(&mut s, key(KeyCode::Home));
    let Some(Effect::Load(query)) = effect else {
        panic!()
    };
    assert_eq!(query.users_anchor, UsersAnchor::Start);
    let Some(Effect::Load(query)) = update(&mut s, key(KeyCode::End)) else {
        panic!()
    };
    assert_eq!(query.users_anchor, UsersAnchor::End);
}

#[test]
fn scrolling_up_from_the_first_row_asks_for_the_row_before() {
    let mut s = state(120, 40);
    let Some(Effect::Load(query)) = update(&mut s, key(KeyCode::Up)) else {
        panic!()
    };
    let first = snapshot().users.rows[0].key();
    assert_eq!(
        query.users_anchor,
        UsersAnchor::Back {
            from: first,
            rows: 1
        }
    );
}

#[test]
fn the_filter_reloads_every_pane_from_the_top() {
    let mut s = state(120, 40);
    let _ = update(&mut s, key(KeyCode::Down));
    let _ = update(&mut s, key(KeyCode::Char('/')));
    assert!(s.editing_filter);
    let _ = update(&mut s, key(KeyCode::Char('s')));
    let Some(Effect::Load(query)) = update(&mut s, key(KeyCode::Char('e'))) else {
        panic!()
    };
    assert_eq!(query.filter.as_deref(), Some("se"));
    assert_eq!(s.users_selected, 0);
    let _ = update(&mut s, key(KeyCode::Enter));
    assert!(!s.editing_filter);
    assert_eq!(s.filter, "se");
    let _ = update(&mut s, key(KeyCode::Char('/')));
    let Some(Effect::Load(query)) = update(&mut s, key(KeyCode::Esc)) else {
        panic!()
    };
    assert_eq!(query.filter, None);
}

#[test]
fn s_cycles_the_sort() {
    let mut s = state(120, 40);
    for expected in [PaneSort::Role, PaneSort::LastLogin, PaneSort::Name] {
        let Some(Effect::Load(query)) = update(&mut s, key(KeyCode::Char('s'))) else {
            panic!()
        };
        assert_eq!(query.sort, expected);
    }
}

#[test]
fn e_asks_before_ending_a_session_and_n_keeps_it() {
    let mut s = state(120, 40);
    assert_eq!(
        update(&mut s, key(KeyCode::Char('e'))),
        None,
        "e is for online sessions"
    );
    assert_eq!(s.overlay, Overlay::None);
    let _ = update(&mut s, key(KeyCode::Tab));
    let _ = update(&mut s, key(KeyCode::Down));
    let _ = update(&mut s, key(KeyCode::Down));
    assert_eq!(update(&mut s, key(KeyCode::Char('e'))), None);
    let Overlay::Confirm(to_end) = &s.overlay else {
        panic!("{:?}", s.overlay)
    };
    assert_eq!((to_end.session.id, to_end.own), (43, false));
    let screen = render(&s);
    for named in [
        "Hantz123",
        "frontdesk",
        "/dev/pts/43",
        "since 08:11",
        "session 43",
    ] {
        assert!(screen.contains(named), "{named}:\n{screen}");
    }
    assert_eq!(update(&mut s, key(KeyCode::Char('n'))), None);
    assert_eq!(s.overlay, Overlay::None);
    let _ = update(&mut s, key(KeyCode::Char('e')));
    assert_eq!(
        update(&mut s, key(KeyCode::Char('y'))),
        Some(Effect::EndSession { session_id: 43 })
    );
}

#[test]
fn the_selection_follows_the_session_when_others_come_and_go() {
    let mut s = state(120, 40);
    let _ = update(&mut s, key(KeyCode::Tab));
    let _ = update(&mut s, key(KeyCode::Down));
    assert_eq!(s.selected_online().map(|l| l.id), Some(42));
    // archives001 (41, above) logs out: Fedanoir's session moves up a row.
    let mut later = snapshot();
    later.online.remove(0);
    later.online_total = 2;
    let _ = update(&mut s, Msg::Loaded(later));
    assert_eq!(s.selected_online().map(|l| l.id), Some(42));
    assert_eq!(s.query().online_selected, Some(42));
    // A new session above it: it moves down, the cursor with it.
    let _ = update(&mut s, Msg::Loaded(snapshot()));
    assert_eq!(s.selected_online().map(|l| l.id), Some(42));
    assert_eq!(s.online_selected, 1);
}

#[test]
fn the_newest_end_stays_in_view_unless_the_admin_scrolled_down() {
    let mut s = state(120, 40);
    let newer = |snapshot: &Snapshot, id: i64| {
        let mut later = snapshot.clone();
        let ended = session(
            id,
            9,
            "secretaire001",
            Role::Secretaire,
            30,
            Some((0, EndReason::Logout)),
        );
        later.offline.insert(0, ended);
        later
    };
    let first = s.snapshot.clone();
    let _ = update(&mut s, Msg::Loaded(newer(&first, 50)));
    let _ = update(&mut s, Msg::Loaded(newer(&newer(&first, 50), 51)));
    assert_eq!(s.offline_selected, 0, "at the top, on the newest");
    assert!(render(&s).contains("secretaire001"));
    // Moved down on purpose: the cursor stays on its person as ends come in above.
    let _ = update(&mut s, key(KeyCode::Tab));
    let _ = update(&mut s, key(KeyCode::Tab));
    let _ = update(&mut s, key(KeyCode::Down));
    let chosen = s.snapshot.offline[1].id;
    let next = newer(&s.snapshot, 52);
    let _ = update(&mut s, Msg::Loaded(next));
    assert_eq!(s.snapshot.offline[s.offline_selected].id, chosen);
}

#[test]
fn ending_your_own_session_is_asked_twice() {
    let mut s = state(120, 40);
    s.own_session = Some(42);
    let _ = update(&mut s, key(KeyCode::Tab));
    let _ = update(&mut s, key(KeyCode::Down));
    let _ = update(&mut s, key(KeyCode::Char('e')));
    assert!(render(&s).contains("This is your own session"));
    assert_eq!(update(&mut s, key(KeyCode::Char('y'))), None);
    assert!(render(&s).contains("Really end your own session"));
    assert_eq!(
        update(&mut s, key(KeyCode::Char('y'))),
        Some(Effect::EndSession { session_id: 42 })
    );
}

#[test]
fn yes_is_the_letter_of_the_language() {
    let mut s = state(120, 40);
    s.texts = crate::i18n::Lang::Fr.texts();
    let _ = update(&mut s, key(KeyCode::Tab));
    let _ = update(&mut s, key(KeyCode::Char('e')));
    assert!(render(&s).contains("o oui · n non"), "{}", render(&s));
    assert_eq!(
        update(&mut s, key(KeyCode::Char('o'))),
        Some(Effect::EndSession { session_id: 41 })
    );
    s.texts = crate::i18n::Lang::Ht.texts();
    let _ = update(&mut s, key(KeyCode::Char('e')));
    assert!(render(&s).contains("w wi · n non"));
    assert_eq!(
        update(&mut s, key(KeyCode::Char('w'))),
        Some(Effect::EndSession { session_id: 41 })
    );
}

#[test]
fn esc_clears_a_kept_filter_before_it_leaves() {
    let mut s = state(120, 40);
    let _ = update(&mut s, key(KeyCode::Char('/')));
    assert!(render(&s).contains("Enter keeps it · Esc clears it"));
    let _ = update(&mut s, key(KeyCode::Char('h')));
    let _ = update(&mut s, key(KeyCode::Enter));
    let kept = render(&s);
    assert!(
        kept.contains("Filter: h (/ changes it · Esc clears it)"),
        "{kept}"
    );
    let Some(Effect::Load(query)) = update(&mut s, key(KeyCode::Esc)) else {
        panic!("Esc must clear the filter")
    };
    assert_eq!(query.filter, None);
    assert_eq!(update(&mut s, key(KeyCode::Esc)), Some(Effect::Quit));
}

#[test]
fn leaving_the_demo_is_asked_first() {
    let mut s = state(120, 40);
    s.confirm_quit = Some(Leaving::DatabaseRemoved);
    assert_eq!(update(&mut s, key(KeyCode::Char('q'))), None);
    assert!(render(&s).contains("Leave the demo?"));
    assert_eq!(update(&mut s, key(KeyCode::Char('n'))), None);
    assert_eq!(s.overlay, Overlay::None);
    let _ = update(&mut s, key(KeyCode::Esc));
    assert_eq!(update(&mut s, key(KeyCode::Char('y'))), Some(Effect::Quit));
}

#[test]
fn the_idle_countdown_and_a_waiting_database_show_on_the_monitor() {
    let mut s = state(80, 24);
    let _ = update(&mut s, Msg::IdleLeft(Some(42_000)));
    assert!(render(&s).contains("No activity: logging out in 42 s"));
    let _ = update(
        &mut s,
        Msg::Database(crate::tui::DbStatus {
            link: crate::tui::DbLink::Waiting,
            unusable: None,
        }),
    );
    assert!(render(&s).contains("Waiting for the database"));
}

#[test]
fn enter_opens_the_history_of_the_selected_user() {
    let mut s = state(120, 40);
    let _ = update(&mut s, key(KeyCode::Down));
    let effect = update(&mut s, key(KeyCode::Enter));
    assert!(
        matches!(
            effect,
            Some(Effect::OpenHistory {
                user_id: 2,
                offset: 0,
                ..
            })
        ),
        "{effect:?}"
    );
    let _ = update(&mut s, key(KeyCode::Tab));
    let _ = update(&mut s, key(KeyCode::Tab));
    let effect = update(&mut s, key(KeyCode::Enter));
    assert!(
        matches!(effect, Some(Effect::OpenHistory { user_id: 1, .. })),
        "{effect:?}"
    );
}

#[test]
fn a_change_lights_the_pulse_and_a_same_load_does_not() {
    let mut s = state(120, 40);
    let _ = update(&mut s, Msg::Tick(NOW + 10_000));
    let _ = update(&mut s, Msg::Loaded(snapshot()));
    assert!(s.pulse_until <= s.now, "nothing changed");
    let mut changed = snapshot();
    changed.counts.online_users = 4;
    let _ = update(&mut s, Msg::Loaded(changed));
    assert!(s.pulse_until > s.now);
}

#[test]
fn q_quits_and_closes_overlays_first() {
    let mut s = state(120, 40);
    let _ = update(&mut s, key(KeyCode::Char('?')));
    assert_eq!(s.overlay, Overlay::Help);
    assert_eq!(update(&mut s, key(KeyCode::Char('q'))), None);
    assert_eq!(s.overlay, Overlay::None);
    assert_eq!(update(&mut s, key(KeyCode::Char('q'))), Some(Effect::Quit));
}

#[test]
fn the_panes_are_sized_by_what_they_show() {
    let s = state(120, 40);
    let [users, online, offline] = s.pane_heights();
    // 36 lines: the three sessions online and the four ended ones each get all their
    // rows, the users the rest.
    assert_eq!((online, offline), (3 + 3, 3 + 4));
    assert_eq!(users, 36 - 6 - 7);
    let query = s.query();
    assert_eq!((query.users_rows, query.online_rows), (20, 3));
    let small = state(40, 12);
    assert_eq!(small.query().users_rows, 4);
}

#[test]
fn who_is_online_comes_first_up_to_half_the_screen() {
    assert_eq!(share_lines(20, [u16::MAX, 9, 23]), [6, 9, 5]);
    assert_eq!(share_lines(20, [u16::MAX, 40, 23]), [6, 10, 4]);
    assert_eq!(share_lines(36, [9, 6, 7]), [23, 6, 7]);
    assert_eq!(share_lines(10, [u16::MAX, 9, 3]), [4, 3, 3]);
}

#[test]
fn an_empty_pane_gives_its_room_to_the_others() {
    let mut s = state(80, 24);
    let mut quiet = snapshot();
    quiet.offline.clear();
    let _ = update(&mut s, Msg::Loaded(quiet));
    let [_, online, offline] = s.pane_heights();
    assert_eq!(offline, 3, "its borders and its 'nothing here'");
    assert_eq!(online, 3 + 3, "every online session shows");
}

#[test]
fn at_80x24_the_banner_and_the_quit_and_help_keys_show_whole() {
    let mut s = state(80, 24);
    s.banner = Some(
        "DEMO · 5 simulated terminals · log in elsewhere: console --db /tmp/.tmpXy12Ab/demo.db · admin Fedanoir / Fedanoir-2026".into(),
    );
    let _ = update(&mut s, key(KeyCode::Tab));
    let screen = render(&s);
    assert!(screen.contains("Fedanoir-2026"), "{screen}");
    let hints = screen.lines().last().unwrap().to_string();
    assert!(
        hints.contains("? help") && hints.contains("q quit"),
        "{hints}"
    );
    assert!(hints.contains("e end session"), "{hints}");
}

#[test]
fn the_header_counts_people_and_sessions() {
    let mut s = state(120, 40);
    let mut two_desks = snapshot();
    two_desks.counts.online_sessions = 4;
    let _ = update(&mut s, Msg::Loaded(two_desks));
    let screen = render(&s);
    assert!(
        screen.contains("3/16 people online · 4 sessions"),
        "{screen}"
    );
    assert!(screen.contains("Online now · 3 sessions"), "{screen}");
}

#[test]
fn the_help_shows_every_line_in_every_language_at_80x24() {
    for lang in crate::i18n::Lang::ALL {
        let mut s = state(80, 24);
        s.texts = lang.texts();
        let _ = update(&mut s, key(KeyCode::Char('?')));
        let screen = render(&s);
        assert!(screen.contains(s.texts.help_quit), "{lang:?}:\n{screen}");
        assert!(screen.contains(s.texts.help_pane), "{lang:?}:\n{screen}");
    }
}

#[test]
fn at_40x12_the_help_scrolls_to_its_last_line() {
    let mut s = state(40, 12);
    let _ = update(&mut s, key(KeyCode::Char('?')));
    let first = render(&s);
    assert!(first.contains(s.texts.help_pane), "{first}");
    assert!(
        !first.contains(s.texts.help_quit),
        "taller than 12 lines:\n{first}"
    );
    assert!(first.contains("↑↓"), "the bar says it scrolls:\n{first}");
    for _ in 0..40 {
        let _ = update(&mut s, key(KeyCode::Down));
    }
    assert_eq!(
        s.overlay,
        Overlay::Help,
        "the arrows scroll, they do not close it"
    );
    let last = render(&s);
    assert!(last.contains(s.texts.help_quit), "{last}");
    insta::assert_snapshot!("help_scrolled_40x12", last);
    let _ = update(&mut s, key(KeyCode::Up));
    let _ = update(&mut s, key(KeyCode::Char('x')));
    assert_eq!(s.overlay, Overlay::None, "any other key closes it");
}

fn history() -> History {
    History {
        user_id: 5,
        username: "Hantz123".into(),
        full_name: "Hantz Dorvil".into(),
        offset: 0,
        sessions: vec![
            session(43, 5, "Hantz123", Role::Secretaire, 64, None),
            session(
                37,
                5,
                "Hantz123",
                Role::Secretaire,
                400,
                Some((250, EndReason::Forced)),
            ),
            session(
                30,
                5,
                "Hantz123",
                Role::Secretaire,
                1600,
                Some((1480, EndReason::Logout)),
            ),
        ],
        // A week: the weekend off, a short Monday.
        per_day: [480, 510, 455, 0, 0, 120, 214]
            .into_iter()
            .enumerate()
            .map(|(i, minutes)| {
                let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 18 + i as u32).unwrap();
                (day, minutes * MINUTE)
            })
            .collect(),
    }
}

#[test]
fn snapshot_monitor_120x40() {
    insta::assert_snapshot!(render(&state(120, 40)));
}

#[test]
fn snapshot_monitor_online_pane_40x12() {
    let mut s = state(40, 12);
    let _ = update(&mut s, key(KeyCode::Tab));
    insta::assert_snapshot!(render(&s));
}

#[test]
fn snapshot_history_120x40() {
    let mut s = state(120, 40);
    let _ = update(&mut s, Msg::HistoryLoaded(history()));
    insta::assert_snapshot!(render(&s));
}

#[test]
fn snapshot_confirm_end_80x24() {
    let mut s = state(80, 24);
    let _ = update(&mut s, key(KeyCode::Tab));
    let _ = update(&mut s, key(KeyCode::Char('e')));
    insta::assert_snapshot!(render(&s));
}

#[test]
fn snapshot_help_80x24() {
    let mut s = state(80, 24);
    let _ = update(&mut s, key(KeyCode::Char('?')));
    insta::assert_snapshot!(render(&s));
}

#[test]
fn snapshots_in_every_language_at_80x24_and_40x12() {
    for lang in crate::i18n::Lang::ALL {
        for (width, height) in [(80, 24), (40, 12)] {
            let mut s = state(width, height);
            s.texts = lang.texts();
            let _ = update(&mut s, Msg::Loaded(snapshot()));
            let name = format!("monitor_{lang:?}_{width}x{height}").to_lowercase();
            insta::assert_snapshot!(name, render(&s));
        }
    }
}

#[test]
fn snapshot_history_fr_120x40() {
    let mut s = state(120, 40);
    s.texts = crate::i18n::Lang::Fr.texts();
    let _ = update(&mut s, Msg::HistoryLoaded(history()));
    insta::assert_snapshot!(render(&s));
}

/// The morning so far, at 09:15: who came when, and who left.
fn timeline(offset: usize) -> crate::model::Timeline {
    let at = |hour: i64, minute: i64| {
        crate::clock::start_of_day(NOW, Zone::UTC) + (hour * 60 + minute) * MINUTE
    };
    let bar = |session, login, logout: Option<Millis>, reason| crate::model::Bar {
        session,
        login,
        logout,
        end_reason: logout.map(|_| reason),
    };
    let person = |user_id, username: &str, role, bars| crate::model::Person {
        user_id,
        username: username.into(),
        role,
        bars,
    };
    let people = vec![
        person(
            1,
            "Anderson002",
            Role::Admin,
            vec![bar(1, at(7, 10), Some(at(8, 55)), EndReason::Logout)],
        ),
        person(
            2,
            "archives001",
            Role::Archives,
            vec![bar(2, at(7, 40), None, EndReason::Logout)],
        ),
        person(
            4,
            "Fedanoir",
            Role::Admin,
            vec![bar(3, at(8, 3), None, EndReason::Logout)],
        ),
        person(
            5,
            "Hantz123",
            Role::Secretaire,
            vec![
                bar(4, at(7, 55), Some(at(8, 30)), EndReason::Idle),
                bar(5, at(8, 45), None, EndReason::Logout),
            ],
        ),
        person(
            6,
            "secretaire002",
            Role::Secretaire,
            vec![bar(6, at(7, 5), Some(at(7, 50)), EndReason::Lost)],
        ),
        // Expected, not come: from 06:00 to 09:00 (absent), from 08:00 (late).
        person(8, "wilner", Role::Archives, vec![]),
        person(9, "yolande", Role::Secretaire, vec![]),
    ];
    crate::model::Timeline {
        offset,
        total: people.len(),
        people: people.into_iter().skip(offset).collect(),
    }
}

/// The monitor with the day's timeline open and loaded.
fn today_state(width: u16, height: u16) -> State {
    let mut s = state(width, height);
    let effect = update(&mut s, key(KeyCode::Char('t')));
    let Some(Effect::Load(query)) = effect else {
        panic!("t loads the timeline: {effect:?}");
    };
    assert_eq!(query.timeline.map(|(offset, _)| offset), Some(0));
    let mut loaded = snapshot();
    loaded.timeline = Some(timeline(0));
    loaded.attendance = Some(Box::new(attendance()));
    let _ = update(&mut s, Msg::Loaded(loaded));
    s
}

/// The morning judged against the office's hours (08:00 to 16:00, ten minutes' grace):
/// Hantz123 came at 07:55 but archives001 at 07:40; wilner was expected from 06:00 to
/// 09:00 and never came; yolande is not in yet.
fn attendance() -> crate::exceptions::DayAttendance {
    let at = |hour: i64| crate::clock::start_of_day(NOW, Zone::UTC) + hour * 60 * MINUTE;
    let day =
        |username: &str, role, hours: (i64, i64), kinds: Vec<Kind>| crate::exceptions::PersonDay {
            username: username.into(),
            role,
            expected: vec![(at(hours.0), at(hours.1))],
            came: kinds != [Kind::Absent] && username != "yolande",
            kinds,
        };
    let people = [
        (2, day("archives001", Role::Archives, (8, 16), vec![])),
        (
            5,
            day("Hantz123", Role::Secretaire, (7, 15), vec![Kind::Late]),
        ),
        (
            6,
            day(
                "secretaire002",
                Role::Secretaire,
                (8, 16),
                vec![Kind::NoLogout],
            ),
        ),
        (8, day("wilner", Role::Archives, (6, 9), vec![Kind::Absent])),
        (
            9,
            day("yolande", Role::Secretaire, (8, 16), vec![Kind::Late]),
        ),
    ];
    crate::exceptions::DayAttendance {
        late: 2,
        absent: 1,
        people: people.into_iter().collect(),
    }
}

#[test]
fn t_opens_the_days_timeline_and_q_brings_the_panes_back() {
    let mut s = today_state(120, 40);
    assert_eq!(s.view, View::Today);
    let screen = render(&s);
    assert!(
        screen.contains("Today") && screen.contains("Hantz123"),
        "{screen}"
    );
    assert!(!screen.contains("Recently offline"), "{screen}");
    let effect = update(&mut s, key(KeyCode::Char('q')));
    assert_eq!(s.view, View::Panes);
    assert!(matches!(
        effect,
        Some(Effect::Load(Query { timeline: None, .. }))
    ));
    assert!(render(&s).contains("Recently offline"));
}

#[test]
fn in_the_timeline_enter_opens_the_selected_persons_history() {
    let mut s = today_state(120, 40);
    for _ in 0..3 {
        assert_eq!(update(&mut s, key(KeyCode::Down)), None, "within the page");
    }
    let effect = update(&mut s, key(KeyCode::Enter));
    assert_eq!(
        effect,
        Some(Effect::OpenHistory {
            user_id: 5,
            offset: 0,
            rows: history_rows(40)
        })
    );
}

#[test]
fn the_timeline_pages_through_the_people_when_the_cursor_leaves_the_page() {
    // 12 lines: the header card, the frame, the axis, the hint bar leave 5 rows.
    let mut s = today_state(80, 12);
    let mut more = snapshot();
    more.timeline = Some(crate::model::Timeline {
        total: 8,
        ..timeline(0)
    });
    let _ = update(&mut s, Msg::Loaded(more));
    let rows = s.today_rows();
    assert_eq!(rows, 5);
    for _ in 0..rows - 1 {
        assert_eq!(update(&mut s, key(KeyCode::Down)), None);
    }
    let effect = update(&mut s, key(KeyCode::Down));
    assert!(
        matches!(
            effect,
            Some(Effect::Load(Query {
                timeline: Some((1, _)),
                ..
            }))
        ),
        "{effect:?}"
    );
}

#[test]
fn snapshot_today_120x40() {
    insta::assert_snapshot!(render(&today_state(120, 40)));
}

#[test]
fn snapshots_of_today_in_every_language_at_80x24_and_40x12() {
    for lang in crate::i18n::Lang::ALL {
        for (width, height) in [(80, 24), (40, 12)] {
            let mut s = today_state(width, height);
            s.texts = lang.texts();
            let name = format!("today_{lang:?}_{width}x{height}").to_lowercase();
            insta::assert_snapshot!(name, render(&s));
        }
    }
}

#[test]
fn names_and_places_from_the_database_are_shown_not_obeyed() {
    let mut s = state(160, 40);
    let mut snapshot = snapshot();
    snapshot.online[0].host = "desk\u{202e}txt.exe".into();
    snapshot.users.rows[0].summary.user.full_name = "Anderson\u{200b}Pierre".into();
    let _ = update(&mut s, Msg::Loaded(snapshot));
    let screen = render(&s);
    assert!(
        !screen.contains('\u{202e}') && !screen.contains('\u{200b}'),
        "{screen}"
    );
    assert!(screen.contains("desk\\u{202e}txt"), "{screen}");
    assert!(screen.contains("Anderson\\u{200b}Pierre"), "{screen}");
}

#[test]
fn a_corrected_session_is_marked_in_recently_offline() {
    let mut s = state(120, 40);
    let mut corrected = snapshot();
    corrected.offline[1].correction = Some("end".into());
    let _ = update(&mut s, Msg::Loaded(corrected));
    let screen = render(&s);
    assert!(screen.contains("idle*"), "{screen}");
    assert!(
        !screen.contains("logout*"),
        "only the corrected one: {screen}"
    );
}

/// The history of Hantz123 open, its cursor on row `row`.
fn in_history_at(row: usize) -> State {
    let mut s = state(120, 40);
    let _ = update(&mut s, Msg::HistoryLoaded(history()));
    for _ in 0..row {
        assert_eq!(update(&mut s, key(KeyCode::Down)), None, "the cursor moves");
    }
    s
}

fn type_text(s: &mut State, text: &str) {
    for c in text.chars() {
        let _ = update(s, key(KeyCode::Char(c)));
    }
}

#[test]
fn an_admin_moves_a_sessions_end_from_the_history_with_a_note() {
    let mut s = in_history_at(1);
    assert_eq!(update(&mut s, key(KeyCode::Char('e'))), None);
    let Overlay::Correct(form) = &s.overlay else {
        panic!("no form")
    };
    // The end recorded, to edit: 250 minutes before NOW (09:15:02 UTC).
    assert_eq!(form.end, "2026-11-24 05:05");
    for _ in 0..5 {
        let _ = update(&mut s, key(KeyCode::Backspace));
    }
    type_text(&mut s, "04:30");
    let _ = update(&mut s, key(KeyCode::Tab));
    type_text(&mut s, "left at 4:30");
    let effect = update(&mut s, key(KeyCode::Enter));
    let at = crate::clock::parse_time("2026-11-24 04:30", NOW, Zone::UTC).unwrap();
    assert_eq!(
        effect,
        Some(Effect::Correct {
            correction: crate::db::Correction::End { session: 37, at },
            note: "left at 4:30".into(),
            user_id: 5,
            offset: 0,
            rows: 3,
        })
    );
    assert!(
        matches!(s.overlay, Overlay::History(_)),
        "back to the history"
    );
}

#[test]
fn the_form_says_what_is_wrong_and_esc_goes_back_to_the_history() {
    let mut s = in_history_at(2);
    let _ = update(&mut s, key(KeyCode::Char('e')));
    for _ in 0..16 {
        let _ = update(&mut s, key(KeyCode::Backspace));
    }
    type_text(&mut s, "tea time");
    assert_eq!(update(&mut s, key(KeyCode::Enter)), None);
    assert!(
        render(&s).contains("tea time: not a time"),
        "{}",
        render(&s)
    );
    // A good time, and no note yet.
    for _ in 0..8 {
        let _ = update(&mut s, key(KeyCode::Backspace));
    }
    type_text(&mut s, "08:00");
    assert_eq!(update(&mut s, key(KeyCode::Enter)), None);
    assert!(render(&s).contains("--note: say why"));
    assert_eq!(update(&mut s, key(KeyCode::Esc)), None);
    assert!(matches!(s.overlay, Overlay::History(_)));
}

#[test]
fn a_session_is_voided_with_its_note_and_an_open_one_is_not_corrected() {
    let mut s = in_history_at(1);
    let _ = update(&mut s, key(KeyCode::Char('v')));
    type_text(&mut s, "a test login");
    assert!(matches!(
        update(&mut s, key(KeyCode::Enter)),
        Some(Effect::Correct {
            correction: crate::db::Correction::Void { session: 37 },
            ..
        })
    ));
    let mut s = in_history_at(0);
    assert_eq!(update(&mut s, key(KeyCode::Char('e'))), None);
    assert!(matches!(s.overlay, Overlay::History(_)), "no form");
    assert!(render(&s).contains("session 43 is still open"));
}

#[test]
fn snapshot_correct_form_80x24() {
    let mut s = in_history_at(1);
    let _ = update(&mut s, Msg::Resize(80, 24));
    let _ = update(&mut s, key(KeyCode::Char('e')));
    let _ = update(&mut s, key(KeyCode::Tab));
    type_text(&mut s, "left early, said so");
    insta::assert_snapshot!(render(&s));
}

#[test]
fn a_login_of_the_pc_itself_is_marked_with_its_way_in() {
    let mut snapshot = snapshot();
    snapshot.online[1].service = Some("sshd".into());
    snapshot.online[2].service = Some("gdm-password".into());
    let mut s = state(120, 40);
    let _ = update(&mut s, Msg::Loaded(snapshot));
    let screen = render(&s);
    // The online pane's line of each: the one with its tty.
    let line_of = |tty: &str| {
        screen
            .lines()
            .find(|line| line.contains(tty))
            .unwrap_or_default()
            .to_string()
    };
    assert!(line_of("/dev/pts/42").contains(" ssh "), "{screen}");
    assert!(line_of("/dev/pts/43").contains(" desktop "), "{screen}");
    assert!(line_of("/dev/pts/41").contains(" console "), "{screen}");
}
