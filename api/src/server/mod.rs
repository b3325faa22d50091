//! The HTTP server: `gpu-ledger serve`.
//!
//! One module per route in [`routes`]; [`live`] holds the rules' state and
//! the live views; [`auth`] the tokens and roles; [`idempotency`] the
//! `Idempotency-Key` answers (and [`store_keys`] those a shared store keeps);
//! [`problem`] the one JSON shape of refusals (for the framework's own
//! rejections too); [`local_mode`] what keeps a server without tokens to
//! the local user's own programs and pages; [`connections`] how
//! connections are taken, limited, timed out and let go; [`reader_pace`]
//! when a live stream's reader is too slow to keep up;
//! [`request_log`] one structured log line per request; [`metrics`] what
//! `/metrics` shows. The OpenAPI document is generated from the handlers.

pub mod auth;
pub mod connections;
pub mod dashboard;
pub mod idempotency;
pub mod live;
pub mod local_mode;
pub mod metrics;
pub mod problem;
pub mod query;
pub mod reader_pace;
mod request_log;
pub mod rights;
pub mod routes;
pub mod store_keys;
pub mod transparency;
pub mod witnessing;

use auth::{Principal, Tokens};
use axum::http::HeaderMap;
use gpu_ledger_ledger::EventStore;
use idempotency::Idempotency;
use live::LiveLedger;
use problem::Problem;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

/// Limits on what one request, one principal and all clients together may
/// hold; each is a `serve` flag (docs/reliability.md lists them with their
/// defaults and what a client sees past each).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bytes of a request body.
    pub body_bytes: usize,
    /// Events in one batch.
    pub batch_events: usize,
    /// Records in one page of `GET /v1/events`.
    pub page_records: usize,
    /// Live streams (`/v1/events/live`, the dashboard's live list) one
    /// principal may hold at once.
    pub subscriptions: usize,
    /// Live streams all principals together may hold at once.
    pub subscriptions_total: usize,
    /// Bytes of records a live stream reads ahead of what it has sent, and
    /// bytes a connection buffers for writing: what a reader that reads
    /// nothing pins.
    pub reader_bytes: usize,
    /// Connections served at once; more wait in the listen queue, and those
    /// already open keep working.
    pub connections: usize,
    /// A request's headers must all arrive within this, counted from when
    /// the connection is ready for a request: it also closes keep-alive
    /// connections idle for this long.
    pub header_timeout: Duration,
    /// A response the client takes nothing of for this long ends its
    /// connection (a reader that stopped reading).
    pub stall_timeout: Duration,
    /// After Ctrl-C or SIGTERM, how long streams and connections get to end
    /// before the server stops anyway (and writes its snapshot).
    pub shutdown_grace: Duration,
    /// Idempotency answers are bounded per principal and in total.
    pub idempotency: idempotency::Bounds,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            body_bytes: 8 << 20,
            batch_events: 10_000,
            page_records: 10_000,
            subscriptions: 16,
            subscriptions_total: 1024,
            reader_bytes: 32 << 10,
            connections: 4096,
            header_timeout: Duration::from_secs(10),
            stall_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(10),
            idempotency: idempotency::Bounds::default(),
        }
    }
}

/// How requests are authenticated.
pub enum Access {
    /// No tokens: loopback only, every right.
    Local,
    Tokens(Tokens),
}

#[derive(Clone)]
pub struct AppState {
    pub live: Arc<LiveLedger>,
    pub access: Arc<Access>,
    pub idempotency: Idempotency,
    pub subscriptions: routes::events_live::Subscriptions,
    pub limits: Limits,
    /// Cancelled when the server begins to stop: live streams end on it.
    pub closing: tokio_util::sync::CancellationToken,
}

impl AppState {
    /// The principal of a request, from its `Authorization: Bearer` header.
    pub fn principal(&self, headers: &HeaderMap) -> Result<Principal, Problem> {
        let tokens = match &*self.access {
            Access::Local => return Ok(Principal::Local),
            Access::Tokens(t) => t,
        };
        let Some(value) = headers.get(axum::http::header::AUTHORIZATION) else {
            return Err(Problem::unauthorized(
                "this server needs a token: send `Authorization: Bearer <token>`",
            ));
        };
        auth::bearer(tokens, value).map_err(Problem::unauthorized)
    }

