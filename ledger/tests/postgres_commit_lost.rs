//! An append whose connection is lost around its `COMMIT` is resolved by
//! reading back, never by guessing: through a proxy that cuts the
//! connection just before the `COMMIT` reaches the server (it never
//! commits) or just after (it commits, but its answer never arrives), the
//! store reports *not landed* and *landed*, and the ledger agrees.
//!
//! Each case starts a throwaway cluster (`testkit::postgres`); without
//! PostgreSQL's server programs the cases are ignored, and under `CI=true`
//! they fail.

use gpu_ledger_ledger::{EventBatch, EventStore, PgOptions, PgStore, StoreError};
use gpu_ledger_testkit::postgres::PgCluster;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The simple-protocol message `Query("COMMIT")`, as tokio-postgres sends it.
const COMMIT: &[u8] = b"Q\0\0\0\x0bCOMMIT\0";

/// Where the proxy cuts the next connection that sends `COMMIT`.
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Cut {
    Nowhere = 0,
    BeforeCommit = 1,
    AfterCommit = 2,
}

/// A loopback proxy to `upstream` that cuts one connection where armed.
struct Proxy {
    port: u16,
    armed: Arc<AtomicU8>,
}

impl Proxy {
    async fn start(upstream: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let armed = Arc::new(AtomicU8::new(Cut::Nowhere as u8));
        let cuts = armed.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let server = TcpStream::connect(("127.0.0.1", upstream)).await.unwrap();
                tokio::spawn(relay(client, server, cuts.clone()));
            }
        });
        Self { port, armed }
    }

    fn arm(&self, cut: Cut) {
        self.armed.store(cut as u8, Ordering::SeqCst);
    }
}

/// Relays one connection; once it carries a `COMMIT` while a cut is armed,
/// the client is cut off and hears nothing more. Cut before, the server
/// gets nothing from the `COMMIT` on and loses the connection; cut after,
/// it gets the `COMMIT` and keeps a connection that reads its answers (a
/// server whose answers cannot be sent ends the session, and rolls back
/// what it had not yet committed).
async fn relay(client: TcpStream, server: TcpStream, armed: Arc<AtomicU8>) {
    let (mut from_client, to_client) = client.into_split();
    let (mut from_server, mut to_server) = server.into_split();
    let cut = Arc::new(AtomicBool::new(false));
    let stop_replies = cut.clone();
    let replies = tokio::spawn(async move {
        let mut to_client = Some(to_client);
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match from_server.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            if stop_replies.load(Ordering::SeqCst) {
                to_client = None;
            }
            if let Some(c) = to_client.as_mut()
                && c.write_all(&buf[..n]).await.is_err()
            {
                return;
            }
        }
    });
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from_client.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let chunk = &buf[..n];
        let at = chunk.windows(COMMIT.len()).position(|w| w == COMMIT);
        let mode = armed.load(Ordering::SeqCst);
        if let Some(at) = at
            && mode != Cut::Nowhere as u8
            && armed
                .compare_exchange(mode, Cut::Nowhere as u8, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
        {
            cut.store(true, Ordering::SeqCst);
            if mode == Cut::AfterCommit as u8 {
                let _ = to_server.write_all(&chunk[..at + COMMIT.len()]).await;
                drop(from_client);
                // The client's half closes once the server answers; keep
                // reading those answers a while, then hang up.
                tokio::time::sleep(Duration::from_secs(2)).await;
            } else {
                let _ = to_server.write_all(&chunk[..at]).await;
            }
            let _ = to_server.shutdown().await;
            replies.abort();
            return;
        }
        if to_server.write_all(chunk).await.is_err() {
            break;
        }
    }
    replies.abort();
}

fn batch(tag: &str) -> EventBatch {
    let mut b = EventBatch::new();
    for i in 0..3 {
        b.push(format!(r#"{{"type":"Note","tag":"{tag}","i":{i}}}"#).as_bytes());
    }
    b
}

/// A store through the proxy, with one first append made through it.
async fn through_proxy() -> (PgCluster, Proxy, PgStore) {
    let cluster = PgCluster::start().unwrap_or_else(|e| panic!("a PostgreSQL cluster: {e}"));
    let proxy = Proxy::start(cluster.port()).await;
    let url = format!(
        "postgres://ledger@127.0.0.1:{}/postgres?schema=lost&connect_timeout=2",
        proxy.port
    );
    let options = PgOptions {
        resolve_patience: Duration::from_secs(20),
        ..PgOptions::default()
    };
    let store = PgStore::connect_with(&url, options).unwrap();
    store.append(batch("first"), Some(0)).await.unwrap();
    (cluster, proxy, store)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres),
    ignore = "no PostgreSQL server programs: apt-get install postgresql"
)]
async fn a_commit_whose_answer_was_lost_is_read_back_as_landed() {
    let (_cluster, proxy, store) = through_proxy().await;
    proxy.arm(Cut::AfterCommit);
    let metas = tokio::time::timeout(Duration::from_secs(30), store.append(batch("lost"), None))
        .await
        .expect("resolved in time")
        .expect("read back as landed");
    assert_eq!(metas.iter().map(|m| m.seq).collect::<Vec<_>>(), [4, 5, 6]);
    let head = store.head().await.unwrap();
    assert_eq!((head.seq, head.hash), (6, metas[2].hash));
    let records = store.read(4, 10).await.unwrap();
    assert_eq!(records.len(), 3);
    assert!(String::from_utf8_lossy(&records[0].event).contains("lost"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres),
    ignore = "no PostgreSQL server programs: apt-get install postgresql"
)]
async fn a_connection_lost_before_its_commit_is_read_back_as_not_landed() {
    let (_cluster, proxy, store) = through_proxy().await;
    proxy.arm(Cut::BeforeCommit);
    let outcome = tokio::time::timeout(Duration::from_secs(30), store.append(batch("lost"), None))
        .await
        .expect("resolved in time");
    match outcome {
        Err(StoreError::Unavailable { reason, .. }) => {
            assert!(reason.contains("did not land"), "{reason}")
        }
        other => panic!("expected not landed, got {other:?}"),
    }
    assert_eq!(store.head().await.unwrap().seq, 3, "nothing was appended");
    let metas = store.append(batch("again"), Some(3)).await.unwrap();
    assert_eq!(metas[0].seq, 4, "the seqs are free again");
}
