//! `gpu-ledger migrate`: create or upgrade the ledger's schema in
//! PostgreSQL. Commands that write do the same on first use; this is for an
//! operator who upgrades the schema on purpose, or with a role that only
//! migrations run as.

use super::{CommandError, Outcome};
use crate::store_config::{ServerStore, StoreConfig};
use gpu_ledger_ledger::PgStore;
use serde_json::json;

pub async fn run(config: &StoreConfig) -> Result<Outcome, CommandError> {
    let Some(ServerStore::Postgres(url)) = &config.server else {
        return Ok(Outcome {
            human: "Nothing to migrate: only a PostgreSQL store has a schema.".into(),
            json: json!({"migrated": false, "reason": "not a PostgreSQL store"}),
            code: 0,
        });
    };
    let store = PgStore::connect(url)?;
    let (before, after) = store.migrate().await?;
    let schema = store.schema();
    let human = if before == after {
        format!("The schema {schema} is current (version {after}).")
    } else if before == 0 {
        format!("Created the schema {schema} (version {after}).")
    } else {
        format!("Upgraded the schema {schema} from version {before} to {after}.")
    };
    Ok(Outcome {
        human,
        json: json!({"migrated": before != after, "schema": schema, "from": before, "to": after}),
        code: 0,
    })
}
