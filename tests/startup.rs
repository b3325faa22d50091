//! Start-up from a snapshot: the rules' state and the views restored from a
//! snapshot, plus the records after it, equal a full replay; a damaged
//! snapshot, or one the ledger no longer matches, is ignored; and the
//! banner `serve` starts with.

mod common;

use gpu_ledger_api::server::{Access, Limits};
use gpu_ledger_ledger::merkle::levels::Levels;
use gpu_ledger_ledger::{EventStore, FileStore};
use gpu_ledger_testkit::auditor::views_equal_a_full_replay;
use gpu_ledger_testkit::data_dir::copy_files;
use gpu_ledger_testkit::history::organization_registered;
use gpu_ledger_testkit::history::{example_lines, first_part_lines};
use gpu_ledger_testkit::server::{spawn, spawn_on};

/// The data directory's files, copied as a restart on another machine would see them.
fn copy_data(from: &std::path::Path) -> tempfile::TempDir {
    let to = tempfile::tempdir().unwrap();
    copy_files(from, &to.path().join("data"));
    if from.join("snapshots").exists() {
        copy_files(&from.join("snapshots"), &to.path().join("data/snapshots"));
    }
    to
}

#[tokio::test]
async fn a_server_restarted_from_a_snapshot_has_the_same_state_as_a_full_replay() {
    let s = spawn(&first_part_lines(), Access::Local, Limits::default()).await;
    s.server.state.live.write_snapshot().await;
    let snapshots = s.dir.path().join("data/snapshots");
    assert_eq!(std::fs::read_dir(&snapshots).unwrap().count(), 1);
    // Records after the snapshot, then a restart on the same data.
    for i in 0..3 {
        assert_eq!(
            s.post(None, organization_registered(&format!("ORG-AFTER-{i}")))
                .await
                .0,
            201
        );
    }
    let dir = copy_data(&s.dir.path().join("data"));
    let store = FileStore::open(dir.path().join("data")).unwrap();
    let s = spawn_on(dir, store, &[], Access::Local, Limits::default()).await;
    assert_eq!(s.head(), 5419);
    assert_eq!(
        s.server.state.live.snapshot_seq(),
        5416,
        "started from the snapshot, replaying 3 records"
    );
    views_equal_a_full_replay(&s).await;
    // The rules' state too: what the snapshot knew, and what came after, is refused again.
    let (status, answer) = s.post(None, organization_registered("ORG-AFTER-1")).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (422, Some("organization_already_registered"))
    );
    let (status, answer) = s.post(None, first_part_lines()[0].clone()).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (422, Some("pool_already_registered"))
    );
}

#[tokio::test]
async fn a_damaged_or_foreign_snapshot_is_ignored() {
    for damage in ["flip", "foreign"] {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::open(dir.path().join("data")).unwrap();
        let s = spawn_on(
            dir,
            store,
            &first_part_lines()[..3000],
            Access::Local,
            Limits::default(),
        )
        .await;
        s.server.state.live.write_snapshot().await;
        let path = std::fs::read_dir(s.dir.path().join("data/snapshots"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        let mut bytes = std::fs::read(&path).unwrap();
        match damage {
            "flip" => {
                let n = bytes.len();
                bytes[n - 10] ^= 0xff;
            }
            // A snapshot whose record hash is not this ledger's.
            _ => bytes[20] ^= 0xff,
        }
        std::fs::write(&path, &bytes).unwrap();
        let dir = copy_data(&s.dir.path().join("data"));
        let store = FileStore::open(dir.path().join("data")).unwrap();
        let s = spawn_on(dir, store, &[], Access::Local, Limits::default()).await;
        assert_eq!(s.store.head().await.unwrap().seq, 3000, "{damage}");
        assert_eq!(
            s.server.state.live.snapshot_seq(),
            0,
            "{damage}: the snapshot was not used"
        );
        views_equal_a_full_replay(&s).await;
    }
}

/// Snapshots are taken while eight clients append: each must hold the rules'
/// state and the views of one and the same record, or the restart from it
/// would refuse the records after it or serve other views than a replay.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshots_taken_while_appends_flow_restart_to_the_state_of_a_full_replay() {
    let s = spawn(&first_part_lines(), Access::Local, Limits::default()).await;
    let clients: Vec<_> = (0..8)
        .map(|c| {
            let (client, url) = (s.client.clone(), s.url("/v1/events"));
            tokio::spawn(async move {
                for i in 0..60 {
                    let answer = client
                        .post(&url)
                        .header("content-type", "application/json")
                        .body(organization_registered(&format!("ORG-C{c}-{i}")))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(answer.status().as_u16(), 201);
                }
            })
        })
        .collect();
    let mut taken = Vec::new();
    while !clients.iter().all(|c| c.is_finished()) {
        s.server.state.live.write_snapshot().await;
        taken.push(s.server.state.live.snapshot_seq());
        tokio::task::yield_now().await;
    }
    for c in clients {
        c.await.unwrap();
    }
    assert!(
        taken.iter().any(|&seq| seq > 5416 && seq < 5416 + 480),
        "no snapshot was taken while appends flowed: {taken:?}"
    );
    assert_eq!(
        s.post(None, organization_registered("ORG-LAST")).await.0,
        201
    );

    let newest = s.server.state.live.snapshot_seq();
    let dir = copy_data(&s.dir.path().join("data"));
    let store = FileStore::open(dir.path().join("data")).unwrap();
    let s = spawn_on(dir, store, &[], Access::Local, Limits::default()).await;
    assert_eq!(s.head(), 5416 + 480 + 1);
    assert_eq!(
        s.server.state.live.snapshot_seq(),
        newest,
        "started from the newest snapshot"
    );
    views_equal_a_full_replay(&s).await;
    let (status, answer) = s.post(None, organization_registered("ORG-C7-59")).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (422, Some("organization_already_registered"))
    );
}