    /// The head of the ledger, for a handler (a `503` if it cannot be read).
    pub async fn head(&self) -> Result<gpu_ledger_ledger::Head, Problem> {
        self.live.store().head().await.map_err(|e| {
            Problem::new(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "store_unavailable",
                format!("the ledger could not be read: {e}"),
            )
        })
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "gpu-ledger",
        description = "The hash-chained allocation ledger of Korea's national GPU-support programme: append events checked against the programme's rules, read records, follow them live, and query the analysts' views."
    ),
    components(schemas(problem::ProblemDoc)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The router and the OpenAPI document generated from its handlers.
pub fn router(
    state: AppState,
    history: Arc<gpu_ledger_dashboard::History>,
) -> (axum::Router, utoipa::openapi::OpenApi) {
    let (router, api) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(utoipa_axum::routes!(
            routes::events::post_events,
            routes::events::get_events
        ))
        .routes(utoipa_axum::routes!(routes::events_live::events_live))
        .routes(utoipa_axum::routes!(routes::views::get_view))
        .routes(utoipa_axum::routes!(routes::chain::chain_head))
        .routes(utoipa_axum::routes!(routes::health::health))
        .routes(utoipa_axum::routes!(routes::metrics::metrics))
        .routes(utoipa_axum::routes!(routes::openapi::openapi))
        .routes(utoipa_axum::routes!(
            routes::checkpoints::latest_checkpoint,
            routes::checkpoints::sign_checkpoint
        ))
        .routes(utoipa_axum::routes!(
            routes::checkpoints::checkpoint_by_size
        ))
        .routes(utoipa_axum::routes!(routes::proofs::inclusion_proof))
        .routes(utoipa_axum::routes!(routes::proofs::consistency_proof))
        .split_for_parts();
    let limit = state.limits.body_bytes;
    let local = matches!(&*state.access, Access::Local);
    let router = router
        // The dashboard's HTML pages (not API operations, so not in the document).
        .merge(gpu_ledger_dashboard::router(
            Arc::new(state.clone()),
            history,
        ))
        .route("/events/live", axum::routing::get(dashboard::live_list))
        .route(
            "/tlog/checkpoint",
            axum::routing::get(routes::tiles::tlog_checkpoint),
        )
        .route(
            "/tlog/tile/{*path}",
            axum::routing::get(routes::tiles::tile),
        )
        .fallback(problem::no_route)
        .method_not_allowed_fallback(problem::no_method)
        .layer(axum::extract::DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn_with_state(
            (state.live.metrics.clone(), limit),
            problem::as_problems,
        ));
    // In local mode, before any route: the refusals are logged and counted.
    let router = if local {
        router.layer(axum::middleware::from_fn_with_state(
            state.clone(),
            local_mode::guard,
        ))
    } else {
        router
    };
    let router = router
        .layer(axum::middleware::from_fn(request_log::log_request))
        .layer(axum::Extension(routes::openapi::document(&api)))
        .with_state(state);
    (router, api)
}

/// A running server (for `serve` and for tests).
pub struct Server {
    pub addr: SocketAddr,
    pub state: AppState,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Starts serving `store` on `addr`: replays it into the live state, binds, serves.
pub async fn start(
    store: Arc<dyn EventStore>,
    addr: SocketAddr,
    access: Access,
    limits: Limits,
    checkpoints: transparency::TransparencyConfig,
) -> Result<Server, String> {
    if matches!(access, Access::Local) && !addr.ip().is_loopback() {
        return Err(format!(
            "without --tokens the server runs in local mode and binds loopback only; {addr} is not a loopback address (pass --tokens FILE to serve other hosts)"
        ));
    }
    let metrics = metrics::Metrics::new();
    let history = Arc::new(gpu_ledger_dashboard::History::keeping_snapshots_in(
        checkpoints
            .state_dir
            .as_ref()
            .map(|d| d.join("snapshots").join("history")),
    ));
    let live = LiveLedger::start(store, metrics, checkpoints, vec![history.clone()])
        .await
        .map_err(|e| format!("cannot load the ledger: {e}"))?;
    {
        // A snapshot whenever enough has been appended, checked each minute.
        let live = live.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval_at(
                tokio::time::Instant::now() + Duration::from_secs(60),
                Duration::from_secs(60),
            );
            loop {
                every.tick().await;
                if live.snapshot_due() {
                    live.write_snapshot().await;
                }
            }
        });
    }
    if live.transparency.can_sign() {
        let signer = live.clone();
        tokio::spawn(async move {
            let period = signer.transparency.every;
            let mut every = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
            loop {
                every.tick().await;
                signer.transparency.sign_if_grown().await;
            }
        });
    }
    let closing = tokio_util::sync::CancellationToken::new();
    let state = AppState {
        idempotency: Idempotency::new(
            limits.idempotency,
            live.metrics.limit_counter("idempotency_bytes"),
        ),
        live,
        access: Arc::new(access),
        subscriptions: Default::default(),
        limits,
        closing: closing.clone(),
    };
    let (router, _) = router(state.clone(), history);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    {
        let closing = closing.clone();
        tokio::spawn(async move {
            shutdown().await;
            tracing::info!("stopping: closing the listener, ending live streams");
            closing.cancel();
        });
    }
    let metrics = state.live.metrics.clone();
    let task = tokio::spawn(connections::serve(
        listener, router, limits, metrics, closing,
    ));
    Ok(Server { addr, state, task })
}

impl Server {
    /// Begins to stop, as Ctrl-C or SIGTERM does: `task` ends once
    /// connections have closed, or after the shutdown grace period.
    pub fn stop(&self) {
        self.state.closing.cancel();
    }
}

/// Ctrl-C or SIGTERM: stop taking requests, end streams, finish those in flight.
async fn shutdown() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate => {}
    }
}
