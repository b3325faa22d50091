//! Issue 20, points 2, 7 and 8, through the real server: a web page the
//! local user opens cannot drive a local-mode server (DNS rebinding, a
//! cross-site request, a `no-cors` or form append); the dashboard's login
//! redirects only to its own paths, refuses cross-site sign-ins and sends
//! its browser policy; and in tokens mode an event's `actor` must name the
//! token's principal. Each refusal names what is wrong, and appends nothing.

use gpu_ledger_api::server::{Access, Limits};
use gpu_ledger_testkit::history::synthetic_history;
use gpu_ledger_testkit::server::{TestServer, spawn};
use gpu_ledger_testkit::tokens::every_role;
use reqwest::header::{CONTENT_TYPE, HOST, LOCATION, ORIGIN, SET_COOKIE};
use serde_json::{Value, json};

fn org(id: &str, actor: &str) -> String {
    json!({"type":"OrganizationRegistered","occurred_at":"2026-03-10T09:00:00+09:00","actor":actor,"org_id":id,"name":"n","sector":"academia","size":"public","region":"capital"}).to_string()
}

/// A request's status and JSON body, with the server's port shown as `PORT`
/// so that messages can be kept as snapshots.
async fn answer(s: &TestServer, request: reqwest::RequestBuilder) -> (u16, Value) {
    let resp = request.send().await.expect("the server answers");
    let status = resp.status().as_u16();
    assert_eq!(
        resp.headers()[CONTENT_TYPE],
        "application/json",
        "every refusal is the API's JSON error"
    );
    let text = resp.text().await.unwrap();
    let port = s.server.addr.port().to_string();
    let body = serde_json::from_str(&text.replace(&port, "PORT")).expect("a JSON body");
    (status, body)
}

#[tokio::test]
async fn a_web_page_cannot_drive_a_local_mode_server() {
    let s = spawn(&synthetic_history(1), Access::Local, Limits::default()).await;
    let own = format!("http://{}", s.server.addr);
    let before = s.head();
    let c = &s.client;
    let post = |body: String| c.post(s.url("/v1/events")).body(body);
    let json_post = |body: String| post(body).header(CONTENT_TYPE, "application/json");
    let cases: Vec<(&str, reqwest::RequestBuilder)> = vec![
        // DNS rebinding: the page's own name, resolved to loopback.
        (
            "a rebound name reads the ledger",
            c.get(s.url("/v1/chain/head"))
                .header(HOST, "evil.example:8080"),
        ),
        (
            "a rebound name reads a dashboard page",
            c.get(s.url("/holdings")).header(HOST, "evil.example"),
        ),
        (
            "a rebound name appends",
            json_post(org("ORG-R", "msit")).header(HOST, "rebind.evil.example"),
        ),
        (
            "a name that only starts like localhost",
            c.get(s.url("/v1/views/pools"))
                .header(HOST, "localhost.evil.example"),
        ),
        // A page of another site, as the browser names it.
        (
            "another site's page appends",
            json_post(org("ORG-O", "msit")).header(ORIGIN, "https://evil.example"),
        ),
        (
            "another site's page reads the stream",
            c.get(s.url("/v1/events/live?after=0"))
                .header(ORIGIN, "https://evil.example"),
        ),
        (
            "a sandboxed page (Origin: null) signs a checkpoint",
            c.post(s.url("/v1/checkpoints/latest"))
                .header(ORIGIN, "null"),
        ),
        (
            "another local port's page reads a view",
            c.get(s.url("/v1/views/pools"))
                .header(ORIGIN, "http://127.0.0.1:1"),
        ),
        (
            "a cross-site fetch the browser marks",
            c.get(s.url("/csv/pools"))
                .header("sec-fetch-site", "cross-site")
                .header("sec-fetch-mode", "no-cors"),
        ),
        // What a page can send without asking: no Origin needed to refuse it.
        (
            "a no-cors fetch with a text/plain body",
            post(org("ORG-T", "msit")).header(CONTENT_TYPE, "text/plain;charset=UTF-8"),
        ),
        (
            "a form post",
            post("{\"type\":\"OrganizationRegistered\"}=".into())
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded"),
        ),
        (
            "a multipart form post",
            post(org("ORG-M", "msit")).header(CONTENT_TYPE, "multipart/form-data; boundary=x"),
        ),
        ("a body with no Content-Type", post(org("ORG-N", "msit"))),
    ];
    let mut seen = String::new();
    for (what, request) in cases {
        let (status, body) = answer(&s, request).await;
        assert!(matches!(status, 403 | 415), "{what}: {status} {body}");
        assert_eq!(s.head(), before, "{what}: something was appended");
        seen.push_str(&format!("{what}: {status} {body}\n"));
    }
    insta::assert_snapshot!(seen);

    // The local user's own programs and pages still work.
    for host in [
        None,
        Some("localhost"),
        Some("[::1]:9"),
        Some("dash.localhost"),
    ] {
        let mut r = c.get(s.url("/v1/chain/head"));
        if let Some(h) = host {
            r = r.header(HOST, h);
        }
        assert_eq!(r.send().await.unwrap().status().as_u16(), 200, "{host:?}");
    }
    let (status, body) = answer(
        &s,
        json_post(org("ORG-OWN", "reviewer:r-999")).header(ORIGIN, &own),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let page = c
        .get(s.url("/holdings"))
        .header(ORIGIN, &own)
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    // A link followed from another site opens the page (and can read nothing).
    let page = c
        .get(s.url("/holdings"))
        .header("sec-fetch-site", "cross-site")
        .header("sec-fetch-mode", "navigate")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);

    // Each refusal is counted.
    let metrics = c.get(s.url("/metrics")).send().await.unwrap();
    let metrics = metrics.text().await.unwrap();
    for kind in ["host_not_local", "foreign_origin", "unsupported_media_type"] {
        assert!(
            metrics.contains(&format!("kind=\"{kind}\"")),
            "{kind} in\n{metrics}"
        );
    }
}

