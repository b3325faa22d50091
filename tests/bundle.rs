//! Issue 21's proof bundles: `prove bundle` writes one C2SP tlog-proof file
//! an applicant keeps; `check bundle` checks it with nothing but keys; a
//! single flipped byte anywhere in it is caught, with the part named.

mod common;

use common::*;
use gpu_ledger_ledger::bundle::{self, BundleError, Policy};
use gpu_ledger_ledger::checkpoint::CheckpointDir;
use gpu_ledger_ledger::cosignature;
use gpu_ledger_ledger::note::{KeyKind, NoteSigner, NoteVerifier};
use gpu_ledger_ledger::witness::Witness;
use gpu_ledger_ledger::witness::request::AddCheckpoint;
use gpu_ledger_testkit::history::{first_part_lines, write_lines};
use std::path::Path;

/// A ledger of `events` example events with an operator checkpoint that two
/// witnesses cosigned, kept as the server keeps it: (data, log key, witness keys).
fn witnessed_ledger(
    dir: &Path,
    events: usize,
) -> (std::path::PathBuf, NoteVerifier, Vec<NoteVerifier>) {
    let data = dir.join("data");
    let input = dir.join("in.jsonl");
    write_lines(&input, &first_part_lines()[..events]);
    import_file(&data, &input);
    // The operator's key, as `keygen` writes it.
    let key = dir.join("ledger.key");
    let operator = NoteSigner::generate("ledger.msit.go.kr/gpu").unwrap();
    std::fs::write(&key, operator.to_private_text()).unwrap();
    succeeds(&data, &["checkpoint", "--key", key.to_str().unwrap()]);
    let kept = CheckpointDir::new(&data);
    let (size, mut note) = kept.latest().unwrap();
    let log = kept.verifier().unwrap();
    let mut witnesses = vec![];
    for name in ["board.example/w1", "ministry.example/w2"] {
        let signer = NoteSigner::generate_kind(name, KeyKind::Cosignature).unwrap();
        witnesses.push(signer.verifier());
        let w =
            Witness::open(signer, vec![log.clone()], &dir.join(name.replace('/', "_"))).unwrap();
        let request = AddCheckpoint {
            old_size: 0,
            proof: vec![],
            checkpoint: note.clone(),
        };
        let line = w.add_checkpoint(&request.to_body(), 1_790_000_000).unwrap();
        note = cosignature::attach(&note, &line);
    }
    kept.keep(size, &note, &log).unwrap();
    (data, log, witnesses)
}

