//! Business-time timestamps: RFC 3339 as events.md restricts it, stored exactly
//! as received and compared as instants.

use chrono::NaiveDate;
use serde::Serialize;
use std::fmt;

/// A point on the UTC time line, to the nanosecond.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
pub struct Instant {
    pub unix_seconds: i64,
    pub nanos: u32,
}

impl Instant {
    /// Seconds in one day of the rules (events.md: "Days are 86,400 s").
    pub const DAY_SECONDS: i64 = 86_400;

    /// Whole seconds from `self` to `later` (negative when `later` is earlier).
    pub fn seconds_until(self, later: Instant) -> i64 {
        later.unix_seconds - self.unix_seconds
    }

    /// This instant plus `days` days of 86,400 s, to the nanosecond.
    pub fn plus_days(self, days: u32) -> Instant {
        Instant {
            unix_seconds: self.unix_seconds + i64::from(days) * Self::DAY_SECONDS,
            nanos: self.nanos,
        }
    }
}

/// A timestamp as received (`2026-03-02T09:00:00+09:00`) with its instant.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Timestamp {
    text: Box<str>,
    instant: Instant,
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Timestamp::from_string(String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl Timestamp {
    /// Parses `YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|+HH:MM|-HH:MM)`; no leap second.
    pub fn parse(s: &str) -> Result<Self, String> {
        let instant = parse_instant(s)?;
        Ok(Self {
            text: s.into(),
            instant,
        })
    }

    pub fn from_string(s: String) -> Result<Self, String> {
        let instant = parse_instant(&s)?;
        Ok(Self {
            text: s.into_boxed_str(),
            instant,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn instant(&self) -> Instant {
        self.instant
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.text, f)
    }
}

const SHAPE: &str =
    "is not an RFC 3339 timestamp of the form YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)";

fn digits(b: &[u8]) -> Option<u32> {
    let mut n = 0u32;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u32::from(c - b'0');
    }
    Some(n)
}

/// An instant as an RFC 3339 UTC text (`2026-03-17T09:00:00Z`), for messages.
pub fn utc_text(at: Instant) -> String {
    chrono::DateTime::from_timestamp(at.unix_seconds, at.nanos)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
        .unwrap_or_else(|| format!("{}s after 1970", at.unix_seconds))
}

fn parse_instant(s: &str) -> Result<Instant, String> {
    let b = s.as_bytes();
    let shape = || format!("{s:?} {SHAPE}");
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return Err(shape());
    }
    let field = |r: std::ops::Range<usize>| digits(&b[r]).ok_or_else(shape);
    let (year, month, day) = (field(0..4)?, field(5..7)?, field(8..10)?);
    let (hour, minute, second) = (field(11..13)?, field(14..16)?, field(17..19)?);
    let mut i = 19;
    let mut nanos = 0u32;
    if b[i] == b'.' {
        let start = i + 1;
        let mut end = start;
        while end < b.len() && b[end].is_ascii_digit() {
            end += 1;
        }
        let len = end - start;
        if !(1..=9).contains(&len) {
            return Err(format!(
                "{s:?} has a fraction of {len} digits (1 to 9 are allowed)"
            ));
        }
        nanos = field(start..end)? * 10u32.pow(9 - len as u32);
        i = end;
    }
    let offset_seconds: i64 = match &b[i..] {
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let oh = digits(&[*h1, *h2]).ok_or_else(shape)?;
            let om = digits(&[*m1, *m2]).ok_or_else(shape)?;
            if oh > 23 || om > 59 {
                return Err(format!("{s:?} has an offset outside -23:59..+23:59"));
            }
            let o = i64::from(oh * 3600 + om * 60);
            if *sign == b'+' { o } else { -o }
        }
        _ => return Err(shape()),
    };
    if hour > 23 || minute > 59 || second > 59 {
        return Err(format!(
            "{s:?} has a time of day outside 00:00:00..23:59:59 (leap seconds are refused)"
        ));
    }
    let date = NaiveDate::from_ymd_opt(year as i32, month, day)
        .ok_or_else(|| format!("{s:?} is not a calendar date"))?;
    let local = date
        .and_hms_opt(hour, minute, second)
        .ok_or_else(shape)?
        .and_utc()
        .timestamp();
    Ok(Instant {
        unix_seconds: local - offset_seconds,
        nanos,
    })
}

impl AsRef<str> for Timestamp {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instant(s: &str) -> Instant {
        Timestamp::parse(s).unwrap().instant()
    }

    #[test]
    fn offsets_compare_as_instants() {
        assert_eq!(
            instant("2026-03-02T09:00:00+09:00"),
            instant("2026-03-02T00:00:00Z")
        );
        assert!(instant("2026-03-02T00:00:00.000000001Z") > instant("2026-03-02T09:00:00+09:00"));
        assert_eq!(instant("1970-01-01T00:00:00Z").unix_seconds, 0);
        assert_eq!(
            instant("2026-03-01T23:00:00-01:30").unix_seconds,
            instant("2026-03-02T00:30:00Z").unix_seconds
        );
    }

    #[test]
    fn keeps_the_text_exactly() {
        let t = Timestamp::parse("2026-03-02T09:00:00.50+09:00").unwrap();
        assert_eq!(t.as_str(), "2026-03-02T09:00:00.50+09:00");
        assert_eq!(t.instant().nanos, 500_000_000);
    }

    #[test]
    fn refuses_what_the_grammar_refuses() {
        for bad in [
            "2026-03-02 09:00:00Z",
            "2026-03-02t09:00:00Z",
            "2026-03-02T09:00:00z",
            "2026-03-02T09:00:00",
            "2026-03-02T09:00Z",
            "2026-03-02T09:00:60Z",
            "2026-02-30T09:00:00Z",
            "2026-03-02T24:00:00Z",
            "2026-03-02T09:00:00.Z",
            "2026-03-02T09:00:00.1234567890Z",
            "2026-03-02T09:00:00+0900",
            "2026-03-02T09:00:00+24:00",
            "2026-3-02T09:00:00Z",
            "+2026-03-02T09:00:00Z",
            "2026-03-02T09:00:00Z ",
            "",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
