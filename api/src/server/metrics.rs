//! What `GET /metrics` exposes, in the Prometheus text format: appends,
//! refusals by kind, append latency, the head seq, live subscribers, and
//! what each of the server's limits refused or cut off.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::sync::Arc;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RefusalLabels {
    pub kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LimitLabels {
    /// The limit's name, as its refusal body and docs/reliability.md name it.
    pub limit: String,
}

#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    /// Events made durable.
    pub appended: Counter,
    /// Append requests answered 201.
    pub append_requests: Counter,
    pub refusals: Family<RefusalLabels, Counter>,
    /// Seconds from an append request's arrival to its durable answer.
    pub append_latency: Histogram,
    pub head_seq: Gauge,
    pub live_subscribers: Gauge,
    /// Requests refused, connections closed or answers dropped by a limit.
    pub limited: Family<LimitLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("gpu_ledger");
        let appended = Counter::default();
        let append_requests = Counter::default();
        let refusals = Family::<RefusalLabels, Counter>::default();
        let buckets = [
            0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
        ];
        let append_latency = Histogram::new(buckets);
        let head_seq = Gauge::default();
        let live_subscribers = Gauge::default();
        registry.register("events_appended", "Events made durable", appended.clone());
        registry.register(
            "append_requests",
            "Append requests acknowledged (201)",
            append_requests.clone(),
        );
        registry.register(
            "refusals",
            "Requests refused, by kind of refusal",
            refusals.clone(),
        );
        registry.register(
            "append_latency_seconds",
            "Time to a durable append answer",
            append_latency.clone(),
        );
        registry.register(
            "head_seq",
            "Seq of the last durable record",
            head_seq.clone(),
        );
        registry.register(
            "live_subscribers",
            "Clients following GET /v1/events/live",
            live_subscribers.clone(),
        );
        let limited = Family::<LimitLabels, Counter>::default();
        registry.register(
            "limit_hits",
            "Requests refused, connections closed or idempotency answers dropped, by limit",
            limited.clone(),
        );
        Self {
            registry: Arc::new(registry),
            appended,
            append_requests,
            refusals,
            append_latency,
            head_seq,
            live_subscribers,
            limited,
        }
    }

    pub fn refused(&self, kind: &str) {
        self.refusals
            .get_or_create(&RefusalLabels {
                kind: kind.to_string(),
            })
            .inc();
    }

    /// Counts one hit of the limit `limit`.
    pub fn limit_hit(&self, limit: &str) {
        self.limit_counter(limit).inc();
    }

    /// The counter of `limit`'s hits, for what counts them itself.
    pub fn limit_counter(&self, limit: &str) -> Counter {
        self.limited
            .get_or_create(&LimitLabels {
                limit: limit.to_string(),
            })
            .clone()
    }

    pub fn encode(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String");
        out
    }
}
