//! The programme state, and the one way to change it: [`Programme::accept`].
//!
//! Accepting an event first checks every rule of its type against the state
//! (the module of that part of the programme says which), then applies it. A
//! refused event changes nothing. A batch of events is accepted all or
//! nothing with a [`Undo`] savepoint.

use crate::appeal::Appeal;
use crate::application::Application;
use crate::award::Award;
use crate::call::{Call, Track};
use crate::event::{Body, Event};
use crate::notice::Notice;
use crate::organization::Organization;
use crate::pool::Pool;
use crate::recall::Recall;
use crate::registry::{FastMap, Registry};
use crate::reviewer::Target;
use crate::rule::RuleError;
use std::collections::HashSet;

pub(crate) type FastSet<T> = HashSet<T, foldhash::fast::RandomState>;

/// Everything the rules need to know about the programme so far. Its size
/// grows with pools, organizations, calls, applications and awards, never with
/// the number of events (utilization reports leave no trace here).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Programme {
    pub(crate) pools: Registry<Pool>,
    pub(crate) organizations: Registry<Organization>,
    pub(crate) calls: Registry<Call>,
    /// The tracks of every call, in call order; a call owns a contiguous range.
    pub(crate) tracks: Vec<Track>,
    pub(crate) applications: Registry<Application>,
    pub(crate) reviewers: Registry<()>,
    /// (application, reviewer) pairs that have a score.
    pub(crate) scores: FastSet<(u32, u32)>,
    pub(crate) awards: Registry<Award>,
    pub(crate) recalls: Registry<Recall>,
    pub(crate) redistributions: Registry<()>,
    /// GPUs held by an organization's active awards on a track: (track, org).
    pub(crate) org_track_held: FastMap<(u32, u32), u64>,
    /// v2: registered reviewers, with their own organization where given.
    pub(crate) reviewer_orgs: Registry<Option<u32>>,
    /// v2: conflict ids, and the (reviewer, target) pairs they declare.
    pub(crate) conflicts: Registry<()>,
    pub(crate) declared: FastSet<(crate::Id, Target)>,
    pub(crate) notices: Registry<Notice>,
    pub(crate) appeals: Registry<Appeal>,
    pub(crate) supplements: Registry<()>,
    pub(crate) outputs: Registry<()>,
    events: u64,
    #[serde(skip)]
    journal: Option<Vec<Change>>,
}

impl PartialEq for Programme {
    fn eq(&self, o: &Self) -> bool {
        self.pools == o.pools
            && self.organizations == o.organizations
            && self.calls == o.calls
            && self.tracks == o.tracks
            && self.applications == o.applications
            && self.reviewers == o.reviewers
            && self.scores == o.scores
            && self.awards == o.awards
            && self.recalls == o.recalls
            && self.redistributions == o.redistributions
            && self.org_track_held == o.org_track_held
            && self.reviewer_orgs == o.reviewer_orgs
            && self.conflicts == o.conflicts
            && self.declared == o.declared
            && self.notices == o.notices
            && self.appeals == o.appeals
            && self.supplements == o.supplements
            && self.outputs == o.outputs
            && self.events == o.events
    }
}

/// A state change as it can be reverted: what a row was before.
#[derive(Debug, Clone)]
pub(crate) enum Change {
    PoolAdded,
    OrganizationAdded,
    CallAdded { tracks: usize },
    ApplicationAdded,
    ReviewerAdded,
    ScoreAdded(u32, u32),
    AwardAdded,
    RecallAdded,
    RedistributionAdded,
    ReviewerRegistered,
    ConflictAdded(crate::Id, Target),
    NoticeAdded,
    AppealAdded,
    SupplementAdded,
    OutputAdded,
    Pool(u32, Pool),
    Call(u32, Call),
    Track(u32, Track),
    Application(u32, Application),
    Award(u32, Award),
    Recall(u32, Recall),
    Notice(u32, Notice),
    Appeal(u32, Appeal),
    OrgTrackHeld((u32, u32), u64),
}

/// A point to return to if a later event of a batch is refused.
#[derive(Debug)]
#[must_use = "a savepoint must be rolled back or released"]
pub struct Undo {
    journal_len: usize,
    events: u64,
    outermost: bool,
}

impl Programme {
    pub fn new() -> Self {
        Self::default()
    }

    /// How many events have been accepted.
    pub fn events_accepted(&self) -> u64 {
        self.events
    }

    /// The organization that submitted an application (for who may act on it).
    pub fn application_org(&self, application_id: &str) -> Option<&crate::Id> {
        let app = self.applications.find(application_id)?;
        Some(self.organizations.id(self.applications.row(app).org))
    }

    /// The organization that holds an award.
    pub fn award_org(&self, award_id: &str) -> Option<&crate::Id> {
        let award = self.awards.find(award_id)?;
        Some(self.organizations.id(self.awards.row(award).org))
    }

