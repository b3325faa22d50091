//! `gpu-ledger-bench run`: every figure of `BENCHMARKS.md`, in one command.
//!
//! It builds `gpu-ledger` and the SQLite peer (`../shared/bench/sqlite-ledger`,
//! outside the project tree), generates the workload, and measures each
//! figure several times, taking the median:
//!
//! 1. offline, per run and interleaved with the peer so both see the same
//!    machine: import into a fresh directory, verify, rebuild of every view
//!    (`gpu-ledger view pools` replays the whole ledger into all six views),
//!    the peer's import and verify, and the peer's one-commit-per-event import
//!    (its durable one-by-one rate); peak RSS of each, bytes on disk;
//! 2. the server on that ledger: start-up to serving (spawn until
//!    `GET /v1/health` answers 200), view query latency on the untouched
//!    ledger, then durable single-event appends over HTTP at each client count;
//! 3. optionally a larger ledger (`--big-events`): import, verify, rebuild
//!    and start-up once more, to show how time and memory scale.
//!
//! The figures and the ratios to the peer are printed, and written into the
//! generated section of `BENCHMARKS.md` (see [`report`]).
//!
//! With `--mode postgres` it measures instead the store-level figures on
//! PostgreSQL against the file store and the peer (see [`comparison`]),
//! written into a section of their own.

pub mod build;
pub mod comparison;
pub mod figures;
pub mod machine;
pub mod postgres;
pub mod process;
pub mod report;
mod serving;
pub mod store;
mod work_dir;

pub(crate) use figures::Stopwatch;
pub use figures::{
    LoadRun, PeerSteps, Runs, Scaling, Session, Startup, Startups, Step, load_medians,
};
pub use serving::Settle;

use crate::http_load::{self, Load, Plan};
use gpu_ledger_testkit::workload::{self, Summary};
use machine::Machine;
use postgres::Database;
use process::{Finished, bytes_on_disk, measure};
use serving::{head_seq, load_run, settle, startups};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use store::Store;
use work_dir::{WorkDir, remove_database, remove_dir};

/// The views queried; `ranking` as analysts page it at this size: the first
/// page of 100 of its longest track ([`ranking_page`]).
pub const VIEWS: [&str; 6] = [
    "pools",
    "calls",
    "concentration",
    "utilization",
    "holdings",
    "ranking",
];

/// Durable writes timed by the disk probe of each run.
pub const FSYNC_PROBES: usize = 1000;

/// Which figures a run measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Every figure of the generated section, on the file store.
    Full,
    /// Import, verify, rebuild, start-up and durable appends on PostgreSQL,
    /// next to the file store and the peer measured in the same session.
    Postgres,
}

/// What to measure, and where.
#[derive(Debug, Clone)]
pub struct Options {
    pub mode: Mode,
    pub events: u64,
    pub seed: u64,
    pub runs: usize,
    /// A second, larger ledger for start-up and memory against history size.
    pub big_events: Option<u64>,
    /// The Markdown file whose generated section is (re)written.
    pub out: PathBuf,
    /// The gpu-ledger workspace to build and measure.
    pub workspace: PathBuf,
    /// The SQLite peer's crate.
    pub peer: PathBuf,
    /// A gpu-ledger binary to measure instead of building the workspace's.
    pub gpu_ledger: Option<PathBuf>,
    /// Where workloads and ledgers go; a fresh temporary directory, removed
    /// at the end, if absent.
    pub work_dir: Option<PathBuf>,
    pub clients: Vec<usize>,
    pub http_seconds: f64,
    pub view_seconds: f64,
    /// Events of the peer's one-commit-per-event import.
    pub one_by_one_events: u64,
    /// Threads of the load generator.
    pub threads: usize,
    /// The command line, as reported.
    pub command_line: String,
}

/// Derived files a server keeps beside the ledger to start faster
/// (README: "deleting them only costs start-up time").
const DERIVED_DIRS: [&str; 2] = ["snapshots", "merkle"];

