//! The writer thread: the only code that writes segment files.
//!
//! Group commit: it takes every append waiting in its queue, frames them into
//! one buffer, writes it with one `pwrite` and one `fdatasync`, then
//! acknowledges them all. While it syncs, new appends queue up for the next
//! group; the more clients, the more each sync carries.
//!
//! Imports stream through the same thread: their frames are written as they
//! come but carry no commit flag until the end, so a crash or an abort
//! leaves the ledger exactly as it was before the import.

use super::directory::{create_segment, write_head_hint};
use super::format::{HEADER_LEN, MID_GROUP, Trailer, encode_frame, mark_commit};
use super::recovery::Active;
use super::{Faults, FileStoreOptions, SPARSE_EVERY, Segment, SegmentIndex, Shared};
use crate::chain::record_hash;
use crate::record::{EventBatch, RecordMeta};
use crate::store::{Head, StoreError};
use crate::time::RecordedAt;
use std::os::unix::fs::FileExt;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

/// Stop adding appends to a group past this many bytes of events.
const GROUP_BYTES: usize = 8 << 20;
/// An import writes its frames out in pieces of about this size.
const IMPORT_WRITE_BYTES: usize = 4 << 20;
/// How often the `HEAD` hint is refreshed by ordinary appends.
const HINT_EVERY: Duration = Duration::from_secs(1);

pub(crate) enum Request {
    Append {
        events: EventBatch,
        expected_seq: Option<u64>,
        reply: oneshot::Sender<Result<Vec<RecordMeta>, StoreError>>,
    },
    Import {
        expected_seq: Option<u64>,
        chunks: mpsc::Receiver<ImportMsg>,
        started: oneshot::Sender<Result<(), StoreError>>,
        failure: Arc<Mutex<Option<StoreError>>>,
    },
}

pub(crate) enum ImportMsg {
    Chunk(EventBatch),
    /// Records made elsewhere, framed exactly as they are (`copy`).
    Records(Vec<crate::record::Record>),
    /// From now on, each chunk's record hashes go there as well.
    Hashes(crate::store::HashSink),
    Commit(oneshot::Sender<Result<Head, StoreError>>),
    Abort(oneshot::Sender<Result<(), StoreError>>),
}

type Reply = oneshot::Sender<Result<Vec<RecordMeta>, StoreError>>;

pub(crate) struct Writer {
    shared: Arc<Shared>,
    active: Active,
    /// The last acknowledged record.
    head: Head,
    options: FileStoreOptions,
    buf: Vec<u8>,
    /// A failed write may have left bytes past `active.len`.
    dirty: bool,
    last_hint: Instant,
}

/// Where an import started, to return there if it does not commit.
struct ImportStart {
    segments: usize,
    seg: Arc<Segment>,
    len: u64,
    frames: u64,
    commit_frames: u32,
}

/// Frames of an import not yet written out.
struct Pending {
    /// Head after every frame framed so far.
    framed: Head,
    /// Head after the frames already written to the file.
    written: Head,
    /// Head before the newest frame (written once the newest is held back).
    before_newest: Head,
    /// Start of the newest frame in the buffer: held back so that the commit
    /// flag can be set on it.
    newest_at: Option<usize>,
    /// (seq, position in buffer) of frames the sparse index will point to.
    index_marks: Vec<(u64, usize)>,
    frames_in_buf: u64,
}

impl Writer {
    pub fn new(
        shared: Arc<Shared>,
        active: Option<Active>,
        options: FileStoreOptions,
    ) -> Result<Self, StoreError> {
        let active = active.ok_or_else(|| StoreError::Invalid("no segment to write to".into()))?;
        let head = *shared.head.borrow();
        Ok(Self {
            shared,
            active,
            head,
            options,
            buf: Vec::with_capacity(1 << 20),
            dirty: false,
            last_hint: Instant::now(),
        })
    }

