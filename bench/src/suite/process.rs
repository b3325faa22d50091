//! Running the programs under test: wall time and peak memory of a command,
//! and a `gpu-ledger serve` process to start, watch and stop.
//!
//! Peak RSS is the child's `VmHWM` (`/proc/<pid>/status`), read every 5 ms
//! while it runs and once more when it has exited but is not yet reaped.
//! Not `ru_maxrss` from `wait4(2)`: Linux carries the spawning process's peak
//! over into a child's `ru_maxrss` across `exec`, so after this program has
//! generated a large workload every child would seem at least that large.
//! `VmHWM` belongs to the memory the child has had since `exec`, its own.

use std::fs::File;
use std::io::Read;
use std::net::{SocketAddr, TcpListener};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A command that ran to completion.
#[derive(Debug)]
pub struct Finished {
    pub seconds: f64,
    /// User plus system CPU time of the child and its threads.
    pub cpu_seconds: f64,
    /// Peak resident set size, KiB.
    pub peak_rss_kib: u64,
    pub stdout: String,
}

/// Runs `command` to completion with stdout captured and stderr kept for the
/// error message; fails unless it exits 0.
pub fn measure(command: &mut Command) -> Result<Finished, String> {
    let shown = describe(command);
    let started = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {shown}: {e}"))?;
    // Drain both pipes while the child runs, so neither can fill and block it.
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let watcher = PeakWatcher::start(child.id());
    wait_for_exit(child.id())?;
    let seconds = started.elapsed().as_secs_f64();
    let peak_rss_kib = watcher.finish();
    let (status, usage) = wait(&child)?;
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    if !status.success() {
        return Err(format!(
            "{shown} failed ({status}): {}",
            stderr.trim().lines().last().unwrap_or("no message")
        ));
    }
    Ok(Finished {
        seconds,
        cpu_seconds: timeval_seconds(usage.ru_utime) + timeval_seconds(usage.ru_stime),
        peak_rss_kib,
        stdout,
    })
}

/// Follows a child's `VmHWM` from another thread until told to stop.
struct PeakWatcher {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<u64>,
}

impl PeakWatcher {
    fn start(pid: u32) -> Self {
        use std::sync::atomic::Ordering;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopped = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut peak = 0;
            loop {
                // Read once more after the stop signal: the child has exited
                // by then, and a zombie's status has no VmHWM, so this keeps
                // the last reading.
                let last_round = stopped.load(Ordering::Acquire);
                if let Some(kib) = status_field(pid, "VmHWM:") {
                    peak = peak.max(kib);
                }
                if last_round {
                    return peak;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        });
        Self { stop, thread }
    }

    /// The highest `VmHWM` seen, KiB (0 if the child ended before the first reading).
    fn finish(self) -> u64 {
        self.stop.store(true, std::sync::atomic::Ordering::Release);
        self.thread.join().unwrap_or(0)
    }
}

/// One `kB` field of `/proc/<pid>/status`.
fn status_field(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Whether our unreaped child `pid` has exited (is a zombie).
fn has_exited(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).map_or(true, |stat| {
        // The state follows the command name, which ends with the last ')'.
        stat.rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'))
    })
}

/// Blocks until our child `pid` has exited, without reaping it, so that its
/// pid cannot be reused while its status is still being read.
fn wait_for_exit(pid: u32) -> Result<(), String> {
    let id = libc::id_t::from(pid);
    loop {
        // SAFETY: an all-zero `siginfo_t` is a valid value of that C struct.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: waitid on our own unreaped child with a pointer to a live
        // local; WNOWAIT leaves it to be reaped by `wait`.
        let r = unsafe { libc::waitid(libc::P_PID, id, &mut info, libc::WEXITED | libc::WNOWAIT) };
        if r == 0 {
            return Ok(());
        }
        let error = std::io::Error::last_os_error();
        if error.kind() != std::io::ErrorKind::Interrupted {
            return Err(format!("waitid on pid {pid} failed: {error}"));
        }
    }
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
        text
    })
}

