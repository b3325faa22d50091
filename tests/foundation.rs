//! Issue 2's whole flows, through the real binary: import is atomic, an
//! export passes the spec's own Python check, damage is named, torn tails
//! are cut, and a second process is refused.

mod common;

use common::*;
use gpu_ledger_ledger::FileStore;
use gpu_ledger_testkit::damage::{flip, tear_last_write};
use gpu_ledger_testkit::data_dir::find_in_segments;
use gpu_ledger_testkit::history::{synthetic_history, write_lines};

#[test]
fn import_then_verify_then_export_passes_the_spec_python_check() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let input = dir.path().join("in.jsonl");
    write_lines(&input, &synthetic_history(500));

    let out = succeeds(&data, &["--json", "import", input.to_str().unwrap()]);
    let imported = stdout_json(&out);
    assert_eq!(imported["appended"], 2004);

    let out = run(&data, &["--json", "verify"]);
    assert!(out.status.success());
    let v = stdout_json(&out);
    assert_eq!(v["ok"], true);
    assert_eq!(v["events"], 2004);
    assert_eq!(v["head"], imported["head"]);

    let export = dir.path().join("ledger.jsonl");
    let out = run(&data, &["export", "--out", export.to_str().unwrap()]);
    assert!(out.status.success());
    // ledger-format.md's reference check, verbatim in spirit: JSON + SHA-256 only.
    let check = r#"
import hashlib, json, sys
def canonical(x):
    return json.dumps(x, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
prev = "0" * 64
for seq, line in enumerate(open(sys.argv[1], encoding="utf-8"), start=1):
    r = json.loads(line)
    h = r.pop("hash")
    assert r["seq"] == seq and r["prev"] == prev
    assert hashlib.sha256(bytes.fromhex(prev) + canonical(r)).hexdigest() == h
    prev = h
print(prev)
"#;
    let py = std::process::Command::new("python3")
        .arg("-c")
        .arg(check)
        .arg(&export)
        .output()
        .expect("python3 runs");
    assert!(
        py.status.success(),
        "{}",
        String::from_utf8_lossy(&py.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&py.stdout).trim(),
        imported["head"].as_str().unwrap()
    );
    let bytes = std::fs::read(&export).unwrap();
    assert!(bytes.ends_with(b"\n") && !bytes.windows(2).any(|w| w == b"\r\n"));

    // And the export verifies as a copy, without the store.
    let out = run(
        &data,
        &["--json", "verify", "--export", export.to_str().unwrap()],
    );
    assert_eq!(stdout_json(&out)["ok"], true);
}