    pub fn run(mut self, rx: Receiver<Request>) {
        let mut next: Option<Request> = None;
        loop {
            let first = match next.take() {
                Some(r) => r,
                None => match rx.recv() {
                    Ok(r) => r,
                    Err(_) => break,
                },
            };
            match first {
                Request::Import {
                    expected_seq,
                    chunks,
                    started,
                    failure,
                } => self.import(expected_seq, chunks, started, failure),
                Request::Append {
                    events,
                    expected_seq,
                    reply,
                } => {
                    let mut bytes = events.byte_len();
                    let mut group = vec![(events, expected_seq, reply)];
                    while bytes < GROUP_BYTES {
                        match rx.try_recv() {
                            Ok(Request::Append {
                                events,
                                expected_seq,
                                reply,
                            }) => {
                                bytes += events.byte_len();
                                group.push((events, expected_seq, reply));
                            }
                            Ok(other) => {
                                next = Some(other);
                                break;
                            }
                            Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
                        }
                    }
                    self.commit_group(group);
                }
            }
        }
        write_head_hint(&self.shared.dir, self.head.seq);
    }

    /// `recorded_at` for a new write: the clock, never before the last record.
    fn now(&self, after: &Head) -> RecordedAt {
        let now = self.options.clock.now();
        after.recorded_at.map_or(now, |last| now.max(last))
    }

    fn io_error(&self, e: std::io::Error) -> StoreError {
        StoreError::io(&self.active.seg.path, e)
    }

    fn fault(
        &self,
        pick: impl Fn(&Faults) -> &std::sync::atomic::AtomicU32,
        what: &str,
    ) -> std::io::Result<()> {
        match &self.options.faults {
            Some(f) if Faults::take(pick(f)) => {
                Err(std::io::Error::other(format!("injected {what} failure")))
            }
            _ => Ok(()),
        }
    }

    fn write_at(&self, bytes: &[u8], offset: u64) -> std::io::Result<()> {
        self.fault(|f| &f.fail_writes, "write")?;
        self.active.file.write_all_at(bytes, offset)
    }

    fn sync(&self) -> std::io::Result<()> {
        self.fault(|f| &f.fail_syncs, "fdatasync")?;
        self.active.file.sync_data()
    }

    /// Before a write: undo what a failed write left, and start a new
    /// segment if this one is full (or sealed).
    fn prepare(&mut self) -> Result<(), StoreError> {
        if self.dirty {
            self.active
                .file
                .set_len(self.active.len)
                .map_err(|e| self.io_error(e))?;
            self.dirty = false;
        }
        if self.active.sealed || self.active.len >= self.options.segment_bytes {
            self.rotate(self.head, false)?;
        }
        Ok(())
    }

    /// Seals the active segment after `last` and starts the next one.
    fn rotate(&mut self, last: Head, mid_group: bool) -> Result<(), StoreError> {
        if !self.active.sealed {
            let trailer = Trailer {
                commit_frames: self.active.commit_frames,
                last_seq: last.seq,
                frames: self.active.frames,
                last_recorded_at: last.recorded_at.unwrap_or_default(),
                last_hash: last.hash,
                flags: if mid_group { MID_GROUP } else { 0 },
            };
            self.write_at(&trailer.encode(), self.active.len)
                .and_then(|_| self.sync())
                .map_err(|e| self.io_error(e))?;
            self.active.sealed = true;
        }
        let flags = if mid_group { MID_GROUP } else { 0 };
        let (path, file) = create_segment(
            &self.shared.dir,
            self.shared.ledger_id,
            last.seq + 1,
            last.hash,
            flags,
        )?;
        std::fs::File::open(&self.shared.dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| StoreError::io(&self.shared.dir, e))?;
        let reader = file.try_clone().map_err(|e| StoreError::io(&path, e))?;
        let seg = Arc::new(Segment {
            first_seq: last.seq + 1,
            prev_hash: last.hash,
            path,
            file: reader,
            index: Mutex::new(SegmentIndex {
                entries: Vec::new(),
                complete: true,
                end: HEADER_LEN as u64,
            }),
        });
        self.shared
            .segments
            .write()
            .expect("segments lock")
            .push(seg.clone());
        self.active = Active {
            seg,
            file,
            len: HEADER_LEN as u64,
            frames: 0,
            commit_frames: 0,
            sealed: false,
        };
        Ok(())
    }

