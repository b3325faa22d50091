//! The Merkle tree as static tiles (C2SP tlog-tiles): a mirror or monitor
//! fetches the whole log as a few immutable, cacheable files and recomputes
//! every proof itself, instead of asking the server for each.
//!
//! - `tile/<L>/<N>[.p/<W>]`: the hashes of tile `N` at tile level `L`: up to
//!   256 consecutive nodes of tree level `8 L` (level 0: the leaf hashes).
//! - `tile/entries/<N>[.p/<W>]`: the entries under level-0 tile `N`, each a
//!   big-endian u16 length and the entry. Here an entry is a record's 32
//!   hash bytes: the leaf is `SHA-256(0x00 || record hash)`, and the record
//!   itself is checked against its hash from an export.
//!
//! `N` is written in 3-digit groups, all but the last prefixed `x`
//! (1234067 is `x001/x234/067`).

use crate::chain::Hash;
use crate::merkle::{Nodes, ProofError};

/// Hashes (or entries) in a full tile.
pub const TILE_WIDTH: u64 = 256;
/// Tree levels per tile level.
pub const TILE_HEIGHT: u32 = 8;

/// A tile or entry bundle named by its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tile {
    /// The tile level; `None` for an entry bundle.
    pub level: Option<u8>,
    pub index: u64,
    /// 1..=256: 256 for a full tile, fewer for a partial one.
    pub width: u64,
}

/// `N` as the spec writes it in paths.
pub fn encode_index(n: u64) -> String {
    let digits = format!("{n}");
    let pad = (3 - digits.len() % 3) % 3;
    let digits = format!("{}{digits}", "0".repeat(pad));
    let groups: Vec<&str> = digits
        .as_bytes()
        .chunks(3)
        .map(|c| std::str::from_utf8(c).expect("digits"))
        .collect();
    let last = groups.len() - 1;
    groups
        .iter()
        .enumerate()
        .map(|(i, g)| match i == last {
            true => g.to_string(),
            false => format!("x{g}"),
        })
        .collect::<Vec<_>>()
        .join("/")
}

impl Tile {
    /// The path under `<prefix>/`.
    pub fn path(&self) -> String {
        let level = self
            .level
            .map_or_else(|| "entries".to_string(), |l| l.to_string());
        let partial = match self.width {
            TILE_WIDTH => String::new(),
            w => format!(".p/{w}"),
        };
        format!("tile/{level}/{}{partial}", encode_index(self.index))
    }

    /// Parses the part of a path after `tile/`.
    pub fn parse(path: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "{path:?} is not a tile path (tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>])"
            )
        };
        let (level, rest) = path.split_once('/').ok_or_else(bad)?;
        let level = match level {
            "entries" => None,
            l => Some(
                crate::checkpoint::parse_decimal(l)
                    .filter(|l| *l <= 63)
                    .ok_or_else(bad)? as u8,
            ),
        };
        let (index, width) = match rest.split_once(".p/") {
            Some((index, w)) => {
                let w = crate::checkpoint::parse_decimal(w)
                    .filter(|w| (1..TILE_WIDTH).contains(w))
                    .ok_or_else(bad)?;
                (index, w)
            }
            None => (rest, TILE_WIDTH),
        };
        let groups: Vec<&str> = index.split('/').collect();
        let last = groups.len() - 1;
        let mut n: u64 = 0;
        for (i, g) in groups.iter().enumerate() {
            let digits = if i == last {
                Some(*g)
            } else {
                g.strip_prefix('x')
            };
            let digits = digits
                .filter(|d| d.len() == 3 && d.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(bad)?;
            n = n
                .checked_mul(1000)
                .and_then(|n| n.checked_add(digits.parse().expect("3 digits")))
                .ok_or_else(bad)?;
        }
        let tile = Self {
            level,
            index: n,
            width,
        };
        // One encoding per tile, so that caches hold each once.
        if tile.path() != format!("tile/{path}") {
            return Err(bad());
        }
        Ok(tile)
    }

    /// The tree level of this tile's hashes.
    fn tree_level(&self) -> u32 {
        TILE_HEIGHT * u32::from(self.level.unwrap_or(0))
    }

    /// The leaves this tile's hashes cover (end exclusive), if no overflow.
    pub fn leaf_range(&self) -> Option<(u64, u64)> {
        let per_hash = 1u64.checked_shl(self.tree_level())?;
        let first = self.index.checked_mul(TILE_WIDTH)?;
        let start = first.checked_mul(per_hash)?;
        let end = first.checked_add(self.width)?.checked_mul(per_hash)?;
        Some((start, end))
    }

    /// Whether a tree of `size` leaves holds this tile.
    pub fn within(&self, size: u64) -> bool {
        self.leaf_range().is_some_and(|(_, end)| end <= size)
    }

    /// The tile's hashes, concatenated (`width * 32` bytes).
    pub fn hashes(&self, nodes: &impl Nodes) -> Result<Vec<u8>, ProofError> {
        let mut out = Vec::with_capacity(self.width as usize * 32);
        for i in 0..self.width {
            let h = nodes.node(self.tree_level(), self.index * TILE_WIDTH + i)?;
            out.extend_from_slice(&h.0);
        }
        Ok(out)
    }
}