fn write_key(dir: &Path, name: &str, key: &NoteVerifier) -> String {
    let path = dir.join(name);
    std::fs::write(&path, key.to_text()).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn a_bundle_checks_offline_and_any_flipped_byte_fails_with_the_part_named() {
    let dir = tempfile::tempdir().unwrap();
    let (data, log, witnesses) = witnessed_ledger(dir.path(), 6);
    let file = dir.path().join("record-5.tlog-proof");
    succeeds(
        &data,
        &[
            "prove",
            "bundle",
            "--seq",
            "5",
            "--out",
            file.to_str().unwrap(),
        ],
    );
    let bytes = std::fs::read(&file).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.starts_with("c2sp.org/tlog-proof@v1\nextra "), "{text}");
    assert!(text.contains("\nindex 4\n"), "{text}");

    // Checked by the binary, elsewhere, with the keys alone.
    let nowhere = dir.path().join("nowhere");
    let (lk, w1, w2) = (
        write_key(dir.path(), "ledger.vkey", &log),
        write_key(dir.path(), "w1.vkey", &witnesses[0]),
        write_key(dir.path(), "w2.vkey", &witnesses[1]),
    );
    let check = |file: &Path, quorum: &str| {
        run(
            &nowhere,
            &[
                "check",
                "bundle",
                file.to_str().unwrap(),
                "--key",
                &lk,
                "--witness-key",
                &w1,
                "--witness-key",
                &w2,
                "--quorum",
                quorum,
            ],
        )
    };
    let out = check(&file, "2");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("record seq 5") && said.contains("board.example/w1 at 1790000000"),
        "{said}"
    );

    // Every byte flipped, one at a time: each fails, for a named reason.
    let policy = Policy {
        log: log.clone(),
        witnesses: witnesses.clone(),
        quorum: 2,
    };
    assert!(bundle::check(&bytes, &policy).is_ok());
    let mut reasons = std::collections::BTreeMap::<String, usize>::new();
    for i in 0..bytes.len() {
        let mut flipped = bytes.clone();
        flipped[i] ^= 0x01;
        let err = bundle::check(&flipped, &policy)
            .err()
            .unwrap_or_else(|| panic!("byte {i} ({:?}) flipped was accepted", bytes[i] as char));
        *reasons.entry(kind(&err)).or_default() += 1;
    }
    // The parts a flip was caught in (how many flips each, not snapshotted: it varies with key bytes).
    let caught: Vec<&String> = reasons.keys().collect();
    insta::assert_snapshot!(format!("{caught:?}"), @r#"["Checkpoint", "Cosignature", "Extra", "Header", "Inclusion", "Index", "ProofLine", "Quorum", "Record"]"#);

    // What a person reads when the record was altered or a witness is missing.
    let mut altered = bundle::ProofBundle::parse(&bytes).unwrap();
    let record = String::from_utf8(altered.record.clone()).unwrap();
    let actor = record.find("\"actor\":\"").unwrap() + 9;
    altered.record[actor] ^= 0x01;
    let bad = dir.path().join("altered.tlog-proof");
    std::fs::write(&bad, altered.to_text()).unwrap();
    let out = check(&bad, "2");
    assert_eq!(out.status.code(), Some(1));
    let stripped = dir.path().join("one-witness.tlog-proof");
    let one = text
        .lines()
        .filter(|l| !l.contains("ministry.example"))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    std::fs::write(&stripped, one).unwrap();
    let out2 = check(&stripped, "2");
    assert_eq!(out2.status.code(), Some(1));
    assert!(check(&stripped, "1").status.success());
    let scrub = |o: &std::process::Output| {
        let said =
            String::from_utf8_lossy(&o.stderr).replace(dir.path().to_str().unwrap(), "[dir]");
        // Record hashes depend on the time of the import.
        said.split(' ')
            .map(
                |w| match w.len() >= 64 && w[..64].bytes().all(|b| b.is_ascii_hexdigit()) {
                    true => format!("[hash]{}", &w[64..]),
                    false => w.to_string(),
                },
            )
            .collect::<Vec<_>>()
            .join(" ")
    };
    insta::assert_snapshot!(format!("{}{}", scrub(&out), scrub(&out2)), @r"
    gpu-ledger: the bundle [dir]/altered.tlog-proof does not hold: the record: its content hashes to [hash], not to its stated hash [hash]: it was altered
    gpu-ledger: the bundle [dir]/one-witness.tlog-proof does not hold: only 1 of the 2 witness cosignatures required are present and valid
    ");
}

/// The variant of a refusal, for counting what caught each flip.
fn kind(e: &BundleError) -> String {
    format!("{e:?}")
        .split(['(', ' ', '{'])
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn a_bundle_by_award_proves_its_grant() {
    let dir = tempfile::tempdir().unwrap();
    let lines = first_part_lines();
    let granted = lines
        .iter()
        .position(|l| l.contains("\"type\":\"AwardGranted\""))
        .expect("the example grants awards");
    let award: serde_json::Value = serde_json::from_str(&lines[granted]).unwrap();
    let award = award["award_id"].as_str().unwrap();
    let (data, log, witnesses) = witnessed_ledger(dir.path(), granted + 3);
    let file = dir.path().join("award.tlog-proof");
    succeeds(
        &data,
        &[
            "prove",
            "bundle",
            "--award",
            award,
            "--out",
            file.to_str().unwrap(),
        ],
    );
    let policy = Policy {
        log,
        witnesses,
        quorum: 2,
    };
    let checked = bundle::check(&std::fs::read(&file).unwrap(), &policy).unwrap();
    assert_eq!(checked.seq, granted as u64 + 1);
    let out = run(
        &data,
        &[
            "prove",
            "bundle",
            "--award",
            "AW-1999-0000",
            "--out",
            dir.path().join("x").to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no award AW-1999-0000 was granted"));
}
