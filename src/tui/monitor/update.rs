//! The monitor's state machine: a key, a snapshot loaded or a tick in, the state
//! changed and an effect out (a load, an end, leaving).

use super::correct;
use super::keys::{Action, KEYS, Step, confirming, correcting, in_help, main_view, typing_filter};
use super::*;

#[must_use]
pub fn update(state: &mut State, msg: Msg) -> Option<Effect> {
    match msg {
        Msg::Tick(now) => {
            state.now = now;
            None
        }
        Msg::Database(status) => {
            state.db = status;
            None
        }
        Msg::IdleLeft(left) => {
            state.idle_left = left;
            None
        }
        Msg::Resize(width, height) => {
            state.width = width;
            state.height = height;
            state.reload()
        }
        Msg::Loaded(snapshot) => on_loaded(state, snapshot),
        Msg::HistoryLoaded(history) => {
            state.history_selected = state
                .history_selected
                .min(history.sessions.len().saturating_sub(1));
            state.overlay = Overlay::History(history);
            None
        }
        Msg::Said(text) => {
            state.message = Some(text);
            None
        }
        Msg::Key(key) => on_key(state, key),
    }
}

fn on_loaded(state: &mut State, snapshot: Snapshot) -> Option<Effect> {
    let old = &state.snapshot;
    let changed = old.counts != snapshot.counts
        || old
            .online
            .iter()
            .map(|s| s.id)
            .ne(snapshot.online.iter().map(|s| s.id))
        || old.offline.first().map(|s| s.id) != snapshot.offline.first().map(|s| s.id);
    if changed {
        state.pulse_until = state.now + PULSE;
    }
    let asked = state.query();
    if let Some(timeline) = &snapshot.timeline {
        state.today_offset = timeline.offset;
        state.today_selected = state.today_selected.clamp(
            timeline.offset,
            timeline.total.saturating_sub(1).max(timeline.offset),
        );
    }
    state.snapshot = snapshot;
    follow_selection(state);
    // The panes are sized by what they show: if a pane grew past the rows that were
    // loaded, one more load fills it.
    let now_shown = state.query();
    let grew = now_shown.users_rows > asked.users_rows || now_shown.online_rows > asked.online_rows;
    grew.then_some(Effect::Load(now_shown))
}

/// Puts each cursor back on the person it was on, wherever the load moved them.
fn follow_selection(state: &mut State) {
    let snapshot = &state.snapshot;
    let users = &snapshot.users.rows;
    let found = state
        .users_selected_name
        .as_ref()
        .and_then(|name| users.iter().position(|l| &l.summary.user.username == name));
    state.users_selected = found.unwrap_or(state.users_selected);
    state.users_selected = state.users_selected.min(users.len().saturating_sub(1));

    state.online_offset = snapshot.online_offset;
    let found = state
        .online_selected_id
        .and_then(|id| snapshot.online.iter().position(|s| s.id == id));
    state.online_selected = match found {
        Some(index) => snapshot.online_offset + index,
        None => state
            .online_selected
            .min(snapshot.online_total.saturating_sub(1)),
    };

    // The newest end is at the top and stays in view: the cursor keeps to its person
    // only once the admin has moved it down on purpose.
    let found = state
        .offline_selected_id
        .filter(|_| state.offline_selected > 0)
        .and_then(|id| snapshot.offline.iter().position(|s| s.id == id));
    state.offline_selected = found
        .unwrap_or(state.offline_selected)
        .min(snapshot.offline.len().saturating_sub(1));
    state.remember_selection();
}

