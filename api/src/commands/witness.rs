//! `gpu-ledger witness serve`: run a witness (C2SP tlog-witness) for one or
//! more ledgers, as an independent body would: it cosigns a ledger's
//! checkpoint only if it extends the last one it cosigned.

use super::{CommandError, Outcome};
use crate::commands::check::verifier;
use crate::commands::checkpoint::load_signer;
use gpu_ledger_ledger::witness::Witness;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(clap::Subcommand, Debug)]
pub enum WitnessArgs {
    /// Serve `POST /add-checkpoint` and `GET /<origin hash>/checkpoint`.
    #[command(
        after_help = "Example:\n  gpu-ledger keygen --witness --name audit-board.example/w1 --out witness.key > witness.vkey\n  gpu-ledger witness serve --key witness.key --log ledger.msit.go.kr/gpu=\"$(cat ledger.vkey)\" --data witness-data --listen 0.0.0.0:7380"
    )]
    Serve(ServeWitnessArgs),
}

#[derive(clap::Args, Debug)]
pub struct ServeWitnessArgs {
    /// The witness's private key (`gpu-ledger keygen --witness`).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// A ledger to witness: its origin and its verifier key (or a file holding it). Repeatable.
    #[arg(long = "log", value_name = "ORIGIN=VKEY", required = true)]
    pub logs: Vec<String>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:7380", value_name = "HOST:PORT")]
    pub listen: SocketAddr,
}

/// `data` is the global `--data DIR`: where the last cosigned checkpoint of
/// each ledger is kept (required: a witness must not forget by accident).
pub async fn run(data: Option<&Path>, args: &WitnessArgs) -> Result<Outcome, CommandError> {
    let WitnessArgs::Serve(args) = args;
    let data = data.ok_or_else(|| {
        CommandError::Failed(
            "a witness needs --data DIR to keep what it cosigned across restarts".into(),
        )
    })?;
    let signer = load_signer(&args.key)?;
    let mut keys = Vec::new();
    for log in &args.logs {
        let (origin, key) = log
            .split_once('=')
            .ok_or_else(|| CommandError::Failed(format!("--log {log:?} is not ORIGIN=VKEY")))?;
        let key = verifier(key)?;
        if key.name != origin {
            return Err(CommandError::Failed(format!(
                "--log {origin}: the key is named {:?}; a log's key is named by its origin",
                key.name
            )));
        }
        keys.push(key);
    }
    let witness =
        Witness::open(signer, keys, data).map_err(|e| CommandError::Failed(e.to_string()))?;
    let vkey = witness.verifier().to_text();
    let server = crate::witness::start(Arc::new(witness), args.listen)
        .await
        .map_err(CommandError::Failed)?;
    eprintln!(
        "gpu-ledger witness {vkey} is serving on http://{}/add-checkpoint for {} log(s); kept in {}. Stop with Ctrl-C.",
        server.addr,
        args.logs.len(),
        data.display()
    );
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| CommandError::Failed(format!("cannot wait for Ctrl-C: {e}")))?;
    server.stop().await;
    Ok(Outcome {
        human: "Stopped.".into(),
        json: serde_json::json!({"stopped": true}),
        code: 0,
    })
}
