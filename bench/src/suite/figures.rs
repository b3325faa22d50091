//! What a run of the suite measures, figure by figure, and the session it
//! measured in: the types [`super::report`] writes out.

use super::machine::{CpuClock, Machine};
use super::process::Finished;
use super::{Options, Workload};
use crate::http_load;
use crate::stats::{Latencies, median};
use gpu_ledger_testkit::workload::Summary;
use std::time::Instant;

/// Runs of one figure (seconds, KiB, events/s, ... as the field says).
#[derive(Debug, Clone, Default)]
pub struct Runs(pub Vec<f64>);

impl Runs {
    pub fn median(&self) -> f64 {
        median(&self.0)
    }
    pub(super) fn push(&mut self, value: f64) {
        self.0.push(value);
    }
}

/// One offline step measured on both sides.
#[derive(Debug, Clone, Default)]
pub struct Step {
    pub seconds: Runs,
    /// CPU time of the command itself.
    pub cpu_seconds: Runs,
    pub peak_rss_kib: Runs,
    /// CPU time of the database server meanwhile (PostgreSQL only).
    pub database_cpu_seconds: Runs,
}

impl Step {
    pub(super) fn record(&mut self, finished: &Finished) {
        self.seconds.push(finished.seconds);
        self.cpu_seconds.push(finished.cpu_seconds);
        self.peak_rss_kib.push(finished.peak_rss_kib as f64);
    }

    /// Events per second of each run.
    pub fn rates(&self, events: u64) -> Runs {
        Runs(self.seconds.0.iter().map(|s| events as f64 / s).collect())
    }
}

/// One load run against the server.
#[derive(Debug, Clone)]
pub struct LoadRun {
    pub per_second: f64,
    pub requests: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub body_bytes: usize,
    /// CPU seconds per second of the server and of the load generator.
    pub server_cores: f64,
    pub client_cores: f64,
    /// ... and of the database server (PostgreSQL only).
    pub database_cores: Option<f64>,
}

impl LoadRun {
    pub(super) fn new(
        report: &http_load::LoadReport,
        server_cpu: f64,
        client_cpu: f64,
        database_cpu: Option<f64>,
        wall: f64,
    ) -> Self {
        let l: &Latencies = &report.latencies;
        LoadRun {
            per_second: report.per_second(),
            requests: report.requests,
            p50_ms: l.p50_ms(),
            p99_ms: l.p99_ms(),
            max_ms: l.max_ms(),
            body_bytes: report.body_bytes,
            server_cores: server_cpu / wall,
            client_cores: client_cpu / wall,
            database_cores: database_cpu.map(|cpu| cpu / wall),
        }
    }
}

/// Figures of the medians of load runs.
pub fn load_medians(runs: &[LoadRun]) -> (f64, f64, f64) {
    let pick = |f: fn(&LoadRun) -> f64| median(&runs.iter().map(f).collect::<Vec<_>>());
    (
        pick(|r| r.per_second),
        pick(|r| r.p50_ms),
        pick(|r| r.p99_ms),
    )
}

/// Start-up to serving, and the server's peak RSS once serving.
#[derive(Debug, Clone, Default)]
pub struct Startup {
    pub seconds: Runs,
    pub peak_rss_kib: Runs,
}

/// The two ways a server starts: replaying the whole ledger (the first
/// start after an import, or with its derived files removed), and
/// restarting from what the previous run kept at shutdown (snapshots of its
/// state, Merkle node files).
#[derive(Debug, Clone, Default)]
pub struct Startups {
    /// The first start after `import`, from what the import left.
    pub after_import: Startup,
    pub full_replay: Startup,
    pub restart: Startup,
}

/// Everything one size of ledger measured on our side only.
#[derive(Debug, Clone, Default)]
pub struct Scaling {
    pub events: u64,
    pub workload_bytes: u64,
    /// Applications in the workload: what the rules' state grows with.
    pub applications: usize,
    pub import: Step,
    pub verify: Step,
    pub rebuild: Step,
    pub startup: Startups,
    pub disk_bytes: u64,
}

/// The peer's figures: its import and verify, and its one-commit-per-event
/// import (its durable one-by-one rate).
#[derive(Debug, Clone, Default)]
pub struct PeerSteps {
    pub import: Step,
    pub verify: Step,
    pub disk_bytes: u64,
    pub one_by_one: Step,
}

/// Where, when and on what a run of the suite (either mode) measured: what
/// each generated section opens with.
#[derive(Debug, Clone)]
pub struct Session {
    pub options: Options,
    pub machine: Machine,
    pub started: String,
    pub minutes: f64,
    /// Cores other work on the machine kept busy during the run, on average
    /// (a database the run started counts as other work while it runs: an
    /// upper bound).
    pub others_cores: f64,
    pub workload: Summary,
    pub workload_seconds: f64,
}

/// The clocks a run reads at its start, to say at its end how long it took
/// and how busy the rest of the machine was meanwhile.
pub(crate) struct Stopwatch {
    clock: Instant,
    cpu_at_start: CpuClock,
    started: String,
}

impl Stopwatch {
    pub(crate) fn start() -> Self {
        Self {
            clock: Instant::now(),
            cpu_at_start: CpuClock::now(),
            started: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        }
    }

    /// The session of a run that began at this watch's start.
    pub(crate) fn session(
        &self,
        options: &Options,
        machine: Machine,
        workload: &Workload,
    ) -> Session {
        Session {
            options: options.clone(),
            machine,
            started: self.started.clone(),
            minutes: 0.0,
            others_cores: 0.0,
            workload: workload.summary.clone(),
            workload_seconds: workload.seconds,
        }
    }

    /// Closes `session`: its length, and the cores others used meanwhile.
    pub(crate) fn stop(&self, session: &mut Session) {
        let wall = self.clock.elapsed().as_secs_f64();
        session.minutes = wall / 60.0;
        session.others_cores = CpuClock::now().others_cores_since(&self.cpu_at_start, wall);
    }
}
