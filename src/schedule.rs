//! Expected hours: a week of spans in the office's wall-clock time (`08:00`–`16:00`,
//! with a grace), for a role or a person. Pure: the days, the spans and their one text
//! (canonical JSON, as the journal and the table keep it).

use serde::{Deserialize, Serialize};

/// The days, Monday first, as `--days` names them.
pub const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A span of a day, in minutes after local midnight, and the minutes of grace before
/// an arrival is late or a departure early.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    #[serde(with = "clock_text")]
    pub start: u16,
    #[serde(with = "clock_text")]
    pub end: u16,
    pub grace: u16,
}

/// The spans of each day, Monday first, each day's in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Week {
    pub mon: Vec<Span>,
    pub tue: Vec<Span>,
    pub wed: Vec<Span>,
    pub thu: Vec<Span>,
    pub fri: Vec<Span>,
    pub sat: Vec<Span>,
    pub sun: Vec<Span>,
}

/// Why a span cannot be set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// It ends before it starts (a span past midnight is two).
    EndsBeforeStart,
    /// It overlaps a span already set on that day (`--add`).
    Overlaps { day: &'static str },
}

impl Week {
    pub fn day(&self, index: usize) -> &[Span] {
        match index {
            0 => &self.mon,
            1 => &self.tue,
            2 => &self.wed,
            3 => &self.thu,
            4 => &self.fri,
            5 => &self.sat,
            _ => &self.sun,
        }
    }

    fn day_mut(&mut self, index: usize) -> &mut Vec<Span> {
        match index {
            0 => &mut self.mon,
            1 => &mut self.tue,
            2 => &mut self.wed,
            3 => &mut self.thu,
            4 => &mut self.fri,
            5 => &mut self.sat,
            _ => &mut self.sun,
        }
    }

    /// `span` on each of `days`: in place of the day's spans, or beside them (`add`,
    /// a split day), never overlapping one.
    pub fn set(&mut self, days: [bool; 7], span: Span, add: bool) -> Result<(), Refusal> {
        if span.end <= span.start {
            return Err(Refusal::EndsBeforeStart);
        }
        for (index, _) in days.iter().enumerate().filter(|(_, on)| **on) {
            let spans = self.day_mut(index);
            if !add {
                spans.clear();
            }
            if spans
                .iter()
                .any(|s| s.start < span.end && span.start < s.end)
            {
                return Err(Refusal::Overlaps { day: DAYS[index] });
            }
            spans.push(span);
            spans.sort_by_key(|s| s.start);
        }
        Ok(())
    }

    /// The week as the table and the journal keep it: JSON, keys sorted, no spaces.
    pub fn text(&self) -> String {
        serde_json::to_value(self)
            .map(|value| value.to_string())
            .unwrap_or_default()
    }

    pub fn parse(text: &str) -> serde_json::Result<Week> {
        serde_json::from_str(text)
    }

