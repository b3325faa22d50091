//! Business time as exceptions measure it: between `occurred_at` instants,
//! in nanoseconds (so that "longer than 30 days" is exact), with a day of
//! 86,400 seconds.

use gpu_ledger_domain::Instant;

pub const NANOS_PER_DAY: i128 = 86_400 * 1_000_000_000;

/// Nanoseconds from `a` to `b` (negative when business time went back).
pub fn nanos_between(a: Instant, b: Instant) -> i128 {
    i128::from(b.unix_seconds - a.unix_seconds) * 1_000_000_000 + i128::from(b.nanos)
        - i128::from(a.nanos)
}

/// `3974400` seconds as `46 d 00:00:00`.
pub fn duration_text(seconds: i64) -> String {
    let s = seconds.max(0);
    format!(
        "{} d {:02}:{:02}:{:02}",
        s / 86_400,
        s % 86_400 / 3600,
        s % 3600 / 60,
        s % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_days_and_time() {
        assert_eq!(duration_text(46 * 86_400 + 3661), "46 d 01:01:01");
    }
}
