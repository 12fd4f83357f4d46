//! The admin's live monitor: a header card (people online out of all, sessions, a pulse
//! on each change, the clock) and three panes: all users, online now, recently offline.
//! The station loads what the panes show into an immutable `Snapshot`; this screen only
//! moves through it and says what to load next. The selection follows a person, not a
//! row number: rows come and go under it as people log in and out.

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Alignment, Constraint, Flex, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Cell, Clear, Paragraph, Row, Table, Widget, Wrap};

use super::{Binding, Key, Theme, action_of, help_of, hints_of, key_hints, pad_to, shown};
use super::{render_too_small, session::idle_warning};
use crate::clock::{Zone, format_in};
use crate::db::{History, PaneSort, Query, Snapshot, UsersAnchor};
use crate::i18n::{Lang, Texts, fill};
use crate::model::{Millis, SessionLine, UserLine};
use unicode_width::UnicodeWidthStr;

/// The cells of the longest day's bar in a user's history.
const DAY_BAR: usize = 10;
/// How long the pulse stays lit after a change.
const PULSE: Millis = 1_500;
/// Below this height the panes take turns on screen instead of being stacked.
const STACKED_MIN_HEIGHT: u16 = 24;
/// A pane's borders and its table's header.
const PANE_FRAME: u16 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Users,
    Online,
    Offline,
}

impl Pane {
    const ALL: [Pane; 3] = [Pane::Users, Pane::Online, Pane::Offline];

    fn next(self, forward: bool) -> Pane {
        let at = Pane::ALL.iter().position(|p| *p == self).unwrap_or(0);
        Pane::ALL[(at + if forward { 1 } else { 2 }) % 3]
    }

    fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
}

/// The session an admin is about to end, as the confirmation names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToEnd {
    pub session: SessionLine,
    /// The admin's own session: ending it closes the monitor, so it is asked twice.
    pub own: bool,
    /// The own session's second question is on screen.
    pub asked_again: bool,
}

/// What the body of the monitor shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Panes,
    /// The day's timeline.
    Today,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help,
    Confirm(ToEnd),
    /// Leaving the demo removes its database: asked first.
    ConfirmQuit,
    History(History),
}

pub struct State {
    pub snapshot: Snapshot,
    pub focus: Pane,
    pub sort: PaneSort,
    pub filter: String,
    /// The filter is being typed (else it is kept, if not empty).
    pub editing_filter: bool,
    /// Where the next load starts the users page.
    pub users_anchor: UsersAnchor,
    /// The selected row of the users page, and who is on it.
    pub users_selected: usize,
    pub users_selected_name: Option<String>,
    /// The first open session shown, and the selected one: its position and its id.
    pub online_offset: usize,
    pub online_selected: usize,
    pub online_selected_id: Option<i64>,
    pub offline_selected: usize,
    pub offline_selected_id: Option<i64>,
    pub view: View,
    /// The day's timeline: its first person shown, and the selected one.
    pub today_offset: usize,
    pub today_selected: usize,
    /// The first line of the help shown, when it is taller than the terminal.
    pub help_scroll: u16,
    pub overlay: Overlay,
    pub width: u16,
    pub height: u16,
    pub now: Millis,
    pub tz: Zone,
    pub pulse_until: Millis,
    pub admin: String,
    /// The admin's own session, which `e` asks twice about.
    pub own_session: Option<i64>,
    pub host: String,
    /// The demo's banner: what it is and how to log in to it.
    pub banner: Option<String>,
    pub confirm_quit: Option<Leaving>,
    pub message: Option<String>,
    /// The time left before the admin's session ends for inactivity, in its last minute.
    pub idle_left: Option<Millis>,
    /// Whether the database answers, waits, or cannot be reached.
    pub db_link: super::DbLink,
    /// The database can take no more logins (its file replaced, or damaged).
    pub db_unusable: Option<super::Unusable>,
    pub theme: Theme,
    pub texts: &'static Texts,
}

/// What leaving the demo does to its database, which the question to leave says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaving {
    /// A temporary database, removed with the demo.
    DatabaseRemoved,
    /// A database given with --db: kept.
    DatabaseKept,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    Key(KeyEvent),
    Tick(Millis),
    Resize(u16, u16),
    Loaded(Snapshot),
    HistoryLoaded(History),
    /// The outcome of ending a session, to tell the admin.
    Said(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Load(Query),
    EndSession {
        session_id: i64,
    },
    OpenHistory {
        user_id: i64,
        offset: usize,
        rows: usize,
    },
    Quit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Down,
    Up,
    PageDown,
    PageUp,
    Home,
    End,
}

/// Nothing over the body, and no filter being typed: the panes or the timeline.
fn browsing(s: &State) -> bool {
    s.overlay == Overlay::None && !s.editing_filter
}

fn main_view(s: &State) -> bool {
    browsing(s) && s.view == View::Panes
}

fn in_today(s: &State) -> bool {
    browsing(s) && s.view == View::Today
}

fn main_online(s: &State) -> bool {
    main_view(s) && s.focus == Pane::Online
}

