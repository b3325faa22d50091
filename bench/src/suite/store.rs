//! Which store a measured `gpu-ledger` command works on: the file store in a
//! data directory, or a PostgreSQL database (with a directory beside it for
//! what a server derives), named by the global options every command takes.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The ledger a command is pointed at.
#[derive(Debug, Clone)]
pub enum Store {
    /// `--data DIR`: the embedded file store.
    Dir(PathBuf),
    /// `--store URL --data DIR`: the ledger in PostgreSQL; `DIR` holds only
    /// a server's snapshots and Merkle nodes.
    Postgres { url: String, derived: PathBuf },
}

impl Store {
    /// The global options that name this store, before the command.
    pub fn args(&self) -> Vec<OsString> {
        match self {
            Store::Dir(dir) => vec!["--data".into(), dir.into()],
            Store::Postgres { url, derived } => vec![
                "--store".into(),
                url.into(),
                "--data".into(),
                derived.into(),
            ],
        }
    }

    /// Where a server keeps what it derives (`snapshots/`, `merkle/`).
    pub fn derived_dir(&self) -> &Path {
        match self {
            Store::Dir(dir) => dir,
            Store::Postgres { derived, .. } => derived,
        }
    }

    /// The name used in messages.
    pub fn name(&self) -> &'static str {
        match self {
            Store::Dir(_) => "file store",
            Store::Postgres { .. } => "PostgreSQL",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postgres_store_is_named_by_its_url_with_a_directory_for_derived_files() {
        let pg = Store::Postgres {
            url: "postgres://ledger@127.0.0.1:5432/postgres".into(),
            derived: "/tmp/derived".into(),
        };
        assert_eq!(
            pg.args(),
            [
                "--store",
                "postgres://ledger@127.0.0.1:5432/postgres",
                "--data",
                "/tmp/derived"
            ]
            .map(OsString::from)
        );
        assert_eq!(pg.derived_dir(), Path::new("/tmp/derived"));
        let file = Store::Dir("/tmp/ledger".into());
        assert_eq!(file.args(), ["--data", "/tmp/ledger"].map(OsString::from));
        assert_eq!(file.derived_dir(), Path::new("/tmp/ledger"));
    }
}
