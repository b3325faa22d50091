//! Organizations that apply: universities, companies, research institutes.
//!
//! Rule: an organization id is registered once. Its sector and size decide
//! which tracks it may apply to; its region earns the regional bonus.

use crate::id::Id;
use crate::programme::{Change, Programme};
use crate::rule::RuleError;
use crate::text::Text;
use crate::vocabulary::declare;
use serde::Serialize;

declare! {
    /// `OrganizationRegistered`: an organization that may apply.
    pub struct OrganizationRegistered {
        pub org_id: Id,
        pub name: Text,
        pub sector: Sector,
        pub size: Size,
        pub region: Region,
    }
}

pub(crate) use crate::vocabulary::word::word_enum;

word_enum!(
    /// Which part of the research ecosystem an organization belongs to.
    Sector { Academia = "academia", Industry = "industry", Research = "research" }
);
word_enum!(
    /// An organization's size class.
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

/// A broken organization rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "error")]
pub enum OrganizationError {
    #[error("organization {org_id} is already registered")]
    #[serde(rename = "organization_already_registered")]
    AlreadyRegistered { org_id: Id },

    #[error("{subject}: organization {org_id} is not registered")]
    #[serde(rename = "unknown_organization")]
    Unknown { subject: String, org_id: Id },
}

impl Programme {
    pub(crate) fn find_organization(
        &self,
        org_id: &Id,
        subject: impl FnOnce() -> String,
    ) -> Result<u32, RuleError> {
        self.organizations.find(org_id).ok_or_else(|| {
            OrganizationError::Unknown {
                subject: subject(),
                org_id: org_id.clone(),
            }
            .into()
        })
    }

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
