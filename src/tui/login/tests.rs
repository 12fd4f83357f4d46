use super::*;
use crate::i18n::EN;
use crate::model::Role;

/// 2026-11-24 09:15:02 UTC.
pub const NOW: Millis = 1_795_511_702_000;

fn state() -> State {
    State::new(
        "frontdesk".into(),
        NOW,
        Zone::UTC,
        Theme { color: false },
        &EN,
    )
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn type_text(state: &mut State, text: &str) {
    for c in text.chars() {
        assert_eq!(update(state, key(KeyCode::Char(c))), None);
    }
}

fn clerk() -> User {
    User {
        id: 7,
        username: "Hantz123".into(),
        full_name: "Hantz Dorvil".into(),
        role: Role::Secretaire,
        disabled: false,
        must_change_password: true,
        locked_until: None,
        created_at: 0,
    }
}

#[test]
fn typing_then_enter_twice_asks_to_authenticate() {
    let mut s = state();
    type_text(&mut s, "Hantz123");
    assert_eq!(update(&mut s, key(KeyCode::Enter)), None);
    assert_eq!(s.focus, Field::Password);
    type_text(&mut s, "secret-pw");
    let effect = update(&mut s, key(KeyCode::Enter));
    assert_eq!(
        effect,
        Some(Effect::Authenticate {
            username: "Hantz123".into(),
            password: "secret-pw".into()
        })
    );
    assert!(
        s.password.is_empty(),
        "the password must not linger in the state"
    );
    assert_eq!(s.status, Status::Waiting);
    // Keys are ignored while the check runs.
    assert_eq!(update(&mut s, key(KeyCode::Char('x'))), None);
    assert_eq!(s.username, "Hantz123");
}

#[test]
fn after_a_database_error_the_form_starts_again_from_the_name() {
    for said in [
        Said::DatabaseTrouble("connection refused".into()),
        Said::DatabaseUnusable(crate::tui::Unusable::Damaged),
    ] {
        let mut s = state();
        let name_tab_password = |s: &mut State| {
            type_text(s, "Hantz123");
            assert_eq!(update(s, key(KeyCode::Tab)), None);
            type_text(s, "secret-pw");
        };
        name_tab_password(&mut s);
        assert!(update(&mut s, key(KeyCode::Enter)).is_some());
        let _ = update(&mut s, Msg::Failed(said));
        assert_eq!((s.username.as_str(), s.focus), ("", Field::Username));
        // Typed again from the start, the name is the name alone.
        name_tab_password(&mut s);
        assert_eq!(
            update(&mut s, key(KeyCode::Enter)),
            Some(Effect::Authenticate {
                username: "Hantz123".into(),
                password: "secret-pw".into()
            })
        );
    }
}

#[test]
fn an_empty_username_is_not_submitted() {
    let mut s = state();
    s.focus = Field::Password;
    type_text(&mut s, "pw");
    assert_eq!(update(&mut s, key(KeyCode::Enter)), None);
    assert_eq!(s.status, Status::Error(Said::TypeUsername));
    assert_eq!(s.focus, Field::Username);
}

#[test]
fn tab_moves_backspace_erases_esc_clears() {
    let mut s = state();
    type_text(&mut s, "abc");
    let _ = update(&mut s, key(KeyCode::Backspace));
    assert_eq!(s.username, "ab");
    let _ = update(&mut s, key(KeyCode::Tab));
    assert_eq!(s.focus, Field::Password);
    let _ = update(&mut s, key(KeyCode::Tab));
    assert_eq!(s.focus, Field::Username);
    let _ = update(&mut s, key(KeyCode::BackTab));
    assert_eq!(s.focus, Field::Password);
    type_text(&mut s, "pw");
    let _ = update(&mut s, key(KeyCode::Esc));
    assert_eq!(
        (s.username.as_str(), s.password.as_str(), s.focus),
        ("", "", Field::Username)
    );
}

#[test]
fn ctrl_c_quits() {
    let mut s = state();
    let ctrl_c = Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert_eq!(update(&mut s, ctrl_c), Some(Effect::Quit));
}

fn status_text(s: &State) -> String {
    match &s.status {
        Status::Error(said) | Status::Notice(said) => said.text(s.texts, s.tz),
        other => format!("{other:?}"),
    }
}

#[test]
fn a_refusal_says_one_thing_and_empties_the_form() {
    let mut s = state();
    type_text(&mut s, "Hantz123");
    let _ = update(&mut s, key(KeyCode::Tab));
    type_text(&mut s, "wrong");
    let _ = update(&mut s, key(KeyCode::Enter));
    let _ = update(&mut s, Msg::Refused(Refusal::Invalid));
    assert_eq!(status_text(&s), "Invalid username or password");
    assert_eq!(
        (s.username.as_str(), s.password.as_str(), s.focus),
        ("", "", Field::Username),
        "the next try starts in Username, so a password is not typed as a name"
    );
    let _ = update(
        &mut s,
        Msg::Refused(Refusal::Locked {
            until: NOW + 15 * 60_000,
        }),
    );
    assert_eq!(
        status_text(&s),
        "Too many failed attempts: locked until 09:30"
    );
}

#[test]
fn a_form_left_alone_is_emptied_for_the_next_person() {
    let mut s = state();
    let f2 = Msg::Key(KeyEvent::new(KeyCode::F(2), KeyModifiers::NONE));
    let _ = update(&mut s, f2);
    type_text(&mut s, "Hantz123");
    let _ = update(
        &mut s,
        Msg::Refused(Refusal::Locked {
            until: NOW + 60_000,
        }),
    );
    type_text(&mut s, "Hantz");
    let _ = update(&mut s, Msg::Tick(NOW + CLEAR_AFTER - 1));
    assert_eq!(s.username, "Hantz", "not while someone may still be there");
    let _ = update(&mut s, Msg::Tick(NOW + CLEAR_AFTER));
    assert_eq!(
        (s.username.as_str(), &s.status, s.texts.lang),
        ("", &Status::Prompt, crate::i18n::Lang::En)
    );
}

#[test]
fn f2_rewords_what_the_status_line_says() {
    let mut s = state();
    let _ = update(&mut s, Msg::Notice(Said::LoggedOut { lasted: 65_000 }));
    assert_eq!(status_text(&s), "Logged out. Session lasted 0:01:05");
    let _ = update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::F(2), KeyModifiers::NONE)),
    );
    assert_eq!(status_text(&s), "Déconnecté. Durée de la session : 0:01:05");
    s.reset(Some(Said::EndedByAdmin));
    assert_eq!(
        s.texts.lang,
        crate::i18n::Lang::En,
        "back to the terminal's own"
    );
    assert_eq!(
        status_text(&s),
        "Your session was ended by an administrator"
    );
}

