//! Connected time as an office counts it: a person at two terminals at once is one
//! person present, so their time is the union of their sessions; the plain sum is kept
//! beside it. Pieces of sessions (a session clipped to a range, or to one day of it) are
//! told in order of their start, one line at a time, and tallied as they come.

use crate::model::Millis;

/// The part [from, to) of a session that falls in a line (a range, a day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    pub session: i64,
    pub from: Millis,
    pub to: Millis,
    /// The session's own login and logout (`None`: still open), wherever the line cut it.
    pub login: Millis,
    pub logout: Option<Millis>,
    /// Its session was corrected by an admin (its end moved, or added).
    pub corrected: bool,
}

/// What one line of a report (a person, a day, or a person's day) adds up to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Sessions with time in the line.
    pub sessions: i64,
    /// Of those, the ones an admin corrected (an end moved, or added).
    pub corrected: i64,
    /// The time covered by at least one of them: overlaps counted once.
    pub connected: Millis,
    /// Their durations added up: more than `connected` when some overlapped.
    pub summed: Millis,
    /// The piece that starts first: (its start, its session's login).
    earliest: Option<(Millis, Millis)>,
    /// The piece that ends last: (its end, its session's logout).
    latest: Option<(Millis, Option<Millis>)>,
    /// The end of the time covered so far (the pieces come in order of their start).
    covered_until: Millis,
    last_session: Option<i64>,
}

impl Tally {
    /// Adds a piece; the pieces of one line come in order of their start.
    pub fn add(&mut self, piece: Piece) {
        if piece.to <= piece.from {
            return;
        }
        if self.last_session != Some(piece.session) {
            self.sessions += 1;
            self.corrected += i64::from(piece.corrected);
            self.last_session = Some(piece.session);
        }
        self.summed += piece.to - piece.from;
        let from = piece.from.max(self.covered_until);
        if piece.to > from {
            self.connected += piece.to - from;
        }
        self.covered_until = self.covered_until.max(piece.to);
        self.take_ends(
            Some((piece.from, piece.login)),
            Some((piece.to, piece.logout)),
        );
    }

    /// A line of sessions all ended, counted whole beforehand (`user_totals`) rather
    /// than piece by piece: how many, corrected, the union and the sum of their times,
    /// the first login and the last logout.
    pub fn whole(
        (sessions, corrected): (i64, i64),
        (connected, summed): (Millis, Millis),
        (first_login, last_logout): (Millis, Millis),
    ) -> Tally {
        Tally {
            sessions,
            corrected,
            connected,
            summed,
            earliest: Some((first_login, first_login)),
            latest: Some((last_logout, Some(last_logout))),
            covered_until: last_logout,
            last_session: None,
        }
    }

    /// Another person's tally, into a line of many people (a day of the office): their
    /// times add up, and each keeps their own overlaps.
    pub fn merge(&mut self, other: &Tally) {
        self.sessions += other.sessions;
        self.corrected += other.corrected;
        self.connected += other.connected;
        self.summed += other.summed;
        self.take_ends(other.earliest, other.latest);
    }

    fn take_ends(
        &mut self,
        earliest: Option<(Millis, Millis)>,
        latest: Option<(Millis, Option<Millis>)>,
    ) {
        if let Some(start) = earliest
            && self.earliest.is_none_or(|mine| start.0 < mine.0)
        {
            self.earliest = Some(start);
        }
        // At the same end, a session still open wins: there is no last logout yet.
        if let Some(end) = latest
            && self
                .latest
                .is_none_or(|mine| end.0 > mine.0 || (end.0 == mine.0 && end.1.is_none()))
        {
            self.latest = Some(end);
        }
    }

    /// The login of the session that the line's time begins with (perhaps the day
    /// before, for a night across midnight).
    pub fn first_login(&self) -> Option<Millis> {
        self.earliest.map(|(_, login)| login)
    }

