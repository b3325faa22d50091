//! The Merkle tree's complete subtrees, kept in files: `level-NN` holds, in
//! order, the 32-byte hashes of the complete subtrees of `2^NN` leaves.
//!
//! Appending a leaf adds one hash to level 0 and, each time it completes a
//! pair, one to the level above: O(log n) hashes, amortised two. Proofs read
//! the O(log n) nodes they need. New nodes wait in memory until [`Levels::flush`].
//!
//! The files are derived data: not synced, checked against the ledger on
//! open, and rebuilt from the records if they disagree. A read-only opener
//! never writes; what the files lack it keeps in memory.

use super::{Nodes, ProofError, leaf_hash, node_hash};
use crate::chain::Hash;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// Leaves between writes of the node files when records are pushed one by one.
pub const FLUSH_EVERY: u64 = 4096;

struct Level {
    file: Option<File>,
    /// Hashes in the file.
    stored: u64,
    /// Hashes after those, not yet written.
    pending: Vec<Hash>,
}

impl Level {
    fn len(&self) -> u64 {
        self.stored + self.pending.len() as u64
    }
}

pub struct Levels {
    dir: PathBuf,
    writable: bool,
    levels: Vec<Level>,
}

fn level_path(dir: &Path, level: usize) -> PathBuf {
    dir.join(format!("level-{level:02}"))
}

impl Levels {
    /// Opens the tree in `dir` (created when writable), trusting at most
    /// `max_leaves` leaves of what the files hold: the caller knows how many
    /// records the ledger has, and appends the ones missing.
    pub fn open(dir: &Path, writable: bool, max_leaves: u64) -> std::io::Result<Self> {
        if writable {
            std::fs::create_dir_all(dir)?;
        }
        let mut levels = Vec::new();
        let mut expected = None;
        for l in 0..64usize {
            let path = level_path(dir, l);
            let file = match OpenOptions::new().read(true).write(writable).open(&path) {
                Ok(f) => Some(f),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(e),
            };
            let on_disk = match &file {
                Some(f) => f.metadata()?.len() / 32,
                None => 0,
            };
            // Each level holds exactly the complete pairs of the one below.
            let stored = match expected {
                None => on_disk.min(max_leaves),
                Some(n) => on_disk.min(n),
            };
            if file.is_none() && stored == 0 && expected.is_some_and(|n| n == 0) {
                break;
            }
            levels.push(Level {
                file,
                stored,
                pending: Vec::new(),
            });
            expected = Some(stored / 2);
            if stored < 2 && l > 0 {
                break;
            }
        }
        if levels.is_empty() {
            levels.push(Level {
                file: None,
                stored: 0,
                pending: Vec::new(),
            });
        }
        let mut t = Self {
            dir: dir.to_path_buf(),
            writable,
            levels,
        };
        t.complete_upper_levels()?;
        Ok(t)
    }

