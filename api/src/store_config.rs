//! Which store a command works on: `--store file:DIR` (the default, the
//! same as `--data DIR`), `--store postgres://...` (PostgreSQL) or
//! `--store esdb://...` (EventStoreDB / KurrentDB).

use gpu_ledger_ledger::postgres::Migrate;
use gpu_ledger_ledger::postgres::location::is_postgres_url;
use gpu_ledger_ledger::{
    Clock, EsdbOptions, EsdbStore, EventStore, FileStore, FileStoreOptions, PgOptions, PgStore,
    RecordedAt, StoreError,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The embedded store's directory when neither `--store` nor `--data` names one.
pub const DEFAULT_DATA: &str = "./ledger-data";

/// A ledger on a database server rather than in a data directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerStore {
    /// An EventStoreDB / KurrentDB connection string.
    Esdb(String),
    /// A PostgreSQL connection URL.
    Postgres(String),
}

/// Where the ledger lives and how to open it.
#[derive(Clone, Debug)]
pub struct StoreConfig {
    /// Data directory of the embedded store; beside a server store, where
    /// this process keeps what it derives (snapshots, Merkle nodes, checkpoints).
    pub data: PathBuf,
    /// When set, the ledger lives there rather than in `data`.
    pub server: Option<ServerStore>,
    /// Start of a manual `recorded_at` clock (reproducible ledgers for tests).
    pub clock_start: Option<RecordedAt>,
}

/// Reads `--store` and `--data` together: (data directory, server store).
/// With the embedded store both may be given only if they name the same
/// directory; beside PostgreSQL, `--data` names where derived state is kept.
pub fn resolve_store(
    store: Option<&str>,
    data: Option<&Path>,
) -> Result<(PathBuf, Option<ServerStore>), String> {
    let Some(store) = store else {
        let data = data.map_or_else(|| PathBuf::from(DEFAULT_DATA), Path::to_path_buf);
        return Ok((data, None));
    };
    if let Some(dir) = store.strip_prefix("file:") {
        if dir.is_empty() {
            return Err("--store file: needs a directory (file:/var/lib/gpu-ledger)".into());
        }
        let dir = PathBuf::from(dir);
        if let Some(data) = data
            && data != dir
        {
            return Err(format!(
                "--store names {} but --data names {}; give one of them",
                dir.display(),
                data.display()
            ));
        }
        return Ok((dir, None));
    }
    if store.starts_with("esdb://") || store.starts_with("esdb+discover://") {
        if let Some(data) = data {
            return Err(format!(
                "--data {} names the embedded store's directory, but --store names an \
                 EventStoreDB server; give one of them",
                data.display()
            ));
        }
        return Ok((
            PathBuf::from(DEFAULT_DATA),
            Some(ServerStore::Esdb(store.to_string())),
        ));
    }
    if is_postgres_url(store) {
        let data = data.map_or_else(|| PathBuf::from(DEFAULT_DATA), Path::to_path_buf);
        return Ok((data, Some(ServerStore::Postgres(store.to_string()))));
    }
    Err(format!(
        "--store {store:?}: expected file:DIR, a PostgreSQL URL (postgres://user@host/db) \
         or an EventStoreDB connection string (esdb://host:2113?tls=false)"
    ))
}

impl StoreConfig {
    /// The configuration `--store`, `--data` and `--clock-start` describe.
    pub fn from_args(
        store: Option<&str>,
        data: Option<&Path>,
        clock_start: Option<RecordedAt>,
    ) -> Result<Self, String> {
        let (data, server) = resolve_store(store, data)?;
        Ok(Self {
            data,
            server,
            clock_start,
        })
    }

    /// The configuration of one `--store` value alone (as `copy` takes two).
    pub fn of_store(store: &str, clock_start: Option<RecordedAt>) -> Result<Self, String> {
        Self::from_args(Some(store), None, clock_start)
    }

    fn clock(&self) -> Clock {
        self.clock_start.map(Clock::manual).unwrap_or_default()
    }

    /// A server store serves readers and writers alike, many processes at once.
    fn open_esdb(&self, url: &str) -> Result<Arc<dyn EventStore>, StoreError> {
        let options = EsdbOptions {
            clock: self.clock(),
        };
        Ok(Arc::new(EsdbStore::connect_with(url, options)?))
    }

