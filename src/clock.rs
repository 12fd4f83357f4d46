//! Time as stored (UTC milliseconds) and as shown (RFC 3339 for scripts, local for people).

use chrono::{
    DateTime, FixedOffset, Local, LocalResult, NaiveDate, NaiveDateTime, Offset, SecondsFormat,
    TimeZone, Utc,
};

use crate::model::Millis;

pub fn now_ms() -> Millis {
    Utc::now().timestamp_millis()
}

/// `2026-11-24T09:15:02Z`: what CSV and JSON carry.
pub fn rfc3339(at: Millis) -> String {
    DateTime::from_timestamp_millis(at)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// The office's time zone: the machine's, whose offset changes with daylight saving
/// time (Haiti's does, in March and November), or a fixed offset (tests). Every local
/// time is read and written with the offset of its own instant: a summer login keeps
/// its summer hour when it is listed in winter, 1 November 2026 in Port-au-Prince has
/// 25 hours and 8 March 23. Screens take it as state, so that tests can fix it.
///
/// A local time that happens twice (the hour repeated when the clocks go back) is the
/// first of the two; one that never happens (the hour skipped when they go forward) is
/// read with the offset of before the change: 02:30 on 8 March 2026 is 03:30.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    Local,
    Fixed(FixedOffset),
}

impl Zone {
    pub const UTC: Zone = Zone::Fixed(FixedOffset::east_opt(0).expect("UTC"));

    /// The offset from UTC at `at`.
    pub fn offset_at(self, at: Millis) -> FixedOffset {
        match self {
            Zone::Local => local_offset_at(at),
            Zone::Fixed(offset) => offset,
        }
    }

    /// The instant of the local time `naive` (see the type for the hours that happen
    /// twice or never).
    pub fn instant(self, naive: NaiveDateTime) -> Option<Millis> {
        use chrono::{Datelike, Timelike};
        use std::cell::RefCell;
        // Asking the zone is costly, and a report asks it for the same few midnights
        // once per session: a million times over the whole history. The times asked are
        // kept in a table of slots, one for each hour of about six weeks.
        const SLOTS: usize = 1024;
        /// A local time asked, and its instant.
        type Kept = Option<(NaiveDateTime, Option<Millis>)>;
        thread_local! {
            static KNOWN: RefCell<Vec<Kept>> = RefCell::new(vec![None; SLOTS]);
        }
        if self != Zone::Local {
            return self.instant_uncached(naive);
        }
        let hour = i64::from(naive.date().num_days_from_ce()) * 24 + i64::from(naive.hour());
        KNOWN.with_borrow_mut(|known| {
            kept_in_slots(known, hour, naive, || self.instant_uncached(naive))
        })
    }

    fn instant_uncached(self, naive: NaiveDateTime) -> Option<Millis> {
        let at = |offset: FixedOffset| (naive - offset).and_utc().timestamp_millis();
        match self.offset_from_local_datetime(&naive) {
            LocalResult::Single(offset) => Some(at(offset)),
            LocalResult::Ambiguous(one, other) => Some(at(one).min(at(other))),
            LocalResult::None => {
                let day_before = (naive - chrono::Duration::days(1))
                    .and_utc()
                    .timestamp_millis();
                let before = self.offset_at(day_before);
                Some((naive - before).and_utc().timestamp_millis())
            }
        }
    }
}

impl TimeZone for Zone {
    type Offset = FixedOffset;

    fn from_offset(offset: &FixedOffset) -> Zone {
        Zone::Fixed(*offset)
    }

    fn offset_from_local_date(&self, local: &NaiveDate) -> LocalResult<FixedOffset> {
        match self {
            Zone::Local => Local.offset_from_local_date(local).map(|o| o.fix()),
            Zone::Fixed(offset) => LocalResult::Single(*offset),
        }
    }

    fn offset_from_local_datetime(&self, local: &NaiveDateTime) -> LocalResult<FixedOffset> {
        match self {
            Zone::Local => Local.offset_from_local_datetime(local).map(|o| o.fix()),
            Zone::Fixed(offset) => LocalResult::Single(*offset),
        }
    }

