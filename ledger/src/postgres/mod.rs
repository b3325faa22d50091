//! The PostgreSQL backend: the ledger as one table in a database operators
//! already run, with a standby to fail over to and any number of servers on
//! one ledger.
//!
//! - [`location`]: the `postgres://` URL, its host list and the ledger's schema;
//! - [`schema`]: the tables, created and upgraded by numbered migrations;
//! - [`rows`]: records as rows, checked as they are read;
//! - [`append`]: one transaction per append; `seq` is the primary key, so of
//!   two writers racing onto one head one wins and the other gets a
//!   conflict, never a fork; an append whose COMMIT went unanswered is
//!   resolved by reading back the attempt id its first record carries;
//! - [`keys`]: idempotency keys, kept in the append's own transaction;
//! - [`follow`]: LISTEN/NOTIFY to wake, reads by seq to fetch;
//! - [`import`]: one transaction of `COPY`s, all or nothing across a crash;
//! - [`failover`]: what an error means, and whether a primary is there.
//!
//! All use of `tokio-postgres` and `deadpool-postgres` is in this module.

mod append;
pub mod failover;
mod follow;
mod import;
mod keys;
pub mod location;
mod rows;
pub mod schema;

use crate::cursor::Cursor;
use crate::record::{EventBatch, Record, RecordMeta};
use crate::store::{AppendKey, EventStore, Head, ImportSession, Kept, KeptKeys, StoreError};
use crate::time::{Clock, RecordedAt};
use async_trait::async_trait;
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, PoolError, RecyclingMethod};
use failover::{Outage, pg_error};
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use location::PgLocation;
pub use schema::Migrate;
use schema::Sql;
use std::sync::Arc;
use std::time::Duration;
use tokio_postgres::{NoTls, Statement};

/// How to open a [`PgStore`].
#[derive(Clone, Debug)]
pub struct PgOptions {
    /// Source of `recorded_at`.
    pub clock: Clock,
    /// Create or upgrade the schema on first use, or only check it.
    pub migrate: Migrate,
    /// Connections kept open (besides each follower's own).
    pub pool_size: usize,
    /// How long an append whose COMMIT went unanswered keeps trying to read
    /// back whether it landed before it is reported as not known.
    pub resolve_patience: Duration,
}

impl Default for PgOptions {
    fn default() -> Self {
        Self {
            clock: Clock::System,
            migrate: Migrate::Apply,
            pool_size: 8,
            resolve_patience: Duration::from_secs(60),
        }
    }
}

/// The ledger in a PostgreSQL schema. Cheap to clone.
#[derive(Clone)]
pub struct PgStore {
    inner: Arc<Inner>,
}

struct Inner {
    location: PgLocation,
    pool: Pool,
    sql: Sql,
    options: PgOptions,
    /// Set once the schema was found (or made) current.
    ready: tokio::sync::OnceCell<(i32, i32)>,
    outage: Outage,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("location", &self.describe())
            .finish()
    }
}

