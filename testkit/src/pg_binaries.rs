//! Where PostgreSQL's server programs are. The build scripts include this
//! file too (by path: std only), so that the `postgres` cfg is set exactly
//! when the tests will find the binaries they start.
//!
//! In order: `GPU_LEDGER_PG_BIN`; the newest Debian layout
//! `/usr/lib/postgresql/N/bin` (what `.ci/run` installs); an `initdb` on
//! `PATH`, followed through symlinks to the directory that holds the rest
//! (`pg_basebackup` is rarely linked beside it).

use std::path::{Path, PathBuf};

/// The programs the throwaway clusters need.
const NEEDED: [&str; 4] = ["initdb", "pg_ctl", "postgres", "pg_basebackup"];

fn complete(dir: &Path) -> bool {
    NEEDED.iter().all(|p| dir.join(p).is_file())
}

/// The directory holding `initdb`, `pg_ctl`, `postgres` and `pg_basebackup`.
pub fn find() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("GPU_LEDGER_PG_BIN") {
        let dir = PathBuf::from(dir);
        return if complete(&dir) {
            Ok(dir)
        } else {
            Err(format!(
                "GPU_LEDGER_PG_BIN={} lacks one of {NEEDED:?}",
                dir.display()
            ))
        };
    }
    let mut debian: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter_map(|e| {
                    let version = e.file_name().to_str()?.parse::<u32>().ok()?;
                    let bin = e.path().join("bin");
                    complete(&bin).then_some((version, bin))
                })
                .collect()
        })
        .unwrap_or_default();
    debian.sort();
    if let Some((_, bin)) = debian.pop() {
        return Ok(bin);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .filter_map(|dir| std::fs::canonicalize(dir.join("initdb")).ok())
        .filter_map(|initdb| initdb.parent().map(Path::to_path_buf))
        .find(|dir| complete(dir))
        .ok_or_else(|| {
            format!(
                "no PostgreSQL server programs ({}) in /usr/lib/postgresql/*/bin or beside an \
                 initdb on PATH: apt-get install postgresql, or set GPU_LEDGER_PG_BIN",
                NEEDED.join(", ")
            )
        })
}
