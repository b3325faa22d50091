//! `POST /v1/events` (append) and `GET /v1/events` (read, paged).

use super::{HeadDoc, RecordMetaDoc};
use crate::server::AppState;
use crate::server::auth::{Principal, Reader, Role};
use crate::server::idempotency::{Claim, Ticket, kept_for_retries};
use crate::server::live::AppendError;
use crate::server::problem::{Problem, ProblemDoc};
use crate::server::query::Query;
use crate::server::rights::{actor_names, may_append};
use crate::server::store_keys::{self, store_key};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures::StreamExt;
use gpu_ledger_domain::{Event, decode_event};
use gpu_ledger_ledger::{AppendKey, EventStore, Kept, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::time::Instant;
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
pub struct AppendQuery {
    /// Append only if the ledger's head is at this seq (optimistic concurrency);
    /// same as the `If-Match: N` header.
    expected_seq: Option<u64>,
}

/// What an accepted append answers.
#[derive(Serialize, ToSchema)]
pub struct AppendAnswer {
    /// The new records, in order.
    records: Vec<RecordMetaDoc>,
}

/// Append one event, or an array of events atomically.
///
/// Every event is checked against the programme's rules and the state so far
/// (including earlier events of the same array). The answer comes only once
/// the records are durable. Nothing is appended on any error.
#[utoipa::path(
    post,
    path = "/v1/events",
    tag = "events",
    params(
        AppendQuery,
        ("If-Match" = Option<u64>, Header, description = "The head seq this append expects (same as expected_seq)"),
        ("Idempotency-Key" = Option<String>, Header, description = "A retry with the same key and body gets the first answer and appends nothing"),
    ),
    request_body(content = serde_json::Value, description = "One event body (events.md), or an array of them", content_type = "application/json"),
    responses(
        (status = 201, description = "Appended and durable", body = AppendAnswer),
        (status = 400, description = "Malformed JSON, an unknown type or field, a missing field, null; a query value or header that does not parse", body = ProblemDoc),
        (status = 403, description = "The token's role may not append this event (`forbidden`), or its `actor` names someone else (`actor_not_principal`); in local mode, a request from a foreign `Host` or `Origin`", body = ProblemDoc),
        (status = 409, description = "The head is not at the expected seq; the answer holds the current head", body = ProblemDoc),
        (status = 413, description = "The body or the batch is over its limit", body = ProblemDoc),
        (status = 415, description = "In local mode, a body not sent as `Content-Type: application/json`", body = ProblemDoc),
        (status = 422, description = "An event breaks a rule or a value rule, or the Idempotency-Key was used with another body", body = ProblemDoc),
        (status = 503, description = "The store could not make the append durable", body = ProblemDoc),
    )
)]
pub async fn post_events(
    State(app): State<AppState>,
    principal: Result<Principal, Problem>,
    query: Result<Query<AppendQuery>, Problem>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let started = Instant::now();
    // The token first: a request without one learns nothing of its query
    // or body, and gets the 401.
    let appended = match (principal, query, body) {
        (Err(refused), _, _) => Err(refused),
        (Ok(_), Err(refused), _) => Err(refused),
        (Ok(_), Ok(_), Err(rejection)) => return rejection.into_response(),
        (Ok(principal), Ok(Query(q)), Ok(body)) => append(&app, principal, q, &headers, body).await,
    };
    let response = match appended {
        Ok(r) => r,
        Err(p) => {
            app.live.metrics.refused(&p.kind());
            p.into_response()
        }
    };
    if response.status() == StatusCode::CREATED {
        app.live.metrics.append_requests.inc();
        app.live
            .metrics
            .append_latency
            .observe(started.elapsed().as_secs_f64());
    }
    response
}

