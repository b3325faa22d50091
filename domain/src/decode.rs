//! From JSON bytes to an [`Event`], refusing anything events.md does not allow.
//!
//! Two kinds of refusal:
//! - [`DecodeError`]: the bytes are not an event object of the vocabulary
//!   (not JSON, not an object, unknown type, a field the type does not have,
//!   a missing field, `null`, a repeated key, a value of the wrong JSON type,
//!   a number that is not a plain unsigned integer token);
//! - [`ValueError`]: the shape is right but a value breaks a value rule (id
//!   alphabet, text length, enumeration, timestamp grammar, range, repeats).
//!
//! The JSON is read once, into one flat set of optional slots covering every
//! field of every type; the `type` then decides which slots may be filled.
//! Messages always name the field (`tracks[1].gpus`).

use crate::application::{
    ApplicationRejected, ApplicationSubmitted, ApplicationWithdrawn, Purpose,
};
use crate::award::{AwardEnded, AwardGranted, EndReason};
use crate::call::{CallClosed, CallOpened, TrackSpec};
use crate::event::{Body, Event, EventType};
use crate::id::{CriterionName, Id};
use crate::organization::{OrganizationRegistered, Region, Sector, Size};
use crate::pool::{PoolRegistered, PoolResized, PoolSource};
use crate::recall::{RecallIssued, RecallReason, RecallReleased};
use crate::redistribution::Redistributed;
use crate::score::{Criteria, ScoreRecorded};
use crate::text::{self, Text, TextBounds};
use crate::timestamp::Timestamp;
use crate::utilization::UtilizationReported;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// The bytes are not an event object of the vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}{}", column.map(|c| format!(" (at column {c})")).unwrap_or_default())]
pub struct DecodeError {
    pub message: String,
    /// 1-based column in the (single-line) input, where the JSON reader knows it.
    pub column: Option<usize>,
}

/// A value breaks a value rule of events.md.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("field `{field}` {problem}")]
pub struct ValueError {
    pub field: String,
    pub problem: String,
}

/// Why bytes were not accepted as an event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    #[error(transparent)]
    Malformed(#[from] DecodeError),
    #[error(transparent)]
    Value(#[from] ValueError),
}

impl EventError {
    /// A short name of the kind of refusal, for machine-readable errors.
    pub fn kind(&self) -> &'static str {
        match self {
            EventError::Malformed(_) => "malformed_event",
            EventError::Value(_) => "invalid_value",
        }
    }
}

/// Decodes one event body.
pub fn decode_event(json: &[u8]) -> Result<Event, EventError> {
    let mut de = serde_json::Deserializer::from_slice(json);
    let raw = RawEvent::deserialize(&mut de).map_err(malformed)?;
    de.end().map_err(malformed)?;
    raw.into_event()
}

/// Decodes one event body from an already parsed JSON value (same rules).
pub fn decode_event_value(value: &serde_json::Value) -> Result<Event, EventError> {
    let raw = RawEvent::deserialize(value).map_err(malformed)?;
    raw.into_event()
}

fn malformed(e: serde_json::Error) -> EventError {
    let text = e.to_string();
    let message = strip_position(&text).to_string();
    let column = (e.line() > 0).then_some(e.column());
    EventError::Malformed(DecodeError { message, column })
}

/// serde_json appends " at line L column C"; positions are reported apart.
fn strip_position(s: &str) -> &str {
    if let Some(i) = s.rfind(" at line ") {
        let tail = &s[i + " at line ".len()..];
        let mut parts = tail.split(" column ");
        if let (Some(l), Some(c), None) = (parts.next(), parts.next(), parts.next())
            && l.bytes().all(|b| b.is_ascii_digit())
            && c.bytes().all(|b| b.is_ascii_digit())
        {
            return &s[..i];
        }
    }
    s
}

/// Prefixes an error from inside a field with that field's name, merging
/// paths: `tracks` + "field `[1].gpus`: ..." gives "field `tracks[1].gpus`: ...".
fn nest<E: de::Error>(prefix: &str, inner: impl fmt::Display) -> E {
    let inner = inner.to_string();
    let inner = strip_position(&inner);
    if let Some(rest) = inner.strip_prefix("field `")
        && let Some(end) = rest.find('`')
    {
        let (path, tail) = (&rest[..end], &rest[end + 1..]);
        let sep = if path.starts_with('[') { "" } else { "." };
        return E::custom(format_args!("field `{prefix}{sep}{path}`{tail}"));
    }
    E::custom(format_args!("field `{prefix}`: {inner}"))
}