/// The start-up banner a newcomer copies from: in tokens mode the examples
/// that need a token carry the header, the dashboard's address is given,
/// and `--load` on a ledger that already holds events says it skipped.
#[test]
fn the_banner_shows_the_dashboard_token_headers_and_a_skipped_load() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let history = dir.path().join("history.jsonl");
    gpu_ledger_testkit::history::write_lines(
        &history,
        &gpu_ledger_testkit::history::synthetic_history(2),
    );
    common::import_file(&data, &history);
    let tokens = dir.path().join("tokens");
    common::succeeds(
        &data,
        &[
            "token",
            "--role",
            "analyst",
            "--tokens",
            tokens.to_str().unwrap(),
        ],
    );
    let port = gpu_ledger_testkit::ports::free_port();
    let mut server = common::gpu_ledger(&data)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}"), "--tokens"])
        .arg(&tokens)
        .arg("--load")
        .arg(&history)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut banner = String::new();
    for line in BufReader::new(server.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        banner.push_str(&line);
        banner.push('\n');
        if line.starts_with("Stop with") {
            break;
        }
    }
    let _ = server.kill();
    let _ = server.wait();
    assert!(banner.contains("Skipped --load"), "{banner}");
    assert!(
        banner.contains(&format!("Dashboard: http://127.0.0.1:{port}/")),
        "{banner}"
    );
    assert!(
        banner.contains(&format!(
            "curl -H \"Authorization: Bearer $T\" http://127.0.0.1:{port}/v1/chain/head"
        )),
        "{banner}"
    );
    assert!(
        banner.contains(&format!("curl http://127.0.0.1:{port}/v1/health\n")),
        "{banner}"
    );
}

#[tokio::test]
async fn an_import_leaves_the_snapshot_and_merkle_tree_the_first_start_needs() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("example.jsonl");
    std::fs::write(&file, example_lines().join("\n") + "\n").unwrap();
    let out = common::run(&data, &["import", &file.to_string_lossy()]);
    assert!(out.status.success(), "{out:?}");
    let head = example_lines().len() as u64;
    let snapshots: Vec<_> = std::fs::read_dir(data.join("snapshots"))
        .expect("the import left a snapshot")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(snapshots, [format!("snapshot-{head:020}.bin")]);
    let tree = Levels::open(&data.join("merkle"), false, head).unwrap();
    assert_eq!(tree.len(), head, "the node files hold every record");

    // The first start takes both and replays nothing.
    let store = FileStore::open(&data).unwrap();
    let s = spawn_on(dir, store, &[], Access::Local, Limits::default()).await;
    assert_eq!(s.head(), head);
    assert_eq!(s.server.state.live.snapshot_seq(), head);
    views_equal_a_full_replay(&s).await;
    let (status, answer) = s.post(None, example_lines()[0].clone()).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (422, Some("pool_already_registered")),
        "the rules' state came with the snapshot"
    );
}

