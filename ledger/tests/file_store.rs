//! The embedded file store: durability, atomicity, recovery and damage.

use futures::StreamExt;
use gpu_ledger_ledger::file::Faults;
use gpu_ledger_ledger::{
    EventBatch, EventStore, FileStore, FileStoreOptions, Hash, Record, StoreError,
};
use gpu_ledger_testkit::damage::{cut_tail, flip, tear_last_write};
use gpu_ledger_testkit::data_dir::{copy_files, last_segment};
use gpu_ledger_testkit::stores::small_segments;
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;

fn batch(tag: &str, n: usize) -> EventBatch {
    let mut b = EventBatch::new();
    for i in 0..n {
        b.push(format!("{{\"i\":{i},\"tag\":\"{tag}\"}}").as_bytes());
    }
    b
}

/// Reads everything and checks seq, prev links and hashes.
/// A store in a fresh directory after ten appends of one record each
/// (`x0` to `x9`).
async fn ten_appends() -> (tempfile::TempDir, FileStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::open(dir.path()).unwrap();
    for i in 0..10 {
        store
            .append(batch(&format!("x{i}"), 1), None)
            .await
            .unwrap();
    }
    (dir, store)
}

fn read_all_checked(store: &FileStore) -> Vec<Record> {
    let records = store.read_blocking(1, usize::MAX).expect("read");
    let mut prev = Hash::ZERO;
    for (i, r) in records.iter().enumerate() {
        assert_eq!(r.seq, i as u64 + 1);
        assert_eq!(r.prev, prev, "prev of seq {}", r.seq);
        assert_eq!(r.computed_hash(), r.hash, "hash of seq {}", r.seq);
        prev = r.hash;
    }
    assert_eq!(store.head_now().seq, records.len() as u64);
    records
}

#[tokio::test]
async fn appends_are_read_back_chained_and_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::open_with(dir.path(), small_segments()).unwrap();
    let first = store.append(batch("a", 3), Some(0)).await.unwrap();
    assert_eq!(
        first.iter().map(|m| m.seq).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert_eq!(first[0].prev, Hash::ZERO);
    for i in 0..60 {
        store
            .append(batch(&format!("b{i}"), 2), None)
            .await
            .unwrap();
    }
    let records = read_all_checked(&store);
    assert_eq!(records.len(), 123);
    assert!(store.segment_paths().len() >= 3, "small segments rotate");
    // Reads from the middle get the right prev.
    let mid = store.read_blocking(77, 5).unwrap();
    assert_eq!(mid[0].prev, records[75].hash);
    assert_eq!(mid.len(), 5);
    drop(store);

    let reopened = FileStore::open_with(dir.path(), small_segments()).unwrap();
    assert_eq!(read_all_checked(&reopened), records);
    let more = reopened.append(batch("c", 1), Some(123)).await.unwrap();
    assert_eq!(more[0].prev, records[122].hash);
    assert!(more[0].recorded_at >= records[122].recorded_at);
}

#[tokio::test]
async fn a_batch_is_refused_whole_when_the_expected_seq_is_stale() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::open(dir.path()).unwrap();
    store.append(batch("a", 2), Some(0)).await.unwrap();
    match store.append(batch("b", 5), Some(1)).await {
        Err(StoreError::Conflict {
            expected: 1,
            actual,
        }) => assert_eq!(actual.seq, 2),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(store.head_now().seq, 2);
    assert_eq!(read_all_checked(&store).len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_concurrent_appenders_make_one_linear_chain() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::open_with(dir.path(), small_segments()).unwrap();
    let mut tasks = Vec::new();
    for w in 0..16 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut seqs = Vec::new();
            for i in 0..50 {
                let metas = store
                    .append(batch(&format!("w{w}-{i}"), 1), None)
                    .await
                    .unwrap();
                seqs.push(metas[0].seq);
            }
            seqs
        }));
    }
    let mut acknowledged = HashSet::new();
    for t in tasks {
        for seq in t.await.unwrap() {
            assert!(acknowledged.insert(seq), "seq {seq} acknowledged twice");
        }
    }
    let records = read_all_checked(&store);
    assert_eq!(records.len(), 800);
    let bodies: HashSet<_> = records.iter().map(|r| r.event.clone()).collect();
    assert_eq!(bodies.len(), 800, "no event duplicated or lost");
    assert_eq!(acknowledged, (1..=800).collect());
}

