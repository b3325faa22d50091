//! `gpu-ledger-bench`: the benchmark suite of the ledger. The workloads it
//! measures on come from `gpu_ledger_testkit::workload` (`gpu-ledger-testkit
//! workload` writes one to a file).
//!
//! - `http-load` and `view-load` drive a running `gpu-ledger serve`.
//! - `transparency` measures what keeping the Merkle tree costs the appends,
//!   and how fast proofs are made and checked.
//! - `run` is the whole suite: it measures every figure of `BENCHMARKS.md`
//!   against the SQLite peer and writes them there.

use clap::{Parser, Subcommand};

/// The allocator of the `gpu-ledger` binary, so that the no-op reference
/// server (`noop-serve`) differs from the ledger's server only in the work.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use gpu_ledger_bench::http_load::{self, Load, Plan};
use gpu_ledger_bench::{suite, transparency};
use gpu_ledger_testkit::workload;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// Name, version and about come from Cargo.toml.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Drive a running `gpu-ledger serve` with single-event appends from C
    /// concurrent keep-alive clients; report durable appends/s and latency.
    #[command(
        name = "http-load",
        after_help = "Example:\n  gpu-ledger serve --addr 127.0.0.1:8080 &\n  gpu-ledger-bench http-load --addr 127.0.0.1:8080 --clients 64 --seconds 5"
    )]
    HttpLoad {
        #[command(flatten)]
        load: LoadArgs,
    },
    /// Append a workload to fresh embedded stores with and without keeping the
    /// Merkle tree, then make and check proofs over it; print the figures as
    /// a Markdown table.
    #[command(after_help = "Example:\n  gpu-ledger-bench transparency --events 1000000 --rounds 3")]
    Transparency {
        /// Records to append.
        #[arg(long, default_value_t = 1_000_000, value_name = "N")]
        events: u64,
        /// Seed of the workload and of the proofs' random leaves.
        #[arg(long, default_value_t = workload::DEFAULT_SEED, value_name = "S")]
        seed: u64,
        /// Events per append (one sync each).
        #[arg(long, default_value_t = 1000, value_name = "B")]
        batch: usize,
        /// Rounds of each mode; the median is reported.
        #[arg(long, default_value_t = 3, value_name = "R")]
        rounds: usize,
        /// Proofs of each kind to make and check.
        #[arg(long, default_value_t = 10_000, value_name = "P")]
        proofs: usize,
        /// Scratch directory (removed afterwards) [default: a fresh one under the temp dir].
        #[arg(long, value_name = "DIR")]
        work_dir: Option<PathBuf>,
    },
    /// Durable appends to `gpu-ledger serve` signing a checkpoint every
    /// second, without witnesses and with 2 of 3 (separate `gpu-ledger
    /// witness serve` processes); then timed witnessed checkpoints.
    #[command(
        after_help = "Example:\n  gpu-ledger-bench witness --clients 16 --seconds 10 --rounds 3"
    )]
    Witness {
        /// The gpu-ledger binary [default: built with `cargo build --release -p gpu-ledger`].
        #[arg(long, value_name = "FILE")]
        binary: Option<PathBuf>,
        #[arg(long, default_value_t = 16, value_name = "C")]
        clients: usize,
        #[arg(long, default_value_t = 10, value_name = "S")]
        seconds: u64,
        #[arg(long, default_value_t = 3, value_name = "R")]
        rounds: usize,
        /// Witnessed checkpoints timed after each witnessed run.
        #[arg(long, default_value_t = 50, value_name = "N")]
        signings: usize,
        /// Scratch directory [default: a fresh one under the temp dir].
        #[arg(long, value_name = "DIR")]
        work_dir: Option<PathBuf>,
    },
    /// Query one view of a running `gpu-ledger serve` back to back; report
    /// latency percentiles.
    #[command(
        name = "view-load",
        after_help = "Example:\n  gpu-ledger-bench view-load --addr 127.0.0.1:8080 --view holdings --seconds 3"
    )]
    ViewLoad {
        /// holdings, pools, calls, ranking, utilization or concentration.
        #[arg(long, default_value = "holdings")]
        view: String,
        #[command(flatten)]
        load: LoadArgs,
    },
    /// Decode every line of a workload file on one core, several rounds;
    /// report the fastest round's cost per event.
    #[command(
        after_help = "Example:\n  gpu-ledger-testkit workload --events 1000000 --seed 1 --out /tmp/w1m.jsonl\n  gpu-ledger-bench decode --file /tmp/w1m.jsonl --rounds 5"
    )]
    Decode {
        /// A JSON Lines file of event bodies.
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
        /// Rounds over the whole file.
        #[arg(long, default_value_t = 5, value_name = "R")]
        rounds: usize,
    },
    /// Measure every figure of BENCHMARKS.md against the SQLite peer (median
    /// of several runs) and write them into its generated section; with
    /// `--mode postgres`, the PostgreSQL figures next to the file store's.
    #[command(
        after_help = "Examples:\n  cargo run --release -p gpu-ledger-bench -- run\n  cargo run --release -p gpu-ledger-bench -- run --big-events 10000000\n  cargo run --release -p gpu-ledger-bench -- run --events 100000 --runs 1 --out /tmp/smoke.md\n  cargo run --release -p gpu-ledger-bench -- run --mode postgres"
    )]
    Run {
        #[command(flatten)]
        args: RunArgs,
    },
    /// Serve `POST /v1/events` with `201` and no work, and `GET
    /// /v1/bytes/{n}` with `n` bytes from memory, on gpu-ledger's own HTTP
    /// stack: the reference `run` measures appends and views against.
    #[command(
        name = "noop-serve",
        after_help = "Example:\n  gpu-ledger-bench noop-serve --addr 127.0.0.1:8081 &\n  gpu-ledger-bench http-load --addr 127.0.0.1:8081 --clients 64"
    )]
    NoopServe {
        #[arg(long, value_name = "ADDR")]
        addr: SocketAddr,
    },
}

