//! The figures as Markdown, written between two markers of `BENCHMARKS.md`.
//!
//! Only the text between `<!-- bench:begin -->` and `<!-- bench:end -->` is
//! replaced, so the hand-written analysis around it survives every rerun. A
//! file without the markers gets the section appended. The PostgreSQL mode
//! writes its own section ([`comparison`]) between other markers, so either
//! kind of run leaves the other's figures alone.

pub mod comparison;
mod goals;

pub use goals::summary;

use super::machine::Machine;
use super::{LoadRun, Results, Runs, Scaling, Session, Step, load_medians};
use crate::stats::median;
use goals::top_appends;
use gpu_ledger_testkit::workload::Summary;
use std::path::Path;

pub const BEGIN: &str = "<!-- bench:begin -->";
pub const END: &str = "<!-- bench:end -->";
pub const POSTGRES_BEGIN: &str = "<!-- bench:postgres:begin -->";
pub const POSTGRES_END: &str = "<!-- bench:postgres:end -->";

/// Replaces the section of `path` between the markers `begin` and `end`
/// (or appends it) with `section`, which carries the markers itself.
pub fn write_section(path: &Path, begin: &str, end: &str, section: &str) -> Result<(), String> {
    let current = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let updated = replace_section(&current, begin, end, section);
    std::fs::write(path, updated).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn replace_section(current: &str, begin_marker: &str, end_marker: &str, section: &str) -> String {
    let section = section.trim_end();
    match (current.find(begin_marker), current.find(end_marker)) {
        (Some(begin), Some(end)) if begin < end => format!(
            "{}{section}{}",
            &current[..begin],
            &current[end + end_marker.len()..]
        ),
        _ if current.trim().is_empty() => format!("# Benchmarks\n\n{section}\n"),
        _ => format!("{}\n\n{section}\n", current.trim_end()),
    }
}

/// The generated section, markers included.
pub fn markdown(r: &Results) -> String {
    let o = &r.session.options;
    let n = r.ours.events;
    let mut s = String::new();
    let w = &mut s;
    session_lines(
        w,
        (BEGIN, "gpu-ledger-bench run", "Figures"),
        &r.session,
        " (each run in brackets); gpu-ledger and the SQLite peer run interleaved in the same session, so the ratios hold even when the machine is noisy.",
    );
    offline_table(
        w,
        &r.session,
        n,
        "Each run imports into a fresh data directory (and a fresh peer database), then verifies and rebuilds that ledger. CPU is the process's user and system time per event, all threads together; peak RSS is its own `VmHWM` (sampled every 5 ms and at exit). Wall time well above CPU time divided by the cores in use means waiting: for the disk, or for other work on the machine.",
        &[
            "gpu-ledger",
            "CPU",
            "peak RSS",
            "SQLite peer",
            "CPU",
            "peak RSS",
            "ratio",
        ],
    );
    offline_row(
        w,
        "import (every rule checked; durable at the end)",
        &r.ours.import,
        Some(&r.peer.import),
        n,
    );
    offline_row(
        w,
        "verify (every link and hash)",
        &r.ours.verify,
        Some(&r.peer.verify),
        n,
    );
    offline_row(
        w,
        "rebuild of all six views (`view pools`)",
        &r.ours.rebuild,
        None,
        n,
    );
    line(
        w,
        &format!(
            "| bytes on disk per event | {:.0} | | | {:.0} | | | |",
            r.ours.disk_bytes as f64 / n as f64,
            r.peer.disk_bytes as f64 / n as f64
        ),
    );
    line(w, "");

    line(
        w,
        &format!("### The server ({}-event ledger, loopback)", grouped(n)),
    );
    line(w, "");
    let st = &r.ours.startup;
    line(
        w,
        "Start-up to serving: from spawning `gpu-ledger serve` until `GET /v1/health` answers 200. *Right after import*: the first start, from what `import` left (the snapshot and the Merkle node files). *Full replay*: with the server's derived files (`snapshots/`, `merkle/`) removed first. *Restart*: the next start, from what the previous server kept when stopped with SIGINT.",
    );
    line(w, "");
    line(w, "| figure | median | runs |");
    line(w, "| --- | ---: | --- |");
    for (name, s) in [
        ("right after import", &st.after_import),
        ("full replay", &st.full_replay),
        ("restart", &st.restart),
    ] {
        line(
            w,
            &format!(
                "| start-up to serving, {name} | **{}** | {} |",
                secs(s.seconds.median()),
                list(&s.seconds, secs)
            ),
        );
        line(
            w,
            &format!(
                "| server peak RSS once serving, {name} | {} | {} |",
                mib(s.peak_rss_kib.median()),
                list(&s.peak_rss_kib, mib)
            ),
        );
    }
    line(
        w,
        &format!(
            "| after the last restart: background work until the server idles (below 5% of a core) | {:.1} s, {:.1} s of CPU | |",
            r.settle.seconds, r.settle.cpu_seconds
        ),
    );
    line(
        w,
        &format!(
            "| server RSS once idle | {} | |",
            mib(r.settle.rss_kib as f64)
        ),
    );
    line(
        w,
        &format!(
            "| server peak RSS over the session (start-up, queries, then {} appended organizations, each a new entity the rules and views keep) | {} | |",
            grouped(r.appended),
            mib(r.serve_peak_rss_kib as f64)
        ),
    );
    line(w, "");
    line(
        w,
        &format!(
            "Durable single-event appends: `POST /v1/events` of one `OrganizationRegistered` (a `201` means it is fsynced). Each client has one keep-alive connection and one request in flight; {} s measured after 1 s of warm-up. CPU columns: cores busy in the server and in the load generator ({} thread{}), which share the machine.",
            o.http_seconds,
            o.threads,
            if o.threads == 1 { "" } else { "s" }
        ),
    );
    line(w, "");
    line(
        w,
        "| clients | appends/s | p50 | p99 | server CPU | load generator CPU | no-op route, same clients | appends / no-op |",
    );
    line(
        w,
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    );
    for (clients, runs) in &r.appends {
        let (per_second, p50, p99) = load_medians(runs);
        let noop = r
            .noop
            .iter()
            .find(|(c, _)| c == clients)
            .map(|(_, runs)| load_medians(runs));
        let (noop_cell, share) = match noop {
            Some((noop, noop_p50, _)) => (
                format!("{}/s at p50 {}", rate(noop), ms(noop_p50)),
                format!("{:.0}%", 100.0 * per_second / noop),
            ),
            None => ("-".to_owned(), "-".to_owned()),
        };
        line(
            w,
            &format!(
                "| {clients} | **{}** ({}) | {} ({}) | {} ({}) | {:.2} | {:.2} | {noop_cell} | {share} |",
                rate(per_second),
                join(runs, |x| rate(x.per_second)),
                ms(p50),
                join(runs, |x| ms(x.p50_ms)),
                ms(p99),
                join(runs, |x| ms(x.p99_ms)),
                median(&runs.iter().map(|x| x.server_cores).collect::<Vec<_>>()),
                median(&runs.iter().map(|x| x.client_cores).collect::<Vec<_>>()),
            ),
        );
    }
    let one = r.peer.one_by_one.rates(o.one_by_one_events);
    line(
        w,
        &format!(
            "| peer, one commit per event (`sqlite-ledger import --batch 1`, first {} events) | {} ({}) | | | | | | |",
            grouped(o.one_by_one_events),
            rate(one.median()),
            list(&one, rate)
        ),
    );
    if !r.fsync_ms.is_empty() {
        let p50 = median(&r.fsync_ms.iter().map(|x| x.0).collect::<Vec<_>>());
        let p99 = median(&r.fsync_ms.iter().map(|x| x.1).collect::<Vec<_>>());
        line(
            w,
            &format!(
                "| the disk: one 4 KiB append + `fdatasync`, {} times a run (one durable write at a time) | {} a second at p50 {} (p99 {}) | | | | | | |",
                super::FSYNC_PROBES,
                rate(1000.0 / p50),
                ms(p50),
                ms(p99),
            ),
        );
    }
    if let Some(top) = top_appends(r) {
        line(w, "");
        line(
            w,
            &format!(
                "Appends at {} clients against the peer's one-by-one durable rate: **{:.1}x**.",
                top.0,
                top.1 / one.median()
            ),
        );
    }
    line(w, "");
    line(
        w,
        &format!(
            "View queries: `GET /v1/views/{{name}}` (JSON) from one client, back to back, {} s per run after 0.2 s of warm-up, on the untouched {}-event ledger, once the server is idle.",
            o.view_seconds,
            grouped(n)
        ),
    );
    line(w, "");
    line(
        w,
        "The no-op columns: the no-op reference server answering `GET /v1/bytes/{n}` with as many bytes as the view, kept in memory as a rendered view is, each right after the view's run: what the HTTP stack and loopback alone cost for an answer of that size.",
    );
    line(w, "");
    line(
        w,
        "| view | p50 | p99 | queries per run | answer | no-op, same bytes: p50 | p99 |",
    );
    line(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for v in &r.views {
        let (_, p50, p99) = load_medians(&v.runs);
        let (_, noop_p50, noop_p99) = load_medians(&v.same_bytes);
        line(
            w,
            &format!(
                "| {} | {} ({}) | **{}** ({}) | {} | {} | {} | {} ({}) |",
                v.view,
                ms(p50),
                join(&v.runs, |x| ms(x.p50_ms)),
                ms(p99),
                join(&v.runs, |x| ms(x.p99_ms)),
                join(&v.runs, |x| grouped(x.requests)),
                bytes(v.runs.last().map_or(0, |x| x.body_bytes) as u64),
                ms(noop_p50),
                ms(noop_p99),
                join(&v.same_bytes, |x| ms(x.p99_ms)),
            ),
        );
    }
    line(w, "");

    line(w, "### Against the size of the history (gpu-ledger)");
    line(w, "");
    line(
        w,
        "| events | workload | import | peak RSS | verify | peak RSS | rebuild | peak RSS | start-up after import | full replay | restart | server RSS | bytes/event |",
    );
    line(
        w,
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    );
    scaling_row(w, &r.ours);
    if let Some(big) = &r.big {
        scaling_row(w, big);
    }
    line(w, "");
    if r.big.is_some() {
        line(
            w,
            "The larger ledger's import, verify and rebuild ran once each; its start-ups as many times as the others. Server RSS is the peak once serving after a full replay. A larger history from the generator is also a larger programme (more organizations and applications per call), as a real one would be.",
        );
        line(w, "");
    }

    goals::section(w, r);
    if let Some(t) = &r.transparency {
        line(w, "");
        line(w, "### The Merkle tree (issue 5)");
        line(w, "");
        line(
            w,
            "Records appended to a fresh embedded store, once bare and once feeding the Merkle tree as each becomes durable (domain rules left out, so the tree's share is as large as it can be); then 10,000 inclusion proofs of random records and 10,000 consistency proofs from a random size, made from the node files and checked. Alone: `gpu-ledger-bench transparency --events N --rounds R`.",
        );
        line(w, "");
        w.push_str(&crate::transparency::markdown(t));
    }
    line(w, END);
    s
}

/// The machine, its load when the run started and what other work took.
/// The opening of a generated section: its marker, which command writes it,
/// its heading, then when, on what machine and code its session measured;
/// `how` ends the first sentence with how its runs were interleaved.
fn session_lines(
    w: &mut String,
    (begin, command, heading): (&str, &str, &str),
    s: &Session,
    how: &str,
) {
    line(w, begin);
    line(
        w,
        &format!("<!-- Written by `{command}`; edits between these markers are overwritten. -->"),
    );
    line(w, "");
    line(w, &format!("## {heading} (generated by `{command}`)"));
    line(w, "");
    let runs = s.options.runs;
    line(
        w,
        &format!(
            "Measured {} in {:.0} minutes. Every figure is the **median of {runs} run{}**{how}",
            s.started,
            s.minutes,
            if runs == 1 { "" } else { "s" }
        ),
    );
    line(w, "");
    line(w, &format!("- **Command**: `{}`", s.options.command_line));
    line(w, &machine_line(&s.machine, s.others_cores));
    line(
        w,
        &format!(
            "- **Code**: gpu-ledger at {}, built with {}. Peer: `../shared/bench/sqlite-ledger` (SQLite in WAL mode, `synchronous=FULL`, 10,000 rows a commit; no domain rules).",
            s.machine.commit, s.machine.rustc
        ),
    );
}

/// The workload line that ends a section's opening, then the heading, the
/// explanation and the head of its offline table: a `step` column, then
/// `columns` of figures.
fn offline_table(w: &mut String, s: &Session, n: u64, explanation: &str, columns: &[&str]) {
    line(
        w,
        &workload_line(n, s.options.seed, &s.workload, s.workload_seconds),
    );
    line(w, "");
    line(
        w,
        &format!("### Import, verify, rebuild ({} events)", grouped(n)),
    );
    line(w, "");
    line(w, explanation);
    line(w, "");
    line(w, &format!("| step | {} |", columns.join(" | ")));
    line(w, &format!("| --- |{}", " ---: |".repeat(columns.len())));
}

fn machine_line(m: &Machine, others_cores: f64) -> String {
    format!(
        "- **Machine**: {}, {} cores{}, {:.1} GiB RAM; {}, Linux {}; work directory on {}. Load average {} when the run started; other work on the machine kept {:.2} cores busy on average during the run (out of {}).",
        m.cpu,
        m.cores,
        if m.sha_ni { " with SHA-NI" } else { "" },
        m.memory_gib,
        m.os,
        m.kernel,
        m.disk,
        m.load_at_start,
        others_cores,
        m.cores
    )
}

/// The workload's command, size and mix of event types.
fn workload_line(events: u64, seed: u64, summary: &Summary, seconds: f64) -> String {
    let t = &summary.tally;
    let mut mix: Vec<(&str, u64)> = t.by_type.clone();
    mix.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mix = mix
        .iter()
        .map(|(name, count)| {
            format!(
                "{name} {:.1}%",
                100.0 * *count as f64 / t.events.max(1) as f64
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "- **Workload**: `gpu-ledger-testkit workload --events {} --seed {}` (generated in {:.2} s, {} events/s): {} events, {} bytes ({:.0} bytes a line), every one valid under events.md in order; {} calls, {} organizations, {} applications, {} awards. By type: {mix}.",
        events,
        seed,
        seconds,
        rate(events as f64 / seconds),
        grouped(events),
        grouped(t.bytes),
        t.bytes as f64 / t.events.max(1) as f64,
        summary.calls,
        grouped(summary.organizations as u64),
        grouped(summary.applications as u64),
        grouped(summary.awards as u64),
    )
}

fn offline_row(w: &mut String, name: &str, ours: &Step, peer: Option<&Step>, n: u64) {
    let rates = ours.rates(n);
    let (peer_rate, peer_cpu, peer_rss, ratio) = match peer {
        Some(p) => {
            let pr = p.rates(n);
            (
                format!("{} events/s ({})", rate(pr.median()), list(&pr, rate)),
                cpu_per_event(p, n),
                mib(p.peak_rss_kib.median()),
                format!("**{:.1}x**", rates.median() / pr.median()),
            )
        }
        None => ("-".into(), "-".into(), "-".into(), "-".into()),
    };
    line(
        w,
        &format!(
            "| {name} | **{} events/s** ({}) | {} | {} | {peer_rate} | {peer_cpu} | {peer_rss} | {ratio} |",
            rate(rates.median()),
            list(&rates, rate),
            cpu_per_event(ours, n),
            mib(ours.peak_rss_kib.median()),
        ),
    );
}

/// Median CPU time per event, e.g. `2.71 µs`.
fn cpu_per_event(step: &Step, events: u64) -> String {
    format!("{:.2} µs", step.cpu_seconds.median() * 1e6 / events as f64)
}

fn scaling_row(w: &mut String, s: &Scaling) {
    let step = |st: &Step| {
        if st.seconds.0.is_empty() {
            ("-".to_owned(), "-".to_owned())
        } else {
            (
                format!(
                    "{} ({}/s)",
                    secs(st.seconds.median()),
                    rate(s.events as f64 / st.seconds.median())
                ),
                mib(st.peak_rss_kib.median()),
            )
        }
    };
    let (import, import_rss) = step(&s.import);
    let (verify, verify_rss) = step(&s.verify);
    let (rebuild, rebuild_rss) = step(&s.rebuild);
    line(
        w,
        &format!(
            "| {} | {} | {import} | {import_rss} | {verify} | {verify_rss} | {rebuild} | {rebuild_rss} | {} | {} | {} | {} | {:.0} |",
            grouped(s.events),
            bytes(s.workload_bytes),
            secs(s.startup.after_import.seconds.median()),
            secs(s.startup.full_replay.seconds.median()),
            secs(s.startup.restart.seconds.median()),
            mib(s.startup.full_replay.peak_rss_kib.median()),
            s.disk_bytes as f64 / s.events as f64
        ),
    );
}

pub(super) fn line(w: &mut String, text: &str) {
    w.push_str(text);
    w.push('\n');
}

fn list(runs: &Runs, f: fn(f64) -> String) -> String {
    runs.0.iter().map(|&v| f(v)).collect::<Vec<_>>().join(", ")
}

fn join(runs: &[LoadRun], f: impl Fn(&LoadRun) -> String) -> String {
    runs.iter().map(f).collect::<Vec<_>>().join(", ")
}

/// 1.72M, 685k, 5.8k, 950.
pub fn rate(per_second: f64) -> String {
    if per_second >= 1e6 {
        format!("{:.2}M", per_second / 1e6)
    } else if per_second >= 1e5 {
        format!("{:.0}k", per_second / 1e3)
    } else if per_second >= 1e3 {
        format!("{:.1}k", per_second / 1e3)
    } else {
        format!("{per_second:.0}")
    }
}

fn secs(s: f64) -> String {
    if s < 10.0 {
        format!("{s:.2} s")
    } else {
        format!("{s:.1} s")
    }
}

fn ms(v: f64) -> String {
    if v < 10.0 {
        format!("{v:.3} ms")
    } else {
        format!("{v:.1} ms")
    }
}

fn mib(kib: f64) -> String {
    format!("{:.1} MiB", kib / 1024.0)
}

fn bytes(b: u64) -> String {
    if b >= 1 << 30 {
        format!("{:.2} GiB", b as f64 / f64::from(1u32 << 30))
    } else if b >= 1 << 20 {
        format!("{:.1} MiB", b as f64 / f64::from(1u32 << 20))
    } else if b >= 1 << 10 {
        format!("{:.1} KiB", b as f64 / 1024.0)
    } else {
        format!("{b} B")
    }
}

/// 1000000 -> 1,000,000.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_section_replaces_only_what_is_between_the_markers() {
        let before = format!("# B\n\nintro\n\n{BEGIN}\nold\n{END}\n\n## Analysis\nkept\n");
        let after = replace_section(&before, BEGIN, END, &format!("{BEGIN}\nnew\n{END}\n"));
        assert_eq!(
            after,
            format!("# B\n\nintro\n\n{BEGIN}\nnew\n{END}\n\n## Analysis\nkept\n")
        );
    }

    #[test]
    fn a_file_without_markers_gets_the_section_appended() {
        let after = replace_section("# B\n\ntext\n", BEGIN, END, &format!("{BEGIN}\nnew\n{END}"));
        assert_eq!(after, format!("# B\n\ntext\n\n{BEGIN}\nnew\n{END}\n"));
        let fresh = replace_section("", BEGIN, END, &format!("{BEGIN}\nx\n{END}"));
        assert!(fresh.starts_with("# Benchmarks\n\n"));
    }

    #[test]
    fn each_kind_of_run_rewrites_only_its_own_section() {
        let before = format!(
            "{BEGIN}\nfull\n{END}\n\nby hand\n\n{POSTGRES_BEGIN}\nold\n{POSTGRES_END}\n\ntail\n"
        );
        let pg = replace_section(
            &before,
            POSTGRES_BEGIN,
            POSTGRES_END,
            &format!("{POSTGRES_BEGIN}\nnew\n{POSTGRES_END}\n"),
        );
        assert_eq!(
            pg,
            format!(
                "{BEGIN}\nfull\n{END}\n\nby hand\n\n{POSTGRES_BEGIN}\nnew\n{POSTGRES_END}\n\ntail\n"
            )
        );
        let full = replace_section(&pg, BEGIN, END, &format!("{BEGIN}\nrerun\n{END}"));
        assert!(full.starts_with(&format!("{BEGIN}\nrerun\n{END}\n\nby hand")));
        assert!(full.contains(&format!("{POSTGRES_BEGIN}\nnew\n{POSTGRES_END}")));
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(grouped(1_000_000), "1,000,000");
        assert_eq!(grouped(999), "999");
        assert_eq!(rate(1_720_000.0), "1.72M");
        assert_eq!(rate(685_432.0), "685k");
        assert_eq!(rate(5_812.0), "5.8k");
    }
}