    /// A tree of no leaves to be written to `dir`, trusting nothing already
    /// there: nothing is created or opened until the first flush, so a tree
    /// built beside an import that then fails leaves no trace.
    pub fn empty_at(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
            writable: true,
            levels: vec![Level {
                file: None,
                stored: 0,
                pending: Vec::new(),
            }],
        }
    }

    /// Upper levels shorter than the pairs below them (a crash between
    /// writes) get the missing nodes recomputed.
    fn complete_upper_levels(&mut self) -> std::io::Result<()> {
        let mut l = 0;
        while l < self.levels.len() {
            let pairs = self.levels[l].len() / 2;
            if pairs == 0 {
                break;
            }
            if self.levels.len() == l + 1 {
                self.levels.push(Level {
                    file: None,
                    stored: 0,
                    pending: Vec::new(),
                });
            }
            let have = self.levels[l + 1].len();
            for i in have..pairs {
                let left = self.get(l as u32, 2 * i)?;
                let right = self.get(l as u32, 2 * i + 1)?;
                self.levels[l + 1].pending.push(node_hash(&left, &right));
            }
            l += 1;
        }
        Ok(())
    }

    /// Leaves in the tree.
    pub fn len(&self) -> u64 {
        self.levels[0].len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every leaf from `leaves` on (the ledger was cut back).
    pub fn truncate(&mut self, leaves: u64) {
        let mut n = leaves;
        for level in &mut self.levels {
            if level.len() > n {
                if n <= level.stored {
                    level.stored = n;
                    level.pending.clear();
                } else {
                    level.pending.truncate((n - level.stored) as usize);
                }
            }
            n /= 2;
        }
        if let (Some(f), true) = (&self.levels[0].file, self.writable) {
            let _ = f.set_len(self.levels[0].stored * 32);
        }
    }

    fn get(&self, level: u32, index: u64) -> std::io::Result<Hash> {
        let l = &self.levels[level as usize];
        if index >= l.stored {
            return Ok(l.pending[(index - l.stored) as usize]);
        }
        let mut b = [0u8; 32];
        l.file
            .as_ref()
            .expect("stored hashes come from a file")
            .read_exact_at(&mut b, index * 32)?;
        Ok(Hash(b))
    }

    /// Adds the leaf for a record hash.
    pub fn push_record(&mut self, record_hash: &Hash) {
        self.push_leaf(leaf_hash(&record_hash.0));
    }

    /// [`Levels::push_record`] as a ledger that grows record by record does
    /// it: the node files are written every [`FLUSH_EVERY`] leaves, so a
    /// restart rehashes little and an append rarely waits for a write.
    pub fn push_record_flushing(&mut self, record_hash: &Hash) -> std::io::Result<()> {
        self.push_record(record_hash);
        if self.len().is_multiple_of(FLUSH_EVERY) {
            self.flush()?;
        }
        Ok(())
    }

    /// Adds a leaf hash, and the parents it completes.
    pub fn push_leaf(&mut self, leaf: Hash) {
        let mut level = 0;
        let mut node = leaf;
        loop {
            if self.levels.len() == level {
                self.levels.push(Level {
                    file: None,
                    stored: 0,
                    pending: Vec::new(),
                });
            }
            let index = self.levels[level].len();
            self.levels[level].pending.push(node);
            if index.is_multiple_of(2) {
                return;
            }
            let left = self
                .get(level as u32, index - 1)
                .expect("the left sibling was just written or stored");
            node = node_hash(&left, &node);
            level += 1;
        }
    }

    /// Writes the nodes waiting in memory to the level files.
    pub fn flush(&mut self) -> std::io::Result<()> {
        if !self.writable {
            return Ok(());
        }
        for (l, level) in self.levels.iter_mut().enumerate() {
            if level.pending.is_empty() {
                continue;
            }
            if level.file.is_none() {
                std::fs::create_dir_all(&self.dir)?;
                level.file = Some(
                    OpenOptions::new()
                        .read(true)
                        .write(true)
                        .create(true)
                        .truncate(false)
                        .open(level_path(&self.dir, l))?,
                );
            }
            let f = level.file.as_mut().expect("just opened");
            let mut bytes = Vec::with_capacity(level.pending.len() * 32);
            for h in &level.pending {
                bytes.extend_from_slice(&h.0);
            }
            f.set_len(level.stored * 32)?;
            f.write_all_at(&bytes, level.stored * 32)?;
            level.stored += level.pending.len() as u64;
            level.pending.clear();
        }
        Ok(())
    }

    /// The root of the first `size` leaves.
    pub fn root(&self, size: u64) -> Result<Hash, ProofError> {
        super::tree_hash(self, size)
    }

    /// The last leaf hash, to check the files against the ledger.
    pub fn last_leaf(&self) -> Option<Hash> {
        let n = self.len();
        (n > 0).then(|| self.get(0, n - 1).ok()).flatten()
    }
}

impl Nodes for Levels {
    fn node(&self, level: u32, index: u64) -> Result<Hash, ProofError> {
        let missing = |reason: String| ProofError::MissingNode {
            level,
            index,
            reason,
        };
        let l = self
            .levels
            .get(level as usize)
            .ok_or_else(|| missing("beyond the tree".into()))?;
        if index >= l.len() {
            return Err(missing("beyond the tree".into()));
        }
        self.get(level, index).map_err(|e| missing(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{MemoryNodes, consistency_proof, inclusion_proof, tree_hash};

    fn leaves(n: u64) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(&i.to_le_bytes())).collect()
    }

    #[test]
    fn files_give_the_same_tree_as_memory_across_flushes_and_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let all = leaves(300);
        let mut t = Levels::open(dir.path(), true, u64::MAX).unwrap();
        for (i, leaf) in all.iter().enumerate() {
            t.push_leaf(*leaf);
            if i % 37 == 0 {
                t.flush().unwrap();
            }
        }
        t.flush().unwrap();
        drop(t);
        let t = Levels::open(dir.path(), false, u64::MAX).unwrap();
        let mem = MemoryNodes::from_leaf_hashes(all.clone());
        for size in [1u64, 2, 3, 7, 8, 100, 255, 256, 257, 300] {
            assert_eq!(
                tree_hash(&t, size).unwrap(),
                tree_hash(&mem, size).unwrap(),
                "size {size}"
            );
            assert_eq!(
                inclusion_proof(&t, size / 2, size).unwrap(),
                inclusion_proof(&mem, size / 2, size).unwrap()
            );
            assert_eq!(
                consistency_proof(&t, size / 3, size).unwrap(),
                consistency_proof(&mem, size / 3, size).unwrap()
            );
        }
        // Opening with fewer leaves than the files hold trusts only those.
        let t = Levels::open(dir.path(), false, 100).unwrap();
        assert_eq!(t.len(), 100);
        assert_eq!(t.root(100).unwrap(), tree_hash(&mem, 100).unwrap());
    }

    #[test]
    fn a_lost_upper_level_is_recomputed_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let all = leaves(64);
        let mut t = Levels::open(dir.path(), true, u64::MAX).unwrap();
        for leaf in &all {
            t.push_leaf(*leaf);
        }
        t.flush().unwrap();
        drop(t);
        std::fs::remove_file(dir.path().join("level-03")).unwrap();
        std::fs::OpenOptions::new()
            .write(true)
            .open(dir.path().join("level-01"))
            .unwrap()
            .set_len(32 * 5)
            .unwrap();
        let t = Levels::open(dir.path(), false, u64::MAX).unwrap();
        assert_eq!(
            t.root(64).unwrap(),
            tree_hash(&MemoryNodes::from_leaf_hashes(all), 64).unwrap()
        );
    }
}
