//! `org_share_over_cap`: at the end, an organization holds more of a capped
//! track (`max_org_share_bp` below 10000) than the cap allows, its share
//! measured as [`super::org_share`] says.
//!
//! The rules check the cap at every award and redistribution, so a ledger
//! that passes them cannot hold one; it is still looked for, independently,
//! so that a rule the domain let slip would show.

use super::org_share::{AgainstCap, OrgShare, shares};
use super::{Detector, Known};
use crate::language::Messages;

#[derive(Debug, Default)]
pub struct Detect;

impl Detector for Detect {
    type Found = OrgShare;

    fn finish(self, known: &Known<'_>) -> Vec<OrgShare> {
        shares(known, AgainstCap::Over)
    }

    fn summary(x: &OrgShare, w: &Messages<'_>) -> String {
        x.summary("share-over-cap", w)
    }
}