async fn append(
    app: &AppState,
    principal: Principal,
    q: AppendQuery,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    if let Principal::Token {
        role: role @ (Role::Auditor | Role::Analyst),
        ..
    } = &principal
    {
        return Err(Problem::forbidden(format!("the {role} role is read only")));
    }
    let expected = expected_seq(&q, headers)?;
    let key = match headers.get("idempotency-key") {
        None => None,
        Some(v) => Some(
            v.to_str()
                .ok()
                .filter(|k| !k.is_empty() && k.len() <= 255)
                .ok_or_else(|| {
                    Problem::bad_request(
                        "bad_idempotency_key",
                        "Idempotency-Key must be 1 to 255 visible ASCII characters",
                    )
                })?
                .to_string(),
        ),
    };
    let events = parse_events(&body, app.limits.batch_events)?;
    let mut fingerprint = body.to_vec();
    fingerprint.extend_from_slice(format!("\n{expected:?}").as_bytes());
    let store = app.live.store().clone();
    let kept_key = store_key(
        store.as_ref(),
        &principal.key(),
        key.as_deref(),
        &fingerprint,
    );
    let ticket = match &key {
        None => None,
        Some(k) => {
            match app
                .idempotency
                .claim(&principal.key(), k, &fingerprint)
                .await
            {
                Claim::First(t) => Some(t),
                Claim::Replay(saved) => {
                    let status = StatusCode::from_u16(saved.status).unwrap_or(StatusCode::OK);
                    return Ok((
                        status,
                        [
                            (header::CONTENT_TYPE, "application/json"),
                            (
                                header::HeaderName::from_static("idempotent-replayed"),
                                "true",
                            ),
                        ],
                        saved.body,
                    )
                        .into_response());
                }
                Claim::Reused => {
                    return Err(Problem::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "idempotency_key_reused",
                        format!("Idempotency-Key {k:?} was already used with another request body"),
                    ));
                }
            }
        }
    };
    // A first try that reached another server on the same store.
    if let Some(k) = &kept_key
        && let Some(keys) = store.kept_keys()
        && let Some(kept) = keys
            .kept(&k.scope, &k.key)
            .await
            .map_err(|e| Problem::store(&e))?
    {
        let (status, bytes) = kept_answer(&kept, k)?;
        if let Some(t) = ticket {
            Ticket::finish(t, status.as_u16(), bytes.clone());
        }
        return Ok(replayed(status, bytes));
    }
    // The append runs to the end even if the client goes away, so that its
    // answer is kept for a retry.
    let live = app.live.clone();
    let task = tokio::spawn(async move {
        let outcome = live
            .append_keyed(&events, expected, kept_key.as_ref(), |e, programme| {
                may_append(&principal, e, programme).map_err(AppendError::Forbidden)?;
                actor_names(&principal, e.actor.as_str()).map_err(AppendError::Actor)
            })
            .await;
        let (status, bytes, replay) = match outcome {
            Ok(metas) => (
                StatusCode::CREATED,
                to_bytes(&json!({"records": metas})),
                false,
            ),
            Err(AppendError::Store(StoreError::KeyUsed(kept))) => {
                let k = kept_key.as_ref().expect("a key was kept");
                match kept_answer(&kept, k) {
                    Ok((status, bytes)) => (status, bytes, true),
                    Err(p) => (p.status, to_bytes(&p.body), false),
                }
            }
            Err(refused) => {
                let p = Problem::from(refused);
                match &kept_key {
                    Some(k) if kept_for_retries(p.status.as_u16()) => {
                        refusal_of(store.as_ref(), k, p).await
                    }
                    _ => (p.status, to_bytes(&p.body), false),
                }
            }
        };
        if let Some(t) = ticket {
            Ticket::finish(t, status.as_u16(), bytes.clone());
        }
        (status, bytes, replay)
    });
    let (status, bytes, replay) = task.await.map_err(|e| {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("the append task failed: {e}"),
        )
    })?;
    if replay {
        return Ok(replayed(status, bytes));
    }
    if status != StatusCode::CREATED {
        let body = serde_json::from_slice(&bytes).unwrap_or_default();
        return Err(Problem { status, body });
    }
    Ok((status, [(header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

fn to_bytes(body: &serde_json::Value) -> Bytes {
    Bytes::from(serde_json::to_vec(body).expect("answers serialise"))
}

/// A first answer given again.
fn replayed(status: StatusCode, bytes: Bytes) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (
                header::HeaderName::from_static("idempotent-replayed"),
                "true",
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The answer the store kept for `key`, or the refusal of a reused key.
fn kept_answer(kept: &Kept, key: &AppendKey) -> Result<(StatusCode, Bytes), Problem> {
    let (status, bytes) = store_keys::answer(kept, key).map_err(|m| {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            m,
        )
    })?;
    Ok((
        StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
        bytes,
    ))
}

/// A keyed refusal: the first try's answer if one landed meanwhile on
/// another server, else this refusal, kept for retries.
async fn refusal_of(
    store: &dyn EventStore,
    key: &AppendKey,
    p: Problem,
) -> (StatusCode, Bytes, bool) {
    let bytes = to_bytes(&p.body);
    let Some(keys) = store.kept_keys() else {
        return (p.status, bytes, false);
    };
    if let Ok(Some(kept)) = keys.kept(&key.scope, &key.key).await {
        return match kept_answer(&kept, key) {
            Ok((status, bytes)) => (status, bytes, true),
            Err(p) => (p.status, to_bytes(&p.body), false),
        };
    }
    if let Err(e) = keys.keep_refusal(key, p.status.as_u16(), &bytes).await {
        tracing::warn!(error = %e, "could not keep a refusal's idempotency key");
    }
    (p.status, bytes, false)
}

/// `?expected_seq=N` or `If-Match: N` (quoted or not); both must agree.
fn expected_seq(q: &AppendQuery, headers: &HeaderMap) -> Result<Option<u64>, Problem> {
    let from_header = match headers.get(header::IF_MATCH) {
        None => None,
        Some(v) => {
            let text = v.to_str().unwrap_or("").trim().trim_matches('"');
            Some(text.parse::<u64>().map_err(|_| {
                Problem::bad_request("bad_if_match", format!("If-Match must be the expected head seq, e.g. `If-Match: 42` (found {text:?})"))
            })?)
        }
    };
    match (q.expected_seq, from_header) {
        (Some(a), Some(b)) if a != b => Err(Problem::bad_request(
            "bad_if_match",
            format!("expected_seq={a} and If-Match: {b} disagree"),
        )),
        (a, b) => Ok(a.or(b)),
    }
}

/// One event object, or an array of them.
fn parse_events(body: &[u8], max: usize) -> Result<Vec<Event>, Problem> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    match first {
        Some(b'{') => Ok(vec![
            decode_event(body).map_err(|e| Problem::event(&e, None))?,
        ]),
        Some(b'[') => {
            let items: Vec<&serde_json::value::RawValue> =
                serde_json::from_slice(body).map_err(|e| {
                    Problem::malformed(format!("the body is not a JSON array of events: {e}"))
                })?;
            if items.is_empty() {
                return Err(Problem::malformed(
                    "the array is empty: send at least one event",
                ));
            }
            if items.len() > max {
                return Err(Problem::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "batch_too_large",
                    format!(
                        "the batch has {} events, over the limit of {max}",
                        items.len()
                    ),
                ));
            }
            items
                .iter()
                .enumerate()
                .map(|(i, raw)| {
                    decode_event(raw.get().as_bytes()).map_err(|e| Problem::event(&e, Some(i)))
                })
                .collect()
        }
        _ => Err(Problem::malformed(
            "the body must be a JSON event object or an array of them",
        )),
    }
}

#[derive(Deserialize, IntoParams)]
pub struct PageQuery {
    /// Records with a seq above this (default 0: from the start).
    after: Option<u64>,
    /// At most this many records: 1 to the server's page limit (`serve --max-page`, default 10000; default 100; more is cut to the limit, 0 is refused).
    limit: Option<usize>,
}

/// A page of records.
#[derive(Serialize, ToSchema)]
pub struct Page {
    /// Records with their event bodies, in seq order.
    records: Vec<serde_json::Value>,
    /// Pass as `after` for the next page.
    next_after: u64,
    head: HeadDoc,
}

/// Read records in seq order, a page at a time.
#[utoipa::path(
    get,
    path = "/v1/events",
    tag = "events",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of records", body = Page),
        (status = 400, description = "A query parameter that does not parse, limit 0, or an after no seq can follow", body = ProblemDoc),
        (status = 503, description = "The store could not be read", body = ProblemDoc),
    )
)]
pub async fn get_events(
    Reader(app): Reader,
    Query(q): Query<PageQuery>,
) -> Result<Response, Problem> {
    let after = q.after.unwrap_or(0);
    let Some(first) = after.checked_add(1) else {
        return Err(Problem::bad_request(
            "bad_query",
            format!("no record can follow seq {after}: pass the next_after of the last page"),
        ));
    };
    let most = app.limits.page_records;
    let limit = match q.limit.unwrap_or(100) {
        0 => {
            return Err(Problem::bad_request(
                "bad_query",
                format!("limit must be from 1 to {most}"),
            ));
        }
        limit if limit > most => {
            app.live.metrics.limit_hit("page_records");
            most
        }
        limit => limit,
    };
    let head = app.head().await?;
    // Records up to the head read when the request came, so that
    // `next_after` never passes the `head` the page reports.
    let last = head.seq.min(after.saturating_add(limit as u64));
    let mut page = PageWriter {
        store: app.live.store().clone(),
        next: first,
        last,
        records: 0,
        reader_bytes: app.limits.reader_bytes,
        each: 0,
        head: Some(head),
    };
    // The first piece is read before the answer starts, so that a store
    // that cannot be read is a 503, not a cut-off 200.
    let opening = page.piece().await.map_err(|e| Problem::store(&e))?;
    let rest = futures::stream::unfold(page, |mut page| async move {
        page.head.as_ref()?;
        let piece = page.piece().await;
        Some((piece, page))
    });
    let body = futures::stream::once(async move { Ok(opening) }).chain(rest);
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        axum::body::Body::from_stream(body),
    )
        .into_response())
}