/// What `run` measures.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum RunMode {
    /// Every figure of the generated section, on the file store.
    Full,
    /// Import, verify, rebuild, start-up and durable HTTP appends on a
    /// throwaway PostgreSQL cluster (needs PostgreSQL's server programs),
    /// next to the file store and the peer measured in the same session;
    /// written into the section between the bench:postgres markers.
    Postgres,
}

/// Options of the benchmark suite.
#[derive(clap::Args, Debug)]
struct RunArgs {
    /// Which figures to measure.
    #[arg(long, value_enum, default_value = "full")]
    mode: RunMode,
    /// Events of the workload.
    #[arg(long, default_value_t = workload::DEFAULT_EVENTS, value_name = "N")]
    events: u64,
    /// Seed of the workload.
    #[arg(long, default_value_t = workload::DEFAULT_SEED, value_name = "S")]
    seed: u64,
    /// Runs of each figure; the median is reported.
    #[arg(long, default_value_t = 3, value_name = "R")]
    runs: usize,
    /// Also import, verify, rebuild and start up on a ledger of this many
    /// events, to show how time and memory scale (e.g. 10000000).
    #[arg(long, value_name = "N")]
    big_events: Option<u64>,
    /// Markdown file whose generated section is replaced [default: BENCHMARKS.md of this checkout].
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// gpu-ledger workspace to build and measure [default: this checkout].
    #[arg(long, value_name = "DIR")]
    workspace: Option<PathBuf>,
    /// A gpu-ledger binary to measure instead of building one.
    #[arg(long, value_name = "FILE")]
    gpu_ledger: Option<PathBuf>,
    /// The SQLite peer's crate [default: ../shared/bench/sqlite-ledger beside this checkout].
    #[arg(long, value_name = "DIR")]
    peer: Option<PathBuf>,
    /// Directory for workloads and ledgers (kept); a temporary one, removed at the end, if absent.
    #[arg(long, value_name = "DIR")]
    work_dir: Option<PathBuf>,
    /// Concurrent clients of the HTTP append runs.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "1,16,64",
        value_name = "C,C,..."
    )]
    clients: Vec<usize>,
    /// Measured seconds of each HTTP append run.
    #[arg(long, default_value_t = 5.0, value_name = "S")]
    http_seconds: f64,
    /// Measured seconds of each view query run.
    #[arg(long, default_value_t = 2.0, value_name = "S")]
    view_seconds: f64,
    /// Events of the peer's one-commit-per-event import [default: 20,000, or
    /// a fiftieth of --events if that is less].
    #[arg(long, value_name = "N")]
    one_by_one_events: Option<u64>,
    /// Threads of the load generator.
    #[arg(long, default_value_t = 1, value_name = "N")]
    threads: usize,
}

