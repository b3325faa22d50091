//! `GET /tlog/checkpoint` and `GET /tlog/tile/...`: the ledger as a tiled
//! log (C2SP tlog-tiles) under one prefix, for mirrors and monitors that
//! fetch it whole and recompute its root. Static resources, not API
//! operations, so not in the OpenAPI document.
//!
//! Tiles and entry bundles never change once the tree holds them, so they
//! are served as immutable for a year; the checkpoint changes, so it may be
//! cached for a few seconds only. Each answer is at most 256 hashes
//! (8 KiB) or 256 entries (8.5 KiB): a request holds no more.

use crate::server::auth::Reader;
use crate::server::problem::Problem;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use gpu_ledger_ledger::tiles::Tile;

/// The latest published checkpoint, with its cosignatures.
pub async fn tlog_checkpoint(Reader(app): Reader) -> Result<Response, Problem> {
    let (_, text) = app
        .live
        .transparency
        .latest()
        .ok_or_else(|| Problem::not_found("no checkpoint has been published yet"))?;
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=5"),
        ],
        text,
    )
        .into_response())
}

/// A tile (`tile/<L>/<N>[.p/<W>]`) or entry bundle (`tile/entries/<N>[.p/<W>]`).
pub async fn tile(Reader(app): Reader, Path(path): Path<String>) -> Result<Response, Problem> {
    let tile = Tile::parse(&path).map_err(Problem::not_found)?;
    app.live.caught_up().await;
    let store = app.live.store().as_ref();
    let bytes = app
        .live
        .transparency
        .tile(store, tile)
        .await
        .map_err(|e| Problem::not_found(e.to_string()))?;
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/octet-stream"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        bytes,
    )
        .into_response())
}
