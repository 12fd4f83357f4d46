//! The monitor's "today": one row a person connected since midnight, their sessions as
//! bars across the working day, the one still open growing with the clock; and the
//! history's bars of connected time a day.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Widget};

use super::State;
use crate::attendance::{Piece, Tally};
use crate::clock::{Zone, day_after, format_in, hour_of_day, start_of_day};
use crate::exceptions::{DayAttendance, Kind, PersonDay};
use crate::model::{Bar, Person};
use crate::model::{EndReason, Millis};
use crate::tui::{Theme, pad_to};

const HOUR: Millis = 3_600_000;
/// The working day the axis shows at least, in local hours.
const WORKDAY: (u32, u32) = (7, 19);
/// An ended session, a session still open, and the time now, as the bars draw them.
const ENDED: char = '━';
const OPEN: char = '█';
const NOW: char = '│';
/// The hours expected of a person, behind their bars.
const EXPECTED: char = '░';

/// The day shown, as instants: its two midnights and its working hours, each local
/// time with the offset of its own instant (a day of 23 or 25 hours when the clocks
/// change: 07:00 on 1 November in Port-au-Prince is 8 hours after midnight).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Day {
    pub start: Millis,
    pub end: Millis,
    pub work: (Millis, Millis),
}

impl Day {
    pub fn of(now: Millis, tz: Zone) -> Day {
        let start = start_of_day(now, tz);
        let hour = |h: u32| hour_of_day(now, h, tz).unwrap_or(start + Millis::from(h) * HOUR);
        Day {
            start,
            end: day_after(start, tz).unwrap_or(start + 24 * HOUR),
            work: (hour(WORKDAY.0), hour(WORKDAY.1)),
        }
    }
}

/// The hours the axis spans: the working day, widened to whatever the day's sessions
/// and the clock reach, in whole hours, within the day.
pub fn axis(day: &Day, now: Millis, people: &[Person]) -> (Millis, Millis) {
    let (mut start, mut end) = day.work;
    for bar in people.iter().flat_map(|person| &person.bars) {
        start = start.min(bar.login.max(day.start));
        end = end.max(bar.logout.unwrap_or(now).min(day.end));
    }
    end = end.max(now.min(day.end));
    let floor = |at: Millis| day.start + (at - day.start) / HOUR * HOUR;
    let ceil = |at: Millis| floor(at + HOUR - 1);
    (floor(start), ceil(end).min(day.end))
}

/// What a cell of a row of `width` cells across [start, end) shows: the bar that covers
/// most of it (an open one over an ended one), if any covers it at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    Empty,
    Ended(Option<EndReason>),
    Open,
}

pub fn cells(bars: &[Bar], (start, end): (Millis, Millis), width: u16, now: Millis) -> Vec<Cell> {
    let width = usize::from(width).max(1);
    let span = (end - start).max(1);
    let at = |i: usize| start + span * i as Millis / width as Millis;
    (0..width)
        .map(|i| {
            let (from, to) = (at(i), at(i + 1));
            let covering = bars.iter().filter(|bar| {
                let bar_end = bar.logout.unwrap_or(now);
                bar.login < to && bar_end > from
            });
            covering.fold(Cell::Empty, |cell, bar| match (cell, bar.logout) {
                (_, None) => Cell::Open,
                (Cell::Open, _) => Cell::Open,
                (_, Some(_)) => Cell::Ended(bar.end_reason),
            })
        })
        .collect()
}

/// A person's connected time of the day so far, two terminals at once counted once.
pub fn connected_today(bars: &[Bar], day_start: Millis, now: Millis) -> Millis {
    let mut tally = Tally::default();
    for bar in bars {
        tally.add(Piece {
            corrected: false,
            session: bar.session,
            from: bar.login.max(day_start),
            to: bar.logout.unwrap_or(now).min(now),
            login: bar.login,
            logout: bar.logout,
        });
    }
    tally.connected
}

/// How many people the view shows in `height` lines: its frame and its axis aside.
pub fn rows_for(height: u16) -> usize {
    usize::from(height.saturating_sub(3)).max(1)
}

