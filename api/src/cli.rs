//! Arguments, dispatch, and turning results into output and exit codes.
//!
//! Exit codes: 0 done; 1 the input or the ledger was refused (a bad line,
//! a broken chain); 2 the command could not run (bad arguments, a locked
//! or missing data directory, I/O).

use crate::commands::{self, CommandError, Outcome};
use crate::store_config::StoreConfig;
use clap::{Parser, Subcommand};
use gpu_ledger_ledger::RecordedAt;
use gpu_ledger_projections::terminal::shown;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "gpu-ledger",
    version,
    about = "The hash-chained ledger of Korea's national GPU-support programme",
    long_about = "gpu-ledger records every application, score, award, recall and redistribution of the \
                  national GPU-support programme as an immutable event in one SHA-256 hash-chained ledger, \
                  checks every event against the programme's rules, and lets auditors verify and replay it.",
    after_help = "Examples:\n  gpu-ledger import examples/march-2026.jsonl\n  gpu-ledger verify\n  gpu-ledger export --out ledger.jsonl"
)]
pub struct Cli {
    /// Data directory of the embedded store [default: ./ledger-data].
    #[arg(long, global = true, value_name = "DIR")]
    pub data: Option<PathBuf>,

    /// Where the ledger lives: `file:DIR` (the embedded store, the same as
    /// --data DIR), a PostgreSQL URL (`postgres://user@host:5432/db`,
    /// several hosts and `target_session_attrs=read-write` to fail over,
    /// `schema=NAME` to choose the schema) or an EventStoreDB / KurrentDB
    /// connection string (`esdb://host:2113?tls=false`, `&stream=NAME`).
    #[arg(long, global = true, value_name = "STORE")]
    pub store: Option<String>,

    /// Print one JSON object on stdout instead of text for a person.
    #[arg(long, global = true)]
    pub json: bool,

    /// Take `recorded_at` from a manual clock starting here (RFC 3339 UTC with
    /// microseconds), advancing one microsecond each time the store reads it
    /// (once per write group or import chunk): reproducible ledgers for tests.
    #[arg(long, global = true, hide = true, value_name = "TIME", value_parser = parse_recorded_at)]
    pub clock_start: Option<RecordedAt>,

    #[command(subcommand)]
    pub command: Command,
}