    fn offset_from_utc_date(&self, utc: &NaiveDate) -> FixedOffset {
        match self {
            Zone::Local => Local.offset_from_utc_date(utc).fix(),
            Zone::Fixed(offset) => *offset,
        }
    }

    fn offset_from_utc_datetime(&self, utc: &NaiveDateTime) -> FixedOffset {
        self.offset_at(utc.and_utc().timestamp_millis())
    }
}

/// The machine's offset from UTC at `at`: a summer login keeps its summer hour when it
/// is listed in winter (Haiti keeps daylight saving time).
fn local_offset_at(at: Millis) -> FixedOffset {
    use std::cell::RefCell;
    // Offsets change only on a quarter hour (every zone's transitions fall on one), and
    // asking the zone is costly: a listing of 100 000 users asks 200 000 times, a report
    // over a million sessions several million. The quarters asked are kept in a table
    // of slots, one for each quarter of about six weeks: a look-up is a compare.
    const QUARTER_HOUR: Millis = 15 * 60_000;
    const SLOTS: usize = 4096;
    thread_local! {
        static KNOWN: RefCell<Vec<Option<(Millis, FixedOffset)>>> =
            RefCell::new(vec![None; SLOTS]);
    }
    let quarter = at.div_euclid(QUARTER_HOUR);
    KNOWN.with_borrow_mut(|known| {
        kept_in_slots(known, quarter, quarter, || {
            Local
                .timestamp_millis_opt(quarter * QUARTER_HOUR)
                .single()
                .map_or_else(|| Local::now().offset().fix(), |t| t.offset().fix())
        })
    })
}

/// The value of `key` from a table of slots (its slot chosen by `number`), made and
/// kept there the first time: a look-up is an index and a compare, and a key of
/// another time in the same slot takes its place.
fn kept_in_slots<K: Copy + PartialEq, V: Copy>(
    slots: &mut [Option<(K, V)>],
    number: i64,
    key: K,
    make: impl FnOnce() -> V,
) -> V {
    let slot = number.rem_euclid(slots.len() as i64) as usize;
    match slots[slot] {
        Some((kept, value)) if kept == key => value,
        _ => {
            let value = make();
            slots[slot] = Some((key, value));
            value
        }
    }
}

/// `at` in the time zone `tz`, with a chrono format such as `%H:%M:%S` (of the date and
/// time only: the offset is in `offset_time`). A listing of 100 000 users writes 200 000
/// dates: formats of numbers alone (`%Y %m %d %H %M %S`) are written directly, others
/// by chrono, each read once.
pub fn format_in(at: Millis, tz: Zone, format: &'static str) -> String {
    use chrono::format::{Item, StrftimeItems};
    use std::cell::RefCell;
    use std::collections::HashMap;
    thread_local! {
        static PARSED: RefCell<HashMap<&'static str, Vec<Item<'static>>>> =
            RefCell::new(HashMap::new());
    }
    let Some(local) = DateTime::from_timestamp_millis(at).map(|t| t.naive_utc() + tz.offset_at(at))
    else {
        return String::new();
    };
    if let Some(written) = numbers_only(local, format) {
        return written;
    }
    PARSED.with_borrow_mut(|parsed| {
        let items = parsed
            .entry(format)
            .or_insert_with(|| StrftimeItems::new(format).collect());
        local.format_with_items(items.iter()).to_string()
    })
}

/// `format` written without chrono's formatter, if it holds only the numbers of a date
/// and time (and the year has four digits).
fn numbers_only(local: chrono::NaiveDateTime, format: &str) -> Option<String> {
    use chrono::{Datelike, Timelike};
    let mut out = String::with_capacity(format.len() + 4);
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let (value, digits) = match chars.next()? {
            'Y' => (u32::try_from(local.year()).ok().filter(|y| *y <= 9999)?, 4),
            'm' => (local.month(), 2),
            'd' => (local.day(), 2),
            'H' => (local.hour(), 2),
            'M' => (local.minute(), 2),
            'S' => (local.second(), 2),
            _ => return None,
        };
        for place in (0..digits).rev() {
            let digit = value / 10_u32.pow(place) % 10;
            out.push(char::from(b'0' + digit as u8));
        }
    }
    Some(out)
}