impl PgStore {
    /// A store on `url` (`postgres://user@host/db`, optionally
    /// `?schema=NAME`). Nothing connects until first use.
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, PgOptions::default())
    }

    pub fn connect_with(url: &str, options: PgOptions) -> Result<Self, StoreError> {
        let location = PgLocation::parse(url).map_err(|e| StoreError::Invalid(e.0))?;
        let manager = Manager::from_config(
            location.config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(options.pool_size.max(2))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(Duration::from_secs(30)))
            .build()
            .map_err(|e| StoreError::Invalid(format!("{}: {e}", location.describe())))?;
        Ok(Self {
            inner: Arc::new(Inner {
                sql: Sql::new(&location.schema),
                location,
                pool,
                options,
                ready: tokio::sync::OnceCell::new(),
                outage: Outage::default(),
            }),
        })
    }

    /// The schema holding the ledger.
    pub fn schema(&self) -> &str {
        &self.inner.location.schema
    }

    /// Brings the schema up to date now: (version before, version after).
    pub async fn migrate(&self) -> Result<(i32, i32), StoreError> {
        let mut client = self.pooled().await?;
        let versions = schema::prepare(&mut client, &self.inner.location, Migrate::Apply).await?;
        let _ = self.inner.ready.set(versions);
        Ok(versions)
    }

    /// A pooled connection to a writable server, the schema checked (or
    /// made) current on first use.
    async fn client(&self) -> Result<Object, StoreError> {
        let mut client = self.pooled().await?;
        if self.inner.ready.get().is_none() {
            let versions = schema::prepare(
                &mut client,
                &self.inner.location,
                self.inner.options.migrate,
            )
            .await?;
            let _ = self.inner.ready.set(versions);
        }
        Ok(client)
    }

    async fn pooled(&self) -> Result<Object, StoreError> {
        self.inner.pool.get().await.map_err(|e| {
            let e = match e {
                PoolError::Backend(e) => self.pg(&e, "connecting"),
                PoolError::Timeout(_) => StoreError::Unavailable {
                    store: self.describe(),
                    reason: "no connection to PostgreSQL came free within 30 s".into(),
                },
                other => StoreError::Backend(format!("{}: {other}", self.describe())),
            };
            self.inner.outage.note(&e);
            e
        })
    }

    /// `e`, met while doing `what`, as the store reports it (noting an outage).
    fn pg(&self, e: &tokio_postgres::Error, what: &str) -> StoreError {
        let e = pg_error(&self.inner.location, what, e);
        self.inner.outage.note(&e);
        e
    }

    /// A statement went through on a writable server.
    fn healthy(&self) {
        self.inner.outage.over();
    }

    fn broken(&self, seq: u64, reason: String) -> StoreError {
        StoreError::Broken {
            store: self.describe(),
            seq,
            reason,
        }
    }

    /// `recorded_at` for records after `head`: the clock, never before it.
    fn recorded_now(&self, head: &Head) -> RecordedAt {
        let now = self.inner.options.clock.now();
        head.recorded_at.map_or(now, |last| now.max(last))
    }

    /// The next page of records after `cursor`, each checked against the one
    /// before (reading the anchor first when the cursor needs it).
    async fn read_page(
        &self,
        client: &tokio_postgres::Client,
        statement: &Statement,
        cursor: &mut Cursor,
        max: usize,
    ) -> Result<Vec<Record>, StoreError> {
        let from = cursor.wants_from().max(1);
        let limit = max as i64 + i64::from(from == cursor.last_seq());
        let rows = client
            .query(statement, &[&(from as i64), &limit])
            .await
            .map_err(|e| self.pg(&e, "reading records"))?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let record = rows::record_of(row).map_err(|b| self.broken(b.seq, b.reason))?;
            if let Some(r) = cursor
                .accept(record)
                .map_err(|b| self.broken(b.seq, b.reason))?
            {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// Whether transaction `xid` is still in progress on the server that
    /// takes writes; one it never heard of is not.
    async fn in_progress(&self, xid: i64) -> Result<bool, StoreError> {
        let client = self.client().await?;
        match client.query_one(self.inner.sql.xid_status, &[&xid]).await {
            Ok(row) => Ok(row.get::<_, Option<String>>(0).as_deref() == Some("in progress")),
            Err(e) if failover::classify(&e) == failover::Failure::Refused => Ok(false),
            Err(e) => Err(self.pg(&e, "asking after an append")),
        }
    }

    /// The attempt id record `seq` carries, if there is such a record.
    async fn attempt_at(&self, seq: u64) -> Result<Option<Option<Vec<u8>>>, StoreError> {
        let client = self.client().await?;
        let statement = client
            .prepare_cached(&self.inner.sql.attempt_at)
            .await
            .map_err(|e| self.pg(&e, "reading an append back"))?;
        let row = client
            .query_opt(&statement, &[&(seq as i64)])
            .await
            .map_err(|e| self.pg(&e, "reading an append back"))?;
        self.healthy();
        Ok(row.map(|r| r.get::<_, Option<Vec<u8>>>(0)))
    }
}

#[async_trait]
impl EventStore for PgStore {
    async fn append(
        &self,
        events: EventBatch,
        expected_seq: Option<u64>,
    ) -> Result<Vec<RecordMeta>, StoreError> {
        append::append(self, events, expected_seq, None).await
    }

    async fn head(&self) -> Result<Head, StoreError> {
        let client = self.client().await?;
        let statement = client
            .prepare_cached(&self.inner.sql.head)
            .await
            .map_err(|e| self.pg(&e, "reading the head"))?;
        let row = client
            .query_opt(&statement, &[])
            .await
            .map_err(|e| self.pg(&e, "reading the head"))?;
        self.healthy();
        rows::head_of(row.as_ref()).map_err(|b| self.broken(b.seq, b.reason))
    }

    async fn read(&self, from_seq: u64, max: usize) -> Result<Vec<Record>, StoreError> {
        if max == 0 {
            return Ok(Vec::new());
        }
        let client = self.client().await?;
        let statement = client
            .prepare_cached(&self.inner.sql.read)
            .await
            .map_err(|e| self.pg(&e, "reading records"))?;
        let mut cursor = Cursor::after(from_seq.max(1) - 1);
        let records = self
            .read_page(&client, &statement, &mut cursor, max)
            .await?;
        self.healthy();
        Ok(records)
    }

    fn follow(&self, after_seq: u64) -> BoxStream<'static, Result<Record, StoreError>> {
        follow::follow(self.clone(), after_seq)
    }

    async fn begin_import(
        &self,
        expected_seq: Option<u64>,
    ) -> Result<Box<dyn ImportSession>, StoreError> {
        Ok(Box::new(import::PgImport::begin(self, expected_seq).await?))
    }

    fn describe(&self) -> String {
        self.inner.location.describe()
    }

    fn outage(&self) -> BoxFuture<'static, StoreError> {
        self.inner.outage.wait(self.describe())
    }

    fn kept_keys(&self) -> Option<&dyn KeptKeys> {
        Some(self)
    }
}

