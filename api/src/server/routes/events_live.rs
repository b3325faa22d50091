//! `GET /v1/events/live` (and the dashboard's `/events/live`): every new
//! record as a server-sent event, in order. A client that reconnects with
//! `Last-Event-ID` (the last seq it saw) resumes right after it, missing
//! nothing.
//!
//! Both paths are this one implementation; they differ only in how the
//! reader is authenticated (the dashboard's path also takes the browser's
//! token cookie, since an `EventSource` cannot send a header), so they
//! share the same limits: each principal holds at most
//! [`Limits::subscriptions`](crate::server::Limits) streams at once (one
//! more is a `429`), and all principals together at most
//! `Limits::subscriptions_total` (one more is a `503`); both bodies name the
//! limit. A stream the server ends, because it is stopping or because its
//! reader takes too little to keep up ([`reader_pace`]), ends with an
//! `event: end` whose data says why and gives the `last_id` sent; the
//! client resumes with `Last-Event-ID` set to it.

use crate::server::auth::Principal;
use crate::server::connections::ConnectionSocket;
use crate::server::problem::{Problem, ProblemDoc};
use crate::server::query::Query;
use crate::server::reader_pace::{self, Pace};
use crate::server::{AppState, Limits};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use futures::stream::BoxStream;
use gpu_ledger_ledger::{Record, StoreError};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use serde::Deserialize;
use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
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
        (status = 200, description = "A text/event-stream of records. A stream the server ends ends with `event: end`, whose data is `{\"reason\", \"message\", \"last_id\"}`: resume with `Last-Event-ID` set to `last_id`. `reason` is `server_stopping`, or `slow_reader` for a reader that took less than `serve --reader-bytes` (32 KiB) in `--stall-timeout` (30 s) of waiting on it; a reader that takes nothing at all has its connection closed after `--stall-timeout` instead", content_type = "text/event-stream", body = String),
        (status = 400, description = "Last-Event-ID or after is not a seq, or is the largest seq (nothing can follow it)", body = ProblemDoc),
        (status = 429, description = "This principal already holds its most live streams (`limit`: `live_per_principal`)", body = ProblemDoc),
        (status = 503, description = "The server already holds its most live streams (`limit`: `live_total`), or the store could not be read to find the head (`store_unavailable`)", body = ProblemDoc),
    )
)]
pub async fn events_live(
    State(app): State<AppState>,
    reader: Principal,
    Query(q): Query<LiveQuery>,
    headers: HeaderMap,
    socket: Option<axum::Extension<ConnectionSocket>>,
) -> Result<Response, Problem> {
    live_records(&app, &reader, q.after, &headers, socket.map(|s| s.0)).await
}

/// The stream of records after `Last-Event-ID` (or `after`, or the head)
/// for `reader`, on `socket` (whose send buffer it bounds).
pub async fn live_records(
    app: &AppState,
    reader: &Principal,
    after: Option<u64>,
    headers: &HeaderMap,
    socket: Option<ConnectionSocket>,
) -> Result<Response, Problem> {
    if let Some(socket) = socket {
        socket.bound_send_buffer(app.limits.reader_bytes);
    }
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
    let after = match resume.or(after) {
        Some(a) => a,
        None => app.head().await?.seq,
    };
    if after == u64::MAX {
        return Err(Problem::bad_request(
            "bad_query",
            format!("no record can follow seq {after}: resume after the last seq received"),
        ));
    }
    let held = app
        .subscriptions
        .hold(
            reader.key(),
            app.limits.subscriptions,
            app.limits.subscriptions_total,
        )
        .map_err(|limit| {
            app.live.metrics.limit_hit(limit.name());
            limit.problem(&app.limits)
        })?;
    let counted = Counted::new(app.live.metrics.live_subscribers.clone());
    let following = Following {
        records: Box::pin(app.live.subscribe(after, app.limits.reader_bytes)),
        stopping: Box::pin(app.closing.clone().cancelled_owned()),
        pace: Pace::new(app.limits.reader_bytes, app.limits.stall_timeout),
        limits: app.limits,
        last_id: after,
        slow_readers: app.live.metrics.limit_counter(reader_pace::LIMIT),
        _alive: (held, counted),
    };
    let events = futures::stream::unfold(Some(following), |following| async move {
        let mut f = following?;
        Some(match f.next_event().await {
            Step::Record(event) => (Ok::<_, Infallible>(event), Some(f)),
            Step::End(event) => (Ok(event), None),
        })
    });
    Ok(Sse::new(events)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response())
}

/// A live stream while it lives: what it holds, and how far its reader got.
struct Following {
    records: BoxStream<'static, Result<Record, StoreError>>,
    stopping: Pin<Box<dyn Future<Output = ()> + Send>>,
    pace: Pace,
    limits: Limits,
    /// The seq of the last record sent, or the one the stream began after:
    /// the `Last-Event-ID` to resume with.
    last_id: u64,
    slow_readers: Counter,
    _alive: (Held, Counted),
}

enum Step {
    Record(Event),
    /// The last event of the stream.
    End(Event),
}

