//! The monitor drawn: the header card, the status line, and the three panes (all
//! users, online now, recently offline) as tables that fit their width.

use super::keys::KEYS;
use super::update::visible_offset;
use super::*;
use crate::model::way_in;

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
        let sessions = fill(t.sessions_open, &[("count", &counts.online_sessions)]);
        let marks = self.snapshot.attendance.as_ref().map(|attendance| {
            let text = fill(
                t.late_absent,
                &[("late", &attendance.late), ("absent", &attendance.absent)],
            );
            let style = if attendance.late + attendance.absent > 0 {
                self.theme.notice()
            } else {
                self.theme.label()
            };
            Span::styled(text, style)
        });
        // What fits beside the clock: the sessions go first, then the day's marks.
        let room = usize::from(inner.width).saturating_sub(right.width() + 1);
        let wanted = |parts: &[&str]| {
            parts.iter().map(|part| part.width() + 3).sum::<usize>() + people.width() + 3
        };
        let marks_text = marks
            .as_ref()
            .map_or(String::new(), |m| m.content.to_string());
        let (with_sessions, with_marks) = match marks {
            Some(_) if wanted(&[&sessions, &marks_text]) <= room => (true, true),
            Some(_) if wanted(&[&marks_text]) <= room => (false, true),
            _ => (wanted(&[&sessions]) <= room, false),
        };
        let mut left = vec![Span::styled(people, self.theme.strong())];
        if with_sessions {
            left.push(Span::raw(format!(" · {sessions}")));
        }
        if let Some(marks) = marks.filter(|_| with_marks) {
            left.push(Span::raw(" · "));
            left.push(marks);
        }
        left.push(pulse);
        Line::from(left).render(inner, buf);
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
    pub(super) fn status_spans(&self) -> Vec<Span<'static>> {
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
        let said = if let Some(unusable) = self.db.unusable {
            Some(unusable.text(t).to_string())
        } else if let Some(text) = self.db.link.text(t) {
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
    pub(super) fn duration_width(&self) -> Constraint {
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

    /// How a session ended, as narrow as its column: an admin's correction is a mark
    /// (`idle*`), its note in the note column.
    pub(super) fn ended_cell(&self, s: &SessionLine) -> Cell<'static> {
        let mut ended = s
            .end_reason
            .map(|r| self.texts.end_reason(r))
            .unwrap_or_default()
            .to_string();
        if s.correction.is_some() {
            ended.push('*');
        }
        Cell::from(Span::styled(ended, self.theme.end_reason(s.end_reason)))
    }

    /// As wide as the longest way a session ends in this language.
    pub(super) fn end_width(&self) -> Constraint {
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
            |s: &SessionLine| {
                Cell::from(Span::styled(
                    role_name(s.role),
                    self.theme.role_or_none(s.role),
                ))
            },
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
                t.col_via,
                Constraint::Length(7),
                Shown::From100,
                |s: &SessionLine| Cell::from(shown(way_in(s.service.as_deref()))),
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
                |s: &SessionLine| self.ended_cell(s),
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
    pub(super) fn short_time(&self, at: Option<Millis>) -> String {
        let Some(at) = at else { return "-".into() };
        let day = |t| format_in(t, self.tz, "%Y-%m-%d");
        if day(at) == day(self.now) {
            format_in(at, self.tz, "%H:%M")
        } else {
            self.texts.lang.short_date_time(at, self.tz)
        }
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
