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
    framework_refusals(&mut doc);
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

/// What is refused before a handler runs, listed where a handler did not
/// list it itself: `400` for a query or path value that does not parse,
/// `413` for a body over `serve --max-body`, and on every operation the
/// `403` of local mode's guard (`local_mode`) for a foreign `Host` or
/// `Origin`.
fn framework_refusals(doc: &mut Value) {
    let problem = |description: &str| {
        json!({
            "description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProblemDoc"}}}
        })
    };
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for op in item.values_mut().filter(|op| op.is_object()) {
            let parsed = op["parameters"].as_array().is_some_and(|ps| {
                ps.iter()
                    .any(|p| matches!(p["in"].as_str(), Some("query" | "path" | "header")))
            });
            let has_body = op.get("requestBody").is_some();
            let Some(responses) = op["responses"].as_object_mut() else {
                continue;
            };
            if parsed && !responses.contains_key("400") {
                responses.insert(
                    "400".into(),
                    problem("A query, path or header value that does not parse"),
                );
            }
            if !responses.contains_key("403") {
                responses.insert(
                    "403".into(),
                    problem("In local mode, a request from a foreign `Host` or `Origin` (`host_not_local`, `foreign_origin`)"),
                );
            }
            if has_body && !responses.contains_key("413") {
                responses.insert(
                    "413".into(),
                    problem("The body is over the server's limit (`serve --max-body`)"),
                );
            }
        }
    }
}