/// One view's query runs.
#[derive(Debug, Clone)]
pub struct ViewRuns {
    /// Its path under `/v1/views/`.
    pub view: String,
    pub runs: Vec<LoadRun>,
    /// The no-op server answering `GET /v1/bytes/{n}` with as many bytes as
    /// the view's answer, each right after the view's run of the same
    /// round: what the transport alone costs for an answer of that size.
    pub same_bytes: Vec<LoadRun>,
}

/// Every figure of one run of the suite.
#[derive(Debug, Clone)]
pub struct Results {
    pub session: Session,
    pub ours: Scaling,
    pub peer: PeerSteps,
    /// Per view: its runs, and the no-op server's with answers of its size.
    pub views: Vec<ViewRuns>,
    /// Per client count: its runs.
    pub appends: Vec<(usize, Vec<LoadRun>)>,
    /// Per client count: the runs of the no-op reference server
    /// ([`crate::noop`]), each right after the append run of the same round.
    pub noop: Vec<(usize, Vec<LoadRun>)>,
    /// Peak RSS of the server over start-up, queries and appends.
    pub serve_peak_rss_kib: u64,
    /// After the last restart: background work before the server was idle.
    pub settle: Settle,
    /// Events the append runs added to the ledger, warm-ups included.
    pub appended: u64,
    /// Per run: (p50, p99) ms of a 4 KiB append + fdatasync on the work disk.
    pub fsync_ms: Vec<(f64, f64)>,
    pub big: Option<Scaling>,
    /// What keeping the Merkle tree costs appends, and proof times (issue 5).
    pub transparency: Option<crate::transparency::Report>,
}

/// Runs the suite in the mode the options say, writes the report, prints
/// the figures.
pub fn run(options: Options) -> Result<(), String> {
    match options.mode {
        Mode::Full => run_full(options).map(|_| ()),
        Mode::Postgres => comparison::run(options).map(|_| ()),
    }
}

/// The programs under test: `gpu-ledger` and the SQLite peer.
pub(crate) struct Programs {
    pub ours: PathBuf,
    pub peer: PathBuf,
}

impl Programs {
    /// Builds both (or takes the given `gpu-ledger`).
    fn build(options: &Options) -> Result<Self, String> {
        let ours = match &options.gpu_ledger {
            Some(binary) => binary.clone(),
            None => build::cargo_build(&["-p", "gpu-ledger"], &options.workspace, "gpu-ledger")?,
        };
        let peer_target = std::env::temp_dir().join("gpu-ledger-bench-peer-target");
        let peer_manifest = options.peer.join("Cargo.toml");
        let peer = build::cargo_build(
            &[
                "--manifest-path",
                &peer_manifest.to_string_lossy(),
                "--target-dir",
                &peer_target.to_string_lossy(),
            ],
            &options.peer,
            "sqlite-ledger",
        )?;
        Ok(Self { ours, peer })
    }
}

/// The workload of a run, and its first events for the peer's
/// one-commit-per-event import.
pub(crate) struct Workload {
    pub summary: Summary,
    pub seconds: f64,
    pub file: PathBuf,
    pub first_events: PathBuf,
    /// How many events `first_events` holds.
    pub first_count: u64,
}

impl Workload {
    fn generate(options: &Options, work: &WorkDir) -> Result<Self, String> {
        let n = options.events;
        say(format_args!("workload: {n} events, seed {}", options.seed));
        let file = work.file("workload.jsonl");
        let (summary, seconds) = generate(n, options.seed, &file)?;
        say(format_args!(
            "  {} bytes in {seconds:.2} s ({:.0} events/s)",
            summary.tally.bytes,
            n as f64 / seconds
        ));
        let first_events = work.file("workload-first.jsonl");
        let first_count = first_lines(&file, &first_events, options.one_by_one_events)?;
        Ok(Self {
            summary,
            seconds,
            file,
            first_events,
            first_count,
        })
    }
}

