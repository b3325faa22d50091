//! Vocabulary v2 only adds: a v1 history gives the same views, byte for
//! byte. The digests below were taken before v2 existed; a change to any
//! v1 view's JSON on a v1 history fails here (the views v2 added have no
//! digest from before).

use gpu_ledger_domain::decode_event;
use gpu_ledger_projections::{Projections, ViewName, ViewParams};
use sha2::{Digest, Sha256};

/// Events of the first part of the example history: the March 2026 round
/// and its monitoring, all v1.
const V1_EXAMPLE_EVENTS: usize = 5416;

/// SHA-256 of each view's JSON over `lines`.
fn digests<'a>(lines: impl Iterator<Item = &'a str>) -> String {
    let mut p = Projections::new();
    for (i, line) in lines.enumerate() {
        p.apply(i as u64 + 1, &decode_event(line.as_bytes()).unwrap());
    }
    let params = ViewParams::default();
    ViewName::V1
        .iter()
        .map(|view| {
            let json = serde_json::to_vec(&p.json(*view, &params)).unwrap();
            format!("{view}: {}\n", hex::encode(Sha256::digest(&json)))
        })
        .collect()
}

#[test]
fn the_v1_example_gives_the_v1_views_byte_for_byte() {
    let lines = gpu_ledger_testkit::history::example_lines();
    let v1 = lines.iter().take(V1_EXAMPLE_EVENTS).map(String::as_str);
    insta::assert_snapshot!(digests(v1));
}

#[test]
fn a_v1_workload_gives_the_v1_views_byte_for_byte() {
    let (bytes, _) = gpu_ledger_testkit::workload::history_bytes(60_000, 1);
    let text = String::from_utf8(bytes).unwrap();
    insta::assert_snapshot!(digests(text.lines()));
}
