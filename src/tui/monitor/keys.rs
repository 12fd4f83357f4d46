//! The monitor's keys: what each does, in which state (`KEYS`), shown as hints and
//! as the help's list.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Action {
    NextPane,
    PreviousPane,
    Move(Step),
    Filter,
    Sort,
    History,
    Today,
    EndSession,
    Help,
    ClearFilter,
    Quit,
    KeepFilter,
    FilterBackspace,
    Yes,
    No,
    Back,
    CorrectEnd,
    Void,
    NextField,
    Submit,
    FormBackspace,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Step {
    Down,
    Up,
    PageDown,
    PageUp,
    Home,
    End,
}

/// Nothing over the body, and no filter being typed: the panes or the timeline.
pub(super) fn browsing(s: &State) -> bool {
    s.overlay == Overlay::None && !s.editing_filter
}

pub(super) fn main_view(s: &State) -> bool {
    browsing(s) && s.view == View::Panes
}

pub(super) fn in_today(s: &State) -> bool {
    browsing(s) && s.view == View::Today
}

pub(super) fn main_online(s: &State) -> bool {
    main_view(s) && s.focus == Pane::Online
}

pub(super) fn main_filtered(s: &State) -> bool {
    main_view(s) && !s.filter.is_empty()
}

pub(super) fn main_unfiltered(s: &State) -> bool {
    main_view(s) && s.filter.is_empty()
}

pub(super) fn typing_filter(s: &State) -> bool {
    s.overlay == Overlay::None && s.editing_filter
}

pub(super) fn in_history(s: &State) -> bool {
    matches!(s.overlay, Overlay::History(_))
}

pub(super) fn correcting(s: &State) -> bool {
    matches!(s.overlay, Overlay::Correct(_))
}

pub(super) fn in_help(s: &State) -> bool {
    s.overlay == Overlay::Help
}

/// An overlay the arrows scroll: a user's history, the help taller than the terminal.
pub(super) fn scrolls_an_overlay(s: &State) -> bool {
    in_history(s) || (in_help(s) && s.help_overflows())
}

pub(super) fn confirming(s: &State) -> bool {
    matches!(s.overlay, Overlay::Confirm(_) | Overlay::ConfirmQuit)
}

pub(super) fn confirming_en(s: &State) -> bool {
    confirming(s) && s.texts.lang == Lang::En
}

pub(super) fn confirming_fr(s: &State) -> bool {
    confirming(s) && s.texts.lang == Lang::Fr
}

pub(super) fn confirming_ht(s: &State) -> bool {
    confirming(s) && s.texts.lang == Lang::Ht
}

pub(super) const fn key(code: KeyCode) -> Key {
    Key::plain(code)
}

pub(super) const fn letter(c: char) -> Key {
    Key::plain(KeyCode::Char(c))
}

