//! The admin's live monitor: a header card (online / total, a pulse on each change, the
//! clock) and three panes: all users, online now, recently offline. The run loop loads
//! what the panes show into an immutable `Snapshot`; this screen only moves through it
//! and says what to load next.

use chrono::FixedOffset;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Alignment, Constraint, Flex, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Cell, Clear, Paragraph, Row, Table, Widget, Wrap};

use super::{Theme, key_hints, pad_to, render_too_small};
use crate::clock::format_in;
use crate::db::{Counts, PaneSort, UserKey, UserPage};
use crate::i18n::{Texts, fill};
use crate::model::{Millis, SessionLine, UserLine};
use unicode_width::UnicodeWidthStr;

/// How long the pulse stays lit after a change.
const PULSE: Millis = 1_500;
/// Below this height the panes take turns on screen instead of being stacked.
const STACKED_MIN_HEIGHT: u16 = 24;

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
}

/// Where the "All users" page starts: resolved by the loader into `Start` or `From`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsersAnchor {
    Start,
    From(UserKey),
    /// `rows` rows before this key (scrolling up).
    Back {
        from: UserKey,
        rows: usize,
    },
    End,
}

/// What the panes need from the database: derived from the state, carried out by the loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub sort: PaneSort,
    pub filter: Option<String>,
    pub users_anchor: UsersAnchor,
    pub users_rows: usize,
    pub online_offset: usize,
    pub online_rows: usize,
}

/// One load of what is on screen.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snapshot {
    pub counts: Counts,
    /// Where the users page starts, resolved (`None`: at the top).
    pub users_from: Option<UserKey>,
    pub users: UserPage,
    pub online: Vec<SessionLine>,
    pub online_total: usize,
    pub offline: Vec<SessionLine>,
}

/// One user's history, a page of sessions and the totals of the latest days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    pub user_id: i64,
    pub username: String,
    pub full_name: String,
    pub offset: usize,
    pub sessions: Vec<SessionLine>,
    pub per_day: Vec<(chrono::NaiveDate, Millis)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help,
    Confirm {
        session_id: i64,
        username: String,
        host: String,
    },
    History(History),
}

pub struct State {
    pub snapshot: Snapshot,
    pub focus: Pane,
    pub sort: PaneSort,
    pub filter: String,
    pub editing_filter: bool,
    pub users_anchor: UsersAnchor,
    pub users_selected: usize,
    pub online_offset: usize,
    pub online_selected: usize,
    pub offline_selected: usize,
    pub overlay: Overlay,
    pub width: u16,
    pub height: u16,
    pub now: Millis,
    pub tz: FixedOffset,
    pub pulse_until: Millis,
    pub admin: String,
    pub host: String,
    /// The demo's banner: what it is and how to log in to it.
    pub banner: Option<String>,
    pub message: Option<String>,
    pub theme: Theme,
    pub texts: &'static Texts,
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

impl State {
    pub fn new(
        admin: String,
        host: String,
        now: Millis,
        tz: FixedOffset,
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
            online_offset: 0,
            online_selected: 0,
            offline_selected: 0,
            overlay: Overlay::None,
            width: 120,
            height: 40,
            now,
            tz,
            pulse_until: 0,
            admin,
            host,
            banner: None,
            message: None,
            theme,
            texts,
        }
    }

    /// What to load for the screen as it is now.
    pub fn query(&self) -> Query {
        let [users_rows, online_rows, _] =
            pane_rows(self.width, self.height, self.focus, self.has_banner_line());
        Query {
            sort: self.sort,
            filter: Some(self.filter.trim().to_string()).filter(|f| !f.is_empty()),
            users_anchor: self.users_anchor.clone(),
            users_rows: users_rows.max(1),
            online_offset: self.online_offset,
            online_rows: online_rows.max(1),
        }
    }

    fn has_banner_line(&self) -> bool {
        self.banner.is_some()
            || self.editing_filter
            || !self.filter.is_empty()
            || self.message.is_some()
    }

    fn rows(&self) -> [usize; 3] {
        pane_rows(self.width, self.height, self.focus, self.has_banner_line())
    }

    fn reload(&self) -> Option<Effect> {
        Some(Effect::Load(self.query()))
    }

    fn selected_online(&self) -> Option<&SessionLine> {
        self.snapshot
            .online
            .get(self.online_selected.checked_sub(self.online_offset)?)
    }

