//! One conformance suite for every backend of the `EventStore` trait: each
//! case is written once against `Arc<dyn EventStore>` and run against each
//! backend.
//!
//! - The file store: always.
//! - PostgreSQL: a throwaway cluster per case, started by the test from the
//!   server binaries (`apt-get install postgresql`); without them these
//!   cases are ignored (not passed), and under `CI=true` they fail.
//! - EventStoreDB / KurrentDB through the real client to the protocol double
//!   (`testkit/esdb-double`): always. It proves the adapter's handling of
//!   what the client does, not KurrentDB's behaviour.
//! - EventStoreDB / KurrentDB itself: when `GPU_LEDGER_ESDB_URL` names a
//!   reachable server (`esdb://localhost:2113?tls=false`) as the tests are
//!   built; every case gets a stream of its own. Without it those cases are
//!   reported as ignored (see `ledger/build.rs`).

use futures::StreamExt;
use gpu_ledger_esdb_double::EsdbDouble;
use gpu_ledger_ledger::export::parse_export_line;
use gpu_ledger_ledger::{
    EsdbStore, EventBatch, EventStore, FileStore, FileStoreOptions, Hash, Head, PgStore, Record,
    RecordMeta, StoreError,
};
use gpu_ledger_testkit::postgres::PgCluster;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// A case never waits longer than this for the store.
const PATIENCE: Duration = Duration::from_secs(20);

/// A store under test, and what must live as long as it.
struct Subject {
    store: Arc<dyn EventStore>,
    _dir: Option<tempfile::TempDir>,
    _cluster: Option<PgCluster>,
    _double: Option<EsdbDouble>,
}

fn file_store() -> Subject {
    file_store_with(FileStoreOptions::default())
}

fn file_store_with(options: FileStoreOptions) -> Subject {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = FileStore::open_with(dir.path(), options).expect("open the file store");
    Subject {
        store: Arc::new(store),
        _dir: Some(dir),
        _cluster: None,
        _double: None,
    }
}

/// A PostgreSQL store in a schema of its own, on a cluster of its own.
fn pg_store() -> Subject {
    let cluster = PgCluster::start().unwrap_or_else(|e| panic!("a PostgreSQL cluster: {e}"));
    let store = PgStore::connect(&cluster.url("schema=conformance")).expect("a PostgreSQL store");
    Subject {
        store: Arc::new(store),
        _dir: None,
        _cluster: Some(cluster),
        _double: None,
    }
}

/// An EventStoreDB store on a fresh stream of the server
/// `GPU_LEDGER_ESDB_URL` names.
fn esdb_store(case: &str) -> Subject {
    let url = std::env::var("GPU_LEDGER_ESDB_URL").expect(
        "GPU_LEDGER_ESDB_URL names an EventStoreDB server (e.g. esdb://localhost:2113?tls=false)",
    );
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_nanos();
    let sep = if url.contains('?') { '&' } else { '?' };
    let url = format!("{url}{sep}stream=conformance-{case}-{nanos}");
    let store = EsdbStore::connect(&url).expect("connect to EventStoreDB");
    Subject {
        store: Arc::new(store),
        _dir: None,
        _cluster: None,
        _double: None,
    }
}

/// An EventStoreDB store on a double of its own, through the real client.
async fn double_store() -> Subject {
    let double = EsdbDouble::start().await.expect("start the double");
    let store = EsdbStore::connect(&double.url()).expect("connect to the double");
    Subject {
        store: Arc::new(store),
        _dir: None,
        _cluster: None,
        _double: Some(double),
    }
}

/// One test per case and backend.
macro_rules! conformance {
    ($($case:ident),* $(,)?) => {
        mod file {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let subject = super::file_store();
                    super::$case(subject.store.clone()).await;
                }
            )*
        }
        /// The file store again with segments of 4 KiB, so that every case
        /// crosses segment files (an import among them, which seals segments
        /// before its commit).
        mod file_small_segments {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let subject = super::file_store_with(gpu_ledger_testkit::stores::small_segments());
                    super::$case(subject.store.clone()).await;
                }
            )*
        }
        mod pg {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[cfg_attr(not(postgres), ignore = "no PostgreSQL server programs: apt-get install postgresql")]
                async fn $case() {
                    let subject = super::pg_store();
                    super::$case(subject.store.clone()).await;
                }
            )*
        }
        mod esdb_double {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let subject = super::double_store().await;
                    super::$case(subject.store.clone()).await;
                }
            )*
        }
        mod esdb {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[cfg_attr(
                    not(esdb_server),
                    ignore = "set GPU_LEDGER_ESDB_URL to an EventStoreDB server to run it"
                )]
                async fn $case() {
                    let subject = super::esdb_store(stringify!($case));
                    super::$case(subject.store.clone()).await;
                }
            )*
        }
    };
}

