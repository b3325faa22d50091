//! `Idempotency-Key`s kept by the store itself (PostgreSQL), so that every
//! server on one ledger gives a retry the first answer, whichever server
//! got the first try. [`super::idempotency`] still answers retries that
//! arrive at the same process while the first is in flight.
//!
//! An appended key is kept in the append's own transaction; a refusal's
//! answer is kept after it (nothing was appended that it must agree with).
//! A refusal is checked against the store once more before it is answered:
//! a first try on another server may have landed meanwhile, and its answer
//! is the one to give.

use super::idempotency::body_hash;
use bytes::Bytes;
use gpu_ledger_ledger::{AppendKey, EventStore, Hash, Kept, KeptAnswer};
use serde_json::json;

/// The store's key for a request of `client` with `key`, whose body and
/// expected seq are `fingerprint`; `None` when the store keeps no keys.
pub fn store_key(
    store: &dyn EventStore,
    client: &str,
    key: Option<&str>,
    fingerprint: &[u8],
) -> Option<AppendKey> {
    let key = key.filter(|_| store.kept_keys().is_some())?;
    Some(AppendKey {
        scope: client.to_string(),
        key: key.to_string(),
        fingerprint: Hash(body_hash(fingerprint)),
    })
}

/// What to answer a request whose key the store kept: (status, body); a
/// key first used with another request is refused.
pub fn answer(kept: &Kept, key: &AppendKey) -> Result<(u16, Bytes), String> {
    if kept.fingerprint != key.fingerprint {
        return Err(format!(
            "Idempotency-Key {:?} was already used with another request body",
            key.key
        ));
    }
    Ok(match &kept.answer {
        KeptAnswer::Appended(records) => (
            201,
            Bytes::from(
                serde_json::to_vec(&json!({ "records": records })).expect("answers serialise"),
            ),
        ),
        KeptAnswer::Refused { status, body } => (*status, Bytes::from(body.clone())),
    })
}
