//! `gpu-ledger check`: check proofs and checkpoints without trusting the
//! server: only the proof, the record or checkpoints, and the public key.

use super::{CommandError, Outcome};
use gpu_ledger_ledger::bundle::{self, Policy};
use gpu_ledger_ledger::checkpoint::Checkpoint;
use gpu_ledger_ledger::note::NoteVerifier;
use gpu_ledger_replay::proof::{
    ConsistencyProof, InclusionProof, check_against_checkpoint, check_consistency, check_inclusion,
};
use serde_json::json;
use std::path::{Path, PathBuf};

#[derive(clap::Subcommand, Debug)]
pub enum CheckArgs {
    /// An inclusion proof; with --record, that it proves this record; with
    /// --checkpoint and --pubkey, that its root is the signed one.
    #[command(
        after_help = "Example:\n  gpu-ledger check inclusion --proof proof.json --record record.json --checkpoint cp.note --pubkey KEY"
    )]
    Inclusion {
        #[arg(long, value_name = "FILE")]
        proof: PathBuf,
        /// The record as one line of an export.
        #[arg(long, value_name = "FILE")]
        record: Option<PathBuf>,
        #[arg(long, value_name = "FILE", requires = "pubkey")]
        checkpoint: Option<PathBuf>,
        /// The verifier key, or a file holding it.
        #[arg(long, value_name = "KEY")]
        pubkey: Option<String>,
    },
    /// A consistency proof; with checkpoints and --pubkey, that its roots are the signed ones.
    #[command(
        after_help = "Example:\n  gpu-ledger check consistency --proof proof.json --from-checkpoint old.note --to-checkpoint new.note --pubkey KEY"
    )]
    Consistency {
        #[arg(long, value_name = "FILE")]
        proof: PathBuf,
        #[arg(long, value_name = "FILE", requires = "pubkey")]
        from_checkpoint: Option<PathBuf>,
        #[arg(long, value_name = "FILE", requires = "pubkey")]
        to_checkpoint: Option<PathBuf>,
        #[arg(long, value_name = "KEY")]
        pubkey: Option<String>,
    },
    /// A proof bundle (`prove bundle`), offline: the ledger's signature, the
    /// witnesses' cosignatures, the record and its inclusion.
    #[command(
        after_help = "Example:\n  gpu-ledger check bundle AW-2026-0006.tlog-proof --key ledger.vkey --witness-key board.vkey --witness-key ministry.vkey --quorum 2"
    )]
    Bundle {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The ledger's verifier key, or a file holding it.
        #[arg(long, value_name = "VKEY")]
        key: String,
        /// A trusted witness's verifier key (or file). Repeatable.
        #[arg(long = "witness-key", value_name = "VKEY")]
        witness_keys: Vec<String>,
        /// Cosignatures required [default: every --witness-key].
        #[arg(long, value_name = "K")]
        quorum: Option<usize>,
    },
    /// A signed checkpoint, against the log's verifier key.
    #[command(
        after_help = "Example:\n  gpu-ledger check checkpoint --checkpoint cp.note --pubkey 'ledger.msit.go.kr/gpu+1a2b3c4d+AX...'"
    )]
    Checkpoint {
        #[arg(long, value_name = "FILE")]
        checkpoint: PathBuf,
        #[arg(long, value_name = "KEY")]
        pubkey: String,
    },
}

fn read(path: &Path) -> Result<String, CommandError> {
    std::fs::read_to_string(path)
        .map_err(|e| CommandError::Failed(format!("cannot read {}: {e}", path.display())))
}

/// A verifier key given inline or as a file.
pub fn verifier(key: &str) -> Result<NoteVerifier, CommandError> {
    let text = if Path::new(key).is_file() {
        read(Path::new(key))?
    } else {
        key.to_string()
    };
    NoteVerifier::parse(&text).map_err(|e| CommandError::Failed(e.to_string()))
}

fn refused(what: &str, e: impl std::fmt::Display) -> CommandError {
    CommandError::Refused {
        message: format!("{what} does not hold: {e}"),
        detail: json!({"error": "check_failed", "ok": false}),
    }
}

fn open_checkpoint(path: &Path, key: &NoteVerifier) -> Result<Checkpoint, CommandError> {
    Checkpoint::open(&read(path)?, key)
        .map_err(|e| refused(&format!("the checkpoint {}", path.display()), e))
}