/// The command line as a person would type it (for messages).
pub fn describe(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Waits for `child` and returns its status and resource usage.
fn wait(child: &Child) -> Result<(ExitStatus, libc::rusage), String> {
    wait_pid(child.id(), 0)?.ok_or_else(|| "wait4 returned without a status".to_owned())
}

/// `wait4` on our own child: `None` if `options` has `WNOHANG` and it still runs.
fn wait_pid(pid: u32, options: i32) -> Result<Option<(ExitStatus, libc::rusage)>, String> {
    let pid = libc::pid_t::try_from(pid).map_err(|_| format!("pid {pid} out of range"))?;
    let mut status = 0;
    // SAFETY: an all-zero `rusage` is a valid value of that plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is a child this process spawned and has not reaped
        // (std's `Child::wait` is never called on it), and both out-pointers
        // point to live, writable locals.
        let reaped = unsafe { libc::wait4(pid, &mut status, options, &mut usage) };
        match reaped {
            0 => return Ok(None),
            r if r == pid => return Ok(Some((ExitStatus::from_raw(status), usage))),
            _ => {
                let error = std::io::Error::last_os_error();
                if error.kind() != std::io::ErrorKind::Interrupted {
                    return Err(format!("wait4 on pid {pid} failed: {error}"));
                }
            }
        }
    }
}

/// CPU time this process (the load generator) has used, in seconds.
pub fn own_cpu_seconds() -> f64 {
    cpu_seconds(libc::RUSAGE_SELF)
}

/// User plus system CPU time of `who` (`RUSAGE_SELF`, `RUSAGE_CHILDREN`), in seconds.
pub fn cpu_seconds(who: libc::c_int) -> f64 {
    // SAFETY: an all-zero `rusage` is valid, and getrusage only writes into it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: a valid `who` and a pointer to a live local.
    if unsafe { libc::getrusage(who, &mut usage) } != 0 {
        return 0.0;
    }
    timeval_seconds(usage.ru_utime) + timeval_seconds(usage.ru_stime)
}

fn timeval_seconds(t: libc::timeval) -> f64 {
    t.tv_sec as f64 + t.tv_usec as f64 / 1e6
}

pub fn clock_ticks_per_second() -> f64 {
    // SAFETY: sysconf has no preconditions.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks > 0 { ticks as f64 } else { 100.0 }
}

/// Latencies of the durable write every append waits for: 4 KiB appended
/// to a growing file in `dir`, then `fdatasync`, `count` times. Measured in
/// the same session as the appends, it is their ceiling on this disk.
pub fn fsync_probe(dir: &Path, count: usize) -> Result<crate::stats::Latencies, String> {
    use std::io::Write;
    let path = dir.join("fsync-probe");
    let fail = |e: std::io::Error| format!("fsync probe in {}: {e}", dir.display());
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(fail)?;
    let block = [0x5a_u8; 4096];
    let mut nanos = Vec::with_capacity(count);
    for _ in 0..count {
        let started = Instant::now();
        file.write_all(&block).map_err(fail)?;
        file.sync_data().map_err(fail)?;
        nanos.push(started.elapsed().as_nanos() as u64);
    }
    drop(file);
    std::fs::remove_file(&path).map_err(fail)?;
    Ok(crate::stats::Latencies::from_nanos(nanos))
}

/// What `/proc/<pid>/stat` (proc(5)) tells of a process's CPU time.
#[derive(Debug, Clone, Copy)]
pub struct ProcStat {
    pub parent: u32,
    /// User plus system time of the process's own threads, in clock ticks.
    pub own_ticks: u64,
    /// User plus system time of its children that it has waited for.
    pub reaped_children_ticks: u64,
}

impl ProcStat {
    pub fn read(pid: u32) -> Option<Self> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // Fields after the command name (which may hold spaces) end with ')';
        // the first of them is field 3 of proc(5), the state.
        let (_, rest) = stat.rsplit_once(')')?;
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let field = |n: usize| fields.get(n - 3).and_then(|v| v.parse::<u64>().ok());
        Some(Self {
            parent: u32::try_from(field(4)?).ok()?,
            own_ticks: field(14)? + field(15)?,
            reaped_children_ticks: field(16)? + field(17)?,
        })
    }
}

/// A free loopback port: bound, read and released (the server binds it next).
pub fn free_port() -> Result<SocketAddr, String> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .map_err(|e| format!("cannot find a free loopback port: {e}"))?;
    listener
        .local_addr()
        .map_err(|e| format!("cannot read the port: {e}"))
}

/// A running `gpu-ledger serve`, stopped (and reaped) when dropped.
pub struct Server {
    child: Option<Child>,
    pub addr: SocketAddr,
}

impl Server {
    /// Starts `gpu-ledger <store> serve --addr ADDR`, its log to `log`.
    pub fn spawn(
        binary: &Path,
        store: &super::store::Store,
        addr: SocketAddr,
        log: &Path,
    ) -> Result<Self, String> {
        let addr_arg = addr.to_string();
        Self::start(
            binary,
            store.args(),
            &["serve", "--addr", &addr_arg],
            addr,
            log,
        )
    }

