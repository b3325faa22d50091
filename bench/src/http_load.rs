//! A load generator for a running `gpu-ledger serve`, over loopback.
//!
//! Each simulated client owns one keep-alive HTTP/1.1 connection and sends
//! one request at a time, waiting for the whole answer before the next: the
//! latency it records is what a caller of the API waits for, and the number
//! of clients is exactly the number of requests in flight. Requests go
//! through hyper's bare connection API, so no client-side pool, retry or
//! redirect logic sits between the timer and the socket.
//!
//! - [`Plan::Appends`]: `POST /v1/events` of one `OrganizationRegistered`
//!   with an id unique to the run, the client and the request, so every
//!   append is rule-valid and independent of the others (no client waits on
//!   another's state), and each `201` means durable.
//! - [`Plan::Get`]: `GET` of one path, e.g. `/v1/views/holdings`.
//!
//! A run lasts a fixed time; requests started during the warm-up at its
//! beginning are not counted (connections open, caches fill).

use crate::stats::Latencies;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

/// What every client sends.
#[derive(Debug, Clone)]
pub enum Plan {
    /// Single-event appends; ids start with `id_prefix`, which must be new
    /// to the ledger (runs against one server need different prefixes).
    Appends { id_prefix: String },
    /// Reads of one path.
    Get { path: String },
}

impl Plan {
    fn expected(&self) -> StatusCode {
        match self {
            Plan::Appends { .. } => StatusCode::CREATED,
            Plan::Get { .. } => StatusCode::OK,
        }
    }
}

/// One load run.
#[derive(Debug, Clone)]
pub struct Load {
    pub addr: SocketAddr,
    pub plan: Plan,
    pub clients: usize,
    /// Measured time, after the warm-up.
    pub duration: Duration,
    pub warmup: Duration,
    /// `Authorization: Bearer` token, for a server with a tokens file.
    pub token: Option<String>,
}

/// What a run measured.
#[derive(Debug, Clone)]
pub struct LoadReport {
    pub clients: usize,
    /// Answers with the expected status to requests started in the measured window.
    pub requests: u64,
    pub seconds: f64,
    pub latencies: Latencies,
    /// Bytes of the last answer's body (the size of a view).
    pub body_bytes: usize,
}

impl LoadReport {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.seconds
    }
}

/// Runs `load` and reports; any answer other than the expected status fails
/// the run, with that answer's status and body.
pub async fn run(load: &Load) -> Result<LoadReport, String> {
    if load.clients == 0 {
        return Err("at least one client is needed".into());
    }
    // Connect everyone first, so connection set-up is not part of any latency.
    let mut connections = Vec::with_capacity(load.clients);
    for _ in 0..load.clients {
        connections.push(connect(load.addr).await?);
    }
    let started = Instant::now();
    let measured_from = started + load.warmup;
    let until = measured_from + load.duration;
    let mut tasks = Vec::with_capacity(load.clients);
    for (client, sender) in connections.into_iter().enumerate() {
        let load = load.clone();
        tasks.push(tokio::spawn(async move {
            drive(sender, &load, client, measured_from, until).await
        }));
    }
    let mut samples = Vec::new();
    let mut body_bytes = 0;
    for task in tasks {
        let (client_samples, bytes) = task
            .await
            .map_err(|e| format!("a load client failed: {e}"))??;
        samples.extend(client_samples);
        body_bytes = body_bytes.max(bytes);
    }
    Ok(LoadReport {
        clients: load.clients,
        requests: samples.len() as u64,
        seconds: load.duration.as_secs_f64(),
        latencies: Latencies::from_nanos(samples),
        body_bytes,
    })
}

/// The status of one `GET path` on a new connection (for polling health).
pub async fn status_of(addr: SocketAddr, path: &str) -> Result<u16, String> {
    get(addr, path).await.map(|(status, _)| status)
}

/// One `GET path` on a new connection: the status and the whole body.
pub async fn get(addr: SocketAddr, path: &str) -> Result<(u16, Bytes), String> {
    let mut sender = connect(addr).await?;
    let request = build_request(
        &Plan::Get {
            path: path.to_owned(),
        },
        &addr.to_string(),
        None,
        0,
        0,
    )?;
    exchange(&mut sender, request).await
}

/// One empty `POST path` on a new connection: the status and the whole body.
pub async fn post(addr: SocketAddr, path: &str) -> Result<(u16, Bytes), String> {
    let mut sender = connect(addr).await?;
    let request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(hyper::header::HOST, addr.to_string())
        .body(Full::new(Bytes::new()))
        .map_err(|e| format!("cannot build POST {path}: {e}"))?;
    exchange(&mut sender, request).await
}

