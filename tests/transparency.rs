//! Issue 5's whole flows: signed checkpoints, proofs made by the ledger and
//! checked with only the proof, the record, the checkpoint and the public
//! key; a rewritten history caught by `verify`.

mod common;

use common::*;
use gpu_ledger_api::server::{Access, Limits};
use gpu_ledger_testkit::history::{first_part_file, first_part_lines, write_lines};
use gpu_ledger_testkit::server::{spawn, spawn_signing_every};
use std::path::Path;

/// `check KIND --flag value...` where there is no ledger: what an outside auditor runs.
fn check(nowhere: &Path, kind: &str, flags: &[(&str, &str)]) -> std::process::Output {
    let mut args = vec!["check", kind];
    for (flag, value) in flags {
        args.extend([*flag, *value]);
    }
    run(nowhere, &args)
}

fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Makes a signing key at `key` with `keygen --json`; returns its verifier key.
fn keygen(data: &Path, key: &Path) -> String {
    let out = ok(&run(
        data,
        &[
            "--json",
            "keygen",
            "--name",
            "ledger.msit.go.kr/gpu",
            "--out",
            key.to_str().unwrap(),
        ],
    ));
    serde_json::from_str::<serde_json::Value>(&out).unwrap()["verifier_key"]
        .as_str()
        .unwrap()
        .to_string()
}

/// `check checkpoint` of the note in `file` against `pubkey` (a key or a file holding one).
fn check_checkpoint(file: &Path, pubkey: &str) -> std::process::Output {
    let nowhere = file.with_extension("nowhere");
    check(
        &nowhere,
        "checkpoint",
        &[
            ("--checkpoint", file.to_str().unwrap()),
            ("--pubkey", pubkey),
        ],
    )
}

/// A ledger of the example with a key and a checkpoint: (data dir, verifier key, checkpoint file).
fn signed_ledger(dir: &Path) -> (std::path::PathBuf, String, std::path::PathBuf) {
    let data = dir.join("data");
    let example = first_part_file(dir);
    ok(&run(&data, &["import", example.to_str().unwrap()]));
    let key = dir.join("checkpoint.key");
    let pubkey = keygen(&data, &key);
    let note = ok(&run(&data, &["checkpoint", "--key", key.to_str().unwrap()]));
    let cp = dir.join("cp.note");
    std::fs::write(&cp, &note).unwrap();
    (data, pubkey, cp)
}