    fn publish(&mut self, head: Head, entries: Vec<(u64, u64)>) {
        {
            let mut idx = self.active.seg.index.lock().expect("index lock");
            idx.entries.extend(entries);
            idx.end = self.active.len;
        }
        self.head = head;
        self.shared.head.send_replace(head);
    }

    fn commit_group(&mut self, group: Vec<(EventBatch, Option<u64>, Reply)>) {
        if let Err(e) = self.prepare() {
            let msg = e.to_string();
            for (_, _, reply) in group {
                let _ = reply.send(Err(StoreError::Backend(msg.clone())));
            }
            return;
        }
        let now = self.now(&self.head);
        let base = self.active.len;
        self.buf.clear();
        let mut tentative = self.head;
        let mut outcomes: Vec<(Reply, Result<Vec<RecordMeta>, StoreError>)> =
            Vec::with_capacity(group.len());
        let mut entries = Vec::new();
        let mut newest = None;
        let mut frames = 0u64;
        for (events, expected, reply) in group {
            if let Err(conflict) = tentative.matches(expected) {
                outcomes.push((reply, Err(conflict)));
                continue;
            }
            let mut metas = Vec::with_capacity(events.len());
            for event in events.iter() {
                let seq = tentative.seq + 1;
                let hash = record_hash(&tentative.hash, seq, now, event);
                let at = self.buf.len();
                if self.active.frames + frames == 0 || seq.is_multiple_of(SPARSE_EVERY) {
                    entries.push((seq, base + at as u64));
                }
                encode_frame(&mut self.buf, 0, seq, now, &hash, event);
                metas.push(RecordMeta {
                    seq,
                    recorded_at: now,
                    prev: tentative.hash,
                    hash,
                });
                tentative = Head {
                    seq,
                    hash,
                    recorded_at: Some(now),
                };
                newest = Some(at);
                frames += 1;
            }
            outcomes.push((reply, Ok(metas)));
        }
        if let Some(at) = newest {
            mark_commit(&mut self.buf, at);
            let written = self.write_at(&self.buf, base).and_then(|_| self.sync());
            if let Err(e) = written {
                self.dirty = true;
                let _ = self.active.file.set_len(base).map(|_| self.dirty = false);
                let msg = e.to_string();
                for (reply, outcome) in outcomes {
                    let outcome = outcome.and_then(|_| {
                        Err(StoreError::io(
                            &self.active.seg.path,
                            std::io::Error::new(e.kind(), msg.clone()),
                        ))
                    });
                    let _ = reply.send(outcome);
                }
                return;
            }
            self.active.len += self.buf.len() as u64;
            self.active.frames += frames;
            self.active.commit_frames += 1;
            self.publish(tentative, entries);
            if self.last_hint.elapsed() >= HINT_EVERY {
                write_head_hint(&self.shared.dir, self.head.seq);
                self.last_hint = Instant::now();
            }
        }
        for (reply, outcome) in outcomes {
            let _ = reply.send(outcome);
        }
    }