conformance!(
    append_and_read_back,
    batches_are_atomic,
    optimistic_concurrency,
    idempotent_retry,
    follow_new_records,
    verify,
    import_pushes_become_visible_at_commit,
);

fn body(tag: &str, i: usize) -> Vec<u8> {
    format!("{{\"i\":{i},\"tag\":\"{tag}\",\"type\":\"ConformanceChecked\"}}").into_bytes()
}

fn batch(tag: &str, n: usize) -> EventBatch {
    let mut b = EventBatch::new();
    for i in 0..n {
        b.push(&body(tag, i));
    }
    b
}

async fn patiently<T>(what: &str, f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(PATIENCE, f)
        .await
        .unwrap_or_else(|_| panic!("{what} took longer than {PATIENCE:?}"))
}

async fn append(
    store: &Arc<dyn EventStore>,
    events: EventBatch,
    expected: Option<u64>,
) -> Result<Vec<RecordMeta>, StoreError> {
    patiently("an append", store.append(events, expected)).await
}

async fn read_all(store: &Arc<dyn EventStore>) -> Vec<Record> {
    let mut out = Vec::new();
    loop {
        let next = out.len() as u64 + 1;
        let page = patiently("a read", store.read(next, 7))
            .await
            .expect("read");
        if page.is_empty() {
            return out;
        }
        out.extend(page);
    }
}

/// Seq from 1 without gaps, each linked to the one before, each hashing to
/// its stored hash, never recorded before its predecessor.
fn assert_chain(records: &[Record]) {
    let mut prev = Hash::ZERO;
    for (i, r) in records.iter().enumerate() {
        assert_eq!(r.seq, i as u64 + 1);
        assert_eq!(r.prev, prev, "prev of seq {}", r.seq);
        assert_eq!(r.computed_hash(), r.hash, "hash of seq {}", r.seq);
        if i > 0 {
            assert!(
                r.recorded_at >= records[i - 1].recorded_at,
                "time of {}",
                r.seq
            );
        }
        prev = r.hash;
    }
}

fn seqs(metas: &[RecordMeta]) -> Vec<u64> {
    metas.iter().map(|m| m.seq).collect()
}

fn tag_of(r: &Record) -> String {
    let v: serde_json::Value = serde_json::from_slice(&r.event).expect("a JSON body");
    v["tag"].as_str().expect("a tag").to_string()
}

fn expect_conflict(outcome: Result<Vec<RecordMeta>, StoreError>, expected: u64) -> Head {
    match outcome {
        Err(StoreError::Conflict {
            expected: e,
            actual,
        }) => {
            assert_eq!(e, expected);
            actual
        }
        other => panic!("expected a conflict at {expected}, got {other:?}"),
    }
}

async fn append_and_read_back(store: Arc<dyn EventStore>) {
    assert!(!store.describe().is_empty());
    let empty = store.head().await.unwrap();
    assert_eq!(empty, Head::default(), "an empty ledger: seq 0, zero hash");
    assert!(store.read(1, 10).await.unwrap().is_empty());

    let a = append(&store, batch("a", 3), Some(0)).await.unwrap();
    assert_eq!(seqs(&a), vec![1, 2, 3]);
    assert_eq!(a[0].prev, Hash::ZERO);
    let b = append(&store, batch("b", 2), None).await.unwrap();
    assert_eq!(seqs(&b), vec![4, 5]);
    assert_eq!(b[0].prev, a[2].hash);
    let c = append(&store, batch("c", 1), Some(5)).await.unwrap();
    assert_eq!(seqs(&c), vec![6]);

    let all = read_all(&store).await;
    assert_chain(&all);
    let acknowledged: Vec<RecordMeta> = a.iter().chain(&b).chain(&c).copied().collect();
    assert_eq!(
        all.iter().map(Record::meta).collect::<Vec<_>>(),
        acknowledged
    );
    let bodies: Vec<Vec<u8>> = all.iter().map(|r| r.event.to_vec()).collect();
    let sent: Vec<Vec<u8>> = [("a", 3), ("b", 2), ("c", 1)]
        .iter()
        .flat_map(|(t, n)| (0..*n).map(|i| body(t, i)))
        .collect();
    assert_eq!(bodies, sent, "bodies come back byte for byte, in order");

    let head = store.head().await.unwrap();
    assert_eq!((head.seq, head.hash), (6, c[0].hash));
    assert_eq!(head.recorded_at, Some(c[0].recorded_at));

    let middle = store.read(4, 2).await.unwrap();
    assert_eq!(middle, all[3..5]);
    assert_eq!(store.read(6, 10).await.unwrap(), all[5..]);
    assert!(store.read(7, 10).await.unwrap().is_empty());
}

