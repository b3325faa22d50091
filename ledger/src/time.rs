//! `recorded_at`: when the ledger accepted a record, RFC 3339 UTC with
//! microseconds (`2026-03-03T03:00:00.000000Z`), never decreasing along `seq`.

use chrono::{DateTime, Datelike, Timelike, Utc};
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Microseconds since the Unix epoch, UTC.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct RecordedAt(i64);

impl RecordedAt {
    pub fn from_micros(micros: i64) -> Self {
        Self(micros)
    }

    pub fn micros(self) -> i64 {
        self.0
    }

    /// The 27 bytes `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    pub fn to_rfc3339_bytes(self) -> [u8; 27] {
        let t = DateTime::<Utc>::from_timestamp_micros(self.0).unwrap_or_default();
        let mut b = *b"0000-00-00T00:00:00.000000Z";
        let put = |b: &mut [u8; 27], at: usize, width: usize, mut n: u32| {
            for i in (at..at + width).rev() {
                b[i] = b'0' + (n % 10) as u8;
                n /= 10;
            }
        };
        put(&mut b, 0, 4, t.year().clamp(0, 9999) as u32);
        put(&mut b, 5, 2, t.month());
        put(&mut b, 8, 2, t.day());
        put(&mut b, 11, 2, t.hour());
        put(&mut b, 14, 2, t.minute());
        put(&mut b, 17, 2, t.second());
        put(&mut b, 20, 6, t.nanosecond() / 1000);
        b
    }

    /// Parses exactly the form [`RecordedAt::to_rfc3339_bytes`] writes.
    pub fn parse(s: &str) -> Result<Self, String> {
        let b = s.as_bytes();
        let shape = b.len() == 27
            && b[4] == b'-'
            && b[7] == b'-'
            && b[10] == b'T'
            && b[13] == b':'
            && b[16] == b':'
            && b[19] == b'.'
            && b[26] == b'Z'
            && [
                0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22, 23, 24, 25,
            ]
            .iter()
            .all(|&i| b[i].is_ascii_digit());
        let bad = || {
            format!(
                "recorded_at {s:?} is not RFC 3339 UTC with microseconds (YYYY-MM-DDTHH:MM:SS.ffffffZ)"
            )
        };
        if !shape {
            return Err(bad());
        }
        let t = DateTime::parse_from_rfc3339(s).map_err(|_| bad())?;
        Ok(Self(t.timestamp_micros()))
    }
}

/// Any RFC 3339 time a person gives (`2026-03-31T00:00:00+09:00`), as the
/// UTC microsecond instant `recorded_at` compares with.
pub fn parse_time(s: &str) -> Result<RecordedAt, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| RecordedAt::from_micros(t.timestamp_micros()))
        .map_err(|e| format!("{s:?} is not an RFC 3339 time ({e}), e.g. 2026-03-31T00:00:00+09:00"))
}

impl fmt::Display for RecordedAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.to_rfc3339_bytes();
        f.write_str(std::str::from_utf8(&b).expect("ASCII"))
    }
}

impl fmt::Debug for RecordedAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl serde::Serialize for RecordedAt {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let b = self.to_rfc3339_bytes();
        s.serialize_str(std::str::from_utf8(&b).expect("ASCII"))
    }
}

/// Where `recorded_at` comes from: the wall clock, or a manual clock that
/// tests and reproducible examples move by hand.
#[derive(Clone, Debug, Default)]
pub enum Clock {
    #[default]
    System,
    /// Starts at the given instant; every reading advances it by one microsecond.
    Manual(Arc<AtomicI64>),
}

impl Clock {
    pub fn manual(start: RecordedAt) -> Self {
        Clock::Manual(Arc::new(AtomicI64::new(start.micros())))
    }

    pub fn now(&self) -> RecordedAt {
        match self {
            Clock::System => RecordedAt(Utc::now().timestamp_micros()),
            Clock::Manual(t) => RecordedAt(t.fetch_add(1, Ordering::Relaxed)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_microseconds_utc() {
        let t = RecordedAt::parse("2026-03-03T03:00:00.000042Z").unwrap();
        assert_eq!(t.to_string(), "2026-03-03T03:00:00.000042Z");
        assert_eq!(
            RecordedAt::from_micros(0).to_string(),
            "1970-01-01T00:00:00.000000Z"
        );
        for bad in [
            "2026-03-03T03:00:00Z",
            "2026-03-03T03:00:00.000042+00:00",
            "2026-03-03T03:00:00.0000420Z",
            "2026-02-30T03:00:00.000000Z",
        ] {
            assert!(RecordedAt::parse(bad).is_err(), "{bad}");
        }
    }
}
