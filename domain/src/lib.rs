//! The programme's rulebook.
//!
//! Every fact of Korea's national GPU-support programme is an [`Event`]
//! (`../shared/spec/events.md`). This crate knows what each event looks like,
//! which values it may carry, and which rules it must pass against the
//! [`Programme`] state built from the events before it. It does no I/O and
//! knows nothing of storage: the ledger stores what this crate accepted.
//!
//! Reading order for a newcomer:
//! - [`event`]: the event envelope and the list of types;
//! - [`vocabulary`]: how each type is declared once, and what comes from that
//!   declaration (decoding, the canonical writer, the schema, the reference);
//! - [`decode`]: JSON bytes to an [`Event`], refusing malformed input and
//!   values outside events.md's value rules ([`EventError`]);
//! - one module per part of the programme, each holding its events'
//!   declarations, its state, its rules and their error variants: [`pool`],
//!   [`organization`], [`call`], [`application`], [`score`], [`award`],
//!   [`utilization`], [`recall`], [`redistribution`]; and vocabulary v2's
//!   [`reviewer`] (registrations and conflicts of interest), [`notice`]
//!   (recall notices and exemptions), [`appeal`], [`extension`],
//!   [`supplement`] and [`output`];
//! - [`programme`]: the state and the one entry point, [`Programme::accept`].

pub mod appeal;
pub mod application;
pub mod award;
pub mod call;
pub mod decode;
pub mod event;
pub mod extension;
pub mod id;
pub mod notice;
pub mod organization;
pub mod output;
pub mod pool;
pub mod programme;
pub mod recall;
pub mod redistribution;
mod registry;
pub mod reviewer;
pub mod rule;
pub mod score;
pub mod supplement;
pub mod text;
pub mod timestamp;
pub mod utilization;
pub mod vocabulary;

pub use decode::{DecodeError, EventError, ValueError, decode_event};
pub use event::{Body, Event, EventType};
pub use id::Id;
pub use programme::{Programme, Undo};
pub use rule::RuleError;
pub use text::Text;
pub use timestamp::{Instant, Timestamp};
