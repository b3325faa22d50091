//! `gpu-ledger head`: the last record's seq and hash.

use super::{CommandError, Outcome};
use crate::store_config::StoreConfig;
use serde_json::json;

pub async fn run(config: &StoreConfig) -> Result<Outcome, CommandError> {
    let store = config.open_for_reading()?;
    let head = store.head().await?;
    let human = match head.recorded_at {
        Some(at) => format!("seq {}\nhash {}\nrecorded_at {at}", head.seq, head.hash),
        None => format!("seq 0 (the ledger is empty)\nhash {}", head.hash),
    };
    Ok(Outcome {
        human,
        json: json!({"seq": head.seq, "hash": head.hash, "recorded_at": head.recorded_at}),
        code: 0,
    })
}