#[tokio::test]
async fn a_record_cut_in_half_at_the_end_is_dropped_on_open_and_kept_aside() {
    let (dir, store) = ten_appends().await;
    let before = read_all_checked(&store);
    drop(store);
    // A crash leaves the HEAD hint behind the last write; a clean close does not.
    tear_last_write(dir.path(), 20);

    let store = FileStore::open(dir.path()).unwrap();
    let after = read_all_checked(&store);
    assert_eq!(after, before[..9], "the torn record goes, the rest stays");
    let side: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.contains(".torn-"))
        .collect();
    assert_eq!(side.len(), 1, "the cut bytes are kept in a side file");
    // And the ledger goes on from there.
    let m = store.append(batch("y", 1), Some(9)).await.unwrap();
    assert_eq!(m[0].prev, before[8].hash);
}

#[tokio::test]
async fn a_flipped_byte_in_an_old_record_is_refused_with_its_file_and_offset() {
    let (dir, store) = ten_appends().await;
    drop(store);
    // Inside the event of seq 4: its text.
    let seg = flip(dir.path(), b"x3\"}", 1, 0x01);

    let err = FileStore::open(dir.path()).unwrap_err();
    match &err {
        StoreError::Damaged { file, seq, .. } => {
            assert_eq!(file, &seg);
            assert_eq!(*seq, Some(4));
        }
        other => panic!("expected damage, got {other:?}"),
    }
    assert!(err.to_string().contains("offset"), "{err}");

    // Read-only, the records before it are readable and reading on names seq 4.
    let ro = FileStore::open_read_only(dir.path()).unwrap();
    assert_eq!(ro.read_blocking(1, 100).unwrap().len(), 3);
    match ro.read_blocking(4, 100) {
        Err(StoreError::Damaged { seq: Some(4), .. }) => {}
        other => panic!("expected damage at seq 4, got {other:?}"),
    }
}

#[tokio::test]
async fn after_a_clean_close_a_cut_last_record_is_damage_not_a_torn_write() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::open(dir.path()).unwrap();
    store.append(batch("x", 3), None).await.unwrap();
    drop(store);
    cut_tail(&last_segment(dir.path()), 5);
    match FileStore::open(dir.path()) {
        Err(StoreError::Damaged { seq: Some(3), .. }) => {}
        other => panic!("an acknowledged record must never be dropped silently: {other:?}"),
    }
}

#[tokio::test]
async fn a_second_writer_on_the_same_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let _store = FileStore::open(dir.path()).unwrap();
    let err = FileStore::open(dir.path()).unwrap_err();
    assert!(matches!(err, StoreError::Locked { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("in use by another gpu-ledger process"),
        "{err}"
    );
    // Readers are welcome.
    assert!(FileStore::open_read_only(dir.path()).is_ok());
}

#[tokio::test]
async fn an_import_is_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::open_with(dir.path(), small_segments()).unwrap();
    store.append(batch("base", 5), None).await.unwrap();
    let before = read_all_checked(&store);
    let segments_before = store.segment_paths();

    let mut import = store.begin_import(Some(5)).await.unwrap();
    for i in 0..20 {
        import.push(batch(&format!("imp{i}"), 50)).await.unwrap();
    }
    assert_eq!(store.head_now().seq, 5, "nothing visible before the commit");
    import.abort().await.unwrap();
    assert_eq!(read_all_checked(&store), before);
    assert_eq!(
        store.segment_paths(),
        segments_before,
        "segments made by the import are gone"
    );

    let mut import = store.begin_import(Some(5)).await.unwrap();
    for i in 0..20 {
        import.push(batch(&format!("imp{i}"), 50)).await.unwrap();
    }
    let head = import.commit().await.unwrap();
    assert_eq!(head.seq, 1005);
    let all = read_all_checked(&store);
    assert_eq!(all.len(), 1005);
    drop(store);
    let reopened = FileStore::open_with(dir.path(), small_segments()).unwrap();
    assert_eq!(read_all_checked(&reopened), all);
}

/// An import larger than one of its writes fills and seals segments before
/// its commit; the same handle then reads all of it back, not only what the
/// segments held when they were last published.
#[tokio::test]
async fn an_import_over_several_writes_reads_back_whole_in_the_same_process() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::open_with(dir.path(), small_segments()).unwrap();
    let mut import = store.begin_import(Some(0)).await.unwrap();
    let padding = "p".repeat(200);
    for i in 0..40 {
        let mut b = EventBatch::new();
        for j in 0..1000 {
            b.push(format!("{{\"i\":{j},\"tag\":\"imp{i}\",\"pad\":\"{padding}\"}}").as_bytes());
        }
        import.push(b).await.unwrap();
    }
    let head = import.commit().await.unwrap();
    assert_eq!(head.seq, 40_000);
    assert!(
        store.segment_paths().len() > 2,
        "the import sealed segments"
    );
    assert_eq!(read_all_checked(&store).len(), 40_000);
}

