//! The stories of the example's second part (vocabulary v2): a trace tells
//! an award's notices, the exemptions asked and decided on them, its
//! extensions, supplements and outputs, and an application's conflicts and
//! appeals, each in its place among the v1 events.

use super::support::*;
use gpu_ledger_testkit::history::{FIRST_PART_EVENTS, example_lines};
use std::collections::BTreeSet;
use std::fmt::Write;

/// Whose stories: each shows some of what the second part tells.
const SUBJECTS: [(&str, &str); 7] = [
    // An exemption refused, and the recall that carried the notice out.
    ("--award", "AW-2025-0002"),
    // An exemption granted.
    ("--award", "AW-2025-0001"),
    // An extension and an output.
    ("--award", "AW-2025-0036"),
    // A supplement.
    ("--award", "AW-2026-F013"),
    // An appeal upheld, a new score and an award.
    ("--application", "APP-2026-0005"),
    // A conflict declared with the application, and an appeal still open.
    ("--application", "APP-2026-0003"),
    // An organization whose awards were extended, noticed and recalled.
    ("--org", "ORG-A042"),
];

/// The rows of a Markdown trace for events of the second part.
fn second_part_rows(md: &str) -> Vec<&str> {
    md.lines()
        .filter(|row| {
            let seq = row
                .split('|')
                .nth(1)
                .unwrap_or_default()
                .trim()
                .replace(',', "");
            seq.parse::<usize>()
                .is_ok_and(|seq| seq > FIRST_PART_EVENTS)
        })
        .collect()
}

#[test]
fn a_trace_tells_the_rest_of_an_awards_life() {
    let dir = tempfile::tempdir().unwrap();
    let data = ledger(dir.path(), "data", &example_lines());
    let mut told = String::new();
    let mut roles = BTreeSet::new();
    for (flag, id) in SUBJECTS {
        let t = json_of(&data, &["audit", "trace", flag, id, "--format", "json"]);
        let second_part = t["lines"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["seq"].as_u64().unwrap() > FIRST_PART_EVENTS as u64);
        roles.extend(second_part.map(|l| l["role"].as_str().unwrap().to_string()));
        let md = ok(&data, &["audit", "trace", flag, id]);
        writeln!(told, "## {flag} {id}\n").unwrap();
        for row in second_part_rows(&md) {
            writeln!(told, "{row}").unwrap();
        }
        told.push('\n');
    }
    for role in [
        "notice",
        "exemption_requested",
        "exemption_decided",
        "appeal",
        "appeal_decided",
        "conflict",
        "extended",
        "supplemented",
        "output",
    ] {
        assert!(roles.contains(role), "no {role} in {roles:?}");
    }
    insta::assert_snapshot!("award_life_traces.md", told);
}
