//! Issue 10's dashboard, served by a real server on loopback over the
//! example history: every page rendered and snapshotted, every figure on the
//! pages checked against the view it comes from, the login and roles, and
//! (where Debian's chromium and chromedriver are installed) the pages in a
//! real headless browser, the live events list included; and every page
//! in Korean, with no English left and no message missing.

use gpu_ledger_api::server::{Access, Limits};
use gpu_ledger_replay::audit::{ReportOptions, Subject, audit_report, trace};
use gpu_ledger_replay::{Source, Until};
use gpu_ledger_testkit::history::{example_lines, first_part_lines, synthetic_history};
use gpu_ledger_testkit::ports::free_port;
use gpu_ledger_testkit::server::{TestServer, spawn};
use gpu_ledger_testkit::tokens::{ROLES, every_role};
use gpu_ledger_testkit::translation::{assert_no_english, english_phrases, visible_text};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The pages snapshotted and cross-checked: (snapshot name, path).
const PAGES: &[(&str, &str)] = &[
    ("programme", "/"),
    ("programme_at_3000", "/?until_seq=3000"),
    ("calls", "/calls"),
    ("holdings", "/holdings"),
    ("holdings_search", "/holdings?q=%EB%8C%80%ED%95%99%EA%B5%90"),
    ("utilization", "/utilization"),
    ("utilization_at_4000", "/utilization?until_seq=4000"),
    ("concentration", "/concentration"),
    ("concentration_by_events", "/concentration?every=events"),
    ("events", "/events"),
    ("event_4929", "/events/4929"),
    ("trace_award", "/trace/award/AW-2025-0150"),
];

/// Replaces what differs between runs (the store's clock and so every
/// hash, and the signed checkpoint) with placeholders.
fn redact(html: &str) -> String {
    let mut out = html.to_string();
    // The checkpoint note, whether or not one was signed during the test.
    if let Some(start) = out.find("id=\"checkpoint\">") {
        let from = start + "id=\"checkpoint\">".len();
        let end = from + out[from..].find("</pre>").unwrap();
        out.replace_range(from..end, "[checkpoint]");
    }
    let bytes = out.as_bytes();
    let mut redacted = String::with_capacity(out.len());
    let mut i = 0;
    let hex_run = |at: usize| {
        bytes[at..]
            .iter()
            .take_while(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
            .count()
    };
    while i < bytes.len() {
        let run = hex_run(i);
        let boundary = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if boundary && run == 64 {
            redacted.push_str("[hash]");
            i += 64;
        } else if boundary && run == 12 && out[i + 12..].starts_with('…') {
            redacted.push_str("[hash12]");
            i += 12;
        } else if let Some(len) = recorded_at_len(&out[i..]) {
            redacted.push_str("[recorded_at]");
            i += len;
        } else {
            let c = out[i..].chars().next().unwrap();
            redacted.push(c);
            i += c.len_utf8();
        }
    }
    // One line per block, so that a change shows as a readable diff.
    for tag in [
        "<section", "<h2", "<h3", "<h4", "<p", "<table", "<tr", "<li", "<svg", "<form", "<div",
        "<script",
    ] {
        redacted = redacted.replace(tag, &format!("\n{tag}"));
    }
    redacted
}

/// The length of a `recorded_at` (`2026-11-28T00:41:45.585133Z`) at the start of `s`.
fn recorded_at_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let shape = b"dddd-dd-ddTdd:dd:dd.ddddddZ";
    if b.len() < shape.len() {
        return None;
    }
    let fits = shape.iter().zip(b).all(|(want, got)| match want {
        b'd' => got.is_ascii_digit(),
        other => other == got,
    });
    fits.then_some(shape.len())
}

/// The page at `path`: an HTML page of the server's own, that fetches
/// nothing from anywhere else.
async fn page(s: &TestServer, path: &str) -> String {
    let resp = s.client.get(s.url(path)).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200, "{path}");
    assert_eq!(
        resp.headers()["content-type"],
        "text/html; charset=utf-8",
        "{path}"
    );
    let html = resp.text().await.unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{path}");
    assert!(
        !html.contains("http://") && !html.contains("https://") && !html.contains("src="),
        "{path} fetches nothing from elsewhere"
    );
    html
}

/// Checks every figure of `html`, the page at `path`, against its view at
/// the page's point (kept in `views`); returns how many it checked.
async fn check_figures(
    s: &TestServer,
    path: &str,
    html: &str,
    views: &mut HashMap<String, Value>,
) -> usize {
    let point = point_query(path);
    let mut checked = 0;
    for (view, pointer, value) in figures(html) {
        let key = format!("{view}{point}");
        if !views.contains_key(&key) {
            let (status, v) = s.get(None, &format!("/v1/views/{view}{point}")).await;
            assert_eq!(status, 200);
            views.insert(key.clone(), v);
        }
        let expected = views[&key].pointer(&pointer);
        assert_eq!(
            expected.and_then(Value::as_u64),
            Some(value),
            "{path}: {view}:{pointer} shows {value}, the view has {expected:?}"
        );
        checked += 1;
    }
    checked
}

/// Every `data-json="VIEW:POINTER" data-value="N"` of a page.
fn figures(html: &str) -> Vec<(String, String, u64)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("data-json=\"") {
        rest = &rest[at + "data-json=\"".len()..];
        let end = rest.find('"').unwrap();
        let key = rest[..end].replace("&amp;", "&").replace("&quot;", "\"");
        rest = &rest[end..];
        let value_at = rest.find("data-value=\"").expect("a figure has its value");
        let after = &rest[value_at + "data-value=\"".len()..];
        let value: u64 = after[..after.find('"').unwrap()].parse().unwrap();
        let (view, pointer) = key.split_once(':').unwrap();
        out.push((view.to_string(), pointer.to_string(), value));
    }
    out
}

/// The `data-value` of the element with `id`.
fn value_of_id(html: &str, id: &str) -> u64 {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let rest = &html[at..];
    let v = &rest[rest.find("data-value=\"").unwrap() + 12..];
    v[..v.find('"').unwrap()].parse().unwrap()
}

/// The point part of a page's path (`?until_seq=N`, and the `now` of
/// `due`), for its views.
fn point_query(path: &str) -> String {
    path.split_once('?')
        .map(|(_, q)| {
            q.split('&')
                .filter(|p| {
                    ["until_seq=", "as_of=", "recorded_as_of=", "now="]
                        .iter()
                        .any(|k| p.starts_with(k))
                })
                .collect::<Vec<_>>()
                .join("&")
        })
        .filter(|q| !q.is_empty())
        .map(|q| format!("?{q}"))
        .unwrap_or_default()
}

