//! The bytes of the embedded store: segment headers, record frames and seal
//! trailers. All integers are little-endian.
//!
//! ```text
//! segment  = header frame* [trailer]
//! header   = "GPULEDGR" version:u32 flags:u32 ledger_id:[16] first_seq:u64
//!            prev_hash:[32] reserved:[20] crc32c:u32                 (96 bytes)
//! frame    = magic:u32 body_len:u32 crc32c(body):u32 body
//! body     = flags:u8 seq:u64 recorded_at_micros:i64 hash:[32] event_json
//! trailer  = magic:u32 commit_frames:u32 last_seq:u64 frames:u64
//!            last_recorded_at:i64 last_hash:[32] flags:u32 crc32c:u32   (72 bytes)
//! ```
//!
//! A frame's `COMMIT` flag marks the last record of a durable write: an
//! append group, or a whole import. Records after the last commit frame were
//! never acknowledged and are cut off on open. `prev` is not stored: it is
//! the hash of the frame before (or the header's `prev_hash`).

use crate::chain::Hash;
use crate::time::RecordedAt;

pub const HEADER_LEN: usize = 96;
pub const TRAILER_LEN: usize = 72;
pub const FRAME_HEAD_LEN: usize = 12;
pub const BODY_FIXED_LEN: usize = 49;
/// Largest event a frame may hold; events are a few hundred bytes.
pub const MAX_EVENT_LEN: usize = 16 << 20;

const SEGMENT_MAGIC: &[u8; 8] = b"GPULEDGR";
const FORMAT_VERSION: u32 = 1;
pub const FRAME_MAGIC: u32 = u32::from_le_bytes(*b"GLF1");
const TRAILER_MAGIC: u32 = u32::from_le_bytes(*b"GLS1");

/// Frame flag: the last record of a durable write.
pub const COMMIT: u8 = 1;
/// Segment (header) flag: created in the middle of a write group (an import).
/// Trailer flag: sealed in the middle of a write group.
pub const MID_GROUP: u32 = 1;

/// The identity of one ledger, written into every segment.
pub type LedgerId = [u8; 16];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentHeader {
    pub flags: u32,
    pub ledger_id: LedgerId,
    pub first_seq: u64,
    pub prev_hash: Hash,
}

impl SegmentHeader {
    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let mut b = [0u8; HEADER_LEN];
        b[0..8].copy_from_slice(SEGMENT_MAGIC);
        b[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
        b[12..16].copy_from_slice(&self.flags.to_le_bytes());
        b[16..32].copy_from_slice(&self.ledger_id);
        b[32..40].copy_from_slice(&self.first_seq.to_le_bytes());
        b[40..72].copy_from_slice(&self.prev_hash.0);
        let crc = crc32c::crc32c(&b[..92]);
        b[92..96].copy_from_slice(&crc.to_le_bytes());
        b
    }

    pub fn decode(b: &[u8]) -> Result<Self, String> {
        if b.len() < HEADER_LEN {
            return Err(format!(
                "the segment header is cut short ({} of {HEADER_LEN} bytes)",
                b.len()
            ));
        }
        if &b[0..8] != SEGMENT_MAGIC {
            return Err("not a gpu-ledger segment (bad magic)".into());
        }
        if u32le(b, 92) != crc32c::crc32c(&b[..92]) {
            return Err("segment header checksum mismatch".into());
        }
        let version = u32le(b, 8);
        if version != FORMAT_VERSION {
            return Err(format!(
                "segment format version {version} is not supported (this build reads {FORMAT_VERSION})"
            ));
        }
        Ok(Self {
            flags: u32le(b, 12),
            ledger_id: b[16..32].try_into().expect("16 bytes"),
            first_seq: u64le(b, 32),
            prev_hash: Hash(b[40..72].try_into().expect("32 bytes")),
        })
    }
}

/// Written when a segment is full: lets open check segment continuity
/// without reading every sealed segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trailer {
    pub commit_frames: u32,
    pub last_seq: u64,
    pub frames: u64,
    pub last_recorded_at: RecordedAt,
    pub last_hash: Hash,
    pub flags: u32,
}

impl Trailer {
    pub fn encode(&self) -> [u8; TRAILER_LEN] {
        let mut b = [0u8; TRAILER_LEN];
        b[0..4].copy_from_slice(&TRAILER_MAGIC.to_le_bytes());
        b[4..8].copy_from_slice(&self.commit_frames.to_le_bytes());
        b[8..16].copy_from_slice(&self.last_seq.to_le_bytes());
        b[16..24].copy_from_slice(&self.frames.to_le_bytes());
        b[24..32].copy_from_slice(&self.last_recorded_at.micros().to_le_bytes());
        b[32..64].copy_from_slice(&self.last_hash.0);
        b[64..68].copy_from_slice(&self.flags.to_le_bytes());
        let crc = crc32c::crc32c(&b[..68]);
        b[68..72].copy_from_slice(&crc.to_le_bytes());
        b
    }

    /// `None` when `b` is not a valid trailer.
    pub fn decode(b: &[u8]) -> Option<Self> {
        if b.len() != TRAILER_LEN
            || u32le(b, 0) != TRAILER_MAGIC
            || u32le(b, 68) != crc32c::crc32c(&b[..68])
        {
            return None;
        }
        Some(Self {
            commit_frames: u32le(b, 4),
            last_seq: u64le(b, 8),
            frames: u64le(b, 16),
            last_recorded_at: RecordedAt::from_micros(u64le(b, 24) as i64),
            last_hash: Hash(b[32..64].try_into().expect("32 bytes")),
            flags: u32le(b, 64),
        })
    }
}