#[async_trait]
impl KeptKeys for PgStore {
    async fn append_keyed(
        &self,
        events: EventBatch,
        expected_seq: Option<u64>,
        key: &AppendKey,
    ) -> Result<Vec<RecordMeta>, StoreError> {
        append::append(self, events, expected_seq, Some(key)).await
    }

    async fn kept(&self, scope: &str, key: &str) -> Result<Option<Kept>, StoreError> {
        keys::kept(self, scope, key).await
    }

    async fn keep_refusal(
        &self,
        key: &AppendKey,
        status: u16,
        body: &[u8],
    ) -> Result<(), StoreError> {
        keys::keep_refusal(self, key, status, body).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_is_not_a_postgres_url_before_connecting() {
        let err = PgStore::connect("file:/tmp/x").unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
        let err = PgStore::connect("postgres://u@h/db?schema=Bad").unwrap_err();
        assert!(err.to_string().contains("schema name"), "{err}");
    }

    #[tokio::test]
    async fn describe_names_the_schema_without_the_password() {
        let store =
            PgStore::connect("postgres://ledger:pw@db1:5432,db2:5432/gpu?schema=s2026").unwrap();
        assert_eq!(
            store.describe(),
            "postgres://ledger@db1:5432,db2:5432/gpu?schema=s2026"
        );
        assert_eq!(store.schema(), "s2026");
        assert!(store.atomic_import());
        assert!(store.kept_keys().is_some());
        assert!(
            !store.can_enqueue(),
            "several servers may write: no queueing"
        );
        assert!(!format!("{store:?}").contains("pw"));
    }

    #[tokio::test]
    async fn an_unreachable_server_is_an_outage_not_a_hang() {
        // Port 1 on loopback refuses at once.
        let store = PgStore::connect("postgres://u@127.0.0.1:1/db?connect_timeout=2").unwrap();
        let outage = store.outage();
        match store.head().await {
            Err(StoreError::Unavailable { reason, .. }) => {
                assert!(reason.contains("no writable PostgreSQL server"), "{reason}")
            }
            other => panic!("expected unavailable, got {other:?}"),
        }
        assert!(matches!(outage.await, StoreError::Unavailable { .. }));
    }
}