    fn import(
        &mut self,
        expected_seq: Option<u64>,
        mut chunks: mpsc::Receiver<ImportMsg>,
        started: oneshot::Sender<Result<(), StoreError>>,
        failure: Arc<Mutex<Option<StoreError>>>,
    ) {
        if let Err(conflict) = self.head.matches(expected_seq) {
            let _ = started.send(Err(conflict));
            return;
        }
        if let Err(e) = self.prepare() {
            let _ = started.send(Err(e));
            return;
        }
        if started.send(Ok(())).is_err() {
            return;
        }
        let start = ImportStart {
            segments: self.shared.segments.read().expect("segments lock").len(),
            seg: self.active.seg.clone(),
            len: self.active.len,
            frames: self.active.frames,
            commit_frames: self.active.commit_frames,
        };
        let mut p = Pending {
            framed: self.head,
            written: self.head,
            before_newest: self.head,
            newest_at: None,
            index_marks: Vec::new(),
            frames_in_buf: 0,
        };
        self.buf.clear();
        let mut hashes_to: Option<crate::store::HashSink> = None;
        let outcome = loop {
            match chunks.blocking_recv() {
                Some(ImportMsg::Hashes(to)) => hashes_to = Some(to),
                Some(ImportMsg::Chunk(batch)) => {
                    let now = self.now(&p.framed);
                    let mut hashes = hashes_to.as_ref().map(|_| Vec::with_capacity(batch.len()));
                    for event in batch.iter() {
                        let seq = p.framed.seq + 1;
                        let hash = record_hash(&p.framed.hash, seq, now, event);
                        let at = self.buf.len();
                        if seq.is_multiple_of(SPARSE_EVERY) {
                            p.index_marks.push((seq, at));
                        }
                        encode_frame(&mut self.buf, 0, seq, now, &hash, event);
                        p.before_newest = p.framed;
                        p.framed = Head {
                            seq,
                            hash,
                            recorded_at: Some(now),
                        };
                        p.newest_at = Some(at);
                        p.frames_in_buf += 1;
                        if let Some(hashes) = hashes.as_mut() {
                            hashes.push(hash);
                        }
                    }
                    // A taker that went away only loses the hashes.
                    if let (Some(to), Some(hashes)) = (&hashes_to, hashes)
                        && to.send(hashes).is_err()
                    {
                        hashes_to = None;
                    }
                    if self.buf.len() >= IMPORT_WRITE_BYTES
                        && let Err(e) = self.write_import(&mut p, true)
                    {
                        break Err(e);
                    }
                }
                Some(ImportMsg::Records(records)) => {
                    if let Err(e) = self.frame_records(&mut p, records) {
                        break Err(e);
                    }
                    if self.buf.len() >= IMPORT_WRITE_BYTES
                        && let Err(e) = self.write_import(&mut p, true)
                    {
                        break Err(e);
                    }
                }
                Some(ImportMsg::Commit(reply)) => break Ok((reply, p)),
                Some(ImportMsg::Abort(reply)) => {
                    self.undo_import(start);
                    let _ = reply.send(Ok(()));
                    return;
                }
                None => {
                    self.undo_import(start);
                    return;
                }
            }
        };
        match outcome {
            Err(e) => {
                self.undo_import(start);
                *failure.lock().expect("failure slot") = Some(e);
            }
            Ok((reply, mut p)) => {
                let Some(at) = p.newest_at else {
                    let _ = reply.send(Ok(self.head));
                    return;
                };
                mark_commit(&mut self.buf, at);
                let done = self
                    .write_import(&mut p, false)
                    .and_then(|_| self.sync().map_err(|e| self.io_error(e)));
                match done {
                    Ok(()) => {
                        self.active.commit_frames += 1;
                        self.publish(p.framed, Vec::new());
                        write_head_hint(&self.shared.dir, self.head.seq);
                        self.last_hint = Instant::now();
                        let _ = reply.send(Ok(self.head));
                    }
                    Err(e) => {
                        self.undo_import(start);
                        let _ = reply.send(Err(e));
                    }
                }
            }
        }
    }

