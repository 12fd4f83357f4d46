//! What the monitor draws over its panes: the help, the confirmation of an end, and a
//! user's history.

use super::keys::KEYS;
use super::*;

impl State {
    pub(super) fn render_overlay(&self, area: Rect, buf: &mut Buffer) {
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
            Overlay::Correct(form) => {
                self.render_history(area, buf, &form.history);
                self.render_correct(area, buf, form);
            }
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
    pub(super) fn help_lines(&self) -> (u16, u16) {
        let (_, _, total) = self.help_paragraph(self.width);
        // The card's borders, and the hint bar below it.
        (total, self.height.saturating_sub(3))
    }

    pub(super) fn help_overflows(&self) -> bool {
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
                Span::styled(role_name(s.role), self.theme.role_or_none(s.role)),
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
        let mut inner = block.inner(card);
        block.render(card, buf);
        // What an action on it came to (a correction made, or refused), on its last line.
        if let Some(message) = &self.message
            && inner.height > 2
        {
            inner.height -= 1;
            let line = Rect {
                y: inner.y + inner.height,
                height: 1,
                ..inner
            };
            Paragraph::new(Span::styled(shown(message), self.theme.notice())).render(line, buf);
        }
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
            .enumerate()
            .map(|(i, s)| {
                let logout = s.logout_time.map_or_else(
                    || t.still_online.to_string(),
                    |at| t.lang.end_time(s.login_time, at, self.tz),
                );
                let lasted = self
                    .texts
                    .lang
                    .duration(s.logout_time.unwrap_or(self.now) - s.login_time);
                Row::new(vec![
                    Cell::from(self.texts.lang.date_time(s.login_time, self.tz)),
                    Cell::from(logout),
                    Cell::from(lasted),
                    self.ended_cell(s),
                    Cell::from(shown(&s.host)),
                    Cell::from(shown(s.ended_by.as_deref().unwrap_or_default())),
                    Cell::from(shown(
                        s.end_note
                            .as_deref()
                            .or(s.correction_note.as_deref())
                            .unwrap_or_default(),
                    )),
                ])
                .style(if i == self.history_selected {
                    self.theme.focused()
                } else {
                    Style::new()
                })
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

    pub(super) fn card(&self, title: &str) -> Block<'static> {
        Block::bordered()
            .border_type(BorderType::Rounded)
            .title(Span::styled(format!(" {title} "), self.theme.title()))
    }
}

/// A rectangle of at most `width` × `height`, centred in `area`.
pub(super) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [card] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    card
}
