//! Damage, through the real binary: a torn tail is cut and logged; damage
//! elsewhere is refused naming the file and offset and `verify` names the
//! first bad seq; nothing valid is ever dropped silently; `repair
//! --truncate-after` cuts for an operator who accepts the loss, keeping what
//! it removed.

mod common;

use common::*;
use gpu_ledger_ledger::{EventBatch, EventStore, FileStore};
use gpu_ledger_testkit::damage::{flip, tear_last_write};
use gpu_ledger_testkit::data_dir::segments;
use gpu_ledger_testkit::history::{synthetic_history, write_lines};
use gpu_ledger_testkit::stores::{canonical, small_segments};

/// A ledger of `n` synthetic events in segments of 4 KiB (many segments).
async fn small_segment_ledger(dir: &std::path::Path, n: usize) -> std::path::PathBuf {
    let data = dir.join("data");
    let store = FileStore::open_with(&data, small_segments()).unwrap();
    for line in &synthetic_history(n) {
        let mut b = EventBatch::new();
        b.push(&canonical(line));
        store.append(b, None).await.unwrap();
    }
    data
}

#[tokio::test]
async fn a_missing_segment_is_refused_and_verify_names_where_the_records_stop() {
    let dir = tempfile::tempdir().unwrap();
    let data = small_segment_ledger(dir.path(), 40).await;
    let segs = segments(&data);
    assert!(segs.len() > 4);
    let first_missing: u64 = segs[2].file_name().unwrap().to_str().unwrap()[..20]
        .parse()
        .unwrap();
    std::fs::remove_file(&segs[2]).unwrap();

    verify_breaks_at(&data, first_missing, "missing");

    let one = dir.path().join("one.jsonl");
    write_lines(&one, &synthetic_history(41)[160..161]);
    writer_refuses(&data, &one, &[segs[3].to_str().unwrap(), "offset 0"]);
}

#[test]
fn a_torn_tail_is_cut_logged_and_kept_aside() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let history = synthetic_history(20);
    let (a, b) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
    write_lines(&a, &history[..50]);
    write_lines(&b, &history[50..60]);
    import_file(&data, &a);
    import_file(&data, &b);
    // A crash mid-write of the second import: its last frame half on disk,
    // and the HEAD hint behind it.
    tear_last_write(&data, 30);

    let c = dir.path().join("c.jsonl");
    write_lines(&c, &history[50..51]);
    let out = succeeds(&data, &["import", c.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cut off an unfinished write"),
        "the cut is logged: {stderr}"
    );
    let kept: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.contains(".torn-"))
        .collect();
    assert_eq!(kept.len(), 1, "the cut bytes are kept: {kept:?}");
    assert_eq!(
        stdout_json(&run(&data, &["--json", "verify"]))["events"],
        51
    );
}

#[test]
fn repair_truncates_after_a_seq_and_keeps_what_it_removes() {
    let (dir, data, history) = imported_history(30, 100);
    // Damage record seq 61 (the 15th application's title).
    flip(&data, b"APP-000014", 2, 0x01);
    let v = stdout_json(&run(&data, &["--json", "verify"]));
    let bad = v["first_bad_seq"].as_u64().unwrap();
    assert_eq!(bad, 61);

    // Repair refuses to keep a damaged record...
    let out = run(&data, &["repair", "--truncate-after", "70"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("truncate after seq 60"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // ...and cuts before it.
    let out = succeeds(&data, &["--json", "repair", "--truncate-after", "60"]);
    let report = stdout_json(&out);
    assert!(report["bytes_removed"].as_u64().unwrap() > 0);
    let side = std::path::PathBuf::from(report["side_dir"].as_str().unwrap());
    assert!(side.join("removed.jsonl").exists());
    let kept_bytes: u64 = std::fs::read_dir(&side)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    assert!(
        kept_bytes >= report["bytes_removed"].as_u64().unwrap(),
        "all removed bytes are kept"
    );

    assert_eq!(
        stdout_json(&run(&data, &["--json", "verify"]))["events"],
        60
    );
    // The ledger goes on from there.
    let rest = dir.path().join("rest.jsonl");
    write_lines(&rest, &history[60..]);
    import_file(&data, &rest);
    assert_eq!(
        stdout_json(&run(&data, &["--json", "verify"]))["events"],
        history.len() as u64
    );
}

#[tokio::test]
async fn repair_of_a_healthy_ledger_keeps_the_removed_records_readable() {
    let dir = tempfile::tempdir().unwrap();
    let data = small_segment_ledger(dir.path(), 25).await;
    let before = FileStore::open_read_only(&data)
        .unwrap()
        .read_blocking(1, usize::MAX)
        .unwrap();
    let out = succeeds(&data, &["--json", "repair", "--truncate-after", "50"]);
    let report = stdout_json(&out);
    assert_eq!(report["readable_removed"], before.len() as u64 - 50);
    let side = std::path::PathBuf::from(report["side_dir"].as_str().unwrap());
    let removed = std::fs::read_to_string(side.join("removed.jsonl")).unwrap();
    let mut expected = Vec::new();
    for r in &before[50..] {
        r.write_export_line(&mut expected);
    }
    assert_eq!(
        removed.as_bytes(),
        &expected[..],
        "removed records are kept as export lines"
    );
    assert_eq!(
        stdout_json(&run(&data, &["--json", "verify"]))["events"],
        50
    );
}