fn main_filtered(s: &State) -> bool {
    main_view(s) && !s.filter.is_empty()
}

fn main_unfiltered(s: &State) -> bool {
    main_view(s) && s.filter.is_empty()
}

fn typing_filter(s: &State) -> bool {
    s.overlay == Overlay::None && s.editing_filter
}

fn in_history(s: &State) -> bool {
    matches!(s.overlay, Overlay::History(_))
}

fn in_help(s: &State) -> bool {
    s.overlay == Overlay::Help
}

/// An overlay the arrows scroll: a user's history, the help taller than the terminal.
fn scrolls_an_overlay(s: &State) -> bool {
    in_history(s) || (in_help(s) && s.help_overflows())
}

fn confirming(s: &State) -> bool {
    matches!(s.overlay, Overlay::Confirm(_) | Overlay::ConfirmQuit)
}

fn confirming_en(s: &State) -> bool {
    confirming(s) && s.texts.lang == Lang::En
}

fn confirming_fr(s: &State) -> bool {
    confirming(s) && s.texts.lang == Lang::Fr
}

fn confirming_ht(s: &State) -> bool {
    confirming(s) && s.texts.lang == Lang::Ht
}

const fn key(code: KeyCode) -> Key {
    Key::plain(code)
}

const fn letter(c: char) -> Key {
    Key::plain(KeyCode::Char(c))
}

