//! `org_share_near_cap`: at the end, an organization holds more than 90% of
//! the cap of a capped track, and at most the cap, its share measured as
//! [`super::org_share`] says.

use super::org_share::{AgainstCap, OrgShare, shares};
use super::{Detector, Known};
use crate::language::Messages;

#[derive(Debug, Default)]
pub struct Detect;

impl Detector for Detect {
    type Found = OrgShare;

    fn finish(self, known: &Known<'_>) -> Vec<OrgShare> {
        shares(known, AgainstCap::Near)
    }

    fn summary(x: &OrgShare, w: &Messages<'_>) -> String {
        x.summary("share-near-cap", w)
    }
}
