//! Writing event bodies as JSON lines, fast.
//!
//! A million-event workload has to be written in well under a second, so the
//! generator writes each line straight into one byte buffer instead of
//! building `serde_json` values: keys are known ASCII literals, ids and
//! numbers need no escaping, and only free text goes through the escaper.
//! Timestamps are formatted from Unix seconds with the Korean offset by
//! integer arithmetic (no time-zone database, no allocation).

use std::io::{self, Write};

/// Korea has no daylight saving: every moment is written with `+09:00`.
const KST_OFFSET_SECONDS: i64 = 9 * 3600;
const DAY_SECONDS: i64 = 86_400;

/// Bytes gathered before they are handed to the underlying writer.
const FLUSH_AT: usize = 1 << 20;

/// Why the writer stopped taking events.
#[derive(Debug)]
pub enum Stop {
    /// The history has all the events it was asked for.
    Full,
    /// The output could not be written.
    Io(io::Error),
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Self {
        Stop::Io(e)
    }
}

/// Writes event bodies as JSON Lines, counting them, and stops after `limit`.
///
/// It also keeps `occurred_at` strictly increasing: a moment already used is
/// moved one second later, so the history reads in business-time order like
/// a real programme office's log.
pub struct LineWriter<W: Write> {
    out: W,
    buf: Vec<u8>,
    limit: u64,
    written: u64,
    bytes: u64,
    last: i64,
    by_type: Vec<(&'static str, u64)>,
}

impl<W: Write> LineWriter<W> {
    pub fn new(out: W, limit: u64) -> Self {
        Self {
            out,
            buf: Vec::with_capacity(FLUSH_AT + 4096),
            limit,
            written: 0,
            bytes: 0,
            last: i64::MIN,
            by_type: Vec::new(),
        }
    }

    /// The moment an event asked for at `at` will carry.
    pub fn moment(&self, at: i64) -> i64 {
        at.max(self.last.saturating_add(1))
    }

    /// Starts an event of `event_type` by `actor` at (or just after) `at`.
    pub fn line(&mut self, at: i64, event_type: &'static str, actor: &str) -> Line<'_, W> {
        let at = self.moment(at);
        self.last = at;
        let start = self.buf.len();
        self.buf.extend_from_slice(b"{\"type\":\"");
        self.buf.extend_from_slice(event_type.as_bytes());
        self.buf.extend_from_slice(b"\",\"occurred_at\":");
        push_kst(&mut self.buf, at);
        self.buf.extend_from_slice(b",\"actor\":");
        push_str(&mut self.buf, actor);
        Line {
            writer: self,
            event_type,
            at,
            start,
        }
    }

    /// Writes out everything buffered and returns the underlying writer.
    pub fn finish(mut self) -> io::Result<(W, Tally)> {
        self.flush()?;
        self.out.flush()?;
        let tally = Tally {
            events: self.written,
            bytes: self.bytes,
            by_type: self.by_type,
        };
        Ok((self.out, tally))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }

    fn count(&mut self, event_type: &'static str) {
        match self.by_type.iter_mut().find(|(t, _)| *t == event_type) {
            Some((_, n)) => *n += 1,
            None => self.by_type.push((event_type, 1)),
        }
    }
}

/// What was written: events, bytes and events of each type (first seen first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub events: u64,
    pub bytes: u64,
    pub by_type: Vec<(&'static str, u64)>,
}

impl Tally {
    /// Events of one type.
    pub fn of(&self, event_type: &str) -> u64 {
        self.by_type
            .iter()
            .find(|(t, _)| *t == event_type)
            .map_or(0, |(_, n)| *n)
    }
}

/// One event being written: add its fields in order, then [`Line::end`].
pub struct Line<'a, W: Write> {
    writer: &'a mut LineWriter<W>,
    event_type: &'static str,
    at: i64,
    start: usize,
}

impl<W: Write> Line<'_, W> {
    fn key(&mut self, key: &'static str) -> &mut Vec<u8> {
        let buf = &mut self.writer.buf;
        buf.extend_from_slice(b",\"");
        buf.extend_from_slice(key.as_bytes());
        buf.extend_from_slice(b"\":");
        buf
    }

    pub fn str(&mut self, key: &'static str, value: &str) -> &mut Self {
        push_str(self.key(key), value);
        self
    }

    pub fn uint(&mut self, key: &'static str, value: u32) -> &mut Self {
        push_uint(self.key(key), u64::from(value));
        self
    }

    pub fn bool(&mut self, key: &'static str, value: bool) -> &mut Self {
        let text: &[u8] = if value { b"true" } else { b"false" };
        self.key(key).extend_from_slice(text);
        self
    }

    /// A timestamp field, RFC 3339 with the Korean offset.
    pub fn time(&mut self, key: &'static str, at: i64) -> &mut Self {
        push_kst(self.key(key), at);
        self
    }

