//! `GET /v1/proofs/inclusion` and `GET /v1/proofs/consistency`: Merkle
//! proofs (RFC 9162) as JSON, checkable with `gpu-ledger check` or any
//! RFC 6962 verifier.

use crate::server::auth::Reader;
use crate::server::problem::{Problem, ProblemDoc};
use axum::Json;
use axum::extract::Query;
use gpu_ledger_replay::proof::ProofFailure;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
pub struct InclusionQuery {
    /// The record to prove.
    seq: u64,
    /// The tree size to prove it in (default: the current size).
    size: Option<u64>,
}

#[derive(Deserialize, IntoParams)]
pub struct ConsistencyQuery {
    /// The earlier tree size.
    from: u64,
    /// The later tree size (default: the current size).
    to: Option<u64>,
}

/// A proof as JSON, or the request's fault.
fn answer<T: serde::Serialize>(
    proof: Result<T, ProofFailure>,
) -> Result<Json<serde_json::Value>, Problem> {
    let proof = proof.map_err(|e| Problem::bad_request("bad_proof_request", e.to_string()))?;
    Ok(Json(serde_json::to_value(proof).expect("proofs serialise")))
}

/// That a record is in the ledger: `{"type":"inclusion","seq","size","record_hash","path","root"}`.
#[utoipa::path(
    get,
    path = "/v1/proofs/inclusion",
    tag = "proofs",
    params(InclusionQuery),
    responses(
        (status = 200, description = "The inclusion proof (leaf index seq - 1)", body = serde_json::Value),
        (status = 400, description = "The seq or size is out of range", body = ProblemDoc),
    )
)]
pub async fn inclusion_proof(
    Reader(app): Reader,
    Query(q): Query<InclusionQuery>,
) -> Result<Json<serde_json::Value>, Problem> {
    app.live.caught_up().await;
    let store = app.live.store().as_ref();
    answer(app.live.transparency.inclusion(store, q.seq, q.size).await)
}

/// That the ledger at one size is a prefix of it at a later size.
#[utoipa::path(
    get,
    path = "/v1/proofs/consistency",
    tag = "proofs",
    params(ConsistencyQuery),
    responses(
        (status = 200, description = "The consistency proof", body = serde_json::Value),
        (status = 400, description = "The sizes are out of range", body = ProblemDoc),
    )
)]
pub async fn consistency_proof(
    Reader(app): Reader,
    Query(q): Query<ConsistencyQuery>,
) -> Result<Json<serde_json::Value>, Problem> {
    app.live.caught_up().await;
    answer(app.live.transparency.consistency(q.from, q.to))
}