/// `at` in `tz` as RFC 3339 with its offset: `2026-11-24T09:15:02-05:00`.
pub fn offset_time(at: Millis, tz: Zone) -> String {
    DateTime::from_timestamp_millis(at)
        .map(|t| {
            t.with_timezone(&tz)
                .to_rfc3339_opts(SecondsFormat::Secs, false)
        })
        .unwrap_or_default()
}

/// The parts of [start, end) on each calendar day of `tz`, earliest first, each as
/// (day, from, to): a session across midnight counts on both days.
pub fn split_by_day(start: Millis, end: Millis, tz: Zone) -> Vec<(NaiveDate, Millis, Millis)> {
    let mut parts = Vec::new();
    let mut from = start;
    while from < end {
        let Some(day) = day_of(from, tz) else {
            break;
        };
        let next_midnight = day
            .succ_opt()
            .and_then(|next| next.and_hms_opt(0, 0, 0))
            .and_then(|midnight| tz.instant(midnight))
            .map_or(end, |midnight| midnight.max(from + 1));
        let to = next_midnight.min(end);
        parts.push((day, from, to));
        from = to;
    }
    parts
}

/// Every calendar day of `tz` from the one of `since` to the one of the last instant
/// before `until`.
pub fn days_between(since: Millis, until: Millis, tz: Zone) -> Vec<NaiveDate> {
    let (Some(first), Some(last)) = (day_of(since, tz), day_of(until - 1, tz)) else {
        return Vec::new();
    };
    first.iter_days().take_while(|day| *day <= last).collect()
}

/// The calendar day of `at` in `tz`.
pub fn day_of(at: Millis, tz: Zone) -> Option<NaiveDate> {
    DateTime::from_timestamp_millis(at).map(|t| t.with_timezone(&tz).date_naive())
}

/// Local midnight at the start of the day of `at`.
pub fn start_of_day(at: Millis, tz: Zone) -> Millis {
    DateTime::from_timestamp_millis(at)
        .and_then(|t| t.with_timezone(&tz).date_naive().and_hms_opt(0, 0, 0))
        .and_then(|midnight| tz.instant(midnight))
        .map_or(at, |midnight| midnight.min(at))
}

/// For `#[serde(serialize_with)]`: a time as RFC 3339 UTC.
pub fn serialize_time<S: serde::Serializer>(at: &Millis, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&rfc3339(*at))
}

/// For `#[serde(serialize_with)]`: a time as RFC 3339 UTC, or null.
pub fn serialize_rfc3339<S: serde::Serializer>(
    at: &Option<Millis>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => serializer.serialize_str(&rfc3339(*at)),
        None => serializer.serialize_none(),
    }
}

/// A point in time as `--since`, `--until`, `--present` and `--before` take it:
/// `2026-11-24` (local midnight), `2026-11-24T09:00` or `2026-11-24 09:00` (local), RFC
/// 3339 (`2026-11-24T09:00:00Z`), `today`, `yesterday`, `tomorrow`, `now` (and their
/// French and Creole words: `aujourd'hui`, `hier`, `demain`, `maintenant`; `jodi a`,
/// `yè`, `demen`, `kounye a`), a time ago (`30m`, `2h`,
/// `7d`, `1w`), and what the tables print: `24/11/2026 09:15`, `11-24 09:15` and
/// `24/11 09:15` (the latest such day not after now), `09:15` (today).
pub fn parse_time(text: &str, now: Millis, tz: Zone) -> Option<Millis> {
    let text = text.trim();
    let local = |naive: NaiveDateTime| tz.instant(naive);
    let date_time = |text: &str| {
        const FORMATS: [&str; 6] = [
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%d %H:%M:%S",
            "%d/%m/%Y %H:%M",
            "%d/%m/%Y %H:%M:%S",
        ];
        FORMATS
            .iter()
            .find_map(|format| chrono::NaiveDateTime::parse_from_str(text, format).ok())
    };
    let day = |text: &str| {
        ["%Y-%m-%d", "%d/%m/%Y"]
            .iter()
            .find_map(|format| NaiveDate::parse_from_str(text, format).ok())
            .and_then(|day| day.and_hms_opt(0, 0, 0))
    };
    let today = start_of_day(now, tz);
    match text.to_lowercase().replace('’', "'").as_str() {
        "today" | "aujourd'hui" | "jodi a" | "jodi" => Some(today),
        "yesterday" | "hier" | "yè" => Some(start_of_day(today - 1, tz)),
        "tomorrow" | "demain" | "demen" => day_after(today, tz),
        "now" | "maintenant" | "kounye a" | "kounyea" => Some(now),
        _ => DateTime::parse_from_rfc3339(text)
            .map(|t| t.timestamp_millis())
            .ok()
            .or_else(|| date_time(text).and_then(local))
            .or_else(|| day(text).and_then(local))
            .or_else(|| without_year(text, now, tz))
            .or_else(|| parse_duration(text).ok().map(|ago| now - ago)),
    }
}

