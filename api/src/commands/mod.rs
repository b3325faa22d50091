//! One module per command.

pub mod audit;
pub mod check;
pub mod checkpoint;
pub mod copy;
pub mod diff;
pub mod export;
pub mod head;
pub mod import;
pub mod keygen;
pub mod migrate;
pub mod prove;
pub mod repair;
pub mod serve;
pub mod token;
pub mod verify;
pub mod view;
pub mod witness;

use gpu_ledger_ledger::StoreError;
use gpu_ledger_replay::{RebuildError, SourceError};
use serde_json::{Value, json};

/// What a command prints when it is done.
pub struct Outcome {
    pub human: String,
    pub json: Value,
    /// 0, or 1 when the command ran but found the ledger or input wanting.
    pub code: u8,
}

/// Why a command did not do what was asked: one sentence for a person.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The input was refused; nothing was changed (exit 1).
    #[error("{message}")]
    Refused { message: String, detail: Value },
    /// The command could not run (exit 2).
    #[error("{0}")]
    Failed(String),
}

impl CommandError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CommandError::Refused { .. } => 1,
            CommandError::Failed(_) => 2,
        }
    }

    pub fn to_json(&self) -> Value {
        match self {
            CommandError::Refused { message, detail } => {
                let mut v = detail.clone();
                if let Value::Object(m) = &mut v {
                    m.insert("message".into(), message.clone().into());
                    m.entry("error").or_insert("refused".into());
                }
                v
            }
            CommandError::Failed(m) => json!({"error": "failed", "message": m}),
        }
    }
}

impl From<StoreError> for CommandError {
    fn from(e: StoreError) -> Self {
        let advice = match &e {
            StoreError::Locked { .. } => "; stop the other process or use another --data directory",
            StoreError::Damaged { .. } | StoreError::Broken { .. } => {
                "; run `gpu-ledger verify` to see the first bad record"
            }
            _ => "",
        };
        CommandError::Failed(format!("{e}{advice}"))
    }
}

impl From<SourceError> for CommandError {
    fn from(e: SourceError) -> Self {
        match e {
            SourceError::Store(s) => s.into(),
            other => CommandError::Failed(other.to_string()),
        }
    }
}

impl From<RebuildError> for CommandError {
    fn from(e: RebuildError) -> Self {
        match e {
            RebuildError::Source(s) => s.into(),
            other => CommandError::Failed(format!("the stored ledger does not replay: {other}")),
        }
    }
}

/// `1234567` as `1,234,567`, for people.
pub use gpu_ledger_projections::table::grouped;

/// Records to read: from an export file, or from the store (with its head
/// seq, so progress can show how far there is to go).
pub async fn open_source(
    config: &crate::store_config::StoreConfig,
    export: Option<&std::path::Path>,
) -> Result<(gpu_ledger_replay::Source, Option<u64>), CommandError> {
    Ok(match export {
        Some(path) => (gpu_ledger_replay::Source::export(path)?, None),
        None => {
            let store = config.open_for_reading()?;
            let head = store.head().await?;
            (gpu_ledger_replay::Source::store(store), Some(head.seq))
        }
    })
}

/// Writes `bytes` to a file that must not exist yet, and syncs it: what a
/// command hands a person to keep.
pub fn write_new(path: &std::path::Path, bytes: &[u8]) -> Result<(), CommandError> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| CommandError::Failed(format!("cannot create {}: {e}", path.display())))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(|e| CommandError::Failed(format!("cannot write {}: {e}", path.display())))
}
