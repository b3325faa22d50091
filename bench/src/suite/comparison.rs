//! `gpu-ledger-bench run --mode postgres`: the ledger on PostgreSQL next to
//! the file store and the SQLite peer, on the same workload, in one session.
//!
//! Per run, interleaved so that all three see the same machine: import,
//! verify and rebuild on a fresh file store; the same on a fresh schema of a
//! throwaway, durable PostgreSQL cluster (see [`super::postgres`]), with the
//! database's own CPU time; the peer's import, verify and one-by-one import;
//! the disk's fsync probe. Then one server on each ledger (start-ups as in
//! the full suite) and durable single-event appends at each client count,
//! a run on the file store and a run on PostgreSQL in turn.
//!
//! The figures go into their own generated section of `BENCHMARKS.md`
//! (between `bench:postgres:begin` and `bench:postgres:end`), so that the
//! full suite's section and its analysis are left as they are.

use super::machine::{CpuClock, Machine};
use super::postgres::Database;
use super::process::bytes_on_disk;
use super::serving::{settle, startups};
use super::store::Store;
use super::work_dir::{WorkDir, remove_dir};
use super::{
    LoadRun, Options, PeerSteps, Programs, Runs, Scaling, Settle, Workload, append_run,
    fsync_probe, offline_steps, peer_steps, report, say,
};
use gpu_ledger_testkit::workload::Summary;
use std::time::{Duration, Instant};

/// Every figure of one run of the PostgreSQL mode.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub options: Options,
    pub machine: Machine,
    pub started: String,
    pub minutes: f64,
    /// Cores other work on the machine kept busy during the run, on average
    /// (the database counts as other work while it runs: an upper bound).
    pub others_cores: f64,
    pub workload: Summary,
    pub workload_seconds: f64,
    /// `SELECT version()` of the cluster.
    pub database_version: String,
    /// The settings that decide what a commit costs, as the server reported them.
    pub database_settings: Vec<(String, String)>,
    pub file: Scaling,
    pub postgres: Scaling,
    /// Per run: WAL bytes written while importing, verifying and rebuilding.
    pub postgres_wal_bytes: Runs,
    pub peer: PeerSteps,
    /// Per run: (p50, p99) ms of a 4 KiB append + fdatasync on the work disk.
    pub fsync_ms: Vec<(f64, f64)>,
    /// Per client count: the file store's runs and PostgreSQL's.
    pub appends: Vec<(usize, Vec<LoadRun>, Vec<LoadRun>)>,
    /// After the last restart of each server: background work before it idled.
    pub settle_file: Settle,
    pub settle_postgres: Settle,
}

/// Runs the PostgreSQL mode, writes its section, prints where.
pub fn run(options: Options) -> Result<Comparison, String> {
    let clock = Instant::now();
    let cpu_at_start = CpuClock::now();
    let started = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string();
    let work = WorkDir::new(options.work_dir.clone())?;
    let machine = Machine::describe(&options.workspace, work.path());
    let runtime = crate::runtime(options.threads)?;
    let programs = Programs::build(&options)?;
    let workload = Workload::generate(&options, &work)?;
    let n = options.events;

    say(format_args!("PostgreSQL: starting a throwaway cluster"));
    let database = Database::start()?;
    say(format_args!(
        "  {}; {}",
        database.version,
        settings_text(&database.settings)
    ));
    let file_data = work.file("ledger");
    let file_store = Store::Dir(file_data.clone());
    let pg_derived = work.file("postgres-derived");
    let pg_store = database.store(pg_derived.clone());
    let scaling = || Scaling {
        events: n,
        workload_bytes: workload.summary.tally.bytes,
        applications: workload.summary.applications,
        ..Scaling::default()
    };
    let mut c = Comparison {
        options: options.clone(),
        machine,
        started,
        minutes: 0.0,
        others_cores: 0.0,
        workload: workload.summary.clone(),
        workload_seconds: workload.seconds,
        database_version: database.version.clone(),
        database_settings: database.settings.clone(),
        file: scaling(),
        postgres: scaling(),
        postgres_wal_bytes: Runs::default(),
        peer: PeerSteps::default(),
        fsync_ms: Vec::new(),
        appends: Vec::new(),
        settle_file: Settle::default(),
        settle_postgres: Settle::default(),
    };

    for run in 1..=options.runs {
        let of = format!("{run}/{}", options.runs);
        remove_dir(&file_data)?;
        offline_steps(
            &programs.ours,
            &file_store,
            &workload.file,
            n,
            &mut c.file,
            &of,
            None,
        )?;
        c.file.disk_bytes = bytes_on_disk(&file_data);

        database.drop_ledger()?;
        remove_dir(&pg_derived)?;
        let wal = database.wal_position()?;
        offline_steps(
            &programs.ours,
            &pg_store,
            &workload.file,
            n,
            &mut c.postgres,
            &of,
            Some(&database),
        )?;
        c.postgres_wal_bytes
            .push(database.wal_bytes_since(&wal)? as f64);
        c.postgres.disk_bytes = database.ledger_bytes()?;

        peer_steps(&programs.peer, &work, &workload, n, &mut c.peer, &of)?;
        c.fsync_ms.push(fsync_probe(&work, &of)?);
    }
    c.options.one_by_one_events = workload.first_count;

    // Both servers run from here on; the one not measured is idle.
    let mut file_server = startups(
        &programs.ours,
        &file_store,
        &work.file("serve-file.log"),
        options.runs,
        &runtime,
        &mut c.file.startup,
    )?;
    c.settle_file = settle(&mut file_server)?;
    let mut pg_server = startups(
        &programs.ours,
        &pg_store,
        &work.file("serve-postgres.log"),
        options.runs,
        &runtime,
        &mut c.postgres.startup,
    )?;
    c.settle_postgres = settle(&mut pg_server)?;
    for &clients in &options.clients {
        let (mut on_file, mut on_pg) = (Vec::new(), Vec::new());
        for run in 1..=options.runs {
            on_file.push(append_run(
                &runtime,
                &mut file_server,
                &options,
                clients,
                run,
                None,
            )?);
            on_pg.push(append_run(
                &runtime,
                &mut pg_server,
                &options,
                clients,
                run,
                Some(&database),
            )?);
        }
        c.appends.push((clients, on_file, on_pg));
    }
    file_server.stop(Duration::from_secs(60))?;
    pg_server.stop(Duration::from_secs(60))?;
    // Stopped and reaped, the database's CPU counts as ours, not others'.
    drop(database);
    remove_dir(&file_data)?;

    let wall = clock.elapsed().as_secs_f64();
    c.minutes = wall / 60.0;
    c.others_cores = CpuClock::now().others_cores_since(&cpu_at_start, wall);
    let markdown = report::comparison::markdown(&c);
    report::write_section(
        &options.out,
        report::POSTGRES_BEGIN,
        report::POSTGRES_END,
        &markdown,
    )?;
    say(format_args!(
        "wrote the PostgreSQL figures to {}",
        options.out.display()
    ));
    println!("{}", report::comparison::summary(&c));
    Ok(c)
}

/// `fsync=on, synchronous_commit=on, ...`
pub fn settings_text(settings: &[(String, String)]) -> String {
    settings
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join(", ")
}
