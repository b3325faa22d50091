//! An organization's share of a capped track at the end, as both cap kinds
//! ([`super::org_share_over_cap`], [`super::org_share_near_cap`]) measure
//! it: every active award of the organization on the track, granted or
//! redistributed (redistributions are subject to the cap too), against the
//! track's GPUs, compared exactly.

use super::super::EventRef;
use super::Known;
use super::evidence::in_seq_order;
use crate::language::Messages;
use gpu_ledger_domain::Id;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgShare {
    pub org_id: Id,
    pub call_id: Id,
    pub track_id: Id,
    pub held_gpus: u64,
    pub track_gpus: u32,
    pub max_org_share_bp: u32,
    /// held / track GPUs, in basis points, rounded down.
    pub share_bp: u64,
    /// The call's opening (the cap), the organization's registration, and
    /// the origin and recalls of each of its active awards on the track.
    pub events: Vec<EventRef>,
}

impl OrgShare {
    /// One sentence, saying how the share stands against the cap as `against`.
    /// `against` is the key of how the share stands against the cap.
    pub fn summary(&self, against: &str, w: &Messages<'_>) -> String {
        w.with(
            "summary-org-share",
            &[
                ("org", self.org_id.as_str().into()),
                ("held", self.held_gpus.into()),
                ("track_gpus", self.track_gpus.into()),
                ("track", self.track_id.as_str().into()),
                ("call", self.call_id.as_str().into()),
                ("share", self.share_bp.into()),
                ("against", w.text(against).into()),
                ("cap", self.max_org_share_bp.into()),
            ],
        )
    }
}

/// Where a share stands against its track's cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgainstCap {
    /// Above the cap.
    Over,
    /// Above 90% of the cap, and at most the cap.
    Near,
}

/// Every share of a capped track that stands `wanted` against the cap, in
/// the order the calls were opened, then by track and organization.
pub fn shares(known: &Known<'_>, wanted: AgainstCap) -> Vec<OrgShare> {
    let (cat, evidence) = (known.catalog, known.evidence);
    let mut held: BTreeMap<(&Id, &Id, &Id), (u64, Vec<&Id>)> = BTreeMap::new();
    for (id, a) in &cat.awards {
        if a.active() {
            let h = held
                .entry((&a.call_id, &a.track_id, &a.org_id))
                .or_default();
            h.0 += u64::from(a.held);
            h.1.push(id);
        }
    }
    let mut held: Vec<_> = held.into_iter().collect();
    held.sort_by_key(|((call, _, _), _)| evidence.calls_opened.get(*call).map(|c| c.seq));
    let mut out = Vec::new();
    for ((call, track, org), (gpus, awards)) in held {
        let t = cat.track(call, track);
        let cap = u128::from(t.max_org_share_bp);
        if cap >= 10_000 {
            continue;
        }
        let (h, total) = (u128::from(gpus), u128::from(t.gpus));
        let standing = if h * 10_000 > cap * total {
            AgainstCap::Over
        } else if h * 100_000 > 9 * cap * total {
            AgainstCap::Near
        } else {
            continue;
        };
        if standing != wanted {
            continue;
        }
        let call_opened = evidence.calls_opened.get(call).copied();
        let mut events: Vec<EventRef> = call_opened.into_iter().collect();
        events.extend(evidence.orgs_registered.get(org));
        for award in awards {
            let trail = &evidence.awards[award];
            events.push(trail.origin);
            events.extend(&trail.recalls);
        }
        out.push(OrgShare {
            org_id: org.clone(),
            call_id: call.clone(),
            track_id: track.clone(),
            held_gpus: gpus,
            track_gpus: t.gpus,
            max_org_share_bp: t.max_org_share_bp,
            share_bp: (h * 10_000 / total) as u64,
            events: in_seq_order(events),
        });
    }
    out
}