/// An entry bundle of record hashes: each a u16 length (32) and the hash.
pub fn entry_bundle(record_hashes: &[Hash]) -> Vec<u8> {
    let mut out = Vec::with_capacity(record_hashes.len() * 34);
    for h in record_hashes {
        out.extend_from_slice(&32u16.to_be_bytes());
        out.extend_from_slice(&h.0);
    }
    out
}

/// The entries of a bundle, or why it is not one.
pub fn parse_entry_bundle(mut bytes: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let mut entries = Vec::new();
    while !bytes.is_empty() {
        let Some((len, rest)) = bytes.split_first_chunk::<2>() else {
            return Err("the bundle ends inside a length".into());
        };
        let len = u16::from_be_bytes(*len) as usize;
        if rest.len() < len {
            return Err(format!("entry {} is cut short", entries.len()));
        }
        entries.push(rest[..len].to_vec());
        bytes = &rest[len..];
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{MemoryNodes, node_hash};

    #[test]
    fn paths_encode_as_the_spec_writes_them_and_parse_back() {
        assert_eq!(encode_index(1234067), "x001/x234/067");
        assert_eq!(encode_index(0), "000");
        assert_eq!(encode_index(1000), "x001/000");
        for tile in [
            Tile {
                level: Some(0),
                index: 1234067,
                width: 256,
            },
            Tile {
                level: Some(2),
                index: 0,
                width: 1,
            },
            Tile {
                level: None,
                index: 17,
                width: 112,
            },
        ] {
            let path = tile.path();
            assert_eq!(
                Tile::parse(path.strip_prefix("tile/").unwrap()),
                Ok(tile),
                "{path}"
            );
        }
        assert_eq!(
            Tile {
                level: None,
                index: 17,
                width: 112
            }
            .path(),
            "tile/entries/017.p/112"
        );
        for bad in [
            "0/1",
            "0/x000/001",
            "0/0001",
            "64/000",
            "0/000.p/256",
            "0/000.p/0",
            "e/000",
            "0/000.p/07",
        ] {
            assert!(Tile::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_level_one_hash_is_the_root_of_a_full_level_zero_tile() {
        let leaves: Vec<Hash> = (0..600u64)
            .map(|i| crate::chain::sha256(&i.to_be_bytes()))
            .collect();
        let nodes = MemoryNodes::from_leaf_hashes(leaves.clone());
        let t0 = Tile {
            level: Some(0),
            index: 1,
            width: 256,
        };
        let bytes = t0.hashes(&nodes).unwrap();
        assert_eq!(&bytes[..32], &leaves[256].0);
        let mut level: Vec<Hash> = bytes
            .chunks(32)
            .map(|c| Hash(c.try_into().unwrap()))
            .collect();
        while level.len() > 1 {
            level = level.chunks(2).map(|p| node_hash(&p[0], &p[1])).collect();
        }
        let t1 = Tile {
            level: Some(1),
            index: 0,
            width: 2,
        };
        assert!(t1.within(600) && !Tile { width: 3, ..t1 }.within(600));
        assert_eq!(&t1.hashes(&nodes).unwrap()[32..], &level[0].0);
        let entries = parse_entry_bundle(&entry_bundle(&leaves[..3])).unwrap();
        assert_eq!(
            entries,
            leaves[..3].iter().map(|h| h.0.to_vec()).collect::<Vec<_>>()
        );
        assert!(parse_entry_bundle(&[0, 32, 1]).is_err());
    }
}