/// The full suite on the file store.
fn run_full(options: Options) -> Result<Results, String> {
    let watch = Stopwatch::start();
    let work = WorkDir::new(options.work_dir.clone())?;
    let machine = Machine::describe(&options.workspace, work.path());
    let runtime = crate::runtime(options.threads)?;

    let programs = Programs::build(&options)?;
    let ours = programs.ours.clone();
    let n = options.events;
    let workload = Workload::generate(&options, &work)?;

    let data = work.file("ledger");
    let mut results = Results {
        session: watch.session(&options, machine, &workload),
        ours: Scaling {
            events: n,
            workload_bytes: workload.summary.tally.bytes,
            applications: workload.summary.applications,
            ..Scaling::default()
        },
        peer: PeerSteps::default(),
        views: Vec::new(),
        appends: Vec::new(),
        noop: Vec::new(),
        serve_peak_rss_kib: 0,
        settle: Settle::default(),
        appended: 0,
        fsync_ms: Vec::new(),
        big: None,
        transparency: None,
    };

    for run in 1..=options.runs {
        let of = format!("{run}/{}", options.runs);
        remove_dir(&data)?;
        offline_steps(
            &ours,
            &Store::Dir(data.clone()),
            &workload.file,
            n,
            &mut results.ours,
            &of,
            None,
        )?;
        results.ours.disk_bytes = bytes_on_disk(&data);
        after_import(
            &ours,
            &data,
            &work,
            &runtime,
            &mut results.ours.startup,
            &of,
        )?;
        peer_steps(&programs.peer, &work, &workload, n, &mut results.peer, &of)?;
        results.fsync_ms.push(fsync_probe(&work, &of)?);
    }
    results.session.options.one_by_one_events = workload.first_count;

    // The server on the ledger just measured: start-up, then reads on the
    // untouched ledger, then appends (which add to it).
    let log = work.file("serve.log");
    let mut server = startups(
        &ours,
        &Store::Dir(data.clone()),
        &log,
        options.runs,
        &runtime,
        &mut results.ours.startup,
    )?;
    results.settle = settle(&mut server)?;
    say(format_args!(
        "the server worked {:.1} s in the background after serving ({:.1} s of CPU), then idled at {:.0} MiB",
        results.settle.seconds,
        results.settle.cpu_seconds,
        results.settle.rss_kib as f64 / 1024.0
    ));
    let ranking = ranking_page(&runtime, server.addr)?;
    let mut noop = noop_server(&work, &runtime)?;
    for view in VIEWS {
        let (mut runs, mut same_bytes) = (Vec::new(), Vec::new());
        let path = match view {
            "ranking" => ranking.clone(),
            _ => format!("/v1/views/{view}"),
        };
        for run in 1..=options.runs {
            let r = get_run(&runtime, &mut server, &options, &path)?;
            say(format_args!(
                "view {view} [{run}/{}]: p50 {:.3} ms, p99 {:.3} ms ({} queries, {} bytes)",
                options.runs, r.p50_ms, r.p99_ms, r.requests, r.body_bytes
            ));
            let same = format!("/v1/bytes/{}", r.body_bytes);
            let n = get_run(&runtime, &mut noop, &options, &same)?;
            say(format_args!(
                "  ... the no-op server with as many bytes: p50 {:.3} ms, p99 {:.3} ms",
                n.p50_ms, n.p99_ms
            ));
            runs.push(r);
            same_bytes.push(n);
        }
        results.views.push(ViewRuns {
            view: path.trim_start_matches("/v1/views/").to_owned(),
            runs,
            same_bytes,
        });
    }
    let head_before = head_seq(&runtime, server.addr)?;
    for &clients in &options.clients {
        let (mut runs, mut noop_runs) = (Vec::new(), Vec::new());
        for run in 1..=options.runs {
            runs.push(append_run(
                &runtime,
                &mut server,
                &options,
                clients,
                run,
                None,
            )?);
            let r = append_run(&runtime, &mut noop, &options, clients, run, None)?;
            say(format_args!("  ... that was the no-op reference server"));
            noop_runs.push(r);
        }
        results.appends.push((clients, runs));
        results.noop.push((clients, noop_runs));
    }
    noop.stop(Duration::from_secs(10))?;
    results.appended = head_seq(&runtime, server.addr)? - head_before;
    results.serve_peak_rss_kib = server.stop(Duration::from_secs(60))?;
    std::fs::remove_dir_all(&data).map_err(|e| format!("cannot remove {}: {e}", data.display()))?;

    if let Some(big) = options.big_events {
        results.big = Some(scaling(
            &ours,
            &work,
            big,
            options.seed,
            options.runs,
            &runtime,
        )?);
    }

    say(format_args!(
        "the Merkle tree: appends with and without it, proofs"
    ));
    results.transparency = Some(crate::transparency::run(&crate::transparency::Options {
        events: options.events,
        seed: options.seed,
        batch: 1000,
        rounds: options.runs,
        proofs: 10_000,
        work_dir: work.file("transparency"),
    })?);

    watch.stop(&mut results.session);
    let markdown = report::markdown(&results);
    report::write_section(&options.out, report::BEGIN, report::END, &markdown)?;
    say(format_args!(
        "wrote the figures to {}",
        options.out.display()
    ));
    println!("{}", report::summary(&results));
    Ok(results)
}

