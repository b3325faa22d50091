//! The Merkle tree over the ledger's records, as RFC 6962 section 2.1 (and
//! RFC 9162 section 2.1) define it. A hash chain proves order but checking
//! one record means rehashing everything before it; the tree gives short
//! proofs that a record is in the ledger (inclusion) and that a later ledger
//! extends an earlier one without rewriting it (consistency).
//!
//! The leaves are the records' 32 hash bytes. Small functions named after
//! the RFC's objects; [`levels`] keeps the tree's nodes on disk so that it
//! grows by O(log n) hashes per record and start-up does not rehash.

pub mod levels;

use crate::chain::Hash;
use sha2::{Digest, Sha256};

/// `MTH({})`: the hash of an empty tree, SHA-256 of nothing.
pub fn empty_tree_hash() -> Hash {
    Hash(Sha256::digest([]).into())
}

/// A leaf: `SHA-256(0x00 || data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    Hash(h.finalize().into())
}

/// An interior node: `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left.0);
    h.update(right.0);
    Hash(h.finalize().into())
}

/// The largest power of two strictly below `n` (n >= 2): where RFC 6962 splits a tree.
pub fn split_point(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// Hashes of complete, aligned subtrees: level `l`, index `i` covers leaves
/// `i * 2^l .. (i + 1) * 2^l`.
pub trait Nodes {
    fn node(&self, level: u32, index: u64) -> Result<Hash, ProofError>;
}

/// `MTH(D[start .. start + len])` for a range that RFC 6962's recursion produces:
/// aligned at a multiple of its largest power-of-two part.
pub fn range_hash(nodes: &impl Nodes, start: u64, len: u64) -> Result<Hash, ProofError> {
    if len == 0 {
        return Ok(empty_tree_hash());
    }
    if len.is_power_of_two() && start.is_multiple_of(len) {
        return nodes.node(len.trailing_zeros(), start / len);
    }
    let k = split_point(len);
    let left = range_hash(nodes, start, k)?;
    let right = range_hash(nodes, start + k, len - k)?;
    Ok(node_hash(&left, &right))
}

/// The tree head (root hash) of the first `size` leaves.
pub fn tree_hash(nodes: &impl Nodes, size: u64) -> Result<Hash, ProofError> {
    range_hash(nodes, 0, size)
}

/// `PATH(m, D[n])` (RFC 9162 section 2.1.3.1): the inclusion proof of leaf
/// `index` in the tree of the first `size` leaves.
pub fn inclusion_proof(nodes: &impl Nodes, index: u64, size: u64) -> Result<Vec<Hash>, ProofError> {
    if index >= size {
        return Err(ProofError::OutOfRange(format!(
            "leaf {index} is not in a tree of {size} leaves"
        )));
    }
    let mut proof = Vec::new();
    path(nodes, index, 0, size, &mut proof)?;
    Ok(proof)
}

fn path(
    nodes: &impl Nodes,
    m: u64,
    start: u64,
    n: u64,
    out: &mut Vec<Hash>,
) -> Result<(), ProofError> {
    if n <= 1 {
        return Ok(());
    }
    let k = split_point(n);
    if m < k {
        path(nodes, m, start, k, out)?;
        out.push(range_hash(nodes, start + k, n - k)?);
    } else {
        path(nodes, m - k, start + k, n - k, out)?;
        out.push(range_hash(nodes, start, k)?);
    }
    Ok(())
}

/// `PROOF(m, D[n])` (RFC 9162 section 2.1.4.1): the consistency proof that
/// the tree of the first `m` leaves is a prefix of the tree of `n`.
pub fn consistency_proof(nodes: &impl Nodes, m: u64, n: u64) -> Result<Vec<Hash>, ProofError> {
    if m > n {
        return Err(ProofError::OutOfRange(format!(
            "a tree of {m} leaves cannot be a prefix of one of {n}"
        )));
    }
    let mut proof = Vec::new();
    if m > 0 && m < n {
        subproof(nodes, m, 0, n, true, &mut proof)?;
    }
    Ok(proof)
}

fn subproof(
    nodes: &impl Nodes,
    m: u64,
    start: u64,
    n: u64,
    whole: bool,
    out: &mut Vec<Hash>,
) -> Result<(), ProofError> {
    if m == n {
        if !whole {
            out.push(range_hash(nodes, start, n)?);
        }
        return Ok(());
    }
    let k = split_point(n);
    if m <= k {
        subproof(nodes, m, start, k, whole, out)?;
        out.push(range_hash(nodes, start + k, n - k)?);
    } else {
        subproof(nodes, m - k, start + k, n - k, false, out)?;
        out.push(range_hash(nodes, start, k)?);
    }
    Ok(())
}

/// Why a proof does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("{0}")]
    OutOfRange(String),
    #[error("the proof has {0} hashes, which is not the right number for these tree sizes")]
    WrongLength(usize),
    #[error("the proof leads to root {computed}, not the expected {expected}")]
    RootMismatch { computed: Hash, expected: Hash },
    #[error("the proof leads to an earlier root {computed}, not the expected {expected}")]
    FirstRootMismatch { computed: Hash, expected: Hash },
    #[error("node {level}/{index} is not available: {reason}")]
    MissingNode {
        level: u32,
        index: u64,
        reason: String,
    },
}