/// Every key of the monitor, in the order of the hint bar: what `on_key` does, what the
/// hint bar shows (in the view where it applies) and what the help lists.
const KEYS: &[Binding<State, Action>] = &[
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
        keys: &[letter('q'), key(KeyCode::Esc), key(KeyCode::Enter)],
        shown: "q",
        hint: Some(|t| t.key_back),
        help: None,
        essential: true,
        when: in_history,
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

impl State {
    pub fn new(
        admin: String,
        host: String,
        now: Millis,
        tz: Zone,
        theme: Theme,
        texts: &'static Texts,
    ) -> State {
        State {
            snapshot: Snapshot::default(),
            focus: Pane::Users,
            sort: PaneSort::Name,
            filter: String::new(),
            editing_filter: false,
            users_anchor: UsersAnchor::Start,
            users_selected: 0,
            users_selected_name: None,
            online_offset: 0,
            online_selected: 0,
            online_selected_id: None,
            offline_selected: 0,
            offline_selected_id: None,
            view: View::Panes,
            today_offset: 0,
            today_selected: 0,
            help_scroll: 0,
            overlay: Overlay::None,
            width: 120,
            height: 40,
            now,
            tz,
            pulse_until: 0,
            admin,
            own_session: None,
            host,
            banner: None,
            confirm_quit: None,
            message: None,
            idle_left: None,
            db_link: super::DbLink::Answering,
            db_unusable: None,
            theme,
            texts,
        }
    }

    /// What to load for the screen as it is now.
    pub fn query(&self) -> Query {
        let [users_rows, online_rows, _] = self.visible_rows();
        Query {
            sort: self.sort,
            filter: Some(self.filter.trim().to_string()).filter(|f| !f.is_empty()),
            users_anchor: self.users_anchor.clone(),
            users_rows: users_rows.max(1),
            online_selected: self.online_selected_id,
            online_offset: self.online_offset,
            online_rows: online_rows.max(1),
            timeline: (self.view == View::Today).then(|| (self.today_offset, self.today_rows())),
        }
    }

    /// The lines between the header card and the hint bar.
    fn body_height(&self) -> u16 {
        let [banner, status] = self.notice_lines();
        self.height.saturating_sub(4 + banner + status)
    }

    /// How many people the day's timeline shows.
    fn today_rows(&self) -> usize {
        today::rows_for(self.body_height())
    }

    fn reload(&self) -> Option<Effect> {
        Some(Effect::Load(self.query()))
    }

    /// The lines above the panes: the demo's banner, wrapped to the width, then one line
    /// of status (the filter, the idle countdown, a message) when there is one.
    fn notice_lines(&self) -> [u16; 2] {
        let banner = self.banner.as_deref().map_or(0, |text| {
            Paragraph::new(format!(" {text}"))
                .wrap(Wrap { trim: true })
                .line_count(self.width) as u16
        });
        let status = u16::from(!self.status_spans().is_empty());
        [banner.min(3), status]
    }

    /// The lines the three panes get, by what each has to show: the open sessions first,
    /// then the users, then the latest ended; each keeps at least its frame and a row.
    fn pane_heights(&self) -> [u16; 3] {
        let body = self.body_height();
        if self.height < STACKED_MIN_HEIGHT {
            // One pane at a time, below its tab line.
            let mut heights = [0; 3];
            heights[self.focus.index()] = body.saturating_sub(1);
            return heights;
        }
        let snapshot = &self.snapshot;
        let users_need = if snapshot.users.next.is_some() {
            u16::MAX
        } else {
            rows_need(snapshot.users.rows.len())
        };
        let needs = [
            users_need,
            rows_need(snapshot.online_total),
            rows_need(snapshot.offline.len()),
        ];
        share_lines(body, needs)
    }

    /// How many table rows each pane shows at this size.
    fn visible_rows(&self) -> [usize; 3] {
        self.pane_heights()
            .map(|h| usize::from(h.saturating_sub(PANE_FRAME)))
    }

    fn selected_online(&self) -> Option<&SessionLine> {
        self.snapshot.online.get(
            self.online_selected
                .checked_sub(self.snapshot.online_offset)?,
        )
    }

    fn selected_user_id(&self) -> Option<i64> {
        if self.view == View::Today {
            let timeline = self.snapshot.timeline.as_ref()?;
            let row = self.today_selected.checked_sub(timeline.offset)?;
            return timeline.people.get(row).map(|person| person.user_id);
        }
        match self.focus {
            Pane::Users => self
                .snapshot
                .users
                .rows
                .get(self.users_selected)
                .map(|l| l.summary.user.id),
            Pane::Online => self.selected_online().map(|s| s.user_id),
            Pane::Offline => self
                .snapshot
                .offline
                .get(self.offline_selected)
                .map(|s| s.user_id),
        }
    }

    /// After a movement: the people under the cursors, and a users page that keeps its
    /// selected person on the same row at the next load.
    fn remember_selection(&mut self) {
        let users = &self.snapshot.users.rows;
        self.users_selected_name = users
            .get(self.users_selected)
            .map(|l| l.summary.user.username.clone());
        if let Some(username) = self.users_selected_name.clone() {
            self.users_anchor = UsersAnchor::Keep {
                username,
                row: self.users_selected,
                fallback: self.snapshot.users_from.clone(),
            };
        }
        self.online_selected_id = self.selected_online().map(|s| s.id);
        self.offline_selected_id = self
            .snapshot
            .offline
            .get(self.offline_selected)
            .map(|s| s.id);
    }
}

/// The lines a pane needs for `rows` rows: its frame and its rows; empty, its borders
/// and a line saying "nothing here".
fn rows_need(rows: usize) -> u16 {
    if rows == 0 {
        return PANE_FRAME;
    }
    PANE_FRAME.saturating_add(u16::try_from(rows).unwrap_or(u16::MAX))
}

/// Shares `lines` among the three panes, which need `needs` [users, online, offline]:
/// who is online comes first (all of them, up to half the lines), then the users and
/// the latest ended share the rest, two lines to one; each pane keeps at least its
/// frame and a row, and the lines nobody needs go to the users.
fn share_lines(lines: u16, needs: [u16; 3]) -> [u16; 3] {
    let minimum = needs.map(|need| need.min(PANE_FRAME + 1));
    if minimum.iter().sum::<u16>() > lines {
        let each = lines / 3;
        return [lines - 2 * each, each, each];
    }
    let others = minimum[0] + minimum[2];
    let online = needs[1].min(lines / 2).max(minimum[1]).min(lines - others);
    let mut given = [minimum[0], online, minimum[2]];
    let mut left = lines - given.iter().sum::<u16>();
    // Two lines to the users for one to the latest ended, while both want more.
    while left > 0 {
        let wanting: Vec<usize> = [0, 0, 2]
            .into_iter()
            .filter(|&i| given[i] < needs[i])
            .collect();
        if wanting.is_empty() {
            given[0] += left;
            break;
        }
        for i in wanting {
            if left > 0 && given[i] < needs[i] {
                given[i] += 1;
                left -= 1;
            }
        }
    }
    given
}

#[must_use]
pub fn update(state: &mut State, msg: Msg) -> Option<Effect> {
    match msg {
        Msg::Tick(now) => {
            state.now = now;
            None
        }
        Msg::Resize(width, height) => {
            state.width = width;
            state.height = height;
            state.reload()
        }
        Msg::Loaded(snapshot) => on_loaded(state, snapshot),
        Msg::HistoryLoaded(history) => {
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
            state.overlay = Overlay::Confirm(ToEnd {
                session,
                own,
                asked_again: false,
            });
            None
        }
        Action::Yes => answer_yes(state),
        Action::No | Action::Back => {
            state.overlay = Overlay::None;
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
fn visible_offset(selected: usize, offset: usize, page: usize) -> usize {
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
fn history_rows(height: u16) -> usize {
    usize::from(height.saturating_sub(4)).max(1)
}

fn scroll_history(state: &mut State, history: &History, step: Step) -> Option<Effect> {
    let rows = history_rows(state.height);
    let full = history.sessions.len() == rows;
    let offset = match step {
        Step::Down if full => history.offset + 1,
        Step::PageDown if full => history.offset + rows,
        Step::Up => history.offset.saturating_sub(1),
        Step::PageUp => history.offset.saturating_sub(rows),
        Step::Home => 0,
        _ => return None,
    };
    (offset != history.offset).then_some(Effect::OpenHistory {
        user_id: history.user_id,
        offset,
        rows,
    })
}

impl Widget for &State {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if render_too_small(area, buf, self.texts.too_small) {
            return;
        }
        let [banner, status] = self.notice_lines();
        let [header, banner_area, status_area, body, hints] = Layout::vertical([
            Constraint::Length(3),
            Constraint::Length(banner),
            Constraint::Length(status),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(area);
        self.render_header(header, buf);
        self.render_banner(banner_area, buf);
        Line::from(self.status_spans()).render(status_area, buf);
        if self.view == View::Today {
            self.render_today(body, buf);
        } else if area.height < STACKED_MIN_HEIGHT {
            self.render_one_pane(body, buf);
        } else {
            let heights = self.pane_heights();
            let areas = Layout::vertical(heights.map(Constraint::Length)).split(body);
            for (pane, pane_area) in Pane::ALL.into_iter().zip(areas.iter()) {
                self.render_pane(pane, *pane_area, buf);
            }
        }
        key_hints(self.theme, &hints_of(KEYS, self, self.texts), hints.width).render(hints, buf);
        self.render_overlay(area, buf);
    }
}

impl State {
    fn render_header(&self, area: Rect, buf: &mut Buffer) {
        let t = self.texts;
        let block = Block::bordered()
            .border_type(BorderType::Rounded)
            .title(Span::styled(
                format!(" {} {} ", t.app, t.monitor),
                self.theme.title(),
            ));
        let inner = block.inner(area);
        block.render(area, buf);
        let pulse_lit = self.now < self.pulse_until;
        let pulse = Span::styled(
            if pulse_lit { " ● " } else { " ○ " },
            if pulse_lit {
                self.theme.online()
            } else {
                self.theme.label()
            },
        );
        let counts = self.snapshot.counts;
        let people = fill(
            t.people_online,
            &[("online", &counts.online_users), ("total", &counts.users)],
        );
        let mut left = vec![Span::styled(people, self.theme.strong())];
        if inner.width >= 60 {
            let sessions = fill(t.sessions_open, &[("count", &counts.online_sessions)]);
            left.push(Span::raw(format!(" · {sessions}")));
        }
        left.push(pulse);
        Line::from(left).render(inner, buf);
        let clock = if inner.width >= 60 {
            self.texts.lang.date_time_seconds(self.now, self.tz)
        } else {
            format_in(self.now, self.tz, "%H:%M:%S")
        };
        let right = if inner.width >= 80 {
            format!("{} · {} · {}", self.admin, self.host, clock)
        } else {
            clock
        };
        Line::from(right)
            .alignment(Alignment::Right)
            .render(inner, buf);
    }

    fn render_banner(&self, area: Rect, buf: &mut Buffer) {
        if let Some(banner) = &self.banner {
            Paragraph::new(Span::styled(format!(" {banner}"), self.theme.demo()))
                .wrap(Wrap { trim: true })
                .render(area, buf);
        }
    }

    /// The status line: the filter (being typed, or kept), and the one thing to tell:
    /// the database keeping the monitor waiting, the idle countdown, a message.
    fn status_spans(&self) -> Vec<Span<'static>> {
        let t = self.texts;
        let mut spans = Vec::new();
        if self.editing_filter || !self.filter.is_empty() {
            spans.push(Span::styled(
                format!(" {}{}", t.filter, t.lang.colon()),
                self.theme.label(),
            ));
            spans.push(Span::styled(self.filter.clone(), self.theme.strong()));
            if self.editing_filter {
                spans.push(Span::styled(" ", self.theme.cursor()));
                spans.push(Span::styled(
                    format!(" {}", t.filter_typing),
                    self.theme.label(),
                ));
            } else {
                spans.push(Span::styled(
                    format!(" {}", t.filter_kept),
                    self.theme.label(),
                ));
            }
        }
        let said = if let Some(unusable) = self.db_unusable {
            Some(unusable.text(t).to_string())
        } else if let Some(text) = self.db_link.text(t) {
            Some(text.to_string())
        } else if let Some(left) = self.idle_left {
            Some(idle_warning(t, left))
        } else {
            self.message.clone()
        };
        if let Some(said) = said {
            let separator = if spans.is_empty() { " " } else { " · " };
            spans.push(Span::styled(
                format!("{separator}{said}"),
                self.theme.notice(),
            ));
        }
        spans
    }

    fn render_one_pane(&self, area: Rect, buf: &mut Buffer) {
        let [tabs, pane] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
        let spans: Vec<Span> = Pane::ALL
            .into_iter()
            .map(|pane| {
                let style = if pane == self.focus {
                    self.theme.focused()
                } else {
                    self.theme.label()
                };
                Span::styled(format!(" {} ", self.tab_title(pane)), style)
            })
            .collect();
        Line::from(spans).render(tabs, buf);
        self.render_pane(self.focus, pane, buf);
    }

    fn pane_title(&self, pane: Pane) -> String {
        let t = self.texts;
        match pane {
            Pane::Users => t.all_users.to_string(),
            Pane::Online => {
                let sessions = fill(t.sessions_open, &[("count", &self.snapshot.online_total)]);
                format!("{} · {sessions}", t.online_now)
            }
            Pane::Offline => t.recently_offline.to_string(),
        }
    }

    /// The short names of the tab line, for narrow terminals.
    fn tab_title(&self, pane: Pane) -> String {
        let t = self.texts;
        match pane {
            Pane::Users => t.tab_users.to_string(),
            Pane::Online => format!("{} ({})", t.online, self.snapshot.online_total),
            Pane::Offline => t.tab_offline.to_string(),
        }
    }

    fn sort_name(&self) -> &'static str {
        match self.sort {
            PaneSort::Name => self.texts.sort_name,
            PaneSort::Role => self.texts.sort_role,
            PaneSort::LastLogin => self.texts.sort_last_login,
        }
    }

    fn render_pane(&self, pane: Pane, area: Rect, buf: &mut Buffer) {
        let focused = pane == self.focus;
        let mut title = format!(" {} ", self.pane_title(pane));
        if pane != Pane::Offline && focused {
            title.push_str(&format!(
                "· {} ",
                fill(self.texts.sort_by, &[("order", &self.sort_name())])
            ));
        }
        let block = Block::bordered()
            .border_type(BorderType::Rounded)
            .border_style(if focused {
                self.theme.title()
            } else {
                self.theme.label()
            })
            .title(Span::styled(
                title,
                if focused {
                    self.theme.title()
                } else {
                    self.theme.strong()
                },
            ));
        let visible = area.height.saturating_sub(PANE_FRAME);
        let table = match pane {
            Pane::Users => self.users_table(area.width),
            Pane::Online => self.online_table(area.width),
            Pane::Offline => self.offline_table(area.width, visible),
        };
        if table.rows.is_empty() {
            let inner = block.inner(area);
            block.render(area, buf);
            Paragraph::new(Span::styled(self.texts.nothing_here, self.theme.label()))
                .alignment(Alignment::Center)
                .render(inner, buf);
            return;
        }
        let highlight = if focused {
            self.theme.focused()
        } else {
            Style::new()
        };
        let rows: Vec<Row> = table
            .rows
            .into_iter()
            .enumerate()
            .map(|(i, row)| {
                if Some(i) == table.selected {
                    row.style(highlight)
                } else {
                    row
                }
            })
            .collect();
        Table::new(rows, table.widths)
            .header(Row::new(table.header).style(self.theme.label()))
            .column_spacing(1)
            .block(block)
            .render(area, buf);
    }

    fn users_table(&self, width: u16) -> PaneTable {
        let t = self.texts;
        // The names take what the longest of the page needs; the full name beside them
        // the rest, from 60 columns on.
        let names = if Shown::From60.at(width) {
            let longest = self
                .snapshot
                .users
                .rows
                .iter()
                .map(|l| l.summary.user.username.width());
            let needed = longest.chain([t.col_username.width()]).max().unwrap_or(0);
            Constraint::Length(needed.min(MAX_NAME_WIDTH) as u16)
        } else {
            Constraint::Fill(2)
        };
        let columns: Vec<Column<UserLine>> = vec![
            column(t.col_username, names, Shown::Always, |l: &UserLine| {
                Cell::from(l.summary.user.username.clone())
            }),
            column(
                t.col_full_name,
                Constraint::Fill(3),
                Shown::From60,
                |l: &UserLine| Cell::from(shown(&l.summary.user.full_name)),
            ),
            column(
                t.col_role,
                Constraint::Length(10),
                Shown::From60,
                |l: &UserLine| {
                    let role = l.summary.user.role;
                    Cell::from(Span::styled(role.to_string(), self.theme.role(role)))
                },
            ),
            column(
                t.col_status,
                self.state_width(),
                Shown::Always,
                |l: &UserLine| {
                    Cell::from(Span::styled(
                        self.texts.state(l.summary.state),
                        self.theme.state(l.summary.state),
                    ))
                },
            ),
            column(
                t.col_last_login,
                Constraint::Length(11),
                Shown::Always,
                |l: &UserLine| Cell::from(self.short_time(l.summary.last_login)),
            ),
            column(
                t.col_last_logout,
                Constraint::Length(11),
                Shown::From100,
                |l: &UserLine| Cell::from(self.short_time(l.summary.last_logout)),
            ),
            column(
                t.col_today,
                Constraint::Length(5),
                Shown::From100,
                |l: &UserLine| Cell::from(l.sessions_today.to_string()),
            ),
        ];
        pane_table(
            &columns,
            &self.snapshot.users.rows,
            width,
            Some(self.users_selected),
        )
    }

    /// A duration column as wide as its header and as this language writes a long day.
    fn duration_width(&self) -> Constraint {
        let widest = self
            .texts
            .lang
            .duration(86_399_000)
            .width()
            .max(self.texts.col_duration.width());
        Constraint::Length(widest as u16)
    }

    /// As wide as the longest state in this language ("hors ligne", "pa konekte").
    fn state_width(&self) -> Constraint {
        use crate::model::UserState::{Disabled, Locked, Offline, Online};
        let widest = [Online, Offline, Disabled, Locked].map(|s| self.texts.state(s).width());
        let widest = widest
            .into_iter()
            .max()
            .unwrap_or(8)
            .max(self.texts.col_status.width());
        Constraint::Length(widest as u16)
    }

    /// As wide as the longest way a session ends in this language.
    fn end_width(&self) -> Constraint {
        use crate::model::EndReason::{Forced, Hangup, Idle, Logout, Lost};
        let widest = [Logout, Idle, Hangup, Forced, Lost].map(|r| self.texts.end_reason(r).width());
        let widest = widest
            .into_iter()
            .max()
            .unwrap_or(7)
            .max(self.texts.col_ended.width());
        Constraint::Length(widest as u16)
    }

    fn session_user_column(&self) -> Column<'_, SessionLine> {
        column(
            self.texts.col_username,
            Constraint::Fill(2),
            Shown::Always,
            |s: &SessionLine| Cell::from(s.username.clone()),
        )
    }

    fn session_role_column(&self) -> Column<'_, SessionLine> {
        column(
            self.texts.col_role,
            Constraint::Length(10),
            Shown::From100,
            |s: &SessionLine| Cell::from(Span::styled(s.role.to_string(), self.theme.role(s.role))),
        )
    }

    fn online_table(&self, width: u16) -> PaneTable {
        let t = self.texts;
        let columns: Vec<Column<SessionLine>> = vec![
            self.session_user_column(),
            self.session_role_column(),
            column(
                t.col_since,
                Constraint::Length(11),
                Shown::From60,
                |s: &SessionLine| Cell::from(self.short_time(Some(s.login_time))),
            ),
            column(
                t.col_duration,
                self.duration_width(),
                Shown::Always,
                |s: &SessionLine| Cell::from(self.texts.lang.duration(self.now - s.login_time)),
            ),
            column(
                t.col_host,
                Constraint::Fill(1),
                Shown::Always,
                |s: &SessionLine| Cell::from(shown(&s.host)),
            ),
            column(
                t.col_tty,
                Constraint::Length(11),
                Shown::From100,
                |s: &SessionLine| Cell::from(shown(s.tty.as_deref().unwrap_or_default())),
            ),
            column(
                t.col_ip,
                Constraint::Length(15),
                Shown::From100,
                |s: &SessionLine| Cell::from(shown(s.remote_ip.as_deref().unwrap_or_default())),
            ),
            column(
                t.col_heartbeat,
                Constraint::Length(6),
                Shown::From100,
                |s: &SessionLine| {
                    Cell::from(format!("{}s", (self.now - s.last_seen).max(0) / 1000))
                },
            ),
        ];
        let selected = self
            .online_selected
            .checked_sub(self.snapshot.online_offset);
        pane_table(&columns, &self.snapshot.online, width, selected)
    }

    fn offline_table(&self, width: u16, visible: u16) -> PaneTable {
        let t = self.texts;
        let logout = |s: &SessionLine| s.logout_time.unwrap_or(s.last_seen);
        let columns: Vec<Column<SessionLine>> = vec![
            self.session_user_column(),
            self.session_role_column(),
            column(
                t.col_login,
                Constraint::Length(11),
                Shown::From100,
                |s: &SessionLine| Cell::from(self.short_time(Some(s.login_time))),
            ),
            column(
                t.col_logout,
                Constraint::Length(11),
                Shown::Always,
                move |s: &SessionLine| Cell::from(self.short_time(Some(logout(s)))),
            ),
            column(
                t.col_duration,
                self.duration_width(),
                Shown::From60,
                move |s: &SessionLine| {
                    Cell::from(self.texts.lang.duration(logout(s) - s.login_time))
                },
            ),
            column(
                t.col_ended,
                self.end_width(),
                Shown::Always,
                |s: &SessionLine| {
                    let ended = s
                        .end_reason
                        .map(|r| self.texts.end_reason(r))
                        .unwrap_or_default();
                    Cell::from(Span::styled(ended, self.theme.end_reason(s.end_reason)))
                },
            ),
            column(
                t.col_host,
                Constraint::Fill(1),
                Shown::From100,
                |s: &SessionLine| Cell::from(shown(&s.host)),
            ),
        ];
        // The 20 latest are all loaded; this pane scrolls through them itself.
        let offset = visible_offset(self.offline_selected, 0, usize::from(visible).max(1));
        let rows = self.snapshot.offline.get(offset..).unwrap_or_default();
        pane_table(
            &columns,
            rows,
            width,
            self.offline_selected.checked_sub(offset),
        )
    }

    /// `09:15` today, `11-23 16:40` another day, `-` never.
    fn short_time(&self, at: Option<Millis>) -> String {
        let Some(at) = at else { return "-".into() };
        let day = |t| format_in(t, self.tz, "%Y-%m-%d");
        if day(at) == day(self.now) {
            format_in(at, self.tz, "%H:%M")
        } else {
            self.texts.lang.short_date_time(at, self.tz)
        }
    }

    fn render_overlay(&self, area: Rect, buf: &mut Buffer) {
        match &self.overlay {
            Overlay::None => {}
            Overlay::Help => self.render_help(area, buf),
            Overlay::Confirm(to_end) => self.render_confirm(area, buf, to_end),
            Overlay::ConfirmQuit => self.render_question(
                area,
                buf,
                self.texts.confirm_quit_demo,
                vec![Line::from(match self.confirm_quit {
                    Some(Leaving::DatabaseKept) => self.texts.demo_kept,
                    _ => self.texts.demo_removed,
                })],
            ),
            Overlay::History(history) => self.render_history(area, buf, history),
        }
    }

    /// Every key of the main view, from the key table; as tall as its lines once
    /// wrapped, so that the last of them (how to leave) always shows.
    fn render_help(&self, area: Rect, buf: &mut Buffer) {
        let (paragraph, width, total) = self.help_paragraph(area.width);
        // Above the hint bar, which says how to close it (and to scroll).
        let room = Rect {
            height: area.height.saturating_sub(1),
            ..area
        };
        let card = centered(room, width, total + 2);
        let visible = card.height.saturating_sub(2);
        let scroll = self.help_scroll.min(total.saturating_sub(visible));
        Clear.render(card, buf);
        paragraph
            .scroll((scroll, 0))
            .block(self.card(self.texts.help_title))
            .render(card, buf);
    }

    /// Every key of the main view with what it does, as wide as its widest line allows
    /// in `area_width`; and its width and height once wrapped.
    fn help_paragraph(&self, area_width: u16) -> (Paragraph<'static>, u16, u16) {
        let keys = help_of(KEYS, self.texts);
        let key_width = keys.iter().map(|(k, _)| k.width()).max().unwrap_or(0);
        let lines: Vec<Line> = keys
            .iter()
            .map(|(key, what)| {
                Line::from(vec![
                    Span::styled(format!("{}  ", pad_to(key, key_width)), self.theme.key()),
                    Span::raw(*what),
                ])
            })
            .collect();
        let widest = lines.iter().map(Line::width).max().unwrap_or(0) as u16;
        let width = (widest + 4).min(area_width);
        let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
        let total = paragraph.line_count(width.saturating_sub(2)) as u16;
        (paragraph, width, total)
    }

    /// The help's lines, and how many of them the terminal shows at once.
    fn help_lines(&self) -> (u16, u16) {
        let (_, _, total) = self.help_paragraph(self.width);
        // The card's borders, and the hint bar below it.
        (total, self.height.saturating_sub(3))
    }

    fn help_overflows(&self) -> bool {
        let (total, visible) = self.help_lines();
        total > visible
    }

    /// Names the session before it is ended: who, where, since when, which session; the
    /// admin's own session is asked about twice.
    fn render_confirm(&self, area: Rect, buf: &mut Buffer, to_end: &ToEnd) {
        let t = self.texts;
        let s = &to_end.session;
        let mut place = vec![shown(&s.host)];
        place.extend(s.tty.as_deref().map(shown));
        place.extend(s.remote_ip.as_deref().map(shown));
        let since = fill(
            t.confirm_since,
            &[
                ("time", &self.short_time(Some(s.login_time))),
                ("id", &s.id),
            ],
        );
        let mut lines = vec![
            Line::from(vec![
                Span::styled(s.username.clone(), self.theme.strong()),
                Span::raw(" "),
                Span::styled(s.role.to_string(), self.theme.role(s.role)),
            ]),
            Line::from(place.join(" · ")),
            Line::from(since),
        ];
        let title = if to_end.asked_again {
            lines.push(Line::styled(t.own_session_again, self.theme.error()));
            t.confirm_end_own
        } else if to_end.own {
            lines.push(Line::styled(t.own_session, self.theme.notice()));
            t.confirm_end
        } else {
            t.confirm_end
        };
        self.render_question(area, buf, title, lines);
    }

    /// A card in the middle with a title, some lines, and the yes / no keys.
    fn render_question(&self, area: Rect, buf: &mut Buffer, title: &str, mut lines: Vec<Line>) {
        let t = self.texts;
        let yes = hints_of(KEYS, self, t);
        lines.push(Line::default());
        lines.push(key_hints(self.theme, &yes, area.width));
        let width = lines
            .iter()
            .map(Line::width)
            .chain([title.width() + 4])
            .max()
            .unwrap_or(0) as u16
            + 4;
        let width = width.max(44).min(area.width);
        let paragraph = Paragraph::new(lines)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true });
        let height = paragraph.line_count(width.saturating_sub(2)) as u16 + 2;
        let card = centered(area, width, height);
        Clear.render(card, buf);
        paragraph.block(self.card(title)).render(card, buf);
    }

    fn render_history(&self, area: Rect, buf: &mut Buffer, history: &History) {
        let t = self.texts;
        // The whole screen but the hint bar: nothing of the panes shows through.
        let card = Rect {
            height: area.height.saturating_sub(1),
            ..area
        };
        Clear.render(card, buf);
        let title = format!(
            "{} · {} {}",
            t.history,
            history.username,
            shown(&history.full_name)
        );
        let block = self.card(title.trim_end());
        let inner = block.inner(card);
        block.render(card, buf);
        // The date, its bar, its time.
        let per_day_width = if inner.width >= 70 {
            10 + 1 + DAY_BAR as u16 + 10 + 1
        } else {
            0
        };
        let [list, days] =
            Layout::horizontal([Constraint::Fill(1), Constraint::Length(per_day_width)])
                .areas(inner);
        let rows: Vec<Row> = history
            .sessions
            .iter()
            .map(|s| {
                let logout = s.logout_time.map_or_else(
                    || t.still_online.to_string(),
                    |at| t.lang.end_time(s.login_time, at, self.tz),
                );
                let lasted = self
                    .texts
                    .lang
                    .duration(s.logout_time.unwrap_or(self.now) - s.login_time);
                let ended = s
                    .end_reason
                    .map(|r| self.texts.end_reason(r))
                    .unwrap_or_default();
                Row::new(vec![
                    Cell::from(self.texts.lang.date_time(s.login_time, self.tz)),
                    Cell::from(logout),
                    Cell::from(lasted),
                    Cell::from(Span::styled(ended, self.theme.end_reason(s.end_reason))),
                    Cell::from(shown(&s.host)),
                    Cell::from(shown(s.ended_by.as_deref().unwrap_or_default())),
                    Cell::from(shown(s.end_note.as_deref().unwrap_or_default())),
                ])
            })
            .collect();
        Table::new(
            rows,
            [
                Constraint::Length(self.texts.lang.date_time(0, self.tz).width() as u16),
                Constraint::Length(11),
                self.duration_width(),
                self.end_width(),
                Constraint::Fill(1),
                Constraint::Fill(1),
                Constraint::Fill(1),
            ],
        )
        .header(
            Row::new([
                t.col_login,
                t.col_logout,
                t.col_duration,
                t.col_ended,
                t.col_host,
                t.col_ended_by,
                t.col_note,
            ])
            .style(self.theme.label()),
        )
        .column_spacing(1)
        .render(list, buf);
        if per_day_width > 0 {
            // A bar a day, the longest day the full width: the weeks as a picture.
            let longest = history.per_day.iter().map(|(_, total)| *total).max();
            let mut lines = vec![Line::styled(t.per_day, self.theme.label())];
            lines.extend(history.per_day.iter().rev().map(|(day, total)| {
                let bar = today::day_bar(*total, longest.unwrap_or(0), DAY_BAR);
                let lasted = if *total > 0 {
                    self.texts.lang.duration(*total)
                } else {
                    "-".to_string()
                };
                Line::from(vec![
                    Span::raw(format!("{} ", t.lang.date(*day))),
                    Span::styled(pad_to(&bar, DAY_BAR), self.theme.online()),
                    Span::raw(format!(" {lasted:>9}")),
                ])
            }));
            Paragraph::new(lines).render(days, buf);
        }
    }

    fn card(&self, title: &str) -> Block<'static> {
        Block::bordered()
            .border_type(BorderType::Rounded)
            .title(Span::styled(format!(" {title} "), self.theme.title()))
    }
}

