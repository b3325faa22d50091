//! What the decoder refuses, and the canonical form of what it accepts.

use gpu_ledger_domain::decode_event;

const OK: &str = r#"{"type":"AwardGranted","occurred_at":"2026-03-02T09:00:00+09:00","actor":"msit","award_id":"AW-0001","application_id":"APP-0042","gpus":16,"starts_at":"2026-03-03T00:00:00+09:00","ends_at":"2026-12-31T23:59:59+09:00"}"#;

fn with(field: &str, value: &str) -> String {
    let needle = format!("\"{field}\":");
    let start = OK.find(&needle).expect("field in OK") + needle.len();
    let end = start + OK[start..].find([',', '}']).unwrap();
    format!("{}{}{}", &OK[..start], value, &OK[end..])
}

#[test]
fn the_spec_example_decodes() {
    let e = decode_event(OK.as_bytes()).unwrap();
    assert_eq!(e.event_type().as_str(), "AwardGranted");
}

#[test]
fn malformed_and_invalid_input_is_refused_with_the_field_named() {
    let pool = |tracks: &str| {
        format!(
            r#"{{"type":"CallOpened","occurred_at":"2026-03-02T09:00:00Z","actor":"msit","call_id":"C1","title":"t","closes_at":"2026-03-31T00:00:00Z","tracks":{tracks}}}"#
        )
    };
    // One academia track of 8 GPUs with `extra` fields.
    let track = |extra: &str| {
        pool(&format!(
            r#"[{{"track_id":"T1","pool_id":"P","gpus":8,"eligible_sectors":["academia"]{extra}}}]"#
        ))
    };
    let score = |extra: &str| {
        format!(
            r#"{{"type":"ScoreRecorded","occurred_at":"2026-03-02T09:00:00Z","actor":"r","application_id":"A1","reviewer_id":"r1","score":7{extra}}}"#
        )
    };
    let cases: Vec<(&str, String)> = vec![
        ("not JSON", "{\"type\":".into()),
        ("empty line", "".into()),
        ("an array", "[1,2]".into()),
        ("trailing characters", format!("{OK} x")),
        ("unknown type", OK.replace("AwardGranted", "AwardGiven")),
        ("no type", OK.replace("\"type\":\"AwardGranted\",", "")),
        (
            "unknown field",
            OK.replace("\"gpus\":16", "\"gpus\":16,\"colour\":\"red\""),
        ),
        (
            "field of another type",
            OK.replace("\"gpus\":16", "\"gpus\":16,\"reason\":\"x\""),
        ),
        ("missing field", OK.replace(",\"gpus\":16", "")),
        ("null", with("gpus", "null")),
        (
            "null optional",
            OK.replace("\"gpus\":16", "\"gpus\":16,\"note\":null"),
        ),
        (
            "duplicate key",
            OK.replace("\"gpus\":16", "\"gpus\":16,\"gpus\":16"),
        ),
        ("string for integer", with("gpus", "\"16\"")),
        ("float token", with("gpus", "16.0")),
        ("exponent token", with("gpus", "1.6e1")),
        ("minus zero", with("gpus", "-0")),
        ("negative", with("gpus", "-8")),
        ("over 32 bits", with("gpus", "4294967296")),
        ("over 64 bits", with("gpus", "18446744073709551616")),
        ("zero GPUs", with("gpus", "0")),
        ("bad id character", with("award_id", "\"AW 1\"")),
        (
            "id too long",
            with("award_id", &format!("\"{}\"", "A".repeat(65))),
        ),
        ("empty actor", with("actor", "\"\"")),
        (
            "actor too long",
            with("actor", &format!("\"{}\"", "가".repeat(129))),
        ),
        (
            "bad timestamp",
            with("starts_at", "\"2026-03-03 00:00:00\""),
        ),
        ("leap second", with("starts_at", "\"2026-12-31T23:59:60Z\"")),
        ("boolean for string", with("award_id", "true")),
        (
            "lone surrogate escape",
            String::from_utf8_lossy(b"{\"type\":\"AwardGranted\",\"actor\":\"\xff\"}")
                .replace('\u{fffd}', "\\udc00"),
        ),
        (
            "deep nesting",
            format!("{}{}", "[".repeat(200), "]".repeat(200)),
        ),
        ("score over 100", score("00")),
        ("criteria empty", score(",\"criteria\":{}")),
        ("criteria bad name", score(",\"criteria\":{\"Impact\":50}")),
        (
            "criteria value over 100",
            score(",\"criteria\":{\"impact\":500}"),
        ),
        (
            "criteria repeated",
            score(",\"criteria\":{\"impact\":5,\"impact\":6}"),
        ),
        ("no tracks", pool("[]")),
        ("track with unknown field", track(r#","quota":1"#)),
        (
            "track missing field",
            pool(r#"[{"track_id":"T1","pool_id":"P","eligible_sectors":["academia"]}]"#),
        ),
        (
            "track wrong type",
            pool(
                r#"[{"track_id":"T1","pool_id":"P","gpus":8,"eligible_sectors":["academia"]},{"track_id":"T2","pool_id":"P","gpus":"8","eligible_sectors":["academia"]}]"#,
            ),
        ),
        (
            "track unknown sector",
            pool(r#"[{"track_id":"T1","pool_id":"P","gpus":8,"eligible_sectors":["government"]}]"#),
        ),
        (
            "track repeated sector",
            pool(
                r#"[{"track_id":"T1","pool_id":"P","gpus":8,"eligible_sectors":["academia","academia"]}]"#,
            ),
        ),
        ("track empty sizes", track(r#","eligible_sizes":[]"#)),
        ("track zero min_reviews", track(r#","min_reviews":0"#)),
        ("track bonus over 100", track(r#","regional_bonus":101"#)),
        ("track share zero", track(r#","max_org_share_bp":0"#)),
    ];
    let mut report = String::new();
    for (name, input) in cases {
        let err = decode_event(input.as_bytes()).expect_err(name);
        report.push_str(&format!("{name}:\n  [{}] {err}\n", err.kind()));
    }
    insta::assert_snapshot!(report);
}

#[test]
fn invalid_utf8_bytes_are_refused() {
    let bytes = b"{\"type\":\"CallClosed\",\"occurred_at\":\"2026-03-02T09:00:00Z\",\"actor\":\"\xff\xfe\",\"call_id\":\"C1\"}";
    let err = decode_event(bytes).unwrap_err();
    assert_eq!(err.kind(), "malformed_event");
    assert!(err.to_string().contains("invalid unicode"), "{err}");
}

/// The canonical bytes the ledger hashes: keys sorted bytewise, no spaces,
/// RFC 8785 escapes, text exactly as received (not normalised).
#[test]
fn canonical_json_sorts_keys_and_escapes_as_rfc_8785() {
    let input = "{ \"type\" : \"ScoreRecorded\", \"reviewer_id\":\"r-017\", \"application_id\":\"APP-1\", \"score\":88,\
        \"criteria\":{\"technical_merit\":90,\"impact\":80}, \"occurred_at\":\"2026-03-02T09:00:00.5+09:00\",\
        \"actor\":\"reviewer:r-017\", \"note\":\"\\u00e9\\u0065\\u0301 \\\"q\\\" \\\\ \\/ \\b\\f\\n\\r\\t \\u000b \\u001f \\u007f 한국어 🚀\" }";
    let e = decode_event(input.as_bytes()).unwrap();
    let canonical = String::from_utf8(e.canonical_json()).unwrap();
    assert_eq!(
        canonical,
        "{\"actor\":\"reviewer:r-017\",\"application_id\":\"APP-1\",\"criteria\":{\"impact\":80,\"technical_merit\":90},\
         \"note\":\"\u{e9}e\u{301} \\\"q\\\" \\\\ / \\b\\f\\n\\r\\t \\u000b \\u001f \u{7f} 한국어 🚀\",\
         \"occurred_at\":\"2026-03-02T09:00:00.5+09:00\",\"reviewer_id\":\"r-017\",\"score\":88,\"type\":\"ScoreRecorded\"}"
    );
    // Canonical bytes are a fixed point.
    let again = decode_event(canonical.as_bytes()).unwrap().canonical_json();
    assert_eq!(again, canonical.as_bytes());
}

#[test]
fn canonical_json_of_a_call_keeps_optional_track_fields_absent() {
    let input = r#"{"type":"CallOpened","occurred_at":"2026-03-02T09:00:00Z","actor":"msit","call_id":"C1","title":"t","closes_at":"2026-03-31T00:00:00Z","tracks":[{"track_id":"T1","pool_id":"P","gpus":8,"eligible_sectors":["research","academia"],"max_org_share_bp":2500}]}"#;
    let e = decode_event(input.as_bytes()).unwrap();
    assert_eq!(
        String::from_utf8(e.canonical_json()).unwrap(),
        r#"{"actor":"msit","call_id":"C1","closes_at":"2026-03-31T00:00:00Z","occurred_at":"2026-03-02T09:00:00Z","title":"t","tracks":[{"eligible_sectors":["research","academia"],"gpus":8,"max_org_share_bp":2500,"pool_id":"P","track_id":"T1"}],"type":"CallOpened"}"#
    );
}