/// A frame read back: borrowed from the buffer it was read into.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    pub flags: u8,
    pub seq: u64,
    pub recorded_at: RecordedAt,
    pub hash: Hash,
    pub event: &'a [u8],
    /// Length of the whole frame in bytes.
    pub len: usize,
}

/// Appends one frame to `out`.
pub fn encode_frame(
    out: &mut Vec<u8>,
    flags: u8,
    seq: u64,
    recorded_at: RecordedAt,
    hash: &Hash,
    event: &[u8],
) {
    let body_len = BODY_FIXED_LEN + event.len();
    let start = out.len();
    out.extend_from_slice(&FRAME_MAGIC.to_le_bytes());
    out.extend_from_slice(&(body_len as u32).to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.push(flags);
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(&recorded_at.micros().to_le_bytes());
    out.extend_from_slice(&hash.0);
    out.extend_from_slice(event);
    let crc = crc32c::crc32c(&out[start + FRAME_HEAD_LEN..]);
    out[start + 8..start + 12].copy_from_slice(&crc.to_le_bytes());
}

/// Sets the `COMMIT` flag of the frame that starts at `at` in `buf`.
pub fn mark_commit(buf: &mut [u8], at: usize) {
    let body_len = u32le(buf, at + 4) as usize;
    let body = at + FRAME_HEAD_LEN;
    buf[body] |= COMMIT;
    let crc = crc32c::crc32c(&buf[body..body + body_len]);
    buf[at + 8..at + 12].copy_from_slice(&crc.to_le_bytes());
}

/// What [`decode_frame`] found at an offset.
#[derive(Debug)]
pub enum Decoded<'a> {
    Frame(Frame<'a>),
    /// The buffer ends inside the frame; `needed` bytes in all would hold it.
    Short {
        needed: usize,
    },
    /// Not a valid frame.
    Bad(String),
}

/// Decodes the frame at the start of `b`.
pub fn decode_frame(b: &[u8]) -> Decoded<'_> {
    if b.len() < FRAME_HEAD_LEN {
        return Decoded::Short {
            needed: FRAME_HEAD_LEN,
        };
    }
    if u32le(b, 0) != FRAME_MAGIC {
        return Decoded::Bad("no record frame starts here (bad magic)".into());
    }
    let body_len = u32le(b, 4) as usize;
    if !(BODY_FIXED_LEN..=BODY_FIXED_LEN + MAX_EVENT_LEN).contains(&body_len) {
        return Decoded::Bad(format!("impossible record length {body_len}"));
    }
    let len = FRAME_HEAD_LEN + body_len;
    if b.len() < len {
        return Decoded::Short { needed: len };
    }
    let body = &b[FRAME_HEAD_LEN..len];
    if u32le(b, 8) != crc32c::crc32c(body) {
        return Decoded::Bad("record checksum mismatch".into());
    }
    Decoded::Frame(Frame {
        flags: body[0],
        seq: u64le(body, 1),
        recorded_at: RecordedAt::from_micros(u64le(body, 9) as i64),
        hash: Hash(body[17..49].try_into().expect("32 bytes")),
        event: &body[49..],
        len,
    })
}

pub fn u32le(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

pub fn u64le(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

/// `00000000000000000001.seg`: segments sort by name in seq order.
pub fn segment_file_name(first_seq: u64) -> String {
    format!("{first_seq:020}.seg")
}

pub fn parse_segment_file_name(name: &str) -> Option<u64> {
    let digits = name.strip_suffix(".seg")?;
    if digits.len() != 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_commit_marks_are_checksummed() {
        let mut buf = Vec::new();
        let h = crate::chain::sha256(b"x");
        encode_frame(
            &mut buf,
            0,
            7,
            RecordedAt::from_micros(42),
            &h,
            b"{\"a\":1}",
        );
        mark_commit(&mut buf, 0);
        match decode_frame(&buf) {
            Decoded::Frame(f) => {
                assert_eq!(
                    (
                        f.flags,
                        f.seq,
                        f.recorded_at.micros(),
                        f.hash,
                        f.event,
                        f.len
                    ),
                    (COMMIT, 7, 42, h, &b"{\"a\":1}"[..], buf.len())
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            decode_frame(&buf[..buf.len() - 1]),
            Decoded::Short { .. }
        ));
        let mut flipped = buf.clone();
        flipped[30] ^= 1;
        assert!(matches!(decode_frame(&flipped), Decoded::Bad(_)));
    }

    #[test]
    fn headers_and_trailers_round_trip() {
        let h = SegmentHeader {
            flags: MID_GROUP,
            ledger_id: [9; 16],
            first_seq: 1001,
            prev_hash: crate::chain::sha256(b"p"),
        };
        assert_eq!(SegmentHeader::decode(&h.encode()).unwrap(), h);
        let t = Trailer {
            commit_frames: 3,
            last_seq: 2000,
            frames: 1000,
            last_recorded_at: RecordedAt::from_micros(5),
            last_hash: crate::chain::sha256(b"l"),
            flags: MID_GROUP,
        };
        assert_eq!(Trailer::decode(&t.encode()).unwrap(), t);
        let mut bad = t.encode();
        bad[10] ^= 1;
        assert!(Trailer::decode(&bad).is_none());
        assert_eq!(
            parse_segment_file_name(&segment_file_name(1001)),
            Some(1001)
        );
    }
}
