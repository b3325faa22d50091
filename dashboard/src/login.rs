//! Signing a browser in: a form that takes a token (made by `gpu-ledger
//! token`) and keeps it in an HttpOnly, SameSite=Strict cookie, so that
//! pages can be navigated. The token is checked as the API checks it; it is
//! never shown back, put in a URL, or logged (the request log has no
//! headers and no bodies). Only the dashboard's pages read the cookie, never
//! the API, so a page cannot be made to write.

use super::language::{Language, Reading};
use super::layout::message_page;
use super::{Dashboard, html};
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
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

/// Where to go after signing in: a path on this server only.
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n,
        _ => "/",
    }
}

/// Percent-encodes a query component (as a form does).
pub fn encode_component(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn form_page(next: &str, refused: bool, r: &Reading) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(r.language().code()) {
            head {
                meta charset="utf-8";
                title { (r.t("login-title")) " · gpu-ledger" }
                style { "body{font:15px system-ui,sans-serif;margin:3rem auto;max-width:32rem;color:#1d2430}input{width:100%;padding:.4rem;margin:.4rem 0}" }
            }
            body {
                p { (r.switch()) }
                h1 { (r.t("login-heading")) }
                p { (r.t("login-needs-token")) }
                @if refused { p id="refused" style="color:#8a3b00" { (r.t("login-refused")) } }
                form method="post" action=(login_action(r)) {
                    label for="token" { (r.t("login-token")) }
                    input type="password" id="token" name="token" autocomplete="current-password" required;
                    input type="hidden" name="next" value=(next);
                    button type="submit" { (r.t("login-title")) }
                }
                p { small { (r.t("login-cookie")) } }
            }
        }
    }
}

/// Where the form posts: a refusal is shown in the form's language.
fn login_action(r: &Reading) -> String {
    match r.language() {
        Language::En => "/login".to_string(),
        other => format!("/login?lang={}", other.code()),
    }
}

/// `GET /login`: the form (or, in local mode, a word that none is needed).
pub async fn form(State(dash): State<Dashboard>, r: Reading, Query(q): Query<Next>) -> Response {
    let next = safe_next(q.next.as_deref());
    if dash.ledger.needs_token() {
        html(StatusCode::OK, form_page(next, false, &r))
    } else {
        html(
            StatusCode::OK,
            message_page(&r.t("login-not-needed"), &r.t("login-local-mode"), &r),
        )
    }
}

/// `POST /login`: checks the token and keeps it in the cookie.
pub async fn submit(
    State(dash): State<Dashboard>,
    r: Reading,
    Form(login): Form<Login>,
) -> Response {
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
        return html(StatusCode::UNAUTHORIZED, form_page(&next, true, &r));
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