// ---------------------------------------------------------------- JSON values

/// A JSON string (escaped or not).
struct JStr(String);

impl<'de> Deserialize<'de> for JStr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = JStr;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<JStr, E> {
                Ok(JStr(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<JStr, E> {
                Ok(JStr(v))
            }
            fn visit_unit<E: de::Error>(self) -> Result<JStr, E> {
                Err(null())
            }
        }
        d.deserialize_any(V)
    }
}

/// A map key, borrowed when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// An unsigned integer token that fits in 32 bits.
struct JU32(u32);

impl<'de> Deserialize<'de> for JU32 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = JU32;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an unsigned integer")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<JU32, E> {
                u32::try_from(v)
                    .map(JU32)
                    .map_err(|_| E::custom(format_args!("{v} is larger than 4294967295")))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<JU32, E> {
                Err(E::custom(format_args!(
                    "{v} is negative (integers are unsigned)"
                )))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<JU32, E> {
                Err(E::custom(
                    "is not a plain unsigned integer token (fractions, exponents, -0 and integers beyond 64 bits are refused)",
                ))
            }
            fn visit_unit<E: de::Error>(self) -> Result<JU32, E> {
                Err(null())
            }
        }
        d.deserialize_any(V)
    }
}

struct JBool(bool);

impl<'de> Deserialize<'de> for JBool {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = JBool;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("true or false")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<JBool, E> {
                Ok(JBool(v))
            }
            fn visit_unit<E: de::Error>(self) -> Result<JBool, E> {
                Err(null())
            }
        }
        d.deserialize_any(V)
    }
}

/// A JSON array whose items are named `[i]` in errors.
struct List<T>(Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = List<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List<T>, A::Error> {
                let mut out = Vec::new();
                loop {
                    let i = out.len();
                    match seq.next_element::<T>() {
                        Ok(Some(v)) => out.push(v),
                        Ok(None) => return Ok(List(out)),
                        Err(e) => return Err(nest(&format!("[{i}]"), e)),
                    }
                }
            }
            fn visit_unit<E: de::Error>(self) -> Result<List<T>, E> {
                Err(null())
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// The `criteria` object: names to integers, each name once.
struct JCriteria(Vec<(String, u32)>);

impl<'de> Deserialize<'de> for JCriteria {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = JCriteria;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of criterion scores")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JCriteria, A::Error> {
                let mut out: Vec<(String, u32)> = Vec::new();
                while let Some(Key(k)) = map.next_key()? {
                    if out.iter().any(|(o, _)| *o == k) {
                        return Err(de::Error::custom(format_args!("field `{k}` appears twice")));
                    }
                    let JU32(v) = map.next_value().map_err(|e| nest::<A::Error>(&k, e))?;
                    out.push((k.into_owned(), v));
                }
                Ok(JCriteria(out))
            }
            fn visit_unit<E: de::Error>(self) -> Result<JCriteria, E> {
                Err(null())
            }
        }
        d.deserialize_any(V)
    }
}

fn null<E: de::Error>() -> E {
    E::custom("is null (leave an optional field out rather than sending null)")
}

// ---------------------------------------------------------------- raw objects

/// Declares a flat struct of optional slots and a map visitor that fills
/// them, refusing unknown and repeated keys.
macro_rules! raw_object {
    ($raw:ident, $slot:ident, $what:literal { $($field:ident : $ty:ty = $key:literal),* $(,)? }) => {
        #[derive(Default)]
        struct $raw {
            $($field: Option<$ty>,)*
            /// Bit `$slot::x as u32` is set when field x was present.
            present: u64,
        }

        #[allow(non_camel_case_types, dead_code)]
        #[derive(Clone, Copy)]
        enum $slot { $($field,)* }

        #[allow(dead_code)]
        impl $slot {
            const KEYS: &'static [&'static str] = &[$($key,)*];
        }

        impl<'de> Deserialize<'de> for $raw {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = $raw;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str($what)
                    }
                    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<$raw, A::Error> {
                        let mut raw = $raw::default();
                        while let Some(Key(key)) = map.next_key()? {
                            match &*key {
                                $($key => {
                                    if raw.$field.is_some() {
                                        return Err(de::Error::custom(format_args!(
                                            "field `{}` appears twice", $key
                                        )));
                                    }
                                    let v: $ty = map.next_value().map_err(|e| nest::<A::Error>($key, e))?;
                                    raw.$field = Some(v);
                                    raw.present |= 1 << ($slot::$field as u32);
                                })*
                                other => {
                                    return Err(de::Error::custom(format_args!(
                                        "field `{}` is not a field of {}", other, $what
                                    )));
                                }
                            }
                        }
                        Ok(raw)
                    }
                    fn visit_unit<E: de::Error>(self) -> Result<$raw, E> {
                        Err(null())
                    }
                }
                d.deserialize_any(V)
            }
        }
    };
}

