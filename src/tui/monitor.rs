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

use super::{
    Binding, Key, Theme, action_of, help_of, hints_of, key_hints, pad_to, role_name, shown,
};
use super::{render_too_small, session::idle_warning};
use crate::clock::{Zone, format_in};
use crate::db::{Correction, History, PaneSort, Query, Snapshot, UsersAnchor};
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
    Confirm(Box<ToEnd>),
    /// Leaving the demo removes its database: asked first.
    ConfirmQuit,
    History(History),
    /// Correcting a session of the history: its end moved, or voided.
    Correct(Box<correct::Form>),
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
    /// The history's row under the cursor, on its page.
    pub history_selected: usize,
    /// The time left before the admin's session ends for inactivity, in its last minute.
    pub idle_left: Option<Millis>,
    /// Whether the database answers, and whether it can take logins.
    pub db: super::DbStatus,
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
    /// What the station knows of the database now.
    Database(super::DbStatus),
    /// The time left before the admin's own session ends for inactivity, in its last
    /// minute (`None` otherwise).
    IdleLeft(Option<Millis>),
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
    /// An admin's correction of a session of the history, which is loaded again
    /// after (`user_id`, `offset`, `rows`).
    Correct {
        correction: Correction,
        note: String,
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
            history_selected: 0,
            idle_left: None,
            db: super::DbStatus::default(),
            theme,
            texts,
        }
    }

    /// What to load for the screen as it is now.
    /// The monitor as a station opens it: the admin's own session (which it will not
    /// offer to end), the kiosk's banner, and what leaving asks first.
    #[must_use]
    pub fn opened(
        mut self,
        own_session: i64,
        banner: Option<String>,
        confirm_quit: Option<Leaving>,
    ) -> State {
        self.own_session = Some(own_session);
        self.banner = banner;
        self.confirm_quit = confirm_quit;
        self
    }

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
            Pane::Online => self.selected_online().and_then(|s| s.user_id),
            Pane::Offline => self
                .snapshot
                .offline
                .get(self.offline_selected)
                .and_then(|s| s.user_id),
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

mod correct;
mod keys;
mod overlays;
mod panes;
mod update;

pub use update::update;

mod today;

#[cfg(test)]
mod tests;
