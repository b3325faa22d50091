//! `GET /v1/openapi.json`: this API's OpenAPI document, generated from the
//! handlers, with the request body of `POST /v1/events` described by the
//! domain's declarations (one schema per event type, `oneOf` on `type`).

use axum::Extension;
use axum::http::header;
use axum::response::IntoResponse;
use bytes::Bytes;
use gpu_ledger_domain::vocabulary::schema;
use serde_json::{Value, json};

/// The document, rendered once when the router is built.
#[derive(Clone)]
pub struct Document(pub Bytes);

/// The OpenAPI document of this API, without a token.
#[utoipa::path(get, path = "/v1/openapi.json", tag = "server", security(()), responses((status = 200, description = "OpenAPI 3.1", body = serde_json::Value)))]
pub async fn openapi(Extension(doc): Extension<Document>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], doc.0)
}

/// The handlers' document with the event schemas: each type under
/// `components/schemas/<Type>`, `Event` for one of them, and the append's
/// body as one event or a non-empty array of them.
pub fn document(api: &utoipa::openapi::OpenApi) -> Document {
    let mut doc = serde_json::to_value(api).expect("the OpenAPI document serialises");
    let reference = |name: &str| format!("#/components/schemas/{name}");
    let schemas = &mut doc["components"]["schemas"];
    if !schemas.is_object() {
        *schemas = json!({});
    }
    for (name, s) in schema::event_types() {
        schemas[name] = s;
    }
    schemas["Event"] = schema::event(reference);
    let body = json!({
        "oneOf": [
            {"$ref": reference("Event")},
            {"type": "array", "minItems": 1, "items": {"$ref": reference("Event")}},
        ]
    });
    answers_401_behind_a_token(&mut doc);
    if let Some(content) = doc
        .pointer_mut("/paths/~1v1~1events/post/requestBody/content/application~1json")
        .and_then(Value::as_object_mut)
    {
        content.insert("schema".into(), body);
    }
    Document(Bytes::from(
        serde_json::to_vec(&doc).expect("the OpenAPI document serialises"),
    ))
}

/// Every operation behind a token may answer 401: said here once rather
/// than by each handler. Public operations declare `security(())`.
fn answers_401_behind_a_token(doc: &mut Value) {
    let public = json!([{}]);
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for op in item.values_mut() {
            if op.get("security") == Some(&public) {
                continue;
            }
            if let Some(responses) = op["responses"].as_object_mut() {
                responses.insert(
                    "401".into(),
                    json!({
                        "description": "No or unknown token",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProblemDoc"}}}
                    }),
                );
            }
        }
    }
}
