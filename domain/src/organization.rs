//! Organisations that apply: universities, companies, research institutes.
//!
//! Rule: an organisation id is registered once. Its sector and size decide
//! which tracks it may apply to; its region earns the regional bonus.

use crate::event::Fields;
use crate::id::Id;
use crate::programme::{Change, Programme};
use crate::rule::RuleError;
use crate::text::Text;
use serde::Serialize;

/// `OrganizationRegistered`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationRegistered {
    pub org_id: Id,
    pub name: Text,
    pub sector: Sector,
    pub size: Size,
    pub region: Region,
}

impl OrganizationRegistered {
    pub(crate) fn fields<'a>(&'a self, f: &mut Fields<'a>) {
        f.str("org_id", &self.org_id);
        f.str("name", &self.name);
        f.str("sector", self.sector.as_str());
        f.str("size", self.size.as_str());
        f.str("region", self.region.as_str());
    }
}

macro_rules! word_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant,)*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];
            pub const NAMES: &'static [&'static str] = &[$($text,)*];

            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($text => Some($name::$variant),)*
                    _ => None,
                }
            }

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }

            /// Bit of this value in a set of values.
            pub fn bit(self) -> u8 {
                1 << (self as u8)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use word_enum;

word_enum!(
    /// Which part of the research ecosystem an organisation belongs to.
    Sector { Academia = "academia", Industry = "industry", Research = "research" }
);
word_enum!(
    /// An organisation's size class.
    Size { Large = "large", Sme = "sme", Startup = "startup", Public = "public" }
);
word_enum!(
    /// Inside or outside the capital region (Seoul, Incheon, Gyeonggi).
    Region { Capital = "capital", NonCapital = "non_capital" }
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Organization {
    pub sector: Sector,
    pub size: Size,
    pub region: Region,
}

/// A broken organisation rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "error")]
pub enum OrganizationError {
    #[error("organisation {org_id} is already registered")]
    #[serde(rename = "organization_already_registered")]
    AlreadyRegistered { org_id: Id },

    #[error("{subject}: organisation {org_id} is not registered")]
    #[serde(rename = "unknown_organization")]
    Unknown { subject: String, org_id: Id },
}

impl Programme {
    pub(crate) fn check_organization_registered(
        &self,
        e: &OrganizationRegistered,
    ) -> Result<(), RuleError> {
        if self.organizations.contains(&e.org_id) {
            return Err(OrganizationError::AlreadyRegistered {
                org_id: e.org_id.clone(),
            }
            .into());
        }
        Ok(())
    }

    pub(crate) fn apply_organization_registered(&mut self, e: &OrganizationRegistered) {
        self.organizations.insert(
            e.org_id.clone(),
            Organization {
                sector: e.sector,
                size: e.size,
                region: e.region,
            },
        );
        self.record(|_| Change::OrganizationAdded);
    }
}