/// The tree an import into an empty ledger builds from the store's own
/// record hashes, as they are framed, is the tree of the ledger it leaves.
#[tokio::test]
async fn the_merkle_tree_an_import_leaves_is_the_ledgers_node_for_node() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("history.jsonl");
    // More records than the tree writes out at a time, and no power of two.
    let (history, _) = gpu_ledger_testkit::workload::history_bytes(10_007, 2);
    std::fs::write(&file, history).unwrap();
    let out = common::run(&data, &["import", &file.to_string_lossy()]);
    assert!(out.status.success(), "{out:?}");

    let from_the_ledger = dir.path().join("merkle-from-the-ledger");
    let store = FileStore::open(&data).unwrap();
    gpu_ledger_replay::proof::merkle_tree(&store, &from_the_ledger, true)
        .await
        .unwrap();
    let files = |d: &std::path::Path| {
        let mut names: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let names = files(&from_the_ledger);
    assert_eq!(files(&data.join("merkle")), names);
    for name in &names {
        assert!(
            std::fs::read(data.join("merkle").join(name)).unwrap()
                == std::fs::read(from_the_ledger.join(name)).unwrap(),
            "{name} differs from the ledger's"
        );
    }
}

/// An import refused after thousands of lines leaves an empty ledger, and
/// no Merkle tree of the records it took back.
#[test]
fn an_import_refused_part_way_leaves_no_derived_files() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("history.jsonl");
    let (mut history, _) = gpu_ledger_testkit::workload::history_bytes(30_000, 2);
    history.extend_from_slice(b"{\"type\":\"NoSuchEvent\"}\n");
    std::fs::write(&file, history).unwrap();
    let out = common::run(&data, &["import", &file.to_string_lossy()]);
    assert!(!out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("line 30001"),
        "{out:?}"
    );
    assert!(!data.join("merkle").exists(), "a Merkle tree was left");
    assert!(!data.join("snapshots").exists(), "a snapshot was left");
    let out = common::run(&data, &["verify"]);
    assert!(out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("verifies: 0 events"),
        "{out:?}"
    );
}

/// Node files of another history (an import killed before its commit
/// leaves them behind) are trusted for no more leaves than the ledger has,
/// and rebuilt at start when their last leaf is not the ledger's.
#[tokio::test]
async fn merkle_node_files_of_another_history_are_rebuilt_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let (other, data) = (dir.path().join("other"), dir.path().join("data"));
    let lines = example_lines();
    for (data, lines) in [(&other, &lines[..]), (&data, &lines[..100])] {
        let file = dir.path().join("in.jsonl");
        std::fs::write(&file, lines.join("\n") + "\n").unwrap();
        let out = common::run(data, &["import", &file.to_string_lossy()]);
        assert!(out.status.success(), "{out:?}");
    }
    std::fs::remove_dir_all(data.join("merkle")).unwrap();
    copy_files(&other.join("merkle"), &data.join("merkle"));

    let store = FileStore::open(&data).unwrap();
    let s = spawn_on(dir, store, &[], Access::Local, Limits::default()).await;
    assert_eq!(s.head(), 100);
    let rebuilt = s.dir.path().join("merkle-from-the-ledger");
    gpu_ledger_replay::proof::merkle_tree(&s.store, &rebuilt, true)
        .await
        .unwrap();
    for level in std::fs::read_dir(&rebuilt).unwrap() {
        let name = level.unwrap().file_name();
        assert!(
            std::fs::read(s.dir.path().join("data/merkle").join(&name)).unwrap()
                == std::fs::read(rebuilt.join(&name)).unwrap(),
            "{name:?} is not the ledger's"
        );
    }
}

#[test]
fn an_import_onto_a_ledger_leaves_no_snapshot_of_its_own_but_extends_the_tree() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let lines = example_lines();
    let (first, rest) = lines.split_at(100);
    for (name, lines) in [("first.jsonl", first), ("rest.jsonl", rest)] {
        let file = dir.path().join(name);
        std::fs::write(&file, lines.join("\n") + "\n").unwrap();
        let out = common::run(&data, &["import", &file.to_string_lossy()]);
        assert!(out.status.success(), "{out:?}");
    }
    let snapshots: Vec<_> = std::fs::read_dir(data.join("snapshots"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(snapshots, [format!("snapshot-{:020}.bin", 100)]);
    let head = example_lines().len() as u64;
    let tree = Levels::open(&data.join("merkle"), false, head).unwrap();
    assert_eq!(tree.len(), head);
}

#[test]
fn an_import_told_to_leave_no_derived_files_leaves_none() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("example.jsonl");
    std::fs::write(&file, example_lines().join("\n") + "\n").unwrap();
    let out = common::run(
        &data,
        &["import", "--no-derived-files", &file.to_string_lossy()],
    );
    assert!(out.status.success(), "{out:?}");
    assert!(!data.join("snapshots").exists());
    assert!(!data.join("merkle").exists());
}
