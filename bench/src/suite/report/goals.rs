//! The goals of issue 19, each a ratio of two figures measured in the same
//! run, with the figure measured against it and whether it is met: one table
//! in the report, and the summary printed at the end of a run.

use super::{grouped, line, mib, ms, rate, secs};
use crate::stats::median;
use crate::suite::{LoadRun, Results, load_medians};
use std::fmt::Write as _;

/// The figures and ratios for the terminal.
pub fn summary(r: &Results) -> String {
    let mut s = String::from("\ngoal | measured | met\n");
    for (goal, measured, met) in goals(r) {
        let _ = writeln!(s, "{goal} | {measured} | {}", yes_no(met));
    }
    s
}

/// The goals table of the generated section.
pub(super) fn section(w: &mut String, r: &Results) {
    line(w, "### Goals of issue 19");
    line(w, "");
    line(
        w,
        "Each goal is a ratio of two figures of this run (medians), or a bound on one.",
    );
    line(w, "");
    line(w, "| goal | measured (median) | met |");
    line(w, "| --- | --- | :---: |");
    for (goal, measured, met) in goals(r) {
        line(w, &format!("| {goal} | {measured} | {} |", yes_no(met)));
    }
}

/// (goal, measured, met) for each goal of issue 19.
pub(super) fn goals(r: &Results) -> Vec<(String, String, Option<bool>)> {
    let n = r.ours.events;
    let ratio = |goal: &str, ours: f64, theirs: f64, at_least: f64, unit: &str| {
        (
            goal.to_owned(),
            format!(
                "{:.2}x ({} vs {} {unit})",
                ours / theirs,
                rate(ours),
                rate(theirs)
            ),
            Some(ours >= at_least * theirs),
        )
    };
    let mut g = vec![
        ratio(
            "import, every rule, durable: >= 5x the SQLite peer",
            r.ours.import.rates(n).median(),
            r.peer.import.rates(n).median(),
            5.0,
            "events/s",
        ),
        ratio(
            "verify: >= 4x the SQLite peer",
            r.ours.verify.rates(n).median(),
            r.peer.verify.rates(n).median(),
            4.0,
            "events/s",
        ),
    ];
    if let Some((clients, per_second, p99)) = top_appends(r) {
        let noop = r
            .noop
            .iter()
            .find(|(c, _)| *c == clients)
            .map(|(_, runs)| load_medians(runs).0);
        match noop {
            Some(noop) => g.push(ratio(
                &format!(
                    "durable appends, {clients} clients: >= 60% of the no-op route (same stack, same load generator)"
                ),
                per_second,
                noop,
                0.6,
                "per second",
            )),
            None => g.push((
                format!("durable appends, {clients} clients: >= 60% of the no-op route"),
                "no-op route not measured".to_owned(),
                None,
            )),
        }
        g.push((
            format!("... and p99 <= 5 ms at {clients} clients"),
            ms(p99),
            Some(p99 <= 5.0),
        ));
    }
    if let Some((_, runs)) = r.appends.iter().find(|(c, _)| *c == 1) {
        let (_, p50, _) = load_medians(runs);
        let fsync = median(&r.fsync_ms.iter().map(|x| x.0).collect::<Vec<_>>());
        g.push((
            "one client, p50: <= 2x one `fdatasync` on the same disk".to_owned(),
            format!("{:.2}x ({} vs {})", p50 / fsync, ms(p50), ms(fsync)),
            Some(p50 <= 2.0 * fsync),
        ));
    }
    let p99 = |runs: &[LoadRun]| load_medians(runs).2;
    if let Some(worst) = r
        .views
        .iter()
        .max_by(|a, b| p99(&a.runs).total_cmp(&p99(&b.runs)))
    {
        let over: Vec<&str> = r
            .views
            .iter()
            .filter(|v| p99(&v.runs) > 1.0)
            .map(|v| v.view.as_str())
            .collect();
        // Views whose answer alone, from memory with no work, is over the
        // bound on this stack: the transport's, not the ledger's.
        let transport: Vec<&str> = r
            .views
            .iter()
            .filter(|v| p99(&v.same_bytes) > 1.0)
            .map(|v| v.view.as_str())
            .collect();
        g.push((
            format!(
                "view queries at {} events: p99 <= 1 ms for every view",
                grouped(n)
            ),
            format!(
                "worst {} {} (the no-op route with as many bytes: {}); over 1 ms: {}; the no-op route over 1 ms at the same size: {}",
                worst.view,
                ms(p99(&worst.runs)),
                ms(p99(&worst.same_bytes)),
                listed(&over),
                listed(&transport),
            ),
            Some(over.is_empty()),
        ));
    }
    let after_import = r.ours.startup.after_import.seconds.median();
    g.push((
        format!(
            "start-up to serving right after `import` of {} events: <= 0.3 s",
            grouped(n)
        ),
        secs(after_import),
        Some(after_import <= 0.3),
    ));
    match &r.big {
        Some(big) => {
            let (small, large) = (
                r.ours.verify.peak_rss_kib.median(),
                big.verify.peak_rss_kib.median(),
            );
            g.push((
                format!(
                    "peak RSS of verify flat: {} events within 1.2x of {}",
                    grouped(big.events),
                    grouped(n)
                ),
                format!("{} -> {} ({:.2}x)", mib(small), mib(large), large / small),
                Some(large <= 1.2 * small),
            ));
        }
        None => g.push((
            "peak RSS of verify flat in the size of the history".to_owned(),
            "not measured (run with --big-events)".to_owned(),
            None,
        )),
    }
    let idle = r.settle.rss_kib as f64;
    g.push((
        format!("server RSS once idle, {} events: <= 200 MiB", grouped(n)),
        mib(idle),
        Some(idle <= 200.0 * 1024.0),
    ));
    g
}

/// (clients, appends/s, p99 ms) of the largest client count measured.
pub(super) fn top_appends(r: &Results) -> Option<(usize, f64, f64)> {
    r.appends.iter().max_by_key(|(c, _)| *c).map(|(c, runs)| {
        let (per_second, _, p99) = load_medians(runs);
        (*c, per_second, p99)
    })
}

fn yes_no(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "yes",
        Some(false) => "**no**",
        None => "-",
    }
}

fn listed(views: &[&str]) -> String {
    if views.is_empty() {
        "none".to_owned()
    } else {
        views.join(", ")
    }
}