fn parse_recorded_at(s: &str) -> Result<RecordedAt, String> {
    RecordedAt::parse(s)
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Append the events of a JSON Lines file, all or nothing.
    ///
    /// Each line is one event body (events.md), checked against the rules and
    /// the state so far. If any line is refused, the first such line is
    /// reported with its number and rule, and nothing of the file is appended.
    ///
    /// On EventStoreDB (`--store esdb://...`) an import is not atomic: the
    /// whole file is checked first, then appended in pieces, each visible
    /// once made; a server failure part-way leaves a valid prefix of the
    /// file in the ledger, and the error names its seqs.
    #[command(
        after_help = "Example:\n  gpu-ledger import examples/march-2026.jsonl\n  gpu-ledger --json import day-42.jsonl"
    )]
    Import(commands::import::ImportArgs),

    /// Re-check the whole hash chain from disk (or from an export file).
    ///
    /// Exits 0 when every record is in order, linked and hashes as stored;
    /// exits 1 and names the first bad seq otherwise.
    #[command(
        after_help = "Example:\n  gpu-ledger verify\n  gpu-ledger verify --deep\n  gpu-ledger verify --export ledger.jsonl"
    )]
    Verify(commands::verify::VerifyArgs),

    /// Write every record as JSON Lines, as ledger-format.md specifies.
    #[command(
        after_help = "Example:\n  gpu-ledger export --out ledger.jsonl\n  gpu-ledger export | python3 check.py"
    )]
    Export(commands::export::ExportArgs),

    /// Show an analyst's view: holdings, pools, calls, ranking, utilization, concentration, due, outputs, reviews.
    ///
    /// Built by replaying the ledger, up to now or to a point in history.
    #[command(
        after_help = "Examples:\n  gpu-ledger view calls\n  gpu-ledger view holdings --as-of 2026-04-01T00:00:00+09:00 --format csv\n  gpu-ledger view utilization --threshold-bp 3000 --periods 3 --format json\n  gpu-ledger view due --now 2026-09-01T09:00:00+09:00"
    )]
    View(commands::view::ViewArgs),

    /// Audit the ledger: a report with exceptions and the events proving them, or a trace.
    ///
    /// `audit report` checks every record, then reports integrity, the published
    /// statistics and awards in rank order, exceptions, and pools reconciled;
    /// `audit trace` tells the full story of an award, application or organization.
    #[command(
        subcommand,
        after_help = "Examples:\n  gpu-ledger audit report --format html > audit.html\n  gpu-ledger audit trace --award AW-2026-0006\n  gpu-ledger audit report --from-export ledger.jsonl"
    )]
    Audit(commands::audit::AuditArgs),

    /// What changed in each view between two points in history, and the events responsible.
    #[command(
        after_help = "Examples:\n  gpu-ledger diff --from-seq 4000 --to-seq 4200\n  gpu-ledger diff --from 2026-03-01T00:00:00+09:00 --to 2026-04-01T00:00:00+09:00 --view holdings\n  gpu-ledger diff --from-seq 0 --view pools --format json"
    )]
    Diff(commands::diff::DiffArgs),

    /// Serve the HTTP API: append with rules, read, follow live, query views.
    ///
    /// Views are rebuilt from the ledger at start-up and kept live. Without
    /// --tokens the server runs in local mode, bound to loopback only.
    #[command(
        after_help = "Examples:\n  gpu-ledger serve --load examples/march-2026.jsonl\n  gpu-ledger serve --addr 0.0.0.0:8080 --tokens tokens.txt"
    )]
    Serve(commands::serve::ServeArgs),

    /// Make a token for a role of the API; prints it once, keeps only its hash.
    #[command(
        after_help = "Examples:\n  gpu-ledger token --role office --tokens tokens.txt\n  gpu-ledger token --role reviewer --subject r-017 --tokens tokens.txt"
    )]
    Token(commands::token::TokenArgs),

    /// Make an Ed25519 key to sign checkpoints; prints the verifier key to publish.
    #[command(
        after_help = "Example:\n  gpu-ledger keygen --name ledger.msit.go.kr/gpu --out checkpoint.key"
    )]
    Keygen(commands::keygen::KeygenArgs),

    /// Sign a checkpoint (C2SP tlog-checkpoint) of the ledger's size and Merkle root, and keep it.
    #[command(after_help = "Example:\n  gpu-ledger checkpoint --key checkpoint.key > latest.note")]
    Checkpoint(commands::checkpoint::CheckpointArgs),

    /// Make a Merkle proof: a record's inclusion, or consistency between two sizes.
    #[command(subcommand)]
    Prove(commands::prove::ProveArgs),

    /// Check a proof or a checkpoint without trusting the server.
    #[command(subcommand)]
    Check(commands::check::CheckArgs),

    /// Cut the ledger after a record, keeping what is removed in a side directory.
    ///
    /// For an operator who accepts the loss, e.g. after damage that open refuses.
    #[command(
        after_help = "Example:\n  gpu-ledger verify            # names the first bad seq, say 1234\n  gpu-ledger repair --truncate-after 1233"
    )]
    Repair(commands::repair::RepairArgs),

    /// Show the sequence number and hash of the last record.
    #[command(after_help = "Example:\n  gpu-ledger head\n  gpu-ledger --json head")]
    Head,

    /// Move a ledger between stores record for record, verifying each; ends with equal heads.
    ///
    /// Every seq, recorded_at and hash is kept, so the copy exports byte for
    /// byte what the original does. The target must be empty, or hold the
    /// beginning of the same ledger (an interrupted copy is continued).
    #[command(
        after_help = "Examples:\n  gpu-ledger copy --from file:/var/lib/gpu-ledger --to postgres://ledger@db1/gpu\n  gpu-ledger copy --from postgres://ledger@db1/gpu --to file:/backup/ledger"
    )]
    Copy(commands::copy::CopyArgs),

    /// Run a witness: cosign ledgers' checkpoints that extend what it cosigned before (C2SP tlog-witness).
    #[command(subcommand)]
    Witness(commands::witness::WitnessArgs),

    /// Create or upgrade the ledger's schema in PostgreSQL (commands that write also do it on first use).
    #[command(after_help = "Example:\n  gpu-ledger --store postgres://ledger@db1/gpu migrate")]
    Migrate,
}

