//! Throwaway PostgreSQL clusters for tests: `initdb` in a temporary
//! directory, a server on a free loopback port, a streaming standby made
//! with `pg_basebackup`, all removed when dropped. No system service is
//! assumed: only Debian's server binaries (`apt-get install postgresql`).
//!
//! `initdb` refuses to run as root, and tests here may: as root, every
//! server program runs as the `postgres` user the Debian package creates,
//! in a directory handed to it. Clients connect over TCP as `ledger`, with
//! trust authentication on loopback only.
//!
//! The tests' servers are started for speed (`fsync=off`: a killed process
//! loses nothing the operating system has, which is what the tests kill).
//! The benchmarks start theirs with [`PgCluster::start_durable`], which
//! flushes every commit to the disk as a production server does.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The database user the clusters are made with.
pub const USER: &str = "ledger";

/// Where the server binaries are (see [`crate::pg_binaries`]).
pub fn binaries() -> Result<PathBuf, String> {
    crate::pg_binaries::find()
}

/// uid and gid to run the server programs as: the `postgres` user when
/// running as root (initdb refuses root), else nobody else.
fn server_owner() -> Result<Option<(u32, u32)>, String> {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let euid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|u| u.parse::<u32>().ok());
    if euid != Some(0) {
        return Ok(None);
    }
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    passwd
        .lines()
        .find_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            (f.first() == Some(&"postgres") && f.len() > 3)
                .then(|| Some((f[2].parse().ok()?, f[3].parse().ok()?)))
                .flatten()
        })
        .map(Some)
        .ok_or_else(|| {
            "running as root, and initdb refuses root, but there is no `postgres` user to run \
             the server as (Debian's postgresql package makes one)"
                .to_string()
        })
}

/// One PostgreSQL server in a directory of its own.
pub struct PgCluster {
    root: PathBuf,
    data: PathBuf,
    port: u16,
    bin: PathBuf,
    owner: Option<(u32, u32)>,
    server: Option<Child>,
}

static CLUSTERS: AtomicU32 = AtomicU32::new(0);

/// What [`PgCluster::start_durable`] sets over the test settings: the
/// server's own defaults for everything that makes a commit durable.
const DURABLE: [(&str, &str); 4] = [
    ("fsync", "on"),
    ("full_page_writes", "on"),
    ("synchronous_commit", "on"),
    ("shared_buffers", "128MB"),
];

impl PgCluster {
    /// A fresh cluster with the test settings.
    pub fn start() -> Result<Self, String> {
        Self::start_with(&[])
    }

    /// A fresh cluster whose `COMMIT` returns only once the WAL is on the
    /// disk (`fsync`, `full_page_writes` and `synchronous_commit` on, and
    /// PostgreSQL's default `shared_buffers`), so that a benchmark measures
    /// the durability an operator gets; `settings` as for
    /// [`PgCluster::start_with`], applied after these.
    pub fn start_durable(settings: &[(&str, &str)]) -> Result<Self, String> {
        let mut all = DURABLE.to_vec();
        all.extend_from_slice(settings);
        Self::start_with(&all)
    }

    /// A fresh cluster; `settings` (name, value) are passed to the server
    /// after the test settings, so they override them.
    pub fn start_with(settings: &[(&str, &str)]) -> Result<Self, String> {
        let mut c = Self::empty()?;
        c.run(
            "initdb",
            &[
                "-D",
                path_str(&c.data)?,
                "-U",
                USER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "-N",
            ],
        )?;
        c.launch(settings)?;
        Ok(c)
    }

    /// A synchronous streaming standby of `primary`, named `name` (the
    /// name the primary's `synchronous_standby_names` gives).
    pub fn standby_of(primary: &PgCluster, name: &str) -> Result<Self, String> {
        Self::standby_on(primary, name, crate::ports::free_port(), &[])
    }

    /// [`PgCluster::standby_of`] listening on `port` (one a dead server
    /// left, so that a fixed host list keeps naming every node), with
    /// `settings` for when it is promoted.
    pub fn standby_on(
        primary: &PgCluster,
        name: &str,
        port: u16,
        settings: &[(&str, &str)],
    ) -> Result<Self, String> {
        let mut c = Self::empty()?;
        c.port = port;
        let data = path_str(&c.data)?.to_string();
        c.run_connected(
            "pg_basebackup",
            primary.port,
            &["-D", &data, "-X", "stream", "-c", "fast"],
        )?;
        std::fs::write(c.data.join("standby.signal"), b"").map_err(|e| e.to_string())?;
        c.hand_over(&c.data.join("standby.signal"))?;
        let conninfo = format!(
            "host=127.0.0.1 port={} user={USER} application_name={name}",
            primary.port
        );
        let mut all = vec![
            ("primary_conninfo", conninfo.as_str()),
            ("hot_standby", "on"),
        ];
        all.extend_from_slice(settings);
        c.launch(&all)?;
        Ok(c)
    }