#[test]
fn ctrl_c_can_be_taken_away_from_a_kiosk() {
    let mut s = state();
    s.quit_allowed = false;
    let ctrl_c = Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert_eq!(update(&mut s, ctrl_c), None);
    assert!(!render(&s, 80, 24).contains("Ctrl-C"));
}

#[test]
fn a_password_to_change_is_asked_twice() {
    let mut s = state();
    let _ = update(&mut s, Msg::MustChangePassword(clerk()));
    assert_eq!(s.focus, Field::Password);
    type_text(&mut s, "new-password");
    let _ = update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.focus, Field::Repeat);
    type_text(&mut s, "new-passwort");
    assert_eq!(update(&mut s, key(KeyCode::Enter)), None);
    assert_eq!(s.status, Status::Error(Said::PasswordsDiffer));
    assert!(s.password.is_empty() && s.repeat.is_empty());
    type_text(&mut s, "new-password");
    let _ = update(&mut s, key(KeyCode::Tab));
    type_text(&mut s, "new-password");
    assert_eq!(
        update(&mut s, key(KeyCode::Enter)),
        Some(Effect::ChangePassword {
            user: clerk(),
            password: "new-password".into()
        })
    );
}

#[test]
fn esc_abandons_a_password_change() {
    let mut s = state();
    let _ = update(&mut s, Msg::MustChangePassword(clerk()));
    let _ = update(&mut s, key(KeyCode::Esc));
    assert_eq!(s.form, Form::Credentials);
}

fn render(state: &State, width: u16, height: u16) -> String {
    crate::tui::render_to_text(state, width, height)
}