/// From which terminal width a column shows: narrow screens keep the essential ones.
/// The most the users pane gives a name before the full name (the longest names
/// konekte takes are 32 characters; such a name is cut, its full name still shown).
const MAX_NAME_WIDTH: usize = 24;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    Always,
    From60,
    From100,
}

impl Shown {
    fn at(self, width: u16) -> bool {
        match self {
            Shown::Always => true,
            Shown::From60 => width >= 60,
            Shown::From100 => width >= 100,
        }
    }
}

/// One column of a pane: title, width, from which terminal width it shows, its cell.
struct Column<'a, T> {
    title: &'static str,
    width: Constraint,
    shown: Shown,
    cell: Box<dyn Fn(&T) -> Cell<'static> + 'a>,
}

fn column<'a, T>(
    title: &'static str,
    width: Constraint,
    shown: Shown,
    cell: impl Fn(&T) -> Cell<'static> + 'a,
) -> Column<'a, T> {
    Column {
        title,
        width,
        shown,
        cell: Box::new(cell),
    }
}

/// What a pane draws: the columns that fit, and the selected row.
struct PaneTable {
    header: Vec<&'static str>,
    widths: Vec<Constraint>,
    rows: Vec<Row<'static>>,
    selected: Option<usize>,
}

fn pane_table<T>(
    columns: &[Column<T>],
    items: &[T],
    width: u16,
    selected: Option<usize>,
) -> PaneTable {
    let shown: Vec<&Column<T>> = columns.iter().filter(|c| c.shown.at(width)).collect();
    PaneTable {
        header: shown.iter().map(|c| c.title).collect(),
        widths: shown.iter().map(|c| c.width).collect(),
        rows: items
            .iter()
            .map(|item| Row::new(shown.iter().map(|c| (c.cell)(item)).collect::<Vec<_>>()))
            .collect(),
        selected,
    }
}

/// A rectangle of at most `width` × `height`, centred in `area`.
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [card] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    card
}

mod today;

#[cfg(test)]
mod tests;
