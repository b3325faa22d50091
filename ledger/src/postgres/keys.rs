//! Idempotency keys in the database: every server on the ledger sees the
//! same first answer to a key. An appended key is inserted in the append's
//! own transaction (see [`super::append`]), so the key and the records land
//! together or not at all; a refused one is kept after the refusal, since
//! nothing was appended that it must agree with.

use super::PgStore;
use crate::chain::Hash;
use crate::record::Record;
use crate::store::{AppendKey, EventStore, Kept, KeptAnswer, StoreError};

/// What was kept for `key` of `scope`.
pub(super) async fn kept(
    store: &PgStore,
    scope: &str,
    key: &str,
) -> Result<Option<Kept>, StoreError> {
    let client = store.client().await?;
    let statement = client
        .prepare_cached(&store.inner.sql.key_get)
        .await
        .map_err(|e| store.pg(&e, "reading an idempotency key"))?;
    let row = client
        .query_opt(&statement, &[&scope, &key])
        .await
        .map_err(|e| store.pg(&e, "reading an idempotency key"))?;
    drop(client);
    let Some(row) = row else {
        return Ok(None);
    };
    let fingerprint: Vec<u8> = row.get(0);
    let fingerprint = Hash(fingerprint.try_into().map_err(|_| {
        StoreError::Backend(format!(
            "{}: the idempotency key {key:?} has a malformed fingerprint",
            store.describe()
        ))
    })?);
    let first: Option<i64> = row.get(1);
    let last: Option<i64> = row.get(2);
    let answer = match (first, last) {
        (Some(first), Some(last)) => {
            let (first, last) = (first as u64, last as u64);
            let records = store_read(store, first, last).await?;
            KeptAnswer::Appended(records.iter().map(Record::meta).collect())
        }
        _ => {
            let status: Option<i16> = row.get(3);
            let body: Option<Vec<u8>> = row.get(4);
            KeptAnswer::Refused {
                status: status.unwrap_or(500) as u16,
                body: body.unwrap_or_default(),
            }
        }
    };
    Ok(Some(Kept {
        key: key.to_string(),
        fingerprint,
        answer,
    }))
}

/// Records `first..=last`, which a kept key says are there.
async fn store_read(store: &PgStore, first: u64, last: u64) -> Result<Vec<Record>, StoreError> {
    let want = (last + 1 - first) as usize;
    let mut records = Vec::with_capacity(want);
    while records.len() < want {
        let page = store
            .read(first + records.len() as u64, want - records.len())
            .await?;
        if page.is_empty() {
            return Err(store.broken(
                first + records.len() as u64,
                format!(
                    "an idempotency key names records {first} to {last}, which are not all there"
                ),
            ));
        }
        records.extend(page);
    }
    Ok(records)
}

/// Keeps a refusal's answer for `key`, unless something is kept already.
pub(super) async fn keep_refusal(
    store: &PgStore,
    key: &AppendKey,
    status: u16,
    body: &[u8],
) -> Result<(), StoreError> {
    let client = store.client().await?;
    let statement = client
        .prepare_cached(&store.inner.sql.refusal_insert)
        .await
        .map_err(|e| store.pg(&e, "keeping an idempotency key"))?;
    client
        .execute(
            &statement,
            &[
                &key.scope,
                &key.key,
                &&key.fingerprint.0[..],
                &(status as i16),
                &body,
            ],
        )
        .await
        .map_err(|e| store.pg(&e, "keeping an idempotency key"))?;
    Ok(())
}
