//! `gpu-ledger-bench witness`: what having checkpoints cosigned by
//! witnesses costs the appends (issue 21's goal: at most 10% of append
//! throughput), and how long one checkpoint's round trip to the witnesses
//! takes.
//!
//! Everything runs as separate processes of the release binary on this
//! machine, as an operator would run them: three `gpu-ledger witness serve`
//! and one `gpu-ledger serve`, driven by [`crate::http_load`] with durable
//! single-event appends. Each round measures, in fresh data directories and
//! alternating so a busy neighbour slows both alike, the server signing a
//! checkpoint every second without witnesses, and the same with the three
//! witnesses and a quorum of two: the difference is what the witnesses cost
//! at one checkpoint a second, 300 times the default `--checkpoint-every`.
//! After each witnessed run, `POST /v1/checkpoints/latest` is timed
//! (signing, three `add-checkpoint` round trips at once, each with its
//! consistency proof and the witness's fsync).

use crate::http_load::{self, Load, Plan};
use crate::stats::{Latencies, median};
use crate::suite::process::{Server, free_port};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Options {
    pub binary: PathBuf,
    pub clients: usize,
    pub seconds: u64,
    pub rounds: usize,
    /// Timed `POST /v1/checkpoints/latest` after each witnessed run.
    pub signings: usize,
    pub work_dir: PathBuf,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub clients: usize,
    pub seconds: u64,
    /// Appends/s of each round.
    pub without: Vec<f64>,
    pub with: Vec<f64>,
    /// Checkpoints published in each witnessed run.
    pub published: Vec<usize>,
    pub round_trip: Latencies,
}

fn keygen(
    binary: &Path,
    dir: &Path,
    name: &str,
    file: &str,
    witness: bool,
) -> Result<String, String> {
    let out = dir.join(file);
    let mut c = Command::new(binary);
    c.args(["keygen", "--name", name, "--out"]).arg(&out);
    if witness {
        c.arg("--witness");
    }
    let done = c.output().map_err(|e| format!("cannot run keygen: {e}"))?;
    if !done.status.success() {
        return Err(format!(
            "keygen failed: {}",
            String::from_utf8_lossy(&done.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&done.stdout).trim().to_string())
}

/// Waits until `addr` answers `GET path` with any status.
async fn answers(addr: std::net::SocketAddr, path: &str) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while http_load::status_of(addr, path).await.is_err() {
        if Instant::now() > deadline {
            return Err(format!("{addr} did not start within 60 s"));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

/// One measured run: the server (with `witnesses` if any) under load; its appends/s.
async fn one_run(
    options: &Options,
    dir: &Path,
    key: &Path,
    witnesses: &[String],
) -> Result<(f64, usize, Vec<u64>), String> {
    let data = dir.join("ledger");
    let addr = free_port()?;
    let addr_arg = addr.to_string();
    let key_arg = key.to_string_lossy().to_string();
    let mut args = vec![
        "serve",
        "--addr",
        &addr_arg,
        "--checkpoint-key",
        &key_arg,
        "--checkpoint-every",
        "1",
    ];
    for w in witnesses {
        args.extend(["--witness", w.as_str()]);
    }
    if !witnesses.is_empty() {
        args.extend(["--witness-quorum", "2"]);
    }
    let server = Server::spawn_args(&options.binary, &data, &args, addr, &dir.join("serve.log"))?;
    answers(addr, "/v1/health").await?;
    let report = http_load::run(&Load {
        addr,
        plan: Plan::Appends {
            id_prefix: http_load::fresh_id_prefix(),
        },
        clients: options.clients,
        duration: Duration::from_secs(options.seconds),
        warmup: Duration::from_secs(1),
        token: None,
    })
    .await?;
    let mut round_trips = Vec::new();
    if !witnesses.is_empty() {
        for _ in 0..options.signings {
            let started = Instant::now();
            let (status, body) = http_load::post(addr, "/v1/checkpoints/latest").await?;
            round_trips.push(started.elapsed().as_nanos() as u64);
            if status != 201 {
                return Err(format!(
                    "a checkpoint was not published ({status}): {}",
                    String::from_utf8_lossy(&body)
                ));
            }
        }
    }
    let published = std::fs::read_dir(data.join("checkpoints"))
        .map(|d| {
            d.filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".note"))
            })
            .count()
        })
        .unwrap_or(0);
    server.stop(Duration::from_secs(10))?;
    Ok((report.per_second(), published, round_trips))
}

