//! The monthly sheet on paper: one A4 page per person, each day of the month against
//! the hours expected, the totals, the journal's head as the sheet was taken, and the
//! lines where the employee and the director sign. The PDF is written with krilla, and
//! DejaVu Sans travels inside it (only the glyphs used), so that French and Creole
//! accents print the same on every machine.

use anyhow::{Result, anyhow};
use chrono::{Datelike, NaiveDate};
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla::{Document, SerializeSettings};
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

use super::{DaySheet, PersonSheet, Sheet};
use crate::clock::Zone;
use crate::i18n::{Texts, fill};
use crate::printable::escaped;

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// A4 in points, and the margin on every side.
const PAGE: (f32, f32) = (595.28, 841.89);
const MARGIN: f32 = 48.0;
const RIGHT: f32 = PAGE.0 - MARGIN;
/// The height of a day's row: 31 of them leave room for the totals and the signatures.
const ROW: f32 = 14.0;
const BODY: f32 = 8.5;

/// The sheet as a PDF: one page per person, in the language of `t`.
pub fn render(sheet: &Sheet, t: &Texts, tz: Zone) -> Result<Vec<u8>> {
    let faces = Faces {
        regular: Face::new(REGULAR)?,
        bold: Face::new(BOLD)?,
    };
    let mut document = Document::new_with(SerializeSettings::default());
    document.set_metadata(
        Metadata::new()
            .title(fill(
                t.sheet_title,
                &[("month", &month_name(&sheet.month, t))],
            ))
            .creator("konekte".into())
            .language(t.lang.tag().into()),
    );
    let settings = PageSettings::from_wh(PAGE.0, PAGE.1).ok_or_else(|| anyhow!("A4"))?;
    for person in &sheet.people {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        Pen {
            surface: &mut surface,
            faces: &faces,
        }
        .person(sheet, person, t, tz);
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|error| anyhow!("the PDF could not be made: {error:?}"))
}

/// `2026-11` as the language writes it: `November 2026`, `novembre 2026`, `novanm 2026`.
fn month_name(month: &str, t: &Texts) -> String {
    let number = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .map(|first| (first.month0() as usize, first.year()));
    match number {
        Ok((index, year)) => match t.months.split(' ').nth(index) {
            Some(name) => format!("{name} {year}"),
            None => month.to_string(),
        },
        Err(_) => month.to_string(),
    }
}

/// A font both drawn (krilla) and measured (skrifa), to align and fit text.
struct Face {
    font: Font,
    data: &'static [u8],
}

impl Face {
    fn new(data: &'static [u8]) -> Result<Face> {
        let font = Font::new(data.into(), 0).ok_or_else(|| anyhow!("the sheet's font"))?;
        FontRef::new(data).map_err(|_| anyhow!("the sheet's font"))?;
        Ok(Face { font, data })
    }

    /// The width of `text` at `size` points.
    fn width(&self, text: &str, size: f32) -> f32 {
        let Ok(font) = FontRef::new(self.data) else {
            return 0.0;
        };
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(Size::new(size), LocationRef::default());
        text.chars()
            .filter_map(|c| charmap.map(c))
            .filter_map(|glyph| metrics.advance_width(glyph))
            .sum()
    }
}

struct Faces {
    regular: Face,
    bold: Face,
}

/// Where a column's text sits: from its left edge, or against its right one.
#[derive(Clone, Copy)]
enum Align {
    Left(f32),
    Right(f32),
}

/// The columns of a day's row, in order: day, expected, first in, last out, connected,
/// difference, and the exceptions (which run to the right margin).
const COLUMNS: [Align; 7] = [
    Align::Left(MARGIN + 4.0),
    Align::Right(178.0),
    Align::Right(232.0),
    Align::Right(286.0),
    Align::Right(344.0),
    Align::Right(400.0),
    Align::Left(412.0),
];

struct Pen<'a, 'b> {
    surface: &'a mut Surface<'b>,
    faces: &'a Faces,
}