/// Waits until the audit up to the point of `query` is made (a loaded
/// machine may take longer than a page waits), so snapshots show its report.
async fn audit_ready(s: &TestServer, query: &str) {
    let started = Instant::now();
    loop {
        let (status, _) = s.get_text(None, &format!("/csv/exceptions{query}")).await;
        if status == 200 {
            return;
        }
        assert_eq!(status, 503, "the audit is running or made");
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the audit never ended"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn every_page_renders_and_its_figures_are_the_views() {
    let s = spawn(&first_part_lines(), Access::Local, Limits::default()).await;
    let mut views: HashMap<String, Value> = HashMap::new();
    let mut checked = 0;
    for (name, path) in PAGES {
        if path.starts_with("/?") || *path == "/" {
            audit_ready(&s, &point_query(path)).await;
        }
        let html = page(&s, path).await;
        insta::assert_snapshot!(*name, redact(&html));
        checked += check_figures(&s, path, &html, &mut views).await;
    }
    assert!(checked > 400, "only {checked} figures checked");

    // Figures counted from the views rather than read from them.
    let (_, html) = s.get_text(None, "/holdings").await;
    let (_, holdings) = s.get(None, "/v1/views/holdings").await;
    assert_eq!(
        value_of_id(&html, "orgs-holding"),
        holdings["by_organization"].as_array().unwrap().len() as u64
    );
    assert_eq!(html.matches("/by_organization/").count() / 3, 20, "top 20");
    let (_, html) = s.get_text(None, "/utilization").await;
    let (_, utilization) = s.get(None, "/v1/views/utilization").await;
    assert_eq!(
        value_of_id(&html, "active-awards"),
        utilization["awards"].as_array().unwrap().len() as u64
    );
    assert_eq!(
        value_of_id(&html, "candidate-count"),
        utilization["recall_candidates"].as_array().unwrap().len() as u64
    );
    let (_, html) = s.get_text(None, "/").await;
    assert_eq!(value_of_id(&html, "seq"), s.head());

    // The audit's exceptions and traces are those of `gpu-ledger audit`.
    let store: std::sync::Arc<dyn gpu_ledger_ledger::EventStore> =
        std::sync::Arc::new(s.store.clone());
    let report = audit_report(
        &mut Source::store(store.clone()),
        &ReportOptions::default(),
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(
        value_of_id(&html, "exception-count"),
        report.exceptions.len() as u64
    );
    let story = trace(
        || Ok(Source::store(store.clone())),
        &Subject::Award(gpu_ledger_domain::Id::parse("AW-2025-0150").unwrap()),
        Until::Head,
        |_| {},
    )
    .await
    .unwrap();
    let (status, html) = s.get_text(None, "/trace/award/AW-2025-0150").await;
    assert_eq!(status, 200);
    for line in &story.lines {
        assert!(html.contains(&format!("<a href=\"/events/{}\">", line.seq)));
    }
    assert!(story.lines.len() > 5);
    let (status, _) = s.get_text(None, "/trace/award/AW-NONE").await;
    assert_eq!(status, 404);
    let (_, events) = s.get_text(None, "/events").await;
    assert!(events.contains("href=\"/trace/award/AW-2026-0008\""));

    // The search filters on the server: every organization listed matches.
    let (_, html) = s.get_text(None, "/holdings?q=ORG-A0").await;
    let found = value_of_id(&html, "found");
    let expected = holdings["by_organization"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["org_id"].as_str().unwrap().starts_with("ORG-A0"))
        .count() as u64;
    assert_eq!(found, expected);
    assert!(found > 0);
}

/// The pages of vocabulary v2 over the whole example, snapshotted and
/// cross-checked as the others: (snapshot name, path, its menu link, which
/// keeps the point in history but not "now").
const V2_PAGES: &[(&str, &str, &str)] = &[
    ("due", "/due", "/due"),
    ("due_at_5478", "/due?until_seq=5478", "/due?until_seq=5478"),
    (
        "due_now",
        "/due?now=2026-09-04T00%3A00%3A00%2B09%3A00",
        "/due",
    ),
];

#[tokio::test]
async fn the_due_page_and_the_outputs_show_the_v2_views_of_the_whole_example() {
    let s = spawn(&example_lines(), Access::Local, Limits::default()).await;
    let mut views: HashMap<String, Value> = HashMap::new();
    let mut checked = 0;
    let mut traces = Vec::new();
    for (name, path, menu) in V2_PAGES {
        let html = page(&s, path).await;
        let menu = format!("<a href=\"{menu}\" aria-current=\"page\">");
        assert!(
            html.contains(&menu),
            "{path}: Due is in the menu, at the page's point"
        );
        insta::assert_snapshot!(*name, redact(&html));
        let figures = check_figures(&s, path, &html, &mut views).await;
        assert!(figures >= 15, "{path}: only {figures} figures");
        checked += figures;
        let mut rest = html.as_str();
        while let Some(at) = rest.find("href=\"/trace/") {
            rest = &rest[at + 6..];
            traces.push(rest[..rest.find('"').unwrap()].replace("&amp;", "&"));
        }
    }
    let (_, due) = s.get(None, "/v1/views/due").await;
    assert_eq!(due["counts"]["notices"], 3);
    let (_, html) = s.get_text(None, "/due").await;
    for (id, n) in [("notices", 3), ("exemption-requests", 1), ("appeals", 1)] {
        let section = &html[html.find(&format!("id=\"{id}\"")).unwrap()..];
        let section = &section[..section.find("</section>").unwrap()];
        assert_eq!(
            section.matches("<tr>").count(),
            n + 1,
            "{id}: a row each, and the header"
        );
    }

    // The outputs on the holdings page, whose references are text, never links.
    let (status, html) = s.get_text(None, "/holdings").await;
    assert_eq!(status, 200);
    assert!(!html.contains("href=\"http") && !html.contains("src="));
    assert!(html.contains("OUT-2026-001") && html.contains("doi:10.48550/arXiv.2607.01234"));
    let outputs = figures(&html).iter().filter(|f| f.0 == "outputs").count();
    assert!(outputs > 40, "only {outputs} outputs figures");
    checked += check_figures(&s, "/holdings", &html, &mut views).await;
    assert!(checked > 100, "only {checked} figures checked");

    // Each row links to the trace of its award or application, at the page's
    // point; the trace pages tell every line of `audit trace`.
    assert!(
        traces
            .iter()
            .any(|t| t.starts_with("/trace/application/APP-2026-0003"))
    );
    assert!(traces.contains(&"/trace/award/AW-2025-0001?until_seq=5478".to_string()));
    traces.sort();
    traces.dedup();
    for href in &traces {
        let (status, _) = s.get_text(None, href).await;
        assert_eq!(status, 200, "{href}");
    }
    let store: std::sync::Arc<dyn gpu_ledger_ledger::EventStore> =
        std::sync::Arc::new(s.store.clone());
    for (kind, subject) in [
        (
            "award",
            Subject::Award(gpu_ledger_domain::Id::parse("AW-2026-F013").unwrap()),
        ),
        (
            "application",
            Subject::Application(gpu_ledger_domain::Id::parse("APP-2026-0005").unwrap()),
        ),
    ] {
        let story = trace(
            || Ok(Source::store(store.clone())),
            &subject,
            Until::Head,
            |_| {},
        )
        .await
        .unwrap();
        let id = match &subject {
            Subject::Award(id) | Subject::Application(id) | Subject::Organization(id) => id,
        };
        let (status, html) = s.get_text(None, &format!("/trace/{kind}/{id}")).await;
        assert_eq!(status, 200);
        for line in &story.lines {
            assert!(
                html.contains(&format!("<a href=\"/events/{}\">", line.seq)),
                "{kind} {id}: #{}",
                line.seq
            );
            assert!(
                html.contains(line.event_type),
                "{kind} {id}: {}",
                line.event_type
            );
        }
    }

    // The CSV links keep the page's "now"; a bad one is refused as the API refuses it.
    let (_, html) = s.get_text(None, V2_PAGES[2].1).await;
    let link = "/csv/due?section=appeals&amp;now=2026-09-04T00%3A00%3A00%2B09%3A00";
    assert!(html.contains(link), "{html}");
    let (status, csv) = s.get_text(None, &link.replace("&amp;", "&")).await;
    assert_eq!(status, 200);
    let (_, api) = s
        .get_text(
            None,
            "/v1/views/due?format=csv&section=appeals&now=2026-09-04T00%3A00%3A00%2B09%3A00",
        )
        .await;
    assert_eq!(csv, api);
    assert!(csv.contains("AP-2026-003"));
    let (status, _) = s.get_text(None, "/due?now=soon").await;
    assert_eq!(status, 400);
    let (status, _) = s.get_text(None, "/csv/due?now=soon").await;
    assert_eq!(status, 400);
}

/// The row of the table `id` whose first cell is `key`, on a trace page.
fn standing_row<'a>(html: &'a str, id: &str, key: &str) -> &'a str {
    let table = &html[html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no {id}"))..];
    let table = &table[..table.find("</table>").unwrap()];
    let row = &table[table
        .find(&format!("<tr><td><code>{key}</code>"))
        .unwrap_or_else(|| panic!("no row {key} in {id}"))..];
    &row[..row.find("</tr>").unwrap()]
}

#[tokio::test]
async fn trace_pages_say_where_notices_appeals_and_supplements_stand_at_each_point() {
    let lines = example_lines();
    let s = spawn(&lines, Access::Local, Limits::default()).await;
    let events: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let text = |e: &Value, k: &str| e[k].as_str().unwrap_or_default().to_string();
    // Each notice's story from the lines: after which seq it stands how.
    let mut award_of_notice: HashMap<String, String> = HashMap::new();
    let mut checked = 0;
    for (i, e) in events.iter().enumerate() {
        let seq = i + 1;
        let notice = text(e, "notice_id");
        let stands = match e["type"].as_str().unwrap() {
            "RecallNoticed" => {
                award_of_notice.insert(notice.clone(), text(e, "award_id"));
                "<td>open</td>"
            }
            "ExemptionRequested" => "open: exemption requested, undecided",
            "ExemptionDecided" if e["granted"] == true => "closed: exemption granted",
            "ExemptionDecided" => "open: exemption refused, may be recalled",
            "RecallIssued" if !notice.is_empty() => "carried out by a recall",
            _ => continue,
        };
        let award = &award_of_notice[&notice];
        let (status, html) = s
            .get_text(None, &format!("/trace/award/{award}?until_seq={seq}"))
            .await;
        assert_eq!(status, 200);
        assert!(html.contains(&format!("Where it stands after record #{seq}")));
        let row = standing_row(&html, "standing-notices", &notice);
        assert!(row.contains(stands), "{notice} after #{seq}: {row}");
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} notice steps");

    // An appeal, filed and then decided, on its application's trace.
    for (i, e) in events.iter().enumerate() {
        let stands = match e["type"].as_str().unwrap() {
            "AppealFiled" => "open, undecided",
            "AppealDecided" if e["upheld"] == true => "upheld: the application was pending again",
            "AppealDecided" => "dismissed: the rejection stands",
            _ => continue,
        };
        let appeal = text(e, "appeal_id");
        let app = events
            .iter()
            .find(|f| f["type"] == "AppealFiled" && f["appeal_id"] == e["appeal_id"])
            .unwrap();
        let app = text(app, "application_id");
        let (_, html) = s
            .get_text(
                None,
                &format!("/trace/application/{app}?until_seq={}", i + 1),
            )
            .await;
        let row = standing_row(&html, "standing-appeals", &app);
        assert!(
            row.contains(&format!("<code>{appeal}</code>")) && row.contains(stands),
            "{appeal} after #{}: {row}",
            i + 1
        );
    }

    // A supplement: the award's card adds it to what was granted, as holdings do.
    let supplemented = events
        .iter()
        .find(|e| e["type"] == "AwardSupplemented")
        .unwrap();
    let award = text(supplemented, "award_id");
    let (_, holdings) = s.get(None, "/v1/views/holdings").await;
    let held = holdings["awards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["award_id"] == award.as_str())
        .unwrap();
    let (_, html) = s.get_text(None, &format!("/trace/award/{award}")).await;
    let row = standing_row(&html, "standing-awards", &award);
    for n in [&held["granted_gpus"], &supplemented["gpus"], &held["gpus"]] {
        assert!(
            row.contains(&format!("<td class=\"n\">{n}</td>")),
            "{n} in {row}"
        );
    }
    assert!(row.contains(held["ends_at"].as_str().unwrap()));
    insta::assert_snapshot!("trace_award_supplemented", redact(&html));

    // An organization's card lists its awards' notices and its appealed applications.
    let noticed = events
        .iter()
        .find(|e| e["type"] == "RecallNoticed")
        .unwrap();
    let org = &holdings["awards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["award_id"] == noticed["award_id"])
        .unwrap()["org_id"];
    let (_, html) = s
        .get_text(None, &format!("/trace/org/{}", org.as_str().unwrap()))
        .await;
    standing_row(&html, "standing-notices", &text(noticed, "notice_id"));
}

#[tokio::test]
async fn history_is_the_views_at_that_point_by_seq_or_time() {
    let s = spawn(&first_part_lines(), Access::Local, Limits::default()).await;
    // A seq past the head is the present; a time before the first record is the empty ledger.
    let (status, html) = s.get_text(None, "/calls?until_seq=999999").await;
    assert_eq!(status, 200);
    assert!(html.contains("the ledger&#39;s head") || html.contains("the ledger's head"));
    let (status, html) = s.get_text(None, "/?as_of=2000-01-01T00:00:00Z").await;
    assert_eq!(status, 200);
    assert_eq!(value_of_id(&html, "seq"), 0);
    // recorded_as_of the head's recorded_at is the present.
    let (_, head) = s.get(None, "/v1/chain/head").await;
    let t = head["recorded_at"].as_str().unwrap();
    let (_, html) = s
        .get_text(None, &format!("/holdings?recorded_as_of={t}"))
        .await;
    let (_, now) = s.get(None, "/v1/views/holdings").await;
    let shown = figures(&html)
        .into_iter()
        .find(|f| f.1 == "/total/gpus")
        .unwrap();
    assert_eq!(Some(shown.2), now["total"]["gpus"].as_u64());
    // Bad points are refused as the API refuses them.
    let (status, _) = s
        .get_text(None, "/?until_seq=3&as_of=2026-01-01T00:00:00Z")
        .await;
    assert_eq!(status, 400);
    let (status, _) = s.get_text(None, "/?until_seq=x").await;
    assert_eq!(status, 400);
    // Every table's CSV link answers with the view's CSV at the same point.
    let (_, html) = s.get_text(None, "/holdings?until_seq=4000").await;
    let link = "/csv/holdings?until_seq=4000&amp;section=sectors";
    assert!(html.contains(link));
    let (status, csv) = s.get_text(None, &link.replace("&amp;", "&")).await;
    assert_eq!(status, 200);
    let (_, api) = s
        .get_text(
            None,
            "/v1/views/holdings?until_seq=4000&format=csv&section=sectors",
        )
        .await;
    assert_eq!(csv, api);
    for table in [
        "/csv/events?until_seq=100",
        "/csv/concentration-over-time",
        "/csv/calls",
        "/csv/utilization?section=awards",
    ] {
        let (status, body) = s.get_text(None, table).await;
        assert_eq!(status, 200, "{table}");
        assert!(body.lines().count() > 1, "{table}");
    }
    let (_, events) = s.get_text(None, "/csv/events?until_seq=100").await;
    assert_eq!(
        events.lines().nth(1).unwrap().split(',').next(),
        Some("100")
    );
}

/// A small history whose award skips the better-ranked application: one
/// `award_out_of_rank_order` exception.
fn out_of_order_history() -> Vec<String> {
    let at = |i: u32| format!("2026-01-05T09:{i:02}:00+09:00");
    [
        json!({"type":"PoolRegistered","pool_id":"P1","name":"Owned H100","source":"owned","gpu_model":"H100","gpus":800,"gpus_per_server":8}),
        json!({"type":"OrganizationRegistered","org_id":"OA","name":"Alpha University","sector":"academia","size":"large","region":"capital"}),
        json!({"type":"OrganizationRegistered","org_id":"OB","name":"Beta <Labs> & Co","sector":"industry","size":"startup","region":"capital"}),
        json!({"type":"CallOpened","call_id":"C1","title":"First call","closes_at":"2026-02-01T18:00:00+09:00","tracks":[
            {"track_id":"T1","pool_id":"P1","gpus":400,"eligible_sectors":["academia","industry"],"min_reviews":1}]}),
        json!({"type":"ApplicationSubmitted","application_id":"A1","call_id":"C1","track_id":"T1","org_id":"OA","title":"Korean LLM","purpose":"research","requested_gpus":64}),
        json!({"type":"ApplicationSubmitted","application_id":"A2","call_id":"C1","track_id":"T1","org_id":"OB","title":"Vision","purpose":"research","requested_gpus":64}),
        json!({"type":"ScoreRecorded","application_id":"A1","reviewer_id":"r-001","score":95}),
        json!({"type":"ScoreRecorded","application_id":"A2","reviewer_id":"r-001","score":40}),
        json!({"type":"CallClosed","call_id":"C1"}),
        json!({"type":"AwardGranted","award_id":"W2","application_id":"A2","gpus":64,"starts_at":"2026-03-01T00:00:00+09:00","ends_at":"2026-12-31T23:59:59+09:00"}),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, mut e)| {
        e["occurred_at"] = at(i as u32).into();
        e["actor"] = "msit".into();
        e.to_string()
    })
    .collect()
}

#[tokio::test]
async fn the_former_spelling_of_a_page_redirects_to_its_address() {
    let s = spawn(&synthetic_history(1), Access::Local, Limits::default()).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = client
        .get(s.url("/utilisation?until_seq=3"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 308);
    assert_eq!(resp.headers()["location"], "/utilization?until_seq=3");
    let (status, _) = s.get_text(None, "/utilisation").await;
    assert_eq!(status, 200, "a browser following it lands on the page");
    // An organization's trace is /trace/org/ID, as `audit trace --org ID`.
    let resp = client
        .get(s.url("/trace/organization/ORG-1?until_seq=3"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 308);
    assert_eq!(resp.headers()["location"], "/trace/org/ORG-1?until_seq=3");
    let (status, html) = s.get_text(None, "/trace/org/ORG-1").await;
    assert_eq!(status, 200);
    assert!(html.contains("Trace of organization ORG-1"), "{html}");
}

#[tokio::test]
async fn the_programme_page_lists_the_audits_exceptions_with_their_events() {
    let s = spawn(&out_of_order_history(), Access::Local, Limits::default()).await;
    audit_ready(&s, "").await;
    let (status, html) = s.get_text(None, "/").await;
    assert_eq!(status, 200);
    assert_eq!(value_of_id(&html, "exception-count"), 1);
    assert!(
        html.contains("<code>award_out_of_rank_order</code>"),
        "{html}"
    );
    // Its evidence links to the award's record.
    let award_seq = s.head();
    assert!(html.contains(&format!("<a href=\"/events/{award_seq}\" title=\"")));
    let (status, csv) = s.get_text(None, "/csv/exceptions").await;
    assert_eq!(status, 200);
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(
        csv.lines()
            .nth(1)
            .unwrap()
            .starts_with("award_out_of_rank_order,")
    );
    // Before the award there was nothing to find.
    let before = format!("?until_seq={}", award_seq - 1);
    audit_ready(&s, &before).await;
    let (_, html) = s.get_text(None, &format!("/{before}")).await;
    assert_eq!(value_of_id(&html, "exception-count"), 0);
}

/// Every page of the dashboard, in Korean, over the whole example.
const KOREAN_PAGES: &[&str] = &[
    "/?lang=ko",
    "/?until_seq=3000&lang=ko",
    "/due?lang=ko",
    "/due?now=2026-09-04T00%3A00%3A00%2B09%3A00&lang=ko",
    "/calls?lang=ko",
    "/holdings?lang=ko",
    "/holdings?q=%EB%8C%80%ED%95%99%EA%B5%90&lang=ko",
    "/utilization?lang=ko",
    "/concentration?lang=ko",
    "/concentration?every=events&lang=ko",
    "/events?lang=ko",
    "/events?until_seq=3000&limit=20&lang=ko",
    "/events/4929?lang=ko",
    "/trace/award/AW-2025-0150?lang=ko",
    "/trace/application/APP-2026-0003?lang=ko",
    "/trace/org/ORG-A001?lang=ko",
    "/holdings?as_of=2026-03-31T00%3A00%3A00%2B09%3A00&lang=ko",
];

/// The pages' Korean snapshots: (name, path).
const KOREAN_SNAPSHOTS: &[(&str, &str)] = &[
    ("ko_programme", "/?lang=ko"),
    ("ko_calls", "/calls?lang=ko"),
    ("ko_due", "/due?lang=ko"),
    ("ko_trace_award", "/trace/award/AW-2025-0150?lang=ko"),
];

#[tokio::test]
async fn every_page_reads_in_korean_with_no_english_left() {
    let english = english_phrases(
        include_str!("../dashboard/locales/en/dashboard.ftl"),
        include_str!("../dashboard/locales/ko/dashboard.ftl"),
    );
    assert!(english.len() > 150, "only {} phrases", english.len());
    let s = spawn(&example_lines(), Access::Local, Limits::default()).await;
    audit_ready(&s, "?lang=ko").await;
    audit_ready(&s, "?until_seq=3000").await;
    for path in KOREAN_PAGES {
        // (Not `page`: the whole example's outputs cite web addresses, as text.)
        let (status, html) = s.get_text(None, path).await;
        assert_eq!(status, 200, "{path}");
        assert!(html.contains("<html lang=\"ko\">"), "{path}");
        assert_no_english(path, &visible_text(&html), &english);
        // Every link within the dashboard stays in Korean.
        for (at, _) in html.match_indices("href=\"/") {
            let href = &html[at + 6..];
            let href = &href[..href.find('"').unwrap()];
            if !href.starts_with("/v1/") {
                assert!(
                    href.contains("lang="),
                    "{path}: a link out of Korean: {href}"
                );
            }
        }
    }
    for (name, path) in KOREAN_SNAPSHOTS {
        insta::assert_snapshot!(*name, redact(&page(&s, path).await));
    }

    // Without ?lang=, the browser's languages decide; ?lang= wins over them.
    let korean_browser = |path: &str| {
        s.client
            .get(s.url(path))
            .header("accept-language", "ko-KR,ko;q=0.9,en-US;q=0.8")
            .send()
    };
    let html = korean_browser("/calls")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<html lang=\"ko\">") && html.contains("신청 GPU"));
    assert!(
        html.contains("href=\"/calls?lang=en\""),
        "the switch leads back to English"
    );
    let html = korean_browser("/calls?lang=en")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<html lang=\"en\">") && html.contains("GPUs requested"));
    // The switch keeps the page's other parameters.
    let html = page(&s, "/holdings?until_seq=3000&q=ORG-A0").await;
    assert!(
        html.contains("href=\"/holdings?until_seq=3000&amp;q=ORG-A0&amp;lang=ko\""),
        "{html}"
    );
    // The history forms carry the language as a field.
    let html = page(&s, "/calls?lang=ko").await;
    assert!(html.contains("<input type=\"hidden\" name=\"lang\" value=\"ko\">"));
    // The front page's round, the charts' axes and the events' paging are
    // in Korean too, and paging stays in Korean.
    let html = page(&s, "/?lang=ko").await;
    assert!(html.contains("<h3>공모 현황</h3>"), "{html}");
    assert!(html.contains("GPU (모든 풀을 같은 척도로)"), "{html}");
    let html = page(&s, "/utilization?lang=ko").await;
    assert!(html.contains("최근 보고 활용률</text>"), "{html}");
    let html = page(&s, "/events?until_seq=3000&limit=20&lang=ko").await;
    assert!(
        html.contains("<a id=\"older\" href=\"/events?until_seq=2980&amp;limit=20&amp;lang=ko\">← 이전: #2980까지</a>"),
        "{html}"
    );
    assert!(
        html.contains("<a id=\"newer\" href=\"/events?until_seq=3020&amp;limit=20&amp;lang=ko\">다음: #3020까지 →</a>"),
        "{html}"
    );
    // The former address of an organization's trace keeps the language.
    let resp = no_redirects()
        .get(s.url("/trace/organization/ORG-A001?lang=ko"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["location"], "/trace/org/ORG-A001?lang=ko");
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The sign-in form's cookie (`name=value`) and the nonce its page carries,
/// as a browser gets them by opening `/login`.
async fn sign_in_form(client: &reqwest::Client, s: &TestServer) -> (String, String) {
    let resp = client.get(s.url("/login")).send().await.unwrap();
    let cookie = resp.headers()["set-cookie"].to_str().unwrap();
    let pair = cookie.split(';').next().unwrap().to_string();
    let page = resp.text().await.unwrap();
    let nonce = page
        .split("name=\"form\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the form carries a nonce")
        .to_string();
    assert_eq!(pair, format!("gpu_ledger_login={nonce}"));
    (pair, nonce)
}

#[tokio::test]
async fn with_tokens_pages_need_one_and_every_role_may_read() {
    let s = spawn(&example_lines(), every_role(), Limits::default()).await;
    let client = no_redirects();
    // A browser without a token is sent to the form, and comes back after.
    let resp = client
        .get(s.url("/calls?until_seq=10"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(
        resp.headers()["location"],
        "/login?next=%2Fcalls%3Funtil_seq%3D10"
    );
    let (status, form) = s.get_text(None, "/login?next=%2Fcalls").await;
    assert_eq!(status, 200);
    assert!(form.contains("type=\"password\""));
    // A wrong token is refused and not echoed.
    let (form_cookie, nonce) = sign_in_form(&client, &s).await;
    let resp = client
        .post(s.url("/login"))
        .header("cookie", &form_cookie)
        .form(&[
            ("token", "not-a-token-at-all"),
            ("next", "/calls"),
            ("form", &nonce),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    assert!(!resp.text().await.unwrap().contains("not-a-token-at-all"));
    // Every role may read, with the header or with the cookie the form sets.
    for (token, _) in ROLES {
        let (status, html) = s.get_text(Some(token), "/holdings").await;
        assert_eq!(status, 200, "{token}");
        assert!(!html.contains(token), "a page never shows the token");
        let (form_cookie, nonce) = sign_in_form(&client, &s).await;
        let resp = client
            .post(s.url("/login"))
            .header("cookie", &form_cookie)
            .form(&[
                ("token", *token),
                ("next", "/calls?until_seq=10"),
                ("form", &nonce),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 303);
        assert_eq!(resp.headers()["location"], "/calls?until_seq=10");
        let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
        let pair = cookie.split(';').next().unwrap().to_string();
        let resp = client
            .get(s.url("/calls?until_seq=10"))
            .header("cookie", &pair)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200, "{token}");
        let resp = client
            .get(s.url("/csv/pools"))
            .header("cookie", &pair)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200);
    }
    // The cookie opens pages only: the API still wants the header, so no
    // page can be made to write.
    let before = s.head();
    let resp = client
        .post(s.url("/v1/events"))
        .header("cookie", "gpu_ledger_token=office-token")
        .body(json!({"type":"OrganizationRegistered","occurred_at":"2026-05-27T09:00:00+09:00","actor":"msit","org_id":"ORG-CSRF","name":"n","sector":"academia","size":"public","region":"capital"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    assert_eq!(s.head(), before);
    // A cookie with a bad token gets a 401 and is cleared; data answers get a 401.
    let resp = client
        .get(s.url("/"))
        .header("cookie", "gpu_ledger_token=forged")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    assert!(
        resp.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let (status, _) = s.get_text(None, "/csv/pools").await;
    assert_eq!(status, 401);
    let (status, _) = s.get_text(None, "/events/live").await;
    assert_eq!(status, 401);
    // Signing out forgets the cookie.
    let resp = client.post(s.url("/logout")).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 303);
    assert!(
        resp.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
}

#[tokio::test]
async fn local_mode_needs_no_token_and_the_live_stream_follows_appends() {
    let s = spawn(&example_lines(), Access::Local, Limits::default()).await;
    let (status, html) = s.get_text(None, "/login").await;
    assert_eq!(status, 200);
    assert!(html.contains("local mode"));
    let resp = s
        .client
        .get(s.url(&format!("/events/live?after={}", s.head() - 1)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    let mut body = resp.bytes_stream();
    use futures::StreamExt;
    let first = tokio::time::timeout(Duration::from_secs(10), body.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&first);
    assert!(text.contains(&format!("id: {}", s.head())), "{text}");
    // The same stream as the API's, with its checks.
    let resp = s
        .client
        .get(s.url("/events/live"))
        .header("Last-Event-ID", "yesterday")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let (status, _) = s.get_text(None, "/events/999999").await;
    assert_eq!(status, 404);
}

// ---------------------------------------------------------------------------
// The pages in a real headless browser.

/// A program on the machine's PATH (or where Debian puts it).
fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    names.iter().find_map(|name| {
        std::env::split_paths(&path)
            .chain([
                PathBuf::from("/usr/bin"),
                PathBuf::from("/usr/lib/chromium"),
            ])
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// Ends chromedriver when the test ends, however it ends.
struct Driver(std::process::Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `1234567` as the pages show it: `1,234,567`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn percent(bp: u64) -> String {
    format!("{}.{:02}%", bp / 100, bp % 100)
}

async fn start_browser(
    chromium: &Path,
    chromedriver: &Path,
    profile: &Path,
) -> (Driver, fantoccini::Client) {
    let port = free_port();
    let child = std::process::Command::new(chromedriver)
        .arg(format!("--port={port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver = Driver(child);
    let webdriver = format!("http://127.0.0.1:{port}");
    let probe = reqwest::Client::new();
    let started = Instant::now();
    while probe
        .get(format!("{webdriver}/status"))
        .send()
        .await
        .is_err()
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "chromedriver did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // As root and on a machine without a network, Chromium needs these
    // flags: no sandbox, and none of its own background connections.
    let args = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1800",
        &format!("--user-data-dir={}", profile.display()),
    ];
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("chrome"));
    caps.insert(
        "goog:chromeOptions".into(),
        json!({"binary": chromium, "args": args}),
    );
    let client =
        fantoccini::ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&webdriver)
            .await
            .expect("a browser session");
    (driver, client)
}

/// A page to look at: (screenshot name, path, [(data-json key, text shown)]).
type Check = (&'static str, &'static str, Vec<(String, String)>);

/// The text of the first element matching `css`, waiting for it.
async fn text_of(browser: &fantoccini::Client, css: &str) -> String {
    browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(fantoccini::Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .text()
        .await
        .unwrap()
}

#[tokio::test]
#[cfg_attr(
    not(browser),
    ignore = "needs Debian's chromium and chromedriver (apt-get install chromium chromium-driver)"
)]
async fn a_headless_browser_shows_the_figures_and_the_live_list() {
    let (Some(chromium), Some(chromedriver)) = (
        find_program(&["chromium", "chromium-browser"]),
        find_program(&["chromedriver"]),
    ) else {
        panic!(
            "chromium and chromedriver are not installed, and this run needs them (CI=true: .ci/run installs chromium and chromium-driver)"
        );
    };
    let s = spawn(&example_lines(), every_role(), Limits::default()).await;
    let profile = tempfile::tempdir().unwrap();
    let (_driver, browser) = start_browser(&chromium, &chromedriver, profile.path()).await;
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("dashboard-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let view = |name: &'static str| {
        let s = &s;
        async move {
            let (status, v) = s
                .get(Some("analyst-token"), &format!("/v1/views/{name}"))
                .await;
            assert_eq!(status, 200);
            v
        }
    };

    // Sign in through the form, as an analyst.
    browser.goto(&s.url("/")).await.unwrap();
    let token = browser
        .wait()
        .for_element(fantoccini::Locator::Id("token"))
        .await
        .unwrap();
    token.send_keys("analyst-token").await.unwrap();
    browser
        .find(fantoccini::Locator::Css("form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // Each page, and its key figures as the DOM has them.
    let pools = view("pools").await;
    let calls = view("calls").await;
    let holdings = view("holdings").await;
    let utilization = view("utilization").await;
    let concentration = view("concentration").await;
    let count = |v: &Value, p: &str| grouped(v.pointer(p).and_then(Value::as_u64).unwrap());
    let bp = |v: &Value, p: &str| percent(v.pointer(p).and_then(Value::as_u64).unwrap());
    let checks: Vec<Check> = vec![
        (
            "programme",
            "/",
            vec![
                ("pools:/total/held".into(), count(&pools, "/total/held")),
                ("pools:/total/free".into(), count(&pools, "/total/free")),
                ("pools:/pools/2/held".into(), count(&pools, "/pools/2/held")),
            ],
        ),
        (
            "calls",
            "/calls",
            vec![
                (
                    "calls:/calls/0/totals/applications".into(),
                    count(&calls, "/calls/0/totals/applications"),
                ),
                (
                    "calls:/calls/0/by_sector/academia/requested_gpus".into(),
                    count(&calls, "/calls/0/by_sector/academia/requested_gpus"),
                ),
                (
                    "calls:/calls/0/totals/selection_ratio_bp".into(),
                    bp(&calls, "/calls/0/totals/selection_ratio_bp"),
                ),
            ],
        ),
        (
            "holdings",
            "/holdings",
            vec![
                (
                    "holdings:/total/gpus".into(),
                    count(&holdings, "/total/gpus"),
                ),
                (
                    "holdings:/by_organization/0/gpus".into(),
                    count(&holdings, "/by_organization/0/gpus"),
                ),
                (
                    "holdings:/by_region/capital/gpus".into(),
                    count(&holdings, "/by_region/capital/gpus"),
                ),
            ],
        ),
        (
            "utilization",
            "/utilization",
            vec![(
                "utilization:/threshold_bp".into(),
                bp(&utilization, "/threshold_bp"),
            )],
        ),
        (
            "concentration",
            "/concentration",
            vec![
                (
                    "concentration:/programme/hhi".into(),
                    count(&concentration, "/programme/hhi"),
                ),
                (
                    "concentration:/programme/top5_share_bp".into(),
                    bp(&concentration, "/programme/top5_share_bp"),
                ),
                (
                    "concentration:/programme/capital_share_bp".into(),
                    bp(&concentration, "/programme/capital_share_bp"),
                ),
            ],
        ),
    ];
    for (name, path, figures) in &checks {
        browser.goto(&s.url(path)).await.unwrap();
        for (key, shown) in figures {
            let css = format!("[data-json=\"{key}\"]");
            assert_eq!(&text_of(&browser, &css).await, shown, "{path}: {key}");
        }
        let png = browser.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "{name}: a PNG screenshot");
        std::fs::write(shots.join(format!("{name}.png")), png).unwrap();
    }
    // Two pages in Korean, as a programme officer reads them (the text
    // needs a CJK font: Debian's fonts-noto-cjk, which .ci/run installs).
    for (name, path, heading, key, shown) in [
        (
            "ko-programme",
            "/?lang=ko",
            "사업 현황",
            "pools:/total/held",
            count(&pools, "/total/held"),
        ),
        (
            "ko-calls",
            "/calls?lang=ko",
            "공모",
            "calls:/calls/0/totals/applications",
            count(&calls, "/calls/0/totals/applications"),
        ),
    ] {
        browser.goto(&s.url(path)).await.unwrap();
        assert_eq!(text_of(&browser, "main h2").await, heading, "{path}");
        assert_eq!(
            text_of(&browser, &format!("[data-json=\"{key}\"]")).await,
            shown,
            "{path}: the figures read the same in Korean"
        );
        let png = browser.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "{name}: a PNG screenshot");
        std::fs::write(shots.join(format!("{name}.png")), png).unwrap();
    }
    // The switch leads back to English, at the same page.
    browser
        .find(fantoccini::Locator::Css("header .lang a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(text_of(&browser, "main h2").await, "Calls");

    let active = utilization["awards"].as_array().unwrap().len() as u64;
    browser.goto(&s.url("/utilization")).await.unwrap();
    assert_eq!(text_of(&browser, "#active-awards").await, grouped(active));

    // The history form moves the page to another point.
    browser.goto(&s.url("/calls")).await.unwrap();
    let seq = browser
        .find(fantoccini::Locator::Id("until_seq"))
        .await
        .unwrap();
    seq.clear().await.unwrap();
    seq.send_keys("3000").await.unwrap();
    browser
        .find(fantoccini::Locator::Css("#until_seq + button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    text_of(&browser, "#when[data-seq=\"3000\"]").await;
    let (_, calls_then) = s
        .get(Some("analyst-token"), "/v1/views/calls?until_seq=3000")
        .await;
    assert_eq!(
        text_of(
            &browser,
            "[data-json=\"calls:/calls/0/totals/applications\"]"
        )
        .await,
        count(&calls_then, "/calls/0/totals/applications")
    );

    // The live list shows a record appended while the page is open.
    browser.goto(&s.url("/events")).await.unwrap();
    let head = s.head();
    assert_eq!(
        text_of(&browser, "#events li").await.split(' ').next(),
        Some(&*format!("#{head}"))
    );
    let (status, _) = s
        .post(
            Some("office-token"),
            json!({"type":"OrganizationRegistered","occurred_at":"2026-05-27T09:00:00+09:00","actor":"msit","org_id":"ORG-LIVE-1","name":"Live Test Lab","sector":"industry","size":"startup","region":"non_capital"}).to_string(),
        )
        .await;
    assert_eq!(status, 201);
    let appended = text_of(&browser, &format!("#e-{}", head + 1)).await;
    assert!(appended.contains("OrganizationRegistered"), "{appended}");
    assert!(appended.contains("ORG-LIVE-1"), "{appended}");
    assert_eq!(
        text_of(&browser, "#events li").await,
        appended,
        "newest first"
    );
    assert_eq!(
        text_of(&browser, "#live-head").await,
        format!("#{}", head + 1)
    );
    std::fs::write(
        shots.join("events-live.png"),
        browser.screenshot().await.unwrap(),
    )
    .unwrap();
    browser.close().await.unwrap();
    println!("screenshots in {}", shots.display());
}

/// The seqs listed on an events page, newest first.
fn listed_seqs(html: &str) -> Vec<u64> {
    html.split("<li id=\"e-")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().parse().unwrap())
        .collect()
}

/// The `href` of the link with `id` on a page, if there is one.
fn link_of(html: &str, id: &str) -> Option<String> {
    let rest = html.split(&format!("id=\"{id}\" href=\"")).nth(1)?;
    Some(rest.split('"').next()?.replace("&amp;", "&"))
}

#[tokio::test]
async fn the_events_page_pages_back_to_the_first_record_and_forward_to_the_head() {
    let history = &first_part_lines()[..120];
    let s = spawn(history, Access::Local, Limits::default()).await;
    for (limit, query) in [(50u64, ""), (30, "?limit=30")] {
        // Back from the head, a page at a time, to the first record.
        let mut path = format!("/events{query}");
        let mut seen: Vec<u64> = Vec::new();
        let mut pages = Vec::new();
        loop {
            let html = page(&s, &path).await;
            let seqs = listed_seqs(&html);
            assert!(seqs.len() as u64 <= limit, "{path}");
            seen.extend(&seqs);
            pages.push(path.clone());
            match link_of(&html, "older") {
                Some(older) => {
                    assert!(query.is_empty() || older.ends_with("limit=30"), "{older}");
                    path = older;
                }
                None => break,
            }
        }
        assert_eq!(seen, (1..=120).rev().collect::<Vec<u64>>(), "limit {limit}");
        // And forward again through the same pages, ending at the live head.
        let mut forward = Vec::new();
        let mut path = pages.last().unwrap().clone();
        while let Some(newer) = link_of(&page(&s, &path).await, "newer") {
            forward.push(newer.clone());
            path = newer;
        }
        let mut back: Vec<String> = pages[..pages.len() - 1].to_vec();
        back.reverse();
        assert_eq!(forward, back, "limit {limit}");
        assert!(link_of(&page(&s, &pages[0]).await, "newer").is_none());
    }
}

/// The SVG charts of a page, each from `<svg` to `</svg>`.
fn charts_of(html: &str) -> Vec<&str> {
    html.split("<svg")
        .skip(1)
        .map(|rest| rest.split("</svg>").next().unwrap())
        .collect()
}

/// The texts of a chart's elements of `class`.
fn texts_of(svg: &str, class: &str) -> Vec<String> {
    svg.split(&format!("<text class=\"{class}\""))
        .skip(1)
        .map(|rest| {
            let body = rest.split_once('>').unwrap().1;
            body.split("</text>").next().unwrap().to_string()
        })
        .collect()
}

#[tokio::test]
async fn every_chart_names_its_axes_and_labels_its_ticks() {
    let s = spawn(&first_part_lines(), Access::Local, Limits::default()).await;
    let mut seen = 0;
    for path in [
        "/",
        "/calls",
        "/holdings",
        "/utilization",
        "/concentration",
        "/concentration?every=events",
    ] {
        let html = page(&s, path).await;
        for svg in charts_of(&html) {
            let titles = texts_of(svg, "axis-title");
            assert!(
                !titles.is_empty() && titles.iter().all(|t| !t.trim().is_empty()),
                "{path}: a chart without an axis title: {svg}"
            );
            let ticks = texts_of(svg, "tick");
            assert!(
                ticks.len() >= 5 && ticks.iter().all(|t| !t.trim().is_empty()),
                "{path}: a chart with too few tick labels ({ticks:?})"
            );
            seen += 1;
        }
    }
    assert!(seen >= 12, "only {seen} charts seen");
    // The concentration lines are labelled along time, not only at both ends.
    let html = page(&s, "/concentration").await;
    let lines = charts_of(&html)[0];
    let ticks = texts_of(lines, "tick");
    let dated = ticks
        .iter()
        .filter(|t| t.len() >= 10 && t.as_bytes()[4] == b'-' && t.as_bytes()[7] == b'-')
        .count();
    assert!(dated >= 5, "{ticks:?}");
}

#[tokio::test]
async fn the_front_page_leads_with_the_round_and_draws_pools_to_one_scale() {
    let history = first_part_lines();
    let s = spawn(&history, Access::Local, Limits::default()).await;
    let html = page(&s, "/").await;
    let round = html.find("id=\"round\"").expect("the round's section");
    let pools_at = html.find("<h3>Pools</h3>").expect("the pools' section");
    assert!(round < pools_at, "the round comes first");
    // Each call's headline, with its figures marked for the check against
    // the calls view (every_page_renders_and_its_figures_are_the_views).
    let (_, calls) = s.get(None, "/v1/views/calls").await;
    for (i, c) in calls["calls"].as_array().unwrap().iter().enumerate() {
        let id = c["call_id"].as_str().unwrap();
        assert!(html.contains(&format!("id=\"headline-{id}\"")), "{id}");
        for field in ["applications", "selected", "awarded_gpus"] {
            let mark = format!("data-json=\"calls:/calls/{i}/totals/{field}\"");
            assert!(html.contains(&mark), "{mark}");
        }
        for sector in c["by_sector"].as_object().unwrap().keys() {
            let mark = format!("data-json=\"calls:/calls/{i}/by_sector/{sector}/selected\"");
            assert!(html.contains(&mark), "{mark}");
        }
    }
    // Pool bars on one scale: each bar's length is its capacity over the
    // largest pool's, against the same span.
    let (_, pools) = s.get(None, "/v1/views/pools").await;
    let capacities: Vec<f64> = pools["pools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["capacity"].as_f64().unwrap())
        .collect();
    let bars = &charts_of(&html[pools_at..])[..capacities.len()];
    let width = |svg: &str| -> f64 {
        svg.split("<rect ")
            .skip(1)
            .map(|r| {
                let w = r
                    .split("width=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap();
                w.parse::<f64>().unwrap()
            })
            .sum()
    };
    let largest = capacities.iter().cloned().fold(0.0, f64::max);
    let full = width(bars[capacities.iter().position(|c| *c == largest).unwrap()]);
    assert!(capacities.len() >= 2 && capacities.iter().any(|c| *c < largest));
    for (svg, capacity) in bars.iter().zip(&capacities) {
        let expected = full * capacity / largest;
        assert!(
            (width(svg) - expected).abs() < 1.0,
            "a {capacity}-GPU pool drawn {} wide, expected {expected}",
            width(svg)
        );
    }
}

/// `as_of` is business time on the API and the dashboard alike: on an
/// imported history, 1 March 2026 is the programme as it stood then (the
/// issue's own example gave `as_of_seq: 0`), and the dashboard's date box
/// shows the same point.
#[tokio::test]
async fn as_of_is_business_time_on_the_api_and_the_dashboard() {
    let history = first_part_lines();
    let s = spawn(&history, Access::Local, Limits::default()).await;
    let t = "2026-03-01T00:00:00+09:00";
    let expected = history
        .iter()
        .take_while(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            let at = |s: &str| gpu_ledger_domain::Timestamp::parse(s).unwrap().instant();
            at(v["occurred_at"].as_str().unwrap()) <= at(t)
        })
        .count() as u64;
    assert!(expected > 0 && expected < history.len() as u64);
    let (status, pools) = s
        .get(None, "/v1/views/pools?as_of=2026-03-01T00:00:00%2B09:00")
        .await;
    assert_eq!(status, 200);
    assert_eq!(pools["as_of_seq"], expected);
    assert_eq!(pools["as_of"], json!({"clock": "occurred_at", "at": t}));
    let (_, by_seq) = s
        .get(None, &format!("/v1/views/pools?until_seq={expected}"))
        .await;
    assert_eq!(pools["pools"], by_seq["pools"]);
    let (_, recorded) = s
        .get(
            None,
            "/v1/views/pools?recorded_as_of=2026-03-01T00:00:00%2B09:00",
        )
        .await;
    assert_eq!(
        recorded["as_of_seq"], 0,
        "nothing was recorded before the import"
    );
    assert_eq!(recorded["as_of"]["clock"], "recorded_at");
    let html = page(&s, "/?as_of=2026-03-01T00%3A00%3A00%2B09%3A00").await;
    assert_eq!(value_of_id(&html, "seq"), expected);
    let (status, _) = s.get(None, "/v1/views/pools?as_of=yesterday").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_query_that_does_not_parse_is_refused_naming_the_parameter() {
    let s = spawn(&synthetic_history(1), Access::Local, Limits::default()).await;
    // A page says it on a page, in the dashboard's layout.
    for path in [
        "/events?limit=x",
        "/utilization?threshold_bp=-1",
        "/concentration?every=fortnight",
    ] {
        let resp = s.client.get(s.url(path)).send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 400, "{path}");
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{path}"
        );
        let html = resp.text().await.unwrap();
        let name = path.split(['?', '=']).nth(1).unwrap();
        assert!(html.contains(name), "{path}: {html}");
        assert!(html.contains("<html"), "{path}: {html}");
    }
    // A data answer says it as the API does.
    let resp = s
        .client
        .get(s.url("/csv/holdings?limit=-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "bad_query", "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("limit"),
        "{body}"
    );
}