/// Three fresh witnesses of the ledger key `log_vkey`, in `dir`: their
/// processes and their `--witness` arguments.
async fn start_witnesses(
    options: &Options,
    dir: &Path,
    log_vkey: &str,
) -> Result<(Vec<Server>, Vec<String>), String> {
    let mut servers = Vec::new();
    let mut peers = Vec::new();
    for i in 1..=3 {
        let key = options.work_dir.join(format!("w{i}.key"));
        let vkey = std::fs::read_to_string(options.work_dir.join(format!("w{i}.vkey")))
            .map_err(|e| format!("cannot read the witness key: {e}"))?;
        let addr = free_port()?;
        let (addr_arg, key_arg) = (addr.to_string(), key.to_string_lossy().to_string());
        let log_arg = format!("bench.example/ledger={log_vkey}");
        let args = [
            "witness", "serve", "--key", &key_arg, "--log", &log_arg, "--listen", &addr_arg,
        ];
        let data = dir.join(format!("w{i}-data"));
        servers.push(Server::spawn_args(
            &options.binary,
            &data,
            &args,
            addr,
            &dir.join(format!("w{i}.log")),
        )?);
        answers(addr, "/").await?;
        peers.push(format!("w{i}=http://{addr}={}", vkey.trim()));
    }
    Ok((servers, peers))
}

pub fn run(options: &Options) -> Result<Report, String> {
    let runtime = crate::runtime(1)?;
    let dir = &options.work_dir;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let log_vkey = keygen(
        &options.binary,
        dir,
        "bench.example/ledger",
        "ledger.key",
        false,
    )?;
    for i in 1..=3 {
        let vkey = keygen(
            &options.binary,
            dir,
            &format!("w{i}.bench.example/witness"),
            &format!("w{i}.key"),
            true,
        )?;
        std::fs::write(dir.join(format!("w{i}.vkey")), vkey).map_err(|e| e.to_string())?;
    }
    let mut report = Report {
        clients: options.clients,
        seconds: options.seconds,
        without: Vec::new(),
        with: Vec::new(),
        published: Vec::new(),
        round_trip: Latencies::from_nanos(Vec::new()),
    };
    let mut round_trips = Vec::new();
    runtime.block_on(async {
        for round in 0..options.rounds {
            for witnessed in [false, true] {
                // A fresh ledger each run, and fresh witnesses for it: a new
                // ledger of the same origin is, to a witness, a fork.
                let run_dir = dir.join(format!("round{round}-{witnessed}"));
                std::fs::create_dir_all(&run_dir).map_err(|e| e.to_string())?;
                let key = dir.join("ledger.key");
                if witnessed {
                    let (servers, peers) = start_witnesses(options, &run_dir, &log_vkey).await?;
                    let (rate, published, trips) = one_run(options, &run_dir, &key, &peers).await?;
                    report.with.push(rate);
                    report.published.push(published);
                    round_trips.extend(trips);
                    for w in servers {
                        w.stop(Duration::from_secs(5))?;
                    }
                } else {
                    let (rate, _, _) = one_run(options, &run_dir, &key, &[]).await?;
                    report.without.push(rate);
                }
                std::fs::remove_dir_all(&run_dir).map_err(|e| e.to_string())?;
            }
        }
        Ok::<(), String>(())
    })?;
    report.round_trip = Latencies::from_nanos(round_trips);
    Ok(report)
}

impl Report {
    pub fn markdown(&self) -> String {
        let (without, with) = (median(&self.without), median(&self.with));
        let runs = |v: &[f64]| {
            v.iter()
                .map(|r| format!("{r:.0}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!(
            "| figure ({} clients, {} s a run, checkpoint every second) | value |\n| --- | ---: |\n\
             | appends/s, checkpoints without witnesses | {without:.0} ({}) |\n\
             | appends/s, checkpoints cosigned by 2 of 3 witnesses | **{with:.0}** ({}) |\n\
             | throughput lost to the witnesses | **{:.1}%** |\n\
             | checkpoints published per witnessed run | {:?} |\n\
             | `POST /v1/checkpoints/latest` with 3 witnesses, p50 / p99 | **{:.2} / {:.2} ms** |\n",
            self.clients,
            self.seconds,
            runs(&self.without),
            runs(&self.with),
            (1.0 - with / without) * 100.0,
            self.published,
            self.round_trip.p50_ms(),
            self.round_trip.p99_ms(),
        )
    }
}
