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

/// `--from-export FILE` (or `--export FILE`): one spelling for every
/// command that reads a ledger, to read an export handed over as a copy
/// instead of the data directory.
#[derive(clap::Args, Debug, Default)]
pub struct FromExport {
    /// Read an export file instead of the data directory.
    #[arg(long = "from-export", visible_alias = "export", value_name = "FILE")]
    from_export: Option<std::path::PathBuf>,
}

impl FromExport {
    pub fn path(&self) -> Option<&std::path::Path> {
        self.from_export.as_deref()
    }
}

/// Where history stops, as every command that reads a point takes it: a
/// seq, a business time (`--as-of`: the longest prefix of the ledger whose
/// events all occurred by then) or a ledger time (`--recorded-as-of`: the
/// records the ledger had recorded by then, an auditor's question).
#[derive(clap::Args, Debug, Clone)]
pub struct PointArgs {
    /// Up to record seq N.
    #[arg(long, value_name = "N", conflicts_with_all = ["as_of", "recorded_as_of"])]
    pub until_seq: Option<u64>,

    /// As of business time T (RFC 3339): the events that had occurred by
    /// then, up to the first one that occurred later.
    #[arg(long, value_name = "T", value_parser = gpu_ledger_domain::Timestamp::parse, conflicts_with = "recorded_as_of")]
    pub as_of: Option<gpu_ledger_domain::Timestamp>,

    /// As the ledger had recorded it by time T (records with recorded_at <= T; RFC 3339).
    #[arg(long, value_name = "T", value_parser = gpu_ledger_ledger::time::parse_time)]
    pub recorded_as_of: Option<gpu_ledger_ledger::RecordedAt>,
}

impl PointArgs {
    pub fn until(&self) -> gpu_ledger_replay::Until {
        use gpu_ledger_replay::Until;
        match (self.until_seq, &self.as_of, self.recorded_as_of) {
            (Some(n), _, _) => Until::Seq(n),
            (None, Some(t), _) => Until::OccurredAt(t.instant()),
            (None, None, Some(t)) => Until::RecordedAt(t),
            (None, None, None) => Until::Head,
        }
    }

    /// `{"clock", "at"}` for an answer at a time: which clock it read.
    pub fn as_of_json(&self) -> Option<Value> {
        match (&self.as_of, self.recorded_as_of) {
            (Some(t), _) => Some(json!({"clock": "occurred_at", "at": t.as_str()})),
            (None, Some(t)) => Some(json!({"clock": "recorded_at", "at": t.to_string()})),
            (None, None) => None,
        }
    }
}

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
