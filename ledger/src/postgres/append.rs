//! One append, one transaction: read the head, chain the records onto it,
//! insert them (and the idempotency key) and COMMIT, in two round trips.
//!
//! `seq` is the primary key, so of two writers that read the same head the
//! second one's insert waits for the first to finish and then fails: a
//! conflict, never a fork. Without an expected seq the loser chains onto
//! the new head and tries again, as the file store's writer would have.
//!
//! The answer is given only after COMMIT returned. If the connection is lost
//! after COMMIT was sent, nobody knows yet whether it landed: the first
//! record carries the random id of this attempt, and the store reads that
//! record back (on whatever server takes writes by then, such as a promoted
//! standby) to say *landed* or *not landed*, never guessing.

use super::PgStore;
use super::failover::{Failure, backoff, classify};
use super::rows::{Columns, head_of, records_after};
use crate::record::{EventBatch, Record, RecordMeta};
use crate::store::{AppendKey, EventStore, Head, StoreError};
use deadpool_postgres::Object;
use std::time::Instant;
use tokio_postgres::types::ToSql;

/// Without an expected seq, how often an append chains onto a head that
/// moved under it before giving up.
const REBASE_TRIES: u32 = 64;

/// What became of one try.
enum Tried {
    /// Another writer took the seq first.
    Moved,
    Failed(StoreError),
}

impl From<StoreError> for Tried {
    fn from(e: StoreError) -> Self {
        Tried::Failed(e)
    }
}

pub(super) async fn append(
    store: &PgStore,
    events: EventBatch,
    expected_seq: Option<u64>,
    key: Option<&AppendKey>,
) -> Result<Vec<RecordMeta>, StoreError> {
    let mut rebases = 0;
    loop {
        match try_append(store, &events, expected_seq, key).await {
            Ok(metas) => return Ok(metas),
            Err(Tried::Failed(e)) => return Err(e),
            Err(Tried::Moved) => {
                if let Some(expected) = expected_seq {
                    let actual = store.head().await?;
                    return Err(StoreError::Conflict { expected, actual });
                }
                rebases += 1;
                if rebases >= REBASE_TRIES {
                    return Err(StoreError::Backend(format!(
                        "{}: the head moved under {REBASE_TRIES} tries in a row; try again",
                        store.describe()
                    )));
                }
            }
        }
    }
}

/// A new attempt id: 16 random bytes.
fn attempt_id() -> Result<[u8; 16], StoreError> {
    let mut id = [0u8; 16];
    getrandom::fill(&mut id)
        .map_err(|e| StoreError::Backend(format!("no randomness for an attempt id: {e}")))?;
    Ok(id)
}

/// Ends a transaction that will not commit, so the connection goes back to
/// the pool clean; one that cannot even roll back is closed instead.
pub(super) async fn abandon(client: Object) {
    if client.batch_execute("ROLLBACK").await.is_err() {
        drop(Object::take(client));
    }
}

async fn try_append(
    store: &PgStore,
    events: &EventBatch,
    expected_seq: Option<u64>,
    key: Option<&AppendKey>,
) -> Result<Vec<RecordMeta>, Tried> {
    let sql = &store.inner.sql;
    let client = store.client().await?;
    let prepared = async {
        Ok::<_, tokio_postgres::Error>((
            client.prepare_cached(&sql.head).await?,
            client.prepare_cached(&sql.insert).await?,
            client.prepare_cached(sql.notify).await?,
            match key {
                Some(_) => Some(client.prepare_cached(&sql.key_insert).await?),
                None => None,
            },
        ))
    };
    let (head_stmt, insert_stmt, notify_stmt, key_stmt) = prepared
        .await
        .map_err(|e| store.pg(&e, "preparing an append"))?;

    let (head, xid) = match begin_at_head(store, &client, &head_stmt, "reading the head").await {
        Ok(begun) => begun,
        Err(e) => {
            abandon(client).await;
            return Err(e.into());
        }
    };
    if let Err(conflict) = head.matches(expected_seq) {
        abandon(client).await;
        return Err(conflict.into());
    }
    if events.is_empty() {
        abandon(client).await;
        return Ok(Vec::new());
    }

    let attempt = attempt_id()?;
    let records = records_after(&head, events, store.recorded_now(&head));
    let metas: Vec<RecordMeta> = records.iter().map(Record::meta).collect();
    let (first, last) = (head.seq + 1, head.seq + records.len() as u64);
    let columns = Columns::of(&records, Some(&attempt));
    let channel = store.inner.location.channel();
    let last_text = last.to_string();

    // Sent together, answered in order: the key first, so a retry racing
    // its first try waits for it and then finds the key taken.
    let key_insert = async {
        match (key, &key_stmt) {
            (Some(k), Some(stmt)) => client
                .execute(
                    stmt,
                    &[
                        &k.scope,
                        &k.key,
                        &&k.fingerprint.0[..],
                        &(first as i64),
                        &(last as i64),
                    ],
                )
                .await
                .map(|_| ()),
            _ => Ok(()),
        }
    };
    let insert_params: [&(dyn ToSql + Sync); 6] = [
        &columns.seq,
        &columns.recorded_at,
        &columns.prev,
        &columns.hash,
        &columns.event,
        &columns.attempt,
    ];
    let insert = client.execute(&insert_stmt, &insert_params);
    let notify_params: [&(dyn ToSql + Sync); 2] = [&channel, &last_text];
    let notify = client.execute(&notify_stmt, &notify_params);
    let commit = client.batch_execute("COMMIT");
    let (keyed, inserted, notified, committed) = futures::join!(key_insert, insert, notify, commit);

    let statements = [keyed, inserted.map(|_| ()), notified.map(|_| ())];
    // The server refused a statement: the transaction never committed (its
    // COMMIT became a ROLLBACK).
    if let Some(e) = statements
        .iter()
        .filter_map(|r| r.as_ref().err())
        .find(|e| e.as_db_error().is_some())
    {
        let outcome = match classify(e) {
            Failure::Unique(c) if c.starts_with("records_") => Err(Tried::Moved),
            Failure::Unique(c) if c.starts_with("idempotency_keys") => {
                let key = key.expect("a key conflict needs a key");
                drop(client);
                match super::keys::kept(store, &key.scope, &key.key).await? {
                    Some(kept) => Err(StoreError::KeyUsed(Box::new(kept)).into()),
                    None => Err(Tried::Moved),
                }
            }
            _ => Err(store.pg(e, "appending").into()),
        };
        return outcome;
    }
    let all_sent = statements.iter().all(Result::is_ok);
    match committed {
        Ok(()) if all_sent => {
            store.healthy();
            Ok(metas)
        }
        // The server answered COMMIT with an error: it did not commit.
        Err(e) if all_sent && e.as_db_error().is_some() => {
            abandon(client).await;
            Err(store.pg(&e, "committing").into())
        }
        // The connection went before COMMIT was answered.
        other => {
            let lost = match other {
                Err(e) => e.to_string(),
                Ok(()) => statements
                    .iter()
                    .find_map(|r| r.as_ref().err().map(|e| e.to_string()))
                    .unwrap_or_default(),
            };
            drop(Object::take(client));
            store.inner.outage.note(&StoreError::Unavailable {
                store: store.describe(),
                reason: format!("the connection was lost during COMMIT: {lost}"),
            });
            resolve(store, first, &attempt, xid, metas, &lost)
                .await
                .map_err(Tried::Failed)
        }
    }
}

