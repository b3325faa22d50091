//! What auditors run: read the ledger from a store or from an export file,
//! check that nothing was altered, and rebuild what it says.
//!
//! - [`source`]: records in seq order from a store or an export;
//! - [`fold`]: the one loop from records to decoded events, fed to
//!   whatever consumes them (rules, views, the Merkle tree, audits), in
//!   batches for a replay or one by one as the live ledger grows;
//! - [`verify`]: the chain check (and, deeper, every event against the rules);
//! - [`proof`]: inclusion and consistency proofs of the Merkle tree, made and checked;
//! - [`rebuild`], [`views`]: the programme state and the analysts' views as
//!   of any point in history, replayed in batches that are decoded on every
//!   core while the batch before is applied;
//! - [`audit`]: audit reports with their exceptions, traces, and diffs
//!   between two points in history;
//! - [`language`]: Korean and English, and the Fluent catalogs that
//!   reports and pages are written from.

pub mod audit;
pub mod fold;
pub mod language;
pub mod links;
pub mod source;
pub mod verify;

pub use source::{Source, SourceError};
pub use verify::{VerifyOptions, VerifyReport, verify};
pub mod proof;
pub mod rebuild;
pub mod views;
pub use fold::{Entry, Follower, fold, follow};
pub use rebuild::{RebuildError, rebuild_programme};
pub use views::{OccurredBy, Until, rebuild_views};