/// A page of `GET /v1/events`, written a piece at a time as the client
/// takes it: a client that reads nothing pins about
/// [`Limits::reader_bytes`](crate::server::Limits) of it, not the whole
/// page. A store failure part-way cuts the answer off (its JSON does not
/// end), which a client tells from a whole page.
struct PageWriter {
    store: std::sync::Arc<dyn EventStore>,
    next: u64,
    /// The last seq the page may hold.
    last: u64,
    records: usize,
    reader_bytes: usize,
    /// Bytes of a record so far, on average (0 before the first piece).
    each: usize,
    /// Written at the end; `None` once it is.
    head: Option<gpu_ledger_ledger::Head>,
}

impl PageWriter {
    /// The next piece of the body: records (the opening too, the first
    /// time), then the closing fields once the last is written.
    async fn piece(&mut self) -> Result<Bytes, StoreError> {
        let mut out = Vec::new();
        if self.records == 0 && self.each == 0 {
            out.extend_from_slice(b"{\"records\":[");
        }
        if self.next <= self.last {
            let room = (self.last - self.next + 1).min(1000) as usize;
            let count = match self.each {
                0 => room.min(16),
                each => (self.reader_bytes / each).clamp(1, room),
            };
            let records = self.store.read(self.next, count).await?;
            for r in &records {
                if self.records > 0 {
                    out.push(b',');
                }
                let before = out.len();
                r.write_json(&mut out);
                self.each = (out.len() - before).max(1);
                self.records += 1;
                self.next = r.seq.saturating_add(1);
            }
            if records.is_empty() {
                self.last = self.next.saturating_sub(1);
            }
            if self.each == 0 {
                self.each = 1;
            }
        }
        if self.next > self.last
            && let Some(head) = self.head.take()
        {
            let next_after = self.next - 1;
            out.extend_from_slice(b"],\"next_after\":");
            out.extend_from_slice(next_after.to_string().as_bytes());
            out.extend_from_slice(b",\"head\":");
            serde_json::to_writer(&mut out, &head).expect("a head serialises");
            out.push(b'}');
        }
        Ok(Bytes::from(out))
    }
}