    /// Writers create or upgrade the schema; readers only check it, so a
    /// read-only database role can verify and export.
    fn open_postgres(
        &self,
        url: &str,
        migrate: Migrate,
    ) -> Result<Arc<dyn EventStore>, StoreError> {
        let options = PgOptions {
            clock: self.clock(),
            migrate,
            ..PgOptions::default()
        };
        Ok(Arc::new(PgStore::connect_with(url, options)?))
    }

    fn options(&self, read_only: bool) -> FileStoreOptions {
        FileStoreOptions {
            read_only,
            clock: self.clock(),
            ..FileStoreOptions::default()
        }
    }

    /// Opens the store to append to it (one writer at a time).
    pub fn open_for_writing(&self) -> Result<Arc<dyn EventStore>, StoreError> {
        match &self.server {
            Some(ServerStore::Esdb(url)) => return self.open_esdb(url),
            Some(ServerStore::Postgres(url)) => return self.open_postgres(url, Migrate::Apply),
            None => {}
        }
        Ok(Arc::new(FileStore::open_with(
            &self.data,
            self.options(false),
        )?))
    }

    /// Opens the store to read it, beside any process writing to it.
    pub fn open_for_reading(&self) -> Result<Arc<dyn EventStore>, StoreError> {
        match &self.server {
            Some(ServerStore::Esdb(url)) => return self.open_esdb(url),
            Some(ServerStore::Postgres(url)) => return self.open_postgres(url, Migrate::Check),
            None => {}
        }
        Ok(Arc::new(FileStore::open_with(
            &self.data,
            self.options(true),
        )?))
    }
}

impl StoreConfig {
    /// Where state derived from the ledger is kept beside it: the Merkle
    /// tree's node files and the signed checkpoints issued.
    pub fn state_dir(&self) -> PathBuf {
        self.data.clone()
    }

    pub fn merkle_dir(&self) -> PathBuf {
        self.state_dir().join("merkle")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(
        store: Option<&str>,
        data: Option<&str>,
    ) -> Result<(PathBuf, Option<ServerStore>), String> {
        resolve_store(store, data.map(Path::new))
    }

    #[test]
    fn the_embedded_store_is_the_default() {
        assert_eq!(
            resolve(None, None).unwrap(),
            (PathBuf::from(DEFAULT_DATA), None)
        );
        assert_eq!(
            resolve(None, Some("/d")).unwrap(),
            (PathBuf::from("/d"), None)
        );
        assert_eq!(
            resolve(Some("file:/d"), None).unwrap(),
            (PathBuf::from("/d"), None)
        );
        assert_eq!(
            resolve(Some("file:/d/"), Some("/d")).unwrap(),
            (PathBuf::from("/d"), None),
            "the same directory twice is fine"
        );
    }

    #[test]
    fn an_esdb_connection_string_chooses_the_server() {
        let url = "esdb://localhost:2113?tls=false";
        let (_, esdb) = resolve(Some(url), None).unwrap();
        assert_eq!(esdb, Some(ServerStore::Esdb(url.into())));
        let cluster = "esdb+discover://cluster.example:2113";
        assert!(resolve(Some(cluster), None).unwrap().1.is_some());
    }

    #[test]
    fn disagreeing_or_unknown_choices_are_refused() {
        let e = resolve(Some("file:/a"), Some("/b")).unwrap_err();
        assert!(e.contains("give one of them"), "{e}");
        assert!(resolve(Some("esdb://h:2113"), Some("/b")).is_err());
        assert!(resolve(Some("file:"), None).is_err());
        let e = resolve(Some("mysql://h/db"), None).unwrap_err();
        assert!(e.contains("file:DIR") && e.contains("postgres://"), "{e}");
    }

    #[test]
    fn a_postgres_url_chooses_postgres_and_data_names_the_derived_state() {
        let url = "postgres://ledger@db1:5432,db2:5432/gpu?target_session_attrs=read-write";
        assert_eq!(
            resolve(Some(url), None).unwrap(),
            (
                PathBuf::from(DEFAULT_DATA),
                Some(ServerStore::Postgres(url.into()))
            )
        );
        let (data, _) = resolve(Some("postgresql://h/db"), Some("/srv/node1")).unwrap();
        assert_eq!(data, PathBuf::from("/srv/node1"));
    }
}
