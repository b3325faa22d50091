//! What auditors run: read the ledger from a store or from an export file,
//! check that nothing was altered, and rebuild what it says.
//!
//! - [`source`]: records in seq order from a store or an export;
//! - [`verify`]: the chain check (and, deeper, every event against the rules).

pub mod source;
pub mod verify;

pub use source::{Source, SourceError};
pub use verify::{VerifyOptions, VerifyReport, verify};
pub mod rebuild;
pub use rebuild::{RebuildError, rebuild_programme};