    fn selected_user_id(&self) -> Option<i64> {
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
}

/// How many table rows each pane shows (its header excluded) at this size: the focused
/// pane alone below 24 lines, the three stacked above.
fn pane_rows(width: u16, height: u16, focus: Pane, banner: bool) -> [usize; 3] {
    let _ = width;
    // Header card (3), hint bar (1), the banner line if any.
    let body = height.saturating_sub(4 + u16::from(banner));
    if height < STACKED_MIN_HEIGHT {
        // One pane: tab line, borders, table header.
        let rows = usize::from(body.saturating_sub(4));
        return Pane::ALL.map(|p| if p == focus { rows } else { 0 });
    }
    let [users, online, offline] = stacked_heights(body);
    // Borders and the table header take three lines of each pane.
    [users, online, offline].map(|h| usize::from(h.saturating_sub(3)))
}

fn stacked_heights(body: u16) -> [u16; 3] {
    let users = body * 2 / 5;
    let online = body * 3 / 10;
    [users, online, body - users - online]
}

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
        Msg::Loaded(snapshot) => {
            on_loaded(state, snapshot);
            None
        }
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

fn on_loaded(state: &mut State, snapshot: Snapshot) {
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
    state.users_anchor = snapshot
        .users_from
        .clone()
        .map_or(UsersAnchor::Start, UsersAnchor::From);
    state.users_selected = state
        .users_selected
        .min(snapshot.users.rows.len().saturating_sub(1));
    let online_last = snapshot.online_total.saturating_sub(1);
    state.online_selected = state.online_selected.min(online_last);
    state.offline_selected = state
        .offline_selected
        .min(snapshot.offline.len().saturating_sub(1));
    state.snapshot = snapshot;
}

fn on_key(state: &mut State, key: KeyEvent) -> Option<Effect> {
    if state.editing_filter {
        return on_filter_key(state, key);
    }
    match state.overlay.clone() {
        Overlay::None => {}
        Overlay::Help => {
            state.overlay = Overlay::None;
            return None;
        }
        Overlay::Confirm { session_id, .. } => {
            state.overlay = Overlay::None;
            return matches!(key.code, KeyCode::Char('y' | 'Y') | KeyCode::Enter)
                .then_some(Effect::EndSession { session_id });
        }
        Overlay::History(history) => return on_history_key(state, &history, key),
    }
    state.message = None;
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Char('q') | KeyCode::Esc => Some(Effect::Quit),
        KeyCode::Char('c') if ctrl => Some(Effect::Quit),
        KeyCode::Tab => {
            state.focus = state.focus.next(true);
            state.reload()
        }
        KeyCode::BackTab => {
            state.focus = state.focus.next(false);
            state.reload()
        }
        KeyCode::Char('?') => {
            state.overlay = Overlay::Help;
            None
        }
        KeyCode::Char('/') => {
            state.editing_filter = true;
            state.reload()
        }
        KeyCode::Char('s') => {
            state.sort = match state.sort {
                PaneSort::Name => PaneSort::Role,
                PaneSort::Role => PaneSort::Name,
            };
            to_top(state);
            state.reload()
        }
        KeyCode::Char('e') => {
            let session = state
                .selected_online()
                .filter(|_| state.focus == Pane::Online)?;
            state.overlay = Overlay::Confirm {
                session_id: session.id,
                username: session.username.clone(),
                host: session.host.clone(),
            };
            None
        }
        KeyCode::Enter => {
            let user_id = state.selected_user_id()?;
            Some(Effect::OpenHistory {
                user_id,
                offset: 0,
                rows: history_rows(state.height),
            })
        }
        code => scroll(state, code),
    }
}

fn on_filter_key(state: &mut State, key: KeyEvent) -> Option<Effect> {
    match key.code {
        KeyCode::Enter => state.editing_filter = false,
        KeyCode::Esc => {
            state.editing_filter = false;
            state.filter.clear();
        }
        KeyCode::Backspace => {
            state.filter.pop();
        }
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => state.filter.push(c),
        _ => return None,
    }
    to_top(state);
    state.reload()
}

/// Back to the first row of every pane (the filter or the sort changed).
fn to_top(state: &mut State) {
    state.users_anchor = UsersAnchor::Start;
    state.users_selected = 0;
    state.online_offset = 0;
    state.online_selected = 0;
    state.offline_selected = 0;
}