/// The path of the first page of 100 of the ranking's longest track.
fn ranking_page(
    runtime: &tokio::runtime::Runtime,
    addr: std::net::SocketAddr,
) -> Result<String, String> {
    let (status, body) = runtime.block_on(http_load::get(addr, "/v1/views/ranking?limit=1"))?;
    let v: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|e| format!("GET /v1/views/ranking answered {status} with no JSON: {e}"))?;
    let longest = v["tracks"]
        .as_array()
        .and_then(|t| t.iter().max_by_key(|t| t["page"]["total"].as_u64()))
        .ok_or_else(|| format!("the ranking has no tracks: {v}"))?;
    Ok(format!(
        "/v1/views/ranking?call={}&track={}&limit=100",
        longest["call_id"].as_str().unwrap_or_default(),
        longest["track_id"].as_str().unwrap_or_default()
    ))
}

/// The first start of the ledger just imported, from what the import left
/// (stopped again at once).
fn after_import(
    ours: &Path,
    data: &Path,
    work: &WorkDir,
    runtime: &tokio::runtime::Runtime,
    into: &mut Startups,
    of: &str,
) -> Result<(), String> {
    let server = serving::start_once(
        ours,
        &Store::Dir(data.to_path_buf()),
        &work.file("serve-after-import.log"),
        runtime,
        &mut into.after_import,
    )?;
    say(format_args!(
        "start-up to serving right after the import [{of}]: {:.3} s",
        into.after_import
            .seconds
            .0
            .last()
            .copied()
            .unwrap_or_default()
    ));
    server.stop(Duration::from_secs(60))?;
    Ok(())
}

/// The no-op reference server ([`crate::noop`]), started from this very
/// program, serving once it answers.
fn noop_server(
    work: &WorkDir,
    runtime: &tokio::runtime::Runtime,
) -> Result<process::Server, String> {
    let me = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let addr = process::free_port()?;
    let log = work.file("noop.log");
    let mut server = process::Server::spawn_plain(
        &me,
        &["noop-serve", "--addr", &addr.to_string()],
        addr,
        &log,
    )?;
    serving::wait_until_serving(&mut server, runtime, &log)?;
    Ok(server)
}

