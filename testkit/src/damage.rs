//! Damage done to a data directory the way disks and crashes do it, for the
//! tests that check the store tells a torn write from real damage.

use crate::data_dir::{find_in_segments, last_segment, read, write};
use std::path::{Path, PathBuf};

/// Cuts the last `bytes` bytes off `segment`.
pub fn cut_tail(segment: &Path, bytes: u64) {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(segment)
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", segment.display()));
    let len = file.metadata().expect("a segment's length").len();
    file.set_len(len - bytes)
        .unwrap_or_else(|e| panic!("cannot cut {}: {e}", segment.display()));
}

/// What a crash in the middle of a write leaves: the last `bytes` bytes of
/// the last segment never reached the disk, and the `HEAD` hint had not
/// caught up with the write.
pub fn tear_last_write(data: &Path, bytes: u64) {
    cut_tail(&last_segment(data), bytes);
    write(&data.join("HEAD"), b"");
}

/// Flips the bits of `mask` in the byte `offset` bytes into the first
/// occurrence of `needle` in the segments; returns the segment changed.
pub fn flip(data: &Path, needle: &[u8], offset: usize, mask: u8) -> PathBuf {
    let (seg, at) = find_in_segments(data, needle);
    let mut bytes = read(&seg);
    bytes[at + offset] ^= mask;
    write(&seg, &bytes);
    seg
}