    /// The logout of the session that the line's time ends with, unless it goes on.
    pub fn last_logout(&self) -> Option<Millis> {
        self.latest.and_then(|(_, logout)| logout)
    }

    /// The line's last session is still open.
    pub fn ongoing(&self) -> bool {
        matches!(self.latest, Some((_, None)))
    }
}

/// Hours as a decimal, to the hundredth (7 h 15 min is 7.25), for spreadsheets.
pub fn hours(millis: Millis) -> f64 {
    (millis as f64 / 36_000.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Millis = 3_600_000;

    /// A whole session as one piece.
    fn whole(session: i64, login: Millis, logout: Option<Millis>, now: Millis) -> Piece {
        Piece {
            session,
            from: login,
            to: logout.unwrap_or(now),
            login,
            logout,
            corrected: false,
        }
    }

    #[test]
    fn two_terminals_at_once_count_once_and_the_sum_stays() {
        let mut tally = Tally::default();
        tally.add(whole(1, 8 * HOUR, Some(12 * HOUR), 0));
        // At a second terminal from 10 to 13: one more hour of presence, three of sum.
        tally.add(whole(2, 10 * HOUR, Some(13 * HOUR), 0));
        tally.add(whole(3, 14 * HOUR, None, 15 * HOUR));
        assert_eq!(tally.sessions, 3);
        assert_eq!(tally.connected, 6 * HOUR);
        assert_eq!(tally.summed, 8 * HOUR);
        assert_eq!(tally.first_login(), Some(8 * HOUR));
        assert!(tally.ongoing());
        assert_eq!(tally.last_logout(), None);
    }

    #[test]
    fn a_session_inside_another_adds_no_presence() {
        let mut tally = Tally::default();
        tally.add(whole(1, 8 * HOUR, Some(17 * HOUR), 0));
        tally.add(whole(2, 9 * HOUR, None, 10 * HOUR));
        assert_eq!(tally.connected, 9 * HOUR);
        assert_eq!(
            tally.last_logout(),
            Some(17 * HOUR),
            "the open one ended sooner"
        );
        assert!(!tally.ongoing());
    }

    #[test]
    fn a_night_across_midnight_is_one_session_on_each_day_with_its_real_ends() {
        let night = |from, to| Piece {
            session: 7,
            from,
            to,
            login: 22 * HOUR,
            logout: Some(26 * HOUR),
            corrected: false,
        };
        let (mut first_day, mut second_day) = (Tally::default(), Tally::default());
        first_day.add(night(22 * HOUR, 24 * HOUR));
        second_day.add(night(24 * HOUR, 26 * HOUR));
        assert_eq!((first_day.sessions, first_day.connected), (1, 2 * HOUR));
        assert_eq!(first_day.last_logout(), Some(26 * HOUR), "left at two");
        assert_eq!(second_day.first_login(), Some(22 * HOUR), "there since ten");
        let mut both = Tally::default();
        both.add(night(22 * HOUR, 24 * HOUR));
        both.add(night(24 * HOUR, 26 * HOUR));
        assert_eq!((both.sessions, both.connected), (1, 4 * HOUR));
    }

    #[test]
    fn a_day_of_the_office_adds_its_people() {
        let (mut ann, mut bob) = (Tally::default(), Tally::default());
        ann.add(whole(1, 8 * HOUR, Some(12 * HOUR), 0));
        ann.add(whole(2, 9 * HOUR, Some(10 * HOUR), 0));
        bob.add(whole(3, 9 * HOUR, None, 18 * HOUR));
        let mut day = Tally::default();
        day.merge(&ann);
        day.merge(&bob);
        assert_eq!(
            (day.sessions, day.connected, day.summed),
            (3, 13 * HOUR, 14 * HOUR)
        );
        assert_eq!((day.first_login(), day.ongoing()), (Some(8 * HOUR), true));
        assert_eq!(hours(7 * HOUR + HOUR / 4), 7.25);
        assert_eq!(hours(HOUR / 3), 0.33);
    }
}
