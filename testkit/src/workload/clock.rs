//! The simulation's clock: Unix seconds, written in Korean Standard Time.
//!
//! Timestamps are formatted by integer arithmetic on the stack (no time-zone
//! database, one allocation each): a million-event workload writes several
//! million.

use gpu_ledger_domain::Timestamp;

/// Korea has no daylight saving: every moment is written with `+09:00`.
const KST_OFFSET_SECONDS: i64 = 9 * 3600;
const DAY_SECONDS: i64 = 86_400;

/// `YYYY-MM-DDTHH:MM:SS+09:00` for the Unix time `at`.
pub fn timestamp(at: i64) -> Timestamp {
    let local = at + KST_OFFSET_SECONDS;
    let (year, month, day) = civil_from_days(local.div_euclid(DAY_SECONDS));
    let second_of_day = local.rem_euclid(DAY_SECONDS);
    let mut text = *b"0000-00-00T00:00:00+09:00";
    for (offset, n) in [
        (0, year / 100),
        (2, year % 100),
        (5, month),
        (8, day),
        (11, second_of_day / 3600),
        (14, second_of_day / 60 % 60),
        (17, second_of_day % 60),
    ] {
        text[offset] = b'0' + (n / 10) as u8;
        text[offset + 1] = b'0' + (n % 10) as u8;
    }
    let text = std::str::from_utf8(&text).expect("digits are ASCII");
    Timestamp::parse(text).unwrap_or_else(|e| panic!("the workload made a timestamp: {e}"))
}

/// The proleptic Gregorian (year, month, day) of a count of days since
/// 1970-01-01 (the well-known era-based conversion; exact for any day).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The Unix time of 00:00 KST on the day holding `at`.
pub fn kst_midnight(at: i64) -> i64 {
    at - (at + KST_OFFSET_SECONDS).rem_euclid(DAY_SECONDS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{FixedOffset, TimeZone};

    #[test]
    fn timestamps_match_chrono() {
        let kst = FixedOffset::east_opt(9 * 3600).unwrap();
        for at in [
            0,
            951_782_400,   // 2000-02-29
            1_767_225_599, // end of 2025 in UTC
            1_772_466_000,
            4_102_444_800, // 2100-01-01
        ]
        .into_iter()
        .chain((0..2000).map(|i| 1_700_000_000 + i * 86_399 + i * i))
        {
            let expected = kst
                .timestamp_opt(at, 0)
                .unwrap()
                .format("%Y-%m-%dT%H:%M:%S+09:00")
                .to_string();
            assert_eq!(timestamp(at).as_str(), expected, "at {at}");
            assert_eq!(timestamp(at).instant().unix_seconds, at, "at {at}");
        }
    }

    #[test]
    fn midnight_is_korean() {
        // 2026-03-03T15:30:00+09:00 -> 2026-03-03T00:00:00+09:00
        let at = 1_772_519_400;
        assert_eq!(
            timestamp(kst_midnight(at)).as_str(),
            "2026-03-03T00:00:00+09:00"
        );
    }
}
