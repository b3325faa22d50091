//! `gpu-ledger import FILE.jsonl`: append a file of events, all or nothing.
//!
//! The file streams through a pipeline, so memory stays flat whatever its size:
//!
//! ```text
//! reader thread --chunks of lines--> parser threads (decode, canonicalise)
//!     --in order--> this thread (the rules, against the state so far)
//!     --batches--> the store's import (hash chain, frames, one sync at the end)
//! ```
//!
//! The first refused line stops everything: the import is aborted and the
//! ledger is left exactly as it was. A store whose imports are not all or
//! nothing (EventStoreDB) gets the file only after a first pass has checked
//! all of it against the rules, so a bad line never leaves half a file in.

use super::{CommandError, Outcome, grouped};
use crate::progress::Progress;
use crate::store_config::StoreConfig;
use gpu_ledger_domain::{DecodeError, Event, EventError, Programme, RuleError, decode_event};
use gpu_ledger_ledger::{EventBatch, EventStore, Head};
use gpu_ledger_replay::{Source, rebuild_programme};
use serde_json::json;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// A JSON Lines file: one event body per line.
    #[arg(value_name = "FILE.jsonl")]
    pub file: PathBuf,

    /// Refuse the import unless the ledger's head is at this seq (0 for an empty ledger).
    #[arg(long, value_name = "SEQ")]
    pub expected_seq: Option<u64>,
}

const LINES_PER_CHUNK: usize = 4096;

/// Lines of the input, in order.
struct RawChunk {
    first_line: u64,
    data: Vec<u8>,
    /// End of each line in `data` (its newline excluded).
    ends: Vec<(usize, usize)>,
    bytes: u64,
}

/// A chunk decoded: the events before the first bad line, and that line.
struct ParsedChunk {
    first_line: u64,
    events: Vec<Event>,
    batch: EventBatch,
    error: Option<(u64, EventError)>,
    bytes: u64,
}

/// Why a line was refused.
enum LineFault {
    Event(EventError),
    Rule(RuleError),
}

pub async fn run(
    config: &StoreConfig,
    args: &ImportArgs,
    json: bool,
) -> Result<Outcome, CommandError> {
    if let Err(e) = File::open(&args.file) {
        return Err(CommandError::Failed(format!(
            "cannot read {}: {e}",
            args.file.display()
        )));
    }
    let store = config.open_for_writing()?;
    let started = std::time::Instant::now();
    let (appended, head) = import_into(store, &args.file, args.expected_seq, json).await?;
    let secs = started.elapsed().as_secs_f64();
    Ok(Outcome {
        human: format!(
            "Imported {} events from {} in {secs:.2} s ({:.0} events/s).\nHead: seq {}, hash {}.",
            grouped(appended),
            args.file.display(),
            appended as f64 / secs.max(1e-9),
            head.seq,
            head.hash
        ),
        json: json!({"appended": appended, "head": head.hash, "seq": head.seq}),
        code: 0,
    })
}

/// Imports `path` into `store` all or nothing: (events appended, new head).
pub async fn import_into(
    store: Arc<dyn EventStore>,
    path: &Path,
    expected_seq: Option<u64>,
    json: bool,
) -> Result<(u64, Head), CommandError> {
    let size = std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|e| CommandError::Failed(format!("cannot read {}: {e}", path.display())))?;
    let head = store.head().await?;
    if let Some(expected) = expected_seq
        && expected != head.seq
    {
        return Err(CommandError::Refused {
            message: format!(
                "the ledger's head is at seq {}, not the expected {expected}; nothing was imported",
                head.seq
            ),
            detail: json!({"error": "conflict", "head": head}),
        });
    }
    let mut programme = if head.seq == 0 {
        Programme::new()
    } else {
        let progress = Progress::new(json, Some(head.seq), "reading the ledger");
        let p =
            rebuild_programme(&mut Source::store(store.clone()), |n| progress.update(n, n)).await?;
        progress.finish();
        p
    };
    if !store.atomic_import() {
        let progress = Progress::new(json, Some(size), "checking");
        let checked = import_file(None, path, &mut programme.clone(), head, &progress).await;
        progress.finish();
        checked?;
    }
    let progress = Progress::new(json, Some(size), "importing");
    let result = import_file(Some(store), path, &mut programme, head, &progress).await;
    progress.finish();
    result
}

