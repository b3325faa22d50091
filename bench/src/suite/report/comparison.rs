//! The PostgreSQL mode's figures as Markdown: its own generated section,
//! each PostgreSQL figure beside the file store's and the peer's of the
//! same session, every run listed.

use super::{
    POSTGRES_BEGIN, POSTGRES_END, bytes, grouped, join, line, list, mib, ms, offline_table, rate,
    secs, session_lines,
};
use crate::stats::median;
use crate::suite::comparison::{Comparison, settings_text};
use crate::suite::{LoadRun, Runs, Step, load_medians};
use std::fmt::Write as _;

/// The generated section, markers included.
pub fn markdown(c: &Comparison) -> String {
    let o = &c.session.options;
    let n = c.file.events;
    let mut s = String::new();
    let w = &mut s;
    session_lines(
        w,
        (
            POSTGRES_BEGIN,
            "gpu-ledger-bench run --mode postgres",
            "PostgreSQL next to the file store",
        ),
        &c.session,
        ", each run in brackets; the file store, PostgreSQL and the SQLite peer ran interleaved in the same session (per run: the file store, then PostgreSQL, then the peer; for appends, a file-store run and a PostgreSQL run in turn), so the ratios hold better than the absolute figures when the machine is noisy.",
    );
    line(
        w,
        &format!(
            "- **Database**: {}. A throwaway cluster (`initdb` in the temporary directory, on the same disk as the file store; `PgCluster::start_durable` of `gpu-ledger-testkit`), one server on loopback TCP, no standby, so a commit is durable once the primary has flushed its WAL; `{}`. `gpu-ledger` reaches it with `--store postgres://ledger@127.0.0.1:PORT/postgres` (schema `gpu_ledger`, dropped before each import).",
            c.database_version,
            settings_text(&c.database_settings)
        ),
    );
    offline_table(
        w,
        &c.session,
        n,
        "Each run imports into a fresh ledger (a new data directory; a dropped and recreated schema), then verifies and rebuilds it. *gpu-ledger CPU* is the command's own user and system time per event; *database CPU* is PostgreSQL's (all its processes) during the same step; peak RSS is the command's. On PostgreSQL, `import` is one transaction of binary `COPY`s, `verify` and the rebuild read the records back by seq over the connection.",
        &[
            "file store",
            "PostgreSQL",
            "PostgreSQL / file store",
            "gpu-ledger CPU, file / PostgreSQL",
            "database CPU",
            "peak RSS, file / PostgreSQL",
            "SQLite peer",
        ],
    );
    let steps: [(&str, &Step, &Step, Option<&Step>); 3] = [
        (
            "import",
            &c.file.import,
            &c.postgres.import,
            Some(&c.peer.import),
        ),
        (
            "verify",
            &c.file.verify,
            &c.postgres.verify,
            Some(&c.peer.verify),
        ),
        (
            "rebuild of all six views (`view pools`)",
            &c.file.rebuild,
            &c.postgres.rebuild,
            None,
        ),
    ];
    for (name, file, pg, peer) in steps {
        let (f, p) = (file.rates(n), pg.rates(n));
        line(
            w,
            &format!(
                "| {name} | {} events/s ({}) | **{} events/s** ({}) | **{:.2}x** | {} / {} | {} | {} / {} | {} |",
                rate(f.median()),
                list(&f, rate),
                rate(p.median()),
                list(&p, rate),
                p.median() / f.median(),
                per_event(&file.cpu_seconds, n),
                per_event(&pg.cpu_seconds, n),
                per_event(&pg.database_cpu_seconds, n),
                mib(file.peak_rss_kib.median()),
                mib(pg.peak_rss_kib.median()),
                peer.map_or_else(
                    || "-".to_owned(),
                    |p| {
                        let r = p.rates(n);
                        format!("{} events/s ({})", rate(r.median()), list(&r, rate))
                    }
                ),
            ),
        );
    }
    line(
        w,
        &format!(
            "| bytes per event | {:.0} on disk | {:.0} in tables and indexes; WAL written per run {} | | | | | {:.0} on disk |",
            c.file.disk_bytes as f64 / n as f64,
            c.postgres.disk_bytes as f64 / n as f64,
            c.postgres_wal_bytes
                .0
                .iter()
                .map(|b| format!("{:.0}", b / n as f64))
                .collect::<Vec<_>>()
                .join(", "),
            c.peer.disk_bytes as f64 / n as f64
        ),
    );
    line(w, "");

    line(
        w,
        &format!("### The server ({}-event ledger, loopback)", grouped(n)),
    );
    line(w, "");
    line(
        w,
        "Start-up to serving as in the full suite: *full replay* with the server's derived files removed (on PostgreSQL the records are read from the database), *restart* from what the previous server kept.",
    );
    line(w, "");
    line(w, "| figure | file store | PostgreSQL |");
    line(w, "| --- | ---: | ---: |");
    let (fs, ps) = (&c.file.startup, &c.postgres.startup);
    for (name, f, p) in [
        ("full replay", &fs.full_replay, &ps.full_replay),
        ("restart", &fs.restart, &ps.restart),
    ] {
        line(
            w,
            &format!(
                "| start-up to serving, {name} | {} ({}) | **{}** ({}) |",
                secs(f.seconds.median()),
                list(&f.seconds, secs),
                secs(p.seconds.median()),
                list(&p.seconds, secs)
            ),
        );
    }
    line(
        w,
        &format!(
            "| after the last restart: background work until idle | {:.1} s | {:.1} s |",
            c.settle_file.seconds, c.settle_postgres.seconds
        ),
    );
    line(w, "");
    line(
        w,
        &format!(
            "Durable single-event appends: `POST /v1/events` of one `OrganizationRegistered`; a `201` means fsynced (file store) or `COMMIT` returned (PostgreSQL). Each client has one keep-alive connection and one request in flight; {} s measured after 1 s of warm-up, a run on each store in turn, both servers up (the one not measured idle). CPU columns: cores busy in the server, in PostgreSQL, and in the load generator ({} thread{}).",
            o.http_seconds,
            o.threads,
            if o.threads == 1 { "" } else { "s" }
        ),
    );
    line(w, "");
    line(
        w,
        "| clients | store | appends/s | p50 | p99 | server CPU | database CPU | load generator CPU |",
    );
    line(
        w,
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    );
    for (clients, on_file, on_pg) in &c.appends {
        for (store, runs) in [("file store", on_file), ("PostgreSQL", on_pg)] {
            let (per_second, p50, p99) = load_medians(runs);
            let database = if runs.iter().all(|r| r.database_cores.is_some()) {
                format!(
                    "{:.2}",
                    median(
                        &runs
                            .iter()
                            .filter_map(|r| r.database_cores)
                            .collect::<Vec<_>>()
                    )
                )
            } else {
                "-".to_owned()
            };
            line(
                w,
                &format!(
                    "| {clients} | {store} | **{}** ({}) | {} ({}) | {} ({}) | {:.2} | {database} | {:.2} |",
                    rate(per_second),
                    join(runs, |x| rate(x.per_second)),
                    ms(p50),
                    join(runs, |x| ms(x.p50_ms)),
                    ms(p99),
                    join(runs, |x| ms(x.p99_ms)),
                    cores(runs, |x| x.server_cores),
                    cores(runs, |x| x.client_cores),
                ),
            );
        }
    }
    line(w, "");
    line(w, "| clients | PostgreSQL / file store, appends/s | p50 |");
    line(w, "| ---: | ---: | ---: |");
    for (clients, on_file, on_pg) in &c.appends {
        let (f, f50, _) = load_medians(on_file);
        let (p, p50, _) = load_medians(on_pg);
        line(
            w,
            &format!(
                "| {clients} | **{:.2}x** | {:.1}x the latency |",
                p / f,
                p50 / f50
            ),
        );
    }
    let one = c.peer.one_by_one.rates(o.one_by_one_events);
    let (sync50, sync99) = (
        median(&c.fsync_ms.iter().map(|x| x.0).collect::<Vec<_>>()),
        median(&c.fsync_ms.iter().map(|x| x.1).collect::<Vec<_>>()),
    );
    line(w, "");
    line(
        w,
        &format!(
            "Yardsticks of the same session: the peer's one-commit-per-event import (`sqlite-ledger import --batch 1`, first {} events) {} a second ({}); the disk, one 4 KiB append + `fdatasync` ({} times a run), {} a second at p50 {} (p99 {}), {} of bytes on disk for the file store's ledger.",
            grouped(o.one_by_one_events),
            rate(one.median()),
            list(&one, rate),
            crate::suite::FSYNC_PROBES,
            rate(1000.0 / sync50),
            ms(sync50),
            ms(sync99),
            bytes(c.file.disk_bytes)
        ),
    );
    line(w, POSTGRES_END);
    s
}

