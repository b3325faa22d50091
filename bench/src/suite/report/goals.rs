//! The goals of issue 8 and its acceptance criteria, each with the figure
//! measured against it and whether it is met: one table in the report, and
//! the summary printed at the end of a run.

use super::{grouped, mib, ms, rate, secs};
use crate::suite::{Results, Scaling, Step, load_medians};
use std::fmt::Write as _;

/// The figures and ratios for the terminal.
pub fn summary(r: &Results) -> String {
    let mut s = String::from("\ngoal | measured | met\n");
    for (goal, measured, met) in goals(r) {
        let _ = writeln!(s, "{goal} | {measured} | {}", yes_no(met));
    }
    s
}

/// (goal, measured, met) for each goal and acceptance criterion of issue 8.
pub(super) fn goals(r: &Results) -> Vec<(String, String, Option<bool>)> {
    let n = r.ours.events;
    let import = r.ours.import.rates(n).median();
    let verify = r.ours.verify.rates(n).median();
    let peer_import = r.peer.import.rates(n).median();
    let peer_verify = r.peer.verify.rates(n).median();
    let one = r
        .peer
        .one_by_one
        .rates(r.options.one_by_one_events)
        .median();
    let mut g = vec![
        (
            "import >= 1M events/s".to_owned(),
            format!("{} events/s", rate(import)),
            Some(import >= 1e6),
        ),
        (
            "verify >= 2M events/s".to_owned(),
            format!("{} events/s", rate(verify)),
            Some(verify >= 2e6),
        ),
    ];
    if let Some((clients, per_second, p99)) = top_appends(r) {
        g.push((
            format!("durable HTTP appends >= 50k/s at {clients} clients"),
            format!("{}/s", rate(per_second)),
            Some(per_second >= 50_000.0),
        ));
        g.push((
            format!("... with p99 <= 5 ms at {clients} clients"),
            ms(p99),
            Some(p99 <= 5.0),
        ));
    }
    if let Some((_, runs)) = r.appends.iter().find(|(c, _)| *c == 1) {
        let (_, p50, _) = load_medians(runs);
        g.push((
            "one client: p50 <= 0.3 ms".to_owned(),
            ms(p50),
            Some(p50 <= 0.3),
        ));
    }
    let worst = r
        .views
        .iter()
        .map(|(v, runs)| (v, load_medians(runs).2))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((view, p99)) = worst {
        let within: Vec<&str> = r
            .views
            .iter()
            .filter(|(_, runs)| load_medians(runs).2 <= 1.0)
            .map(|(v, _)| v.as_str())
            .collect();
        g.push((
            format!("view queries p99 <= 1 ms on {} events", grouped(n)),
            format!(
                "worst {view} {}; within 1 ms: {}",
                ms(p99),
                if within.is_empty() {
                    "none".to_owned()
                } else {
                    within.join(", ")
                }
            ),
            Some(p99 <= 1.0),
        ));
    }
    let restart = r.ours.startup.restart.seconds.median();
    let full = r.ours.startup.full_replay.seconds.median();
    g.push((
        format!("start-up to serving <= 1 s on {} events", grouped(n)),
        format!("restart {}; full replay {}", secs(restart), secs(full)),
        Some(restart <= 1.0),
    ));
    match &r.big {
        Some(big) => {
            let growth = |a: &Step, b: &Step| b.peak_rss_kib.median() / a.peak_rss_kib.median();
            let sizes = format!("{} -> {} events", grouped(n), grouped(big.events));
            let apps = |s: &Scaling| s.applications as f64;
            for (name, small, large) in [
                ("verify", &r.ours.verify, &big.verify),
                ("import", &r.ours.import, &big.import),
            ] {
                let x = growth(small, large);
                let mut measured = format!(
                    "{} -> {} ({x:.2}x)",
                    mib(small.peak_rss_kib.median()),
                    mib(large.peak_rss_kib.median())
                );
                if name == "import" && apps(big) > apps(&r.ours) {
                    let per_app = (large.peak_rss_kib.median() - small.peak_rss_kib.median())
                        * 1024.0
                        / (apps(big) - apps(&r.ours));
                    let _ = write!(
                        measured,
                        "; the larger history holds {:.1}x the applications, {per_app:.0} bytes each",
                        apps(big) / apps(&r.ours)
                    );
                }
                g.push((
                    format!("peak RSS of {name} flat in the size of the history ({sizes})"),
                    measured,
                    // Flat: at most a quarter more memory for the longer history.
                    Some(x <= 1.25),
                ));
            }
        }
        None => g.push((
            "peak RSS of import and verify flat in the size of the history".to_owned(),
            "not measured (run with --big-events)".to_owned(),
            None,
        )),
    }
    g.push((
        "acceptance: import >= 2x the peer".to_owned(),
        format!(
            "{:.1}x ({} vs {} events/s)",
            import / peer_import,
            rate(import),
            rate(peer_import)
        ),
        Some(import >= 2.0 * peer_import),
    ));
    g.push((
        "acceptance: verify >= 2x the peer".to_owned(),
        format!(
            "{:.1}x ({} vs {} events/s)",
            verify / peer_verify,
            rate(verify),
            rate(peer_verify)
        ),
        Some(verify >= 2.0 * peer_verify),
    ));
    if let Some((clients, per_second, _)) = top_appends(r) {
        g.push((
            format!("acceptance: HTTP appends at {clients} clients >= 3x the peer's one-by-one durable rate"),
            format!("{:.1}x ({}/s vs {}/s)", per_second / one, rate(per_second), rate(one)),
            Some(per_second >= 3.0 * one),
        ));
    }
    g
}

/// (clients, appends/s, p99 ms) of the largest client count measured.
pub(super) fn top_appends(r: &Results) -> Option<(usize, f64, f64)> {
    r.appends.iter().max_by_key(|(c, _)| *c).map(|(c, runs)| {
        let (per_second, _, p99) = load_medians(runs);
        (*c, per_second, p99)
    })
}

pub(super) fn yes_no(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "yes",
        Some(false) => "**no**",
        None => "-",
    }
}
