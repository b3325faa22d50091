//! Faults of the disk: a failed write or sync fails the append with a clear
//! error, leaves the store consistent, and the next append after the fault
//! clears works; over HTTP too; and a really full disk (a small tmpfs, where
//! this machine lets the test mount one).

use gpu_ledger_api::server::{Access, Limits};
use gpu_ledger_ledger::file::Faults;
use gpu_ledger_ledger::{EventBatch, EventStore, FileStore, FileStoreOptions, StoreError};
use gpu_ledger_testkit::server::spawn_on;
use gpu_ledger_testkit::stores::canonical;
use serde_json::json;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;

fn org(i: usize) -> String {
    json!({"type":"OrganizationRegistered","occurred_at":"2026-03-02T09:00:00+09:00","actor":"msit","org_id":format!("ORG-{i}"),"name":"A name long enough to fill a disk a little faster than a short one would","sector":"academia","size":"public","region":"capital"}).to_string()
}

fn batch(i: usize) -> EventBatch {
    let mut b = EventBatch::new();
    b.push(&canonical(&org(i)));
    b
}

#[tokio::test]
async fn a_failed_sync_over_http_is_a_503_and_the_next_append_works() {
    let dir = tempfile::tempdir().unwrap();
    let faults = Arc::new(Faults::default());
    let store = FileStore::open_with(
        dir.path().join("data"),
        FileStoreOptions {
            faults: Some(faults.clone()),
            ..Default::default()
        },
    )
    .unwrap();
    let s = spawn_on(dir, store, &[], Access::Local, Limits::default()).await;
    assert_eq!(s.post(None, org(1)).await.0, 201);

    faults.fail_syncs.store(1, Ordering::SeqCst);
    let (status, answer) = s.post(None, org(2)).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (503, Some("store_unavailable")),
        "{answer}"
    );
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("injected fdatasync failure"),
        "{answer}"
    );
    assert_eq!(s.head(), 1);

    faults.fail_writes.store(1, Ordering::SeqCst);
    assert_eq!(s.post(None, org(2)).await.0, 503);
    assert_eq!(s.head(), 1);

    // The fault clears: the same event is accepted (the rules' state was rebuilt
    // without the failed appends).
    let (status, answer) = s.post(None, org(2)).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(s.head(), 2);
    let (status, _) = s.get(None, "/v1/health").await;
    assert_eq!(status, 200);
}

/// Mounts a tmpfs of `size` at `at`; `None` (with the reason) where not allowed.
fn mount_tmpfs(at: &Path, size: &str) -> Result<(), String> {
    let out = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(at)
        .output()
        .map_err(|e| format!("cannot run mount: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

struct Unmount<'a>(&'a Path);

impl Drop for Unmount<'_> {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(self.0).status();
    }
}

#[tokio::test]
#[cfg_attr(not(can_mount), ignore = "needs root, to mount a small tmpfs to fill")]
async fn a_full_disk_fails_appends_clearly_and_keeps_every_acknowledged_one() {
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path().join("small-disk");
    std::fs::create_dir_all(&mnt).unwrap();
    if let Err(why) = mount_tmpfs(&mnt, "1m") {
        panic!("cannot mount a small tmpfs to fill: {why}");
    }
    let _unmount = Unmount(&mnt);
    let data = mnt.join("data");
    let store = FileStore::open(&data).unwrap();
    // Leave about 40 KiB free.
    let filler = mnt.join("filler");
    let free = || {
        let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
        let p = std::ffi::CString::new(mnt.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::statvfs(p.as_ptr(), &mut s) }, 0);
        s.f_bavail as u64 * s.f_frsize as u64
    };
    std::fs::write(&filler, vec![0u8; (free() - 40 * 1024) as usize]).unwrap();

    let mut acknowledged = 0;
    let error = loop {
        match store.append(batch(acknowledged), None).await {
            Ok(_) => acknowledged += 1,
            Err(e) => break e,
        }
        assert!(acknowledged < 10_000, "the disk never filled");
    };
    assert!(
        matches!(error, StoreError::Io { .. } | StoreError::Backend(_)),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("No space left on device"),
        "{error}"
    );
    assert_eq!(store.head_now().seq, acknowledged as u64);
    // Still full: still refused, still consistent.
    assert!(store.append(batch(acknowledged), None).await.is_err());
    drop(store);

    let reopened = FileStore::open(&data).unwrap();
    let records = reopened.read_blocking(1, usize::MAX).unwrap();
    assert_eq!(
        records.len(),
        acknowledged,
        "every acknowledged append is there, nothing else"
    );
    for w in records.windows(2) {
        assert_eq!(w[1].prev, w[0].hash);
    }
    std::fs::remove_file(&filler).unwrap();
    reopened.append(batch(acknowledged), None).await.unwrap();
    assert_eq!(reopened.head_now().seq, acknowledged as u64 + 1);
    println!(
        "a full disk refused append {} with: {error}",
        acknowledged + 1
    );
}
