//! The event envelope shared by every type: the common fields and a typed
//! body, one of the declared types ([`crate::vocabulary`]).
//!
//! The list of types is here, once; each type's fields are declared in the
//! module of its part of the programme.

use crate::appeal::{AppealDecided, AppealFiled};
use crate::application::{ApplicationRejected, ApplicationSubmitted, ApplicationWithdrawn};
use crate::award::{AwardEnded, AwardGranted};
use crate::call::{CallClosed, CallOpened};
use crate::decode::{EventError, Place, RawObject};
use crate::extension::AwardExtended;
use crate::notice::{ExemptionDecided, ExemptionRequested, RecallNoticed};
use crate::organization::OrganizationRegistered;
use crate::output::OutputReported;
use crate::pool::{PoolRegistered, PoolResized};
use crate::recall::{RecallIssued, RecallReleased};
use crate::redistribution::Redistributed;
use crate::reviewer::{ConflictDeclared, ReviewerRegistered};
use crate::score::ScoreRecorded;
use crate::supplement::AwardSupplemented;
use crate::text::{self, Text};
use crate::timestamp::Timestamp;
use crate::utilization::UtilizationReported;
use crate::vocabulary::canonical::Fields;
use crate::vocabulary::{Declared, FieldSpec, ObjectSpec, ValueRule};
use std::fmt;

/// One fact of the programme: common fields plus a typed body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// When it happened in the programme (business time).
    pub occurred_at: Timestamp,
    /// Who issued it, e.g. `msit`, `reviewer:r-017`, `monitor`.
    pub actor: Text,
    pub note: Option<Text>,
    pub body: Body,
}

/// The fields every event carries, in this order (`type` first).
pub const COMMON_FIELDS: &[FieldSpec] = &[
    FieldSpec {
        name: "type",
        rule: ValueRule::TypeName,
        required: true,
        doc: "one of the types below\n",
    },
    FieldSpec {
        name: "occurred_at",
        rule: ValueRule::Time,
        required: true,
        doc: "when it happened in the programme (business time)\n",
    },
    FieldSpec {
        name: "actor",
        rule: ValueRule::Text(text::ACTOR),
        required: true,
        doc: "who issued it, e.g. `msit`, `reviewer:r-017`, `monitor`\n",
    },
    FieldSpec {
        name: "note",
        rule: ValueRule::Text(text::NOTE),
        required: false,
        doc: "free text\n",
    },
];

macro_rules! bodies {
    ($($name:ident),* $(,)?) => {
        /// The type-specific part of an event.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Body {
            $($name($name),)*
        }

        /// The `type` of an event.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum EventType {
            $($name,)*
        }

        impl EventType {
            pub const ALL: &'static [EventType] = &[$(EventType::$name,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(EventType::$name => stringify!($name),)*
                }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $(stringify!($name) => Some(EventType::$name),)*
                    _ => None,
                }
            }

            /// The type's declaration: its fields and their rules.
            pub fn spec(self) -> &'static ObjectSpec {
                match self {
                    $(EventType::$name => <$name as Declared>::SPEC,)*
                }
            }

            pub(crate) fn read_body(
                self,
                raw: &mut RawObject<'_>,
                keys: &[u16],
                at: &Place<'_>,
            ) -> Result<Body, EventError> {
                match self {
                    $(EventType::$name => <$name as Declared>::read(raw, keys, at).map(Body::$name),)*
                }
            }
        }

        impl Body {
            pub fn event_type(&self) -> EventType {
                match self {
                    $(Body::$name(_) => EventType::$name,)*
                }
            }

            pub(crate) fn write<'a>(&'a self, out: &mut Fields<'a>) {
                match self {
                    $(Body::$name(b) => b.write(out),)*
                }
            }
        }

        $(impl From<$name> for Body {
            fn from(b: $name) -> Self {
                Body::$name(b)
            }
        })*
    };
}

bodies!(
    PoolRegistered,
    PoolResized,
    OrganizationRegistered,
    CallOpened,
    CallClosed,
    ApplicationSubmitted,
    ApplicationWithdrawn,
    ScoreRecorded,
    ApplicationRejected,
    AwardGranted,
    UtilizationReported,
    RecallIssued,
    Redistributed,
    RecallReleased,
    AwardEnded,
    // Vocabulary v2.
    ReviewerRegistered,
    ConflictDeclared,
    RecallNoticed,
    ExemptionRequested,
    ExemptionDecided,
    AppealFiled,
    AppealDecided,
    AwardExtended,
    AwardSupplemented,
    OutputReported,
);

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Event {
    pub fn event_type(&self) -> EventType {
        self.body.event_type()
    }
}