impl Pen<'_, '_> {
    fn person(&mut self, sheet: &Sheet, person: &PersonSheet, t: &Texts, tz: Zone) {
        let title = fill(t.sheet_title, &[("month", &month_name(&sheet.month, t))]);
        self.text(&self.faces.bold, 16.0, MARGIN, MARGIN + 14.0, &title);
        let name = if person.full_name.is_empty() {
            escaped(&person.user).into_owned()
        } else {
            format!("{} ({})", escaped(&person.full_name), escaped(&person.user))
        };
        let who = format!("{name} · {}", person.role.as_str());
        self.text(&self.faces.regular, 11.0, MARGIN, MARGIN + 36.0, &who);
        let mut y = MARGIN + 62.0;
        self.header(t, y);
        for (index, day) in person.days.iter().enumerate() {
            y += ROW;
            if day.expected_seconds == 0 {
                self.band(y, 0.93);
            } else if index % 2 == 1 {
                self.band(y, 0.975);
            }
            self.day(day, t, tz, y);
        }
        y += ROW;
        self.rule(y - ROW + 3.5, 0.8);
        self.totals(person, t, y);
        y += ROW * 2.8;
        y = self.notes(sheet, person, t, y);
        self.signatures(t, y.max(PAGE.1 - MARGIN - 70.0));
    }

    fn header(&mut self, t: &Texts, y: f32) {
        let titles = [
            t.col_day,
            t.col_expected,
            t.sheet_first_in,
            t.sheet_last_out,
            t.col_connected,
            t.col_difference,
            t.col_exception,
        ];
        let widths = column_widths();
        for ((align, title), width) in COLUMNS.iter().zip(titles).zip(widths) {
            self.cell(&self.faces.bold, BODY - 0.5, *align, y, width, title);
        }
        self.rule(y + 3.5, 0.8);
    }

    fn day(&mut self, day: &DaySheet, t: &Texts, tz: Zone, y: f32) {
        let time = |at: Option<i64>| at.map(|at| t.lang.time(at, tz)).unwrap_or_default();
        let difference = (day.connected_seconds - day.expected_seconds) * 1000;
        let expected = day.expected_seconds * 1000;
        let mark = if day.corrected { " *" } else { "" };
        let cells = [
            day_label(&day.day, t),
            if expected > 0 {
                t.lang.duration(expected)
            } else {
                String::new()
            },
            time(day.first_login),
            time(day.last_logout),
            if day.connected_seconds > 0 {
                format!("{}{mark}", t.lang.duration(day.connected_seconds * 1000))
            } else {
                mark.trim().to_string()
            },
            signed(difference, t, expected > 0 || day.connected_seconds > 0),
            remarks(day, t),
        ];
        let widths = column_widths();
        for ((align, text), width) in COLUMNS.iter().zip(&cells).zip(widths) {
            self.cell(&self.faces.regular, BODY, *align, y, width, text);
        }
    }

    fn totals(&mut self, person: &PersonSheet, t: &Texts, y: f32) {
        let totals = &person.totals;
        let bold = &self.faces.bold;
        let widths = column_widths();
        let cells = [
            (0, t.sheet_total.to_string()),
            (1, t.lang.duration(totals.expected_seconds * 1000)),
            (4, t.lang.duration(totals.connected_seconds * 1000)),
            (5, signed(totals.difference_seconds * 1000, t, true)),
        ];
        for (column, text) in cells {
            self.cell(bold, BODY, COLUMNS[column], y, widths[column], &text);
        }
        let counts = fill(
            t.sheet_counts,
            &[("absent", &totals.days_absent), ("late", &totals.days_late)],
        );
        let regular = &self.faces.regular;
        self.cell(
            regular,
            BODY,
            COLUMNS[0],
            y + ROW * 1.2,
            RIGHT - MARGIN,
            &counts,
        );
    }

    /// The mark of a correction explained, the time the sheet was taken and the
    /// journal's head: returns where the next line may go.
    fn notes(&mut self, sheet: &Sheet, person: &PersonSheet, t: &Texts, mut y: f32) -> f32 {
        let regular = &self.faces.regular;
        let width = RIGHT - MARGIN;
        if person.days.iter().any(|day| day.corrected) {
            self.cell(
                regular,
                7.5,
                Align::Left(MARGIN),
                y,
                width,
                t.sheet_corrected,
            );
            y += 12.0;
        }
        self.cell(regular, 7.0, Align::Left(MARGIN), y, width, t.sheet_witness);
        y += 10.0;
        self.cell(
            regular,
            7.0,
            Align::Left(MARGIN),
            y,
            width,
            &sheet.checkpoint,
        );
        y + 10.0
    }

