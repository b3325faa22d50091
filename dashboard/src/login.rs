//! Signing a browser in: a form that takes a token (made by `gpu-ledger
//! token`) and keeps it in an HttpOnly, SameSite=Strict cookie, so that
//! pages can be navigated. The token is checked as the API checks it; it is
//! never shown back, put in a URL, or logged (the request log has no
//! headers and no bodies). Only the dashboard's pages read the cookie, never
//! the API, so a page cannot be made to write.
//!
//! A sign-in another site's page starts is refused ([`foreign_origin`]):
//! otherwise a page could sign the browser in with the attacker's token
//! (login CSRF) and show the attacker's choice of data as the user's. After
//! signing in, the browser goes back to `next`, a path on this server only
//! ([`safe_next`]).

use super::layout::message_page;
use super::{Dashboard, html};
use axum::Form;
use axum::extract::{Query, State};
use super::origin::foreign_origin;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{DOCTYPE, Markup, html};
use serde::Deserialize;

/// Forgets the token cookie.
pub const CLEAR_COOKIE: &str = "gpu_ledger_token=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct Login {
    token: String,
    next: Option<String>,
}

/// Where to go after signing in: a path on this server only, else `/`.
/// A path is `/` then visible ASCII (what a percent-encoded URL is): no
/// second `/` or `\` at its start (a browser reads `//host` and `/\host` as
/// another host), no backslash anywhere, and no space, tab, CR or LF (a
/// browser drops tabs and newlines from a URL, so `/\t/host` is `//host`;
/// CR and LF cannot be in a header at all).
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n)
            if n.starts_with('/')
                && !matches!(n.as_bytes().get(1), Some(b'/' | b'\\'))
                && n.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') =>
        {
            n
        }
        _ => "/",
    }
}

/// Percent-encodes a query component (as a form does).
pub fn encode_component(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn form_page(next: &str, refused: bool) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { "Sign in · gpu-ledger" }
                style { "body{font:15px system-ui,sans-serif;margin:3rem auto;max-width:32rem;color:#1d2430}input{width:100%;padding:.4rem;margin:.4rem 0}" }
            }
            body {
                h1 { "gpu-ledger dashboard" }
                p { "This server needs a token. Any role may read the dashboard; no page changes the ledger." }
                @if refused { p id="refused" style="color:#8a3b00" { "That token is not valid for this server." } }
                form method="post" action="/login" {
                    label for="token" { "Token" }
                    input type="password" id="token" name="token" autocomplete="current-password" required;
                    input type="hidden" name="next" value=(next);
                    button type="submit" { "Sign in" }
                }
                p { small { "The token is kept in a cookie of this browser only until it is closed or you sign out." } }
            }
        }
    }
}

/// `GET /login`: the form (or, in local mode, a word that none is needed).
pub async fn form(State(dash): State<Dashboard>, Query(q): Query<Next>) -> Response {
    let next = safe_next(q.next.as_deref());
    if dash.ledger.needs_token() {
        html(StatusCode::OK, form_page(next, false))
    } else {
        html(
            StatusCode::OK,
            message_page(
                "No sign-in needed",
                "This server runs in local mode: every page is open without a token.",
            ),
        )
    }
}

/// `POST /login`: checks the token and keeps it in the cookie.
pub async fn submit(
    State(dash): State<Dashboard>,
    headers: HeaderMap,
    Form(login): Form<Login>,
) -> Response {
    if let Some(why) = foreign_origin(&axum::http::Method::POST, &headers) {
        return html(
            StatusCode::FORBIDDEN,
            message_page(
                "Sign-in refused",
                &format!("{why}: sign in from this server's own form at /login."),
            ),
        );
    }
    let next = safe_next(login.next.as_deref()).to_string();
    if !dash.ledger.needs_token() {
        return Redirect::to(&next).into_response();
    }
    let token = login.token.trim();
    // Only tokens that a cookie can carry as they are (those `gpu-ledger
    // token` makes always can).
    let cookie_safe = !token.is_empty()
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.~".contains(&b));
    if !cookie_safe || !dash.ledger.token_is_valid(token) {
        return html(StatusCode::UNAUTHORIZED, form_page(&next, true));
    }
    let cookie = format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Strict",
        super::TOKEN_COOKIE
    );
    let mut response = Redirect::to(&next).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

/// `POST /logout`: forgets the cookie.
pub async fn logout() -> Response {
    let mut response = Redirect::to("/login").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, HeaderValue::from_static(CLEAR_COOKIE));
    response
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_is_a_path_on_this_server_or_the_programme_page() {
        for ok in ["/", "/calls?until_seq=10", "/trace/org/ORG-1", "/a%2F%2Fb"] {
            assert_eq!(safe_next(Some(ok)), ok);
        }
        for off in [
            "//evil.example/",
            "/\\evil.example/",
            "/\t/evil.example/",
            "/\n/evil.example/",
            "/calls\r\nSet-Cookie: x=1",
            "/a\\b",
            "https://evil.example/",
            "evil.example",
            "/ space",
            "/서울",
            "",
        ] {
            assert_eq!(safe_next(Some(off)), "/", "{off:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
