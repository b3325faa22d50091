use super::*;
use crate::chain::sha256;
use crate::merkle::{MemoryNodes, consistency_proof, tree_hash};

const ORIGIN: &str = "ledger.example/gpu";
const NOW: u64 = 1_790_000_000;

/// A log of `n` leaves (and a different one, for forks), and its key.
struct Log {
    signer: NoteSigner,
    leaves: Vec<crate::Hash>,
}

impl Log {
    fn new(n: usize) -> Self {
        Self {
            signer: NoteSigner::generate(ORIGIN).unwrap(),
            leaves: (0..n).map(|i| sha256(&i.to_be_bytes())).collect(),
        }
    }

    fn nodes(&self, size: u64) -> MemoryNodes {
        MemoryNodes::from_leaf_hashes(self.leaves[..size as usize].to_vec())
    }

    fn checkpoint(&self, size: u64) -> Checkpoint {
        Checkpoint {
            size,
            root: tree_hash(&self.nodes(size), size).unwrap(),
        }
    }

    fn note(&self, size: u64) -> String {
        self.checkpoint(size).sign(&self.signer).unwrap()
    }

    /// The request to go from `old` to `size`, with the right proof.
    fn request(&self, old: u64, size: u64) -> String {
        AddCheckpoint {
            old_size: old,
            proof: consistency_proof(&self.nodes(size), old, size).unwrap(),
            checkpoint: self.note(size),
        }
        .to_body()
    }
}

fn witness_of(log: &Log, dir: &Path) -> (Witness, NoteSigner) {
    let key = NoteSigner::generate_kind("witness.example/w1", KeyKind::Cosignature).unwrap();
    let again = NoteSigner::parse(&key.to_private_text()).unwrap();
    let w = Witness::open(key, vec![log.signer.verifier()], dir).unwrap();
    (w, again)
}

#[test]
fn cosigns_a_first_checkpoint_then_only_consistent_growth() {
    let dir = tempfile::tempdir().unwrap();
    let log = Log::new(40);
    let (w, key) = witness_of(&log, dir.path());
    let line = w.add_checkpoint(&log.request(0, 7), NOW).unwrap();
    let cosigned = cosignature::attach(&log.note(7), &line);
    assert_eq!(cosignature::verify(&key.verifier(), &cosigned), Ok(NOW));
    assert_eq!(w.cosigned_size(ORIGIN), 7);
    w.add_checkpoint(&log.request(7, 33), NOW + 1).unwrap();
    // The same checkpoint again is consistent with itself.
    w.add_checkpoint(&log.request(33, 33), NOW + 2).unwrap();
    assert_eq!(w.cosigned_size(ORIGIN), 33);
    let served = w.cosigned_note(&origin_hash(ORIGIN)).unwrap();
    assert!(served.starts_with(&log.note(33)));
    assert_eq!(cosignature::verify(&key.verifier(), &served), Ok(NOW + 2));
}

#[test]
fn refuses_a_rollback_with_409_and_the_size_it_knows() {
    let dir = tempfile::tempdir().unwrap();
    let log = Log::new(40);
    let (w, _) = witness_of(&log, dir.path());
    w.add_checkpoint(&log.request(0, 20), NOW).unwrap();
    // A smaller checkpoint claiming the old size the witness knows.
    let back = AddCheckpoint {
        old_size: 20,
        proof: vec![],
        checkpoint: log.note(10),
    };
    let refusal = w.add_checkpoint(&back.to_body(), NOW).unwrap_err();
    assert_eq!(refusal, Refusal::OldSizeAhead { old: 20, size: 10 });
    assert_eq!(refusal.status(), 400);
    // The honest old size of an older view: 409 with the size it knows.
    let refusal = w.add_checkpoint(&log.request(5, 10), NOW).unwrap_err();
    assert_eq!(refusal, Refusal::WrongOldSize { old: 5, known: 20 });
    assert_eq!(refusal.status(), 409);
    assert_eq!(w.cosigned_size(ORIGIN), 20);
}

#[test]
fn refuses_a_fork_of_the_same_size_with_another_root() {
    let dir = tempfile::tempdir().unwrap();
    let log = Log::new(20);
    let (w, _) = witness_of(&log, dir.path());
    w.add_checkpoint(&log.request(0, 12), NOW).unwrap();
    let mut other = Log::new(20);
    other.signer = NoteSigner::parse(&log.signer.to_private_text()).unwrap();
    other.leaves[3] = sha256(b"rewritten");
    let refusal = w.add_checkpoint(&other.request(12, 12), NOW).unwrap_err();
    assert_eq!(refusal, Refusal::Fork { size: 12 });
    assert_eq!(refusal.status(), 422);
    // Growing from the rewritten history: its proof does not reach the root cosigned.
    let refusal = w.add_checkpoint(&other.request(12, 20), NOW).unwrap_err();
    assert!(
        matches!(
            refusal,
            Refusal::BadProof {
                old: 12,
                size: 20,
                ..
            }
        ),
        "{refusal:?}"
    );
    assert_eq!(w.cosigned_size(ORIGIN), 12);
}

