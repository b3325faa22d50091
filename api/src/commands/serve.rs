//! `gpu-ledger serve`: the HTTP API over the ledger, views kept live.

use super::{CommandError, Outcome, grouped};
use crate::server::auth::Tokens;
use crate::server::witnessing::{WitnessConfig, WitnessPeer};
use crate::server::{Access, Limits};
use crate::store_config::StoreConfig;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
    pub addr: SocketAddr,

    /// Tokens file (hash, role, subject per line; see `gpu-ledger token`).
    /// Without it the server runs in local mode: loopback only, no tokens.
    #[arg(long, value_name = "FILE")]
    pub tokens: Option<PathBuf>,

    /// Import this JSON Lines file first if the ledger is empty (for demos).
    #[arg(long, value_name = "FILE.jsonl")]
    pub load: Option<PathBuf>,

    /// Largest request body in bytes.
    #[arg(long, default_value_t = 8 << 20, value_name = "BYTES")]
    pub max_body: usize,

    /// Most events in one appended batch.
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub max_batch: usize,

    /// Most records in one page of `GET /v1/events` (a larger `limit` is cut to it).
    #[arg(long, default_value_t = Limits::default().page_records, value_name = "N")]
    pub max_page: usize,

    /// Most live streams (`/v1/events/live`, the dashboard's live list) all
    /// clients together may hold; one more is a 503 naming `live_total`.
    #[arg(long, default_value_t = Limits::default().subscriptions_total, value_name = "N")]
    pub max_streams: usize,

    /// Most live streams one token (or local mode) may hold; one more is a
    /// 429 naming `live_per_principal`.
    #[arg(long, default_value_t = Limits::default().subscriptions, value_name = "N")]
    pub max_streams_per_principal: usize,

    /// Bytes a live stream reads ahead of what its client took, and bytes a
    /// connection buffers for writing (at least 8192).
    #[arg(long, default_value_t = Limits::default().reader_bytes, value_name = "BYTES")]
    pub reader_bytes: usize,

    /// Most connections served at once; more wait in the listen queue while
    /// those open keep working.
    #[arg(long, default_value_t = Limits::default().connections, value_name = "N")]
    pub max_connections: usize,

    /// Seconds a request's headers may take to arrive, counted from when the
    /// connection is ready for one (so idle keep-alive connections close too).
    #[arg(long, default_value_t = Limits::default().header_timeout.as_secs_f64(), value_name = "SECS")]
    pub header_timeout: f64,

    /// Seconds a response may wait on a client that takes nothing before its
    /// connection is closed; a live stream whose client takes less than
    /// --reader-bytes per this long of waiting on it is ended with an end
    /// event (either way a stream resumes with `Last-Event-ID`).
    #[arg(long, default_value_t = Limits::default().stall_timeout.as_secs_f64(), value_name = "SECS")]
    pub stall_timeout: f64,

    /// Seconds streams and connections get to end after Ctrl-C or SIGTERM
    /// before the server stops anyway and writes its snapshot.
    #[arg(long, default_value_t = Limits::default().shutdown_grace.as_secs_f64(), value_name = "SECS")]
    pub shutdown_grace: f64,

    /// Bytes of `Idempotency-Key` answers kept per token.
    #[arg(long, default_value_t = Limits::default().idempotency.principal_bytes, value_name = "BYTES")]
    pub idempotency_bytes: usize,

    /// Bytes of `Idempotency-Key` answers kept for all tokens together.
    #[arg(long, default_value_t = Limits::default().idempotency.total_bytes, value_name = "BYTES")]
    pub idempotency_total_bytes: usize,

    /// Seconds an `Idempotency-Key` answer is kept for retries.
    #[arg(long, default_value_t = Limits::default().idempotency.retention.as_secs(), value_name = "SECS")]
    pub idempotency_retention: u64,

    /// Sign checkpoints with this key (from `gpu-ledger keygen`), on a schedule and on demand.
    #[arg(long, value_name = "FILE")]
    pub checkpoint_key: Option<PathBuf>,

    /// Seconds between scheduled checkpoints (signed only when the ledger grew).
    #[arg(long, default_value_t = 300, value_name = "SECS")]
    pub checkpoint_every: u64,

    /// A witness to cosign each checkpoint (C2SP tlog-witness): a name for
    /// logs, its URL prefix, its verifier key. Repeatable.
    #[arg(
        long = "witness",
        value_name = "NAME=URL=VKEY",
        requires = "checkpoint_key"
    )]
    pub witnesses: Vec<String>,

    /// Publish a checkpoint only once this many witnesses cosigned it [default: all of them].
    #[arg(long, value_name = "K")]
    pub witness_quorum: Option<usize>,

    /// Seconds to wait for one witness's answer.
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    pub witness_timeout: u64,
}