/// The movement keys, in the focused pane.
fn scroll(state: &mut State, code: KeyCode) -> Option<Effect> {
    let rows = state.rows();
    match state.focus {
        Pane::Users => scroll_users(state, code, rows[0].max(1)),
        Pane::Online => {
            let total = state.snapshot.online_total;
            let (selected, offset) = (state.online_selected, state.online_offset);
            state.online_selected = moved(selected, code, rows[1].max(1), total);
            state.online_offset = visible_offset(state.online_selected, offset, rows[1].max(1));
            (state.online_offset != offset).then(|| Effect::Load(state.query()))
        }
        Pane::Offline => {
            state.offline_selected = moved(
                state.offline_selected,
                code,
                rows[2].max(1),
                state.snapshot.offline.len(),
            );
            None
        }
    }
}

/// The selection after a movement key, in a list of `total` rows with `page` visible.
fn moved(selected: usize, code: KeyCode, page: usize, total: usize) -> usize {
    let last = total.saturating_sub(1);
    match code {
        KeyCode::Down | KeyCode::Char('j') => (selected + 1).min(last),
        KeyCode::Up | KeyCode::Char('k') => selected.saturating_sub(1),
        KeyCode::PageDown => (selected + page).min(last),
        KeyCode::PageUp => selected.saturating_sub(page),
        KeyCode::Home | KeyCode::Char('g') => 0,
        KeyCode::End | KeyCode::Char('G') => last,
        _ => selected,
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

/// The users pane holds one page; moving past its edges asks the loader for the page
/// before or after, by key.
fn scroll_users(state: &mut State, code: KeyCode, page: usize) -> Option<Effect> {
    let rows = &state.snapshot.users.rows;
    let shown = rows.len();
    let selected = state.users_selected;
    let first_key = rows.first().map(UserLine::key);
    let next = state.snapshot.users.next.clone();
    let anchor = match code {
        KeyCode::Down | KeyCode::Char('j') if selected + 1 < shown => {
            state.users_selected += 1;
            return None;
        }
        KeyCode::Down | KeyCode::Char('j') => next
            .and(rows.get(1).map(UserLine::key))
            .map(UsersAnchor::From),
        KeyCode::Up | KeyCode::Char('k') if selected > 0 => {
            state.users_selected -= 1;
            return None;
        }
        KeyCode::Up | KeyCode::Char('k') => {
            first_key.map(|from| UsersAnchor::Back { from, rows: 1 })
        }
        KeyCode::PageDown => match next {
            Some(key) => Some(UsersAnchor::From(key)),
            None => {
                state.users_selected = shown.saturating_sub(1);
                return None;
            }
        },
        KeyCode::PageUp => first_key.map(|from| UsersAnchor::Back { from, rows: page }),
        KeyCode::Home | KeyCode::Char('g') => {
            state.users_selected = 0;
            Some(UsersAnchor::Start)
        }
        KeyCode::End | KeyCode::Char('G') => {
            state.users_selected = page.saturating_sub(1);
            Some(UsersAnchor::End)
        }
        _ => None,
    }?;
    state.users_anchor = anchor;
    state.reload()
}

fn history_rows(height: u16) -> usize {
    usize::from(height.saturating_sub(8)).max(1)
}

fn on_history_key(state: &mut State, history: &History, key: KeyEvent) -> Option<Effect> {
    let rows = history_rows(state.height);
    let offset = match key.code {
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::Enter => {
            state.overlay = Overlay::None;
            return None;
        }
        KeyCode::Down | KeyCode::Char('j') if history.sessions.len() == rows => history.offset + 1,
        KeyCode::PageDown if history.sessions.len() == rows => history.offset + rows,
        KeyCode::Up | KeyCode::Char('k') => history.offset.saturating_sub(1),
        KeyCode::PageUp => history.offset.saturating_sub(rows),
        KeyCode::Home | KeyCode::Char('g') => 0,
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
        let banner = u16::from(self.has_banner_line());
        let [header, banner_area, body, hints] = Layout::vertical([
            Constraint::Length(3),
            Constraint::Length(banner),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(area);
        self.render_header(header, buf);
        self.render_banner(banner_area, buf);
        if area.height < STACKED_MIN_HEIGHT {
            self.render_one_pane(body, buf);
        } else {
            let [users, online, offline] = stacked_heights(body.height);
            let areas = Layout::vertical([
                Constraint::Length(users),
                Constraint::Length(online),
                Constraint::Length(offline),
            ])
            .split(body);
            for (pane, pane_area) in Pane::ALL.into_iter().zip(areas.iter()) {
                self.render_pane(pane, *pane_area, buf);
            }
        }
        self.render_hints(hints, buf);
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
        Line::from(vec![
            Span::raw(format!("{} ", t.online)),
            Span::styled(counts.online_users.to_string(), self.theme.strong()),
            Span::raw(format!(" / {}", counts.users)),
            pulse,
        ])
        .render(inner, buf);
        let clock = if inner.width >= 60 {
            self.texts.lang.date_time_seconds(self.now, self.tz)
        } else {
            format_in(self.now, self.tz, "%H:%M:%S")
        };
        let right = if inner.width >= 60 {
            format!("{} · {} · {}", self.admin, self.host, clock)
        } else {
            clock
        };
        Line::from(right)
            .alignment(Alignment::Right)
            .render(inner, buf);
    }

    fn render_banner(&self, area: Rect, buf: &mut Buffer) {
        if area.height == 0 {
            return;
        }
        let line = if self.editing_filter || !self.filter.is_empty() {
            let mut spans = vec![
                Span::styled(format!(" {}: ", self.texts.filter), self.theme.label()),
                Span::styled(self.filter.clone(), self.theme.strong()),
            ];
            if self.editing_filter {
                spans.push(Span::styled(" ", self.theme.cursor()));
            }
            Line::from(spans)
        } else if let Some(message) = &self.message {
            Line::styled(format!(" {message}"), self.theme.notice())
        } else {
            Line::styled(
                format!(" {}", self.banner.clone().unwrap_or_default()),
                self.theme.demo(),
            )
        };
        line.render(area, buf);
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
            Pane::Online => format!("{} ({})", t.online_now, self.snapshot.online_total),
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

    fn render_pane(&self, pane: Pane, area: Rect, buf: &mut Buffer) {
        let focused = pane == self.focus;
        let sort = match self.sort {
            crate::db::PaneSort::Name => self.texts.sort_name,
            crate::db::PaneSort::Role => self.texts.sort_role,
        };
        let mut title = format!(" {} ", self.pane_title(pane));
        if pane != Pane::Offline && focused {
            title.push_str(&format!(
                "· {} ",
                fill(self.texts.sort_by, &[("order", &sort)])
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
        let table = match pane {
            Pane::Users => self.users_table(area.width),
            Pane::Online => self.online_table(area.width),
            Pane::Offline => self.offline_table(area.width, area.height.saturating_sub(3)),
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
        let columns: Vec<Column<UserLine>> = vec![
            column(
                t.col_username,
                Constraint::Fill(2),
                Shown::Always,
                |l: &UserLine| Cell::from(l.summary.user.username.clone()),
            ),
            column(
                t.col_full_name,
                Constraint::Fill(3),
                Shown::From100,
                |l: &UserLine| Cell::from(l.summary.user.full_name.clone()),
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

    /// A duration column as wide as its header and as this language writes nine hours.
    fn duration_width(&self) -> Constraint {
        let widest = self
            .texts
            .lang
            .clock(35_999_000)
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
                |s: &SessionLine| Cell::from(self.texts.lang.clock(self.now - s.login_time)),
            ),
            column(
                t.col_host,
                Constraint::Fill(1),
                Shown::Always,
                |s: &SessionLine| Cell::from(s.host.clone()),
            ),
            column(
                t.col_tty,
                Constraint::Length(11),
                Shown::From100,
                |s: &SessionLine| Cell::from(s.tty.clone().unwrap_or_default()),
            ),
            column(
                t.col_ip,
                Constraint::Length(15),
                Shown::From100,
                |s: &SessionLine| Cell::from(s.remote_ip.clone().unwrap_or_default()),
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
        let selected = self.online_selected.checked_sub(self.online_offset);
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
                move |s: &SessionLine| Cell::from(self.texts.lang.clock(logout(s) - s.login_time)),
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
                |s: &SessionLine| Cell::from(s.host.clone()),
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

    fn render_hints(&self, area: Rect, buf: &mut Buffer) {
        let t = self.texts;
        let hints: &[(&str, &str)] = match &self.overlay {
            Overlay::Confirm { .. } => &[("y", t.key_end), ("n", t.key_back)],
            Overlay::History(_) => &[("↑↓", t.key_scroll), ("q", t.key_back)],
            Overlay::Help => &[("?", t.key_back)],
            Overlay::None => &[
                ("Tab", t.key_pane),
                ("↑↓", t.key_scroll),
                ("/", t.key_filter),
                ("s", t.key_sort),
                ("Enter", t.key_history),
                ("e", t.key_end),
                ("?", t.key_help),
                ("q", t.key_quit),
            ],
        };
        key_hints(self.theme, hints, area.width).render(area, buf);
    }

    fn render_overlay(&self, area: Rect, buf: &mut Buffer) {
        match &self.overlay {
            Overlay::None => {}
            Overlay::Help => self.render_help(area, buf),
            Overlay::Confirm { username, host, .. } => {
                self.render_confirm(area, buf, username, host)
            }
            Overlay::History(history) => self.render_history(area, buf, history),
        }
    }

    fn render_help(&self, area: Rect, buf: &mut Buffer) {
        let t = self.texts;
        let keys = [
            ("Tab / Shift-Tab", t.help_pane),
            ("↑ ↓ j k", t.help_move),
            ("PgUp PgDn Home End", t.help_scroll),
            ("/", t.help_filter),
            ("s", t.help_sort),
            ("Enter", t.help_history),
            ("e", t.help_end),
            ("?", t.help_help),
            ("q Esc", t.help_quit),
        ];
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
        let card = centered(area, 70, lines.len() as u16 + 2);
        Clear.render(card, buf);
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(self.card(t.help_title))
            .render(card, buf);
    }

    fn render_confirm(&self, area: Rect, buf: &mut Buffer, username: &str, host: &str) {
        let t = self.texts;
        let lines = vec![
            Line::from(vec![
                Span::styled(username.to_string(), self.theme.strong()),
                Span::raw(format!(" · {host}")),
            ]),
            Line::default(),
            Line::styled(t.yes_no, self.theme.key()),
        ];
        let card = centered(area, 44, 5);
        Clear.render(card, buf);
        Paragraph::new(lines)
            .alignment(Alignment::Center)
            .block(self.card(t.confirm_end))
            .render(card, buf);
    }

    fn render_history(&self, area: Rect, buf: &mut Buffer, history: &History) {
        let t = self.texts;
        // The whole screen but the hint bar: nothing of the panes shows through.
        let card = Rect {
            height: area.height.saturating_sub(1),
            ..area
        };
        Clear.render(card, buf);
        let title = format!("{} · {} {}", t.history, history.username, history.full_name);
        let block = self.card(title.trim_end());
        let inner = block.inner(card);
        block.render(card, buf);
        let per_day_width = if inner.width >= 70 { 32 } else { 0 };
        let [list, days] =
            Layout::horizontal([Constraint::Fill(1), Constraint::Length(per_day_width)])
                .areas(inner);
        let rows: Vec<Row> = history
            .sessions
            .iter()
            .map(|s| {
                let logout = s.logout_time.map_or_else(
                    || t.still_online.to_string(),
                    |at| self.short_time(Some(at)),
                );
                let lasted = self
                    .texts
                    .lang
                    .clock(s.logout_time.unwrap_or(self.now) - s.login_time);
                let ended = s
                    .end_reason
                    .map(|r| self.texts.end_reason(r))
                    .unwrap_or_default();
                Row::new(vec![
                    Cell::from(self.texts.lang.date_time(s.login_time, self.tz)),
                    Cell::from(logout),
                    Cell::from(lasted),
                    Cell::from(Span::styled(ended, self.theme.end_reason(s.end_reason))),
                    Cell::from(s.host.clone()),
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
            ],
        )
        .header(
            Row::new([
                t.col_login,
                t.col_logout,
                t.col_duration,
                t.col_ended,
                t.col_host,
            ])
            .style(self.theme.label()),
        )
        .column_spacing(1)
        .render(list, buf);
        if per_day_width > 0 {
            let mut lines = vec![Line::styled(t.per_day, self.theme.label())];
            lines.extend(history.per_day.iter().rev().map(|(day, total)| {
                Line::from(format!(
                    "{}  {:>10}",
                    t.lang.date(*day),
                    self.texts.lang.clock(*total)
                ))
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

#[cfg(test)]
mod tests;
