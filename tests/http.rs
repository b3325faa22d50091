//! Issue 4's whole flows over real HTTP on loopback: every status code with
//! the ledger unchanged after each refusal, idempotent retries, 32
//! concurrent clients, the live stream, roles, views, and the OpenAPI
//! document kept true.

use futures::StreamExt;
use gpu_ledger_api::server::{Access, Limits};
use gpu_ledger_projections::{ViewName, ViewParams};
use gpu_ledger_replay::{Source, Until, rebuild_views};
use gpu_ledger_testkit::auditor::{chain_verifies, views_equal_a_full_replay};
use gpu_ledger_testkit::history::{example_lines, synthetic_history};
use gpu_ledger_testkit::server::{TestServer, spawn};
use gpu_ledger_testkit::tokens::{ROLES, every_role};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::Arc;

fn event(mut v: Value) -> String {
    v["occurred_at"] = json!("2026-03-20T09:00:00+09:00");
    if v.get("actor").is_none() {
        v["actor"] = json!("msit");
    }
    v.to_string()
}

/// `body` as `actor` sends it (a token appends only as its own principal).
fn by(actor: &str, body: String) -> String {
    let mut v: Value = serde_json::from_str(&body).unwrap();
    v["actor"] = json!(actor);
    v.to_string()
}

fn pool(id: &str) -> String {
    event(
        json!({"type":"PoolRegistered","pool_id":id,"name":"n","source":"owned","gpu_model":"m","gpus":16,"gpus_per_server":8}),
    )
}

fn org(id: &str) -> String {
    event(
        json!({"type":"OrganizationRegistered","org_id":id,"name":"n","sector":"academia","size":"public","region":"capital"}),
    )
}

/// Asserts a refusal: its status, its `error`, and that nothing was appended.
async fn refused(
    s: &TestServer,
    token: Option<&str>,
    body: impl Into<reqwest::Body>,
    status: u16,
    error: &str,
) -> Value {
    let before = s.head();
    let (got, answer) = s.post(token, body).await;
    assert_eq!(
        (got, answer["error"].as_str().unwrap_or("")),
        (status, error),
        "{answer}"
    );
    assert!(
        answer["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{answer}"
    );
    assert_eq!(s.head(), before, "a refused request appended something");
    answer
}

#[tokio::test]
async fn every_status_code_and_nothing_appended_on_refusal() {
    let limits = Limits {
        body_bytes: 64 << 10,
        batch_events: 50,
        ..Limits::default()
    };
    let s = spawn(&synthetic_history(3), every_role(), limits).await;
    let office = Some("office-token");
    let head = s.head();

    let (status, answer) = s.post(office, pool("P-2")).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["records"][0]["seq"], head + 1);
    assert_eq!(answer["records"][0]["hash"].as_str().unwrap().len(), 64);

    refused(&s, office, "{\"type\":", 400, "malformed_event").await;
    refused(&s, office, "[1, 2", 400, "malformed_event").await;
    refused(
        &s,
        office,
        pool("P-3").replace("\"gpus\":16", "\"gpus\":16,\"colour\":\"red\""),
        400,
        "malformed_event",
    )
    .await;
    let a = refused(
        &s,
        office,
        format!("[{},{}]", pool("P-3"), "{\"type\":\"Nope\"}"),
        400,
        "malformed_event",
    )
    .await;
    refused_at_the_second_event(&a);
    refused(&s, None, pool("P-3"), 401, "unauthorized").await;
    refused(&s, Some("wrong-token"), pool("P-3"), 401, "unauthorized").await;
    refused(&s, Some("monitor-token"), pool("P-3"), 403, "forbidden").await;
    refused(&s, office, pool("P-2"), 422, "pool_already_registered").await;
    refused(&s, office, pool("P 3"), 422, "invalid_value").await;
    // A batch is all or nothing: the second event breaks a rule, the first is not kept.
    let a = refused(
        &s,
        office,
        format!("[{},{}]", pool("P-4"), pool("P-4")),
        422,
        "pool_already_registered",
    )
    .await;
    refused_at_the_second_event(&a);
    refused(
        &s,
        office,
        format!("[{}]", vec![pool("P-5"); 51].join(",")),
        413,
        "batch_too_large",
    )
    .await;
    let before = s.head();
    let big = pool("P-6").replace(
        "\"name\":\"n\"",
        &format!("\"name\":\"{}\"", "x".repeat(70_000)),
    );
    // The office's append of `body` to `path`, with an If-Match if given.
    let append = |path: &str, if_match: Option<String>, body: String| {
        let mut request = s
            .client
            .post(s.url(path))
            .bearer_auth("office-token")
            .header("content-type", "application/json");
        if let Some(seq) = if_match {
            request = request.header("If-Match", seq);
        }
        request.body(body).send()
    };
    let resp = append("/v1/events", None, big).await.unwrap();
    assert_eq!(resp.status().as_u16(), 413);
    assert_eq!(s.head(), before);

    // Optimistic concurrency: the query parameter and If-Match both work.
    let stale = s.head() - 1;
    let resp = append(
        &format!("/v1/events?expected_seq={stale}"),
        None,
        pool("P-7"),
    )
    .await
    .unwrap();
    assert_eq!(resp.status().as_u16(), 409);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["head"]["seq"], s.head());
    let resp = append("/v1/events", Some(stale.to_string()), pool("P-7"))
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 409);
    let resp = append("/v1/events", Some(format!("\"{}\"", s.head())), pool("P-7"))
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);

    let (status, _) = s.get(Some("analyst-token"), "/v1/views/nope").await;
    assert_eq!(status, 404);
    assert_eq!(chain_verifies(Arc::new(s.store.clone())).await, s.head());
}

