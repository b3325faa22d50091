//! `gpu-ledger import FILE.jsonl`: append a file of events, all or nothing
//! (the pipeline is [`crate::import`]).

use super::{CommandError, Outcome, grouped};
use crate::import::{ImportError, LineFault, import_into};
use crate::store_config::StoreConfig;
use serde_json::json;
use std::fs::File;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// A JSON Lines file: one event body per line.
    #[arg(value_name = "FILE.jsonl")]
    pub file: PathBuf,

    /// Refuse the import unless the ledger's head is at this seq (0 for an empty ledger).
    #[arg(long, value_name = "SEQ")]
    pub expected_seq: Option<u64>,

    /// Leave no snapshot and no Merkle node files for the server: the import
    /// is faster (the views are not folded, the tree not built), and the
    /// server's first start replays the whole ledger instead.
    #[arg(long)]
    pub no_derived_files: bool,
}

pub async fn run(
    config: &StoreConfig,
    args: &ImportArgs,
    json: bool,
) -> Result<Outcome, CommandError> {
    if let Err(e) = File::open(&args.file) {
        return Err(CommandError::Failed(format!(
            "cannot read {}: {e}",
            args.file.display()
        )));
    }
    let store = config.open_for_writing()?;
    let started = std::time::Instant::now();
    let (appended, head) = import_into(
        store,
        &args.file,
        args.expected_seq,
        json,
        (!args.no_derived_files)
            .then(|| config.state_dir())
            .as_deref(),
    )
    .await?;
    let secs = started.elapsed().as_secs_f64();
    Ok(Outcome {
        human: format!(
            "Imported {} events from {} in {secs:.2} s ({:.0} events/s).\nHead: seq {}, hash {}.",
            grouped(appended),
            args.file.display(),
            appended as f64 / secs.max(1e-9),
            head.seq,
            head.hash
        ),
        json: json!({"appended": appended, "head": head.hash, "seq": head.seq}),
        code: 0,
    })
}

impl From<ImportError> for CommandError {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::Refused { line, fault } => match fault {
                LineFault::Event(e) => CommandError::Refused {
                    message: format!("line {line}: {e}; nothing was imported"),
                    detail: json!({"error": e.kind(), "line": line}),
                },
                LineFault::Rule(e) => {
                    let mut detail = e.to_json();
                    detail["line"] = line.into();
                    CommandError::Refused {
                        message: format!(
                            "line {line} breaks rule {}: {e}; nothing was imported",
                            e.rule()
                        ),
                        detail,
                    }
                }
            },
            ImportError::Conflict { expected, head } => CommandError::Refused {
                message: format!(
                    "the ledger's head is at seq {}, not the expected {expected}; nothing was imported",
                    head.seq
                ),
                detail: json!({"error": "conflict", "head": head}),
            },
            ImportError::Store(e) => e.into(),
            ImportError::Replay(e) => e.into(),
            ImportError::Aborted { error, abort } => {
                let first: CommandError = (*error).into();
                CommandError::Failed(format!("{first}; {abort}"))
            }
            ImportError::Failed(m) => CommandError::Failed(m),
        }
    }
}