impl State {
    pub(super) fn render_today(&self, area: Rect, buf: &mut Buffer) {
        let t = self.texts;
        let today = Day::of(self.now, self.tz);
        let day_start = today.start;
        let timeline = self.snapshot.timeline.clone().unwrap_or_default();
        let day = t
            .lang
            .date(crate::clock::day_of(self.now, self.tz).unwrap_or_default());
        let mut title = format!(" {} · {day} ", t.today_title);
        if area.width >= 60 {
            title.push_str(&format!(
                "· {OPEN} {}  {ENDED} {} ",
                t.legend_open, t.legend_ended
            ));
            if self.snapshot.attendance.is_some() {
                title.push_str(&format!(" {EXPECTED} {} ", t.legend_expected));
            }
        }
        let block = Block::bordered()
            .border_type(BorderType::Rounded)
            .border_style(self.theme.title())
            .title(Span::styled(title, self.theme.title()));
        let inner = block.inner(area);
        block.render(area, buf);
        if timeline.people.is_empty() {
            Paragraph::new(Span::styled(t.today_nobody, self.theme.label()))
                .alignment(Alignment::Center)
                .render(inner, buf);
            return;
        }
        let name_width = timeline
            .people
            .iter()
            .map(|person| unicode_width::UnicodeWidthStr::width(person.username.as_str()))
            .max()
            .unwrap_or(0)
            .clamp(4, 20);
        let total_width = 9;
        let attendance = self.snapshot.attendance.as_deref();
        let mark_width = mark_width(attendance, &timeline.people, inner.width >= 60, t);
        let bars_width = inner.width.saturating_sub(
            name_width as u16 + 1 + total_width + 1 + mark_width.map_or(0, |w| w as u16 + 1),
        );
        let axis = axis(&today, self.now, &timeline.people);
        let axis_line = self.axis_line(axis, name_width, bars_width);
        axis_line.render(Rect { height: 1, ..inner }, buf);
        for (row, person) in timeline.people.iter().enumerate() {
            let y = inner.y + 1 + row as u16;
            if y >= inner.bottom() {
                break;
            }
            let selected = timeline.offset + row == self.today_selected;
            let day = attendance.and_then(|attendance| attendance.people.get(&person.user_id));
            let columns = Columns {
                axis,
                name_width,
                bars_width,
                mark_width,
                day_start,
            };
            let line = self.person_line(person, day, &columns);
            let line = if selected {
                line.style(self.theme.focused())
            } else {
                line
            };
            line.render(
                Rect {
                    y,
                    height: 1,
                    ..inner
                },
                buf,
            );
        }
    }

    /// The hours along the top, where there is room for them, and now.
    fn axis_line(
        &self,
        (start, end): (Millis, Millis),
        name_width: usize,
        width: u16,
    ) -> Line<'static> {
        let width = usize::from(width);
        let hours = ((end - start) / HOUR).max(1) as usize;
        // Every hour if it fits, else every second, third...: a label needs 3 cells.
        let every = (1..=hours)
            .find(|step| width * step / hours >= 3)
            .unwrap_or(hours);
        let mut cells = vec![' '; width];
        for hour in (0..hours).step_by(every) {
            let at = start + hour as Millis * HOUR;
            let column = width * hour / hours;
            let label = format_in(at, self.tz, "%H");
            for (i, c) in label.chars().enumerate() {
                if let Some(cell) = cells.get_mut(column + i) {
                    *cell = c;
                }
            }
        }
        Line::from(vec![
            Span::raw(" ".repeat(name_width + 1)),
            Span::styled(cells.into_iter().collect::<String>(), self.theme.label()),
        ])
    }

    fn person_line(
        &self,
        person: &Person,
        day: Option<&PersonDay>,
        columns: &Columns,
    ) -> Line<'static> {
        let width = columns.bars_width;
        let now_column = now_column(columns.axis, width, self.now);
        let mut spans = vec![Span::styled(
            format!("{} ", pad_to(&person.username, columns.name_width)),
            self.theme.role(person.role),
        )];
        let expected = day.map_or(&[][..], |day| day.expected.as_slice());
        let expected_cells = expected_cells(expected, columns.axis, width);
        for (i, cell) in cells(&person.bars, columns.axis, width, self.now)
            .into_iter()
            .enumerate()
        {
            let expected = expected_cells.get(i).copied().unwrap_or(false);
            spans.push(bar_span(self.theme, cell, Some(i) == now_column, expected));
        }
        let connected = connected_today(&person.bars, columns.day_start, self.now);
        spans.push(Span::raw(format!(
            " {:>9}",
            self.texts.lang.duration(connected)
        )));
        if let Some(mark_width) = columns.mark_width {
            let kinds = day.map_or(&[][..], |day| day.kinds.as_slice());
            let mark = mark(kinds, mark_width, self.texts);
            spans.push(Span::styled(format!(" {mark}"), self.theme.notice()));
        }
        Line::from(spans)
    }
}

