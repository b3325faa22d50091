//! The import's input: the file read in chunks of lines on one thread, and
//! each chunk decoded (and canonicalised) on one of several others.

use gpu_ledger_domain::{DecodeError, Event, EventError, decode_event};
use gpu_ledger_ledger::EventBatch;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender};

/// Lines in a chunk.
pub const LINES_PER_CHUNK: usize = 4096;

/// Lines of the input, in order.
pub(super) struct RawChunk {
    first_line: u64,
    data: Vec<u8>,
    /// End of each line in `data` (its newline excluded).
    ends: Vec<(usize, usize)>,
    bytes: u64,
}

/// A chunk decoded: the events before the first bad line, and that line.
pub(super) struct ParsedChunk {
    pub first_line: u64,
    pub events: Vec<Event>,
    pub batch: EventBatch,
    pub error: Option<(u64, EventError)>,
    pub bytes: u64,
}

/// Reads the file into chunks of lines, dealt round-robin to the parsers.
pub(super) fn read_chunks(path: &Path, txs: Vec<SyncSender<Result<RawChunk, String>>>) {
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
pub(super) fn parse_chunks(
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