pub fn main() -> ExitCode {
    main_with(|| {})
}

/// [`main`], calling `before_serving` first when the command is `serve`
/// (the binary sets its allocator up for a long-lived process there).
pub fn main_with(before_serving: fn()) -> ExitCode {
    let cli = Cli::parse();
    if matches!(cli.command, Command::Serve(_)) {
        before_serving();
    }
    let _logs = init_logging(
        if matches!(cli.command, Command::Serve(_) | Command::Witness(_)) {
            "info"
        } else {
            "warn"
        },
    );
    // Blocking threads are bounded too: each store read of a live stream or
    // a page runs on one, and each thread keeps its allocator's memory, so
    // thousands of readers at once would otherwise each leave some behind
    // (issue 20); more wait for a thread.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(16)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("gpu-ledger: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let json = cli.json;
    let result = runtime.block_on(run(cli));
    match result {
        Ok(outcome) => {
            if json && !outcome.json.is_null() {
                print_line(&outcome.json.to_string());
            } else if !json && !outcome.human.is_empty() {
                print_line(&shown(&outcome.human));
            }
            ExitCode::from(outcome.code)
        }
        Err(e) => {
            eprintln!("gpu-ledger: {}", shown(&e.to_string()));
            if json {
                print_line(&e.to_json().to_string());
            }
            ExitCode::from(e.exit_code())
        }
    }
}

/// Prints to stdout; a reader that went away (`| head`) is not an error.
fn print_line(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}").and_then(|_| out.flush());
}

/// Logs go to stderr; `GPU_LEDGER_LOG` (e.g. `debug`) overrides the level.
/// A background thread writes them, so that a request does not wait on
/// stderr for its log line; the guard flushes what is left when dropped.
/// The thread writes every line waiting in its queue, then flushes: under
/// load one `write` carries many request lines instead of one each.
fn init_logging(default_level: &str) -> tracing_appender::non_blocking::WorkerGuard {
    let filter = tracing_subscriber::EnvFilter::try_from_env("GPU_LEDGER_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .finish(std::io::BufWriter::with_capacity(
            64 * 1024,
            std::io::stderr(),
        ));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
    guard
}

async fn run(cli: Cli) -> Result<Outcome, CommandError> {
    let config = StoreConfig::from_args(cli.store.as_deref(), cli.data.as_deref(), cli.clock_start)
        .map_err(CommandError::Failed)?;
    match cli.command {
        Command::Import(args) => commands::import::run(&config, &args, cli.json).await,
        Command::Verify(args) => commands::verify::run(&config, &args, cli.json).await,
        Command::Export(args) => commands::export::run(&config, &args, cli.json).await,
        Command::View(args) => commands::view::run(&config, &args, cli.json).await,
        Command::Audit(args) => commands::audit::run(&config, &args, cli.json).await,
        Command::Diff(args) => commands::diff::run(&config, &args, cli.json).await,
        Command::Serve(args) => commands::serve::run(&config, &args).await,
        Command::Token(args) => commands::token::run(&args),
        Command::Keygen(args) => commands::keygen::run(&args),
        Command::Checkpoint(args) => commands::checkpoint::run(&config, &args).await,
        Command::Prove(args) => commands::prove::run(&config, &args).await,
        Command::Check(args) => commands::check::run(&args),
        Command::Repair(args) => commands::repair::run(&config, &args).await,
        Command::Head => commands::head::run(&config).await,
        Command::Copy(args) => commands::copy::run(&args, cli.json).await,
        Command::Migrate => commands::migrate::run(&config).await,
        Command::Witness(args) => commands::witness::run(cli.data.as_deref(), &args).await,
    }
}
