//! Correcting a session from a user's history: its end moved, or the session voided,
//! with the admin's note. The form is pure like the rest of the monitor: the time
//! typed is read with the monitor's own clock and zone, and what to write goes out
//! as `Effect::Correct`.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget, Wrap};

use super::overlays::centered;
use super::{Effect, Overlay, State};
use crate::clock::{Zone, parse_time};
use crate::db::{Correction, History};
use crate::i18n::{Texts, fill};
use crate::model::{Millis, SessionLine};
use crate::tui::shown;

/// At most this much is typed in a field.
const MAX_FIELD: usize = 200;

/// Which field takes what is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    End,
    Note,
}

/// The form over a user's history, which it goes back to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub history: History,
    pub session: SessionLine,
    /// Void the session rather than move its end.
    pub void: bool,
    pub end: String,
    pub note: String,
    pub field: Field,
    /// Why the last submit was not sent.
    pub problem: Option<String>,
}

impl Form {
    /// The form for `session` of `history`, its end field holding the end recorded.
    pub fn new(history: History, session: SessionLine, void: bool, tz: Zone) -> Form {
        let end = session
            .logout_time
            .map(|at| crate::clock::format_in(at, tz, "%Y-%m-%d %H:%M"))
            .unwrap_or_default();
        Form {
            history,
            session,
            void,
            end,
            note: String::new(),
            field: if void { Field::Note } else { Field::End },
            problem: None,
        }
    }

    pub fn type_char(&mut self, c: char) {
        let text = self.focused();
        if text.chars().count() < MAX_FIELD {
            text.push(c);
        }
    }

    pub fn backspace(&mut self) {
        self.focused().pop();
    }

    pub fn next_field(&mut self) {
        if !self.void {
            self.field = match self.field {
                Field::End => Field::Note,
                Field::Note => Field::End,
            };
        }
    }

    fn focused(&mut self) -> &mut String {
        match self.field {
            Field::End => &mut self.end,
            Field::Note => &mut self.note,
        }
    }

    /// What to write, or why not (said on the form): a time that cannot be read, a
    /// blank note. The database judges the rest (an overlap, a time in the future).
    fn correction(&self, now: Millis, tz: Zone, texts: &Texts) -> Result<Correction, String> {
        let session = self.session.id;
        let correction = if self.void {
            Correction::Void { session }
        } else {
            let at = parse_time(self.end.trim(), now, tz)
                .ok_or_else(|| fill(texts.correct_bad_time, &[("text", &self.end.trim())]))?;
            Correction::End { session, at }
        };
        if self.note.trim().is_empty() {
            return Err(texts.correct_note_blank.to_string());
        }
        Ok(correction)
    }
}

/// Opens the form for the session under the history's cursor; an open session says
/// it cannot be corrected yet.
pub(super) fn open(state: &mut State, void: bool) -> Option<Effect> {
    let Overlay::History(history) = &state.overlay else {
        return None;
    };
    let session = history.sessions.get(state.history_selected)?.clone();
    if session.logout_time.is_none() {
        state.message = Some(crate::i18n::fill(
            state.texts.correct_open,
            &[("id", &session.id)],
        ));
        return None;
    }
    let form = Form::new(history.clone(), session, void, state.tz);
    state.overlay = Overlay::Correct(Box::new(form));
    None
}

/// Enter on the form: the correction goes out and the history comes back, or the form
/// says what is wrong.
pub(super) fn submit(state: &mut State) -> Option<Effect> {
    let Overlay::Correct(form) = &mut state.overlay else {
        return None;
    };
    match form.correction(state.now, state.tz, state.texts) {
        Err(problem) => {
            form.problem = Some(problem);
            None
        }
        Ok(correction) => {
            let note = form.note.trim().to_string();
            let history = form.history.clone();
            let effect = Effect::Correct {
                correction,
                note,
                user_id: history.user_id,
                offset: history.offset,
                rows: history.sessions.len().max(1),
            };
            state.overlay = Overlay::History(history);
            Some(effect)
        }
    }
}

impl State {
    pub(super) fn render_correct(&self, area: Rect, buf: &mut Buffer, form: &Form) {
        let t = self.texts;
        let session = &form.session;
        let title = if form.void {
            t.correct_title_void
        } else {
            t.correct_title_end
        };
        let title = fill(
            title,
            &[("id", &session.id), ("name", &shown(&session.username))],
        );
        let recorded = format!(
            "{} → {}  {}",
            t.lang.date_time(session.login_time, self.tz),
            session
                .logout_time
                .map(|at| t.lang.end_time(session.login_time, at, self.tz))
                .unwrap_or_default(),
            t.ended(session.end_reason, session.correction.as_deref()),
        );
        let field = |label: &str, text: &str, focused: bool| {
            let cursor = if focused { "▏" } else { "" };
            Line::from(vec![
                Span::styled(format!("{label}: "), self.theme.title()),
                Span::raw(format!("{}{cursor}", shown(text))),
            ])
        };
        let mut lines = vec![Line::from(recorded), Line::from("")];
        if !form.void {
            lines.push(field(
                t.correct_field_end,
                &form.end,
                form.field == Field::End,
            ));
        }
        lines.push(field(
            t.correct_field_note,
            &form.note,
            form.field == Field::Note,
        ));
        if let Some(problem) = &form.problem {
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(
                problem.clone(),
                self.theme.error(),
            )));
        }
        let height = lines.len() as u16 + 2;
        let width = area.width.min(72);
        let box_area = centered(area, width, height);
        Clear.render(box_area, buf);
        Paragraph::new(lines)
            .block(self.card(&title))
            .alignment(Alignment::Left)
            .wrap(Wrap { trim: false })
            .render(box_area, buf);
    }
}
