//! The Merkle tree against the RFC 6962 reference vectors, and against a
//! naive recomputation for every size from 1 to 300.
//!
//! The vectors are those Certificate Transparency implementations test with:
//! the eight leaf inputs, the roots of the trees of their first 1..=8 leaves,
//! and the inclusion and consistency proofs, as published in google/trillian
//! `merkle/log_verifier_test.go` (and certificate-transparency's
//! `merkle_tree_test.cc`), derived from RFC 6962 section 2.1.

use gpu_ledger_ledger::Hash;
use gpu_ledger_ledger::merkle::{
    MemoryNodes, ProofError, consistency_proof, empty_tree_hash, inclusion_proof, leaf_hash,
    node_hash, split_point, tree_hash, verify_consistency, verify_inclusion,
};

const LEAVES: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];

const ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/// (leaf index, tree size, proof)
const INCLUSION: [(u64, u64, &[&str]); 4] = [
    (
        0,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        &[
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        3,
        &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    ),
    (
        1,
        5,
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
];

/// (first size, second size, proof)
const CONSISTENCY: [(u64, u64, &[&str]); 3] = [
    (
        1,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        &[
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
];

fn h(s: &str) -> Hash {
    s.parse().unwrap()
}

fn reference_tree() -> MemoryNodes {
    MemoryNodes::from_leaf_hashes(
        LEAVES
            .iter()
            .map(|l| leaf_hash(&hex::decode(l).unwrap()))
            .collect(),
    )
}

#[test]
fn tree_hashes_match_the_reference_roots() {
    assert_eq!(
        empty_tree_hash(),
        h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    );
    let t = reference_tree();
    for (i, root) in ROOTS.iter().enumerate() {
        assert_eq!(
            tree_hash(&t, i as u64 + 1).unwrap(),
            h(root),
            "size {}",
            i + 1
        );
    }
}

#[test]
fn inclusion_proofs_match_the_reference_and_verify() {
    let t = reference_tree();
    for (index, size, proof) in INCLUSION {
        let expected: Vec<Hash> = proof.iter().map(|p| h(p)).collect();
        assert_eq!(
            inclusion_proof(&t, index, size).unwrap(),
            expected,
            "leaf {index} of {size}"
        );
        let leaf = leaf_hash(&hex::decode(LEAVES[index as usize]).unwrap());
        let root = h(ROOTS[size as usize - 1]);
        verify_inclusion(index, size, &leaf, &expected, &root).unwrap();
        // A wrong index, size, leaf, root or path does not verify.
        assert!(verify_inclusion(index ^ 1, size, &leaf, &expected, &root).is_err());
        assert!(verify_inclusion(index, size * 2, &leaf, &expected, &root).is_err());
        assert!(verify_inclusion(index, size, &leaf_hash(b"other"), &expected, &root).is_err());
        assert!(verify_inclusion(index, size, &leaf, &expected, &empty_tree_hash()).is_err());
        let mut longer = expected.clone();
        longer.push(root);
        assert!(verify_inclusion(index, size, &leaf, &longer, &root).is_err());
        if !expected.is_empty() {
            assert!(verify_inclusion(index, size, &leaf, &expected[1..], &root).is_err());
            let mut bent = expected.clone();
            bent[0] = empty_tree_hash();
            assert!(verify_inclusion(index, size, &leaf, &bent, &root).is_err());
        }
    }
}

#[test]
fn consistency_proofs_match_the_reference_and_verify() {
    let t = reference_tree();
    for (m, n, proof) in CONSISTENCY {
        let expected: Vec<Hash> = proof.iter().map(|p| h(p)).collect();
        assert_eq!(consistency_proof(&t, m, n).unwrap(), expected, "{m} -> {n}");
        let (first, second) = (h(ROOTS[m as usize - 1]), h(ROOTS[n as usize - 1]));
        verify_consistency(m, n, &first, &second, &expected).unwrap();
        assert!(verify_consistency(m, n, &second, &first, &expected).is_err());
        assert!(verify_consistency(m + 1, n, &first, &second, &expected).is_err());
        assert!(verify_consistency(m, n, &first, &second, &expected[1..]).is_err());
        assert!(verify_consistency(m, n, &first, &second, &[]).is_err());
    }
    assert!(consistency_proof(&t, 3, 3).unwrap().is_empty());
    verify_consistency(3, 3, &h(ROOTS[2]), &h(ROOTS[2]), &[]).unwrap();
    assert!(verify_consistency(3, 3, &h(ROOTS[2]), &h(ROOTS[3]), &[]).is_err());
}

/// MTH by the definition, with no stored nodes.
fn naive_root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_tree_hash(),
        1 => leaves[0],
        n => {
            let k = split_point(n as u64) as usize;
            node_hash(&naive_root(&leaves[..k]), &naive_root(&leaves[k..]))
        }
    }
}

/// PATH by the definition.
fn naive_path(m: usize, leaves: &[Hash]) -> Vec<Hash> {
    let n = leaves.len();
    if n <= 1 {
        return vec![];
    }
    let k = split_point(n as u64) as usize;
    if m < k {
        let mut p = naive_path(m, &leaves[..k]);
        p.push(naive_root(&leaves[k..]));
        p
    } else {
        let mut p = naive_path(m - k, &leaves[k..]);
        p.push(naive_root(&leaves[..k]));
        p
    }
}

#[test]
fn every_size_from_1_to_300_agrees_with_a_naive_recomputation() {
    let leaves: Vec<Hash> = (0u32..300).map(|i| leaf_hash(&i.to_be_bytes())).collect();
    let t = MemoryNodes::from_leaf_hashes(leaves.clone());
    for n in 1..=300usize {
        let root = tree_hash(&t, n as u64).unwrap();
        assert_eq!(root, naive_root(&leaves[..n]), "root of {n}");
        for m in [0, n / 3, n / 2, n - 1] {
            let proof = inclusion_proof(&t, m as u64, n as u64).unwrap();
            assert_eq!(proof, naive_path(m, &leaves[..n]), "path {m} of {n}");
            verify_inclusion(m as u64, n as u64, &leaves[m], &proof, &root).unwrap();
        }
        for m in [1, n / 2, n - 1, n] {
            if m == 0 {
                continue;
            }
            let proof = consistency_proof(&t, m as u64, n as u64).unwrap();
            verify_consistency(m as u64, n as u64, &naive_root(&leaves[..m]), &root, &proof)
                .unwrap_or_else(|e| panic!("{m} -> {n}: {e}"));
        }
    }
}

#[test]
fn a_rewritten_history_fails_consistency_and_a_tampered_record_fails_inclusion() {
    let mut leaves: Vec<Hash> = (0u32..50).map(|i| leaf_hash(&i.to_be_bytes())).collect();
    let honest = MemoryNodes::from_leaf_hashes(leaves.clone());
    let old_root = tree_hash(&honest, 20).unwrap();
    leaves[7] = leaf_hash(b"rewritten");
    let forged = MemoryNodes::from_leaf_hashes(leaves.clone());
    let proof = consistency_proof(&forged, 20, 50).unwrap();
    let err = verify_consistency(20, 50, &old_root, &tree_hash(&forged, 50).unwrap(), &proof)
        .unwrap_err();
    assert!(matches!(err, ProofError::FirstRootMismatch { .. }), "{err}");
    let proof = inclusion_proof(&honest, 7, 50).unwrap();
    assert!(
        verify_inclusion(
            7,
            50,
            &leaf_hash(b"rewritten"),
            &proof,
            &tree_hash(&honest, 50).unwrap()
        )
        .is_err()
    );
}

#[test]
fn the_frontier_gives_every_root_in_log_memory() {
    let leaves: Vec<Hash> = (0u32..300).map(|i| leaf_hash(&i.to_be_bytes())).collect();
    let mut f = gpu_ledger_ledger::merkle::Frontier::new();
    assert_eq!(f.root(), empty_tree_hash());
    for (n, leaf) in leaves.iter().enumerate() {
        f.push(*leaf);
        assert_eq!(f.root(), naive_root(&leaves[..n + 1]), "size {}", n + 1);
    }
}

#[test]
fn subtrees_pushed_whole_give_the_same_roots_as_leaves_pushed_one_by_one() {
    let leaves: Vec<Hash> = (0u32..1000).map(|i| leaf_hash(&i.to_be_bytes())).collect();
    let mut by_leaf = gpu_ledger_ledger::merkle::Frontier::new();
    let mut by_block = gpu_ledger_ledger::merkle::Frontier::new();
    for chunk in leaves.chunks(64) {
        chunk.iter().for_each(|l| by_leaf.push(*l));
        if chunk.len() == 64 {
            by_block.push_subtree(
                6,
                gpu_ledger_ledger::merkle::perfect_root(&mut chunk.to_vec()),
            );
        } else {
            chunk.iter().for_each(|l| by_block.push(*l));
        }
        assert_eq!(by_block.root(), by_leaf.root());
    }
    assert_eq!(by_leaf.root(), naive_root(&leaves));
}
