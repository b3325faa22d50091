//! Documents generated from the code, kept true: `docs/events.md` is what
//! the domain's declarations say, with one example body of each type from
//! the example history (or, for a type it never uses, from a benchmark
//! workload); the figures `docs/views.md` quotes are the example's views.
//! `UPDATE_DOCS=1 cargo test --test docs` rewrites them.

use gpu_ledger_domain::vocabulary::reference;
use gpu_ledger_domain::{Event, decode_event};
use gpu_ledger_projections::figures::grouped;
use gpu_ledger_projections::{Format, Projections, ViewName, ViewParams};
use gpu_ledger_testkit::history::{example_lines, first_part_lines};
use serde_json::Value;
use std::path::Path;

/// Compares `path` with `generated`, or writes it when asked to.
fn keep_true(path: &str, generated: &str) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&file, generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(
        committed == generated,
        "{path} is stale: run `UPDATE_DOCS=1 cargo test --test docs` and commit the result"
    );
}

#[test]
fn the_event_reference_is_what_the_declarations_say() {
    let (workload, _) = gpu_ledger_testkit::workload::history_bytes(100_000, 1);
    let workload = String::from_utf8(workload).unwrap();
    let examples: Vec<Event> = gpu_ledger_testkit::history::example_lines()
        .iter()
        .map(String::as_str)
        .chain(workload.lines())
        .map(|l| decode_event(l.as_bytes()).unwrap())
        .collect();
    let markdown = reference::markdown(&examples).unwrap_or_else(|missing| {
        panic!("the example history has no event of these types: {missing:?}")
    });
    // Every example shown decodes back to itself: each field's rule fits its type.
    for block in markdown.split("```json\n").skip(1) {
        let body = block.split("\n```").next().unwrap();
        let event = decode_event(body.as_bytes()).unwrap();
        assert_eq!(event.canonical_json(), body.as_bytes());
    }
    keep_true("docs/events.md", &markdown);
}

/// What `docs/views.md` quotes of each view: (label, JSON pointer).
const QUOTED: &[(ViewName, &[(&str, &str)])] = &[
    (
        ViewName::Holdings,
        &[
            ("GPUs held by active awards", "/total/gpus"),
            ("servers", "/total/servers"),
            ("active awards", "/total/awards"),
            ("GPUs held by academia", "/by_sector/academia/gpus"),
        ],
    ),
    (
        ViewName::Pools,
        &[
            ("GPUs in all pools", "/total/capacity"),
            ("held", "/total/held"),
            ("awaiting redistribution", "/total/awaiting_redistribution"),
            ("free", "/total/free"),
        ],
    ),
    (
        ViewName::Calls,
        &[
            (
                "applications to the first call",
                "/calls/0/totals/applications",
            ),
            ("selected", "/calls/0/totals/selected"),
            ("GPUs awarded", "/calls/0/totals/awarded_gpus"),
            ("selection ratio (bp)", "/calls/0/totals/selection_ratio_bp"),
        ],
    ),
    (
        ViewName::Utilization,
        &[("threshold (bp)", "/threshold_bp"), ("periods", "/periods")],
    ),
    (
        ViewName::Concentration,
        &[
            ("top-5 share (bp)", "/programme/top5_share_bp"),
            ("HHI", "/programme/hhi"),
            ("capital share (bp)", "/programme/capital_share_bp"),
        ],
    ),
    (
        ViewName::Reviews,
        &[
            ("reviewers", "/totals/reviewers"),
            ("registered", "/totals/registered"),
            ("scores", "/totals/scores"),
            ("conflicts", "/totals/conflicts"),
        ],
    ),
    (
        ViewName::Outputs,
        &[
            ("outputs reported", "/total/outputs"),
            ("GPU-days held", "/total/gpu_days"),
        ],
    ),
];

/// The lists whose lengths `docs/views.md` quotes: (label, view, pointer).
const COUNTED: &[(&str, ViewName, &str)] = &[
    (
        "applications ranked on the first track",
        ViewName::Ranking,
        "/tracks/0/applications",
    ),
    ("awards in utilization", ViewName::Utilization, "/awards"),
    (
        "recall candidates",
        ViewName::Utilization,
        "/recall_candidates",
    ),
    (
        "organizations holding GPUs",
        ViewName::Holdings,
        "/by_organization",
    ),
];

const BEGIN: &str =
    "<!-- The example's figures: written by `UPDATE_DOCS=1 cargo test --test docs`. -->\n";
const END: &str = "<!-- End of the example's figures. -->\n";

fn views_of(lines: &[String]) -> Projections {
    let mut p = Projections::new();
    for (i, line) in lines.iter().enumerate() {
        p.apply(i as u64 + 1, &decode_event(line.as_bytes()).unwrap());
    }
    p
}

/// The section of figures, one table row per figure, for the example's
/// first part (the March 2026 round, `examples/march-2026.jsonl`) and for
/// the whole example.
fn example_figures() -> String {
    let parts = [views_of(&first_part_lines()), views_of(&example_lines())];
    let params = ViewParams::default();
    let json = |p: &Projections, view: ViewName| -> Value {
        serde_json::from_str(&p.render(view, &params, Format::Json)).unwrap()
    };
    let figure = |v: &Value, view: ViewName, ptr: &str| -> String {
        let x = v
            .pointer(ptr)
            .unwrap_or_else(|| panic!("the {view} view has no {ptr}"));
        match x.as_u64() {
            Some(n) => grouped(n),
            None => x.to_string(),
        }
    };
    let mut out = String::from(BEGIN);
    out.push_str("\n| view | figure | first part (March 2026) | whole example |\n");
    out.push_str("| --- | --- | ---: | ---: |\n");
    for (view, quoted) in QUOTED {
        let [first, whole] = [json(&parts[0], *view), json(&parts[1], *view)];
        for (label, ptr) in *quoted {
            let a = figure(&first, *view, ptr);
            let b = figure(&whole, *view, ptr);
            out.push_str(&format!("| `{view}` | {label} (`{ptr}`) | {a} | {b} |\n"));
        }
    }
    for (label, view, ptr) in COUNTED {
        let len = |p: &Projections| {
            let v = json(p, *view);
            let list = v.pointer(ptr).and_then(Value::as_array);
            grouped(
                list.unwrap_or_else(|| panic!("the {view} view has no list {ptr}"))
                    .len() as u64,
            )
        };
        out.push_str(&format!(
            "| `{view}` | {label} (`{ptr}`, entries) | {} | {} |\n",
            len(&parts[0]),
            len(&parts[1])
        ));
    }
    out.push('\n');
    out.push_str(END);
    out
}

#[test]
fn the_figures_the_views_reference_quotes_are_the_examples() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/views.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let (before, rest) = doc
        .split_once(BEGIN)
        .expect("docs/views.md has the generated section's first line");
    let (_, after) = rest
        .split_once(END)
        .expect("docs/views.md has the generated section's last line");
    let generated = format!("{before}{}{after}", example_figures());
    keep_true("docs/views.md", &generated);
}
