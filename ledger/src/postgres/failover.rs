//! What a PostgreSQL error means for the ledger, and whether the store has a
//! database that takes writes right now.
//!
//! A lost connection, a server shutting down or one that turned read-only
//! (a primary that was demoted, a standby not yet promoted) mean *no primary
//! for now*: the store says so ([`Outage`]) until a connection to a writable
//! database succeeds again, and callers answer at once (`503` with
//! `Retry-After`) rather than queue. Anything else the server answered
//! (a constraint, a permission, a syntax error) is that statement's own
//! failure and trying again will not mend it.

use super::location::PgLocation;
use crate::store::StoreError;
use futures::future::BoxFuture;
use std::time::Duration;
use tokio::sync::watch;
use tokio_postgres::error::SqlState;

/// What an error from the client means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No writable database answered: the connection was refused or lost,
    /// the server is shutting down or starting, or it is read-only.
    NoPrimary,
    /// A unique constraint refused a row: the constraint's name.
    Unique(String),
    /// The server refused the statement for what it is.
    Refused,
}

/// Sorts an error of the client.
pub fn classify(e: &tokio_postgres::Error) -> Failure {
    let Some(db) = e.as_db_error() else {
        // No answer from a server: I/O, a closed connection, a timeout, or
        // every host of the list refused (none writable).
        return Failure::NoPrimary;
    };
    let code = db.code();
    if *code == SqlState::UNIQUE_VIOLATION {
        return Failure::Unique(db.constraint().unwrap_or_default().to_string());
    }
    let no_primary = [
        SqlState::READ_ONLY_SQL_TRANSACTION,
        SqlState::ADMIN_SHUTDOWN,
        SqlState::CRASH_SHUTDOWN,
        SqlState::CANNOT_CONNECT_NOW,
        SqlState::TOO_MANY_CONNECTIONS,
    ];
    if no_primary.contains(code) || code.code().starts_with("08") {
        Failure::NoPrimary
    } else {
        Failure::Refused
    }
}

/// The error a person reads for `e`, met while doing `what`.
pub fn pg_error(location: &PgLocation, what: &str, e: &tokio_postgres::Error) -> StoreError {
    let detail = match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => e.to_string(),
    };
    match classify(e) {
        Failure::NoPrimary => StoreError::Unavailable {
            store: location.describe(),
            reason: format!("no writable PostgreSQL server answered while {what}: {detail}"),
        },
        _ => StoreError::Backend(format!("{}: {what}: {detail}", location.describe())),
    }
}

/// Whether the store is without a writable database, and since when.
#[derive(Debug)]
pub struct Outage {
    state: watch::Sender<Option<String>>,
}

impl Default for Outage {
    fn default() -> Self {
        Self {
            state: watch::channel(None).0,
        }
    }
}

impl Outage {
    /// After an error: if it means no primary, the store is out until a
    /// connection succeeds again.
    pub fn note(&self, e: &StoreError) {
        if let StoreError::Unavailable { reason, .. } = e {
            let changed = self.state.send_if_modified(|s| {
                let was_out = s.is_some();
                *s = Some(reason.clone());
                !was_out
            });
            if changed {
                tracing::warn!(reason = %reason, "the PostgreSQL store has no writable server; answering 503 until one takes writes again");
            }
        }
    }

    /// A statement went through: the store has a primary.
    pub fn over(&self) {
        let changed = self.state.send_if_modified(|s| s.take().is_some());
        if changed {
            tracing::info!("the PostgreSQL store has a writable server again");
        }
    }

    pub fn current(&self) -> Option<String> {
        self.state.borrow().clone()
    }

    /// Resolves once the store is out (at once if it is).
    pub fn wait(&self, store: String) -> BoxFuture<'static, StoreError> {
        let mut rx = self.state.subscribe();
        Box::pin(async move {
            let reason = loop {
                let current = rx.borrow_and_update().clone();
                if let Some(reason) = current {
                    break reason;
                }
                if rx.changed().await.is_err() {
                    // The store is gone: it will never be out.
                    futures::future::pending::<()>().await;
                }
            };
            StoreError::Unavailable { store, reason }
        })
    }
}

/// How long to wait before try number `attempt` (from 0) of something that
/// found no primary: doubling from 50 ms to 1 s, so a promoted standby is
/// found within a second of taking writes.
pub fn backoff(attempt: u32) -> Duration {
    let ms = 50u64.saturating_mul(1 << attempt.min(5));
    Duration::from_millis(ms.min(1_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_a_second() {
        assert_eq!(backoff(0), Duration::from_millis(50));
        assert_eq!(backoff(1), Duration::from_millis(100));
        assert_eq!(backoff(4), Duration::from_millis(800));
        assert_eq!(backoff(5), Duration::from_secs(1));
        assert_eq!(backoff(60), Duration::from_secs(1));
    }

    #[tokio::test]
    async fn an_outage_is_announced_once_and_ends_with_a_success() {
        let outage = Outage::default();
        let waiting = outage.wait("pg".into());
        assert!(outage.current().is_none());
        outage.note(&StoreError::Backend("a constraint".into()));
        assert!(
            outage.current().is_none(),
            "only a missing primary is an outage"
        );
        outage.note(&StoreError::Unavailable {
            store: "pg".into(),
            reason: "connection refused".into(),
        });
        match waiting.await {
            StoreError::Unavailable { reason, .. } => assert_eq!(reason, "connection refused"),
            other => panic!("{other:?}"),
        }
        outage.over();
        assert!(outage.current().is_none());
    }
}
