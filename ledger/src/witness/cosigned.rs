//! What a witness remembers: per log, the last checkpoint it cosigned, as
//! the cosigned note. Kept as `<data dir>/<hex SHA-256 of the origin>.note`
//! (the name the spec's monitoring path uses), replaced by writing a
//! temporary file, syncing it, renaming it over the old one and syncing the
//! directory: after a crash the witness holds the old note or the new one,
//! never a torn one, and never forgets a size it answered for.

use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The lowercase hex SHA-256 of a log's origin: its name on disk and in URLs.
pub fn origin_hash(origin: &str) -> String {
    hex::encode(Sha256::digest(origin.as_bytes()))
}

/// The directory of kept cosigned notes.
pub struct CosignedDir {
    dir: PathBuf,
}

impl CosignedDir {
    pub fn open(dir: &Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        Ok(Self { dir: dir.into() })
    }

    fn path(&self, origin: &str) -> PathBuf {
        self.dir.join(format!("{}.note", origin_hash(origin)))
    }

    /// The last cosigned note of `origin`, if any.
    pub fn get(&self, origin: &str) -> std::io::Result<Option<String>> {
        match std::fs::read_to_string(self.path(origin)) {
            Ok(note) => Ok(Some(note)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Replaces the note of `origin`, durably, before the witness answers.
    pub fn keep(&self, origin: &str, note: &str) -> std::io::Result<()> {
        let path = self.path(origin);
        let tmp = path.with_extension("note.tmp");
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(note.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        std::fs::File::open(&self.dir)?.sync_all()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_note_replaces_the_last_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let kept = CosignedDir::open(dir.path()).unwrap();
        assert_eq!(kept.get("log.example").unwrap(), None);
        kept.keep("log.example", "one\n").unwrap();
        kept.keep("log.example", "two\n").unwrap();
        assert_eq!(kept.get("log.example").unwrap().as_deref(), Some("two\n"));
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, vec![format!("{}.note", origin_hash("log.example"))]);
    }
}