#[test]
fn a_bad_line_at_the_end_of_a_large_file_leaves_the_ledger_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let history = synthetic_history(12_000);
    let (first, rest) = history.split_at(1000);
    let first_file = dir.path().join("first.jsonl");
    write_lines(&first_file, first);
    import_file(&data, &first_file);
    let before_export = dir.path().join("before.jsonl");
    assert!(
        run(&data, &["export", "--out", before_export.to_str().unwrap()])
            .status
            .success()
    );

    // 47,000 valid lines, then one that breaks a rule (a second score by r-000).
    let mut big: Vec<String> = rest.to_vec();
    let last_app = format!("APP-{:06}", 11_999);
    big.push(format!(
        r#"{{"type":"ScoreRecorded","occurred_at":"2026-03-30T00:00:00+09:00","actor":"reviewer:r-000","application_id":"{last_app}","reviewer_id":"r-000","score":50}}"#
    ));
    let big_file = dir.path().join("big.jsonl");
    write_lines(&big_file, &big);
    let out = run(&data, &["--json", "import", big_file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let bad_line = big.len();
    assert!(
        stderr.contains(&format!("line {bad_line} breaks rule already_scored")),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was imported"), "{stderr}");
    let err = stdout_json(&out);
    assert_eq!(err["line"], bad_line as u64);
    assert_eq!(err["error"], "already_scored");

    let after_export = dir.path().join("after.jsonl");
    assert!(
        run(&data, &["export", "--out", after_export.to_str().unwrap()])
            .status
            .success()
    );
    assert_eq!(
        std::fs::read(&before_export).unwrap(),
        std::fs::read(&after_export).unwrap()
    );
    assert_eq!(
        stdout_json(&run(&data, &["--json", "verify"]))["events"],
        1000
    );

    // A malformed line is reported with its number too.
    let mut broken = rest[..10].to_vec();
    broken.insert(5, "{\"type\":\"CallClosed\",".into());
    let broken_file = dir.path().join("broken.jsonl");
    write_lines(&broken_file, &broken);
    let out = run(&data, &["import", broken_file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("line 6:"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout_json(&run(&data, &["--json", "verify"]))["events"],
        1000
    );
}

#[test]
fn flipping_one_byte_of_a_stored_record_makes_verify_name_its_seq() {
    let (dir, data, _) = imported_history(50, usize::MAX);

    // Record seq 5 is the first application: APP-000000.
    let seg = flip(&data, b"APP-000000", 4, 0x20);

    verify_breaks_at(&data, 5, "offset");
    // A writer refuses to open it, naming the file.
    writer_refuses(
        &data,
        &dir.path().join("in.jsonl"),
        &[seg.to_str().unwrap(), "offset"],
    );
}

#[test]
fn a_record_rewritten_with_a_valid_checksum_still_fails_verify_at_its_seq() {
    let (_dir, data, _) = imported_history(50, usize::MAX);

    // Change the score of seq 7 (the second score of APP-000000) and fix the
    // frame checksum, as a careful forger would: only the hash chain catches it.
    let (seg, at) = find_in_segments(&data, b"\"reviewer_id\":\"r-001\",\"score\":13");
    let mut bytes = std::fs::read(&seg).unwrap();
    let digit = at + b"\"reviewer_id\":\"r-001\",\"score\":1".len();
    bytes[digit] = b'9';
    // The frame starts at the last "GLF1" magic before the change.
    let frame = bytes[..at].windows(4).rposition(|w| w == b"GLF1").unwrap();
    let body_len = u32::from_le_bytes(bytes[frame + 4..frame + 8].try_into().unwrap()) as usize;
    let crc = crc32c::crc32c(&bytes[frame + 12..frame + 12 + body_len]);
    bytes[frame + 8..frame + 12].copy_from_slice(&crc.to_le_bytes());
    std::fs::write(&seg, &bytes).unwrap();

    verify_breaks_at(&data, 7, "hash mismatch");
}

#[test]
fn a_record_cut_in_half_at_the_end_is_dropped_and_the_rest_verifies() {
    let (dir, data, history) = imported_history(30, 100);
    let more = dir.path().join("more.jsonl");
    write_lines(&more, &history[100..101]);
    import_file(&data, &more);

    // A crash in the middle of writing seq 101: half its frame reached the disk,
    // and the HEAD hint had not caught up.
    tear_last_write(&data, 60);

    let rest = dir.path().join("rest.jsonl");
    write_lines(&rest, &history[100..]);
    succeeds(&data, &["--json", "import", rest.to_str().unwrap()]);
    let v = stdout_json(&run(&data, &["--json", "verify"]));
    assert_eq!(v["ok"], true);
    assert_eq!(v["events"], history.len() as u64);
}

#[test]
fn a_second_process_on_the_same_data_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let holder = FileStore::open(&data).unwrap();
    let input = dir.path().join("in.jsonl");
    write_lines(&input, &synthetic_history(2));
    let out = run(&data, &["import", input.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("is in use by another gpu-ledger process"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "one sentence: {stderr}");
    drop(holder);
    import_file(&data, &input);
}

#[test]
fn errors_are_one_sentence_on_stderr_with_a_nonzero_exit() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&dir.path().join("nothing-here"), &["verify"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("gpu-ledger: there is no ledger in"),
        "{stderr}"
    );
    let out = run(dir.path(), &["import", "/no/such/file.jsonl"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read /no/such/file.jsonl"));
}

/// `T=$(gpu-ledger token ...)` captures exactly the token, and the hash the
/// command added to the tokens file is that token's.
#[test]
fn the_token_command_prints_only_the_token_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("tokens");
    let out = succeeds(
        &dir.path().join("data"),
        &[
            "token",
            "--role",
            "auditor",
            "--tokens",
            tokens.to_str().unwrap(),
        ],
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let token = stdout.strip_suffix('\n').expect("one line");
    assert!(
        !token.is_empty() && !token.contains(char::is_whitespace),
        "{stdout:?}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("keep it secret"));
    let kept = std::fs::read_to_string(&tokens).unwrap();
    let hash = gpu_ledger_api::server::auth::token_hash(token);
    assert_eq!(kept, format!("{} auditor\n", hex::encode(hash)));
}

/// Every command that reads a ledger takes the same `--from-export FILE`
/// (and `--export FILE`), and gives from the copy what it gives from the
/// store: an auditor handed a file needs no data directory.
#[test]
fn every_command_that_reads_a_ledger_takes_from_export() {
    let (dir, data, _) = imported_history(30, 200);
    let export = dir.path().join("ledger.jsonl");
    succeeds(&data, &["export", "--out", export.to_str().unwrap()]);
    let nowhere = dir.path().join("no-such-data-dir");
    let export = export.to_str().unwrap();
    let commands: [&[&str]; 5] = [
        &["verify", "--deep"],
        &["view", "holdings", "--format", "json"],
        &["audit", "report", "--format", "json"],
        &[
            "audit",
            "trace",
            "--application",
            "APP-000001",
            "--format",
            "json",
        ],
        &["diff", "--from-seq", "100", "--format", "json"],
    ];
    for command in commands {
        let from_store = succeeds(&data, &[&["--json"], command].concat());
        for flag in ["--from-export", "--export"] {
            let args = [&["--json"], command, &[flag, export]].concat();
            let from_copy = succeeds(&nowhere, &args);
            assert_eq!(
                String::from_utf8_lossy(&from_copy.stdout),
                String::from_utf8_lossy(&from_store.stdout),
                "{args:?}"
            );
        }
    }
    assert!(!nowhere.exists(), "reading an export made a data directory");
}

/// `view ranking` takes a page as the route does, and the page flags on any
/// other view are refused, naming them, as the route refuses its parameters.
#[test]
fn the_view_command_pages_only_the_ranking() {
    let (_dir, data, _) = imported_history(30, 200);
    let out = run(&data, &["view", "pools", "--limit", "10"]);
    assert!(!out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("--call, --track, --limit and --after page the ranking view, not pools"),
        "{out:?}"
    );
    let page = succeeds(
        &data,
        &["view", "ranking", "--limit", "2", "--format", "json"],
    );
    let page: serde_json::Value = serde_json::from_slice(&page.stdout).unwrap();
    let whole = succeeds(&data, &["view", "ranking", "--format", "json"]);
    let whole: serde_json::Value = serde_json::from_slice(&whole.stdout).unwrap();
    assert_ne!(page, whole, "--limit changed nothing");
}
