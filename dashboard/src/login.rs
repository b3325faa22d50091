//! Signing a browser in: a form that takes a token (made by `gpu-ledger
//! token`) and keeps it in an HttpOnly, SameSite=Strict cookie, so that
//! pages can be navigated. The token is checked as the API checks it; it is
//! never shown back, put in a URL, or logged (the request log has no
//! headers and no bodies). Only the dashboard's pages read the cookie, never
//! the API, so a page cannot be made to write.
//!
//! A sign-in another site's page starts is refused: otherwise a page could
//! sign the browser in with the attacker's token (login CSRF) and show the
//! attacker's choice of data as the user's. Twice over: the browser must not
//! say the request came from elsewhere ([`foreign_origin`]), and the form
//! must carry the nonce this server put both in it and in a SameSite=Strict
//! cookie for `/login` when it showed it (a cross-site post carries no such
//! cookie, and another site cannot read the form). After
//! signing in, the browser goes back to `next`, a path on this server only
//! ([`safe_next`]).

use super::language::{Language, Reading};
use super::layout::message_page;
use super::origin::foreign_origin;
use super::query::PageQuery;
use super::{Dashboard, html};
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use maud::{DOCTYPE, Markup, html};
use serde::Deserialize;

/// The cookie that carries the nonce of the sign-in form last shown.
pub const FORM_COOKIE: &str = "gpu_ledger_login";

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
    /// The form's nonce, as [`FORM_COOKIE`] also holds it.
    form: Option<String>,
}

/// A fresh nonce for a sign-in form: 128 random bits.
fn nonce() -> Option<String> {
    use base64::Engine;
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).ok()?;
    Some(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// The form's page, with its nonce set in the cookie too.
fn form_answer(
    status: StatusCode,
    next: &str,
    refused: bool,
    nonce: &str,
    r: &Reading,
) -> Response {
    let mut response = html(status, form_page(next, refused, nonce, r));
    let cookie = format!("{FORM_COOKIE}={nonce}; Path=/login; HttpOnly; SameSite=Strict");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

/// Why is said in English, as every refusal's reason is; what to do, in
/// the page's language.
fn refused_page(why: &str, r: &Reading) -> Response {
    html(
        StatusCode::FORBIDDEN,
        message_page(
            &r.t("login-refused-title"),
            &r.f("login-refused-advice", &[("why", why.into())]),
            r,
        ),
    )
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

fn form_page(next: &str, refused: bool, nonce: &str, r: &Reading) -> Markup {
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
                    input type="hidden" name="form" value=(nonce);
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
pub async fn form(
    State(dash): State<Dashboard>,
    r: Reading,
    PageQuery(q): PageQuery<Next>,
) -> Response {
    let next = safe_next(q.next.as_deref());
    if dash.ledger.needs_token() {
        match nonce() {
            Some(n) => form_answer(StatusCode::OK, next, false, &n, &r),
            None => html(
                StatusCode::SERVICE_UNAVAILABLE,
                message_page(&r.t("login-no-form"), &r.t("login-no-randomness"), &r),
            ),
        }
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
    headers: HeaderMap,
    r: Reading,
    Form(login): Form<Login>,
) -> Response {
    if let Some(why) = foreign_origin(&axum::http::Method::POST, &headers) {
        return refused_page(&why, &r);
    }
    let next = safe_next(login.next.as_deref()).to_string();
    if !dash.ledger.needs_token() {
        return Redirect::to(&next).into_response();
    }
    let jar = CookieJar::from_headers(&headers);
    let nonce = match (jar.get(FORM_COOKIE), login.form.as_deref()) {
        (Some(kept), Some(sent)) if !sent.is_empty() && kept.value() == sent => sent.to_string(),
        _ => {
            return refused_page(
                "this sign-in does not carry the form this server showed this browser (it may come from another site's page)",
                &r,
            );
        }
    };
    let token = login.token.trim();
    // Only tokens that a cookie can carry as they are (those `gpu-ledger
    // token` makes always can).
    let cookie_safe = !token.is_empty()
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.~".contains(&b));
    if !cookie_safe || !dash.ledger.token_is_valid(token) {
        return form_answer(StatusCode::UNAUTHORIZED, &next, true, &nonce, &r);
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