/// Sends one request and reads its whole answer: the status and the body.
async fn exchange(
    sender: &mut SendRequest<Full<Bytes>>,
    request: Request<Full<Bytes>>,
) -> Result<(u16, Bytes), String> {
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| format!("request failed: {e}"))?;
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("reading an answer failed: {e}"))?
        .to_bytes();
    Ok((status, body))
}

/// Opens one keep-alive connection; its driver runs as its own task.
async fn connect(addr: SocketAddr) -> Result<SendRequest<Full<Bytes>>, String> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    stream
        .set_nodelay(true)
        .map_err(|e| format!("cannot set TCP_NODELAY: {e}"))?;
    let (sender, connection) = http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("HTTP handshake with {addr} failed: {e}"))?;
    tokio::spawn(async move {
        // Ends when the sender is dropped or the server closes the connection;
        // a failure then shows up as a failed request.
        let _ = connection.await;
    });
    Ok(sender)
}

/// One client: requests back to back until `until`; latencies (ns) of the
/// requests started from `measured_from`, and the last body's size.
async fn drive(
    mut sender: SendRequest<Full<Bytes>>,
    load: &Load,
    client: usize,
    measured_from: Instant,
    until: Instant,
) -> Result<(Vec<u64>, usize), String> {
    let host = load.addr.to_string();
    let expected = load.plan.expected();
    let mut samples = Vec::with_capacity(4096);
    let mut body_bytes = 0;
    for n in 0u64.. {
        let request = build_request(&load.plan, &host, load.token.as_deref(), client, n)?;
        let sent = Instant::now();
        if sent >= until {
            break;
        }
        sender
            .ready()
            .await
            .map_err(|e| format!("the connection closed: {e}"))?;
        let (status, body) = exchange(&mut sender, request).await?;
        let nanos = sent.elapsed().as_nanos() as u64;
        if status != expected.as_u16() {
            return Err(format!(
                "expected {expected}, got {status}: {}",
                String::from_utf8_lossy(&body[..body.len().min(500)])
            ));
        }
        body_bytes = body.len();
        if sent >= measured_from {
            samples.push(nanos);
        }
    }
    Ok((samples, body_bytes))
}

fn build_request(
    plan: &Plan,
    host: &str,
    token: Option<&str>,
    client: usize,
    n: u64,
) -> Result<Request<Full<Bytes>>, String> {
    let builder = Request::builder().header(hyper::header::HOST, host);
    let builder = match token {
        Some(token) => builder.header(hyper::header::AUTHORIZATION, format!("Bearer {token}")),
        None => builder,
    };
    let request = match plan {
        Plan::Appends { id_prefix } => builder
            .method(Method::POST)
            .uri("/v1/events")
            .header(hyper::header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(organization_event(
                id_prefix, client, n,
            )))),
        Plan::Get { path } => builder
            .method(Method::GET)
            .uri(path.as_str())
            .body(Full::new(Bytes::new())),
    };
    request.map_err(|e| format!("cannot build a request: {e}"))
}

/// An `OrganizationRegistered` whose id no other request of the run uses.
fn organization_event(id_prefix: &str, client: usize, n: u64) -> String {
    format!(
        concat!(
            r#"{{"type":"OrganizationRegistered","occurred_at":"2026-06-01T09:00:00+09:00","#,
            r#""actor":"msit","org_id":"{}-{}-{}","name":"Load test organization {} of client {}","#,
            r#""sector":"industry","size":"startup","region":"non_capital"}}"#
        ),
        id_prefix, client, n, n, client
    )
}

/// A prefix no earlier run used: the time in milliseconds, in base 36.
pub fn fresh_id_prefix() -> String {
    let mut millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let mut digits = Vec::new();
    while millis > 0 {
        digits.push(b"0123456789abcdefghijklmnopqrstuvwxyz"[(millis % 36) as usize]);
        millis /= 36;
    }
    digits.reverse();
    format!("LOAD-{}", String::from_utf8(digits).expect("ASCII digits"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appended_events_are_valid_and_unique() {
        let a = organization_event("LOAD-x", 3, 17);
        let b = organization_event("LOAD-x", 17, 3);
        assert_ne!(a, b);
        let event = gpu_ledger_domain::decode_event(a.as_bytes()).expect("a valid event");
        let mut programme = gpu_ledger_domain::Programme::new();
        programme.accept(&event).expect("accepted");
        let again = gpu_ledger_domain::decode_event(b.as_bytes()).expect("a valid event");
        programme.accept(&again).expect("another id");
    }

    #[test]
    fn prefixes_are_ids() {
        let prefix = fresh_id_prefix();
        assert!(prefix.len() < 20);
        assert!(
            prefix
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        );
    }
}