    fn signatures(&mut self, t: &Texts, y: f32) {
        let half = (RIGHT - MARGIN) / 2.0;
        for (index, label) in [t.sheet_sign_employee, t.sheet_sign_director]
            .into_iter()
            .enumerate()
        {
            let left = MARGIN + index as f32 * (half + 12.0);
            let right = left + half - 12.0;
            self.line(left, right, y + 40.0, 0.6);
            self.text(&self.faces.regular, 8.0, left, y + 51.0, label);
            let date = format!("{}{}", t.sheet_date, t.lang.colon());
            self.text(&self.faces.regular, 8.0, left, y + 66.0, &date);
        }
    }

    /// `text` in a column of `width`, made smaller if it would not fit.
    fn cell(&mut self, face: &Face, size: f32, align: Align, y: f32, width: f32, text: &str) {
        if text.is_empty() {
            return;
        }
        let natural = face.width(text, size);
        let size = if natural > width {
            (size * width / natural).max(4.0)
        } else {
            size
        };
        let x = match align {
            Align::Left(x) => x,
            Align::Right(x) => x - face.width(text, size),
        };
        self.text(face, size, x, y, text);
    }

    fn text(&mut self, face: &Face, size: f32, x: f32, y: f32, text: &str) {
        self.surface.set_fill(Some(Fill::default()));
        let font = face.font.clone();
        let at = Point::from_xy(x, y);
        self.surface
            .draw_text(at, font, size, text, false, TextDirection::Auto);
    }

    /// A row's background, light grey: darker on a day with no hours expected.
    fn band(&mut self, baseline: f32, grey: f32) {
        let Some(rect) = Rect::from_xywh(MARGIN, baseline - ROW + 3.5, RIGHT - MARGIN, ROW) else {
            return;
        };
        let mut path = PathBuilder::new();
        path.push_rect(rect);
        let Some(path) = path.finish() else { return };
        let level = (grey * 255.0) as u8;
        self.surface.set_stroke(None);
        self.surface.set_fill(Some(Fill {
            paint: rgb::Color::new(level, level, level).into(),
            ..Fill::default()
        }));
        self.surface.draw_path(&path);
    }

    fn rule(&mut self, y: f32, width: f32) {
        self.line(MARGIN, RIGHT, y, width);
    }

    fn line(&mut self, from: f32, to: f32, y: f32, width: f32) {
        let mut path = PathBuilder::new();
        path.move_to(from, y);
        path.line_to(to, y);
        let Some(path) = path.finish() else { return };
        self.surface.set_fill(None);
        self.surface.set_stroke(Some(Stroke {
            width,
            ..Stroke::default()
        }));
        self.surface.draw_path(&path);
        self.surface.set_stroke(None);
    }
}

/// The room each column has, up to the next one (the last runs to the margin).
fn column_widths() -> [f32; 7] {
    [70.0, 52.0, 48.0, 48.0, 52.0, 50.0, RIGHT - 412.0]
}

/// `Mon 02`, `lun. 02`, `len 02`: the day's name and its number.
fn day_label(day: &str, t: &Texts) -> String {
    match NaiveDate::parse_from_str(day, "%Y-%m-%d") {
        Ok(date) => {
            let index = date.weekday().num_days_from_monday() as usize;
            let name = t.week_days.split(' ').nth(index).unwrap_or_default();
            format!("{name} {:02}", date.day())
        }
        Err(_) => day.to_string(),
    }
}

/// A difference with its sign, `+0:12:00` or `-1:30:00`; nothing on a day with
/// neither hours expected nor time connected (`shown` false).
fn signed(millis: i64, t: &Texts, shown: bool) -> String {
    if !shown {
        return String::new();
    }
    let sign = if millis < 0 { "-" } else { "+" };
    format!("{sign}{}", t.lang.duration(millis.abs()))
}

/// What the last column says of a day: its exceptions, or the holiday or leave it is.
fn remarks(day: &DaySheet, t: &Texts) -> String {
    let mut words: Vec<String> = day.kinds.iter().map(|kind| kind.word(t).into()).collect();
    if let Some(name) = &day.holiday {
        words.push(fill(t.sheet_holiday, &[("name", &escaped(name))]));
    }
    if day.leave {
        words.push(t.sheet_leave.into());
    }
    words.join(", ")
}
