//! Where a run keeps its workloads and ledgers, and removing what it made.

use std::path::{Path, PathBuf};

/// Removes a directory, if there is one.
pub(super) fn remove_dir(dir: &Path) -> Result<(), String> {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("cannot remove {}: {e}", dir.display())),
    }
}

/// Removes an SQLite database and the files beside it.
pub(super) fn remove_database(db: &Path) -> Result<(), String> {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        match std::fs::remove_file(&name) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("cannot remove {}: {e}", Path::new(&name).display())),
        }
    }
    Ok(())
}

/// The directory holding workloads and ledgers; one this run made up is
/// removed at the end, one it was given is left as it is.
pub(super) struct WorkDir {
    path: PathBuf,
    remove: bool,
}

impl WorkDir {
    pub(super) fn new(given: Option<PathBuf>) -> Result<Self, String> {
        let remove = given.is_none();
        let path = given.unwrap_or_else(|| {
            std::env::temp_dir().join(format!("gpu-ledger-bench-{}", std::process::id()))
        });
        std::fs::create_dir_all(&path)
            .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        Ok(Self { path, remove })
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    pub(super) fn file(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if self.remove {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}