fn check_bundle(
    file: &Path,
    key: &str,
    witness_keys: &[String],
    quorum: Option<usize>,
) -> Result<Outcome, CommandError> {
    let bytes = std::fs::read(file)
        .map_err(|e| CommandError::Failed(format!("cannot read {}: {e}", file.display())))?;
    let witnesses = witness_keys
        .iter()
        .map(|k| verifier(k))
        .collect::<Result<Vec<_>, _>>()?;
    let policy = Policy {
        log: verifier(key)?,
        quorum: quorum.unwrap_or(witnesses.len()),
        witnesses,
    };
    let checked = bundle::check(&bytes, &policy).map_err(|e| CommandError::Refused {
        message: format!("the bundle {} does not hold: {e}", file.display()),
        detail: json!({"error": "check_failed", "ok": false, "reason": e.to_string()}),
    })?;
    let witnessed = checked
        .cosigners
        .iter()
        .map(|(name, time)| format!("{name} at {time}"))
        .collect::<Vec<_>>();
    Ok(Outcome {
        human: format!(
            "OK: record seq {} (hash {}) is in the ledger of {} records with root {}, signed by {}{}.",
            checked.seq,
            checked.record_hash,
            checked.checkpoint.size,
            checked.checkpoint.root,
            policy.log.name,
            if witnessed.is_empty() {
                String::new()
            } else {
                format!(" and cosigned by {}", witnessed.join(", "))
            }
        ),
        json: json!({
            "ok": true,
            "seq": checked.seq,
            "size": checked.checkpoint.size,
            "root": checked.checkpoint.root,
            "cosigners": checked.cosigners.iter().map(|(n, t)| json!({"name": n, "timestamp": t})).collect::<Vec<_>>(),
        }),
        code: 0,
    })
}

pub fn run(args: &CheckArgs) -> Result<Outcome, CommandError> {
    match args {
        CheckArgs::Bundle {
            file,
            key,
            witness_keys,
            quorum,
        } => check_bundle(file, key, witness_keys, *quorum),
        CheckArgs::Inclusion {
            proof,
            record,
            checkpoint,
            pubkey,
        } => {
            let p: InclusionProof = serde_json::from_str(&read(proof)?).map_err(|e| {
                CommandError::Failed(format!("{}: not an inclusion proof: {e}", proof.display()))
            })?;
            let record = record.as_ref().map(|r| read(r)).transpose()?;
            check_inclusion(&p, record.as_deref().map(str::as_bytes))
                .map_err(|e| refused("the inclusion proof", e))?;
            if let (Some(cp), Some(key)) = (checkpoint, pubkey) {
                let c = open_checkpoint(cp, &verifier(key)?)?;
                check_against_checkpoint(&c, p.size, &p.root)
                    .map_err(|e| refused("the inclusion proof", e))?;
            }
            Ok(Outcome {
                human: format!(
                    "OK: record seq {} (hash {}) is in the ledger of {} records with root {}{}.",
                    p.seq,
                    p.record_hash,
                    p.size,
                    p.root,
                    if checkpoint.is_some() {
                        ", as the signed checkpoint states"
                    } else {
                        ""
                    }
                ),
                json: json!({"ok": true, "seq": p.seq, "size": p.size, "root": p.root}),
                code: 0,
            })
        }
        CheckArgs::Consistency {
            proof,
            from_checkpoint,
            to_checkpoint,
            pubkey,
        } => {
            let p: ConsistencyProof = serde_json::from_str(&read(proof)?).map_err(|e| {
                CommandError::Failed(format!("{}: not a consistency proof: {e}", proof.display()))
            })?;
            check_consistency(&p).map_err(|e| refused("the consistency proof", e))?;
            if let Some(key) = pubkey {
                let key = verifier(key)?;
                if let Some(cp) = from_checkpoint {
                    check_against_checkpoint(&open_checkpoint(cp, &key)?, p.from, &p.from_root)
                        .map_err(|e| refused("the consistency proof", e))?;
                }
                if let Some(cp) = to_checkpoint {
                    check_against_checkpoint(&open_checkpoint(cp, &key)?, p.to, &p.to_root)
                        .map_err(|e| refused("the consistency proof", e))?;
                }
            }
            Ok(Outcome {
                human: format!(
                    "OK: the ledger of {} records is a prefix of the ledger of {} records.",
                    p.from, p.to
                ),
                json: json!({"ok": true, "from": p.from, "to": p.to}),
                code: 0,
            })
        }
        CheckArgs::Checkpoint { checkpoint, pubkey } => {
            let c = open_checkpoint(checkpoint, &verifier(pubkey)?)?;
            Ok(Outcome {
                human: format!(
                    "OK: signed by {}: size {}, root {}.",
                    pubkey.split('+').next().unwrap_or(""),
                    c.size,
                    c.root
                ),
                json: json!({"ok": true, "size": c.size, "root": c.root}),
                code: 0,
            })
        }
    }
}