/// Options shared by the load generators.
#[derive(clap::Args, Debug)]
struct LoadArgs {
    /// The server's address.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
    addr: SocketAddr,
    /// Concurrent clients, each with one connection and one request in flight.
    #[arg(long, default_value_t = 1, value_name = "C")]
    clients: usize,
    /// Measured seconds.
    #[arg(long, default_value_t = 5.0, value_name = "S")]
    seconds: f64,
    /// Seconds of load before measuring starts.
    #[arg(long, default_value_t = 0.5, value_name = "S")]
    warmup: f64,
    /// Threads of the load generator (it shares the machine with the server).
    #[arg(long, default_value_t = 1, value_name = "N")]
    threads: usize,
    /// Bearer token, for a server started with --tokens.
    #[arg(long, value_name = "TOKEN")]
    token: Option<String>,
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::HttpLoad { load } => {
            let prefix = http_load::fresh_id_prefix();
            drive_load(load, Plan::Appends { id_prefix: prefix }, "appends")
        }
        Command::ViewLoad { view, load } => drive_load(
            load,
            Plan::Get {
                path: format!("/v1/views/{view}"),
            },
            "queries",
        ),
        Command::Transparency {
            events,
            seed,
            batch,
            rounds,
            proofs,
            work_dir,
        } => transparency::run(&transparency::Options {
            events,
            seed,
            batch,
            rounds,
            proofs,
            work_dir: work_dir.unwrap_or_else(|| {
                std::env::temp_dir().join(format!("gpu-ledger-transparency-{}", std::process::id()))
            }),
        })
        .map(|report| print!("{}", transparency::markdown(&report))),
        Command::Witness {
            binary,
            clients,
            seconds,
            rounds,
            signings,
            work_dir,
        } => binary
            .map_or_else(
                || {
                    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
                    suite::build::cargo_build(&["-p", "gpu-ledger"], &workspace, "gpu-ledger")
                },
                Ok,
            )
            .and_then(|binary| {
                gpu_ledger_bench::witnessing::run(&gpu_ledger_bench::witnessing::Options {
                    binary,
                    clients,
                    seconds,
                    rounds,
                    signings,
                    work_dir: work_dir.unwrap_or_else(|| {
                        std::env::temp_dir().join(format!("gpu-ledger-witness-{}", std::process::id()))
                    }),
                })
            })
            .map(|report| print!("{}", report.markdown())),
        Command::Decode { file, rounds } => gpu_ledger_bench::decoding::run(&file, rounds).map(|d| {
            println!(
                "decoded {} events ({} bytes) in {} rounds: best {:.0} ns/event ({:.2}M events/s on one core); rounds {}",
                d.events,
                d.bytes,
                d.rounds_ns.len(),
                d.best_ns,
                1e3 / d.best_ns,
                d.rounds_ns
                    .iter()
                    .map(|r| format!("{r:.0}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }),
        Command::Run { args } => run_suite(args),
        Command::NoopServe { addr } => gpu_ledger_bench::noop::serve(addr),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("gpu-ledger-bench: {problem}");
            ExitCode::FAILURE
        }
    }
}

fn drive_load(args: LoadArgs, plan: Plan, what: &str) -> Result<(), String> {
    let seconds = |s: f64, name: &str| {
        Duration::try_from_secs_f64(s).map_err(|_| format!("--{name} must be a number of seconds"))
    };
    let load = Load {
        addr: args.addr,
        plan,
        clients: args.clients,
        duration: seconds(args.seconds, "seconds")?,
        warmup: seconds(args.warmup, "warmup")?,
        token: args.token,
    };
    let runtime = gpu_ledger_bench::runtime(args.threads)?;
    let report = runtime.block_on(http_load::run(&load))?;
    println!(
        "{} clients: {} {what} in {:.1} s = {:.0}/s; latency p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms; last answer {} bytes",
        report.clients,
        report.requests,
        report.seconds,
        report.per_second(),
        report.latencies.p50_ms(),
        report.latencies.p99_ms(),
        report.latencies.max_ms(),
        report.body_bytes
    );
    Ok(())
}

fn run_suite(args: RunArgs) -> Result<(), String> {
    if args.runs == 0 || args.events == 0 {
        return Err("--runs and --events must be at least 1".into());
    }
    if matches!(args.mode, RunMode::Postgres) && args.big_events.is_some() {
        return Err("--big-events is a figure of the full suite, not of --mode postgres".into());
    }
    // Defaults are relative to the checkout this program was built from.
    let checkout = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("bench/ lives in the workspace")
        .to_path_buf();
    let given: Vec<String> = std::env::args()
        .skip_while(|a| a != "run")
        .skip(1)
        .collect();
    let command_line = if given.is_empty() {
        "cargo run --release -p gpu-ledger-bench -- run".to_owned()
    } else {
        format!(
            "cargo run --release -p gpu-ledger-bench -- run {}",
            given.join(" ")
        )
    };
    let options = suite::Options {
        mode: match args.mode {
            RunMode::Full => suite::Mode::Full,
            RunMode::Postgres => suite::Mode::Postgres,
        },
        events: args.events,
        seed: args.seed,
        runs: args.runs,
        big_events: args.big_events,
        out: args.out.unwrap_or_else(|| checkout.join("BENCHMARKS.md")),
        workspace: args.workspace.unwrap_or_else(|| checkout.clone()),
        peer: args
            .peer
            .unwrap_or_else(|| checkout.join("../shared/bench/sqlite-ledger")),
        gpu_ledger: args.gpu_ledger,
        work_dir: args.work_dir,
        clients: args.clients,
        http_seconds: args.http_seconds,
        view_seconds: args.view_seconds,
        one_by_one_events: args
            .one_by_one_events
            .unwrap_or((args.events / 50).clamp(1, 20_000)),
        threads: args.threads,
        command_line,
    };
    suite::run(options)
}