/// Checks an inclusion proof (RFC 9162 section 2.1.3.2).
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::OutOfRange(format!(
            "leaf {index} is not in a tree of {size} leaves"
        )));
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s == 0 {
            return Err(ProofError::WrongLength(proof.len()));
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            if f & 1 == 0 {
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(ProofError::WrongLength(proof.len()));
    }
    if r != *root {
        return Err(ProofError::RootMismatch {
            computed: r,
            expected: *root,
        });
    }
    Ok(())
}

/// Checks a consistency proof between the roots of sizes `m <= n` (RFC 9162 section 2.1.4.2).
pub fn verify_consistency(
    m: u64,
    n: u64,
    first: &Hash,
    second: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if m > n {
        return Err(ProofError::OutOfRange(format!(
            "a tree of {m} leaves cannot be a prefix of one of {n}"
        )));
    }
    if m == n || m == 0 {
        if !proof.is_empty() {
            return Err(ProofError::WrongLength(proof.len()));
        }
        if m == n && first != second {
            return Err(ProofError::RootMismatch {
                computed: *first,
                expected: *second,
            });
        }
        return Ok(());
    }
    if proof.is_empty() {
        return Err(ProofError::WrongLength(0));
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if m.is_power_of_two() {
        path.push(*first);
    }
    path.extend_from_slice(proof);
    let (mut f, mut s) = (m - 1, n - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    for c in &path[1..] {
        if s == 0 {
            return Err(ProofError::WrongLength(proof.len()));
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if f & 1 == 0 {
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(ProofError::WrongLength(proof.len()));
    }
    if fr != *first {
        return Err(ProofError::FirstRootMismatch {
            computed: fr,
            expected: *first,
        });
    }
    if sr != *second {
        return Err(ProofError::RootMismatch {
            computed: sr,
            expected: *second,
        });
    }
    Ok(())
}

/// `MTH` of a power-of-two number of leaf hashes, in place (for parallel work).
pub fn perfect_root(leaves: &mut [Hash]) -> Hash {
    assert!(
        leaves.len().is_power_of_two(),
        "{} leaves do not make a perfect tree",
        leaves.len()
    );
    let mut n = leaves.len();
    while n > 1 {
        for i in 0..n / 2 {
            leaves[i] = node_hash(&leaves[2 * i], &leaves[2 * i + 1]);
        }
        n /= 2;
    }
    leaves[0]
}

/// Complete subtrees computed from leaves held in memory: for tests and for
/// small trees built on the fly.
pub struct MemoryNodes {
    levels: Vec<Vec<Hash>>,
}

impl MemoryNodes {
    pub fn from_leaf_hashes(leaves: Vec<Hash>) -> Self {
        let mut levels = vec![leaves];
        while levels.last().is_some_and(|l| l.len() > 1) {
            let below = levels.last().expect("non-empty");
            let up = below
                .chunks_exact(2)
                .map(|p| node_hash(&p[0], &p[1]))
                .collect();
            levels.push(up);
        }
        Self { levels }
    }

    pub fn len(&self) -> u64 {
        self.levels[0].len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.levels[0].is_empty()
    }
}

impl Nodes for MemoryNodes {
    fn node(&self, level: u32, index: u64) -> Result<Hash, ProofError> {
        self.levels
            .get(level as usize)
            .and_then(|l| l.get(index as usize))
            .copied()
            .ok_or_else(|| ProofError::MissingNode {
                level,
                index,
                reason: "beyond the tree".into(),
            })
    }
}

/// The right edge of a growing tree: the roots of its complete subtrees,
/// one per set bit of its size. O(log n) memory; enough for the root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frontier {
    /// `edge[l]`: the complete subtree of `2^l` leaves waiting for its right sibling.
    edge: Vec<Option<Hash>>,
    size: u64,
}

impl Frontier {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn push(&mut self, leaf: Hash) {
        let mut node = leaf;
        let mut level = 0;
        loop {
            if self.edge.len() == level {
                self.edge.push(None);
            }
            match self.edge[level].take() {
                Some(left) => {
                    node = node_hash(&left, &node);
                    level += 1;
                }
                None => {
                    self.edge[level] = Some(node);
                    break;
                }
            }
        }
        self.size += 1;
    }

    /// Adds a complete subtree of `2^level` leaves with root `root`; the tree
    /// must hold a multiple of `2^level` leaves (else its leaves must be pushed).
    pub fn push_subtree(&mut self, level: u32, root: Hash) {
        assert!(
            self.size.is_multiple_of(1 << level),
            "a subtree of 2^{level} leaves after {} leaves is not aligned",
            self.size
        );
        let mut node = root;
        let mut l = level as usize;
        loop {
            if self.edge.len() <= l {
                self.edge.resize(l + 1, None);
            }
            match self.edge[l].take() {
                Some(left) => {
                    node = node_hash(&left, &node);
                    l += 1;
                }
                None => {
                    self.edge[l] = Some(node);
                    break;
                }
            }
        }
        self.size += 1 << level;
    }

    /// `MTH` of the leaves pushed so far.
    pub fn root(&self) -> Hash {
        let mut acc: Option<Hash> = None;
        for node in self.edge.iter().flatten() {
            acc = Some(match acc {
                None => *node,
                Some(right) => node_hash(node, &right),
            });
        }
        acc.unwrap_or_else(empty_tree_hash)
    }
}