/// The figures and ratios for the terminal.
pub fn summary(c: &Comparison) -> String {
    let n = c.file.events;
    let mut s = String::from("\nfigure | file store | PostgreSQL | ratio\n");
    for (name, f, p) in [
        ("import events/s", &c.file.import, &c.postgres.import),
        ("verify events/s", &c.file.verify, &c.postgres.verify),
        ("rebuild events/s", &c.file.rebuild, &c.postgres.rebuild),
    ] {
        let (f, p) = (f.rates(n).median(), p.rates(n).median());
        let _ = writeln!(s, "{name} | {} | {} | {:.2}x", rate(f), rate(p), p / f);
    }
    for (clients, on_file, on_pg) in &c.appends {
        let (f, _, _) = load_medians(on_file);
        let (p, _, _) = load_medians(on_pg);
        let _ = writeln!(
            s,
            "appends/s at {clients} clients | {} | {} | {:.2}x",
            rate(f),
            rate(p),
            p / f
        );
    }
    s
}

/// Median CPU time per event, e.g. `2.71 µs`, or `-` if not measured.
fn per_event(cpu_seconds: &Runs, events: u64) -> String {
    if cpu_seconds.0.is_empty() {
        "-".to_owned()
    } else {
        format!("{:.2} µs", cpu_seconds.median() * 1e6 / events as f64)
    }
}

fn cores(runs: &[LoadRun], f: fn(&LoadRun) -> f64) -> f64 {
    median(&runs.iter().map(f).collect::<Vec<_>>())
}
