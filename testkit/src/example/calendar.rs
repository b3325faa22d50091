//! The programme's business clock: Korean Standard Time.
//!
//! Korea has no daylight saving, so every moment of the history is a local
//! date and time written with the fixed `+09:00` offset, as the programme
//! office would write it.

use crate::value;
use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use gpu_ledger_domain::Timestamp;
use rand::RngExt;
use rand::rngs::ChaCha8Rng;
use std::fmt;

/// A moment in Korean Standard Time (UTC+9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Kst(NaiveDateTime);

impl Kst {
    /// The moment `hour:minute` on the given day.
    pub(super) fn on(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> Self {
        let date = NaiveDate::from_ymd_opt(year, month, day).expect("a calendar date");
        Self(date.and_hms_opt(hour, minute, 0).expect("a time of day"))
    }

    /// The last second of the given day, the usual end of a term.
    pub(super) fn end_of_day(year: i32, month: u32, day: u32) -> Self {
        let date = NaiveDate::from_ymd_opt(year, month, day).expect("a calendar date");
        Self(date.and_hms_opt(23, 59, 59).expect("a time of day"))
    }

    pub(super) fn plus_days(self, days: i64) -> Self {
        Self(self.0 + TimeDelta::days(days))
    }

    pub(super) fn plus_seconds(self, seconds: i64) -> Self {
        Self(self.0 + TimeDelta::seconds(seconds))
    }

    /// The same day at `hour:00`.
    pub(super) fn at_hour(self, hour: u32) -> Self {
        Self(
            self.0
                .date()
                .and_hms_opt(hour, 0, 0)
                .expect("a time of day"),
        )
    }

    /// `count` moments drawn uniformly from `[from, until)`, earliest first:
    /// submissions and reviews arrive at no particular hour through an online portal.
    pub(super) fn scattered(
        dice: &mut ChaCha8Rng,
        count: usize,
        from: Kst,
        until: Kst,
    ) -> Vec<Kst> {
        let span = (until.0 - from.0).num_seconds();
        assert!(span > 0, "an empty window from {from} until {until}");
        let mut moments: Vec<Kst> = (0..count)
            .map(|_| from.plus_seconds(dice.random_range(0..span)))
            .collect();
        moments.sort_unstable();
        moments
    }

    /// The moment as an event's timestamp.
    pub(super) fn timestamp(self) -> Timestamp {
        value::timestamp(self.to_string())
    }
}

impl fmt::Display for Kst {
    /// RFC 3339 with the Korean offset, e.g. `2026-03-03T00:00:00+09:00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}+09:00", self.0.format("%Y-%m-%dT%H:%M:%S"))
    }
}

/// Monday-to-Monday weeks would split the first week of allocation, so the
/// monitor's weeks start on Tuesday 2026-03-03, the first day of the terms.
pub(super) fn week_start(week: usize) -> Kst {
    Kst::on(2026, 3, 3, 0, 0).plus_days(7 * week as i64)
}

/// The monitor reports a week early on the morning it ends.
pub(super) fn report_day(week: usize) -> Kst {
    week_start(week + 1).at_hour(6)
}

/// The first week that starts after `on`: redistributed terms start on a
/// week boundary so that every report covers a whole week of the term.
pub(super) fn week_after(on: Kst) -> usize {
    (0..)
        .find(|&week| week_start(week) > on)
        .expect("a later week")
}

/// Every term ends with the programme year.
pub(super) fn term_end() -> Kst {
    Kst::end_of_day(2026, 12, 31)
}
