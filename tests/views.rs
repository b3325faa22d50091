//! Issue 3's whole flows: every view of the example history in every
//! format (snapshots), the published figures, and history at a point.

mod common;

use common::*;
use gpu_ledger_domain::decode_event;
use gpu_ledger_projections::{Format, Projections, ViewName, ViewParams};
use gpu_ledger_testkit::history::{first_part_file, first_part_lines, write_lines};

fn example_projections() -> Projections {
    let mut p = Projections::new();
    for (i, line) in first_part_lines().iter().enumerate() {
        p.apply(i as u64 + 1, &decode_event(line.as_bytes()).unwrap());
    }
    p
}

#[test]
fn every_view_of_the_example_in_every_format() {
    let p = example_projections();
    let params = ViewParams::default();
    for view in ViewName::ALL {
        for (format, ext) in [
            (Format::Table, "txt"),
            (Format::Json, "json"),
            (Format::Csv, "csv"),
        ] {
            let name = format!("{view}.{ext}");
            insta::assert_snapshot!(name, p.render(view, &params, format));
        }
    }
}

#[test]
fn the_calls_view_shows_the_published_figures_of_the_first_round() {
    let v = example_projections().json(ViewName::Calls, &ViewParams::default());
    let call = v["calls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["call_id"] == "CALL-2025-01")
        .unwrap();
    let t = &call["totals"];
    assert_eq!(
        (
            t["applications"].as_u64(),
            t["requested_servers"].as_u64(),
            t["requested_gpus"].as_u64()
        ),
        (Some(514), Some(1714), Some(13712))
    );
    assert_eq!(
        (
            t["selected"].as_u64(),
            t["awarded_servers"].as_u64(),
            t["awarded_gpus"].as_u64()
        ),
        (Some(159), Some(528), Some(4224))
    );
    let s = &call["by_sector"];
    assert_eq!(s["academia"]["awarded_gpus"], 2624);
    assert_eq!(s["industry"]["awarded_gpus"], 1288);
    assert_eq!(s["research"]["awarded_gpus"], 312);
    assert_eq!(s["academia"]["requested_gpus"], 8600);
    // Similar selection ratios across sectors: within two percentage points of the whole.
    let whole = t["selection_ratio_bp"].as_i64().unwrap();
    for sector in ["academia", "industry", "research"] {
        let r = s[sector]["selection_ratio_bp"].as_i64().unwrap();
        assert!((r - whole).abs() <= 200, "{sector}: {r} bp vs {whole} bp");
    }
}

#[test]
fn a_view_until_seq_n_equals_the_view_of_the_first_n_events_alone() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    let lines = first_part_lines();
    let all = dir.path().join("all.jsonl");
    write_lines(&all, &lines);
    import_file(&whole, &all);
    for n in [1usize, 700, 2_900, 4_321] {
        let part = dir.path().join(format!("part-{n}"));
        let first = dir.path().join(format!("first-{n}.jsonl"));
        write_lines(&first, &lines[..n]);
        import_file(&part, &first);
        for view in ViewName::ALL {
            let at = run(
                &whole,
                &[
                    "view",
                    view.as_str(),
                    "--until-seq",
                    &n.to_string(),
                    "--format",
                    "json",
                ],
            );
            let alone = run(&part, &["view", view.as_str(), "--format", "json"]);
            assert!(
                at.status.success(),
                "{}",
                String::from_utf8_lossy(&at.stderr)
            );
            assert_eq!(
                stdout_json(&at),
                stdout_json(&alone),
                "view {view} at seq {n}"
            );
        }
    }
}

#[test]
fn a_view_as_of_a_time_covers_the_records_recorded_by_then() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let lines = first_part_lines();
    let (first, second) = lines.split_at(3000);
    let (f1, f2) = (dir.path().join("1.jsonl"), dir.path().join("2.jsonl"));
    write_lines(&f1, first);
    write_lines(&f2, second);
    let clock = |start: &str| vec!["--clock-start".to_string(), start.to_string()];
    let mut a = clock("2026-03-01T00:00:00.000000Z");
    a.extend(["import".into(), f1.to_str().unwrap().into()]);
    assert!(gpu_ledger(&data).args(&a).status().unwrap().success());
    let mut b = clock("2026-04-01T00:00:00.000000Z");
    b.extend(["import".into(), f2.to_str().unwrap().into()]);
    assert!(gpu_ledger(&data).args(&b).status().unwrap().success());

    let as_of = run(
        &data,
        &[
            "view",
            "holdings",
            "--as-of",
            "2026-03-15T09:00:00+09:00",
            "--format",
            "json",
        ],
    );
    let until = run(
        &data,
        &[
            "view",
            "holdings",
            "--until-seq",
            "3000",
            "--format",
            "json",
        ],
    );
    assert_eq!(stdout_json(&as_of), stdout_json(&until));
    assert_eq!(stdout_json(&as_of)["as_of_seq"], 3000);
    let bad = run(&data, &["view", "holdings", "--as-of", "yesterday"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("is not an RFC 3339 time"));
}

#[test]
fn csv_sections_are_chosen_by_name_and_unknown_ones_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let example = first_part_file(dir.path());
    import_file(&data, &example);
    let out = run(
        &data,
        &[
            "view",
            "holdings",
            "--format",
            "csv",
            "--section",
            "sectors",
        ],
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("sector,gpus,servers,awards\nacademia,"),
        "{text}"
    );
    let out = run(
        &data,
        &["view", "holdings", "--format", "csv", "--section", "nope"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no table \"nope\""));
}
