//! What the figures were measured on: the machine, the system and the code.
//!
//! Everything is read from `/proc`, `/etc/os-release` and a few standard
//! tools; anything missing is reported as unknown rather than failing the
//! run, because the figures are still worth having.

use std::path::Path;
use std::process::Command;

#[derive(Debug, Clone)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub sha_ni: bool,
    pub memory_gib: f64,
    pub os: String,
    pub kernel: String,
    /// Device and filesystem holding the work directory.
    pub disk: String,
    pub rustc: String,
    /// Commit of the measured workspace, and whether it had local changes.
    pub commit: String,
    /// 1-minute load average when the run started: others' work skews figures.
    pub load_at_start: String,
}

impl Machine {
    pub fn describe(workspace: &Path, work_dir: &Path) -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name"))
            .and_then(|l| l.split_once(':'))
            .map_or_else(|| "unknown CPU".to_owned(), |(_, v)| v.trim().to_owned());
        let sha_ni = cpuinfo
            .lines()
            .find(|l| l.starts_with("flags"))
            .is_some_and(|l| l.split_whitespace().any(|f| f == "sha_ni"));
        let memory_gib = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|m| {
                m.lines()
                    .find_map(|l| l.strip_prefix("MemTotal:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            })
            .map_or(0.0, |kib| kib / (1024.0 * 1024.0));
        let os = std::fs::read_to_string("/etc/os-release")
            .ok()
            .and_then(|r| {
                r.lines()
                    .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                    .map(|v| v.trim_matches('"').to_owned())
            })
            .unwrap_or_else(|| "unknown OS".into());
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map_or_else(|_| "unknown".into(), |k| k.trim().to_owned());
        let disk = output(
            "df",
            &["--output=source,fstype", &work_dir.to_string_lossy()],
        )
        .and_then(|o| {
            o.lines()
                .nth(1)
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(", "))
        })
        .unwrap_or_else(|| "unknown".into());
        let rustc = output("rustc", &["--version"]).unwrap_or_else(|| "unknown rustc".into());
        let dir = workspace.to_string_lossy();
        let commit = match output("git", &["-C", &dir, "rev-parse", "--short=12", "HEAD"]) {
            Some(head) => {
                let changed = output(
                    "git",
                    &["-C", &dir, "status", "--porcelain", "--untracked-files=no"],
                )
                .is_some_and(|s| !s.trim().is_empty());
                if changed {
                    format!("{head} with uncommitted changes")
                } else {
                    head
                }
            }
            None => "unknown (not a git checkout)".into(),
        };
        let load_at_start = std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|l| l.split_whitespace().next().map(str::to_owned))
            .unwrap_or_else(|| "unknown".into());
        Machine {
            cpu,
            cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
            sha_ni,
            memory_gib,
            os,
            kernel,
            disk,
            rustc,
            commit,
            load_at_start,
        }
    }
}

/// CPU time of the whole machine and of this process with its children, to
/// tell how much of the machine other work took during a run.
#[derive(Debug, Clone, Copy)]
pub struct CpuClock {
    /// Busy time of all CPUs (everything but idle and iowait), seconds.
    machine_busy: f64,
    /// This process and its reaped children, seconds.
    ours: f64,
}

impl CpuClock {
    pub fn now() -> Self {
        CpuClock {
            machine_busy: machine_busy_seconds(),
            ours: own_and_children_seconds(),
        }
    }

    /// Cores kept busy by other work since `start`, over `wall` seconds.
    /// Children still running at either end (a server) count as others' for
    /// that stretch, so this is an upper bound.
    pub fn others_cores_since(&self, start: &CpuClock, wall: f64) -> f64 {
        let busy = self.machine_busy - start.machine_busy;
        let ours = self.ours - start.ours;
        ((busy - ours) / wall).max(0.0)
    }
}

/// The `cpu` line of `/proc/stat`: user nice system idle iowait irq softirq steal.
fn machine_busy_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let Some(line) = stat.lines().find(|l| l.starts_with("cpu ")) else {
        return 0.0;
    };
    let ticks: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    // The first eight fields; guest time is already part of user time.
    let busy: u64 = ticks
        .iter()
        .take(8)
        .enumerate()
        .filter(|(i, _)| !matches!(i, 3 | 4))
        .map(|(_, t)| t)
        .sum();
    busy as f64 / super::process::clock_ticks_per_second()
}

fn own_and_children_seconds() -> f64 {
    use super::process::cpu_seconds;
    cpu_seconds(libc::RUSAGE_SELF) + cpu_seconds(libc::RUSAGE_CHILDREN)
}

/// A tool's trimmed stdout, if it ran and succeeded.
fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}