    /// A field whose value is JSON the caller wrote (arrays, objects).
    pub fn raw(&mut self, key: &'static str, json: impl FnOnce(&mut Vec<u8>)) -> &mut Self {
        json(self.key(key));
        self
    }

    /// Closes the event with an optional note. Returns the moment it carries,
    /// or [`Stop::Full`] once this was the last event the history may hold.
    pub fn end(&mut self, note: Option<&str>) -> Result<i64, Stop> {
        if let Some(note) = note {
            self.str("note", note);
        }
        let w = &mut *self.writer;
        w.buf.extend_from_slice(b"}\n");
        w.bytes += (w.buf.len() - self.start) as u64;
        w.written += 1;
        w.count(self.event_type);
        if w.buf.len() >= FLUSH_AT {
            w.flush()?;
        }
        if w.written >= w.limit {
            return Err(Stop::Full);
        }
        Ok(self.at)
    }
}

/// Appends `value` as a JSON string: quotes, backslashes and control
/// characters escaped, everything else (Korean, emoji) as UTF-8.
pub fn push_str(buf: &mut Vec<u8>, value: &str) {
    buf.push(b'"');
    let bytes = value.as_bytes();
    if bytes.iter().all(|&b| b >= 0x20 && b != b'"' && b != b'\\') {
        buf.extend_from_slice(bytes);
    } else {
        for &b in bytes {
            match b {
                b'"' => buf.extend_from_slice(b"\\\""),
                b'\\' => buf.extend_from_slice(b"\\\\"),
                b'\n' => buf.extend_from_slice(b"\\n"),
                b'\r' => buf.extend_from_slice(b"\\r"),
                b'\t' => buf.extend_from_slice(b"\\t"),
                0x08 => buf.extend_from_slice(b"\\b"),
                0x0c => buf.extend_from_slice(b"\\f"),
                0x00..=0x1f => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    buf.extend_from_slice(b"\\u00");
                    buf.push(HEX[usize::from(b >> 4)]);
                    buf.push(HEX[usize::from(b & 15)]);
                }
                _ => buf.push(b),
            }
        }
    }
    buf.push(b'"');
}

/// Appends a decimal integer.
pub fn push_uint(buf: &mut Vec<u8>, mut value: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[i..]);
}

/// Appends `"YYYY-MM-DDTHH:MM:SS+09:00"` for the Unix time `at`.
pub fn push_kst(buf: &mut Vec<u8>, at: i64) {
    let local = at + KST_OFFSET_SECONDS;
    let (year, month, day) = civil_from_days(local.div_euclid(DAY_SECONDS));
    let second_of_day = local.rem_euclid(DAY_SECONDS);
    let two = |buf: &mut Vec<u8>, n: i64| {
        buf.push(b'0' + (n / 10) as u8);
        buf.push(b'0' + (n % 10) as u8);
    };
    buf.push(b'"');
    two(buf, year / 100);
    two(buf, year % 100);
    buf.push(b'-');
    two(buf, month);
    buf.push(b'-');
    two(buf, day);
    buf.push(b'T');
    two(buf, second_of_day / 3600);
    buf.push(b':');
    two(buf, second_of_day / 60 % 60);
    buf.push(b':');
    two(buf, second_of_day % 60);
    buf.extend_from_slice(b"+09:00\"");
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
            let mut buf = Vec::new();
            push_kst(&mut buf, at);
            let expected = kst
                .timestamp_opt(at, 0)
                .unwrap()
                .format("\"%Y-%m-%dT%H:%M:%S+09:00\"")
                .to_string();
            assert_eq!(String::from_utf8(buf).unwrap(), expected, "at {at}");
        }
    }

    #[test]
    fn strings_escape_like_serde_json() {
        for s in [
            "plain",
            "Korean 한국어 and emoji 🚀",
            "quote \" backslash \\ newline \n tab \t",
            "controls \u{0} \u{8} \u{b} \u{c} \r \u{1f}",
        ] {
            let mut buf = Vec::new();
            push_str(&mut buf, s);
            assert_eq!(
                String::from_utf8(buf).unwrap(),
                serde_json::to_string(s).unwrap()
            );
        }
    }

    #[test]
    fn integers() {
        for n in [0, 7, 10, 4_294_967_295, u64::MAX] {
            let mut buf = Vec::new();
            push_uint(&mut buf, n);
            assert_eq!(String::from_utf8(buf).unwrap(), n.to_string());
        }
    }

    #[test]
    fn midnight_is_korean() {
        // 2026-03-03T15:30:00+09:00 -> 2026-03-03T00:00:00+09:00
        let at = 1_772_519_400;
        let mut buf = Vec::new();
        push_kst(&mut buf, kst_midnight(at));
        assert_eq!(buf, b"\"2026-03-03T00:00:00+09:00\"");
    }
}