raw_object!(RawEvent, F, "an event object" {
    type_: JStr = "type",
    occurred_at: JStr = "occurred_at",
    actor: JStr = "actor",
    note: JStr = "note",
    pool_id: JStr = "pool_id",
    name: JStr = "name",
    source: JStr = "source",
    provider: JStr = "provider",
    gpu_model: JStr = "gpu_model",
    gpus: JU32 = "gpus",
    gpus_per_server: JU32 = "gpus_per_server",
    reason: JStr = "reason",
    org_id: JStr = "org_id",
    sector: JStr = "sector",
    size: JStr = "size",
    region: JStr = "region",
    call_id: JStr = "call_id",
    title: JStr = "title",
    closes_at: JStr = "closes_at",
    tracks: List<RawTrack> = "tracks",
    application_id: JStr = "application_id",
    track_id: JStr = "track_id",
    purpose: JStr = "purpose",
    requested_gpus: JU32 = "requested_gpus",
    reviewer_id: JStr = "reviewer_id",
    score: JU32 = "score",
    criteria: JCriteria = "criteria",
    award_id: JStr = "award_id",
    starts_at: JStr = "starts_at",
    ends_at: JStr = "ends_at",
    period_start: JStr = "period_start",
    period_end: JStr = "period_end",
    utilization_bp: JU32 = "utilization_bp",
    off_purpose_use: JBool = "off_purpose_use",
    recall_id: JStr = "recall_id",
    redistribution_id: JStr = "redistribution_id",
});

raw_object!(RawTrack, T, "a track" {
    track_id: JStr = "track_id",
    pool_id: JStr = "pool_id",
    gpus: JU32 = "gpus",
    eligible_sectors: List<JStr> = "eligible_sectors",
    eligible_sizes: List<JStr> = "eligible_sizes",
    min_reviews: JU32 = "min_reviews",
    regional_bonus: JU32 = "regional_bonus",
    max_org_share_bp: JU32 = "max_org_share_bp",
});

const fn mask(fields: &[F]) -> u64 {
    let mut m = 0;
    let mut i = 0;
    while i < fields.len() {
        m |= 1 << (fields[i] as u32);
        i += 1;
    }
    m
}

/// The fields each type may carry, besides `type`, `occurred_at`, `actor`, `note`.
fn fields_of(t: EventType) -> u64 {
    use F::*;
    match t {
        EventType::PoolRegistered => mask(&[
            pool_id,
            name,
            source,
            provider,
            gpu_model,
            gpus,
            gpus_per_server,
        ]),
        EventType::PoolResized => mask(&[pool_id, gpus, reason]),
        EventType::OrganizationRegistered => mask(&[org_id, name, sector, size, region]),
        EventType::CallOpened => mask(&[call_id, title, closes_at, tracks]),
        EventType::CallClosed => mask(&[call_id]),
        EventType::ApplicationSubmitted => mask(&[
            application_id,
            call_id,
            track_id,
            org_id,
            title,
            purpose,
            requested_gpus,
        ]),
        EventType::ApplicationWithdrawn | EventType::ApplicationRejected => {
            mask(&[application_id, reason])
        }
        EventType::ScoreRecorded => mask(&[application_id, reviewer_id, score, criteria]),
        EventType::AwardGranted => mask(&[award_id, application_id, gpus, starts_at, ends_at]),
        EventType::UtilizationReported => mask(&[
            award_id,
            period_start,
            period_end,
            utilization_bp,
            off_purpose_use,
        ]),
        EventType::RecallIssued => mask(&[recall_id, award_id, gpus, reason]),
        EventType::Redistributed => mask(&[
            redistribution_id,
            recall_id,
            award_id,
            application_id,
            gpus,
            starts_at,
            ends_at,
        ]),
        EventType::RecallReleased => mask(&[recall_id, gpus, reason]),
        EventType::AwardEnded => mask(&[award_id, reason]),
    }
}

const COMMON: u64 = mask(&[F::type_, F::occurred_at, F::actor, F::note]);

