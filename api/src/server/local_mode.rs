//! What keeps a server in local mode (no `--tokens`: every right, to
//! whoever reaches it) to the local user. Binding loopback keeps other
//! hosts out, but not the web pages the local user opens, which their
//! browser sends to loopback for them:
//!
//! - **DNS rebinding**: a page of `evil.example` makes its name resolve to
//!   `127.0.0.1` and then reads the ledger as same-origin. Its requests
//!   still say `Host: evil.example`, so a request must name a loopback host
//!   (`localhost`, `*.localhost`, `127.0.0.0/8`, `[::1]`), as it does when
//!   sent to the bound address.
//! - **Cross-site requests**: a page can send a "simple" request anywhere
//!   without asking (a `no-cors` fetch with a `text/plain` body, a form
//!   post). A browser says where a request started (`Origin`,
//!   `Sec-Fetch-Site`): one that another page started is refused
//!   ([`foreign_origin`]); a link followed from another site still opens.
//! - **Appends that need no permission**: `POST /v1/events` must say
//!   `Content-Type: application/json`, which no page can send to another
//!   origin without the browser first asking this server (a preflight it
//!   does not grant); the check holds even for a browser that sent no
//!   `Origin`.
//!
//! Each refusal is the API's JSON error and is counted in `/metrics`; it
//! covers the dashboard's pages too (the same server). Clients that are not
//! browsers (curl, the tests, the bench) send a loopback `Host` and no
//! `Origin`, so they are not affected beyond the `Content-Type`.

use super::AppState;
use super::problem::Problem;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use gpu_ledger_dashboard::origin::foreign_origin;
use std::net::IpAddr;

/// The middleware: refuses what [`check`] refuses, before any handler runs.
pub async fn guard(State(app): State<AppState>, request: Request, next: Next) -> Response {
    match check(request.method(), request.uri(), request.headers()) {
        Ok(()) => next.run(request).await,
        Err(p) => {
            app.live.metrics.refused(&p.kind());
            p.into_response()
        }
    }
}

/// Whether a request may reach a local-mode server; the refusal when not.
pub fn check(method: &Method, uri: &Uri, headers: &HeaderMap) -> Result<(), Problem> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| uri.authority().map(|a| a.as_str()));
    match host {
        Some(h) if is_loopback_host(h) => {}
        other => {
            return Err(Problem::new(
                StatusCode::FORBIDDEN,
                "host_not_local",
                format!(
                    "this server runs in local mode and answers requests for a loopback host only (localhost, 127.0.0.1, [::1]), not {}: a web page may have made its own name point here (DNS rebinding)",
                    other.map_or("a request without a Host".to_string(), |h| format!("{h:?}"))
                ),
            )
            .with("host", other.unwrap_or_default()));
        }
    }
    if let Some(why) = foreign_origin(method, headers) {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            "foreign_origin",
            format!(
                "this server runs in local mode, where only its own pages (and programs that are not browsers) may send it requests: {why}"
            ),
        ));
    }
    if method == Method::POST && uri.path() == "/v1/events" && !is_json(headers) {
        let got = headers
            .get(header::CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!(
                "an append must be sent with `Content-Type: application/json`; {}",
                got.as_deref()
                    .map_or("this one has none".to_string(), |t| format!(
                        "this one says {t:?}"
                    ))
            ),
        )
        .with("content_type", got.unwrap_or_default()));
    }
    Ok(())
}

/// Whether a `Host` value (`name[:port]`) names this machine's loopback.
fn is_loopback_host(host: &str) -> bool {
    let Ok(authority) = host.parse::<axum::http::uri::Authority>() else {
        return false;
    };
    let name = authority.host();
    let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    if name == "localhost" || name.ends_with(".localhost") {
        // RFC 6761: these names are loopback, and browsers resolve them so
        // without asking DNS, so no page can rebind them.
        return true;
    }
    let literal = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(&name);
    literal.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Whether the request's body is declared JSON (`application/json`, with
/// or without parameters).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_pass_and_other_names_do_not() {
        for ok in [
            "127.0.0.1:8080",
            "127.0.0.1",
            "127.1.2.3:1",
            "localhost:8080",
            "LOCALHOST",
            "localhost.:8080",
            "dash.localhost:8080",
            "[::1]:8080",
        ] {
            assert!(is_loopback_host(ok), "{ok}");
        }
        for refused in [
            "evil.example:8080",
            "localhost.evil.example",
            "127.0.0.1.nip.io",
            "10.0.0.1:8080",
            "[::2]:80",
            "0.0.0.0:8080",
            "",
            "localhost:8080/x",
        ] {
            assert!(!is_loopback_host(refused), "{refused}");
        }
    }

    #[test]
    fn only_json_declared_appends_pass() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "127.0.0.1:1".parse().unwrap());
        let post = |h: &HeaderMap| check(&Method::POST, &"/v1/events".parse().unwrap(), h);
        assert_eq!(post(&h).unwrap_err().kind(), "unsupported_media_type");
        for refused in [
            "text/plain;charset=UTF-8",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/jsonx",
        ] {
            h.insert(header::CONTENT_TYPE, refused.parse().unwrap());
            assert_eq!(
                post(&h).unwrap_err().kind(),
                "unsupported_media_type",
                "{refused}"
            );
        }
        for ok in ["application/json", "Application/JSON; charset=utf-8"] {
            h.insert(header::CONTENT_TYPE, ok.parse().unwrap());
            assert!(post(&h).is_ok(), "{ok}");
        }
        h.remove(header::CONTENT_TYPE);
        assert!(check(&Method::GET, &"/v1/events".parse().unwrap(), &h).is_ok());
    }
}