/// Streams `path` through the rules into `store`, or only through the rules
/// when `store` is `None`.
async fn import_file(
    store: Option<Arc<dyn EventStore>>,
    path: &Path,
    programme: &mut Programme,
    head: Head,
    progress: &Progress,
) -> Result<(u64, Head), CommandError> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4);
    let (raw_txs, raw_rxs): (Vec<_>, Vec<_>) = (0..workers)
        .map(|_| sync_channel::<Result<RawChunk, String>>(2))
        .unzip();
    let (parsed_txs, parsed_rxs): (Vec<_>, Vec<_>) = (0..workers)
        .map(|_| sync_channel::<Result<ParsedChunk, String>>(2))
        .unzip();
    let reader = {
        let path = path.to_path_buf();
        std::thread::Builder::new()
            .name("import-reader".into())
            .spawn(move || read_chunks(&path, raw_txs))
            .map_err(|e| CommandError::Failed(format!("cannot start a thread: {e}")))?
    };
    for (rx, tx) in raw_rxs.into_iter().zip(parsed_txs) {
        std::thread::Builder::new()
            .name("import-parser".into())
            .spawn(move || parse_chunks(rx, tx))
            .map_err(|e| CommandError::Failed(format!("cannot start a thread: {e}")))?;
    }

    let mut session = match &store {
        Some(store) => Some(store.begin_import(Some(head.seq)).await?),
        None => None,
    };
    let mut appended = 0u64;
    let mut bytes = 0u64;
    let outcome: Result<(), CommandError> = 'chunks: {
        for k in 0.. {
            let chunk = match parsed_rxs[k % workers].recv() {
                Ok(Ok(c)) => c,
                Ok(Err(message)) => break 'chunks Err(CommandError::Failed(message)),
                Err(_) => break,
            };
            for (i, event) in chunk.events.iter().enumerate() {
                if let Err(e) = programme.accept(event) {
                    break 'chunks Err(refused(chunk.first_line + i as u64, LineFault::Rule(e)));
                }
            }
            if let Some((line, e)) = chunk.error {
                break 'chunks Err(refused(line, LineFault::Event(e)));
            }
            appended += chunk.events.len() as u64;
            bytes += chunk.bytes;
            if let Some(session) = session.as_mut()
                && let Err(e) = session.push(chunk.batch).await
            {
                break 'chunks Err(e.into());
            }
            progress.update(bytes, appended);
        }
        Ok(())
    };
    drop(parsed_rxs);
    match (outcome, session) {
        (Ok(()), session) => {
            let _ = reader.join();
            let head = match session {
                Some(session) => session.commit().await?,
                None => head,
            };
            Ok((appended, head))
        }
        (Err(e), Some(session)) => match session.abort().await {
            Ok(()) => Err(e),
            // A store that cannot take back what it took says what stays.
            Err(abort) => Err(CommandError::Failed(format!("{e}; {abort}"))),
        },
        (Err(e), None) => Err(e),
    }
}

fn refused(line: u64, fault: LineFault) -> CommandError {
    match fault {
        LineFault::Event(e) => CommandError::Refused {
            message: format!("line {line}: {e}; nothing was imported"),
            detail: json!({"error": e.kind(), "line": line}),
        },
        LineFault::Rule(e) => {
            let mut detail = e.to_json();
            detail["line"] = line.into();
            CommandError::Refused {
                message: format!(
                    "line {line} breaks rule {}: {e}; nothing was imported",
                    e.rule()
                ),
                detail,
            }
        }
    }
}

/// Reads the file into chunks of lines, dealt round-robin to the parsers.
fn read_chunks(path: &Path, txs: Vec<SyncSender<Result<RawChunk, String>>>) {
    let send_error = |txs: &[SyncSender<Result<RawChunk, String>>], k: usize, m: String| {
        let _ = txs[k % txs.len()].send(Err(m));
    };
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => return send_error(&txs, 0, format!("cannot read {}: {e}", path.display())),
    };
    let mut input = BufReader::with_capacity(1 << 20, file);
    let mut line_no = 1u64;
    for k in 0.. {
        let mut chunk = RawChunk {
            first_line: line_no,
            data: Vec::with_capacity(LINES_PER_CHUNK * 256),
            ends: Vec::with_capacity(LINES_PER_CHUNK),
            bytes: 0,
        };
        while chunk.ends.len() < LINES_PER_CHUNK {
            let start = chunk.data.len();
            match input.read_until(b'\n', &mut chunk.data) {
                Ok(0) => break,
                Ok(n) => {
                    chunk.bytes += n as u64;
                    let end = if chunk.data.last() == Some(&b'\n') {
                        chunk.data.len() - 1
                    } else {
                        chunk.data.len()
                    };
                    chunk.ends.push((start, end));
                }
                Err(e) => {
                    return send_error(&txs, k, format!("cannot read {}: {e}", path.display()));
                }
            }
        }
        if chunk.ends.is_empty() {
            return;
        }
        line_no += chunk.ends.len() as u64;
        if txs[k % txs.len()].send(Ok(chunk)).is_err() {
            return;
        }
    }
}