/// Every key of the monitor, in the order of the hint bar: what `on_key` does, what the
/// hint bar shows (in the view where it applies) and what the help lists.
pub(super) const KEYS: &[Binding<State, Action>] = &[
    // The panes.
    Binding {
        keys: &[key(KeyCode::Tab)],
        shown: "Tab",
        hint: Some(|t| t.key_pane),
        help: Some(|t| t.help_pane),
        essential: false,
        when: main_view,
        action: Action::NextPane,
    },
    Binding {
        keys: &[key(KeyCode::BackTab)],
        shown: "Shift-Tab",
        hint: None,
        help: None,
        essential: false,
        when: main_view,
        action: Action::PreviousPane,
    },
    Binding {
        keys: &[key(KeyCode::Down), letter('j')],
        shown: "↑↓",
        hint: Some(|t| t.key_scroll),
        help: Some(|t| t.help_move),
        essential: false,
        when: browsing,
        action: Action::Move(Step::Down),
    },
    Binding {
        keys: &[key(KeyCode::Up), letter('k')],
        shown: "↑ k",
        hint: None,
        help: None,
        essential: false,
        when: browsing,
        action: Action::Move(Step::Up),
    },
    Binding {
        keys: &[key(KeyCode::PageDown)],
        shown: "PgUp PgDn",
        hint: None,
        help: Some(|t| t.help_scroll),
        essential: false,
        when: browsing,
        action: Action::Move(Step::PageDown),
    },
    Binding {
        keys: &[key(KeyCode::PageUp)],
        shown: "PgUp",
        hint: None,
        help: None,
        essential: false,
        when: browsing,
        action: Action::Move(Step::PageUp),
    },
    Binding {
        keys: &[key(KeyCode::Home), letter('g')],
        shown: "Home End",
        hint: None,
        help: Some(|t| t.help_first_last),
        essential: false,
        when: browsing,
        action: Action::Move(Step::Home),
    },
    Binding {
        keys: &[key(KeyCode::End), letter('G')],
        shown: "End G",
        hint: None,
        help: None,
        essential: false,
        when: browsing,
        action: Action::Move(Step::End),
    },
    Binding {
        keys: &[letter('e')],
        shown: "e",
        hint: Some(|t| t.key_end),
        help: Some(|t| t.help_end),
        essential: false,
        when: main_online,
        action: Action::EndSession,
    },
    Binding {
        keys: &[key(KeyCode::Enter)],
        shown: "Enter",
        hint: Some(|t| t.key_history),
        help: Some(|t| t.help_history),
        essential: false,
        when: browsing,
        action: Action::History,
    },
    Binding {
        keys: &[letter('/')],
        shown: "/",
        hint: Some(|t| t.key_filter),
        help: Some(|t| t.help_filter),
        essential: false,
        when: browsing,
        action: Action::Filter,
    },
    Binding {
        keys: &[letter('s')],
        shown: "s",
        hint: Some(|t| t.key_sort),
        help: Some(|t| t.help_sort),
        essential: false,
        when: main_view,
        action: Action::Sort,
    },
    Binding {
        keys: &[letter('t')],
        shown: "t",
        hint: Some(|t| t.key_today),
        help: Some(|t| t.help_today),
        essential: false,
        when: main_view,
        action: Action::Today,
    },
    Binding {
        keys: &[letter('?')],
        shown: "?",
        hint: Some(|t| t.key_help),
        help: Some(|t| t.help_help),
        essential: true,
        when: browsing,
        action: Action::Help,
    },
    // Esc clears a kept filter first; then it leaves, as q does.
    Binding {
        keys: &[key(KeyCode::Esc)],
        shown: "Esc",
        hint: Some(|t| t.key_clear_filter),
        help: None,
        essential: true,
        when: main_filtered,
        action: Action::ClearFilter,
    },
    Binding {
        keys: &[letter('q')],
        shown: "q",
        hint: Some(|t| t.key_quit),
        help: Some(|t| t.help_quit),
        essential: true,
        when: main_view,
        action: Action::Quit,
    },
    Binding {
        keys: &[key(KeyCode::Esc)],
        shown: "Esc",
        hint: None,
        help: None,
        essential: false,
        when: main_unfiltered,
        action: Action::Quit,
    },
    Binding {
        keys: &[letter('q'), key(KeyCode::Esc), letter('t')],
        shown: "q",
        hint: Some(|t| t.key_back),
        help: None,
        essential: true,
        when: in_today,
        action: Action::Today,
    },
    Binding {
        keys: &[Key(KeyCode::Char('c'), KeyModifiers::CONTROL)],
        shown: "Ctrl-C",
        hint: None,
        help: None,
        essential: false,
        when: browsing,
        action: Action::Quit,
    },
    // Typing a filter.
    Binding {
        keys: &[key(KeyCode::Enter)],
        shown: "Enter",
        hint: Some(|t| t.key_keep_filter),
        help: None,
        essential: true,
        when: typing_filter,
        action: Action::KeepFilter,
    },
    Binding {
        keys: &[key(KeyCode::Esc)],
        shown: "Esc",
        hint: Some(|t| t.key_clear_filter),
        help: None,
        essential: true,
        when: typing_filter,
        action: Action::ClearFilter,
    },
    Binding {
        keys: &[key(KeyCode::Backspace)],
        shown: "Backspace",
        hint: None,
        help: None,
        essential: false,
        when: typing_filter,
        action: Action::FilterBackspace,
    },
    // A question: the language's own letter for yes, and y in every language.
    Binding {
        keys: &[letter('y'), letter('Y')],
        shown: "y",
        hint: Some(|t| t.key_yes),
        help: None,
        essential: true,
        when: confirming_en,
        action: Action::Yes,
    },
    Binding {
        keys: &[letter('o'), letter('O'), letter('y'), letter('Y')],
        shown: "o",
        hint: Some(|t| t.key_yes),
        help: None,
        essential: true,
        when: confirming_fr,
        action: Action::Yes,
    },
    Binding {
        keys: &[letter('w'), letter('W'), letter('y'), letter('Y')],
        shown: "w",
        hint: Some(|t| t.key_yes),
        help: None,
        essential: true,
        when: confirming_ht,
        action: Action::Yes,
    },
    Binding {
        keys: &[letter('n'), letter('N'), key(KeyCode::Esc)],
        shown: "n",
        hint: Some(|t| t.key_no),
        help: None,
        essential: true,
        when: confirming,
        action: Action::No,
    },
    // A user's history, and the help where it is taller than the terminal.
    Binding {
        keys: &[key(KeyCode::Down), letter('j')],
        shown: "↑↓",
        hint: Some(|t| t.key_scroll),
        help: None,
        essential: false,
        when: scrolls_an_overlay,
        action: Action::Move(Step::Down),
    },
    Binding {
        keys: &[key(KeyCode::Up), letter('k')],
        shown: "↑",
        hint: None,
        help: None,
        essential: false,
        when: scrolls_an_overlay,
        action: Action::Move(Step::Up),
    },
    Binding {
        keys: &[key(KeyCode::PageDown)],
        shown: "PgDn",
        hint: None,
        help: None,
        essential: false,
        when: in_history,
        action: Action::Move(Step::PageDown),
    },
    Binding {
        keys: &[key(KeyCode::PageUp)],
        shown: "PgUp",
        hint: None,
        help: None,
        essential: false,
        when: in_history,
        action: Action::Move(Step::PageUp),
    },
    Binding {
        keys: &[key(KeyCode::Home), letter('g')],
        shown: "Home",
        hint: None,
        help: None,
        essential: false,
        when: in_history,
        action: Action::Move(Step::Home),
    },
    Binding {
        keys: &[letter('e')],
        shown: "e",
        hint: Some(|t| t.key_correct_end),
        help: None,
        essential: false,
        when: in_history,
        action: Action::CorrectEnd,
    },
    Binding {
        keys: &[letter('v')],
        shown: "v",
        hint: Some(|t| t.key_void),
        help: None,
        essential: false,
        when: in_history,
        action: Action::Void,
    },
    Binding {
        keys: &[letter('q'), key(KeyCode::Esc), key(KeyCode::Enter)],
        shown: "q",
        hint: Some(|t| t.key_back),
        help: None,
        essential: true,
        when: in_history,
        action: Action::Back,
    },
    // The correction form: what is typed goes into its field.
    Binding {
        keys: &[key(KeyCode::Enter)],
        shown: "Enter",
        hint: Some(|t| t.key_save),
        help: None,
        essential: true,
        when: correcting,
        action: Action::Submit,
    },
    Binding {
        keys: &[key(KeyCode::Tab)],
        shown: "Tab",
        hint: Some(|t| t.key_next_field),
        help: None,
        essential: false,
        when: correcting,
        action: Action::NextField,
    },
    Binding {
        keys: &[key(KeyCode::Backspace)],
        shown: "Backspace",
        hint: None,
        help: None,
        essential: false,
        when: correcting,
        action: Action::FormBackspace,
    },
    Binding {
        keys: &[key(KeyCode::Esc)],
        shown: "Esc",
        hint: Some(|t| t.key_back),
        help: None,
        essential: true,
        when: correcting,
        action: Action::Back,
    },
    // The help: ↑↓ scroll it where it is taller than the terminal (the bindings of the
    // history); any other key closes it; these are the ones it names.
    Binding {
        keys: &[letter('?'), letter('q'), key(KeyCode::Esc)],
        shown: "? q",
        hint: Some(|t| t.key_back),
        help: None,
        essential: true,
        when: in_help,
        action: Action::Back,
    },
];