/// Midnight of the day after the one that starts at `midnight`: 23, 24 or 25 hours on.
pub fn day_after(midnight: Millis, tz: Zone) -> Option<Millis> {
    let day = day_of(midnight, tz)?.succ_opt()?;
    tz.instant(day.and_hms_opt(0, 0, 0)?)
}

/// `hour`:00 on the day of `at`, with the offset of that instant.
pub fn hour_of_day(at: Millis, hour: u32, tz: Zone) -> Option<Millis> {
    tz.instant(day_of(at, tz)?.and_hms_opt(hour, 0, 0)?)
}

/// `11-24 09:15`, `24/11 09:15` (the latest such moment not after now), or `09:15` (today).
fn without_year(text: &str, now: Millis, tz: Zone) -> Option<Millis> {
    let today = DateTime::from_timestamp_millis(now)?
        .with_timezone(&tz)
        .date_naive();
    if let Ok(time) = chrono::NaiveTime::parse_from_str(text, "%H:%M") {
        return tz.instant(today.and_time(time));
    }
    let at_year = |year: i32| {
        let (date, time) = text.split_once(' ')?;
        let spelled = if date.contains('/') {
            format!("{date}/{year} {time}")
        } else {
            format!("{year}-{date} {time}")
        };
        let naive = ["%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M"]
            .iter()
            .find_map(|format| chrono::NaiveDateTime::parse_from_str(&spelled, format).ok())?;
        tz.instant(naive)
    };
    use chrono::Datelike;
    let this_year = at_year(today.year())?;
    if this_year <= now {
        Some(this_year)
    } else {
        at_year(today.year() - 1)
    }
}

/// An idle timeout: a duration, or `off` for none.
pub fn parse_idle_timeout(text: &str) -> Result<Option<Millis>, String> {
    match text.trim() {
        "off" | "never" => Ok(None),
        duration => parse_duration(duration).map(Some),
    }
}