/// Decodes chunks of lines into events and their canonical bytes.
fn parse_chunks(
    rx: Receiver<Result<RawChunk, String>>,
    tx: SyncSender<Result<ParsedChunk, String>>,
) {
    for chunk in rx {
        let parsed = chunk.map(|chunk| {
            let mut out = ParsedChunk {
                first_line: chunk.first_line,
                events: Vec::with_capacity(chunk.ends.len()),
                batch: EventBatch::with_capacity(chunk.ends.len(), chunk.data.len()),
                error: None,
                bytes: chunk.bytes,
            };
            for (i, &(start, end)) in chunk.ends.iter().enumerate() {
                let line = &chunk.data[start..end];
                match decode_line(line) {
                    Ok(event) => {
                        out.batch.push_with(|buf| event.write_canonical_json(buf));
                        out.events.push(event);
                    }
                    Err(e) => {
                        out.error = Some((chunk.first_line + i as u64, e));
                        break;
                    }
                }
            }
            out
        });
        if tx.send(parsed).is_err() {
            return;
        }
    }
}

fn decode_line(line: &[u8]) -> Result<Event, EventError> {
    if line.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(EventError::Malformed(DecodeError {
            message: "the line is empty (each line holds one event)".into(),
            column: None,
        }));
    }
    decode_event(line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_trait::async_trait;
    use futures::stream::BoxStream;
    use gpu_ledger_ledger::{FileStore, ImportSession, Record, RecordMeta, StoreError};

    /// The file store with imports that are not all or nothing: each push
    /// is appended at once, as on EventStoreDB.
    struct PushByPush(FileStore);

    struct Appending {
        store: FileStore,
        head: u64,
    }

    #[async_trait]
    impl ImportSession for Appending {
        async fn push(&mut self, events: EventBatch) -> Result<(), StoreError> {
            self.head += self.store.append(events, Some(self.head)).await?.len() as u64;
            Ok(())
        }
        async fn commit(self: Box<Self>) -> Result<Head, StoreError> {
            self.store.head().await
        }
        async fn abort(self: Box<Self>) -> Result<(), StoreError> {
            Ok(())
        }
    }

    #[async_trait]
    impl EventStore for PushByPush {
        async fn append(
            &self,
            events: EventBatch,
            expected_seq: Option<u64>,
        ) -> Result<Vec<RecordMeta>, StoreError> {
            self.0.append(events, expected_seq).await
        }
        async fn head(&self) -> Result<Head, StoreError> {
            self.0.head().await
        }
        async fn read(&self, from_seq: u64, max: usize) -> Result<Vec<Record>, StoreError> {
            self.0.read(from_seq, max).await
        }
        fn follow(&self, after_seq: u64) -> BoxStream<'static, Result<Record, StoreError>> {
            self.0.follow(after_seq)
        }
        async fn begin_import(
            &self,
            _expected_seq: Option<u64>,
        ) -> Result<Box<dyn ImportSession>, StoreError> {
            Ok(Box::new(Appending {
                store: self.0.clone(),
                head: self.0.head().await?.seq,
            }))
        }
        fn atomic_import(&self) -> bool {
            false
        }
        fn describe(&self) -> String {
            format!("push-by-push {}", self.0.describe())
        }
    }

    fn example() -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/march-2026.jsonl");
        std::fs::read_to_string(path).expect("the example history")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_store_that_cannot_take_back_gets_nothing_of_a_file_with_a_late_bad_line() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn EventStore> = Arc::new(PushByPush(FileStore::open(dir.path()).unwrap()));
        let text = example();
        let lines = text.lines().count() as u64;
        assert!(
            lines > LINES_PER_CHUNK as u64,
            "the bad line is in a later chunk"
        );
        let input = dir.path().join("late-bad-line.jsonl");
        std::fs::write(&input, format!("{text}{{\"type\":\"NoSuchEvent\"}}\n")).unwrap();

        match import_into(store.clone(), &input, Some(0), true).await {
            Err(CommandError::Refused { message, .. }) => {
                assert!(
                    message.contains(&format!("line {}", lines + 1)),
                    "{message}"
                )
            }
            Err(e) => panic!("expected the bad line refused, got {e}"),
            Ok(_) => panic!("expected the bad line refused"),
        }
        assert_eq!(
            store.head().await.unwrap().seq,
            0,
            "checked before any push"
        );

        // A good file goes in whole.
        let good = dir.path().join("good.jsonl");
        std::fs::write(&good, &text).unwrap();
        let (appended, head) = import_into(store.clone(), &good, Some(0), true)
            .await
            .unwrap();
        assert_eq!((appended, head.seq), (lines, lines));
    }
}
