//! Issue 21's witnessed checkpoints over HTTP: witnesses that refuse what
//! they must with the statuses C2SP tlog-witness gives, a ledger server that
//! publishes only what a quorum cosigned and keeps taking appends when a
//! witness is down.

mod common;

use gpu_ledger_api::server::transparency::TransparencyConfig;
use gpu_ledger_api::server::witnessing::{WitnessConfig, WitnessPeer};
use gpu_ledger_api::witness::{WitnessServer, start};
use gpu_ledger_ledger::checkpoint::Checkpoint;
use gpu_ledger_ledger::cosignature;
use gpu_ledger_ledger::merkle::{MemoryNodes, consistency_proof, tree_hash};
use gpu_ledger_ledger::note::{KeyKind, NoteSigner, NoteVerifier};
use gpu_ledger_ledger::witness::Witness;
use gpu_ledger_ledger::witness::request::AddCheckpoint;
use gpu_ledger_testkit::history::first_part_lines;
use gpu_ledger_testkit::server::spawn_with_checkpoints;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

const ORIGIN: &str = "test.example/ledger";

/// A witness's key, where it keeps its state, and (when up) its server.
struct TestWitness {
    key: String,
    dir: PathBuf,
    log: NoteVerifier,
    server: Option<WitnessServer>,
}

impl TestWitness {
    async fn up(name: &str, log: &NoteVerifier, dir: &Path) -> Self {
        let key = NoteSigner::generate_kind(name, KeyKind::Cosignature).unwrap();
        let mut w = Self {
            key: key.to_private_text(),
            dir: dir.join(name.replace('/', "_")),
            log: log.clone(),
            server: None,
        };
        w.start_on("127.0.0.1:0".parse().unwrap()).await;
        w
    }

    async fn start_on(&mut self, addr: SocketAddr) {
        let key = NoteSigner::parse(&self.key).unwrap();
        let witness = Witness::open(key, vec![self.log.clone()], &self.dir).unwrap();
        self.server = Some(start(Arc::new(witness), addr).await.unwrap());
    }

    fn addr(&self) -> SocketAddr {
        self.server.as_ref().unwrap().addr
    }

    fn verifier(&self) -> NoteVerifier {
        NoteSigner::parse(&self.key).unwrap().verifier()
    }

    fn peer(&self, name: &str) -> WitnessPeer {
        WitnessPeer::parse(&format!(
            "{name}=http://{}={}",
            self.addr(),
            self.verifier().to_text()
        ))
        .unwrap()
    }

    async fn down(&mut self) {
        self.server.take().unwrap().stop().await;
    }
}

fn cosigners(note: &str, witnesses: &[&TestWitness]) -> Vec<bool> {
    witnesses
        .iter()
        .map(|w| cosignature::verify(&w.verifier(), note).is_ok())
        .collect()
}

#[tokio::test]
async fn a_quorum_of_2_of_3_publishes_only_after_two_cosigned_and_appends_go_on_when_one_is_down() {
    let lines = first_part_lines();
    let dir = tempfile::tempdir().unwrap();
    let log = NoteSigner::generate(ORIGIN).unwrap();
    let mut w1 = TestWitness::up("w1.example/witness", &log.verifier(), dir.path()).await;
    let mut w2 = TestWitness::up("w2.example/witness", &log.verifier(), dir.path()).await;
    let mut w3 = TestWitness::up("w3.example/witness", &log.verifier(), dir.path()).await;
    let peers = vec![w1.peer("one"), w2.peer("two"), w3.peer("three")];
    // The third witness is down from the start: its port refuses connections.
    w3.down().await;
    let quorum = WitnessConfig {
        peers,
        quorum: 2,
        timeout: Duration::from_secs(5),
    };
    let signer = NoteSigner::parse(&log.to_private_text()).unwrap();
    let s = spawn_with_checkpoints(&lines[..100], |data| TransparencyConfig {
        state_dir: Some(data.to_path_buf()),
        signer: Some(signer),
        witnesses: quorum,
        ..TransparencyConfig::default()
    })
    .await;

    // Two of three up: published, with both their cosignatures.
    let (status, note) = s.sign_checkpoint().await;
    assert_eq!(status, 201, "{note}");
    assert_eq!(Checkpoint::open(&note, &log.verifier()).unwrap().size, 100);
    assert_eq!(cosigners(&note, &[&w1, &w2, &w3]), [true, true, false]);
    let (status, latest) = s.get_text(None, "/v1/checkpoints/latest").await;
    assert_eq!((status, &latest), (200, &note));

    // One of three up: appends go on, nothing new is published.
    let w2_addr = w2.addr();
    w2.down().await;
    for line in &lines[100..130] {
        let (status, answer) = s.post(None, line.clone()).await;
        assert_eq!(status, 201, "{answer}");
    }
    let (status, refusal) = s.sign_checkpoint().await;
    assert_eq!(status, 409, "{refusal}");
    assert!(
        refusal.contains("only 1 of the 2 witness cosignatures needed came for size 130"),
        "{refusal}"
    );
    let (_, latest) = s.get_text(None, "/v1/checkpoints/latest").await;
    assert_eq!(
        latest, note,
        "the last published checkpoint is still served"
    );
    let (status, _) = s.get(None, "/v1/proofs/inclusion?seq=125").await;
    assert_eq!(status, 200, "proofs are still served");

    // The second witness back (it remembers size 100): published again.
    w2.start_on(w2_addr).await;
    let (status, newer) = s.sign_checkpoint().await;
    assert_eq!(status, 201, "{newer}");
    assert_eq!(Checkpoint::open(&newer, &log.verifier()).unwrap().size, 130);
    assert_eq!(cosigners(&newer, &[&w1, &w2, &w3]), [true, true, false]);
    w1.down().await;
    w2.down().await;
}