#[tokio::test]
async fn a_retry_with_an_idempotency_key_appends_once() {
    let s = spawn(&synthetic_history(1), Access::Local, Limits::default()).await;
    let post = |key: &str, body: String| {
        s.client
            .post(s.url("/v1/events"))
            .header("Idempotency-Key", key)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let head = s.head();
    let first = post("k-1", org("ORG-9")).await.unwrap();
    assert_eq!(first.status().as_u16(), 201);
    let first: Value = first.json().await.unwrap();
    let retry = post("k-1", org("ORG-9")).await.unwrap();
    assert_eq!(retry.status().as_u16(), 201);
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    assert_eq!(retry.json::<Value>().await.unwrap(), first);
    assert_eq!(s.head(), head + 1);

    let reused = post("k-1", org("ORG-10")).await.unwrap();
    assert_eq!(reused.status().as_u16(), 422);
    assert_eq!(
        reused.json::<Value>().await.unwrap()["error"],
        "idempotency_key_reused"
    );
    assert_eq!(s.head(), head + 1);

    // Eight simultaneous retries of a new key: one append, eight equal answers.
    let answers = futures::future::join_all((0..8).map(|_| post("k-2", org("ORG-11")))).await;
    let mut bodies = HashSet::new();
    for a in answers {
        let a = a.unwrap();
        assert_eq!(a.status().as_u16(), 201);
        bodies.insert(a.text().await.unwrap());
    }
    assert_eq!(bodies.len(), 1);
    assert_eq!(s.head(), head + 2);
    // A refused first answer is replayed too, and still appends nothing.
    let dup = post("k-3", org("ORG-11")).await.unwrap();
    assert_eq!(dup.status().as_u16(), 422);
    let again = post("k-3", org("ORG-11")).await.unwrap();
    assert_eq!(again.status().as_u16(), 422);
    assert_eq!(s.head(), head + 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_two_concurrent_clients_append_a_hundred_events_each() {
    let s = Arc::new(spawn(&[], Access::Local, Limits::default()).await);
    let mut clients = Vec::new();
    for c in 0..32 {
        let s = s.clone();
        clients.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            for i in 0..100 {
                let (status, answer) = s.post(None, org(&format!("ORG-{c}-{i}"))).await;
                assert_eq!(status, 201, "{answer}");
                acknowledged.push((
                    answer["records"][0]["seq"].as_u64().unwrap(),
                    format!("ORG-{c}-{i}"),
                ));
            }
            acknowledged
        }));
    }
    let mut acknowledged = Vec::new();
    for c in clients {
        acknowledged.extend(c.await.unwrap());
    }
    assert_eq!(chain_verifies(Arc::new(s.store.clone())).await, 3200);
    let records = s.store.read_blocking(1, usize::MAX).unwrap();
    let mut ids = HashSet::new();
    for r in &records {
        let v: Value = serde_json::from_slice(&r.event).unwrap();
        assert!(
            ids.insert(v["org_id"].as_str().unwrap().to_string()),
            "duplicated {v}"
        );
    }
    for (seq, org) in acknowledged {
        let v: Value = serde_json::from_slice(&records[seq as usize - 1].event).unwrap();
        assert_eq!(
            v["org_id"],
            org.as_str(),
            "the 201 for seq {seq} names another record"
        );
    }
}