#[test]
fn the_private_key_is_private_and_the_checkpoint_is_a_c2sp_note() {
    let dir = tempfile::tempdir().unwrap();
    let (_, pubkey, cp) = signed_ledger(dir.path());
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(dir.path().join("checkpoint.key"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let note = std::fs::read_to_string(&cp).unwrap();
    let lines: Vec<&str> = note.lines().collect();
    assert_eq!(lines[0], "ledger.msit.go.kr/gpu");
    assert_eq!(lines[1], "5416");
    assert_eq!(lines[3], "");
    assert!(lines[4].starts_with("\u{2014} ledger.msit.go.kr/gpu "));
    let parts: Vec<&str> = pubkey.splitn(3, '+').collect();
    assert_eq!(
        (parts.len(), parts[0], parts[1].len()),
        (3, "ledger.msit.go.kr/gpu", 8)
    );
}

/// What `keygen` prints on stdout is the verifier key alone, so that
/// `keygen ... > verifier.key` makes a file `--pubkey` takes.
#[test]
fn keygen_stdout_saved_to_a_file_is_a_verifier_key_for_check() {
    let dir = tempfile::tempdir().unwrap();
    let (data, _, cp) = signed_ledger(dir.path());
    let key = dir.path().join("second.key");
    let out = run(
        &data,
        &[
            "keygen",
            "--name",
            "ledger.msit.go.kr/gpu",
            "--out",
            key.to_str().unwrap(),
        ],
    );
    let stdout = ok(&out);
    assert_eq!(stdout.lines().count(), 1, "stdout: {stdout}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("keep it secret"));
    let verifier = dir.path().join("second.pub");
    std::fs::write(&verifier, &stdout).unwrap();
    let note = ok(&run(&data, &["checkpoint", "--key", key.to_str().unwrap()]));
    let second = dir.path().join("second.note");
    std::fs::write(&second, note).unwrap();
    let verifier = verifier.to_str().unwrap();
    ok(&check_checkpoint(&second, verifier));
    assert_eq!(
        check_checkpoint(&cp, verifier).status.code(),
        Some(1),
        "signed by the first key"
    );
}

#[test]
fn an_inclusion_proof_checks_with_the_record_checkpoint_and_key_only() {
    let dir = tempfile::tempdir().unwrap();
    let (data, pubkey, cp) = signed_ledger(dir.path());
    let export = dir.path().join("export.jsonl");
    ok(&run(&data, &["export", "--out", export.to_str().unwrap()]));
    let lines: Vec<String> = std::fs::read_to_string(&export)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    let proof = dir.path().join("proof.json");
    std::fs::write(
        &proof,
        ok(&run(
            &data,
            &["--json", "prove", "inclusion", "--seq", "1234"],
        )),
    )
    .unwrap();
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&proof).unwrap()).unwrap();
    assert_eq!(
        (v["type"].as_str(), v["seq"].as_u64(), v["size"].as_u64()),
        (Some("inclusion"), Some(1234), Some(5416))
    );

    let record = dir.path().join("record.json");
    std::fs::write(&record, &lines[1233]).unwrap();
    let nowhere = dir.path().join("no-ledger-here");
    let check_record = |record: &Path| {
        check(
            &nowhere,
            "inclusion",
            &[
                ("--proof", proof.to_str().unwrap()),
                ("--record", record.to_str().unwrap()),
                ("--checkpoint", cp.to_str().unwrap()),
                ("--pubkey", &pubkey),
            ],
        )
    };
    ok(&check_record(&record));

    // A tampered record: its content no longer hashes to its hash.
    let tampered = dir.path().join("tampered.json");
    std::fs::write(
        &tampered,
        lines[1233].replacen("\"actor\":\"", "\"actor\":\"x", 1),
    )
    .unwrap();
    let out = check_record(&tampered);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("altered"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Another (genuine) record: not the one proven.
    let other = dir.path().join("other.json");
    std::fs::write(&other, &lines[1234]).unwrap();
    assert_eq!(check_record(&other).status.code(), Some(1));
}

#[test]
fn checkpoints_signed_by_another_key_or_edited_fail_and_consistency_holds() {
    let dir = tempfile::tempdir().unwrap();
    let (data, pubkey, cp) = signed_ledger(dir.path());
    let nowhere = dir.path().join("none");
    ok(&check_checkpoint(&cp, &pubkey));

    let other_pub = keygen(&nowhere, &dir.path().join("other.key"));
    let out = check_checkpoint(&cp, &other_pub);
    assert_eq!(out.status.code(), Some(1), "another key must not check");

    let edited = dir.path().join("edited.note");
    std::fs::write(
        &edited,
        std::fs::read_to_string(&cp)
            .unwrap()
            .replacen("5416", "5415", 1),
    )
    .unwrap();
    let out = check_checkpoint(&edited, &pubkey);
    assert_eq!(
        out.status.code(),
        Some(1),
        "an edited checkpoint must not check"
    );

    // The ledger grows; the old checkpoint's tree is a prefix of the new one.
    let more = dir.path().join("more.jsonl");
    write_lines(&more, &[r#"{"type":"OrganizationRegistered","occurred_at":"2026-06-01T09:00:00+09:00","actor":"msit","org_id":"ORG-NEW","name":"n","sector":"academia","size":"public","region":"capital"}"#.to_string()]);
    ok(&run(&data, &["import", more.to_str().unwrap()]));
    let note = ok(&run(
        &data,
        &[
            "checkpoint",
            "--key",
            dir.path().join("checkpoint.key").to_str().unwrap(),
        ],
    ));
    let cp2 = dir.path().join("cp2.note");
    std::fs::write(&cp2, &note).unwrap();
    let proof = dir.path().join("consistency.json");
    std::fs::write(
        &proof,
        ok(&run(
            &data,
            &[
                "--json",
                "prove",
                "consistency",
                "--from",
                "5416",
                "--to",
                "5417",
            ],
        )),
    )
    .unwrap();
    ok(&check(
        &nowhere,
        "consistency",
        &[
            ("--proof", proof.to_str().unwrap()),
            ("--from-checkpoint", cp.to_str().unwrap()),
            ("--to-checkpoint", cp2.to_str().unwrap()),
            ("--pubkey", &pubkey),
        ],
    ));
    // And `verify` checks the Merkle root against the latest kept checkpoint.
    let v: serde_json::Value =
        serde_json::from_str(&ok(&run(&data, &["--json", "verify"]))).unwrap();
    assert_eq!(
        (v["ok"].as_bool(), v["checkpoint_size"].as_u64()),
        (Some(true), Some(5417))
    );
}

#[test]
fn verify_catches_a_history_rewritten_under_a_signed_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let (data, pubkey, cp) = signed_ledger(dir.path());
    // The operator rebuilds the whole ledger with one event changed: a
    // perfectly chained history, but not the one that was signed.
    let rewritten = dir.path().join("rewritten");
    let lines = first_part_lines();
    let mut forged = lines.clone();
    forged[99] = forged[99].replacen("\"actor\":\"", "\"actor\":\"forged-", 1);
    let file = dir.path().join("forged.jsonl");
    write_lines(&file, &forged);
    ok(&run(&rewritten, &["import", file.to_str().unwrap()]));
    let plain = ok(&run(&rewritten, &["--json", "verify"]));
    assert!(
        plain.contains("\"ok\":true"),
        "the chain alone cannot tell: {plain}"
    );

    let out = run(
        &rewritten,
        &[
            "--json",
            "verify",
            "--checkpoint",
            cp.to_str().unwrap(),
            "--pubkey",
            &pubkey,
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["reason"]
            .as_str()
            .unwrap()
            .contains("history was rewritten"),
        "{v}"
    );
    // The genuine ledger still verifies against it.
    ok(&run(
        &data,
        &[
            "verify",
            "--checkpoint",
            cp.to_str().unwrap(),
            "--pubkey",
            &pubkey,
        ],
    ));
}

#[tokio::test]
async fn the_server_signs_checkpoints_and_serves_proofs_over_http() {
    let lines = first_part_lines();
    let s = spawn(&lines[..200], Access::Local, Limits::default()).await;
    let (status, _) = s.get(None, "/v1/checkpoints/latest").await;
    assert_eq!(status, 404);
    let signed = s
        .client
        .post(s.url("/v1/checkpoints/latest"))
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status().as_u16(), 201);
    let note = signed.text().await.unwrap();
    assert!(note.starts_with("test.example/ledger\n200\n"), "{note}");
    let (_, latest) = s.get_text(None, "/v1/checkpoints/latest").await;
    assert_eq!(latest, note);
    let (_, by_size) = s.get_text(None, "/v1/checkpoints/200").await;
    assert_eq!(by_size, note);

    let (status, proof) = s.get(None, "/v1/proofs/inclusion?seq=17").await;
    assert_eq!(status, 200, "{proof}");
    let (status, consistency) = s.get(None, "/v1/proofs/consistency?from=10&to=200").await;
    assert_eq!(status, 200, "{consistency}");
    let (status, bad) = s.get(None, "/v1/proofs/inclusion?seq=201").await;
    assert_eq!(
        (status, bad["error"].as_str()),
        (400, Some("bad_proof_request"))
    );

    // Checked offline with the binary, against the served checkpoint.
    let dir = tempfile::tempdir().unwrap();
    let key = std::fs::read_to_string(s.dir.path().join("data/checkpoints/verifier.key")).unwrap();
    let (pf, cf, nf) = (
        dir.path().join("p.json"),
        dir.path().join("c.json"),
        dir.path().join("cp.note"),
    );
    std::fs::write(&pf, proof.to_string()).unwrap();
    std::fs::write(&cf, consistency.to_string()).unwrap();
    std::fs::write(&nf, &note).unwrap();
    let nowhere = dir.path().join("none");
    ok(&check(
        &nowhere,
        "inclusion",
        &[
            ("--proof", pf.to_str().unwrap()),
            ("--checkpoint", nf.to_str().unwrap()),
            ("--pubkey", key.trim()),
        ],
    ));
    ok(&check(
        &nowhere,
        "consistency",
        &[
            ("--proof", cf.to_str().unwrap()),
            ("--to-checkpoint", nf.to_str().unwrap()),
            ("--pubkey", key.trim()),
        ],
    ));
}

/// Records appended over HTTP join the tree: the next checkpoint covers them,
/// proofs reach them, and the old checkpoint is provably a prefix of the new.
#[tokio::test]
async fn records_appended_to_a_running_server_are_in_its_next_checkpoint_and_proofs() {
    let lines = first_part_lines();
    let s = spawn(&lines[..200], Access::Local, Limits::default()).await;
    let sign = || async {
        let r = s
            .client
            .post(s.url("/v1/checkpoints/latest"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 201);
        r.text().await.unwrap()
    };
    let before = sign().await;
    for line in &lines[200..260] {
        let (status, answer) = s.post(None, line.clone()).await;
        assert_eq!(status, 201, "{answer}");
    }
    let after = sign().await;
    assert!(after.starts_with("test.example/ledger\n260\n"), "{after}");

    let (status, proof) = s.get(None, "/v1/proofs/inclusion?seq=255").await;
    assert_eq!(status, 200, "{proof}");
    assert_eq!(proof["size"], 260);
    let (status, consistency) = s.get(None, "/v1/proofs/consistency?from=200&to=260").await;
    assert_eq!(status, 200, "{consistency}");

    let dir = tempfile::tempdir().unwrap();
    let key = std::fs::read_to_string(s.dir.path().join("data/checkpoints/verifier.key")).unwrap();
    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let (pf, cf) = (
        file("p.json", &proof.to_string()),
        file("c.json", &consistency.to_string()),
    );
    let (old, new) = (file("old.note", &before), file("new.note", &after));
    let nowhere = dir.path().join("none");
    ok(&check(
        &nowhere,
        "inclusion",
        &[
            ("--proof", &pf),
            ("--checkpoint", &new),
            ("--pubkey", key.trim()),
        ],
    ));
    ok(&check(
        &nowhere,
        "consistency",
        &[
            ("--proof", &cf),
            ("--from-checkpoint", &old),
            ("--to-checkpoint", &new),
            ("--pubkey", key.trim()),
        ],
    ));
}

/// The server signs on its own, on schedule, whenever the ledger has grown.
#[tokio::test]
async fn the_server_signs_a_checkpoint_on_schedule_when_the_ledger_grew() {
    let lines = first_part_lines();
    let dir = tempfile::tempdir().unwrap();
    let store = gpu_ledger_ledger::FileStore::open(dir.path().join("data")).unwrap();
    let every = std::time::Duration::from_millis(50);
    let s = spawn_signing_every(
        dir,
        store,
        &lines[..200],
        Access::Local,
        Limits::default(),
        every,
    )
    .await;
    let latest_size = || async {
        let (status, body) = (s.client.get(s.url("/v1/checkpoints/latest")).send().await)
            .map(|r| (r.status().as_u16(), r))
            .unwrap();
        match status {
            200 => body
                .text()
                .await
                .unwrap()
                .lines()
                .nth(1)
                .unwrap()
                .parse::<u64>()
                .unwrap(),
            _ => 0,
        }
    };
    let wait_for = |size: u64| async move {
        for _ in 0..200 {
            if latest_size().await == size {
                return;
            }
            tokio::time::sleep(every).await;
        }
        panic!("no scheduled checkpoint of size {size}");
    };
    wait_for(200).await;
    assert_eq!(s.post(None, lines[200].clone()).await.0, 201);
    wait_for(201).await;
}
