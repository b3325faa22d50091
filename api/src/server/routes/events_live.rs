//! `GET /v1/events/live` (and the dashboard's `/events/live`): every new
//! record as a server-sent event, in order. A client that reconnects with
//! `Last-Event-ID` (the last seq it saw) resumes right after it, missing
//! nothing.
//!
//! Both paths are this one implementation; they differ only in how the
//! reader is authenticated (the dashboard's path also takes the browser's
//! token cookie, since an `EventSource` cannot send a header). Each
//! principal holds at most [`Limits::subscriptions`](crate::server::Limits)
//! streams at once; one more is a `429`.

use crate::server::AppState;
use crate::server::auth::Principal;
use crate::server::problem::{Problem, ProblemDoc};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use prometheus_client::metrics::gauge::Gauge;
use serde::Deserialize;
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
pub struct LiveQuery {
    /// Start after this seq (default: the head, i.e. only new records).
    /// The `Last-Event-ID` header, when present, wins.
    after: Option<u64>,
}

/// Follow new records as server-sent events (`id` = seq, `event: record`, `data` = the record).
#[utoipa::path(
    get,
    path = "/v1/events/live",
    tag = "events",
    params(LiveQuery, ("Last-Event-ID" = Option<u64>, Header, description = "Resume after this seq")),
    responses(
        (status = 200, description = "A text/event-stream of records", content_type = "text/event-stream", body = String),
        (status = 400, description = "Last-Event-ID is not a seq", body = ProblemDoc),
        (status = 429, description = "This principal already holds its most live streams", body = ProblemDoc),
    )
)]
pub async fn events_live(
    State(app): State<AppState>,
    reader: Principal,
    Query(q): Query<LiveQuery>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    live_records(&app, &reader, q.after, &headers).await
}

/// The stream of records after `Last-Event-ID` (or `after`, or the head)
/// for `reader`.
pub async fn live_records(
    app: &AppState,
    reader: &Principal,
    after: Option<u64>,
    headers: &HeaderMap,
) -> Result<Response, Problem> {
    let resume = match headers.get("last-event-id") {
        None => None,
        Some(v) => Some(
            v.to_str()
                .ok()
                .and_then(|s| s.trim().parse::<u64>().ok())
                .ok_or_else(|| {
                    Problem::bad_request(
                        "bad_last_event_id",
                        "Last-Event-ID must be the seq of the last record received",
                    )
                })?,
        ),
    };
    let held = app
        .subscriptions
        .hold(reader.key(), app.limits.subscriptions)
        .ok_or_else(|| {
            Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_subscriptions",
                format!(
                    "this principal already holds {} live streams, the most it may; close one first",
                    app.limits.subscriptions
                ),
            )
        })?;
    let after = match resume.or(after) {
        Some(a) => a,
        None => app.head().await?.seq,
    };
    let counted = Counted::new(app.live.metrics.live_subscribers.clone());
    let stream = app.live.subscribe(after).map(move |r| {
        let _alive = (&held, &counted);
        Ok::<_, Infallible>(match r {
            Ok(record) => Event::default()
                .id(record.seq.to_string())
                .event("record")
                .data(record.json_string()),
            Err(e) => Event::default().event("error").data(e.to_string()),
        })
    });
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response())
}

/// Counts a subscriber in `/metrics` for as long as its stream lives.
struct Counted(Gauge);

impl Counted {
    fn new(gauge: Gauge) -> Self {
        gauge.inc();
        Self(gauge)
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// Live streams held, per principal.
#[derive(Clone, Default)]
pub struct Subscriptions {
    held: Arc<Mutex<HashMap<String, usize>>>,
}

/// One live stream of a principal, released when dropped.
pub struct Held {
    subscriptions: Subscriptions,
    principal: String,
}

impl Subscriptions {
    /// Takes one of `principal`'s `most` streams, if it has one left.
    pub fn hold(&self, principal: String, most: usize) -> Option<Held> {
        let mut held = self.held.lock().expect("subscriptions lock");
        let n = held.entry(principal.clone()).or_default();
        if *n >= most {
            return None;
        }
        *n += 1;
        Some(Held {
            subscriptions: self.clone(),
            principal,
        })
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut held = self.subscriptions.held.lock().expect("subscriptions lock");
        if let Some(n) = held.get_mut(&self.principal) {
            *n -= 1;
            if *n == 0 {
                held.remove(&self.principal);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_principal_holds_at_most_its_limit_and_gets_them_back() {
        let s = Subscriptions::default();
        let a = s.hold("a".into(), 2).unwrap();
        let _b = s.hold("a".into(), 2).unwrap();
        assert!(s.hold("a".into(), 2).is_none());
        assert!(
            s.hold("other".into(), 2).is_some(),
            "limits are per principal"
        );
        drop(a);
        assert!(s.hold("a".into(), 2).is_some());
    }
}
