//! The JSON Schema of an event body, from the declarations: one object
//! schema per type (exactly its fields, `additionalProperties: false`), and
//! `oneOf` them told apart by `type`.
//!
//! The OpenAPI document carries these under `components/schemas`; a
//! schema-driven client or fuzzer then sends what the decoder accepts.

use super::declaration::ObjectSpec;
use super::reference::one_line;
use crate::event::{COMMON_FIELDS, EventType};
use serde_json::{Map, Value, json};

/// The schema of one declared object; for an event type, with the common
/// fields and `type` fixed to its name.
pub fn object(spec: &ObjectSpec, event_type: Option<EventType>) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    let common = if event_type.is_some() {
        COMMON_FIELDS
    } else {
        &[]
    };
    for f in common.iter().chain(spec.fields) {
        let mut schema = f.rule.schema();
        let doc = one_line(f.doc);
        if !doc.is_empty() {
            schema["description"] = doc.into();
        }
        properties.insert(f.name.to_string(), schema);
        if f.required {
            required.push(f.name);
        }
    }
    if let Some(t) = event_type {
        properties.insert(
            "type".into(),
            json!({"type": "string", "const": t.as_str()}),
        );
    }
    let mut out = json!({
        "type": "object",
        "title": spec.name,
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    });
    let doc = one_line(spec.doc);
    if !doc.is_empty() {
        out["description"] = doc.into();
    }
    out
}

/// Every event type's schema, by type name.
pub fn event_types() -> Vec<(&'static str, Value)> {
    EventType::ALL
        .iter()
        .map(|t| (t.as_str(), object(t.spec(), Some(*t))))
        .collect()
}

/// One event body: one of the types, told apart by `type`. `reference`
/// makes the `$ref` of a type's schema (e.g. `#/components/schemas/AwardGranted`).
pub fn event(reference: impl Fn(&str) -> String) -> Value {
    let one_of: Vec<Value> = EventType::ALL
        .iter()
        .map(|t| json!({"$ref": reference(t.as_str())}))
        .collect();
    let mapping: Map<String, Value> = EventType::ALL
        .iter()
        .map(|t| (t.as_str().to_string(), reference(t.as_str()).into()))
        .collect();
    json!({
        "oneOf": one_of,
        "discriminator": {"propertyName": "type", "mapping": mapping},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_type_schema_lists_exactly_its_fields_and_requires_the_required() {
        let schema = object(
            EventType::AwardGranted.spec(),
            Some(EventType::AwardGranted),
        );
        let mut props: Vec<&str> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        props.sort_unstable();
        assert_eq!(
            props,
            [
                "actor",
                "application_id",
                "award_id",
                "ends_at",
                "gpus",
                "note",
                "occurred_at",
                "starts_at",
                "type"
            ]
        );
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(schema["properties"]["type"]["const"], "AwardGranted");
        assert_eq!(schema["properties"]["gpus"]["minimum"], 1);
        let required = schema["required"].as_array().unwrap();
        assert!(required.contains(&"gpus".into()));
        assert!(!required.contains(&"note".into()));
    }

    #[test]
    fn nested_objects_and_lists_carry_their_rules() {
        let schema = object(EventType::CallOpened.spec(), Some(EventType::CallOpened));
        let tracks = &schema["properties"]["tracks"];
        assert_eq!(tracks["minItems"], 1);
        let track = &tracks["items"];
        assert_eq!(track["additionalProperties"], false);
        assert_eq!(
            track["properties"]["eligible_sectors"]["items"]["enum"],
            json!(["academia", "industry", "research"])
        );
        assert_eq!(track["properties"]["max_org_share_bp"]["maximum"], 10_000);
    }

    #[test]
    fn the_body_schema_is_one_of_every_type_on_its_type() {
        let s = event(|t| format!("#/components/schemas/{t}"));
        assert_eq!(s["oneOf"].as_array().unwrap().len(), EventType::ALL.len());
        assert_eq!(
            s["discriminator"]["mapping"]["RecallIssued"],
            "#/components/schemas/RecallIssued"
        );
    }
}
