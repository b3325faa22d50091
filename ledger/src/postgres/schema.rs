//! The ledger's tables, created and upgraded by the program: numbered
//! migrations, each applied once, in order, in one transaction, recorded in
//! `schema_migrations` of the ledger's own schema (so one database can hold
//! several ledgers, or share a database with other systems).
//!
//! Writers ([`Migrate::Apply`]) bring the schema up to date on first use;
//! readers ([`Migrate::Check`]) only check it, so an auditor's read-only role
//! needs no right to create anything. A schema newer than this program is
//! refused rather than guessed at.

use super::failover::pg_error;
use super::location::PgLocation;
use crate::store::StoreError;
use tokio_postgres::error::SqlState;

/// One step of the schema.
pub struct Migration {
    pub version: i32,
    pub name: &'static str,
    /// SQL with `{s}` standing for the quoted schema name.
    sql: &'static str,
}

/// Every migration, oldest first. Never edit one that has shipped: add the next.
pub const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "records, idempotency keys, the events view",
    sql: V1,
}];

/// The version this program writes and reads.
pub fn current_version() -> i32 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

const V1: &str = r#"
CREATE TABLE {s}.records (
    seq         bigint PRIMARY KEY CHECK (seq >= 1),
    recorded_at bigint NOT NULL,
    prev        bytea  NOT NULL CHECK (octet_length(prev) = 32),
    hash        bytea  NOT NULL CHECK (octet_length(hash) = 32),
    event       bytea  NOT NULL,
    attempt     bytea  CHECK (octet_length(attempt) = 16),
    CHECK (seq > 1 OR prev = decode(repeat('00', 32), 'hex'))
);
COMMENT ON TABLE {s}.records IS
    'The gpu-ledger hash chain: one row per record (ledger-format.md). Append-only.';
COMMENT ON COLUMN {s}.records.recorded_at IS
    'Microseconds since 1970-01-01T00:00:00Z, UTC';
COMMENT ON COLUMN {s}.records.event IS
    'The event body''s canonical JSON bytes, exactly as hashed';
COMMENT ON COLUMN {s}.records.attempt IS
    'On the first record of each append: the random id of the attempt that wrote it, read back when a COMMIT''s outcome was lost';

CREATE FUNCTION {s}.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'gpu-ledger records are append-only: % refused', TG_OP;
END
$$;
CREATE TRIGGER records_append_only BEFORE UPDATE OR DELETE ON {s}.records
    FOR EACH ROW EXECUTE FUNCTION {s}.refuse_change();
CREATE TRIGGER records_never_truncated BEFORE TRUNCATE ON {s}.records
    FOR EACH STATEMENT EXECUTE FUNCTION {s}.refuse_change();

CREATE TABLE {s}.idempotency_keys (
    scope       text        NOT NULL,
    key         text        NOT NULL,
    fingerprint bytea       NOT NULL CHECK (octet_length(fingerprint) = 32),
    first_seq   bigint,
    last_seq    bigint,
    status      smallint,
    body        bytea,
    kept_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key),
    CHECK ((first_seq IS NOT NULL AND last_seq IS NOT NULL) <> (status IS NOT NULL AND body IS NOT NULL))
);
COMMENT ON TABLE {s}.idempotency_keys IS
    'Idempotency-Key answers: an append''s records (kept in its transaction), or a refusal''s status and body';

CREATE VIEW {s}.events AS
SELECT seq,
       timestamptz 'epoch' + recorded_at * interval '1 microsecond' AS recorded_at,
       convert_from(event, 'UTF8')::jsonb ->> 'type' AS type,
       convert_from(event, 'UTF8')::jsonb AS event,
       encode(hash, 'hex') AS hash
FROM {s}.records;
COMMENT ON VIEW {s}.events IS
    'Each record''s event as jsonb, for analysts'' SQL';
"#;

/// What to do with a schema that is missing or behind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Migrate {
    /// Create it or bring it up to date (writers, `gpu-ledger migrate`).
    Apply,
    /// Only check it is there and current (readers).
    Check,
}

