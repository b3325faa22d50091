//! The database of the PostgreSQL mode: a throwaway cluster started the way
//! the tests start theirs (`initdb` in a temporary directory, a server on a
//! free loopback port, run as the `postgres` user when we are root; see
//! `gpu_ledger_testkit::postgres`), but durable: every `COMMIT` waits for
//! its WAL to reach the disk, as on a production server, so a `201` means
//! what it means on the file store.
//!
//! It also answers what the suite measures of the database itself: the CPU
//! time of all its processes (the server `gpu-ledger` talks to does its work
//! in other processes than the one measured), the bytes the ledger takes,
//! and the WAL an import writes.

use super::process::{ProcStat, clock_ticks_per_second};
use super::store::Store;
use gpu_ledger_testkit::postgres::PgCluster;
use std::path::PathBuf;

/// Settings reported with the figures (`SHOW`), the ones that decide what
/// a commit costs.
const REPORTED: [&str; 7] = [
    "fsync",
    "synchronous_commit",
    "full_page_writes",
    "wal_sync_method",
    "shared_buffers",
    "max_wal_size",
    "checkpoint_timeout",
];

/// The schema the ledger is kept in (gpu-ledger's default).
const SCHEMA: &str = "gpu_ledger";

/// A running throwaway cluster, removed when dropped.
pub struct Database {
    cluster: PgCluster,
    /// `SELECT version()`.
    pub version: String,
    /// (name, value) of [`REPORTED`].
    pub settings: Vec<(String, String)>,
}

impl Database {
    /// Starts the cluster and checks that it really flushes commits.
    pub fn start() -> Result<Self, String> {
        let cluster = PgCluster::start_durable(&[])
            .map_err(|e| format!("cannot start a PostgreSQL cluster: {e}"))?;
        let version = cluster.psql("SELECT version()")?;
        let mut settings = Vec::new();
        for name in REPORTED {
            settings.push((name.to_owned(), cluster.psql(&format!("SHOW {name}"))?));
        }
        let on = |name: &str| settings.iter().any(|(n, v)| n == name && v == "on");
        if !(on("fsync") && on("synchronous_commit")) {
            return Err(format!(
                "the benchmark cluster must flush every commit, but it has {settings:?}"
            ));
        }
        Ok(Self {
            cluster,
            version,
            settings,
        })
    }

    /// The ledger in this database, a server's derived files in `derived`.
    pub fn store(&self, derived: PathBuf) -> Store {
        Store::Postgres {
            url: self.cluster.url(""),
            derived,
        }
    }

    /// Drops the ledger's schema, so the next import starts from nothing.
    pub fn drop_ledger(&self) -> Result<(), String> {
        self.cluster
            .psql(&format!("DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            .map(|_| ())
    }

    /// Bytes of the ledger's tables in the schema, indexes and TOAST included.
    pub fn ledger_bytes(&self) -> Result<u64, String> {
        let sql = format!(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = '{SCHEMA}' AND c.relkind = 'r'"
        );
        self.number(&sql)
    }

    /// Where the WAL is now, to count what a step writes.
    pub fn wal_position(&self) -> Result<String, String> {
        self.cluster.psql("SELECT pg_current_wal_lsn()")
    }

    /// Bytes of WAL written since `position`.
    pub fn wal_bytes_since(&self, position: &str) -> Result<u64, String> {
        self.number(&format!(
            "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '{position}')::bigint"
        ))
    }

    fn number(&self, sql: &str) -> Result<u64, String> {
        let text = self.cluster.psql(sql)?;
        text.trim()
            .parse()
            .map_err(|e| format!("{sql}: not a number ({text:?}): {e}"))
    }

    /// CPU time, user and system, of the postmaster, of every process it
    /// runs now (backends, WAL writer, checkpointer) and of those it has
    /// reaped, in seconds. A difference of two readings is what the
    /// database did in between, up to a backend that ends just between
    /// reading its parent and reading it.
    pub fn cpu_seconds(&self) -> Result<f64, String> {
        let postmaster = self
            .cluster
            .pid()
            .ok_or("the PostgreSQL server has exited")?;
        let parent = ProcStat::read(postmaster)
            .ok_or("cannot read the PostgreSQL server's CPU time in /proc")?;
        let mut ticks = parent.own_ticks + parent.reaped_children_ticks;
        let entries = std::fs::read_dir("/proc").map_err(|e| format!("cannot list /proc: {e}"))?;
        for entry in entries.flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse().ok()) else {
                continue;
            };
            if let Some(child) = ProcStat::read(pid)
                && child.parent == postmaster
            {
                ticks += child.own_ticks + child.reaped_children_ticks;
            }
        }
        Ok(ticks as f64 / clock_ticks_per_second())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg_attr(not(postgres), ignore = "needs PostgreSQL's server programs")]
    fn the_benchmark_database_flushes_commits_and_counts_its_own_work() {
        let db = Database::start().unwrap_or_else(|e| panic!("{e}"));
        for setting in ["fsync=on", "synchronous_commit=on", "full_page_writes=on"] {
            assert!(
                super::super::comparison::settings_text(&db.settings).contains(setting),
                "{setting} in {:?}",
                db.settings
            );
        }
        db.drop_ledger()
            .expect("dropping a schema that is not there");
        assert_eq!(db.ledger_bytes().expect("bytes of no tables"), 0);

        let cpu = db.cpu_seconds().expect("the database's CPU time");
        let wal = db.wal_position().expect("the WAL position");
        // Work done by a backend that has ended by the next reading: its
        // time must still be counted (through the postmaster's children).
        db.cluster
            .psql(&format!(
                "CREATE SCHEMA {SCHEMA}; CREATE TABLE {SCHEMA}.t AS \
                 SELECT g AS n, md5(g::text) AS h FROM generate_series(1, 300000) g"
            ))
            .expect("some work for the database");
        assert!(
            db.cpu_seconds().expect("the database's CPU time") > cpu + 0.05,
            "creating 300,000 rows took the database some CPU"
        );
        assert!(db.wal_bytes_since(&wal).expect("WAL written") > 1 << 20);
        assert!(db.ledger_bytes().expect("bytes of the table") > 1 << 20);
        db.drop_ledger().expect("dropping the schema");
        assert_eq!(db.ledger_bytes().expect("bytes of no tables"), 0);
    }
}