#[test]
fn snapshot_login_80x24() {
    let mut s = state();
    type_text(&mut s, "Hantz123");
    let _ = update(&mut s, key(KeyCode::Tab));
    type_text(&mut s, "secret");
    insta::assert_snapshot!(render(&s, 80, 24));
}

#[test]
fn snapshot_login_refused_40x12() {
    let mut s = state();
    type_text(&mut s, "Hantz123");
    let _ = update(&mut s, Msg::Refused(Refusal::Invalid));
    insta::assert_snapshot!(render(&s, 40, 12));
}

#[test]
fn snapshot_new_password_80x24() {
    let mut s = state();
    let _ = update(&mut s, Msg::MustChangePassword(clerk()));
    insta::assert_snapshot!(render(&s, 80, 24));
}

#[test]
fn f2_switches_the_language_for_the_next_person() {
    let mut s = state();
    let f2 = || Msg::Key(KeyEvent::new(KeyCode::F(2), KeyModifiers::NONE));
    let _ = update(&mut s, f2());
    assert_eq!(s.texts.lang, crate::i18n::Lang::Fr);
    let _ = update(&mut s, f2());
    assert_eq!(s.texts.lang, crate::i18n::Lang::Ht);
    let _ = update(&mut s, Msg::Refused(Refusal::Invalid));
    assert_eq!(status_text(&s), "Non itilizatè oswa modpas la pa bon");
    let _ = update(&mut s, f2());
    assert_eq!(s.texts.lang, crate::i18n::Lang::En);
}

fn in_language(lang: crate::i18n::Lang) -> State {
    let mut s = state();
    s.texts = lang.texts();
    type_text(&mut s, "Hantz123");
    let _ = update(
        &mut s,
        Msg::Refused(Refusal::Locked {
            until: NOW + 15 * 60_000,
        }),
    );
    s
}

#[test]
fn snapshots_in_every_language_at_80x24_and_40x12() {
    for lang in crate::i18n::Lang::ALL {
        for (width, height) in [(80, 24), (40, 12)] {
            let name = format!("login_{lang:?}_{width}x{height}").to_lowercase();
            insta::assert_snapshot!(name, render(&in_language(lang), width, height));
        }
    }
}

#[test]
fn below_the_minimum_it_says_so() {
    let screen = render(&state(), 30, 8);
    assert!(screen.contains("Terminal too small"), "{screen}");
}

#[test]
fn the_password_never_reaches_the_screen() {
    let mut s = state();
    let _ = update(&mut s, key(KeyCode::Tab));
    type_text(&mut s, "hunter22");
    let screen = render(&s, 80, 24);
    assert!(!screen.contains("hunter22"));
    assert!(screen.contains("••••••••"));
}

#[test]
fn a_database_that_can_take_no_login_says_so_but_not_over_a_login_under_way() {
    let damaged = crate::tui::DbStatus {
        link: crate::tui::DbLink::Answering,
        unusable: Some(crate::tui::Unusable::Damaged),
    };
    let mut s = state();
    type_text(&mut s, "Hantz123");
    let _ = update(&mut s, key(KeyCode::Enter));
    type_text(&mut s, "secret-pw");
    let _ = update(&mut s, key(KeyCode::Enter));
    let _ = update(&mut s, Msg::Database(damaged));
    assert_eq!(s.status, Status::Waiting);

    let mut s = state();
    let _ = update(&mut s, Msg::Database(damaged));
    assert_eq!(
        s.status,
        Status::Error(Said::DatabaseUnusable(crate::tui::Unusable::Damaged))
    );
    assert!(render(&s, 80, 24).contains("The database is damaged"));
}

#[test]
fn a_server_out_of_reach_is_said_while_a_login_waits() {
    let mut s = state();
    type_text(&mut s, "Hantz123");
    let _ = update(&mut s, key(KeyCode::Enter));
    type_text(&mut s, "secret-pw");
    let _ = update(&mut s, key(KeyCode::Enter));
    let _ = update(
        &mut s,
        Msg::Database(crate::tui::DbStatus {
            link: crate::tui::DbLink::Unreachable,
            unusable: None,
        }),
    );
    assert!(render(&s, 80, 24).contains(EN.db_reconnecting));
}