/// Where a row's parts go across the view.
struct Columns {
    axis: (Millis, Millis),
    name_width: usize,
    bars_width: u16,
    /// The room for what is wrong with a person's day (`None`: no schedule kept).
    mark_width: Option<usize>,
    day_start: Millis,
}

/// The kinds a row of the day names, most telling first.
const MARKED: [Kind; 4] = [Kind::Absent, Kind::Late, Kind::LeftEarly, Kind::NoLogout];

/// What the last column says of a person's day: the most telling of its exceptions, in
/// words where there is room (`width` > 1), else `!`.
fn mark(kinds: &[Kind], width: usize, t: &crate::i18n::Texts) -> String {
    let Some(kind) = MARKED.iter().find(|kind| kinds.contains(kind)) else {
        return String::new();
    };
    if width <= 1 {
        return "!".into();
    }
    pad_to(kind.word(t), width)
}

/// The room the marks of the people shown need: the longest word, or one cell on a
/// narrow screen; `None` when the office keeps no schedule.
fn mark_width(
    attendance: Option<&DayAttendance>,
    people: &[Person],
    wide: bool,
    t: &crate::i18n::Texts,
) -> Option<usize> {
    let attendance = attendance?;
    if !wide {
        return Some(1);
    }
    let longest = people
        .iter()
        .filter_map(|person| attendance.people.get(&person.user_id))
        .filter_map(|day| MARKED.iter().find(|kind| day.kinds.contains(kind)))
        .map(|kind| unicode_width::UnicodeWidthStr::width(kind.word(t)))
        .max();
    Some(longest.unwrap_or(1).min(16))
}

/// Which cells of a row of `width` fall mostly within the hours expected.
fn expected_cells(
    expected: &[(Millis, Millis)],
    (start, end): (Millis, Millis),
    width: u16,
) -> Vec<bool> {
    let width = usize::from(width).max(1);
    let span = (end - start).max(1);
    (0..width)
        .map(|i| {
            let middle = start + span * (2 * i as Millis + 1) / (2 * width as Millis);
            expected
                .iter()
                .any(|(from, to)| (*from..*to).contains(&middle))
        })
        .collect()
}

/// The cell of the row where now is, if now is on the axis.
fn now_column((start, end): (Millis, Millis), width: u16, now: Millis) -> Option<usize> {
    (start..end)
        .contains(&now)
        .then(|| ((now - start) * Millis::from(width) / (end - start).max(1)) as usize)
}

fn bar_span(theme: Theme, cell: Cell, is_now: bool, expected: bool) -> Span<'static> {
    match cell {
        Cell::Open => Span::styled(OPEN.to_string(), theme.online()),
        Cell::Ended(reason) => Span::styled(ENDED.to_string(), theme.end_reason(reason)),
        Cell::Empty if is_now => Span::styled(NOW.to_string(), theme.label()),
        Cell::Empty if expected => Span::styled(EXPECTED.to_string(), theme.label()),
        Cell::Empty => Span::styled(" ".to_string(), Style::new()),
    }
}