#[tokio::test]
async fn an_import_interrupted_by_a_crash_leaves_the_ledger_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let crashed = tempfile::tempdir().unwrap();
    let store = FileStore::open_with(dir.path(), small_segments()).unwrap();
    store.append(batch("base", 5), None).await.unwrap();
    let before = read_all_checked(&store);
    let mut import = store.begin_import(None).await.unwrap();
    for i in 0..200 {
        import.push(batch(&format!("imp{i}"), 50)).await.unwrap();
    }
    // Let the writer put frames on disk, then take the files as a crash would.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    copy_files(dir.path(), crashed.path());
    import.abort().await.unwrap();

    let recovered = FileStore::open_with(crashed.path(), small_segments()).unwrap();
    assert_eq!(read_all_checked(&recovered), before);
    recovered.append(batch("after", 1), Some(5)).await.unwrap();
}

#[tokio::test]
async fn a_missing_segment_and_a_foreign_segment_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::open_with(dir.path(), small_segments()).unwrap();
    for i in 0..100 {
        store
            .append(batch(&format!("x{i}"), 3), None)
            .await
            .unwrap();
    }
    let segs = store.segment_paths();
    assert!(segs.len() >= 4);
    drop(store);

    let other = tempfile::tempdir().unwrap();
    let foreign = FileStore::open_with(other.path(), small_segments()).unwrap();
    for i in 0..100 {
        foreign
            .append(batch(&format!("x{i}"), 3), None)
            .await
            .unwrap();
    }
    let foreign_segs = foreign.segment_paths();
    drop(foreign);

    // A segment from another ledger in place of ours.
    let saved = std::fs::read(&segs[2]).unwrap();
    let theirs = foreign_segs
        .iter()
        .find(|p| p.file_name() == segs[2].file_name());
    {
        let theirs = theirs.expect("the same appends give the same segment names");
        std::fs::copy(theirs, &segs[2]).unwrap();
        let err = FileStore::open_with(dir.path(), small_segments()).unwrap_err();
        assert!(err.to_string().contains("another ledger"), "{err}");
        std::fs::write(&segs[2], &saved).unwrap();
    }

    std::fs::remove_file(&segs[1]).unwrap();
    let err = FileStore::open_with(dir.path(), small_segments()).unwrap_err();
    match &err {
        StoreError::Damaged {
            file, offset: 0, ..
        } => assert_eq!(file, &segs[2]),
        other => panic!("expected damage naming the next segment, got {other:?}"),
    }
    assert!(err.to_string().contains("missing"), "{err}");
}

#[tokio::test]
async fn a_follower_sees_every_new_record_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::open(dir.path()).unwrap();
    store.append(batch("old", 3), None).await.unwrap();
    let mut follow = store.follow(1);
    let writer = store.clone();
    let appends = tokio::spawn(async move {
        for i in 0..20 {
            writer
                .append(batch(&format!("new{i}"), 2), None)
                .await
                .unwrap();
        }
    });
    let mut seen = Vec::new();
    while seen.len() < 42 {
        let r = tokio::time::timeout(std::time::Duration::from_secs(10), follow.next())
            .await
            .expect("a record in time")
            .expect("stream open")
            .unwrap();
        seen.push(r.seq);
    }
    appends.await.unwrap();
    assert_eq!(seen, (2..=43).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_failed_write_or_sync_fails_the_append_and_the_next_one_works() {
    let dir = tempfile::tempdir().unwrap();
    let faults = Arc::new(Faults::default());
    let options = FileStoreOptions {
        faults: Some(faults.clone()),
        ..FileStoreOptions::default()
    };
    let store = FileStore::open_with(dir.path(), options.clone()).unwrap();
    store.append(batch("ok", 2), None).await.unwrap();

    faults.fail_syncs.store(1, Ordering::SeqCst);
    let err = store.append(batch("lost", 3), None).await.unwrap_err();
    assert!(
        err.to_string().contains("injected fdatasync failure"),
        "{err}"
    );
    assert_eq!(store.head_now().seq, 2);

    faults.fail_writes.store(1, Ordering::SeqCst);
    let err = store.append(batch("lost", 3), None).await.unwrap_err();
    assert!(err.to_string().contains("injected write failure"), "{err}");

    let m = store.append(batch("next", 1), Some(2)).await.unwrap();
    assert_eq!(m[0].seq, 3);
    let records = read_all_checked(&store);
    assert_eq!(records.len(), 3);
    drop(store);
    let reopened = FileStore::open_with(dir.path(), options).unwrap();
    assert_eq!(read_all_checked(&reopened), records);
}
