//! Days of business time as the rules count them: 86,400 s each, and whole
//! days rounded down. `due` says how far a deadline is from "now";
//! `outputs` turns GPU-seconds into GPU-days.

use gpu_ledger_domain::Instant;
use serde::Serialize;

const DAY_NANOS: i128 = Instant::DAY_SECONDS as i128 * 1_000_000_000;

/// Nanoseconds from `from` to `to` (negative when `to` is earlier).
fn nanos_between(from: Instant, to: Instant) -> i128 {
    let at = |i: Instant| i128::from(i.unix_seconds) * 1_000_000_000 + i128::from(i.nanos);
    at(to) - at(from)
}

/// Whole seconds from `from` to `to`, rounded down; 0 when `to` is not later.
pub fn seconds_between(from: Instant, to: Instant) -> u64 {
    (nanos_between(from, to).max(0) / 1_000_000_000) as u64
}

/// GPU-seconds as whole GPU-days, rounded down.
pub fn gpu_days(gpu_seconds: u128) -> u64 {
    u64::try_from(gpu_seconds / Instant::DAY_SECONDS as u128).unwrap_or(u64::MAX)
}

/// How far a deadline is from now. A deadline is met at its very instant
/// (an exemption may be asked for exactly at `respond_by`), so it is
/// overdue only once now is strictly later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Countdown {
    pub overdue: bool,
    /// Whole days until the deadline, while it is not overdue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_left: Option<u64>,
    /// Whole days since the deadline, once it is overdue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_overdue: Option<u64>,
}

impl Countdown {
    pub fn to(deadline: Instant, now: Instant) -> Countdown {
        let left = nanos_between(now, deadline);
        let days = (left.unsigned_abs() / DAY_NANOS as u128) as u64;
        if left >= 0 {
            Countdown {
                overdue: false,
                days_left: Some(days),
                days_overdue: None,
            }
        } else {
            Countdown {
                overdue: true,
                days_left: None,
                days_overdue: Some(days),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gpu_ledger_domain::Timestamp;

    fn at(s: &str) -> Instant {
        Timestamp::parse(s).unwrap().instant()
    }

    #[test]
    fn a_deadline_is_met_at_its_instant_and_days_round_down() {
        let deadline = at("2026-06-29T10:00:00+09:00");
        let c = |now: &str| Countdown::to(deadline, at(now));
        assert_eq!(c("2026-06-29T10:00:00+09:00").days_left, Some(0));
        assert!(!c("2026-06-29T10:00:00+09:00").overdue);
        assert_eq!(c("2026-06-27T10:00:00.000000001+09:00").days_left, Some(1));
        assert_eq!(c("2026-06-27T10:00:00+09:00").days_left, Some(2));
        let late = c("2026-06-29T10:00:00.5+09:00");
        assert_eq!((late.overdue, late.days_overdue), (true, Some(0)));
        assert_eq!(c("2026-06-30T02:00:00Z").days_overdue, Some(1));
    }

    #[test]
    fn gpu_time_is_counted_to_the_second_and_in_whole_days() {
        let from = at("2026-06-01T00:00:00Z");
        assert_eq!(seconds_between(from, at("2026-06-02T00:00:00.9Z")), 86_400);
        assert_eq!(seconds_between(from, at("2026-05-31T00:00:00Z")), 0);
        assert_eq!(gpu_days(16 * 86_400 + 86_399), 16);
    }
}
