//! A file store's data directory as the tests look at it from outside: its
//! segment files, and copies of it as a crash or another machine sees them.

use std::path::{Path, PathBuf};

/// Paths of the segment files of a data directory, in order.
pub fn segments(data: &Path) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(data)
        .unwrap_or_else(|e| panic!("cannot list the data directory {}: {e}", data.display()));
    let mut v: Vec<_> = entries
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "seg"))
        .collect();
    v.sort();
    v
}

/// The segment the store appends to.
pub fn last_segment(data: &Path) -> PathBuf {
    segments(data)
        .pop()
        .unwrap_or_else(|| panic!("{} has no segment file", data.display()))
}

/// The first segment holding `needle`, and where in it.
pub fn find_in_segments(data: &Path, needle: &[u8]) -> (PathBuf, usize) {
    for seg in segments(data) {
        let bytes = read(&seg);
        if let Some(at) = bytes.windows(needle.len()).position(|w| w == needle) {
            return (seg, at);
        }
    }
    panic!("{} not found", String::from_utf8_lossy(needle));
}

/// Copies the files of `from` into `to` (created if need be), as a crash or
/// a restart on another machine would find them: without the `LOCK` of the
/// process that held them.
pub fn copy_files(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("cannot create {}: {e}", to.display()));
    let entries =
        std::fs::read_dir(from).unwrap_or_else(|e| panic!("cannot list {}: {e}", from.display()));
    for e in entries {
        let e = e.expect("a directory entry");
        let is_file = e.file_type().is_ok_and(|t| t.is_file());
        if is_file && e.file_name() != "LOCK" {
            std::fs::copy(e.path(), to.join(e.file_name()))
                .unwrap_or_else(|err| panic!("cannot copy {}: {err}", e.path().display()));
        }
    }
}

pub(crate) fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

pub(crate) fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}
