//! Documents generated from the code, kept true: `docs/events.md` is what
//! the domain's declarations say, with one example body of each type from
//! the example history (or, for a type it never uses, from a benchmark
//! workload). `UPDATE_DOCS=1 cargo test --test docs` rewrites it.

use gpu_ledger_domain::vocabulary::reference;
use gpu_ledger_domain::{Event, decode_event};
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
