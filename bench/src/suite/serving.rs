//! The server's side of a run: starting it (from scratch and from what it
//! kept), waiting until it serves and goes idle, and load runs against it.

use super::postgres::Database;
use super::process::{self, Server, free_port};
use super::store::Store;
use super::{DERIVED_DIRS, LoadRun, Startup, Startups, remove_dir, say};
use crate::http_load::{self, Load};
use std::path::Path;
use std::time::{Duration, Instant};

/// Starts the server `runs` times from scratch (derived files removed) and
/// `runs` times again from what the previous run kept, timing each start
/// until it serves; every server but the last is stopped again (by SIGINT,
/// as an operator would, so it keeps its snapshot).
pub(super) fn startups(
    ours: &Path,
    store: &Store,
    log: &Path,
    runs: usize,
    runtime: &tokio::runtime::Runtime,
    into: &mut Startups,
) -> Result<Server, String> {
    let mut last = None;
    for run in 1..=runs {
        for dir in DERIVED_DIRS {
            remove_dir(&store.derived_dir().join(dir))?;
        }
        let cold = start_once(ours, store, log, runtime, &mut into.full_replay)?;
        say(format_args!(
            "{}: start-up to serving, full replay [{run}/{runs}]: {:.3} s",
            store.name(),
            into.full_replay
                .seconds
                .0
                .last()
                .copied()
                .unwrap_or_default()
        ));
        cold.stop(Duration::from_secs(60))?;
        let warm = start_once(ours, store, log, runtime, &mut into.restart)?;
        say(format_args!(
            "{}: start-up to serving, restart [{run}/{runs}]: {:.3} s",
            store.name(),
            into.restart.seconds.0.last().copied().unwrap_or_default()
        ));
        if run < runs {
            warm.stop(Duration::from_secs(60))?;
        } else {
            last = Some(warm);
        }
    }
    last.ok_or_else(|| "no start-up was run".to_owned())
}

/// Spawns a server on `store` and records the time until it serves and its
/// peak RSS by then.
pub(super) fn start_once(
    ours: &Path,
    store: &Store,
    log: &Path,
    runtime: &tokio::runtime::Runtime,
    into: &mut Startup,
) -> Result<Server, String> {
    let addr = free_port()?;
    let started = Instant::now();
    let mut server = Server::spawn(ours, store, addr, log)?;
    wait_until_serving(&mut server, runtime, log)?;
    into.seconds.push(started.elapsed().as_secs_f64());
    into.peak_rss_kib.push(server.peak_rss_kib()? as f64);
    Ok(server)
}

/// What a server did between answering its first health check and going idle.
#[derive(Debug, Clone, Copy, Default)]
pub struct Settle {
    pub seconds: f64,
    pub cpu_seconds: f64,
    /// Resident memory once idle, KiB.
    pub rss_kib: u64,
}

/// Waits until the server uses less than 5% of a core over half a second,
/// so that queries and appends are not measured against its background
/// work (caches, history warm-up, snapshots after start-up).
pub(super) fn settle(server: &mut Server) -> Result<Settle, String> {
    const WINDOW: Duration = Duration::from_millis(500);
    let started = Instant::now();
    let first = server.cpu_seconds()?;
    let mut before = first;
    loop {
        std::thread::sleep(WINDOW);
        let now = server.cpu_seconds()?;
        let idle = now - before < 0.05 * WINDOW.as_secs_f64();
        before = now;
        if idle || started.elapsed() > Duration::from_secs(1800) {
            return Ok(Settle {
                seconds: (started.elapsed() - WINDOW).as_secs_f64(),
                cpu_seconds: now - first,
                rss_kib: server.rss_kib()?,
            });
        }
    }
}

/// The server's head seq, from `GET /v1/health`.
pub(super) fn head_seq(
    runtime: &tokio::runtime::Runtime,
    addr: std::net::SocketAddr,
) -> Result<u64, String> {
    let (status, body) = runtime.block_on(http_load::get(addr, "/v1/health"))?;
    let health: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|e| format!("GET /v1/health answered {status} with no JSON: {e}"))?;
    health["head_seq"]
        .as_u64()
        .ok_or_else(|| format!("GET /v1/health answered {status} without head_seq: {health}"))
}

/// Polls `GET /v1/health` every 2 ms until it answers 200.
pub(super) fn wait_until_serving(
    server: &mut Server,
    runtime: &tokio::runtime::Runtime,
    log: &Path,
) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(1800);
    loop {
        if let Some(status) = server.exited()? {
            return Err(format!(
                "gpu-ledger serve exited ({status}) before serving; see {}",
                log.display()
            ));
        }
        if let Ok(200) = runtime.block_on(http_load::status_of(server.addr, "/v1/health")) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err("gpu-ledger serve did not serve within 30 minutes".into());
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// One load run, with the CPU time the server, the load generator and the
/// `database` under the server, if any, used.
pub(super) fn load_run(
    runtime: &tokio::runtime::Runtime,
    server: &mut Server,
    load: &Load,
    database: Option<&Database>,
) -> Result<LoadRun, String> {
    let database_before = database.map(Database::cpu_seconds).transpose()?;
    let server_before = server.cpu_seconds()?;
    let client_before = process::own_cpu_seconds();
    let clock = Instant::now();
    let report = runtime.block_on(http_load::run(load))?;
    let wall = clock.elapsed().as_secs_f64();
    let server_cpu = server.cpu_seconds()? - server_before;
    let client_cpu = process::own_cpu_seconds() - client_before;
    let database_cpu = match (database, database_before) {
        (Some(db), Some(before)) => Some(db.cpu_seconds()? - before),
        _ => None,
    };
    Ok(LoadRun::new(
        &report,
        server_cpu,
        client_cpu,
        database_cpu,
        wall,
    ))
}