#[test]
fn refuses_a_bad_consistency_proof_with_422() {
    let dir = tempfile::tempdir().unwrap();
    let log = Log::new(30);
    let (w, _) = witness_of(&log, dir.path());
    w.add_checkpoint(&log.request(0, 9), NOW).unwrap();
    let good = AddCheckpoint::parse(&log.request(9, 30)).unwrap();
    let mut cases = vec![];
    for i in 0..good.proof.len() {
        let mut bad = good.clone();
        bad.proof[i].0[0] ^= 1;
        cases.push(bad);
    }
    let mut short = good.clone();
    short.proof.pop();
    cases.push(short);
    let mut long = good.clone();
    long.proof.push(sha256(b"extra"));
    cases.push(long);
    for bad in cases {
        let refusal = w.add_checkpoint(&bad.to_body(), NOW).unwrap_err();
        assert!(matches!(refusal, Refusal::BadProof { .. }), "{refusal:?}");
        assert_eq!(refusal.status(), 422);
    }
    // A proof from old size 0, and an empty tree with a root not the empty one.
    let dir2 = tempfile::tempdir().unwrap();
    let (fresh, _) = witness_of(&log, dir2.path());
    let from_zero = AddCheckpoint {
        old_size: 0,
        proof: vec![sha256(b"x")],
        checkpoint: log.note(4),
    };
    assert_eq!(
        fresh.add_checkpoint(&from_zero.to_body(), NOW),
        Err(Refusal::ProofFromZero)
    );
    let empty = Checkpoint {
        size: 0,
        root: sha256(b"not empty"),
    };
    let req = AddCheckpoint {
        old_size: 0,
        proof: vec![],
        checkpoint: empty.sign(&log.signer).unwrap(),
    };
    assert_eq!(
        fresh.add_checkpoint(&req.to_body(), NOW),
        Err(Refusal::EmptyTreeRoot)
    );
    w.add_checkpoint(&good.to_body(), NOW).unwrap();
}

#[test]
fn refuses_unknown_keys_with_403_and_unknown_logs_with_404() {
    let dir = tempfile::tempdir().unwrap();
    let log = Log::new(10);
    let (w, _) = witness_of(&log, dir.path());
    // Same origin, another key: ignored, so no trusted signature.
    let mut impostor = Log::new(10);
    impostor.signer = NoteSigner::generate(ORIGIN).unwrap();
    let refusal = w.add_checkpoint(&impostor.request(0, 5), NOW).unwrap_err();
    assert!(matches!(refusal, Refusal::NotSigned { .. }), "{refusal:?}");
    assert_eq!(refusal.status(), 403);
    // The trusted key's line over edited text: a bad signature, 403.
    let edited =
        log.request(0, 5)
            .replacen(&format!("{ORIGIN}\n5\n"), &format!("{ORIGIN}\n6\n"), 1);
    let refusal = w.add_checkpoint(&edited, NOW).unwrap_err();
    assert!(matches!(refusal, Refusal::NotSigned { .. }), "{refusal:?}");
    // Another origin entirely.
    let mut stranger = Log::new(10);
    stranger.signer = NoteSigner::generate("other.example/log").unwrap();
    let refusal = w.add_checkpoint(&stranger.request(0, 5), NOW).unwrap_err();
    assert_eq!(refusal, Refusal::UnknownLog("other.example/log".into()));
    assert_eq!(refusal.status(), 404);
    assert_eq!(w.cosigned_size(ORIGIN), 0);
    insta::assert_snapshot!(
        [
            w.add_checkpoint(&impostor.request(0, 5), NOW).unwrap_err().to_string(),
            w.add_checkpoint(&stranger.request(0, 5), NOW).unwrap_err().to_string(),
            w.add_checkpoint("old x\n\n", NOW).unwrap_err().to_string(),
        ]
        .join("\n")
        .replace(&format!("{:08x}", log.signer.verifier().id), "[id]"),
        @r#"
    the checkpoint is not signed by a key this witness trusts for "ledger.example/gpu": the note has no signature by key ledger.example/gpu (id [id])
    this witness does not witness the log "other.example/log"
    the request is malformed: the first line is not `old <size>` with a decimal size
    "#
    );
}

#[test]
fn a_restarted_witness_remembers_what_it_cosigned() {
    let dir = tempfile::tempdir().unwrap();
    let log = Log::new(30);
    let (w, key) = witness_of(&log, dir.path());
    w.add_checkpoint(&log.request(0, 17), NOW).unwrap();
    drop(w);
    let w = Witness::open(key, vec![log.signer.verifier()], dir.path()).unwrap();
    assert_eq!(w.cosigned_size(ORIGIN), 17);
    assert_eq!(
        w.add_checkpoint(&log.request(0, 25), NOW),
        Err(Refusal::WrongOldSize { old: 0, known: 17 })
    );
    let mut other = Log::new(30);
    other.signer = NoteSigner::parse(&log.signer.to_private_text()).unwrap();
    other.leaves[0] = sha256(b"rewritten");
    assert_eq!(
        w.add_checkpoint(&other.request(17, 17), NOW),
        Err(Refusal::Fork { size: 17 })
    );
    w.add_checkpoint(&log.request(17, 25), NOW).unwrap();
}

#[test]
fn a_log_key_cannot_witness_and_a_witness_key_cannot_be_a_log_key() {
    let dir = tempfile::tempdir().unwrap();
    let log = Log::new(1);
    let err = Witness::open(
        NoteSigner::generate("w").unwrap(),
        vec![log.signer.verifier()],
        dir.path(),
    )
    .err()
    .unwrap();
    assert!(matches!(err, WitnessError::NotAWitnessKey(_)));
    let wkey = NoteSigner::generate_kind("w", KeyKind::Cosignature).unwrap();
    let again = NoteSigner::generate_kind("w", KeyKind::Cosignature).unwrap();
    let err = Witness::open(wkey, vec![again.verifier()], dir.path())
        .err()
        .unwrap();
    assert!(matches!(err, WitnessError::NotALogKey(_)));
}
