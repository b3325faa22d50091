//! `gpu-ledger keygen`: a key to sign checkpoints with.

use super::{CommandError, Outcome};
use gpu_ledger_ledger::note::{KeyKind, NoteSigner};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct KeygenArgs {
    /// The log's origin, e.g. `ledger.msit.go.kr/gpu`: the first line of every checkpoint.
    #[arg(long, value_name = "ORIGIN")]
    pub name: String,

    /// Where to write the private key (mode 0600; refuses to overwrite).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    /// A witness's key (C2SP tlog-cosignature, type 0x04), named e.g.
    /// `audit-board.example/w1`, instead of a ledger's.
    #[arg(long)]
    pub witness: bool,
}

pub fn run(args: &KeygenArgs) -> Result<Outcome, CommandError> {
    let kind = match args.witness {
        true => KeyKind::Cosignature,
        false => KeyKind::Ed25519,
    };
    let signer = NoteSigner::generate_kind(&args.name, kind)
        .map_err(|e| CommandError::Failed(e.to_string()))?;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&args.out)
        .map_err(|e| CommandError::Failed(format!("cannot create {}: {e}", args.out.display())))?;
    writeln!(f, "{}", signer.to_private_text())
        .and_then(|_| f.sync_all())
        .map_err(|e| CommandError::Failed(format!("cannot write {}: {e}", args.out.display())))?;
    let verifier = signer.verifier().to_text();
    // The explanation goes to stderr so that stdout is the verifier key
    // alone: `keygen ... > verifier.key` gives a file `--pubkey` accepts.
    let readers = match args.witness {
        true => {
            "give it to the ledger's operator (serve --witness) and to readers who require your cosignature"
        }
        false => "publish it; auditors check checkpoints with it",
    };
    eprintln!(
        "Private key written to {} (keep it secret).\nVerifier key on stdout ({readers}).",
        args.out.display()
    );
    Ok(Outcome {
        human: verifier.clone(),
        json: serde_json::json!({"private_key_file": args.out, "verifier_key": verifier}),
        code: 0,
    })
}