async fn batches_are_atomic(store: Arc<dyn EventStore>) {
    append(&store, batch("base", 2), None).await.unwrap();
    let stale = append(&store, batch("stale", 5), Some(1)).await;
    assert_eq!(expect_conflict(stale, 1).seq, 2);
    assert_eq!(
        read_all(&store).await.len(),
        2,
        "nothing of a refused batch"
    );

    // Batches from concurrent writers never interleave.
    let mut writers = Vec::new();
    for w in 0..4 {
        let store = store.clone();
        writers.push(tokio::spawn(async move {
            for k in 0..5 {
                let metas = append(&store, batch(&format!("w{w}-{k}"), 4), None)
                    .await
                    .unwrap();
                let s = seqs(&metas);
                assert_eq!(s, (s[0]..s[0] + 4).collect::<Vec<_>>());
            }
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    let all = read_all(&store).await;
    assert_chain(&all);
    assert_eq!(all.len(), 2 + 4 * 5 * 4);
    let mut by_tag: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for r in &all[2..] {
        by_tag.entry(tag_of(r)).or_default().push(r.seq);
    }
    assert_eq!(by_tag.len(), 20);
    for (tag, s) in by_tag {
        assert_eq!(s, (s[0]..s[0] + 4).collect::<Vec<_>>(), "batch {tag}");
    }
}

async fn optimistic_concurrency(store: Arc<dyn EventStore>) {
    let one = append(&store, batch("one", 1), Some(0)).await.unwrap();
    let actual = expect_conflict(append(&store, batch("two", 1), Some(0)).await, 0);
    assert_eq!((actual.seq, actual.hash), (1, one[0].hash));
    expect_conflict(append(&store, batch("ahead", 1), Some(9)).await, 9);

    // Writers racing from the same head: exactly one wins.
    let mut racers = Vec::new();
    for r in 0..4 {
        let store = store.clone();
        racers.push(tokio::spawn(async move {
            append(&store, batch(&format!("r{r}"), 2), Some(1)).await
        }));
    }
    let mut won = 0;
    for r in racers {
        match r.await.unwrap() {
            Ok(metas) => {
                won += 1;
                assert_eq!(seqs(&metas), vec![2, 3]);
            }
            Err(e) => assert!(expect_conflict(Err(e), 1).seq >= 3),
        }
    }
    assert_eq!(won, 1);
    let all = read_all(&store).await;
    assert_chain(&all);
    assert_eq!(all.len(), 3);
}

async fn idempotent_retry(store: Arc<dyn EventStore>) {
    let first = append(&store, batch("once", 3), Some(0)).await.unwrap();
    // The caller never saw that answer and sends the same append again:
    // with its expected seq, the retry cannot write the events twice...
    let actual = expect_conflict(append(&store, batch("once", 3), Some(0)).await, 0);
    // ...and the head it is told about is its own last record.
    assert_eq!((actual.seq, actual.hash), (3, first[2].hash));
    let all = read_all(&store).await;
    assert_eq!(all.len(), 3);
    assert_eq!(
        all.iter().map(|r| r.event.to_vec()).collect::<Vec<_>>(),
        (0..3).map(|i| body("once", i)).collect::<Vec<_>>()
    );
}

type Followed = futures::stream::BoxStream<'static, Result<Record, StoreError>>;

async fn next(followed: &mut Followed) -> Record {
    patiently("the next followed record", followed.next())
        .await
        .expect("the stream goes on")
        .expect("a record")
}

async fn follow_new_records(store: Arc<dyn EventStore>) {
    append(&store, batch("old", 3), None).await.unwrap();
    let mut from_one = store.follow(1);
    let mut from_start = store.follow(0);
    let mut from_head = store.follow(3);
    assert_eq!(next(&mut from_one).await.seq, 2);
    assert_eq!(next(&mut from_one).await.seq, 3);

    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            append(&store, batch("new", 2), None).await.unwrap();
            append(&store, batch("newer", 1), None).await.unwrap()
        })
    };
    let mut seen = Vec::new();
    for _ in 0..3 {
        seen.push(next(&mut from_one).await);
    }
    let last = writer.await.unwrap();
    assert_eq!(
        seen.iter().map(|r| r.seq).collect::<Vec<_>>(),
        vec![4, 5, 6]
    );
    assert_eq!(seen[2].meta(), last[0]);

    let mut everything = Vec::new();
    for _ in 0..6 {
        everything.push(next(&mut from_start).await);
    }
    assert_chain(&everything);
    assert_eq!(everything, read_all(&store).await);
    for seq in 4..=6 {
        assert_eq!(next(&mut from_head).await.seq, seq);
    }
    // Nothing more until something is appended.
    let quiet = tokio::time::timeout(Duration::from_millis(300), from_head.next()).await;
    assert!(quiet.is_err(), "no record after the head: {quiet:?}");
    append(&store, batch("late", 1), None).await.unwrap();
    assert_eq!(next(&mut from_head).await.seq, 7);
}

async fn verify(store: Arc<dyn EventStore>) {
    for n in 1..=10 {
        append(&store, batch(&format!("v{n}"), n), None)
            .await
            .unwrap();
    }
    let all = read_all(&store).await;
    assert_eq!(all.len(), 55);
    assert_chain(&all);
    // Every record is the canonical export line ledger-format.md describes.
    for r in &all {
        let mut line = Vec::new();
        r.write_export_line(&mut line);
        line.pop();
        assert_eq!(&parse_export_line(&line).unwrap(), r);
    }
    // Reads from anywhere link to what comes before.
    for from in [2u64, 17, 54, 55] {
        let page = store.read(from, 3).await.unwrap();
        assert_eq!(
            page[0].prev,
            all[from as usize - 2].hash,
            "read from {from}"
        );
    }
    assert_eq!(store.head().await.unwrap().hash, all[54].hash);
}

/// Where imports are atomic (`atomic_import`), nothing pushed is visible
/// before the commit; where they are not (EventStoreDB: each push is made of
/// ordinary appends), each push is visible as soon as it returns, and the
/// store says so. Either way the commit's head is the last record.
async fn import_pushes_become_visible_at_commit(store: Arc<dyn EventStore>) {
    append(&store, batch("base", 2), None).await.unwrap();
    match store.begin_import(Some(0)).await {
        Err(StoreError::Conflict { actual, .. }) => assert_eq!(actual.seq, 2),
        Err(e) => panic!("expected a conflict, got {e}"),
        Ok(_) => panic!("expected a conflict, got an import"),
    }
    // An import that pushed nothing aborts cleanly on every backend.
    let nothing = store.begin_import(Some(2)).await.unwrap();
    nothing.abort().await.unwrap();

    let atomic = store.atomic_import();
    let mut import = store.begin_import(Some(2)).await.unwrap();
    for k in 0..3 {
        import.push(batch(&format!("imp{k}"), 40)).await.unwrap();
        let visible = read_all(&store).await.len();
        let pushed = 2 + 40 * (k + 1);
        if atomic {
            assert_eq!(visible, 2, "nothing of an atomic import before its commit");
        } else {
            assert_eq!(
                visible, pushed,
                "a non-atomic import's push is visible at once"
            );
        }
        assert_eq!(
            store.head().await.unwrap().seq as usize,
            if atomic { 2 } else { pushed }
        );
    }
    let head = patiently("a commit", import.commit()).await.unwrap();
    assert_eq!(head.seq, 122);
    let all = read_all(&store).await;
    assert_chain(&all);
    assert_eq!(all.len(), 122);
    assert_eq!(head.hash, all[121].hash);
    assert_eq!(tag_of(&all[2]), "imp0");

    // What a failed or abandoned import leaves: nothing where it is atomic,
    // what it pushed where it is not (and abort says so).
    let mut partial = store.begin_import(Some(122)).await.unwrap();
    partial.push(batch("left", 3)).await.unwrap();
    let aborted = partial.abort().await;
    let left = read_all(&store).await.len();
    if atomic {
        aborted.unwrap();
        assert_eq!(left, 122);
    } else {
        let e = aborted.expect_err("a non-atomic import cannot be taken back");
        assert!(e.to_string().contains("123..=125"), "{e}");
        assert_eq!(left, 125);
    }
}