#[tokio::test]
async fn the_login_stays_on_this_server_refuses_other_sites_and_sends_its_policy() {
    let s = spawn(&synthetic_history(1), every_role(), Limits::default()).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // The form as a browser opens it: its nonce, in the page and in a cookie.
    let resp = client.get(s.url("/login")).send().await.unwrap();
    let form_cookie = resp.headers()[SET_COOKIE].to_str().unwrap().to_string();
    assert!(
        form_cookie.contains("HttpOnly") && form_cookie.contains("SameSite=Strict"),
        "{form_cookie}"
    );
    let form_cookie = form_cookie.split(';').next().unwrap().to_string();
    let nonce = form_cookie
        .trim_start_matches("gpu_ledger_login=")
        .to_string();
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains(&format!("name=\"form\" value=\"{nonce}\""))
    );
    let login = |next: &str| {
        client
            .post(s.url("/login"))
            .header("cookie", &form_cookie)
            .form(&[("token", "analyst-token"), ("next", next), ("form", &nonce)])
    };
    // `next` leads to a path of this server or to `/`; never off-site, never a 500.
    for next in [
        "/\t/evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "https://evil.example/",
        "/\n/evil.example",
        "/calls\r\nSet-Cookie: planted=1",
        " /calls",
    ] {
        let resp = login(next).send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 303, "{next:?}");
        assert_eq!(resp.headers()[LOCATION], "/", "{next:?}");
        assert_eq!(
            resp.headers().get_all(SET_COOKIE).iter().count(),
            1,
            "{next:?}"
        );
        let form = client
            .get(s.url("/login"))
            .query(&[("next", next)])
            .send()
            .await
            .unwrap();
        assert_eq!(form.status().as_u16(), 200, "{next:?}");
        assert!(
            form.text()
                .await
                .unwrap()
                .contains("name=\"next\" value=\"/\""),
            "{next:?}"
        );
    }
    let resp = login("/calls?until_seq=3").send().await.unwrap();
    assert_eq!(resp.headers()[LOCATION], "/calls?until_seq=3");

    // A sign-in another site's page starts is refused, and sets no cookie.
    let own = format!("http://{}", s.server.addr);
    for (header, value) in [
        ("origin", "https://evil.example"),
        ("origin", "null"),
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
    ] {
        let resp = login("/").header(header, value).send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 403, "{header}: {value}");
        assert!(
            resp.headers().get(SET_COOKIE).is_none(),
            "{header}: {value}"
        );
        let page = resp.text().await.unwrap();
        assert!(page.contains("Sign-in refused"), "{page}");
    }
    // A cross-site post carries no SameSite=Strict cookie, and another site
    // cannot read the form's nonce: either missing, or another, is refused.
    for (cookie, form) in [
        (None, Some(nonce.as_str())),
        (Some(form_cookie.as_str()), None),
        (Some(form_cookie.as_str()), Some("guessed")),
        (Some("gpu_ledger_login="), Some("")),
    ] {
        let mut r = client.post(s.url("/login"));
        if let Some(c) = cookie {
            r = r.header("cookie", c);
        }
        let mut fields = vec![("token", "analyst-token"), ("next", "/")];
        if let Some(f) = form {
            fields.push(("form", f));
        }
        let resp = r.form(&fields).send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 403, "{cookie:?} {form:?}");
        assert!(resp.headers().get(SET_COOKIE).is_none());
    }
    let resp = login("/")
        .header("origin", &own)
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status().as_u16(),
        303,
        "this server's own form signs in"
    );

    // Every answer of the dashboard carries its browser policy.
    for (path, token) in [
        ("/login", None),
        ("/holdings", Some("analyst-token")),
        ("/csv/pools", Some("analyst-token")),
        ("/holdings", None),
    ] {
        let mut r = client.get(s.url(path));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        let resp = r.send().await.unwrap();
        let h = resp.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'none'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("script-src 'unsafe-inline'"), "{path}: {csp}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
    }
}