/// A duration as options take it: `90s`, `15m`, `1h`, `500ms`, `2d`, `1w`.
pub fn parse_duration(text: &str) -> Result<Millis, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let factor = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" | "min" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        "w" => 7 * 86_400_000,
        _ => {
            return Err(format!(
                "cannot read \"{text}\" as a duration (examples: 90s, 15m, 1h)"
            ));
        }
    };
    number
        .parse::<Millis>()
        .ok()
        .and_then(|n| n.checked_mul(factor))
        .filter(|&millis| millis > 0)
        .ok_or_else(|| format!("cannot read \"{text}\" as a duration (examples: 90s, 15m, 1h)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_written_directly_are_what_chrono_writes() {
        let formats = [
            "%Y-%m-%d %H:%M",
            "%d/%m/%Y %H:%M:%S",
            "%m-%d %H:%M",
            "%H:%M",
            "%Y-%m-%dT%H:%M:%S",
        ];
        let tz = Zone::Fixed(FixedOffset::west_opt(5 * 3600).unwrap());
        for at in [
            0,
            1_795_511_702_000,
            1_700_000_000_123,
            946_684_799_999,
            4_102_444_800_000,
        ] {
            let local = DateTime::from_timestamp_millis(at).unwrap().naive_utc() + tz.offset_at(at);
            for format in formats {
                assert_eq!(
                    numbers_only(local, format),
                    Some(local.format(format).to_string()),
                    "{format} at {at}"
                );
            }
        }
        let local = DateTime::from_timestamp_millis(0).unwrap().naive_utc();
        assert_eq!(numbers_only(local, "%a %H"), None, "chrono writes the rest");
        assert_eq!(format_in(0, tz, "%a %H"), "Wed 19");
    }

    #[test]
    fn a_session_across_midnight_counts_on_both_days() {
        let tz = Zone::Fixed(FixedOffset::east_opt(-5 * 3600).unwrap());
        // 2026-11-23 23:30 to 2026-11-24 01:00 at UTC-5.
        let start = 1_795_494_600_000;
        let parts = split_by_day(start, start + 90 * 60_000, tz);
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let midnight = start + 30 * 60_000;
        assert_eq!(
            parts,
            [
                (day(23), start, midnight),
                (day(24), midnight, start + 90 * 60_000)
            ]
        );
        assert_eq!(
            start_of_day(start, tz),
            start - 23 * 3_600_000 - 30 * 60_000
        );
        assert!(split_by_day(start, start, tz).is_empty());
    }

    #[test]
    fn times_take_every_form_of_the_contract() {
        let tz = Zone::Fixed(FixedOffset::east_opt(-5 * 3600).unwrap());
        // 2026-11-24 09:15:02 UTC = 04:15:02 at UTC-5.
        let now = 1_795_511_702_000;
        let midnight = 1_795_496_400_000; // 2026-11-24 00:00 at UTC-5
        assert_eq!(parse_time("today", now, tz), Some(midnight));
        assert_eq!(
            parse_time("yesterday", now, tz),
            Some(midnight - 86_400_000)
        );
        assert_eq!(parse_time("2026-11-24", now, tz), Some(midnight));
        for (words, expected) in [
            (["aujourd'hui", "jodi a", "Today"], midnight),
            (["hier", "yè", "YESTERDAY"], midnight - 86_400_000),
            (["demain", "demen", "tomorrow"], midnight + 86_400_000),
            (["maintenant", "kounye a", "now"], now),
        ] {
            for word in words {
                assert_eq!(parse_time(word, now, tz), Some(expected), "{word}");
            }
        }
        assert_eq!(
            parse_time("2026-11-24T09:00", now, tz),
            Some(midnight + 9 * 3_600_000)
        );
        assert_eq!(parse_time("2026-11-24T09:15:02Z", now, tz), Some(now));
        assert_eq!(parse_time("2026-11-24T04:15:02-05:00", now, tz), Some(now));
        assert_eq!(parse_time("2h", now, tz), Some(now - 2 * 3_600_000));
        assert_eq!(parse_time("7d", now, tz), Some(now - 7 * 86_400_000));
        assert_eq!(parse_time("1w", now, tz), Some(now - 7 * 86_400_000));
        // What the tables print.
        let nine = midnight + 9 * 3_600_000;
        for printed in [
            "2026-11-24 09:00",
            "24/11/2026 09:00",
            "11-24 09:00",
            "24/11 09:00",
        ] {
            assert_eq!(
                parse_time(printed, now + 5 * 3_600_000, tz),
                Some(nine),
                "{printed}"
            );
        }
        assert_eq!(parse_time("24/11/2026", now, tz), Some(midnight));
        assert_eq!(parse_time("03:00", now, tz), Some(midnight + 3 * 3_600_000));
        // A day of the year not come yet is last year's.
        let last_christmas = parse_time("12-25 10:00", now, tz).unwrap();
        assert_eq!(rfc3339(last_christmas), "2025-12-25T15:00:00Z");
        for bad in [
            "",
            "last tuesday",
            "2026-13-01",
            "11/24/2026",
            "2h ago",
            "25:00",
        ] {
            assert!(parse_time(bad, now, tz).is_none(), "{bad}");
        }
    }

    #[test]
    fn durations_take_a_unit() {
        assert_eq!(parse_duration("90s"), Ok(90_000));
        assert_eq!(parse_duration("15m"), Ok(900_000));
        assert_eq!(parse_duration("1h"), Ok(3_600_000));
        assert_eq!(parse_duration("250ms"), Ok(250));
        for bad in ["15", "m", "", "0s", "-5s", "1.5h", "99999999999999999999d"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn scripts_get_utc_with_a_z() {
        assert_eq!(rfc3339(1_795_511_702_000), "2026-11-24T09:15:02Z");
        assert_eq!(rfc3339(1_795_511_702_999), "2026-11-24T09:15:02Z");
    }
}
