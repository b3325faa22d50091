//! `gpu-ledger token`: make a token for a role; only its hash is kept.

use super::{CommandError, Outcome};
use crate::server::auth::{Role, new_token, token_hash};
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct TokenArgs {
    /// office, reviewer, applicant, monitor, auditor or analyst.
    #[arg(long)]
    pub role: String,

    /// The reviewer id (reviewer) or organization id (applicant).
    #[arg(long)]
    pub subject: Option<String>,

    /// Append the token's hash line to this tokens file (created if missing, mode 0600).
    #[arg(long, value_name = "FILE")]
    pub tokens: Option<PathBuf>,
}

pub fn run(args: &TokenArgs) -> Result<Outcome, CommandError> {
    let role = Role::parse(&args.role, args.subject.as_deref()).map_err(CommandError::Failed)?;
    let token = new_token().map_err(CommandError::Failed)?;
    let line = format!("{} {role}", hex::encode(token_hash(&token)));
    if let Some(path) = &args.tokens {
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| CommandError::Failed(format!("cannot write {}: {e}", path.display())))?;
        writeln!(f, "{line}")
            .map_err(|e| CommandError::Failed(format!("cannot write {}: {e}", path.display())))?;
    }
    let kept = match &args.tokens {
        Some(p) => format!("Its hash was added to {}.", p.display()),
        None => format!("Add this line to the tokens file:\n{line}"),
    };
    // The explanation goes to stderr so that stdout is the token alone:
    // `T=$(gpu-ledger token ...)` captures exactly the token.
    eprintln!("Token for {role} on stdout (shown once; keep it secret). {kept}");
    Ok(Outcome {
        human: token.clone(),
        json: serde_json::json!({"token": token, "role": role.to_string(), "line": line}),
        code: 0,
    })
}