#[tokio::test]
async fn a_token_appends_only_as_its_own_principal() {
    let s = spawn(&synthetic_history(1), every_role(), Limits::default()).await;
    let at = "2026-03-10T09:00:00+09:00";
    let submit = |actor: &str| {
        json!({"type":"ApplicationSubmitted","occurred_at":at,"actor":actor,"application_id":"APP-X","call_id":"CALL-1","track_id":"T1","org_id":"ORG-1","title":"t","purpose":"research","requested_gpus":8}).to_string()
    };
    let score = |actor: &str| {
        json!({"type":"ScoreRecorded","occurred_at":at,"actor":actor,"application_id":"APP-X","reviewer_id":"r-001","score":50}).to_string()
    };
    let report = |actor: &str| {
        json!({"type":"UtilizationReported","occurred_at":at,"actor":actor,"award_id":"AW-X","period_start":"2026-03-01T00:00:00Z","period_end":"2026-03-08T00:00:00Z","utilization_bp":100,"off_purpose_use":false}).to_string()
    };
    let before = s.head();
    let cases = [
        ("applicant-token", submit("msit")),
        ("applicant-token", submit("org:ORG-2")),
        ("applicant-token", submit("org:ORG-1x")),
        ("reviewer-token", score("reviewer:r-999")),
        ("reviewer-token", score("msit")),
        ("monitor-token", report("msit")),
        ("office-token", org("ORG-9", "reviewer:r-001")),
        ("office-token", org("ORG-9", "msit-but-not")),
        (
            "office-token",
            json!([
                serde_json::from_str::<Value>(&org("ORG-8", "msit")).unwrap(),
                serde_json::from_str::<Value>(&org("ORG-9", "org:ORG-1")).unwrap()
            ])
            .to_string(),
        ),
    ];
    let mut seen = String::new();
    for (token, body) in cases {
        let (status, a) = s.post(Some(token), body).await;
        assert_eq!(
            (status, a["error"].as_str()),
            (403, Some("actor_not_principal")),
            "{token}: {a}"
        );
        assert_eq!(s.head(), before, "{token}: something was appended");
        seen.push_str(&format!("{token}: {}\n", a["message"].as_str().unwrap()));
    }
    insta::assert_snapshot!(seen);

    // Each role's own forms are accepted.
    for (token, body) in [
        ("applicant-token", submit("org:ORG-1:kim")),
        ("reviewer-token", score("reviewer:r-001")),
        ("office-token", org("ORG-9", "msit:lee")),
    ] {
        let (status, a) = s.post(Some(token), body).await;
        assert_eq!(status, 201, "{token}: {a}");
    }
    // The monitor's own form passes the actor check; the rules then judge it.
    let (status, a) = s.post(Some("monitor-token"), report("monitor")).await;
    assert_eq!(
        (status, a["error"].as_str()),
        (422, Some("unknown_award")),
        "{a}"
    );
}