fn on_key(state: &mut State, key: KeyEvent) -> Option<Effect> {
    let Some(action) = action_of(KEYS, state, &key) else {
        return on_other_key(state, key);
    };
    if main_view(state) {
        state.message = None;
    }
    match action {
        Action::Quit if state.confirm_quit.is_some() => {
            state.overlay = Overlay::ConfirmQuit;
            None
        }
        Action::Quit => Some(Effect::Quit),
        Action::NextPane | Action::PreviousPane => {
            state.focus = state.focus.next(action == Action::NextPane);
            state.reload()
        }
        Action::Help => {
            state.overlay = Overlay::Help;
            state.help_scroll = 0;
            None
        }
        Action::Filter => {
            state.editing_filter = true;
            None
        }
        Action::KeepFilter => {
            state.editing_filter = false;
            None
        }
        Action::ClearFilter => {
            state.editing_filter = false;
            state.filter.clear();
            filter_changed(state)
        }
        Action::FilterBackspace => {
            state.filter.pop();
            filter_changed(state)
        }
        Action::Sort => {
            state.sort = state.sort.next();
            to_top(state);
            state.reload()
        }
        Action::EndSession => {
            let session = state.selected_online()?.clone();
            let own = state.own_session == Some(session.id);
            state.overlay = Overlay::Confirm(Box::new(ToEnd {
                session,
                own,
                asked_again: false,
            }));
            None
        }
        Action::Yes => answer_yes(state),
        Action::Back if correcting(state) => {
            if let Overlay::Correct(form) = std::mem::replace(&mut state.overlay, Overlay::None) {
                state.overlay = Overlay::History(form.history);
            }
            None
        }
        Action::No | Action::Back => {
            state.overlay = Overlay::None;
            None
        }
        Action::CorrectEnd => correct::open(state, false),
        Action::Void => correct::open(state, true),
        Action::Submit => correct::submit(state),
        Action::NextField | Action::FormBackspace => {
            if let Overlay::Correct(form) = &mut state.overlay {
                if action == Action::NextField {
                    form.next_field();
                } else {
                    form.backspace();
                }
            }
            None
        }
        Action::Today => {
            state.view = match state.view {
                View::Panes => View::Today,
                View::Today => View::Panes,
            };
            (state.today_offset, state.today_selected) = (0, 0);
            state.reload()
        }
        Action::History => {
            let user_id = state.selected_user_id()?;
            Some(Effect::OpenHistory {
                user_id,
                offset: 0,
                rows: history_rows(state.height),
            })
        }
        Action::Move(step) => match &state.overlay {
            Overlay::History(history) => scroll_history(state, &history.clone(), step),
            Overlay::Help => {
                let (total, visible) = state.help_lines();
                let last = usize::from(total.saturating_sub(visible));
                state.help_scroll = moved(usize::from(state.help_scroll), step, 1, last + 1) as u16;
                None
            }
            _ if state.view == View::Today => scroll_today(state, step),
            _ => scroll(state, step),
        },
    }
}

/// A key that no binding takes: typed into the filter; it closes the help, and answers
/// no to a question.
fn on_other_key(state: &mut State, key: KeyEvent) -> Option<Effect> {
    if let Overlay::Correct(form) = &mut state.overlay {
        if let KeyCode::Char(c) = key.code
            && !key.modifiers.contains(KeyModifiers::CONTROL)
        {
            form.type_char(c);
        }
        return None;
    }
    if typing_filter(state) {
        if let KeyCode::Char(c) = key.code
            && !key.modifiers.contains(KeyModifiers::CONTROL)
        {
            state.filter.push(c);
            return filter_changed(state);
        }
        return None;
    }
    if in_help(state) || confirming(state) {
        state.overlay = Overlay::None;
    }
    None
}

fn answer_yes(state: &mut State) -> Option<Effect> {
    match std::mem::replace(&mut state.overlay, Overlay::None) {
        Overlay::ConfirmQuit => Some(Effect::Quit),
        Overlay::Confirm(mut to_end) if to_end.own && !to_end.asked_again => {
            to_end.asked_again = true;
            state.overlay = Overlay::Confirm(to_end);
            None
        }
        Overlay::Confirm(to_end) => Some(Effect::EndSession {
            session_id: to_end.session.id,
        }),
        other => {
            state.overlay = other;
            None
        }
    }
}

fn filter_changed(state: &mut State) -> Option<Effect> {
    to_top(state);
    state.reload()
}

/// Back to the first row of every pane (the filter or the sort changed).
fn to_top(state: &mut State) {
    state.users_anchor = UsersAnchor::Start;
    state.users_selected = 0;
    state.users_selected_name = None;
    state.online_offset = 0;
    state.online_selected = 0;
    state.online_selected_id = None;
    state.offline_selected = 0;
    state.offline_selected_id = None;
}

/// The movement keys, in the focused pane.
fn scroll(state: &mut State, step: Step) -> Option<Effect> {
    let rows = state.visible_rows();
    let effect = match state.focus {
        Pane::Users => scroll_users(state, step, rows[0].max(1)),
        Pane::Online => scroll_online(state, step, rows[1].max(1)),
        Pane::Offline => {
            state.offline_selected = moved(
                state.offline_selected,
                step,
                rows[2].max(1),
                state.snapshot.offline.len(),
            );
            None
        }
    };
    if effect.is_none() {
        state.remember_selection();
    }
    effect
}