/// Opens a transaction and reads the head and the transaction's id in it,
/// in one round trip.
pub(super) async fn begin_at_head(
    store: &PgStore,
    client: &Object,
    head_stmt: &tokio_postgres::Statement,
    what: &str,
) -> Result<(Head, i64), StoreError> {
    let xid_stmt = client
        .prepare_cached(store.inner.sql.xid)
        .await
        .map_err(|e| store.pg(&e, what))?;
    let (begun, head_row, xid) = futures::join!(
        client.batch_execute("BEGIN"),
        client.query_opt(head_stmt, &[]),
        client.query_one(&xid_stmt, &[])
    );
    match (begun, head_row, xid) {
        (Ok(()), Ok(row), Ok(xid)) => {
            let head = head_of(row.as_ref()).map_err(|b| store.broken(b.seq, b.reason))?;
            Ok((head, xid.get(0)))
        }
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => Err(store.pg(&e, what)),
    }
}

/// Reads back whether the attempt whose first record is `first` landed.
///
/// The record alone cannot say *not landed* while transaction `xid` is
/// still in progress (a primary still waiting for its synchronous standby
/// has committed locally, yet nobody sees its rows): until the server that
/// takes writes reports it ended, the answer waits. An id the server never
/// saw (a promoted standby that did not receive it) has ended for it.
pub(super) async fn resolve(
    store: &PgStore,
    first: u64,
    attempt: &[u8; 16],
    xid: i64,
    metas: Vec<RecordMeta>,
    lost: &str,
) -> Result<Vec<RecordMeta>, StoreError> {
    let started = Instant::now();
    let patience = store.inner.options.resolve_patience;
    tracing::warn!(store = %store.describe(), first_seq = first, error = %lost,
        "the connection was lost after COMMIT was sent; reading back whether the append landed");
    let mut tries = 0;
    loop {
        let read = match store.in_progress(xid).await {
            Ok(true) => Err(StoreError::Unavailable {
                store: store.describe(),
                reason: format!("transaction {xid} is still in progress"),
            }),
            Ok(false) => store.attempt_at(first).await,
            Err(e) => Err(e),
        };
        match read {
            Ok(Some(Some(found))) if found[..] == attempt[..] => {
                tracing::info!(first_seq = first, "read back: the append landed");
                return Ok(metas);
            }
            Ok(_) => {
                tracing::info!(first_seq = first, "read back: the append did not land");
                return Err(StoreError::Unavailable {
                    store: store.describe(),
                    reason: format!(
                        "the connection was lost during COMMIT ({lost}); read back from the \
                         server that now takes writes, the append did not land"
                    ),
                });
            }
            Err(e) if started.elapsed() >= patience => {
                return Err(StoreError::OutcomeUnknown {
                    store: store.describe(),
                    reason: format!(
                        "the connection was lost after COMMIT was sent ({lost}) and no server \
                         could be asked for {} s since ({e}); read the ledger, or retry with \
                         the same Idempotency-Key, to learn whether seq {first} is this append",
                        patience.as_secs()
                    ),
                });
            }
            Err(_) => {
                tokio::time::sleep(backoff(tries)).await;
                tries += 1;
            }
        }
    }
}

/// The head after `records` appended onto `head`.
pub(super) fn head_after(head: Head, records: &[Record]) -> Head {
    records.last().map_or(head, crate::cursor::head_of)
}