/// One run of the peer: import and verify on a fresh database, then the
/// one-commit-per-event import of the first events; both databases removed
/// afterwards.
fn peer_steps(
    peer: &Path,
    work: &WorkDir,
    workload: &Workload,
    events: u64,
    into: &mut PeerSteps,
    of: &str,
) -> Result<(), String> {
    let db = work.file("peer.sqlite");
    let one_db = work.file("peer-one-by-one.sqlite");
    remove_database(&db)?;
    let f = measure(
        Command::new(peer)
            .arg("import")
            .arg("--db")
            .arg(&db)
            .arg(&workload.file),
    )?;
    report_step("peer import", of, &f, events);
    into.import.record(&f);
    into.disk_bytes = bytes_on_disk(&db);
    let f = measure(Command::new(peer).arg("verify").arg("--db").arg(&db))?;
    report_step("peer verify", of, &f, events);
    into.verify.record(&f);
    remove_database(&db)?;

    remove_database(&one_db)?;
    let f = measure(
        Command::new(peer)
            .arg("import")
            .arg("--batch")
            .arg("1")
            .arg("--db")
            .arg(&one_db)
            .arg(&workload.first_events),
    )?;
    report_step("peer import --batch 1", of, &f, workload.first_count);
    into.one_by_one.record(&f);
    remove_database(&one_db)
}

/// (p50, p99) ms of one durable 4 KiB write on the work disk, this run.
fn fsync_probe(work: &WorkDir, of: &str) -> Result<(f64, f64), String> {
    let sync = process::fsync_probe(work.path(), FSYNC_PROBES)?;
    say(format_args!(
        "4 KiB append + fdatasync [{of}]: p50 {:.3} ms, p99 {:.3} ms",
        sync.p50_ms(),
        sync.p99_ms()
    ));
    Ok((sync.p50_ms(), sync.p99_ms()))
}

/// One run of durable single-event appends from `clients` clients.
/// One client's `GET`s of `path`, back to back, for `--view-seconds`.
fn get_run(
    runtime: &tokio::runtime::Runtime,
    server: &mut process::Server,
    options: &Options,
    path: &str,
) -> Result<LoadRun, String> {
    let load = Load {
        addr: server.addr,
        plan: Plan::Get {
            path: path.to_owned(),
        },
        clients: 1,
        duration: seconds(options.view_seconds),
        warmup: Duration::from_millis(200),
        token: None,
    };
    load_run(runtime, server, &load, None)
}

fn append_run(
    runtime: &tokio::runtime::Runtime,
    server: &mut process::Server,
    options: &Options,
    clients: usize,
    run: usize,
    database: Option<&Database>,
) -> Result<LoadRun, String> {
    let of = format!("{run}/{}", options.runs);
    let load = Load {
        addr: server.addr,
        plan: Plan::Appends {
            id_prefix: format!("{}-c{clients}-r{run}", http_load::fresh_id_prefix()),
        },
        clients,
        duration: seconds(options.http_seconds),
        warmup: Duration::from_secs(1),
        token: None,
    };
    let r = load_run(runtime, server, &load, database)?;
    let on = if database.is_some() {
        " on PostgreSQL"
    } else {
        ""
    };
    say(format_args!(
        "appends{on}, {clients} clients [{of}]: {:.0}/s, p50 {:.3} ms, p99 {:.3} ms (server {:.2} cores, load generator {:.2}{})",
        r.per_second,
        r.p50_ms,
        r.p99_ms,
        r.server_cores,
        r.client_cores,
        r.database_cores
            .map(|c| format!(", database {c:.2}"))
            .unwrap_or_default()
    ));
    Ok(r)
}

/// Import, verify and rebuild of a ledger on `store` once (the caller makes
/// it fresh first); with `database`, its CPU time during each step too.
fn offline_steps(
    ours: &Path,
    store: &Store,
    workload: &Path,
    events: u64,
    into: &mut Scaling,
    of: &str,
    database: Option<&Database>,
) -> Result<(), String> {
    let name = store.name();
    let step = |args: &[&str], what: &str, into: &mut Step| -> Result<Finished, String> {
        let before = database.map(Database::cpu_seconds).transpose()?;
        let f = measure(Command::new(ours).args(store.args()).args(args))?;
        if let (Some(db), Some(before)) = (database, before) {
            into.database_cpu_seconds.push(db.cpu_seconds()? - before);
        }
        report_step(&format!("{name}: {what}"), of, &f, events);
        into.record(&f);
        Ok(f)
    };
    let workload = workload.to_string_lossy();
    let f = step(&["--json", "import", &workload], "import", &mut into.import)?;
    expect_json(&f, "appended", &serde_json::json!(events))?;
    let f = step(&["--json", "verify"], "verify", &mut into.verify)?;
    expect_json(&f, "ok", &serde_json::json!(true))?;
    step(
        &["view", "pools", "--format", "json"],
        "rebuild of all views",
        &mut into.rebuild,
    )?;
    Ok(())
}