// ---------------------------------------------------------------- value rules

fn missing(what: &str, field: &str) -> EventError {
    DecodeError {
        message: format!("{what} lacks the required field `{field}`"),
        column: None,
    }
    .into()
}

fn invalid(field: impl Into<String>, problem: impl fmt::Display) -> EventError {
    ValueError {
        field: field.into(),
        problem: problem.to_string(),
    }
    .into()
}

/// Reads one event's slots into typed values, naming fields as `prefix + name`.
struct Reader<'a> {
    what: &'a str,
    prefix: &'a str,
}

impl Reader<'_> {
    fn path(&self, field: &str) -> String {
        format!("{}{}", self.prefix, field)
    }

    fn req<T>(&self, slot: Option<T>, field: &str) -> Result<T, EventError> {
        slot.ok_or_else(|| missing(self.what, &self.path(field)))
    }

    fn id(&self, slot: Option<JStr>, field: &str) -> Result<Id, EventError> {
        let s = self.req(slot, field)?.0;
        Id::from_string(s).map_err(|e| invalid(self.path(field), e))
    }

    fn text(
        &self,
        slot: Option<JStr>,
        field: &str,
        bounds: TextBounds,
    ) -> Result<Text, EventError> {
        let s = self.req(slot, field)?.0;
        Text::new(s, bounds).map_err(|e| invalid(self.path(field), e))
    }

    fn opt_text(
        &self,
        slot: Option<JStr>,
        field: &str,
        bounds: TextBounds,
    ) -> Result<Option<Text>, EventError> {
        slot.map(|s| Text::new(s.0, bounds).map_err(|e| invalid(self.path(field), e)))
            .transpose()
    }

    fn time(&self, slot: Option<JStr>, field: &str) -> Result<Timestamp, EventError> {
        let s = self.req(slot, field)?.0;
        Timestamp::from_string(s).map_err(|e| invalid(self.path(field), e))
    }

    fn word<T>(
        &self,
        slot: Option<JStr>,
        field: &str,
        parse: fn(&str) -> Option<T>,
        names: &[&str],
    ) -> Result<T, EventError> {
        let s = self.req(slot, field)?.0;
        parse(&s).ok_or_else(|| {
            invalid(
                self.path(field),
                format!("is {s:?}, not one of {}", names.join(", ")),
            )
        })
    }

    /// A GPU count: positive.
    fn gpus(&self, slot: Option<JU32>, field: &str) -> Result<u32, EventError> {
        let n = self.req(slot, field)?.0;
        if n == 0 {
            return Err(invalid(self.path(field), "is 0 (GPU counts are positive)"));
        }
        Ok(n)
    }

    fn ranged(&self, slot: Option<JU32>, field: &str, lo: u32, hi: u32) -> Result<u32, EventError> {
        let n = self.req(slot, field)?.0;
        self.in_range(n, field, lo, hi)
    }

    fn in_range(&self, n: u32, field: &str, lo: u32, hi: u32) -> Result<u32, EventError> {
        if n < lo || n > hi {
            return Err(invalid(
                self.path(field),
                format!("is {n}, outside {lo}..={hi}"),
            ));
        }
        Ok(n)
    }

    fn flag(&self, slot: Option<JBool>, field: &str) -> Result<bool, EventError> {
        Ok(self.req(slot, field)?.0)
    }

    /// A non-empty list of enumeration words without repeats.
    fn words<T: PartialEq>(
        &self,
        items: Vec<JStr>,
        field: &str,
        parse: fn(&str) -> Option<T>,
        names: &[&str],
    ) -> Result<Vec<T>, EventError> {
        if items.is_empty() {
            return Err(invalid(
                self.path(field),
                "is empty (lists have at least one item)",
            ));
        }
        let mut out = Vec::with_capacity(items.len());
        for (i, s) in items.into_iter().enumerate() {
            let v = parse(&s.0).ok_or_else(|| {
                invalid(
                    format!("{}[{i}]", self.path(field)),
                    format!("is {:?}, not one of {}", s.0, names.join(", ")),
                )
            })?;
            if out.contains(&v) {
                return Err(invalid(self.path(field), format!("lists {:?} twice", s.0)));
            }
            out.push(v);
        }
        Ok(out)
    }
}

