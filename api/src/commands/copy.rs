//! `gpu-ledger copy --from STORE --to STORE`: moves a ledger between
//! backends record for record, keeping every seq, `recorded_at` and hash,
//! so the copy exports byte for byte what the original does.
//!
//! Every record read is checked (its hash, its link to the one before) and
//! checked again by the target as it is pushed; the records go in as one
//! import (all or nothing where the target's imports are), and the copy
//! ends only with both heads equal. A target that already holds the
//! beginning of the same ledger (an interrupted copy) is continued.

use super::{CommandError, Outcome, grouped};
use crate::progress::Progress;
use crate::store_config::StoreConfig;
use gpu_ledger_ledger::cursor::Cursor;
use gpu_ledger_ledger::{EventStore, Head};
use serde_json::json;
use std::sync::Arc;

/// Records read and pushed at a time.
const PAGE: usize = 4096;

#[derive(clap::Args, Debug)]
pub struct CopyArgs {
    /// Where the ledger is: file:DIR, postgres://..., esdb://...
    #[arg(long, value_name = "STORE")]
    pub from: String,

    /// Where it goes: an empty store, or one holding the beginning of the
    /// same ledger (which is continued).
    #[arg(long, value_name = "STORE")]
    pub to: String,
}

pub async fn run(args: &CopyArgs, json: bool) -> Result<Outcome, CommandError> {
    let open = |store: &str| StoreConfig::of_store(store, None).map_err(CommandError::Failed);
    let from = open(&args.from)?.open_for_reading()?;
    let to = open(&args.to)?.open_for_writing()?;
    if from.describe() == to.describe() {
        return Err(CommandError::Failed(format!(
            "--from and --to both name {}",
            from.describe()
        )));
    }
    let source = from.head().await?;
    let start = to.head().await?;
    check_target(from.as_ref(), to.as_ref(), &source, &start).await?;
    let started = std::time::Instant::now();
    let copied = copy_records(&from, &to, &source, &start, json).await?;
    let head = to.head().await?;
    if (head.seq, head.hash) != (source.seq, source.hash) {
        return Err(CommandError::Failed(format!(
            "after the copy {} is at seq {} ({}), not at the source's head seq {} ({})",
            to.describe(),
            head.seq,
            head.hash,
            source.seq,
            source.hash
        )));
    }
    let secs = started.elapsed().as_secs_f64();
    Ok(Outcome {
        human: format!(
            "Copied {} records from {} to {} in {secs:.2} s; both heads are at seq {}, hash {}.",
            grouped(copied),
            from.describe(),
            to.describe(),
            head.seq,
            head.hash
        ),
        json: json!({"copied": copied, "seq": head.seq, "head": head.hash, "from": from.describe(), "to": to.describe()}),
        code: 0,
    })
}

/// The target must be empty, or hold a beginning of the source's ledger.
async fn check_target(
    from: &dyn EventStore,
    to: &dyn EventStore,
    source: &Head,
    start: &Head,
) -> Result<(), CommandError> {
    if start.seq == 0 {
        return Ok(());
    }
    let same = if start.seq <= source.seq {
        from.read(start.seq, 1)
            .await?
            .first()
            .is_some_and(|r| r.seq == start.seq && r.hash == start.hash)
    } else {
        false
    };
    if same {
        return Ok(());
    }
    Err(CommandError::Refused {
        message: format!(
            "{} already holds {} records that are not the beginning of the ledger in {}; \
             copy into an empty store",
            to.describe(),
            grouped(start.seq),
            from.describe()
        ),
        detail: json!({"error": "target_not_empty", "target_seq": start.seq}),
    })
}

async fn copy_records(
    from: &Arc<dyn EventStore>,
    to: &Arc<dyn EventStore>,
    source: &Head,
    start: &Head,
    json: bool,
) -> Result<u64, CommandError> {
    let mut session = to.begin_import(Some(start.seq)).await?;
    let mut cursor = Cursor::after(start.seq);
    let progress = Progress::new(json, Some(source.seq - start.seq), "copying");
    let mut copied = 0u64;
    let outcome: Result<(), CommandError> = async {
        while cursor.last_seq() < source.seq {
            let want = (source.seq - cursor.last_seq()).min(PAGE as u64) as usize;
            let page = from.read(cursor.last_seq() + 1, want).await?;
            if page.is_empty() {
                return Err(CommandError::Failed(format!(
                    "{} ended at seq {}, before its head seq {}",
                    from.describe(),
                    cursor.last_seq(),
                    source.seq
                )));
            }
            let mut checked = Vec::with_capacity(page.len());
            for record in page {
                if record.computed_hash() != record.hash {
                    return Err(broken(
                        from.as_ref(),
                        record.seq,
                        "its hash is not the hash of its contents".into(),
                    ));
                }
                let seq = record.seq;
                match cursor.accept(record) {
                    Ok(Some(r)) => checked.push(r),
                    Ok(None) => {}
                    Err(b) => return Err(broken(from.as_ref(), seq, b.reason)),
                }
            }
            copied += checked.len() as u64;
            session.push_records(checked).await?;
            progress.update(copied, copied);
        }
        Ok(())
    }
    .await;
    progress.finish();
    match outcome {
        Ok(()) => {
            session.commit().await?;
            Ok(copied)
        }
        Err(e) => {
            let _ = session.abort().await;
            Err(e)
        }
    }
}

fn broken(store: &dyn EventStore, seq: u64, reason: String) -> CommandError {
    CommandError::Refused {
        message: format!(
            "{}: record seq {seq} breaks the chain: {reason}; nothing was copied past it",
            store.describe()
        ),
        detail: json!({"error": "broken", "seq": seq}),
    }
}