pub async fn run(config: &StoreConfig, args: &ServeArgs) -> Result<Outcome, CommandError> {
    no_transparent_huge_pages();
    let access = match &args.tokens {
        Some(path) => {
            let tokens = Tokens::load(path).map_err(CommandError::Failed)?;
            if tokens.is_empty() {
                return Err(CommandError::Failed(format!(
                    "the tokens file {} holds no token; add one with `gpu-ledger token --role office --tokens {}`",
                    path.display(),
                    path.display()
                )));
            }
            Access::Tokens(tokens)
        }
        None => Access::Local,
    };
    let local = matches!(access, Access::Local);
    let store = config.open_for_writing()?;
    if let Some(file) = &args.load {
        match store.head().await?.seq {
            0 => {
                let (n, _) = crate::import::import_into(
                    store.clone(),
                    file,
                    Some(0),
                    false,
                    Some(&config.state_dir()),
                )
                .await?;
                eprintln!("Loaded {} events from {}.", grouped(n), file.display());
            }
            held => eprintln!(
                "Skipped --load {}: the ledger already holds {} events (load fills an empty ledger only; use `import` to add).",
                file.display(),
                grouped(held)
            ),
        }
    }
    let limits = limits_of(args)?;
    let signer = args
        .checkpoint_key
        .as_ref()
        .map(super::checkpoint::load_signer)
        .transpose()?;
    let peers = args
        .witnesses
        .iter()
        .map(|w| WitnessPeer::parse(w))
        .collect::<Result<Vec<_>, _>>()
        .map_err(CommandError::Failed)?;
    let witnesses = WitnessConfig {
        quorum: args.witness_quorum.unwrap_or(peers.len()),
        peers,
        timeout: std::time::Duration::from_secs(args.witness_timeout.max(1)),
    };
    let checkpoints = crate::server::transparency::TransparencyConfig {
        state_dir: Some(config.state_dir()),
        signer,
        every: std::time::Duration::from_secs(args.checkpoint_every.max(1)),
        witnesses,
    };
    let server = crate::server::start(store, args.addr, access, limits, checkpoints)
        .await
        .map_err(CommandError::Failed)?;
    let head = server.state.live.store().head().await?;
    let base = format!("http://{}", server.addr);
    eprintln!(
        "gpu-ledger is serving the ledger in {} ({} events, head {}) on {base}",
        server.state.live.store().describe(),
        grouped(head.seq),
        head.hash
    );
    // With tokens, the examples that need one carry the header, so that
    // they work when pasted after `T=$(gpu-ledger token ...)`.
    let auth = if local {
        eprintln!(
            "Local mode: no tokens file, so every request may append; bound to loopback only."
        );
        ""
    } else {
        eprintln!("Tokens required: send `Authorization: Bearer <token>`.");
        " -H \"Authorization: Bearer $T\""
    };
    eprintln!("Dashboard: {base}/");
    eprintln!(
        "Try:\n  curl {base}/v1/health\n  curl{auth} {base}/v1/chain/head\n  curl{auth} '{base}/v1/views/calls?format=csv'\n  curl{auth} '{base}/v1/events?after={}&limit=5'\n  curl{auth} -N {base}/v1/events/live\n  curl {base}/v1/openapi.json\n  curl {base}/metrics\nStop with Ctrl-C.",
        head.seq.saturating_sub(5)
    );
    let served = server
        .task
        .await
        .map_err(|e| CommandError::Failed(format!("the server failed: {e}")))?;
    served.map_err(|e| CommandError::Failed(format!("the server failed: {e}")))?;
    // The next start replays only what comes after this.
    server.state.live.write_snapshot().await;
    Ok(Outcome {
        human: "Stopped.".into(),
        json: serde_json::json!({"stopped": true}),
        code: 0,
    })
}

/// The server's limits from the flags; a duration that is not a positive
/// number of seconds is refused by name.
fn limits_of(args: &ServeArgs) -> Result<Limits, CommandError> {
    let secs = |flag: &str, v: f64| {
        std::time::Duration::try_from_secs_f64(v)
            .ok()
            .filter(|d| !d.is_zero())
            .ok_or_else(|| {
                CommandError::Failed(format!(
                    "--{flag} must be a positive number of seconds (found {v})"
                ))
            })
    };
    Ok(Limits {
        body_bytes: args.max_body,
        batch_events: args.max_batch,
        page_records: args.max_page.max(1),
        subscriptions: args.max_streams_per_principal,
        subscriptions_total: args.max_streams,
        reader_bytes: args.reader_bytes,
        connections: args.max_connections.max(1),
        header_timeout: secs("header-timeout", args.header_timeout)?,
        stall_timeout: secs("stall-timeout", args.stall_timeout)?,
        shutdown_grace: secs("shutdown-grace", args.shutdown_grace)?,
        idempotency: crate::server::idempotency::Bounds {
            principal_bytes: args.idempotency_bytes,
            total_bytes: args.idempotency_total_bytes,
            retention: std::time::Duration::from_secs(args.idempotency_retention),
        },
    })
}

/// A server is long-lived and mostly idle, so its memory is what it holds,
/// not what its allocator has reserved. With transparent huge pages, each
/// arena mimalloc asks the kernel to back with 2 MiB pages was resident in
/// whole however little of it was used: 223 of an idle server's 398 MiB on
/// a 1M-event ledger (issue 19). Batch commands keep them (they are short,
/// and huge pages save TLB misses on their large folds).
fn no_transparent_huge_pages() {
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and touches only this
    // process's flags.
    let refused = unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) } != 0;
    if refused {
        tracing::debug!("the kernel kept transparent huge pages on for the server");
    }
}