/// Our side again on a larger ledger: how time and memory scale with history.
fn scaling(
    ours: &Path,
    work: &WorkDir,
    events: u64,
    seed: u64,
    runs: usize,
    runtime: &tokio::runtime::Runtime,
) -> Result<Scaling, String> {
    say(format_args!("larger ledger: {events} events, seed {seed}"));
    let file = work.file("workload-big.jsonl");
    let (summary, gen_seconds) = generate(events, seed, &file)?;
    say(format_args!(
        "  {} bytes in {gen_seconds:.1} s",
        summary.tally.bytes
    ));
    let data = work.file("ledger-big");
    let mut big = Scaling {
        events,
        workload_bytes: summary.tally.bytes,
        applications: summary.applications,
        ..Scaling::default()
    };
    let store = Store::Dir(data.clone());
    remove_dir(&data)?;
    offline_steps(ours, &store, &file, events, &mut big, "1/1", None)?;
    big.disk_bytes = bytes_on_disk(&data);
    after_import(ours, &data, work, runtime, &mut big.startup, "1/1")?;
    std::fs::remove_file(&file).map_err(|e| format!("cannot remove {}: {e}", file.display()))?;
    let log = work.file("serve-big.log");
    let server = startups(ours, &store, &log, runs, runtime, &mut big.startup)?;
    server.stop(Duration::from_secs(60))?;
    remove_dir(&data)?;
    Ok(big)
}

fn generate(events: u64, seed: u64, path: &Path) -> Result<(Summary, f64), String> {
    let clock = Instant::now();
    let file = std::fs::File::create(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    let (_, summary) = workload::write_history(events, seed, BufWriter::new(file))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok((summary, clock.elapsed().as_secs_f64()))
}

/// Copies the first `count` lines of `from` to `to`; returns how many there were.
fn first_lines(from: &Path, to: &Path, count: u64) -> Result<u64, String> {
    let input =
        std::fs::File::open(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    let output =
        std::fs::File::create(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let mut output = BufWriter::new(output);
    let mut copied = 0;
    for line in BufReader::new(input).lines().take(count as usize) {
        let line = line.map_err(|e| format!("cannot read {}: {e}", from.display()))?;
        writeln!(output, "{line}").map_err(|e| format!("cannot write {}: {e}", to.display()))?;
        copied += 1;
    }
    output
        .flush()
        .map_err(|e| format!("cannot write {}: {e}", to.display()))?;
    Ok(copied)
}

fn expect_json(f: &Finished, key: &str, value: &serde_json::Value) -> Result<(), String> {
    let found = f
        .stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .any(|v| v.get(key) == Some(value));
    if found {
        Ok(())
    } else {
        Err(format!(
            "expected {key} = {value} in the output, got: {}",
            f.stdout.trim()
        ))
    }
}

fn report_step(what: &str, of: &str, f: &Finished, events: u64) {
    say(format_args!(
        "{what} [{of}]: {:.2} s = {:.0} events/s, CPU {:.2} s, peak RSS {:.1} MiB",
        f.seconds,
        events as f64 / f.seconds,
        f.cpu_seconds,
        f.peak_rss_kib as f64 / 1024.0
    ));
}

fn say(message: std::fmt::Arguments<'_>) {
    eprintln!("gpu-ledger-bench: {message}");
}

fn seconds(s: f64) -> Duration {
    Duration::from_secs_f64(s.max(0.0))
}
