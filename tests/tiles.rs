//! Issue 21's tiles: a mirror that fetches the ledger as C2SP tlog-tiles over
//! HTTP, and nothing else, recomputes every leaf and the signed root.

use gpu_ledger_api::server::{Access, Limits};
use gpu_ledger_ledger::checkpoint::Checkpoint;
use gpu_ledger_ledger::merkle::{MemoryNodes, leaf_hash, perfect_root, tree_hash};
use gpu_ledger_ledger::note::NoteVerifier;
use gpu_ledger_ledger::tiles::{TILE_WIDTH, Tile, parse_entry_bundle};
use gpu_ledger_ledger::{EventStore, Hash};
use gpu_ledger_testkit::history::first_part_lines;
use gpu_ledger_testkit::server::{TestServer, spawn};

async fn fetch(s: &TestServer, path: &str) -> (u16, Option<String>, Vec<u8>) {
    let r = s.client.get(s.url(path)).send().await.unwrap();
    let cache = r
        .headers()
        .get("cache-control")
        .map(|v| v.to_str().unwrap().to_string());
    (
        r.status().as_u16(),
        cache,
        r.bytes().await.unwrap().to_vec(),
    )
}

fn hashes(bytes: &[u8]) -> Vec<Hash> {
    assert_eq!(bytes.len() % 32, 0);
    bytes
        .chunks(32)
        .map(|c| Hash(c.try_into().unwrap()))
        .collect()
}

/// The tiles of a tree of `size` leaves at tile `level`: full ones, then the partial one.
fn tiles_at(level: u8, size: u64) -> Vec<Tile> {
    let per_hash = TILE_WIDTH.pow(u32::from(level));
    let hashes = size / per_hash;
    let mut tiles: Vec<Tile> = (0..hashes / TILE_WIDTH)
        .map(|index| Tile {
            level: Some(level),
            index,
            width: TILE_WIDTH,
        })
        .collect();
    if !hashes.is_multiple_of(TILE_WIDTH) {
        tiles.push(Tile {
            level: Some(level),
            index: hashes / TILE_WIDTH,
            width: hashes % TILE_WIDTH,
        });
    }
    tiles
}

#[tokio::test]
async fn a_mirror_recomputes_every_leaf_and_the_signed_root_from_tiles_over_http() {
    let lines = first_part_lines();
    let s = spawn(&lines[..700], Access::Local, Limits::default()).await;
    assert_eq!(s.sign_checkpoint().await.0, 201);

    let key = std::fs::read_to_string(s.dir.path().join("data/checkpoints/verifier.key")).unwrap();
    let (status, cache, note) = fetch(&s, "/tlog/checkpoint").await;
    assert_eq!((status, cache.as_deref()), (200, Some("public, max-age=5")));
    let cp = Checkpoint::open(
        std::str::from_utf8(&note).unwrap(),
        &NoteVerifier::parse(&key).unwrap(),
    )
    .unwrap();
    assert_eq!(cp.size, 700);

    // Level 0 and the entry bundles: every leaf, from its record hash.
    let mut leaves = Vec::new();
    let mut all_entries = Vec::new();
    for tile in tiles_at(0, cp.size) {
        let (status, cache, bytes) = fetch(&s, &format!("/tlog/{}", tile.path())).await;
        assert_eq!(status, 200, "{}", tile.path());
        assert_eq!(
            cache.as_deref(),
            Some("public, max-age=31536000, immutable")
        );
        let entries = Tile {
            level: None,
            ..tile
        };
        let (status, _, bundle) = fetch(&s, &format!("/tlog/{}", entries.path())).await;
        assert_eq!(status, 200, "{}", entries.path());
        let entries = parse_entry_bundle(&bundle).unwrap();
        let tile_hashes = hashes(&bytes);
        assert_eq!(entries.len(), tile_hashes.len());
        for (entry, leaf) in entries.iter().zip(&tile_hashes) {
            assert_eq!(
                leaf_hash(entry),
                *leaf,
                "an entry does not hash to its leaf"
            );
        }
        leaves.extend(tile_hashes);
        all_entries.extend(entries);
    }
    assert_eq!(leaves.len() as u64, cp.size);
    // Each entry is its record's hash, as the ledger holds it.
    let records = s.store.read(1, 700).await.unwrap();
    let record_hashes: Vec<Vec<u8>> = records.iter().map(|r| r.hash.0.to_vec()).collect();
    assert_eq!(all_entries, record_hashes);
    let nodes = MemoryNodes::from_leaf_hashes(leaves.clone());
    assert_eq!(
        tree_hash(&nodes, cp.size).unwrap(),
        cp.root,
        "the root recomputed from the tiles"
    );

    // Level 1: each hash is the root of a full level-0 tile.
    let level1 = tiles_at(1, cp.size);
    assert_eq!(level1.len(), 1);
    let (status, _, bytes) = fetch(&s, &format!("/tlog/{}", level1[0].path())).await;
    assert_eq!(status, 200);
    for (i, h) in hashes(&bytes).iter().enumerate() {
        let mut full = leaves[i * 256..(i + 1) * 256].to_vec();
        assert_eq!(perfect_root(&mut full), *h);
    }

    // Tiles beyond the tree, and paths that are not tiles, are not found.
    for path in [
        "/tlog/tile/0/003",
        "/tlog/tile/0/002.p/189",
        "/tlog/tile/0/2",
        "/tlog/tile/entries/x000/002.p/188",
    ] {
        assert_eq!(fetch(&s, path).await.0, 404, "{path}");
    }
}