/// Reads server-sent records until `n` arrive: their seqs.
async fn read_sse(resp: reqwest::Response, n: usize) -> Vec<u64> {
    let mut seqs = Vec::new();
    let mut buf = String::new();
    let mut stream = resp.bytes_stream();
    while seqs.len() < n {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), stream.next())
            .await
            .expect("records arrive")
            .expect("stream open")
            .unwrap();
        buf.push_str(std::str::from_utf8(&chunk).unwrap());
        while let Some(end) = buf.find("\n\n") {
            let frame: String = buf.drain(..end + 2).collect();
            let id = frame
                .lines()
                .find_map(|l| l.strip_prefix("id:"))
                .map(|x| x.trim().parse::<u64>().unwrap());
            let data = frame.lines().find_map(|l| l.strip_prefix("data:"));
            if let (Some(id), Some(data)) = (id, data) {
                let record: Value = serde_json::from_str(data.trim()).unwrap();
                assert_eq!(record["seq"], id);
                seqs.push(id);
            }
        }
    }
    seqs
}

#[tokio::test]
async fn a_live_client_sees_every_record_in_order_and_resumes_after_last_event_id() {
    let s = spawn(&synthetic_history(1), every_role(), Limits::default()).await;
    let start = s.head();
    let live = s
        .client
        .get(s.url("/v1/events/live"))
        .bearer_auth("auditor-token")
        .send()
        .await
        .unwrap();
    assert_eq!(live.status().as_u16(), 200);
    for i in 0..20 {
        let (status, _) = s
            .post(Some("office-token"), org(&format!("ORG-L{i}")))
            .await;
        assert_eq!(status, 201);
    }
    let seen = read_sse(live, 20).await;
    assert_eq!(seen, (start + 1..=start + 20).collect::<Vec<_>>());

    let resumed = s
        .client
        .get(s.url("/v1/events/live"))
        .bearer_auth("auditor-token")
        .header("Last-Event-ID", (start + 10).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(
        read_sse(resumed, 10).await,
        (start + 11..=start + 20).collect::<Vec<_>>()
    );
    let (_, metrics) = s.get_text(None, "/metrics").await;
    assert!(metrics.contains("gpu_ledger_live_subscribers"), "{metrics}");
}

#[tokio::test]
async fn a_live_client_behind_the_broadcast_reads_the_gap_from_the_store() {
    let s = spawn(&synthetic_history(1), Access::Local, Limits::default()).await;
    let start = s.head();
    let live = s.client.get(s.url("/v1/events/live")).send().await.unwrap();
    // More records at once than the broadcast keeps for a slow subscriber.
    let many = gpu_ledger_api::server::live::stream::BROADCAST_KEPT * 3;
    let batch: Vec<Value> = (0..many)
        .map(|i| serde_json::from_str(&org(&format!("ORG-B{i}"))).unwrap())
        .collect();
    let (status, _) = s.post(None, serde_json::to_string(&batch).unwrap()).await;
    assert_eq!(status, 201);
    let seen = read_sse(live, many).await;
    assert_eq!(seen, (start + 1..=start + many as u64).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_principal_holds_a_bounded_number_of_live_streams() {
    let limits = Limits {
        subscriptions: 2,
        ..Limits::default()
    };
    let s = spawn(&synthetic_history(1), every_role(), limits).await;
    let open = |token: &'static str| {
        s.client
            .get(s.url("/v1/events/live"))
            .bearer_auth(token)
            .send()
    };
    let first = open("auditor-token").await.unwrap();
    let second = open("auditor-token").await.unwrap();
    assert_eq!(
        (first.status().as_u16(), second.status().as_u16()),
        (200, 200)
    );
    let third = open("auditor-token").await.unwrap();
    assert_eq!(third.status().as_u16(), 429);
    let body: Value = third.json().await.unwrap();
    assert_eq!(body["error"], "too_many_subscriptions");
    // Another principal has streams of its own; a closed stream is given back.
    assert_eq!(open("analyst-token").await.unwrap().status().as_u16(), 200);
    drop(first);
    let mut again = 0;
    for _ in 0..50 {
        again = open("auditor-token").await.unwrap().status().as_u16();
        if again == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(again, 200);
}

#[tokio::test]
async fn each_v2_role_acts_only_for_its_own_organization_or_reviewer_id() {
    let s = spawn(&synthetic_history(4), every_role(), Limits::default()).await;
    let office = |v: Value| async {
        let (status, a) = s.post(Some("office-token"), event(v)).await;
        assert_eq!(status, 201, "{a}");
    };
    // APP-000000 and APP-000002 are ORG-1's, APP-000001 and APP-000003 ORG-2's.
    let term = ("2026-04-01T00:00:00+09:00", "2026-12-31T23:59:59+09:00");
    office(json!({"type":"CallClosed","call_id":"CALL-1"})).await;
    for (award, app) in [("AW-1", "APP-000000"), ("AW-2", "APP-000001")] {
        office(json!({"type":"AwardGranted","award_id":award,"application_id":app,"gpus":8,"starts_at":term.0,"ends_at":term.1})).await;
    }
    for app in ["APP-000002", "APP-000003"] {
        office(
            json!({"type":"ApplicationRejected","application_id":app,"reason":"below the line"}),
        )
        .await;
    }
    for (notice, award) in [("N-1", "AW-1"), ("N-2", "AW-2")] {
        office(json!({"type":"RecallNoticed","notice_id":notice,"award_id":award,"gpus":8,"reason":"underutilization","respond_by":"2027-01-31T00:00:00+09:00"})).await;
    }
    let appeal = |id: &str, app: &str| {
        event(json!({"type":"AppealFiled","appeal_id":id,"application_id":app,"reason":"r"}))
    };
    let exemption =
        |notice: &str| event(json!({"type":"ExemptionRequested","notice_id":notice,"reason":"r"}));
    let output = |id: &str, award: &str| {
        event(
            json!({"type":"OutputReported","output_id":id,"award_id":award,"kind":"paper","title":"t"}),
        )
    };
    let conflict = |id: &str, reviewer: &str, source: &str| {
        event(
            json!({"type":"ConflictDeclared","conflict_id":id,"reviewer_id":reviewer,"org_id":"ORG-2","source":source}),
        )
    };

    // Within their rights.
    for (token, body) in [
        (
            "applicant-token",
            by("org:ORG-1", appeal("AP-1", "APP-000002")),
        ),
        ("applicant-token", by("org:ORG-1", exemption("N-1"))),
        (
            "applicant-token",
            by("org:ORG-1:kim", output("O-1", "AW-1")),
        ),
        (
            "reviewer-token",
            by("reviewer:r-001", conflict("CF-1", "r-001", "self_declared")),
        ),
        ("office-token", conflict("CF-2", "r-002", "reported")),
    ] {
        let (status, a) = s.post(Some(token), body).await;
        assert_eq!(status, 201, "{token}: {a}");
    }

    // Outside them: another organization's, another reviewer's, another role's.
    let cases: Vec<(&str, String)> = vec![
        ("applicant-token", appeal("AP-2", "APP-000003")),
        ("applicant-token", exemption("N-2")),
        ("applicant-token", output("O-2", "AW-2")),
        ("reviewer-token", conflict("CF-3", "r-002", "self_declared")),
        ("reviewer-token", conflict("CF-3", "r-001", "reported")),
        ("office-token", conflict("CF-3", "r-003", "self_declared")),
        (
            "monitor-token",
            event(
                json!({"type":"RecallNoticed","notice_id":"N-3","award_id":"AW-2","gpus":8,"reason":"other","respond_by":"2027-01-31T00:00:00+09:00"}),
            ),
        ),
        (
            "applicant-token",
            event(
                json!({"type":"AwardSupplemented","supplement_id":"S-1","award_id":"AW-1","gpus":8,"reason":"r"}),
            ),
        ),
        (
            "reviewer-token",
            event(json!({"type":"AppealDecided","appeal_id":"AP-1","upheld":true,"reason":"r"})),
        ),
        (
            "applicant-token",
            event(json!({"type":"ExemptionDecided","notice_id":"N-1","granted":true,"reason":"r"})),
        ),
    ];
    let mut messages = String::new();
    for (token, body) in cases {
        let a = refused(&s, Some(token), body, 403, "forbidden").await;
        messages.push_str(&format!("{token}: {}\n", a["message"].as_str().unwrap()));
    }
    insta::assert_snapshot!(messages);
}

#[tokio::test]
async fn each_role_is_refused_outside_its_rights() {
    let s = spawn(&synthetic_history(2), every_role(), Limits::default()).await;
    let app = |id: &str, org: &str| {
        event(
            json!({"type":"ApplicationSubmitted","application_id":id,"call_id":"CALL-1","track_id":"T1","org_id":org,"title":"t","purpose":"research","requested_gpus":8}),
        )
    };
    let score = |app: &str, reviewer: &str| {
        event(
            json!({"type":"ScoreRecorded","application_id":app,"reviewer_id":reviewer,"score":70}),
        )
    };
    let withdraw =
        |app: &str| event(json!({"type":"ApplicationWithdrawn","application_id":app,"reason":"r"}));
    let report = event(
        json!({"type":"UtilizationReported","award_id":"AW-X","period_start":"2026-04-01T00:00:00Z","period_end":"2026-04-08T00:00:00Z","utilization_bp":100,"off_purpose_use":false}),
    );

    // Within their rights (the rules may still refuse; the role does not).
    let within = [
        ("applicant-token", by("org:ORG-1", app("APP-NEW", "ORG-1"))),
        (
            "reviewer-token",
            by("reviewer:r-001", score("APP-NEW", "r-001")),
        ),
        ("applicant-token", by("org:ORG-1", withdraw("APP-NEW"))),
    ];
    for (token, body) in within {
        let (status, a) = s.post(Some(token), body).await;
        assert_eq!(status, 201, "{token}: {a}");
    }
    let (status, a) = s
        .post(Some("monitor-token"), by("monitor", report.clone()))
        .await;
    assert_eq!(
        (status, a["error"].as_str()),
        (422, Some("unknown_award")),
        "the monitor passes the role check"
    );

    // Outside them.
    let cases: Vec<(&str, String)> = vec![
        ("applicant-token", app("APP-X", "ORG-2")),
        ("applicant-token", withdraw("APP-000001")),
        ("applicant-token", pool("P-9")),
        ("reviewer-token", score("APP-000000", "r-002")),
        ("reviewer-token", app("APP-Y", "ORG-1")),
        ("monitor-token", score("APP-000000", "r-009")),
        ("office-token", score("APP-000000", "r-009")),
        ("office-token", report.clone()),
        ("auditor-token", pool("P-9")),
        ("analyst-token", org("ORG-9")),
    ];
    let mut messages = String::new();
    for (token, body) in cases {
        let a = refused(&s, Some(token), body, 403, "forbidden").await;
        messages.push_str(&format!("{token}: {}\n", a["message"].as_str().unwrap()));
    }
    insta::assert_snapshot!(messages);

    // Every role may read.
    for (token, _) in ROLES {
        let (status, _) = s.get(Some(token), "/v1/chain/head").await;
        assert_eq!(status, 200, "{token}");
    }
    let (status, _) = s.get(None, "/v1/views/pools").await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn the_due_view_is_judged_at_the_now_asked_for() {
    let s = spawn(&example_lines(), Access::Local, Limits::default()).await;
    let now = "2026-09-04T00:00:00+09:00";
    let asked = ViewParams {
        now: Some(gpu_ledger_domain::Timestamp::parse(now).unwrap()),
        ..ViewParams::default()
    };
    for (until, query) in [(Until::Head, ""), (Until::Seq(5478), "&until_seq=5478")] {
        let mut source = Source::store(Arc::new(s.store.clone()));
        let rebuilt = rebuild_views(&mut source, until, |_| {}).await.unwrap();
        // Asked twice: the rendering kept for the first is not served for the second.
        let (status, served) = s
            .get(
                None,
                &format!("/v1/views/due?now=2026-09-04T00%3A00%3A00%2B09%3A00{query}"),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(served, rebuilt.json(ViewName::Due, &asked), "{query}");
        assert_eq!(served["now"], now);
        let (_, default) = s.get(None, &format!("/v1/views/due?{query}")).await;
        assert_eq!(
            default,
            rebuilt.json(ViewName::Due, &ViewParams::default()),
            "{query}"
        );
        assert_ne!(default["now"], served["now"]);
    }
    let (status, body) = s.get(None, "/v1/views/due?now=soon").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "bad_now");
}

#[tokio::test]
async fn views_served_equal_views_rebuilt_by_replay() {
    let example = example_lines();
    let s = spawn(&example, Access::Local, Limits::default()).await;
    // Served once before the appends, so a stale rendering would show below.
    for view in ViewName::ALL {
        assert_eq!(s.get(None, &format!("/v1/views/{view}")).await.0, 200);
    }
    for i in 0..5 {
        let (status, _) = s.post(None, org(&format!("ORG-V{i}"))).await;
        assert_eq!(status, 201);
    }
    views_equal_a_full_replay(&s).await;
    // And in the past, by seq and by time.
    let mut source = Source::store(Arc::new(s.store.clone()));
    let past = rebuild_views(&mut source, Until::Seq(3000), |_| {})
        .await
        .unwrap();
    let (_, served) = s.get(None, "/v1/views/holdings?until_seq=3000").await;
    assert_eq!(
        served,
        past.json(ViewName::Holdings, &ViewParams::default())
    );
    let csv = s
        .client
        .get(s.url("/v1/views/calls?format=csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(
        csv.text()
            .await
            .unwrap()
            .starts_with("call_id,breakdown,key,applications")
    );
    let (status, page) = s.get(None, "/v1/events?after=5410&limit=3").await;
    assert_eq!(status, 200);
    assert_eq!(page["records"].as_array().unwrap().len(), 3);
    assert_eq!(page["records"][0]["seq"], 5411);
    assert_eq!(page["next_after"], 5413);
}

#[tokio::test]
async fn the_openapi_document_describes_every_event_body_as_the_decoder_reads_it() {
    let s = spawn(&synthetic_history(1), Access::Local, Limits::default()).await;
    let (_, doc) = s.get(None, "/v1/openapi.json").await;
    let body =
        &doc["paths"]["/v1/events"]["post"]["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(body["oneOf"][0]["$ref"], "#/components/schemas/Event");
    assert_eq!(
        body["oneOf"][1]["items"]["$ref"],
        "#/components/schemas/Event"
    );
    let schemas = &doc["components"]["schemas"];
    let one_of = schemas["Event"]["oneOf"].as_array().unwrap();
    assert_eq!(one_of.len(), gpu_ledger_domain::EventType::ALL.len());
    // Each example body has only properties its type's schema lists, and every required one.
    let mut seen = std::collections::BTreeSet::new();
    for line in example_lines() {
        let event: Value = serde_json::from_str(&line).unwrap();
        let t = event["type"].as_str().unwrap().to_string();
        if !seen.insert(t.clone()) {
            continue;
        }
        let schema = &schemas[&t];
        assert_eq!(schema["properties"]["type"]["const"], t.as_str());
        assert_eq!(schema["additionalProperties"], false);
        for key in event.as_object().unwrap().keys() {
            assert!(
                schema["properties"].get(key).is_some(),
                "{t}: {key} undocumented"
            );
        }
        for required in schema["required"].as_array().unwrap() {
            assert!(
                event.get(required.as_str().unwrap()).is_some(),
                "{t}: {required} missing"
            );
        }
    }
    assert!(seen.len() >= 13, "the example history shows most types");
}

#[tokio::test]
async fn the_openapi_document_matches_the_routes() {
    let s = spawn(&synthetic_history(1), Access::Local, Limits::default()).await;
    let (status, doc) = s.get(None, "/v1/openapi.json").await;
    assert_eq!(status, 200);
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let codes: Vec<&String> = op["responses"].as_object().unwrap().keys().collect();
            operations.push(format!(
                "{} {path} -> {}",
                method.to_uppercase(),
                codes
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            ));
        }
    }
    operations.sort();
    insta::assert_snapshot!(operations.join("\n"));
    // Every documented operation is served (not 404/405).
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = path.replace("{name}", "pools").replace("{size}", "1");
        for method in item.as_object().unwrap().keys() {
            let req = match method.as_str() {
                "get" if concrete.ends_with("/live") => continue,
                "get" => s.client.get(s.url(&concrete)),
                "post" => s
                    .client
                    .post(s.url(&concrete))
                    .header("content-type", "application/json")
                    .body(org("ORG-DOC")),
                other => panic!("undocumented method {other}"),
            };
            // The router's own 404/405 carry no problem body; a handler's 404 does.
            let resp = req.send().await.unwrap();
            let code = resp.status().as_u16();
            let body: Value = resp.json().await.unwrap_or(Value::Null);
            let handled = !matches!(code, 404 | 405) || body["error"].is_string();
            assert!(
                handled,
                "{method} {path} answered {code} without reaching a handler"
            );
        }
    }
    // And an undocumented route is not served.
    assert_eq!(
        s.client
            .get(s.url("/v1/secret"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        404
    );
}

/// A query string that does not parse gets the JSON problem body every
/// other 400 has, naming the parameter; `limit=0` is refused.
#[tokio::test]
async fn a_query_string_that_does_not_parse_is_a_json_problem_naming_the_parameter() {
    let s = spawn(&synthetic_history(1), Access::Local, Limits::default()).await;
    for (path, parameter) in [
        ("/v1/views/pools?until_seq=abc", "until_seq"),
        ("/v1/events?after=-1", "after"),
        ("/v1/proofs/inclusion?seq=x", "seq"),
        ("/v1/events?limit=0", "limit"),
    ] {
        let (status, body) = s.get(None, path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["error"], "bad_query", "{path}: {body}");
        let message = body["message"].as_str().unwrap_or_default();
        assert!(message.contains(parameter), "{path}: {body}");
    }
}

/// A batch refused at its second event names it counted from 1, with the
/// 0-based index the body carries.
fn refused_at_the_second_event(problem: &serde_json::Value) {
    assert_eq!(problem["index"], 1);
    let message = problem["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("event 2 of the batch (index 1): "),
        "{problem}"
    );
}

/// The applications of the `ranking` view's first track, as listed.
fn listed(v: &Value) -> Vec<Value> {
    v["tracks"][0]["applications"].as_array().unwrap().clone()
}

#[tokio::test]
async fn the_ranking_pages_through_one_track_with_the_ranks_of_the_whole() {
    let s = spawn(&example_lines(), Access::Local, Limits::default()).await;
    let (status, whole) = s.get(None, "/v1/views/ranking").await;
    assert_eq!(status, 200);
    // The track with the most applications, paged 7 at a time.
    let track = whole["tracks"]
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|t| t["applications"].as_array().unwrap().len())
        .unwrap();
    let (call, id) = (
        track["call_id"].as_str().unwrap(),
        track["track_id"].as_str().unwrap(),
    );
    let all = track["applications"].as_array().unwrap().clone();
    assert!(all.len() > 20, "a track long enough to page");
    let mut paged = Vec::new();
    let mut after = String::new();
    loop {
        let (status, page) = s
            .get(
                None,
                &format!("/v1/views/ranking?call={call}&track={id}&limit=7{after}"),
            )
            .await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["tracks"].as_array().unwrap().len(), 1);
        assert_eq!(page["tracks"][0]["page"]["total"], all.len());
        let got = listed(&page);
        assert!(got.len() <= 7);
        paged.extend(got);
        match page["tracks"][0]["page"]["next_after"].as_str() {
            Some(next) => after = format!("&after={next}"),
            None => break,
        }
    }
    assert_eq!(paged, all, "the pages, in turn, are the whole track");
    // A track id alone selects that track in every call.
    let (_, by_track) = s.get(None, &format!("/v1/views/ranking?track={id}")).await;
    assert!(
        by_track["tracks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["track_id"] == id)
    );
}

#[tokio::test]
async fn a_ranking_page_that_cannot_be_answered_is_refused_naming_why() {
    let s = spawn(&example_lines(), Access::Local, Limits::default()).await;
    let mut messages = Vec::new();
    for query in [
        "/v1/views/ranking?limit=0",
        "/v1/views/ranking?limit=1001",
        "/v1/views/ranking?track=NO-SUCH-TRACK",
        "/v1/views/ranking?after=APP-2025-0001",
        "/v1/views/ranking?call=CALL-2025-01&track=ACADEMIA&after=NO-SUCH-APP",
        "/v1/views/pools?limit=10",
    ] {
        let (status, body) = s.get(None, query).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["error"], "bad_ranking_page", "{query}");
        messages.push(format!("{query}\n  {}", body["message"].as_str().unwrap()));
    }
    insta::assert_snapshot!(messages.join("\n"));
}