fn scroll_today(state: &mut State, step: Step) -> Option<Effect> {
    let total = state.snapshot.timeline.as_ref().map_or(0, |t| t.total);
    let page = state.today_rows();
    state.today_selected = moved(state.today_selected, step, page, total);
    let offset = visible_offset(state.today_selected, state.today_offset, page);
    if offset == state.today_offset {
        return None;
    }
    state.today_offset = offset;
    state.reload()
}

fn scroll_online(state: &mut State, step: Step, page: usize) -> Option<Effect> {
    let offset = state.online_offset;
    state.online_selected = moved(
        state.online_selected,
        step,
        page,
        state.snapshot.online_total,
    );
    state.online_offset = visible_offset(state.online_selected, offset, page);
    if state.online_offset == offset {
        return None;
    }
    // The session now selected is on a page not loaded yet: found by its position.
    state.online_selected_id = None;
    state.reload()
}

/// The selection after a movement key, in a list of `total` rows with `page` visible.
fn moved(selected: usize, step: Step, page: usize, total: usize) -> usize {
    let last = total.saturating_sub(1);
    match step {
        Step::Down => (selected + 1).min(last),
        Step::Up => selected.saturating_sub(1),
        Step::PageDown => (selected + page).min(last),
        Step::PageUp => selected.saturating_sub(page),
        Step::Home => 0,
        Step::End => last,
    }
}

/// The first visible row, moved just enough to keep `selected` in view.
pub(super) fn visible_offset(selected: usize, offset: usize, page: usize) -> usize {
    if selected < offset {
        selected
    } else if selected >= offset + page {
        selected + 1 - page
    } else {
        offset
    }
}

/// The users pane holds one page; moving past its edges asks for the page before or
/// after, by key, with the cursor on the row it moves to.
fn scroll_users(state: &mut State, step: Step, page: usize) -> Option<Effect> {
    let rows = &state.snapshot.users.rows;
    let shown = rows.len().min(page);
    let selected = state.users_selected;
    let first_key = rows.first().map(UserLine::key);
    let next = rows
        .get(page)
        .map(UserLine::key)
        .or(state.snapshot.users.next.clone());
    let anchor = match step {
        Step::Down if selected + 1 < shown => {
            state.users_selected += 1;
            return None;
        }
        Step::Down => next
            .and(rows.get(1).map(UserLine::key))
            .map(UsersAnchor::From),
        Step::Up if selected > 0 => {
            state.users_selected -= 1;
            return None;
        }
        Step::Up => first_key.map(|from| UsersAnchor::Back { from, rows: 1 }),
        Step::PageDown => match next {
            Some(key) => Some(UsersAnchor::From(key)),
            None => {
                state.users_selected = shown.saturating_sub(1);
                return None;
            }
        },
        Step::PageUp => first_key.map(|from| UsersAnchor::Back { from, rows: page }),
        Step::Home => {
            state.users_selected = 0;
            Some(UsersAnchor::Start)
        }
        Step::End => {
            state.users_selected = page.saturating_sub(1);
            Some(UsersAnchor::End)
        }
    }?;
    // The cursor stays on its screen row; the person under it is found after the load.
    state.users_selected_name = None;
    state.users_anchor = anchor;
    state.reload()
}

/// The sessions a user's history shows: the screen but its borders, its header and the
/// hint bar.
pub(super) fn history_rows(height: u16) -> usize {
    usize::from(height.saturating_sub(4)).max(1)
}

fn scroll_history(state: &mut State, history: &History, step: Step) -> Option<Effect> {
    let rows = history_rows(state.height);
    let shown = history.sessions.len();
    let full = shown == rows;
    // The cursor moves within the page; past its edge, the page moves.
    let offset = match step {
        Step::Down if state.history_selected + 1 < shown => {
            state.history_selected += 1;
            return None;
        }
        Step::Up if state.history_selected > 0 => {
            state.history_selected -= 1;
            return None;
        }
        Step::Down if full => history.offset + 1,
        Step::PageDown if full => history.offset + rows,
        Step::Up => history.offset.saturating_sub(1),
        Step::PageUp => history.offset.saturating_sub(rows),
        Step::Home => {
            state.history_selected = 0;
            0
        }
        _ => return None,
    };
    (offset != history.offset).then_some(Effect::OpenHistory {
        user_id: history.user_id,
        offset,
        rows,
    })
}