    /// The week as `--days` and `--start`/`--end` write it: `mon-fri 08:00-16:00+10m`.
    pub fn summary(&self) -> String {
        self.spans()
            .iter()
            .map(|(days, span)| {
                format!(
                    "{} {}-{}+{}m",
                    days_text(*days),
                    clock_text(span.start),
                    clock_text(span.end),
                    span.grace
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Each distinct span with the days it is set on, in the order of the week.
    pub fn spans(&self) -> Vec<([bool; 7], Span)> {
        let mut spans: Vec<([bool; 7], Span)> = Vec::new();
        for index in 0..7 {
            for span in self.day(index) {
                match spans.iter_mut().find(|(_, s)| s == span) {
                    Some((days, _)) => days[index] = true,
                    None => {
                        let mut days = [false; 7];
                        days[index] = true;
                        spans.push((days, *span));
                    }
                }
            }
        }
        spans
    }
}

/// `mon-fri`, `mon,wed,fri`, `sat`, `mon-wed,fri`: the days named, in any case.
pub fn parse_days(text: &str) -> Option<[bool; 7]> {
    let index = |name: &str| {
        DAYS.iter()
            .position(|d| d.eq_ignore_ascii_case(name.trim()))
    };
    let mut days = [false; 7];
    for part in text.split(',') {
        let (first, last) = match part.split_once('-') {
            Some((first, last)) => (index(first)?, index(last)?),
            None => (index(part)?, index(part)?),
        };
        if last < first {
            return None;
        }
        days[first..=last].iter_mut().for_each(|day| *day = true);
    }
    Some(days)
}

/// The days as `--days` would name them: runs of three or more as `mon-fri`.
pub fn days_text(days: [bool; 7]) -> String {
    let mut parts = Vec::new();
    let mut index = 0;
    while index < 7 {
        if !days[index] {
            index += 1;
            continue;
        }
        let first = index;
        while index + 1 < 7 && days[index + 1] {
            index += 1;
        }
        parts.push(match index - first {
            0 => DAYS[first].to_string(),
            1 => format!("{},{}", DAYS[first], DAYS[index]),
            _ => format!("{}-{}", DAYS[first], DAYS[index]),
        });
        index += 1;
    }
    parts.join(",")
}

/// `08:00` as minutes after midnight; `24:00` is the day's end.
pub fn parse_clock(text: &str) -> Option<u16> {
    let (hours, minutes) = text.trim().split_once(':')?;
    let (hours, minutes): (u16, u16) = (hours.parse().ok()?, minutes.parse().ok()?);
    let valid = minutes < 60 && (hours < 24 || (hours == 24 && minutes == 0));
    valid.then_some(hours * 60 + minutes)
}

pub fn clock_text(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// A span's times written as `HH:MM` in the JSON, as a person reads them.
mod clock_text {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(minutes: &u16, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::clock_text(*minutes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u16, D::Error> {
        let text = String::deserialize(deserializer)?;
        super::parse_clock(&text).ok_or_else(|| D::Error::custom(format!("not a time: {text}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: &str, end: &str, grace: u16) -> Span {
        Span {
            start: parse_clock(start).unwrap(),
            end: parse_clock(end).unwrap(),
            grace,
        }
    }

    #[test]
    fn days_are_read_as_an_office_writes_them() {
        let weekdays = [true, true, true, true, true, false, false];
        assert_eq!(parse_days("mon-fri"), Some(weekdays));
        assert_eq!(parse_days("Mon-Fri"), Some(weekdays));
        assert_eq!(
            parse_days("mon,wed-thu,sat"),
            Some([true, false, true, true, false, true, false])
        );
        assert_eq!(parse_days("fri-mon"), None);
        assert_eq!(parse_days("lundi"), None);
        assert_eq!(parse_days(""), None);
        assert_eq!(days_text(weekdays), "mon-fri");
        assert_eq!(
            days_text([true, true, false, false, false, true, true]),
            "mon,tue,sat,sun"
        );
    }

    #[test]
    fn clock_times_are_minutes_of_the_day() {
        assert_eq!(parse_clock("08:00"), Some(480));
        assert_eq!(parse_clock("8:05"), Some(485));
        assert_eq!(parse_clock("24:00"), Some(1440));
        for bad in ["24:01", "12:60", "noon", "12", "12:5x", "-1:00"] {
            assert_eq!(parse_clock(bad), None, "{bad}");
        }
        assert_eq!(clock_text(485), "08:05");
    }

    #[test]
    fn a_split_day_is_added_and_an_overlap_refused() {
        let mut week = Week::default();
        let weekdays = parse_days("mon-fri").unwrap();
        week.set(weekdays, span("08:00", "12:00", 10), false)
            .unwrap();
        week.set(weekdays, span("13:00", "17:00", 10), true)
            .unwrap();
        assert_eq!(week.mon.len(), 2);
        assert_eq!(
            week.set(weekdays, span("11:00", "14:00", 0), true),
            Err(Refusal::Overlaps { day: "mon" })
        );
        assert_eq!(
            week.set(weekdays, span("16:00", "08:00", 0), false),
            Err(Refusal::EndsBeforeStart)
        );
        // Set without --add: the day's spans are replaced.
        week.set(parse_days("fri").unwrap(), span("08:00", "12:00", 0), false)
            .unwrap();
        assert_eq!(week.fri, vec![span("08:00", "12:00", 0)]);
        assert_eq!(week.spans().len(), 3);
    }

    #[test]
    fn a_week_has_one_text() {
        let mut week = Week::default();
        week.set(parse_days("sat").unwrap(), span("08:00", "12:00", 5), false)
            .unwrap();
        let text = week.text();
        assert!(
            text.contains(r#""sat":[{"end":"12:00","grace":5,"start":"08:00"}]"#),
            "{text}"
        );
        assert_eq!(Week::parse(&text).unwrap(), week);
    }
}