impl RawEvent {
    fn into_event(self) -> Result<Event, EventError> {
        let type_name = self
            .type_
            .ok_or_else(|| missing("an event object", "type"))?
            .0;
        let event_type = EventType::parse(&type_name).ok_or_else(|| {
            let known: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
            EventError::from(DecodeError {
                message: format!(
                    "unknown event type {type_name:?} (known: {})",
                    known.join(", ")
                ),
                column: None,
            })
        })?;
        let what = format!("{} {event_type} event", article(event_type.as_str()));
        let foreign = self.present & !(COMMON | fields_of(event_type));
        if foreign != 0 {
            let field = F::KEYS[foreign.trailing_zeros() as usize];
            return Err(DecodeError {
                message: format!("field `{field}` is not a field of {what}"),
                column: None,
            }
            .into());
        }
        let r = Reader {
            what: &what,
            prefix: "",
        };
        let occurred_at = r.time(self.occurred_at, "occurred_at")?;
        let actor = r.text(self.actor, "actor", text::ACTOR)?;
        let note = r.opt_text(self.note, "note", text::NOTE)?;
        let label = text::LABEL;
        let body: Body = match event_type {
            EventType::PoolRegistered => PoolRegistered {
                pool_id: r.id(self.pool_id, "pool_id")?,
                name: r.text(self.name, "name", label)?,
                source: r.word(self.source, "source", PoolSource::parse, PoolSource::NAMES)?,
                provider: r.opt_text(self.provider, "provider", label)?,
                gpu_model: r.text(self.gpu_model, "gpu_model", label)?,
                gpus: r.gpus(self.gpus, "gpus")?,
                gpus_per_server: r.gpus(self.gpus_per_server, "gpus_per_server")?,
            }
            .into(),
            EventType::PoolResized => PoolResized {
                pool_id: r.id(self.pool_id, "pool_id")?,
                gpus: r.gpus(self.gpus, "gpus")?,
                reason: r.text(self.reason, "reason", label)?,
            }
            .into(),
            EventType::OrganizationRegistered => OrganizationRegistered {
                org_id: r.id(self.org_id, "org_id")?,
                name: r.text(self.name, "name", label)?,
                sector: r.word(self.sector, "sector", Sector::parse, Sector::NAMES)?,
                size: r.word(self.size, "size", Size::parse, Size::NAMES)?,
                region: r.word(self.region, "region", Region::parse, Region::NAMES)?,
            }
            .into(),
            EventType::CallOpened => {
                let call_id = r.id(self.call_id, "call_id")?;
                let title = r.text(self.title, "title", label)?;
                let closes_at = r.time(self.closes_at, "closes_at")?;
                let raw_tracks = r.req(self.tracks, "tracks")?.0;
                if raw_tracks.is_empty() {
                    return Err(invalid(
                        "tracks",
                        "is empty (a call has at least one track)",
                    ));
                }
                let mut tracks = Vec::with_capacity(raw_tracks.len());
                for (i, t) in raw_tracks.into_iter().enumerate() {
                    let prefix = format!("tracks[{i}].");
                    tracks.push(t.into_track(&Reader {
                        what: "a track",
                        prefix: &prefix,
                    })?);
                }
                CallOpened {
                    call_id,
                    title,
                    closes_at,
                    tracks,
                }
                .into()
            }
            EventType::CallClosed => CallClosed {
                call_id: r.id(self.call_id, "call_id")?,
            }
            .into(),
            EventType::ApplicationSubmitted => ApplicationSubmitted {
                application_id: r.id(self.application_id, "application_id")?,
                call_id: r.id(self.call_id, "call_id")?,
                track_id: r.id(self.track_id, "track_id")?,
                org_id: r.id(self.org_id, "org_id")?,
                title: r.text(self.title, "title", label)?,
                purpose: r.word(self.purpose, "purpose", Purpose::parse, Purpose::NAMES)?,
                requested_gpus: r.gpus(self.requested_gpus, "requested_gpus")?,
            }
            .into(),
            EventType::ApplicationWithdrawn => ApplicationWithdrawn {
                application_id: r.id(self.application_id, "application_id")?,
                reason: r.text(self.reason, "reason", label)?,
            }
            .into(),
            EventType::ApplicationRejected => ApplicationRejected {
                application_id: r.id(self.application_id, "application_id")?,
                reason: r.text(self.reason, "reason", label)?,
            }
            .into(),
            EventType::ScoreRecorded => ScoreRecorded {
                application_id: r.id(self.application_id, "application_id")?,
                reviewer_id: r.id(self.reviewer_id, "reviewer_id")?,
                score: r.ranged(self.score, "score", 0, 100)?,
                criteria: self.criteria.map(|c| criteria(&r, c.0)).transpose()?,
            }
            .into(),
            EventType::AwardGranted => AwardGranted {
                award_id: r.id(self.award_id, "award_id")?,
                application_id: r.id(self.application_id, "application_id")?,
                gpus: r.gpus(self.gpus, "gpus")?,
                starts_at: r.time(self.starts_at, "starts_at")?,
                ends_at: r.time(self.ends_at, "ends_at")?,
            }
            .into(),
            EventType::UtilizationReported => UtilizationReported {
                award_id: r.id(self.award_id, "award_id")?,
                period_start: r.time(self.period_start, "period_start")?,
                period_end: r.time(self.period_end, "period_end")?,
                utilization_bp: r.ranged(self.utilization_bp, "utilization_bp", 0, 10_000)?,
                off_purpose_use: r.flag(self.off_purpose_use, "off_purpose_use")?,
            }
            .into(),
            EventType::RecallIssued => RecallIssued {
                recall_id: r.id(self.recall_id, "recall_id")?,
                award_id: r.id(self.award_id, "award_id")?,
                gpus: r.gpus(self.gpus, "gpus")?,
                reason: r.word(
                    self.reason,
                    "reason",
                    RecallReason::parse,
                    RecallReason::NAMES,
                )?,
            }
            .into(),
            EventType::Redistributed => Redistributed {
                redistribution_id: r.id(self.redistribution_id, "redistribution_id")?,
                recall_id: r.id(self.recall_id, "recall_id")?,
                award_id: r.id(self.award_id, "award_id")?,
                application_id: r.id(self.application_id, "application_id")?,
                gpus: r.gpus(self.gpus, "gpus")?,
                starts_at: r.time(self.starts_at, "starts_at")?,
                ends_at: r.time(self.ends_at, "ends_at")?,
            }
            .into(),
            EventType::RecallReleased => RecallReleased {
                recall_id: r.id(self.recall_id, "recall_id")?,
                gpus: r.gpus(self.gpus, "gpus")?,
                reason: r.text(self.reason, "reason", label)?,
            }
            .into(),
            EventType::AwardEnded => AwardEnded {
                award_id: r.id(self.award_id, "award_id")?,
                reason: r.word(self.reason, "reason", EndReason::parse, EndReason::NAMES)?,
            }
            .into(),
        };
        Ok(Event {
            occurred_at,
            actor,
            note,
            body,
        })
    }
}