    fn empty() -> Result<Self, String> {
        let bin = binaries()?;
        let owner = server_owner()?;
        let n = CLUSTERS.fetch_add(1, Ordering::SeqCst);
        let root = std::env::temp_dir().join(format!("gpu-ledger-pg-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).map_err(|e| format!("{}: {e}", root.display()))?;
        let c = Self {
            data: root.join("data"),
            port: crate::ports::free_port(),
            root,
            bin,
            owner,
            server: None,
        };
        c.hand_over(&c.root)?;
        Ok(c)
    }

    /// Gives `path` to the user the server runs as.
    fn hand_over(&self, path: &Path) -> Result<(), String> {
        if let Some((uid, gid)) = self.owner {
            std::os::unix::fs::chown(path, Some(uid), Some(gid))
                .map_err(|e| format!("chown {}: {e}", path.display()))?;
        }
        Ok(())
    }

    fn command(&self, program: &str) -> Command {
        let mut c = Command::new(self.bin.join(program));
        if let Some((uid, gid)) = self.owner {
            c.uid(uid).gid(gid);
        }
        c.current_dir(&self.root).env("LC_ALL", "C");
        c
    }

    fn run(&self, program: &str, args: &[&str]) -> Result<String, String> {
        let out = self
            .command(program)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {program}: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "{program} failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// [`Self::run`] of a client program connected to the server on `port`
    /// over loopback TCP as the test user.
    fn run_connected(&self, program: &str, port: u16, args: &[&str]) -> Result<String, String> {
        let port = port.to_string();
        let to = ["-h", "127.0.0.1", "-p", &port, "-U", USER];
        self.run(program, &[&to[..], args].concat())
    }

    fn launch(&mut self, settings: &[(&str, &str)]) -> Result<(), String> {
        let log = std::fs::File::create(self.root.join("server.log")).map_err(|e| e.to_string())?;
        self.hand_over(&self.root.join("server.log"))?;
        let sockets = self.root.join("sockets");
        std::fs::create_dir_all(&sockets).map_err(|e| e.to_string())?;
        self.hand_over(&sockets)?;
        let mut cmd = self.command("postgres");
        cmd.arg("-D")
            .arg(&self.data)
            .arg("-p")
            .arg(self.port.to_string());
        let defaults = [
            ("listen_addresses", "127.0.0.1"),
            ("unix_socket_directories", path_str(&sockets)?),
            ("fsync", "off"),
            ("full_page_writes", "off"),
            ("dynamic_shared_memory_type", "mmap"),
            ("max_connections", "60"),
            ("shared_buffers", "32MB"),
            ("log_min_messages", "warning"),
        ];
        for (k, v) in defaults.iter().chain(settings) {
            cmd.arg("-c").arg(format!("{k}={v}"));
        }
        // The server dies with the test that started it, even one that aborts.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let child = cmd
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start postgres: {e}"))?;
        self.server = Some(child);
        self.wait_ready(Duration::from_secs(60))
    }

    /// Waits until the server answers queries.
    fn wait_ready(&mut self, patience: Duration) -> Result<(), String> {
        let deadline = Instant::now() + patience;
        let port = self.port.to_string();
        loop {
            if let Some(child) = self.server.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                return Err(format!(
                    "postgres exited ({status}) while starting: {}",
                    self.log_tail()
                ));
            }
            let ready = self
                .command("pg_isready")
                .args(["-q", "-h", "127.0.0.1", "-p", &port, "-U", USER])
                .status()
                .is_ok_and(|s| s.success());
            if ready {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "postgres did not accept connections within {patience:?}: {}",
                    self.log_tail()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The last lines of the server's log, for failure messages.
    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.root.join("server.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(12)..].join("\n")
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The process id of the postmaster, while it runs: the parent of every
    /// backend, whose CPU time a benchmark adds up.
    pub fn pid(&self) -> Option<u32> {
        self.server.as_ref().map(Child::id)
    }

    /// The server's data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data
    }

    /// `host:port` of the server, for multi-host URLs.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// A URL of database `postgres` on this server, with `query` appended.
    pub fn url(&self, query: &str) -> String {
        let q = if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        };
        format!("postgres://{USER}@{}/postgres{q}", self.host())
    }

    /// Runs SQL with psql; the output, one row per line, `|` between fields.
    pub fn psql(&self, sql: &str) -> Result<String, String> {
        let args = [
            "-X",
            "-q",
            "-At",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            "postgres",
            "-c",
            sql,
        ];
        self.run_connected("psql", self.port, &args)
            .map(|s| s.trim_end().to_string())
    }

    /// `kill -9` of the server: no shutdown, no goodbye to clients.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.server.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Whether the server process is running.
    pub fn running(&mut self) -> bool {
        self.server
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// Promotes a standby to primary and waits until it takes writes.
    pub fn promote(&self) -> Result<(), String> {
        self.run(
            "pg_ctl",
            &["promote", "-w", "-t", "60", "-D", path_str(&self.data)?],
        )?;
        Ok(())
    }

    /// Waits until this primary has standby `name` attached as synchronous.
    pub fn wait_for_sync_standby(&self, name: &str, patience: Duration) -> Result<(), String> {
        let deadline = Instant::now() + patience;
        let sql =
            format!("SELECT sync_state FROM pg_stat_replication WHERE application_name = '{name}'");
        loop {
            if self.psql(&sql).is_ok_and(|s| s.trim() == "sync") {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "standby {name} did not attach as synchronous within {patience:?}"
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn path_str(p: &Path) -> Result<&str, String> {
    p.to_str()
        .ok_or_else(|| format!("{} is not UTF-8", p.display()))
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        if self.running()
            && let Ok(data) = path_str(&self.data)
        {
            let _ = self.run("pg_ctl", &["stop", "-m", "immediate", "-w", "-D", data]);
        }
        self.kill();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}
