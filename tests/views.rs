//! Issue 3's whole flows: every view of the example history in every
//! format (snapshots), the published figures, and history at a point.
//! Issue 17's: the views of vocabulary v2 over the whole example
//! (snapshots), and the v2 figures of the v1 views, each checked against
//! sums made here from the example's lines.

mod common;

use common::*;
use gpu_ledger_domain::{Timestamp, decode_event};
use gpu_ledger_projections::table::Cell;
use gpu_ledger_projections::{Format, Projections, ViewName, ViewParams};
use gpu_ledger_testkit::history::{example_lines, first_part_file, first_part_lines, write_lines};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

fn projections_of(lines: &[String]) -> Projections {
    let mut p = Projections::new();
    for (i, line) in lines.iter().enumerate() {
        p.apply(i as u64 + 1, &decode_event(line.as_bytes()).unwrap());
    }
    p
}

fn example_projections() -> Projections {
    projections_of(&first_part_lines())
}

/// The example's lines as JSON.
fn example_events() -> Vec<Value> {
    example_lines()
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn every_view_of_the_example_in_every_format() {
    let p = example_projections();
    let params = ViewParams::default();
    for view in ViewName::V1 {
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

/// A column of basis points says so in its name, as the JSON field does:
/// a spreadsheet reading `3080` must not take it for a percentage.
#[test]
fn every_basis_point_column_is_named_for_its_unit() {
    let p = projections_of(&example_lines());
    let params = ViewParams::default();
    let mut bp_columns = 0;
    for view in ViewName::ALL {
        for table in p.tables(view, &params) {
            for (i, column) in table.columns.iter().enumerate() {
                let mut cells = table.rows.iter().map(|r| &r[i]);
                let holds_bp = cells.clone().any(|c| matches!(c, Cell::Bp(_)));
                let all_bp = cells.all(|c| matches!(c, Cell::Bp(_) | Cell::Empty));
                let named_bp = column.ends_with("_bp");
                assert!(
                    holds_bp == named_bp || (named_bp && all_bp),
                    "{view} table {}: column {column} holds basis points: {holds_bp}",
                    table.name
                );
                bp_columns += usize::from(named_bp);
            }
        }
    }
    assert!(
        bp_columns >= 7,
        "only {bp_columns} basis-point columns seen"
    );
    let csv = p.render(ViewName::Concentration, &params, Format::Csv);
    assert!(
        csv.lines().next().unwrap().contains("top5_share_bp"),
        "{csv}"
    );
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
fn a_view_recorded_as_of_a_time_covers_the_records_recorded_by_then() {
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
            "--recorded-as-of",
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
    let mut as_of = stdout_json(&as_of);
    assert_eq!(
        as_of["as_of"],
        serde_json::json!({"clock": "recorded_at", "at": "2026-03-15T00:00:00.000000Z"})
    );
    as_of.as_object_mut().unwrap().remove("as_of");
    assert_eq!(as_of, stdout_json(&until));
    assert_eq!(as_of["as_of_seq"], 3000);
    let bad = run(
        &data,
        &["view", "holdings", "--recorded-as-of", "yesterday"],
    );
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

#[test]
fn the_v2_views_of_the_whole_example_in_every_format() {
    let p = projections_of(&example_lines());
    let params = ViewParams::default();
    for view in ViewName::V2 {
        for (format, ext) in [
            (Format::Table, "txt"),
            (Format::Json, "json"),
            (Format::Csv, "csv"),
        ] {
            let name = format!("example_{view}.{ext}");
            insta::assert_snapshot!(name, p.render(view, &params, format));
        }
    }
}

/// What the calls view counts per (call, track), summed from the lines:
/// awarded GPUs (grants and supplements), supplemented GPUs, and appeals
/// filed, upheld and dismissed.
fn call_sums(events: &[Value]) -> BTreeMap<(String, String), [u64; 5]> {
    let s = |e: &Value, k: &str| e[k].as_str().unwrap().to_string();
    let mut track_of_app: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut app_of: BTreeMap<String, String> = BTreeMap::new();
    let mut sums: BTreeMap<(String, String), [u64; 5]> = BTreeMap::new();
    for e in events {
        let gpus = e["gpus"].as_u64().unwrap_or(0);
        let mut add = |app: &str, i: usize, n: u64| {
            sums.entry(track_of_app[app].clone()).or_default()[i] += n;
        };
        match e["type"].as_str().unwrap() {
            "ApplicationSubmitted" => {
                track_of_app.insert(s(e, "application_id"), (s(e, "call_id"), s(e, "track_id")));
            }
            "AwardGranted" | "Redistributed" => {
                app_of.insert(s(e, "award_id"), s(e, "application_id"));
                if e["type"] == "AwardGranted" {
                    add(&s(e, "application_id"), 0, gpus);
                }
            }
            "AwardSupplemented" => {
                let app = app_of[&s(e, "award_id")].clone();
                add(&app, 0, gpus);
                add(&app, 1, gpus);
            }
            "AppealFiled" => {
                app_of.insert(s(e, "appeal_id"), s(e, "application_id"));
                add(&s(e, "application_id"), 2, 1);
            }
            "AppealDecided" => {
                let app = app_of[&s(e, "appeal_id")].clone();
                add(&app, if e["upheld"] == true { 3 } else { 4 }, 1);
            }
            _ => {}
        }
    }
    sums
}

#[test]
fn the_calls_view_counts_supplements_in_the_awarded_totals_and_appeals_per_track() {
    let events = example_events();
    let sums = call_sums(&events);
    let v = projections_of(&example_lines()).json(ViewName::Calls, &ViewParams::default());
    let (mut supplemented, mut appeals) = (0, 0);
    for c in v["calls"].as_array().unwrap() {
        let call = c["call_id"].as_str().unwrap();
        for t in c["tracks"].as_array().unwrap() {
            let key = (
                call.to_string(),
                t["track_id"].as_str().unwrap().to_string(),
            );
            let want = sums.get(&key).copied().unwrap_or_default();
            let n = |v: &Value| v.as_u64().unwrap_or(0);
            let got = [
                n(&t["awarded_gpus"]),
                n(&t["supplemented_gpus"]),
                n(&t["appeals"]["filed"]),
                n(&t["appeals"]["upheld"]),
                n(&t["appeals"]["dismissed"]),
            ];
            assert_eq!(got, want, "{key:?}");
            // Filed = upheld + dismissed + open: none was closed by a withdrawal.
            if want[2] > 0 {
                assert_eq!(
                    n(&t["appeals"]["open"]),
                    want[2] - want[3] - want[4],
                    "{key:?}"
                );
            }
            supplemented += want[1];
            appeals += want[2];
        }
    }
    assert!(
        supplemented > 0 && appeals >= 3,
        "the example has a supplement and appeals"
    );
    // Over the first part (v1) the v2 figures are not written at all.
    let v1 = example_projections().json(ViewName::Calls, &ViewParams::default());
    let text = v1.to_string();
    assert!(!text.contains("supplemented_gpus") && !text.contains("appeals"));
}

#[test]
fn holdings_and_pools_count_the_supplement() {
    let p = projections_of(&example_lines());
    let holdings = p.json(ViewName::Holdings, &ViewParams::default());
    let award = holdings["awards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["award_id"] == "AW-2026-F013")
        .unwrap();
    assert_eq!(
        (
            &award["granted_gpus"],
            &award["supplemented_gpus"],
            &award["gpus"]
        ),
        (&Value::from(32), &Value::from(32), &Value::from(64))
    );
    let active: u64 = holdings["awards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["gpus"].as_u64().unwrap())
        .sum();
    assert_eq!(holdings["total"]["gpus"], active);
    let pools = p.json(ViewName::Pools, &ViewParams::default());
    assert_eq!(pools["total"]["held"], active);
}

/// The seq of the first line containing `needle`.
fn seq_of(lines: &[String], needle: &str) -> usize {
    lines.iter().position(|l| l.contains(needle)).unwrap() + 1
}

fn ranked<'a>(v: &'a Value, app: &str) -> &'a Value {
    v["tracks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["applications"].as_array().unwrap())
        .find(|a| a["application_id"] == app)
        .unwrap()
}

#[test]
fn the_ranking_shows_an_application_pending_again_after_an_upheld_appeal() {
    let lines = example_lines();
    let upheld = seq_of(
        &lines,
        r#""appeal_id":"AP-2026-001","occurred_at":"2026-06-19"#,
    );
    let at =
        |seq: usize| projections_of(&lines[..seq]).json(ViewName::Ranking, &ViewParams::default());
    let before = at(upheld - 1);
    let app = ranked(&before, "APP-2026-0005");
    assert_eq!(app["status"], "rejected");
    assert!(app.get("reopened_by_appeal").is_none());
    let after = at(upheld);
    let app = ranked(&after, "APP-2026-0005");
    assert_eq!(app["status"], "pending");
    assert_eq!(app["reopened_by_appeal"], "AP-2026-001");
    assert_eq!(
        app["reviews"],
        ranked(&before, "APP-2026-0005")["reviews"],
        "it keeps its scores"
    );
    // A dismissed appeal leaves its application rejected.
    assert!(
        ranked(&after, "APP-2026-0018")
            .get("reopened_by_appeal")
            .is_none()
    );
    // Scored again and awarded, it is no longer pending again.
    let end = at(lines.len());
    let app = ranked(&end, "APP-2026-0005");
    assert_eq!(app["status"], "awarded");
    assert!(app.get("reopened_by_appeal").is_none());
}

fn due_at(p: &Projections, now: Option<&str>) -> Value {
    let params = ViewParams {
        now: now.map(|t| Timestamp::parse(t).unwrap()),
        ..ViewParams::default()
    };
    p.json(ViewName::Due, &params)
}

fn list_of(v: &Value, key: &str) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x[key].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn due_lists_what_the_office_must_act_on_at_the_last_event_or_at_a_given_time() {
    let lines = example_lines();
    let p = projections_of(&lines);
    let last: Value = serde_json::from_str(lines.last().unwrap()).unwrap();
    let due = due_at(&p, None);
    assert_eq!(due["now"], last["occurred_at"]);
    // Three notices are open, earliest respond_by first: one with a request
    // to decide (its respond_by passed), two still running.
    assert_eq!(
        list_of(&due["notices"], "notice_id"),
        ["N-2026-004", "N-2026-R01", "N-2026-005"]
    );
    let n = &due["notices"];
    assert_eq!(
        (&n[0]["exemption"], &n[0]["action"]),
        (&"requested".into(), &"decide_exemption".into())
    );
    assert_eq!(
        (&n[0]["overdue"], &n[0]["days_overdue"]),
        (&true.into(), &Value::from(5))
    );
    // Now 2026-08-30T09:00+09:00: 1 day 5 hours, and 4 days 1 hour, are left.
    assert_eq!(
        (&n[1]["days_left"], &n[1]["action"]),
        (&Value::from(1), &"await_response".into())
    );
    assert_eq!(n[2]["days_left"], 4);
    assert_eq!(
        list_of(&due["exemption_requests"], "notice_id"),
        ["N-2026-004"]
    );
    assert_eq!(due["exemption_requests"][0]["days_waiting"], 12);
    // The one undecided appeal, filed 2026-06-21T17:30+09:00, was due 30 days later.
    assert_eq!(list_of(&due["appeals"], "appeal_id"), ["AP-2026-003"]);
    assert_eq!(due["appeals"][0]["decide_by"], "2026-07-21T08:30:00Z");
    assert_eq!(due["appeals"][0]["days_overdue"], 39);

    // At a later instant the two running notices have passed their date.
    let later = due_at(&p, Some("2026-09-04T00:00:00+09:00"));
    assert_eq!(later["now"], "2026-09-04T00:00:00+09:00");
    let actions: Vec<&str> = later["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["decide_exemption", "may_recall", "may_recall"]);
    assert_eq!(later["counts"]["notices_past_respond_by"], 3);

    // Awards ending soon and past their end are exactly the active awards
    // whose end is within 30 days after now, or before it.
    for now in [
        None,
        Some("2026-12-15T00:00:00+09:00"),
        Some("2027-03-20T00:00:00+09:00"),
    ] {
        let due = due_at(&p, now);
        let at = Timestamp::parse(due["now"].as_str().unwrap())
            .unwrap()
            .instant();
        let (mut ending, mut past) = (BTreeSet::new(), BTreeSet::new());
        for a in p.json(ViewName::Holdings, &ViewParams::default())["awards"]
            .as_array()
            .unwrap()
        {
            let ends = Timestamp::parse(a["ends_at"].as_str().unwrap())
                .unwrap()
                .instant();
            let id = a["award_id"].as_str().unwrap().to_string();
            if ends < at {
                past.insert(id);
            } else if ends <= at.plus_days(30) {
                ending.insert(id);
            }
        }
        let got = |k: &str| {
            list_of(&due[k], "award_id")
                .into_iter()
                .collect::<BTreeSet<_>>()
        };
        assert_eq!(got("awards_ending"), ending, "{now:?}");
        assert_eq!(got("awards_past_end"), past, "{now:?}");
        assert_eq!(due["counts"]["awards_ending"], ending.len());
    }
    let ending = due_at(&p, Some("2027-03-20T00:00:00+09:00"));
    assert!(
        ending["awards_ending"].as_array().unwrap().len() > 10,
        "the follow-up call's awards end 2027-03-31"
    );
}

#[test]
fn outputs_count_kinds_and_the_gpu_days_held_in_business_time() {
    let events = example_events();
    // GPU-seconds per award, from the lines: what it held between changes.
    let instant = |e: &Value| {
        Timestamp::parse(e["occurred_at"].as_str().unwrap())
            .unwrap()
            .instant()
            .unix_seconds
    };
    let mut held: BTreeMap<String, (u64, i64, u128, bool)> = BTreeMap::new();
    let mut kinds: BTreeMap<String, u64> = BTreeMap::new();
    let mut outputs_of_org: BTreeMap<String, u64> = BTreeMap::new();
    let mut org_of_award: BTreeMap<String, String> = BTreeMap::new();
    let mut org_of_app: BTreeMap<String, String> = BTreeMap::new();
    for e in &events {
        let t = instant(e);
        let id = e["award_id"].as_str().unwrap_or_default().to_string();
        let gpus = e["gpus"].as_u64().unwrap_or(0);
        let mut step = |delta: i64, end: bool| {
            let h = held.get_mut(&id).unwrap();
            if !h.3 {
                h.2 += u128::from(h.0) * (t - h.1).max(0) as u128;
                h.1 = h.1.max(t);
                h.0 = h.0.checked_add_signed(delta).unwrap();
                h.3 = end;
            }
        };
        match e["type"].as_str().unwrap() {
            "ApplicationSubmitted" => {
                org_of_app.insert(
                    e["application_id"].as_str().unwrap().into(),
                    e["org_id"].as_str().unwrap().into(),
                );
            }
            "AwardGranted" | "Redistributed" => {
                held.insert(id.clone(), (gpus, t, 0, false));
                org_of_award.insert(
                    id,
                    org_of_app[e["application_id"].as_str().unwrap()].clone(),
                );
            }
            "AwardSupplemented" => step(gpus as i64, false),
            "RecallIssued" => step(-(gpus as i64), false),
            "AwardEnded" => step(0, true),
            "OutputReported" => {
                *kinds.entry(e["kind"].as_str().unwrap().into()).or_default() += 1;
                *outputs_of_org.entry(org_of_award[&id].clone()).or_default() += 1;
            }
            _ => {}
        }
    }
    let now = instant(events.last().unwrap());
    let gpu_seconds = |award: &str| {
        let h = held[award];
        h.2 + if h.3 {
            0
        } else {
            u128::from(h.0) * (now - h.1).max(0) as u128
        }
    };
    let total: u128 = held.keys().map(|a| gpu_seconds(a)).sum();

    let v = projections_of(&example_lines()).json(ViewName::Outputs, &ViewParams::default());
    assert_eq!(v["total"]["outputs"], 10);
    assert_eq!(v["total"]["gpu_days"], (total / 86_400) as u64);
    assert_eq!(
        v["total"]["gpu_days_per_output"],
        (total / 10 / 86_400) as u64
    );
    for (kind, n) in &kinds {
        assert_eq!(v["total"]["by_kind"][kind], *n, "{kind}");
    }
    assert_eq!(kinds.len(), 6, "the example reports every kind");
    for o in v["by_organization"].as_array().unwrap() {
        let org = o["org_id"].as_str().unwrap();
        let mine: u128 = held
            .keys()
            .filter(|a| org_of_award[*a] == org)
            .map(|a| gpu_seconds(a))
            .sum();
        assert_eq!(o["gpu_days"], (mine / 86_400) as u64, "{org}");
        assert_eq!(
            o["outputs"],
            outputs_of_org.get(org).copied().unwrap_or(0),
            "{org}"
        );
    }
    // Most outputs first: ORG-A039 reported three.
    assert_eq!(v["by_organization"][0]["org_id"], "ORG-A039");
    assert_eq!(v["by_organization"][0]["outputs"], 3);
}

#[test]
fn reviews_list_scores_conflicts_and_registered_organizations() {
    let events = example_events();
    let mut scores: BTreeMap<String, u64> = BTreeMap::new();
    for e in events.iter().filter(|e| e["type"] == "ScoreRecorded") {
        *scores
            .entry(e["reviewer_id"].as_str().unwrap().into())
            .or_default() += 1;
    }
    let v = projections_of(&example_lines()).json(ViewName::Reviews, &ViewParams::default());
    let reviewers = v["reviewers"].as_array().unwrap();
    assert_eq!(reviewers.len(), scores.len(), "every reviewer scored");
    for r in reviewers {
        assert_eq!(r["scores"], scores[r["reviewer_id"].as_str().unwrap()]);
    }
    let one = |id: &str| reviewers.iter().find(|r| r["reviewer_id"] == id).unwrap();
    assert_eq!(
        (&one("r-001")["registered"], &one("r-001")["org_id"]),
        (&true.into(), &"ORG-R001".into())
    );
    assert!(one("r-002").get("org_id").is_none());
    assert_eq!(
        one("r-002")["conflicts"],
        serde_json::json!([{"conflict_id": "CF-2026-001", "org_id": "ORG-R015", "source": "self_declared"}])
    );
    assert_eq!(
        one("r-003")["conflicts"][0]["application_id"],
        "APP-2026-0002"
    );
    assert_eq!(v["totals"]["registered"], 8);
    assert_eq!(v["totals"]["conflicts"], 3);
    // Reviewers of the first part were never registered.
    assert_eq!(one("r-031")["registered"], false);
}

#[test]
fn the_command_line_judges_due_at_now_or_at_the_time_given() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("example.jsonl");
    let lines = example_lines();
    write_lines(&file, &lines);
    assert!(
        run(&data, &["import", file.to_str().unwrap()])
            .status
            .success()
    );
    let p = projections_of(&lines);
    let at = "2026-09-04T00:00:00+09:00";
    let out = run(&data, &["view", "due", "--format", "json"]);
    assert_eq!(stdout_json(&out), due_at(&p, None));
    let out = run(&data, &["view", "due", "--now", at, "--format", "json"]);
    assert_eq!(stdout_json(&out), due_at(&p, Some(at)));
    let out = run(
        &data,
        &[
            "view",
            "due",
            "--now",
            at,
            "--format",
            "csv",
            "--section",
            "appeals",
        ],
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.starts_with("appeal_id,application_id,"), "{csv}");
    assert!(csv.contains("AP-2026-003"));
    let bad = run(&data, &["view", "due", "--now", "tomorrow"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("is not an RFC 3339 timestamp"));
    for view in ["outputs", "reviews"] {
        let out = run(&data, &["view", view, "--format", "json"]);
        let name: ViewName = view.parse().unwrap();
        assert_eq!(
            stdout_json(&out),
            p.json(name, &ViewParams::default()),
            "{view}"
        );
    }
}

/// How many of `lines`, from the first, occurred at or before `t`: the
/// prefix a business-time point covers.
fn occurred_by(lines: &[String], t: &str) -> usize {
    let t = Timestamp::parse(t).unwrap().instant();
    lines
        .iter()
        .take_while(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            Timestamp::parse(v["occurred_at"].as_str().unwrap())
                .unwrap()
                .instant()
                <= t
        })
        .count()
}

/// `--as-of` is business time: on an imported history (every record
/// recorded today) a 2026 date gives the programme as it stood then, the
/// view at the seq of the last event that had occurred, and says so.
#[test]
fn as_of_is_business_time_on_the_example_history() {
    let dir = tempfile::tempdir().unwrap();
    let lines = first_part_lines();
    let data = dir.path().join("data");
    import_file(&data, &first_part_file(dir.path()));
    for t in ["2026-01-15T00:00:00+09:00", "2026-03-01T00:00:00+09:00"] {
        let n = occurred_by(&lines, t);
        assert!(n > 100 && n < lines.len(), "{t}: {n}");
        for view in ["pools", "holdings", "calls"] {
            let mut at = stdout_json(&succeeds(
                &data,
                &["view", view, "--as-of", t, "--format", "json"],
            ));
            assert_eq!(
                at["as_of"],
                serde_json::json!({"clock": "occurred_at", "at": t})
            );
            assert_eq!(at["as_of_seq"], n as u64, "{view} as of {t}");
            at.as_object_mut().unwrap().remove("as_of");
            let until = stdout_json(&succeeds(
                &data,
                &[
                    "view",
                    view,
                    "--until-seq",
                    &n.to_string(),
                    "--format",
                    "json",
                ],
            ));
            assert_eq!(at, until, "{view} as of {t}");
        }
    }
    let bad = run(&data, &["view", "holdings", "--as-of", "yesterday"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--as-of"));
}

/// Where business time goes backwards (an event recorded late), a point
/// ends at the first event that occurred after it, as docs/views.md says:
/// the later events that occurred before it again are not counted.
#[test]
fn a_business_time_point_ends_at_the_first_event_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let lines: Vec<String> = first_part_lines()[..10]
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mut v: Value = serde_json::from_str(l).unwrap();
            let day = if i == 4 { 20 } else { i + 1 };
            v["occurred_at"] = format!("2026-01-{day:02}T09:00:00+09:00").into();
            serde_json::to_string(&v).unwrap()
        })
        .collect();
    let file = dir.path().join("late.jsonl");
    write_lines(&file, &lines);
    import_file(&data, &file);
    let seq_as_of = |t: &str| {
        let out = succeeds(&data, &["view", "pools", "--as-of", t, "--format", "json"]);
        stdout_json(&out)["as_of_seq"].as_u64().unwrap()
    };
    // Events 6 to 10 occurred on 6 to 10 January, but event 5 on the 20th.
    assert_eq!(seq_as_of("2026-01-03T09:00:00+09:00"), 3);
    assert_eq!(seq_as_of("2026-01-15T00:00:00+09:00"), 4);
    assert_eq!(seq_as_of("2026-01-20T09:00:00+09:00"), 10);
    assert_eq!(seq_as_of("2025-12-31T00:00:00+09:00"), 0);
}