/// The schema's version: (before, after).
pub async fn prepare(
    client: &mut tokio_postgres::Client,
    location: &PgLocation,
    migrate: Migrate,
) -> Result<(i32, i32), StoreError> {
    let s = quoted(&location.schema);
    let err = |e: tokio_postgres::Error| pg_error(location, "preparing the schema", &e);
    let found = match installed_version(client, &s).await {
        Ok(v) => v,
        Err(e) => return Err(err(e)),
    };
    let current = current_version();
    if found > current {
        return Err(StoreError::Invalid(format!(
            "{}: the schema {} is at version {found}, newer than this gpu-ledger knows \
             ({current}): run a gpu-ledger at least as new as the one that upgraded it",
            location.describe(),
            location.schema
        )));
    }
    if found == current {
        return Ok((found, found));
    }
    if migrate == Migrate::Check {
        let advice = if found == 0 {
            "holds no gpu-ledger schema"
        } else {
            "holds an older gpu-ledger schema"
        };
        return Err(StoreError::Invalid(format!(
            "{}: the database {advice} {:?} (version {found}, this gpu-ledger needs {current}): \
             run `gpu-ledger --store URL migrate` (or any command that writes) first",
            location.describe(),
            location.schema
        )));
    }
    let tx = client.transaction().await.map_err(err)?;
    // One migrator at a time per schema, across every process.
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtext('gpu-ledger schema ' || $1))",
        &[&location.schema],
    )
    .await
    .map_err(err)?;
    tx.batch_execute(&format!(
        "CREATE SCHEMA IF NOT EXISTS {s};
         CREATE TABLE IF NOT EXISTS {s}.schema_migrations (
             version    integer     PRIMARY KEY,
             name       text        NOT NULL,
             applied_at timestamptz NOT NULL DEFAULT now()
         );"
    ))
    .await
    .map_err(err)?;
    let row = tx
        .query_one(
            &format!("SELECT coalesce(max(version), 0) FROM {s}.schema_migrations"),
            &[],
        )
        .await
        .map_err(err)?;
    let locked: i32 = row.get(0);
    for m in MIGRATIONS.iter().filter(|m| m.version > locked) {
        tx.batch_execute(&m.sql.replace("{s}", &s))
            .await
            .map_err(|e| {
                pg_error(
                    location,
                    &format!("migration {} ({})", m.version, m.name),
                    &e,
                )
            })?;
        tx.execute(
            &format!("INSERT INTO {s}.schema_migrations (version, name) VALUES ($1, $2)"),
            &[&m.version, &m.name],
        )
        .await
        .map_err(err)?;
        tracing::info!(schema = %location.schema, version = m.version, name = m.name, "applied a schema migration");
    }
    tx.commit().await.map_err(err)?;
    Ok((found, current))
}

/// The highest migration applied, 0 when there is no schema yet.
async fn installed_version(
    client: &tokio_postgres::Client,
    s: &str,
) -> Result<i32, tokio_postgres::Error> {
    let q = format!("SELECT coalesce(max(version), 0) FROM {s}.schema_migrations");
    match client.query_one(&q, &[]).await {
        Ok(row) => Ok(row.get(0)),
        Err(e)
            if e.code() == Some(&SqlState::UNDEFINED_TABLE)
                || e.code() == Some(&SqlState::INVALID_SCHEMA_NAME) =>
        {
            Ok(0)
        }
        Err(e) => Err(e),
    }
}

/// The schema name as SQL (checked to be a plain identifier where parsed).
pub fn quoted(schema: &str) -> String {
    format!("\"{schema}\"")
}

/// The statements the store runs, with the schema filled in once.
pub struct Sql {
    pub head: String,
    pub read: String,
    pub insert: String,
    pub notify: &'static str,
    /// The open transaction's id, to ask after it if its COMMIT goes unanswered.
    pub xid: &'static str,
    pub xid_status: &'static str,
    pub attempt_at: String,
    pub key_insert: String,
    pub key_get: String,
    pub refusal_insert: String,
    pub copy_in: String,
}

impl Sql {
    pub fn new(schema: &str) -> Self {
        let s = quoted(schema);
        Self {
            head: format!(
                "SELECT seq, recorded_at, hash FROM {s}.records ORDER BY seq DESC LIMIT 1"
            ),
            read: format!(
                "SELECT seq, recorded_at, prev, hash, event FROM {s}.records \
                 WHERE seq >= $1 ORDER BY seq LIMIT $2"
            ),
            insert: format!(
                "INSERT INTO {s}.records (seq, recorded_at, prev, hash, event, attempt) \
                 SELECT * FROM unnest($1::int8[], $2::int8[], $3::bytea[], $4::bytea[], $5::bytea[], $6::bytea[])"
            ),
            notify: "SELECT pg_notify($1, $2)",
            xid: "SELECT txid_current()",
            xid_status: "SELECT txid_status($1)",
            attempt_at: format!("SELECT attempt FROM {s}.records WHERE seq = $1"),
            key_insert: format!(
                "INSERT INTO {s}.idempotency_keys (scope, key, fingerprint, first_seq, last_seq) \
                 VALUES ($1, $2, $3, $4, $5)"
            ),
            key_get: format!(
                "SELECT fingerprint, first_seq, last_seq, status, body FROM {s}.idempotency_keys \
                 WHERE scope = $1 AND key = $2"
            ),
            refusal_insert: format!(
                "INSERT INTO {s}.idempotency_keys (scope, key, fingerprint, status, body) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING"
            ),
            copy_in: format!(
                "COPY {s}.records (seq, recorded_at, prev, hash, event, attempt) FROM STDIN BINARY"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_consecutive_from_one() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i32 + 1, "{}", m.name);
            assert!(m.sql.contains("{s}."), "{}", m.name);
        }
        assert_eq!(current_version(), MIGRATIONS.len() as i32);
    }

    #[test]
    fn statements_name_the_schema() {
        let sql = Sql::new("round_2026");
        assert!(sql.head.contains("\"round_2026\".records"));
        assert!(sql.copy_in.starts_with("COPY \"round_2026\".records"));
    }
}
