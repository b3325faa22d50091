//! Time limits: one for each call to the server, one for an operation's
//! retries (see [`super::location`] for the parameters that set them).
//!
//! The v4 client sets no deadline on reads unless told, and its own one is
//! only sent to the server as `grpc-timeout`: a server (or a network) that
//! never answers would hold the call for ever. So every call is also
//! bounded here, and a call that runs out is [`Error::DeadlineExceeded`],
//! whose outcome is unknown like any other timeout.

use super::revision::backoff;
use eventstore::Error;
use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;

/// `call`, or [`Error::DeadlineExceeded`] once `limit` has passed.
pub async fn within<T>(
    limit: Duration,
    call: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    tokio::time::timeout(limit, call)
        .await
        .unwrap_or(Err(Error::DeadlineExceeded))
}

/// The time one operation has left for trying again.
pub struct Budget {
    until: Instant,
    tries: u32,
}

impl Budget {
    pub fn new(total: Duration) -> Self {
        Self {
            until: Instant::now() + total,
            tries: 0,
        }
    }

    /// Waits before the next try, or says `false` when the budget would be
    /// spent before it (a first retry is always allowed: a failure right at
    /// the start is not yet a failure to try again).
    pub async fn pause(&mut self) -> bool {
        let pause = backoff(self.tries);
        if self.tries > 0 && Instant::now() + pause > self.until {
            return false;
        }
        self.tries += 1;
        tokio::time::sleep(pause).await;
        true
    }

    /// Tries made after the first.
    pub fn retries(&self) -> u32 {
        self.tries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_call_past_its_deadline_is_a_deadline_exceeded() {
        let never = std::future::pending::<Result<(), Error>>();
        let started = Instant::now();
        let out = within(Duration::from_secs(2), never).await;
        assert!(matches!(out, Err(Error::DeadlineExceeded)), "{out:?}");
        assert_eq!(started.elapsed(), Duration::from_secs(2));
        assert!(
            within(Duration::from_secs(2), async { Ok(7) })
                .await
                .is_ok()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_budget_bounds_the_retries() {
        let started = Instant::now();
        let mut budget = Budget::new(Duration::from_secs(10));
        while budget.pause().await {}
        // 0.1 + 0.2 + 0.4 + 0.8 + 1.6 + 3.2 = 6.3 s; the next 5 s would overrun.
        assert_eq!(budget.retries(), 6);
        assert!(started.elapsed() <= Duration::from_secs(10));
        let mut none = Budget::new(Duration::ZERO);
        assert!(none.pause().await, "one retry even with no budget");
        assert!(!none.pause().await);
    }
}