/// The bars of a user's history, one a day: `cells` cells for the longest day.
pub fn day_bar(total: Millis, longest: Millis, cells: usize) -> String {
    const EIGHTHS: [char; 8] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];
    if total <= 0 || longest <= 0 {
        return String::new();
    }
    let eighths = ((total as f64 / longest as f64) * (cells * 8) as f64).round() as usize;
    let eighths = eighths.max(1);
    let mut bar = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        bar.push(EIGHTHS[eighths % 8 - 1]);
    }
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: Millis = 20 * 24 * HOUR;

    fn bar(login: Millis, logout: Option<Millis>) -> Bar {
        Bar {
            session: login,
            login,
            logout,
            end_reason: logout.map(|_| EndReason::Logout),
        }
    }

    fn person(bars: Vec<Bar>) -> Person {
        Person {
            user_id: 1,
            username: "ann".into(),
            role: crate::model::Role::Archives,
            bars,
        }
    }

    #[test]
    fn the_axis_is_the_working_day_widened_to_what_happened() {
        let now = DAY + 10 * HOUR;
        let day = Day::of(now, Zone::UTC);
        assert_eq!(
            day,
            Day {
                start: DAY,
                end: DAY + 24 * HOUR,
                work: (DAY + 7 * HOUR, DAY + 19 * HOUR)
            }
        );
        assert_eq!(axis(&day, now, &[]), (DAY + 7 * HOUR, DAY + 19 * HOUR));
        let early = person(vec![bar(DAY + 5 * HOUR + 1, Some(DAY + 6 * HOUR))]);
        assert_eq!(axis(&day, now, &[early]).0, DAY + 5 * HOUR);
        // Last night's session starts the axis at midnight; a late one ends it later.
        let night = person(vec![bar(DAY - HOUR, None)]);
        let late = DAY + 21 * HOUR + 30 * 60_000;
        assert_eq!(axis(&day, late, &[night]), (DAY, DAY + 22 * HOUR));
    }

    #[test]
    fn a_day_of_25_hours_is_drawn_to_its_end() {
        // 1 November in Port-au-Prince: midnight at UTC-4, the clocks back at 02:00,
        // 07:00 and 19:00 at UTC-5, the next midnight 25 hours on.
        let day = Day {
            start: DAY,
            end: DAY + 25 * HOUR,
            work: (DAY + 8 * HOUR, DAY + 20 * HOUR),
        };
        let late = DAY + 24 * HOUR + 30 * 60_000; // 23:30 local
        let open = person(vec![bar(DAY + 9 * HOUR, None)]);
        assert_eq!(axis(&day, late, &[open]), (DAY + 8 * HOUR, DAY + 25 * HOUR));
    }

    #[test]
    fn cells_show_the_bars_and_an_open_one_grows_to_now() {
        let axis = (DAY + 8 * HOUR, DAY + 12 * HOUR);
        let bars = [
            bar(DAY + 8 * HOUR, Some(DAY + 9 * HOUR)),
            bar(DAY + 10 * HOUR, None),
        ];
        // Four cells of an hour; now is 11:00.
        let now = DAY + 11 * HOUR;
        let shown = cells(&bars, axis, 4, now);
        assert_eq!(
            shown,
            [
                Cell::Ended(Some(EndReason::Logout)),
                Cell::Empty,
                Cell::Open,
                Cell::Empty
            ]
        );
        assert_eq!(cells(&bars, axis, 4, DAY + 12 * HOUR)[3], Cell::Open);
        assert_eq!(now_column(axis, 4, now), Some(3));
        assert_eq!(now_column(axis, 4, DAY + 13 * HOUR), None);
    }

    #[test]
    fn the_days_time_counts_two_terminals_once_and_starts_at_midnight() {
        let bars = [
            bar(DAY - HOUR, Some(DAY + HOUR)),
            bar(DAY + 8 * HOUR, Some(DAY + 10 * HOUR)),
            bar(DAY + 9 * HOUR, None),
        ];
        assert_eq!(connected_today(&bars, DAY, DAY + 11 * HOUR), 4 * HOUR);
    }

    #[test]
    fn day_bars_are_as_long_as_their_share_of_the_longest_day() {
        assert_eq!(day_bar(8 * HOUR, 8 * HOUR, 4), "████");
        assert_eq!(day_bar(HOUR, 8 * HOUR, 4), "▌");
        assert_eq!(day_bar(0, 8 * HOUR, 4), "");
        assert_eq!(day_bar(60_000, 8 * HOUR, 4), "▏", "a minute still shows");
    }
}