    /// The organization whose award a recall notice is about.
    pub fn notice_org(&self, notice_id: &str) -> Option<&crate::Id> {
        let notice = self.notices.find(notice_id)?;
        let award = self.notices.row(notice).award;
        Some(self.organizations.id(self.awards.row(award).org))
    }

    /// Checks `event` against every rule of its type and, if all hold, applies it.
    pub fn accept(&mut self, event: &Event) -> Result<(), RuleError> {
        let at = &event.occurred_at;
        match &event.body {
            Body::PoolRegistered(b) => {
                self.check_pool_registered(b)?;
                self.apply_pool_registered(b);
            }
            Body::PoolResized(b) => {
                let pool = self.check_pool_resized(b)?;
                self.apply_pool_resized(b, pool);
            }
            Body::OrganizationRegistered(b) => {
                self.check_organization_registered(b)?;
                self.apply_organization_registered(b);
            }
            Body::CallOpened(b) => {
                let pools = self.check_call_opened(b)?;
                self.apply_call_opened(b, pools);
            }
            Body::CallClosed(b) => {
                let call = self.check_call_closed(b)?;
                self.apply_call_closed(call);
            }
            Body::ApplicationSubmitted(b) => {
                let plan = self.check_application_submitted(b)?;
                self.apply_application_submitted(b, plan);
            }
            Body::ApplicationWithdrawn(b) => {
                let app = self.check_application_withdrawn(b)?;
                self.apply_application_withdrawn(app);
            }
            Body::ApplicationRejected(b) => {
                let app = self.check_application_rejected(b)?;
                self.apply_application_rejected(app, at.instant());
            }
            Body::ScoreRecorded(b) => {
                let plan = self.check_score_recorded(b)?;
                self.apply_score_recorded(b, plan);
            }
            Body::AwardGranted(b) => {
                let plan = self.check_award_granted(b)?;
                self.apply_award_granted(b, plan);
            }
            Body::UtilizationReported(b) => self.check_utilization_reported(b)?,
            Body::RecallIssued(b) => {
                let recall = self.check_recall_issued(b, at)?;
                self.apply_recall_issued(b, recall);
            }
            Body::Redistributed(b) => {
                let plan = self.check_redistributed(b)?;
                self.apply_redistributed(b, plan);
            }
            Body::RecallReleased(b) => {
                let recall = self.check_recall_released(b)?;
                self.apply_recall_released(b, recall);
            }
            Body::AwardEnded(b) => {
                let award = self.check_award_ended(b)?;
                self.apply_award_ended(award);
            }
            Body::ReviewerRegistered(b) => {
                let org = self.check_reviewer_registered(b)?;
                self.apply_reviewer_registered(b, org);
            }
            Body::ConflictDeclared(b) => {
                let declaration = self.check_conflict_declared(b)?;
                self.apply_conflict_declared(b, declaration);
            }
            Body::RecallNoticed(b) => {
                let award = self.check_recall_noticed(b, at)?;
                self.apply_recall_noticed(b, award);
            }
            Body::ExemptionRequested(b) => {
                let notice = self.check_exemption_requested(b, at)?;
                self.apply_exemption_requested(notice);
            }
            Body::ExemptionDecided(b) => {
                let notice = self.check_exemption_decided(b)?;
                self.apply_exemption_decided(b, notice);
            }
            Body::AppealFiled(b) => {
                let app = self.check_appeal_filed(b, at)?;
                self.apply_appeal_filed(b, app);
            }
            Body::AppealDecided(b) => {
                let appeal = self.check_appeal_decided(b)?;
                self.apply_appeal_decided(b, appeal);
            }
            Body::AwardExtended(b) => {
                let award = self.check_award_extended(b)?;
                self.apply_award_extended(b, award);
            }
            Body::AwardSupplemented(b) => {
                let award = self.check_award_supplemented(b)?;
                self.apply_award_supplemented(b, award);
            }
            Body::OutputReported(b) => {
                self.check_output_reported(b)?;
                self.apply_output_reported(b);
            }
        }
        self.events += 1;
        Ok(())
    }

    /// Starts recording changes so that [`Programme::rollback`] can undo them.
    pub fn savepoint(&mut self) -> Undo {
        let outermost = self.journal.is_none();
        let journal = self.journal.get_or_insert_with(Vec::new);
        Undo {
            journal_len: journal.len(),
            events: self.events,
            outermost,
        }
    }

    /// Undoes every event accepted since `undo` was taken.
    pub fn rollback(&mut self, undo: Undo) {
        let mut journal = self.journal.take().unwrap_or_default();
        while journal.len() > undo.journal_len {
            let change = journal.pop().expect("length checked");
            self.revert(change);
        }
        self.events = undo.events;
        if !undo.outermost {
            self.journal = Some(journal);
        }
    }

