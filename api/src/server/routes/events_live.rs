//! `GET /v1/events/live`: every new record as a server-sent event, in order.
//! A client that reconnects with `Last-Event-ID` (the last seq it saw)
//! resumes right after it, missing nothing.

use crate::server::AppState;
use crate::server::problem::{Problem, ProblemDoc};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::{Stream, StreamExt};
use prometheus_client::metrics::gauge::Gauge;
use serde::Deserialize;
use std::convert::Infallible;
use std::time::Duration;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
pub struct LiveQuery {
    /// Start after this seq (default: the head, i.e. only new records).
    /// The `Last-Event-ID` header, when present, wins.
    after: Option<u64>,
}

/// Counts a subscriber for as long as its stream lives.
struct Subscribed(Gauge);

impl Drop for Subscribed {
    fn drop(&mut self) {
        self.0.dec();
    }
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
        (status = 401, description = "No or unknown token", body = ProblemDoc),
    )
)]
pub async fn events_live(
    State(app): State<AppState>,
    Query(q): Query<LiveQuery>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, Problem> {
    app.principal(&headers)?;
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
    let after = match resume.or(q.after) {
        Some(a) => a,
        None => {
            app.live
                .store()
                .head()
                .await
                .map_err(|e| Problem::store(&e))?
                .seq
        }
    };
    let gauge = app.live.metrics.live_subscribers.clone();
    gauge.inc();
    let guard = Subscribed(gauge);
    let stream = app.live.store().follow(after).map(move |r| {
        let _alive = &guard;
        Ok(match r {
            Ok(record) => Event::default()
                .id(record.seq.to_string())
                .event("record")
                .data(record.to_json().to_string()),
            Err(e) => Event::default().event("error").data(e.to_string()),
        })
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