/// The HTTP statuses and bodies C2SP tlog-witness requires, and a restarted
/// witness that answers 409 with the size it cosigned before the restart.
#[tokio::test]
async fn the_witness_answers_the_specs_statuses_over_http_and_remembers_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let log = NoteSigner::generate(ORIGIN).unwrap();
    let leaves: Vec<_> = (0..20u64)
        .map(|i| gpu_ledger_ledger::chain::sha256(&i.to_be_bytes()))
        .collect();
    let request = |old: u64, size: u64| {
        let nodes = MemoryNodes::from_leaf_hashes(leaves[..size as usize].to_vec());
        let cp = Checkpoint {
            size,
            root: tree_hash(&nodes, size).unwrap(),
        };
        AddCheckpoint {
            old_size: old,
            proof: consistency_proof(&nodes, old, size).unwrap(),
            checkpoint: cp.sign(&log).unwrap(),
        }
        .to_body()
    };
    let mut w = TestWitness::up("w.example/witness", &log.verifier(), dir.path()).await;
    let client = reqwest::Client::new();
    let post = |addr: SocketAddr, body: String| {
        let client = client.clone();
        async move {
            let r = client
                .post(format!("http://{addr}/add-checkpoint"))
                .body(body)
                .send()
                .await
                .unwrap();
            let kind = r
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_string());
            (r.status().as_u16(), kind, r.text().await.unwrap())
        }
    };
    let (status, _, line) = post(w.addr(), request(0, 8)).await;
    assert_eq!(status, 200, "{line}");
    assert!(line.starts_with("\u{2014} w.example/witness ") && line.ends_with('\n'));
    let (status, kind, body) = post(w.addr(), request(0, 12)).await;
    assert_eq!(
        (status, kind.as_deref(), body.as_str()),
        (409, Some("text/x.tlog.size"), "8\n")
    );
    let mut bad = AddCheckpoint::parse(&request(8, 12)).unwrap();
    bad.proof[0].0[5] ^= 0x10;
    assert_eq!(post(w.addr(), bad.to_body()).await.0, 422);
    let stranger = NoteSigner::generate(ORIGIN).unwrap();
    let mut forged = AddCheckpoint::parse(&request(8, 12)).unwrap();
    forged.checkpoint = Checkpoint {
        size: 12,
        root: gpu_ledger_ledger::chain::sha256(b"x"),
    }
    .sign(&stranger)
    .unwrap();
    assert_eq!(post(w.addr(), forged.to_body()).await.0, 403);
    let other = NoteSigner::generate("other.example/log").unwrap();
    let unknown = format!(
        "old 0\n\n{}",
        Checkpoint {
            size: 1,
            root: leaves[0]
        }
        .sign(&other)
        .unwrap()
    );
    assert_eq!(post(w.addr(), unknown).await.0, 404);
    assert_eq!(post(w.addr(), "old 1\n".repeat(10_000)).await.0, 413);

    let addr = w.addr();
    w.down().await;
    w.start_on(addr).await;
    let (status, _, body) = post(addr, request(0, 12)).await;
    assert_eq!((status, body.as_str()), (409, "8\n"));
    let hash = gpu_ledger_ledger::witness::cosigned::origin_hash(ORIGIN);
    let kept = client
        .get(format!("http://{addr}/{hash}/checkpoint"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(kept.starts_with(&format!("{ORIGIN}\n8\n")), "{kept}");
    assert!(cosignature::verify(&w.verifier(), &kept).is_ok());
    assert_eq!(post(addr, request(8, 12)).await.0, 200);
    w.down().await;
}

/// `gpu-ledger [--data DIR] witness serve --key KEY --log LOG`.
fn witness_serve(data: Option<&Path>, key: &Path, log: &str) -> std::process::Command {
    let mut c = match data {
        Some(d) => common::gpu_ledger(d),
        None => std::process::Command::new(env!("CARGO_BIN_EXE_gpu-ledger")),
    };
    c.args([
        "witness",
        "serve",
        "--key",
        key.to_str().unwrap(),
        "--log",
        log,
    ]);
    c
}

/// The binary as a witness operator runs it: `keygen --witness`, then
/// `witness serve`, which cosigns over HTTP; and its refusals of bad setup.
#[tokio::test]
async fn the_witness_command_serves_and_refuses_a_bad_setup_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("witness-data");
    let key = dir.path().join("witness.key");
    let out = common::succeeds(
        &data,
        &[
            "keygen",
            "--witness",
            "--name",
            "board.example/w1",
            "--out",
            key.to_str().unwrap(),
        ],
    );
    let vkey = NoteVerifier::parse(&String::from_utf8(out.stdout).unwrap()).unwrap();
    assert_eq!(vkey.kind, KeyKind::Cosignature);
    let log = NoteSigner::generate(ORIGIN).unwrap();
    let log_file = dir.path().join("ledger.vkey");
    std::fs::write(&log_file, log.verifier().to_text()).unwrap();
    let log_arg = format!("{ORIGIN}={}", log_file.display());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut child = witness_serve(Some(&data), &key, &log_arg)
        .args(["--listen", &port.to_string()])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let body = AddCheckpoint {
        old_size: 0,
        proof: vec![],
        checkpoint: Checkpoint {
            size: 1,
            root: gpu_ledger_ledger::merkle::leaf_hash(b"one"),
        }
        .sign(&log)
        .unwrap(),
    }
    .to_body();
    let mut answer = None;
    for _ in 0..200 {
        match client
            .post(format!("http://{port}/add-checkpoint"))
            .body(body.clone())
            .send()
            .await
        {
            Ok(r) => {
                answer = Some((r.status().as_u16(), r.text().await.unwrap()));
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(25)).await,
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let (status, line) = answer.expect("the witness answered");
    assert_eq!(status, 200, "{line}");
    let cosigned = cosignature::attach(&body[body.find("\n\n").unwrap() + 2..], &line);
    assert!(cosignature::verify(&vkey, &cosigned).is_ok());

    // A log key under another origin, a log key as the witness's own key, no --data.
    let ledger_key = dir.path().join("ledger.key");
    std::fs::write(&ledger_key, log.to_private_text()).unwrap();
    let fails = |data: Option<&Path>, key: &Path, log: &str| {
        let out = witness_serve(data, key, log).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        String::from_utf8(out.stderr).unwrap()
    };
    let other = format!("other.example/log={}", log_file.display());
    let said = [
        fails(Some(&data), &key, &other),
        fails(Some(&data), &ledger_key, &log_arg),
        fails(None, &key, &log_arg),
    ]
    .concat();
    insta::assert_snapshot!(said, @r#"
    gpu-ledger: --log other.example/log: the key is named "test.example/ledger"; a log's key is named by its origin
    gpu-ledger: the witness key test.example/ledger is a log key; make a witness key with `gpu-ledger keygen --witness`
    gpu-ledger: a witness needs --data DIR to keep what it cosigned across restarts
    "#);
}

/// A log that does not know what a witness last cosigned (a restarted
/// server) sends from 0, is told the size with 409, and resends from it.
#[tokio::test]
async fn the_log_follows_a_409_and_resends_from_the_witness_size() {
    use gpu_ledger_api::server::witnessing::Witnesses;
    let dir = tempfile::tempdir().unwrap();
    let log = NoteSigner::generate(ORIGIN).unwrap();
    let w = TestWitness::up("w.example/witness", &log.verifier(), dir.path()).await;
    let leaves: Vec<_> = (0..9u64)
        .map(|i| gpu_ledger_ledger::chain::sha256(&i.to_be_bytes()))
        .collect();
    let nodes = MemoryNodes::from_leaf_hashes(leaves);
    let checkpoint = |size: u64| Checkpoint {
        size,
        root: tree_hash(&nodes, size).unwrap(),
    };
    // The witness already cosigned size 5, before this log's memory began.
    let first = AddCheckpoint {
        old_size: 0,
        proof: vec![],
        checkpoint: checkpoint(5).sign(&log).unwrap(),
    };
    let r = reqwest::Client::new()
        .post(format!("http://{}/add-checkpoint", w.addr()))
        .body(first.to_body())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let witnesses = Witnesses::new(WitnessConfig {
        peers: vec![w.peer("one")],
        quorum: 1,
        timeout: Duration::from_secs(5),
    })
    .unwrap();
    let asked = std::sync::Mutex::new(Vec::new());
    let prove = |old: u64| {
        asked.lock().unwrap().push(old);
        consistency_proof(&nodes, old, 9).map_err(|e| e.to_string())
    };
    let note = checkpoint(9).sign(&log).unwrap();
    let cosigned = witnesses.cosign(&note, checkpoint(9), &prove).await;
    assert_eq!(cosigned.cosigners, ["one"], "{:?}", cosigned.failures);
    assert_eq!(*asked.lock().unwrap(), [0, 5]);
    assert!(cosignature::verify(&w.verifier(), &cosigned.note).is_ok());
    // Its memory now says 9: the next checkpoint goes straight from there.
    asked.lock().unwrap().clear();
    let again = witnesses.cosign(&note, checkpoint(9), &prove).await;
    assert_eq!(again.cosigners, ["one"]);
    assert_eq!(*asked.lock().unwrap(), [9]);
    let mut w = w;
    w.down().await;
}
