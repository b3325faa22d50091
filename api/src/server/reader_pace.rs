//! How fast a live stream's reader takes what it is sent, so that one that
//! reads, but too slowly to keep up, is ended with an `event: end` (and
//! resumes with `Last-Event-ID`) instead of holding its stream, its
//! read-ahead and its place among the principal's streams for ever.
//!
//! Only the reader's own time counts: from when a record is handed to the
//! connection until the connection asks for the next one (it asks once it
//! has written the last, so the gap is the time the client took). Time
//! spent waiting for new records is not the reader's. Once the reader's
//! time reaches [`Limits::stall_timeout`], its pace over that time is
//! judged: slower than [`Limits::reader_bytes`] per `stall_timeout` is too
//! slow. A pace, not a count, because a connection asks for more in bursts
//! (whenever the kernel's buffer has drained enough), so a window holds
//! whole bursts and whole gaps. The default limits so ask for 32 KiB per
//! 30 s of waiting on the client, about 1 KiB/s, which any reader that
//! keeps up with the ledger takes.
//!
//! A reader that takes nothing at all is never asked about: its
//! connection does not ask for more, so it can be sent nothing, not even
//! an end; [`connections`](super::connections) closes it after the stall
//! timeout.
//!
//! [`Limits::stall_timeout`]: super::Limits
//! [`Limits::reader_bytes`]: super::Limits

use std::time::{Duration, Instant};

/// The name `/metrics`, the end event and docs/reliability.md give the limit.
pub const LIMIT: &str = "slow_reader";

/// A reader's pace over windows of its own time.
#[derive(Debug)]
pub struct Pace {
    least: usize,
    window: Duration,
    /// The reader's time in this window.
    owed: Duration,
    /// Bytes handed to it in this window.
    taken: usize,
    /// When the last bytes were handed to it, until it asks for more.
    sent_at: Option<Instant>,
}

impl Pace {
    /// A reader must take at least `least` bytes per `window` of its time.
    pub fn new(least: usize, window: Duration) -> Self {
        Self {
            least,
            window,
            owed: Duration::ZERO,
            taken: 0,
            sent_at: None,
        }
    }

    /// The reader asks for more at `now`: whether it has been too slow.
    pub fn asks(&mut self, now: Instant) -> bool {
        if let Some(at) = self.sent_at.take() {
            self.owed += now.saturating_duration_since(at);
        }
        if self.owed < self.window {
            return false;
        }
        let slow = (self.taken as u128) * self.window.as_nanos()
            < (self.least as u128) * self.owed.as_nanos();
        self.owed = Duration::ZERO;
        self.taken = 0;
        slow
    }

    /// `bytes` were handed to the reader at `now`.
    pub fn sent(&mut self, bytes: usize, now: Instant) {
        self.taken += bytes;
        self.sent_at = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    /// A reader handed `bytes` at a time, asking for more `every` later,
    /// `times` times: whether it was ever found too slow.
    fn reads(pace: &mut Pace, bytes: usize, every: Duration, times: u32) -> bool {
        let mut now = Instant::now();
        (0..times).any(|_| {
            pace.sent(bytes, now);
            now += every;
            pace.asks(now)
        })
    }

    #[test]
    fn a_reader_that_takes_less_than_its_bytes_in_a_window_is_too_slow() {
        let mut pace = Pace::new(8192, 2 * SECOND);
        // 512 bytes every 250 ms: 4 KiB in each 2 s.
        assert!(reads(&mut pace, 512, SECOND / 4, 40));
    }

    #[test]
    fn a_reader_that_keeps_up_is_never_too_slow() {
        let mut pace = Pace::new(8192, 2 * SECOND);
        assert!(!reads(&mut pace, 4096, SECOND / 2, 1000));
    }

    #[test]
    fn a_burst_counts_for_the_gap_after_it() {
        // 8 KiB then 3 s waiting on the reader: under 4 KiB/s.
        assert!(reads(&mut Pace::new(8192, 2 * SECOND), 8192, 3 * SECOND, 4));
        // 16 KiB then 3 s: over it.
        assert!(!reads(
            &mut Pace::new(8192, 2 * SECOND),
            16384,
            3 * SECOND,
            100
        ));
    }

    #[test]
    fn time_spent_waiting_for_records_is_not_the_readers() {
        let mut pace = Pace::new(8192, 2 * SECOND);
        let mut now = Instant::now();
        for _ in 0..100 {
            pace.sent(100, now);
            // It asks at once, then the stream waits an hour for a record.
            now += Duration::from_millis(1);
            assert!(!pace.asks(now));
            now += Duration::from_secs(3600);
            assert!(!pace.asks(now), "an idle stream was judged slow");
        }
    }
}