    /// Frames records made elsewhere as they are, after checking that each
    /// follows the one before (the first, the import's last record).
    fn frame_records(
        &mut self,
        p: &mut Pending,
        records: Vec<crate::record::Record>,
    ) -> Result<(), StoreError> {
        for r in records {
            crate::cursor::check_follows(&p.framed, &r)
                .map_err(|b| StoreError::Invalid(format!("record seq {}: {}", b.seq, b.reason)))?;
            if r.computed_hash() != r.hash {
                return Err(StoreError::Invalid(format!(
                    "record seq {}: its hash is not the hash of its contents",
                    r.seq
                )));
            }
            let at = self.buf.len();
            if r.seq.is_multiple_of(SPARSE_EVERY) {
                p.index_marks.push((r.seq, at));
            }
            encode_frame(&mut self.buf, 0, r.seq, r.recorded_at, &r.hash, &r.event);
            p.before_newest = p.framed;
            p.framed = crate::cursor::head_of(&r);
            p.newest_at = Some(at);
            p.frames_in_buf += 1;
        }
        Ok(())
    }

    /// Writes the import's buffered frames, all but the newest when `hold_newest`.
    fn write_import(&mut self, p: &mut Pending, hold_newest: bool) -> Result<(), StoreError> {
        let cut = match (hold_newest, p.newest_at) {
            (true, Some(at)) => at,
            _ => self.buf.len(),
        };
        if cut == 0 {
            return Ok(());
        }
        if self.active.len >= self.options.segment_bytes {
            self.rotate(p.written, true)?;
        }
        let offset = self.active.len;
        let first_seq = p.written.seq + 1;
        self.write_at(&self.buf[..cut], offset).map_err(|e| {
            self.dirty = true;
            self.io_error(e)
        })?;
        let frames = if cut == self.buf.len() {
            p.frames_in_buf
        } else {
            p.frames_in_buf - 1
        };
        {
            let mut idx = self.active.seg.index.lock().expect("index lock");
            if self.active.frames == 0 {
                idx.entries.push((first_seq, offset));
            }
            idx.entries.extend(
                p.index_marks
                    .iter()
                    .filter(|(_, at)| *at < cut)
                    .map(|(seq, at)| (*seq, offset + *at as u64)),
            );
            // Readers stop at the published head, so the frames may be
            // readable before the commit; a segment the import fills and
            // seals is never published again, so this is its end.
            idx.end = offset + cut as u64;
        }
        p.index_marks.retain(|(_, at)| *at >= cut);
        for m in &mut p.index_marks {
            m.1 -= cut;
        }
        self.active.len += cut as u64;
        self.active.frames += frames;
        p.frames_in_buf -= frames;
        p.written = if cut == self.buf.len() {
            p.framed
        } else {
            p.before_newest
        };
        self.buf.drain(..cut);
        p.newest_at = p.newest_at.map(|at| at - cut.min(at));
        if self.buf.is_empty() {
            p.newest_at = None;
        }
        Ok(())
    }

    /// Returns the files to where the import started; nothing was acknowledged.
    fn undo_import(&mut self, start: ImportStart) {
        {
            let mut segs = self.shared.segments.write().expect("segments lock");
            while segs.len() > start.segments {
                if let Some(seg) = segs.pop() {
                    let _ = std::fs::remove_file(&seg.path);
                }
            }
        }
        let file = if Arc::ptr_eq(&self.active.seg, &start.seg) {
            None
        } else {
            std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(&start.seg.path)
                .ok()
        };
        if let Some(file) = file {
            self.active.file = file;
        }
        self.active.seg = start.seg;
        self.dirty = self.active.file.set_len(start.len).is_err();
        self.active.len = start.len;
        self.active.frames = start.frames;
        self.active.commit_frames = start.commit_frames;
        self.active.sealed = false;
        let head = self.head.seq;
        {
            let mut idx = self.active.seg.index.lock().expect("index lock");
            idx.entries.retain(|(seq, _)| *seq <= head);
            idx.end = start.len;
        }
        self.buf.clear();
        let _ = std::fs::File::open(&self.shared.dir).and_then(|d| d.sync_all());
    }
}