    /// Starts `gpu-ledger --data DIR ARGS...` that will answer on `addr`
    /// (a server with more options, or a witness), its log to `log`.
    pub fn spawn_args(
        binary: &Path,
        data: &Path,
        args: &[&str],
        addr: SocketAddr,
        log: &Path,
    ) -> Result<Self, String> {
        let store = vec!["--data".into(), data.into()];
        Self::start(binary, store, args, addr, log)
    }

    /// Starts `binary ARGS...`, another server that will answer on `addr`.
    pub fn spawn_plain(
        binary: &Path,
        args: &[&str],
        addr: SocketAddr,
        log: &Path,
    ) -> Result<Self, String> {
        Self::start(binary, Vec::new(), args, addr, log)
    }

    fn start(
        binary: &Path,
        store: Vec<std::ffi::OsString>,
        args: &[&str],
        addr: SocketAddr,
        log: &Path,
    ) -> Result<Self, String> {
        let log = File::create(log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
        let child = Command::new(binary)
            .args(store)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start {} {}: {e}", binary.display(), args.join(" ")))?;
        Ok(Self {
            child: Some(child),
            addr,
        })
    }

    /// Whether it has exited (then it cannot answer any more).
    pub fn exited(&mut self) -> Result<Option<ExitStatus>, String> {
        let Some(child) = &self.child else {
            return Ok(None);
        };
        match wait_pid(child.id(), libc::WNOHANG)? {
            Some((status, _)) => {
                self.child = None;
                Ok(Some(status))
            }
            None => Ok(None),
        }
    }

    /// Peak RSS so far (`VmHWM`), KiB.
    pub fn peak_rss_kib(&self) -> Result<u64, String> {
        self.memory("VmHWM:")
    }

    /// RSS now (`VmRSS`), KiB.
    pub fn rss_kib(&self) -> Result<u64, String> {
        self.memory("VmRSS:")
    }

    fn memory(&self, field: &str) -> Result<u64, String> {
        let child = self.child.as_ref().ok_or("the server is not running")?;
        status_field(child.id(), field)
            .ok_or_else(|| format!("cannot read {field} of the server in /proc/<pid>/status"))
    }

    /// CPU time it has used so far, user and system, in seconds.
    pub fn cpu_seconds(&self) -> Result<f64, String> {
        let child = self.child.as_ref().ok_or("the server is not running")?;
        let stat = ProcStat::read(child.id())
            .ok_or("cannot read the server's CPU time in /proc/<pid>/stat")?;
        Ok(stat.own_ticks as f64 / clock_ticks_per_second())
    }

    /// Asks it to stop as Ctrl-C would (SIGINT), then kills it if it has not
    /// stopped within `grace`. Returns its peak RSS over its whole life.
    pub fn stop(mut self, grace: Duration) -> Result<u64, String> {
        let child = self.child.take().ok_or("the server is not running")?;
        let watcher = PeakWatcher::start(child.id());
        signal(&child, libc::SIGINT);
        let deadline = Instant::now() + grace;
        while !has_exited(child.id()) {
            if Instant::now() >= deadline {
                signal(&child, libc::SIGKILL);
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        wait_for_exit(child.id())?;
        let peak = watcher.finish();
        wait(&child)?;
        Ok(peak)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(child) = self.child.take() {
            signal(&child, libc::SIGKILL);
            let _ = wait(&child);
        }
    }
}

fn signal(child: &Child, signal: i32) {
    if let Ok(pid) = libc::pid_t::try_from(child.id()) {
        // SAFETY: kill(2) on the pid of our own unreaped child, which cannot
        // have been reused by another process.
        unsafe {
            libc::kill(pid, signal);
        }
    }
}

/// Total bytes of the files under `path` (a data directory), or of the files
/// `path`, `path-wal` and `path-shm` (an SQLite database).
pub fn bytes_on_disk(path: &Path) -> u64 {
    fn walk(path: &Path) -> u64 {
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => std::fs::read_dir(path)
                .map(|entries| entries.flatten().map(|e| walk(&e.path())).sum())
                .unwrap_or(0),
            Ok(m) => m.len(),
            Err(_) => 0,
        }
    }
    if path.is_dir() {
        return walk(path);
    }
    ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            walk(Path::new(&name))
        })
        .sum()
}
