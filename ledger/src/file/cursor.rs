//! Walking the frames of one segment file, reading it in large chunks.

use super::format::{Decoded, decode_frame};
use crate::Record;
use crate::chain::Hash;
use crate::time::RecordedAt;
use bytes::Bytes;
use std::fs::File;
use std::io;
use std::ops::Range;
use std::os::unix::fs::FileExt;

const CHUNK: usize = 4 << 20;
/// The smallest chunk read at once.
const MIN_CHUNK: usize = 64 << 10;

/// A frame's fixed fields.
#[derive(Debug, Clone, Copy)]
pub struct FrameMeta {
    pub flags: u8,
    pub seq: u64,
    pub recorded_at: RecordedAt,
    pub hash: Hash,
    /// Length of the whole frame.
    pub len: usize,
}

/// What the next step through a segment found.
#[derive(Debug)]
pub enum Step {
    /// A frame at file offset `offset`; its event is `cursor.chunk()[body]`.
    Frame {
        offset: u64,
        meta: FrameMeta,
        body: Range<usize>,
    },
    /// Exactly at the end.
    End,
    /// The bytes at `offset` are not a frame.
    Bad { offset: u64, reason: String },
    /// A frame starts at `offset` but the end comes before it does.
    Truncated { offset: u64 },
}

pub struct FrameCursor<'f> {
    file: &'f File,
    /// Frames end here (file length, or where a trailer starts).
    end: u64,
    chunk: Bytes,
    chunk_start: u64,
    pos: usize,
    /// Bytes read at once (more only for a larger frame).
    chunk_len: usize,
}

impl<'f> FrameCursor<'f> {
    pub fn new(file: &'f File, start: u64, end: u64) -> Self {
        Self {
            file,
            end,
            chunk: Bytes::new(),
            chunk_start: start,
            pos: 0,
            chunk_len: CHUNK,
        }
    }

    /// A cursor for a read of about `records` records: it reads chunks
    /// sized to them rather than 4 MiB, since each record it gives shares
    /// its chunk, and a reader that keeps a few records (a live stream, a
    /// page being written) would otherwise keep the whole chunk.
    pub fn for_records(file: &'f File, start: u64, end: u64, records: usize) -> Self {
        let mut cursor = Self::new(file, start, end);
        cursor.chunk_len = records.saturating_mul(1024).clamp(MIN_CHUNK, CHUNK);
        cursor
    }

    /// File offset of the next frame.
    pub fn offset(&self) -> u64 {
        self.chunk_start + self.pos as u64
    }

    /// The record a frame holds, chained onto `prev`; its event shares the
    /// chunk's bytes, uncopied.
    pub fn record(&self, meta: &FrameMeta, prev: Hash, event: Range<usize>) -> Record {
        Record {
            seq: meta.seq,
            recorded_at: meta.recorded_at,
            prev,
            hash: meta.hash,
            event: self.chunk.slice(event),
        }
    }

    pub fn step(&mut self) -> io::Result<Step> {
        loop {
            let offset = self.offset();
            if offset >= self.end {
                return Ok(Step::End);
            }
            match decode_frame(&self.chunk[self.pos..]) {
                Decoded::Frame(f) => {
                    let meta = FrameMeta {
                        flags: f.flags,
                        seq: f.seq,
                        recorded_at: f.recorded_at,
                        hash: f.hash,
                        len: f.len,
                    };
                    let event = self.pos + f.len - f.event.len()..self.pos + f.len;
                    self.pos += f.len;
                    if self.offset() > self.end {
                        return Ok(Step::Truncated { offset });
                    }
                    return Ok(Step::Frame {
                        offset,
                        meta,
                        body: event,
                    });
                }
                Decoded::Bad(reason) => return Ok(Step::Bad { offset, reason }),
                Decoded::Short { needed } => {
                    let available = self.end - offset;
                    if needed as u64 > available {
                        return Ok(Step::Truncated { offset });
                    }
                    let want = needed.max(self.chunk_len).min(available as usize);
                    let mut buf = vec![0u8; want];
                    self.file.read_exact_at(&mut buf, offset)?;
                    self.chunk = Bytes::from(buf);
                    self.chunk_start = offset;
                    self.pos = 0;
                }
            }
        }
    }
}