    /// Keeps every event accepted since `undo` was taken.
    pub fn release(&mut self, undo: Undo) {
        if undo.outermost {
            self.journal = None;
        }
    }

    pub(crate) fn record(&mut self, change: impl FnOnce(&Self) -> Change) {
        if self.journal.is_none() {
            return;
        }
        let c = change(self);
        if let Some(journal) = &mut self.journal {
            journal.push(c);
        }
    }

    pub(crate) fn pool_mut(&mut self, i: u32) -> &mut Pool {
        self.record(|s| Change::Pool(i, *s.pools.row(i)));
        self.pools.row_mut(i)
    }

    pub(crate) fn call_mut(&mut self, i: u32) -> &mut Call {
        self.record(|s| Change::Call(i, s.calls.row(i).clone()));
        self.calls.row_mut(i)
    }

    pub(crate) fn track_mut(&mut self, i: u32) -> &mut Track {
        self.record(|s| Change::Track(i, s.tracks[i as usize].clone()));
        &mut self.tracks[i as usize]
    }

    pub(crate) fn application_mut(&mut self, i: u32) -> &mut Application {
        self.record(|s| Change::Application(i, *s.applications.row(i)));
        self.applications.row_mut(i)
    }

    pub(crate) fn award_mut(&mut self, i: u32) -> &mut Award {
        self.record(|s| Change::Award(i, *s.awards.row(i)));
        self.awards.row_mut(i)
    }

    pub(crate) fn recall_mut(&mut self, i: u32) -> &mut Recall {
        self.record(|s| Change::Recall(i, *s.recalls.row(i)));
        self.recalls.row_mut(i)
    }

    pub(crate) fn notice_mut(&mut self, i: u32) -> &mut Notice {
        self.record(|s| Change::Notice(i, *s.notices.row(i)));
        self.notices.row_mut(i)
    }

    pub(crate) fn appeal_mut(&mut self, i: u32) -> &mut Appeal {
        self.record(|s| Change::Appeal(i, *s.appeals.row(i)));
        self.appeals.row_mut(i)
    }

    /// GPUs held by `org`'s active awards on `track`.
    pub(crate) fn org_held_on_track(&self, track: u32, org: u32) -> u64 {
        self.org_track_held.get(&(track, org)).copied().unwrap_or(0)
    }

    pub(crate) fn add_org_held_on_track(&mut self, track: u32, org: u32, delta: i64) {
        let old = self.org_held_on_track(track, org);
        self.record(|_| Change::OrgTrackHeld((track, org), old));
        let new = old
            .checked_add_signed(delta)
            .expect("holdings never go negative");
        if new == 0 {
            self.org_track_held.remove(&(track, org));
        } else {
            self.org_track_held.insert((track, org), new);
        }
    }

    fn revert(&mut self, change: Change) {
        match change {
            Change::PoolAdded => self.pools.pop(),
            Change::OrganizationAdded => self.organizations.pop(),
            Change::CallAdded { tracks } => {
                self.calls.pop();
                self.tracks.truncate(self.tracks.len() - tracks);
            }
            Change::ApplicationAdded => self.applications.pop(),
            Change::ReviewerAdded => self.reviewers.pop(),
            Change::ScoreAdded(app, reviewer) => {
                self.scores.remove(&(app, reviewer));
            }
            Change::AwardAdded => self.awards.pop(),
            Change::RecallAdded => self.recalls.pop(),
            Change::RedistributionAdded => self.redistributions.pop(),
            Change::ReviewerRegistered => self.reviewer_orgs.pop(),
            Change::ConflictAdded(reviewer, target) => {
                self.conflicts.pop();
                self.declared.remove(&(reviewer, target));
            }
            Change::NoticeAdded => self.notices.pop(),
            Change::AppealAdded => self.appeals.pop(),
            Change::SupplementAdded => self.supplements.pop(),
            Change::OutputAdded => self.outputs.pop(),
            Change::Notice(i, v) => *self.notices.row_mut(i) = v,
            Change::Appeal(i, v) => *self.appeals.row_mut(i) = v,
            Change::Pool(i, v) => *self.pools.row_mut(i) = v,
            Change::Call(i, v) => *self.calls.row_mut(i) = v,
            Change::Track(i, v) => self.tracks[i as usize] = v,
            Change::Application(i, v) => *self.applications.row_mut(i) = v,
            Change::Award(i, v) => *self.awards.row_mut(i) = v,
            Change::Recall(i, v) => *self.recalls.row_mut(i) = v,
            Change::OrgTrackHeld(key, 0) => {
                self.org_track_held.remove(&key);
            }
            Change::OrgTrackHeld(key, v) => {
                self.org_track_held.insert(key, v);
            }
        }
    }
}