/// "a" or "an" before a type name, for messages that read well.
fn article(word: &str) -> &'static str {
    match word.as_bytes().first() {
        Some(b'A' | b'E' | b'I' | b'O' | b'U') => "an",
        _ => "a",
    }
}

fn criteria(r: &Reader, items: Vec<(String, u32)>) -> Result<Criteria, EventError> {
    if items.is_empty() {
        return Err(invalid(
            "criteria",
            "is empty (leave it out, or score at least one criterion)",
        ));
    }
    let mut out = Criteria::new();
    for (k, v) in items {
        let path = format!("criteria.{k}");
        r.in_range(v, &path, 0, 100)?;
        let name = CriterionName::parse(k).map_err(|e| invalid("criteria", e))?;
        out.insert(name, v);
    }
    Ok(out)
}

impl RawTrack {
    fn into_track(self, r: &Reader) -> Result<TrackSpec, EventError> {
        Ok(TrackSpec {
            track_id: r.id(self.track_id, "track_id")?,
            pool_id: r.id(self.pool_id, "pool_id")?,
            gpus: r.gpus(self.gpus, "gpus")?,
            eligible_sectors: r.words(
                r.req(self.eligible_sectors, "eligible_sectors")?.0,
                "eligible_sectors",
                Sector::parse,
                Sector::NAMES,
            )?,
            eligible_sizes: self
                .eligible_sizes
                .map(|l| r.words(l.0, "eligible_sizes", Size::parse, Size::NAMES))
                .transpose()?,
            min_reviews: self
                .min_reviews
                .map(|n| r.in_range(n.0, "min_reviews", 1, u32::MAX))
                .transpose()?,
            regional_bonus: self
                .regional_bonus
                .map(|n| r.in_range(n.0, "regional_bonus", 0, 100))
                .transpose()?,
            max_org_share_bp: self
                .max_org_share_bp
                .map(|n| r.in_range(n.0, "max_org_share_bp", 1, 10_000))
                .transpose()?,
        })
    }
}