impl Following {
    async fn next_event(&mut self) -> Step {
        if self.pace.asks(Instant::now()) {
            self.slow_readers.inc();
            let message = format!(
                "this reader took less than {} bytes in {} s of waiting on it, too slow to keep up (limit slow_reader, `serve --reader-bytes`, `--stall-timeout`); reconnect with Last-Event-ID: {}",
                self.limits.reader_bytes,
                self.limits.stall_timeout.as_secs_f64(),
                self.last_id,
            );
            return Step::End(end_event(reader_pace::LIMIT, &message, self.last_id));
        }
        let next = tokio::select! {
            biased;
            () = &mut self.stopping => None,
            next = self.records.next() => next,
        };
        match next {
            Some(Ok(record)) => {
                let data = record.json_string();
                self.pace.sent(data.len(), Instant::now());
                self.last_id = record.seq;
                Step::Record(
                    Event::default()
                        .id(record.seq.to_string())
                        .event("record")
                        .data(data),
                )
            }
            Some(Err(e)) => Step::Record(Event::default().event("error").data(e.to_string())),
            None => Step::End(end_event(
                "server_stopping",
                &format!(
                    "the server is stopping; reconnect with Last-Event-ID: {}",
                    self.last_id
                ),
                self.last_id,
            )),
        }
    }
}

/// The last event of a stream the server ends, one shape whatever the
/// reason: why (`reason`), what to do (`message`), and the `Last-Event-ID`
/// to resume with (`last_id`, the last record sent) so that nothing is
/// missed.
fn end_event(reason: &str, message: &str, last_id: u64) -> Event {
    Event::default().event("end").data(
        serde_json::json!({"reason": reason, "message": message, "last_id": last_id}).to_string(),
    )
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

/// Live streams held, per principal and in total.
#[derive(Clone, Default)]
pub struct Subscriptions {
    held: Arc<Mutex<Streams>>,
}

#[derive(Default)]
struct Streams {
    by_principal: HashMap<String, usize>,
    total: usize,
}

/// One live stream of a principal, released when dropped.
pub struct Held {
    subscriptions: Subscriptions,
    principal: String,
}

/// The limit a new stream would break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamLimit {
    PerPrincipal,
    Total,
}

impl StreamLimit {
    /// The name the refusal body, `/metrics` and the docs give it.
    pub fn name(self) -> &'static str {
        match self {
            StreamLimit::PerPrincipal => "live_per_principal",
            StreamLimit::Total => "live_total",
        }
    }

    fn problem(self, limits: &crate::server::Limits) -> Problem {
        let (status, most, message) = match self {
            StreamLimit::PerPrincipal => (
                StatusCode::TOO_MANY_REQUESTS,
                limits.subscriptions,
                format!(
                    "this principal already holds {} live streams, the most it may (limit live_per_principal, `serve --max-streams-per-principal`); close one first",
                    limits.subscriptions
                ),
            ),
            StreamLimit::Total => (
                StatusCode::SERVICE_UNAVAILABLE,
                limits.subscriptions_total,
                format!(
                    "the server already holds {} live streams, the most it may (limit live_total, `serve --max-streams`); try again later",
                    limits.subscriptions_total
                ),
            ),
        };
        Problem::new(status, "too_many_subscriptions", message)
            .with("limit", self.name())
            .with("most", most)
    }
}

impl Subscriptions {
    /// Takes one of `principal`'s `most` streams, if it has one left and
    /// the server has one of its `total` left.
    pub fn hold(&self, principal: String, most: usize, total: usize) -> Result<Held, StreamLimit> {
        let mut held = self.held.lock().expect("subscriptions lock");
        if held.by_principal.get(&principal).copied().unwrap_or(0) >= most {
            return Err(StreamLimit::PerPrincipal);
        }
        if held.total >= total {
            return Err(StreamLimit::Total);
        }
        *held.by_principal.entry(principal.clone()).or_default() += 1;
        held.total += 1;
        Ok(Held {
            subscriptions: self.clone(),
            principal,
        })
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut held = self.subscriptions.held.lock().expect("subscriptions lock");
        held.total -= 1;
        if let Some(n) = held.by_principal.get_mut(&self.principal) {
            *n -= 1;
            if *n == 0 {
                held.by_principal.remove(&self.principal);
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
        let a = s.hold("a".into(), 2, 10).unwrap();
        let _b = s.hold("a".into(), 2, 10).unwrap();
        assert_eq!(
            s.hold("a".into(), 2, 10).err(),
            Some(StreamLimit::PerPrincipal)
        );
        assert!(
            s.hold("other".into(), 2, 10).is_ok(),
            "limits are per principal"
        );
        drop(a);
        assert!(s.hold("a".into(), 2, 10).is_ok());
    }

    #[test]
    fn all_principals_together_hold_at_most_the_total() {
        let s = Subscriptions::default();
        let a = s.hold("a".into(), 5, 2).unwrap();
        let _b = s.hold("b".into(), 5, 2).unwrap();
        assert_eq!(s.hold("c".into(), 5, 2).err(), Some(StreamLimit::Total));
        drop(a);
        assert!(s.hold("c".into(), 5, 2).is_ok());
    }
}
