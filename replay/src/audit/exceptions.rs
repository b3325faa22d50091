//! Exceptions: what an auditor must look at, each with the events that
//! prove it (seq and hash).
//!
//! [`ExceptionFinder`] folds over the checked events once, in seq order,
//! seeing the catalog as it was before each event (as every view does). Some
//! exceptions are decided at the moment of an event (a redistribution, a
//! recall, a score); the rest are decided "at the end", on the last event
//! the audit covers. Its memory grows with entities: per application the
//! events of its scores, per award its origin, its recalls and only the
//! latest of its utilization reports, per recall its late clearings.
//!
//! Each kind has its section below: its explanation ([`Kind::explanation`]),
//! the record it produces, and the code that finds it.

use super::EventRef;
use super::rank::{Outranked, PendingOrder, RankShown, rank_of};
use gpu_ledger_domain::application::Status;
use gpu_ledger_domain::recall::RecallReason;
use gpu_ledger_domain::{Body, Id, Instant, Timestamp};
use gpu_ledger_projections::Catalog;
use gpu_ledger_projections::catalog::{AppFacts, Origin};
use gpu_ledger_projections::ranking::Score;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

use super::integrity::Checked;

/// Utilization strictly below this many basis points counts as underuse.
pub const LOW_UTILIZATION_BP: u32 = 5000;

/// The default time recalled GPUs may await redistribution.
pub const DEFAULT_MAX_AWAITING_DAYS: u32 = 30;

const NANOS_PER_DAY: i128 = 86_400 * 1_000_000_000;

/// The kinds of exception, in the order reports list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    AwardOutOfRankOrder,
    RecallWithoutEvidence,
    RedistributionOutOfRankOrder,
    RecallAwaitingTooLong,
    OrgShareOverCap,
    OrgShareNearCap,
    AwardPastEnd,
    ReviewerConflictOfInterest,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::AwardOutOfRankOrder,
        Kind::RecallWithoutEvidence,
        Kind::RedistributionOutOfRankOrder,
        Kind::RecallAwaitingTooLong,
        Kind::OrgShareOverCap,
        Kind::OrgShareNearCap,
        Kind::AwardPastEnd,
        Kind::ReviewerConflictOfInterest,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::AwardOutOfRankOrder => "award_out_of_rank_order",
            Kind::RecallWithoutEvidence => "recall_without_evidence",
            Kind::RedistributionOutOfRankOrder => "redistribution_out_of_rank_order",
            Kind::RecallAwaitingTooLong => "recall_awaiting_too_long",
            Kind::OrgShareOverCap => "org_share_over_cap",
            Kind::OrgShareNearCap => "org_share_near_cap",
            Kind::AwardPastEnd => "award_past_end",
            Kind::ReviewerConflictOfInterest => "reviewer_conflict_of_interest",
        }
    }

    /// What the kind means, as reports print it.
    pub fn explanation(self) -> &'static str {
        match self {
            Kind::AwardOutOfRankOrder => {
                "An AwardGranted to an application while another application of the same track, \
                 with a strictly higher rank at the end and at least the track's min_reviews scores, \
                 ends up rejected or still pending. One per such award; the best-ranked such \
                 application is named."
            }
            Kind::RecallWithoutEvidence => {
                "A recall (reason other than withdrawal) with no evidence recorded before it: neither \
                 a utilization report of that award with off_purpose_use, nor two reports of that \
                 award adjacent in period order both strictly below 5000 bp."
            }
            Kind::RedistributionOutOfRankOrder => {
                "A Redistributed (top-ups included) to an application ranked below another application \
                 of the same track that was pending at that moment with at least min_reviews scores."
            }
            Kind::RecallAwaitingTooLong => {
                "A recall some of whose GPUs awaited redistribution strictly longer than the set time \
                 (business time, from the recall to the event that cleared them, or to the end). One \
                 per recall."
            }
            Kind::OrgShareOverCap => {
                "At the end, an organization holds more of a capped track (max_org_share_bp below \
                 10000) than the cap allows."
            }
            Kind::OrgShareNearCap => {
                "At the end, an organization holds more than 90% of the cap of a capped track, and at \
                 most the cap."
            }
            Kind::AwardPastEnd => {
                "An award (granted or redistributed) still active at the end whose ends_at is before \
                 the last event's occurred_at: nobody ended it."
            }
            Kind::ReviewerConflictOfInterest => {
                "A ScoreRecorded whose actor is org:<org_id>:... with <org_id> exactly the \
                 organization that submitted the application."
            }
        }
    }
}

/// One exception. In JSON, `{"kind": ..., <ids and figures>, "events": [{"seq", "hash"}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Exception {
    AwardOutOfRankOrder(AwardOutOfRankOrder),
    RecallWithoutEvidence(RecallWithoutEvidence),
    RedistributionOutOfRankOrder(RedistributionOutOfRankOrder),
    RecallAwaitingTooLong(RecallAwaitingTooLong),
    OrgShareOverCap(OrgShare),
    OrgShareNearCap(OrgShare),
    AwardPastEnd(AwardPastEnd),
    ReviewerConflictOfInterest(ReviewerConflictOfInterest),
}

impl Exception {
    pub fn kind(&self) -> Kind {
        match self {
            Exception::AwardOutOfRankOrder(_) => Kind::AwardOutOfRankOrder,
            Exception::RecallWithoutEvidence(_) => Kind::RecallWithoutEvidence,
            Exception::RedistributionOutOfRankOrder(_) => Kind::RedistributionOutOfRankOrder,
            Exception::RecallAwaitingTooLong(_) => Kind::RecallAwaitingTooLong,
            Exception::OrgShareOverCap(_) => Kind::OrgShareOverCap,
            Exception::OrgShareNearCap(_) => Kind::OrgShareNearCap,
            Exception::AwardPastEnd(_) => Kind::AwardPastEnd,
            Exception::ReviewerConflictOfInterest(_) => Kind::ReviewerConflictOfInterest,
        }
    }

    /// The call the exception belongs to (what `--call` selects by).
    pub fn call_id(&self) -> &Id {
        match self {
            Exception::AwardOutOfRankOrder(x) => &x.call_id,
            Exception::RecallWithoutEvidence(x) => &x.call_id,
            Exception::RedistributionOutOfRankOrder(x) => &x.call_id,
            Exception::RecallAwaitingTooLong(x) => &x.call_id,
            Exception::OrgShareOverCap(x) | Exception::OrgShareNearCap(x) => &x.call_id,
            Exception::AwardPastEnd(x) => &x.call_id,
            Exception::ReviewerConflictOfInterest(x) => &x.call_id,
        }
    }

    /// The events that prove it, in seq order.
    pub fn events(&self) -> &[EventRef] {
        match self {
            Exception::AwardOutOfRankOrder(x) => &x.events,
            Exception::RecallWithoutEvidence(x) => &x.events,
            Exception::RedistributionOutOfRankOrder(x) => &x.events,
            Exception::RecallAwaitingTooLong(x) => &x.events,
            Exception::OrgShareOverCap(x) | Exception::OrgShareNearCap(x) => &x.events,
            Exception::AwardPastEnd(x) => &x.events,
            Exception::ReviewerConflictOfInterest(x) => &x.events,
        }
    }

    /// The event the exception is about, for a stable order within a kind.
    fn subject_seq(&self) -> u64 {
        match self {
            Exception::AwardOutOfRankOrder(x) => x.award_seq,
            Exception::RecallWithoutEvidence(x) => x.recall_seq,
            Exception::RedistributionOutOfRankOrder(x) => x.redistribution_seq,
            Exception::RecallAwaitingTooLong(x) => x.recall_seq,
            Exception::OrgShareOverCap(x) | Exception::OrgShareNearCap(x) => x.call_seq,
            Exception::AwardPastEnd(x) => x.award_seq,
            Exception::ReviewerConflictOfInterest(x) => x.score_seq,
        }
    }

    /// One sentence for people.
    pub fn summary(&self) -> String {
        match self {
            Exception::AwardOutOfRankOrder(x) => format!(
                "Award {} went to {} ({}), rank {}, while {} ({}), rank {}, ended up {}; {} such application(s) ranked higher.",
                x.award_id,
                x.application_id,
                x.org_id,
                x.rank.text(),
                x.outranked_by.application_id,
                x.outranked_by.org_id,
                x.outranked_by.rank.text(),
                x.outranked_by.status,
                x.higher_ranked
            ),
            Exception::RecallWithoutEvidence(x) => format!(
                "Recall {} took {} GPUs from award {} ({}), reason {}, with no evidence before it ({} utilization report(s) of the award before it).",
                x.recall_id, x.gpus, x.award_id, x.org_id, x.reason, x.reports_before
            ),
            Exception::RedistributionOutOfRankOrder(x) => format!(
                "Redistribution {} gave {} GPUs of recall {} to {} ({}), rank {}, while {} ({}), rank {}, was pending; {} pending application(s) ranked higher.",
                x.redistribution_id,
                x.gpus,
                x.recall_id,
                x.application_id,
                x.org_id,
                x.rank.text(),
                x.outranked_by.application_id,
                x.outranked_by.org_id,
                x.outranked_by.rank.text(),
                x.higher_ranked_pending
            ),
            Exception::RecallAwaitingTooLong(x) => format!(
                "Recall {} (award {}, pool {}): {} of its {} GPUs awaited redistribution longer than {} days, the longest {}; {} still awaiting at the end.",
                x.recall_id,
                x.award_id,
                x.pool_id,
                x.gpus_over_limit,
                x.gpus,
                x.limit_days,
                duration_text(x.longest_wait_seconds),
                x.still_awaiting
            ),
            Exception::OrgShareOverCap(x) => format!(
                "{} holds {} of the {} GPUs of track {} of {} ({} bp), over the cap of {} bp.",
                x.org_id,
                x.held_gpus,
                x.track_gpus,
                x.track_id,
                x.call_id,
                x.share_bp,
                x.max_org_share_bp
            ),
            Exception::OrgShareNearCap(x) => format!(
                "{} holds {} of the {} GPUs of track {} of {} ({} bp), more than 90% of the cap of {} bp.",
                x.org_id,
                x.held_gpus,
                x.track_gpus,
                x.track_id,
                x.call_id,
                x.share_bp,
                x.max_org_share_bp
            ),
            Exception::AwardPastEnd(x) => format!(
                "Award {} ({}, {}) still holds {} GPUs, but its term ended at {}; the last event occurred at {}.",
                x.award_id, x.application_id, x.org_id, x.held_gpus, x.ends_at, x.last_occurred_at
            ),
            Exception::ReviewerConflictOfInterest(x) => format!(
                "Reviewer {} scored application {} of {} ({} points) acting as {:?}, a member of the applying organization.",
                x.reviewer_id, x.application_id, x.org_id, x.score, x.actor
            ),
        }
    }
}

/// `3974400` seconds as `46 d 00:00:00`.
pub fn duration_text(seconds: i64) -> String {
    let s = seconds.max(0);
    format!(
        "{} d {:02}:{:02}:{:02}",
        s / 86_400,
        s % 86_400 / 3600,
        s % 3600 / 60,
        s % 60
    )
}

/// The other application in a ranking exception.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rival {
    pub application_id: Id,
    pub org_id: Id,
    pub status: &'static str,
    pub reviews: u32,
    #[serde(flatten)]
    pub rank: RankShown,
}

/// What the audit settles on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Settings {
    /// Days of business time recalled GPUs may await redistribution.
    pub max_awaiting_days: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            max_awaiting_days: DEFAULT_MAX_AWAITING_DAYS,
        }
    }
}

/// The evidence trail of an application: its submission, scores and closing.
#[derive(Debug, Default)]
struct AppTrail {
    submitted: Option<EventRef>,
    scores: Vec<EventRef>,
    /// Its rejection or withdrawal.
    closed: Option<EventRef>,
}

/// The evidence trail of an award.
#[derive(Debug)]
struct AwardTrail {
    /// The AwardGranted or Redistributed that created it.
    origin: EventRef,
    recalls: Vec<EventRef>,
    /// Dropped once the award stops being active: no report or recall can follow.
    use_evidence: UseEvidence,
}

/// What an award's utilization reports have shown so far.
#[derive(Debug, Default)]
struct UseEvidence {
    reports: u32,
    off_purpose: Option<EventRef>,
    low_pair: Option<[EventRef; 2]>,
    latest: Option<LatestReport>,
}

/// The report latest in period order.
#[derive(Debug)]
struct LatestReport {
    period: (Instant, Instant),
    low: bool,
    at: EventRef,
}

/// The clock of a recall's GPUs awaiting redistribution.
#[derive(Debug)]
struct RecallTrail {
    issued: EventRef,
    issued_at: Instant,
    award_id: Id,
    /// The clearing events that came too late.
    late: Vec<EventRef>,
    late_gpus: u32,
    longest_wait: i128,
}

/// Finds every exception in one pass.
#[derive(Debug)]
pub struct ExceptionFinder {
    settings: Settings,
    calls_opened: HashMap<Id, EventRef>,
    orgs_registered: HashMap<Id, EventRef>,
    apps: HashMap<Id, AppTrail>,
    awards: HashMap<Id, AwardTrail>,
    recalls: HashMap<Id, RecallTrail>,
    pending: PendingOrder,
    found: Vec<Exception>,
    /// The last event seen, and when it occurred (the text kept in one
    /// reused buffer: this runs for every event).
    end: Option<(EventRef, Instant)>,
    end_text: String,
}

impl ExceptionFinder {
    pub fn new(settings: Settings) -> Self {
        ExceptionFinder {
            settings,
            calls_opened: HashMap::new(),
            orgs_registered: HashMap::new(),
            apps: HashMap::new(),
            awards: HashMap::new(),
            recalls: HashMap::new(),
            pending: PendingOrder::default(),
            found: Vec::new(),
            end: None,
            end_text: String::new(),
        }
    }

    /// Takes in one checked event; `cat` is the catalog before it.
    pub fn apply(&mut self, cat: &Catalog, step: &Checked<'_>) {
        let at = step.at();
        let event = step.event;
        match &event.body {
            Body::OrganizationRegistered(e) => {
                self.orgs_registered.insert(e.org_id.clone(), at);
            }
            Body::CallOpened(e) => {
                self.calls_opened.insert(e.call_id.clone(), at);
            }
            Body::ApplicationSubmitted(e) => {
                self.apps
                    .entry(e.application_id.clone())
                    .or_default()
                    .submitted = Some(at);
            }
            Body::ScoreRecorded(e) => {
                let app = &cat.apps[&e.application_id];
                self.conflict_of_interest(app, step, &e.application_id, &e.reviewer_id, e.score);
                self.pending.scored(cat, &e.application_id, app, e.score);
                self.trail_mut(&e.application_id).scores.push(at);
            }
            Body::ApplicationRejected(e) => self.closed(cat, &e.application_id, at),
            Body::ApplicationWithdrawn(e) => self.closed(cat, &e.application_id, at),
            Body::AwardGranted(e) => {
                self.pending
                    .leaves(cat, &e.application_id, &cat.apps[&e.application_id]);
                self.awards.insert(e.award_id.clone(), AwardTrail::new(at));
            }
            Body::Redistributed(e) => {
                let app = &cat.apps[&e.application_id];
                self.redistribution_out_of_rank_order(cat, app, step, e);
                self.pending.leaves(cat, &e.application_id, app);
                self.awards.insert(e.award_id.clone(), AwardTrail::new(at));
                self.cleared(&e.recall_id, e.gpus, at, &event.occurred_at);
            }
            Body::UtilizationReported(e) => {
                if let Some(a) = self.awards.get_mut(&e.award_id) {
                    a.use_evidence.report(
                        (e.period_start.instant(), e.period_end.instant()),
                        e.utilization_bp,
                        e.off_purpose_use,
                        at,
                    );
                }
            }
            Body::RecallIssued(e) => {
                self.recall_without_evidence(cat, step, e);
                if let Some(a) = self.awards.get_mut(&e.award_id) {
                    a.recalls.push(at);
                    if cat.awards[&e.award_id].held == e.gpus {
                        a.use_evidence = UseEvidence::default();
                    }
                }
                self.recalls.insert(
                    e.recall_id.clone(),
                    RecallTrail {
                        issued: at,
                        issued_at: event.occurred_at.instant(),
                        award_id: e.award_id.clone(),
                        late: Vec::new(),
                        late_gpus: 0,
                        longest_wait: i128::MIN,
                    },
                );
            }
            Body::RecallReleased(e) => self.cleared(&e.recall_id, e.gpus, at, &event.occurred_at),
            Body::AwardEnded(e) => {
                if let Some(a) = self.awards.get_mut(&e.award_id) {
                    a.use_evidence = UseEvidence::default();
                }
            }
            Body::PoolRegistered(_) | Body::PoolResized(_) | Body::CallClosed(_) => {}
        }
        self.end = Some((at, event.occurred_at.instant()));
        self.end_text.clear();
        self.end_text.push_str(event.occurred_at.as_str());
    }

    /// Every exception, in report order; `cat` is the catalog at the end.
    pub fn finish(mut self, cat: &Catalog) -> Vec<Exception> {
        let mut found = std::mem::take(&mut self.found);
        found.extend(self.awards_out_of_rank_order(cat));
        found.extend(self.recalls_awaiting_too_long(cat));
        found.extend(self.org_shares(cat));
        found.extend(self.awards_past_end(cat));
        found.sort_by_key(|x| (x.kind(), x.subject_seq()));
        found
    }

    fn closed(&mut self, cat: &Catalog, app: &Id, at: EventRef) {
        self.pending.leaves(cat, app, &cat.apps[app]);
        self.trail_mut(app).closed = Some(at);
    }

    /// An application's trail, made at its submission.
    fn trail_mut(&mut self, app: &Id) -> &mut AppTrail {
        if !self.apps.contains_key(app) {
            self.apps.insert(app.clone(), AppTrail::default());
        }
        self.apps.get_mut(app).expect("just made")
    }

    /// The events that prove an application's rank: its organization's
    /// registration (its region) and every score.
    fn rank_evidence(&self, app_id: &Id, app: &AppFacts, out: &mut Vec<EventRef>) {
        out.extend(self.orgs_registered.get(&app.org_id));
        if let Some(t) = self.apps.get(app_id) {
            out.extend(&t.scores);
        }
    }

    fn rival(&self, cat: &Catalog, id: &Id, score: Score) -> Rival {
        let app = &cat.apps[id];
        Rival {
            application_id: id.clone(),
            org_id: app.org_id.clone(),
            status: app.status.as_str(),
            reviews: app.reviews,
            rank: score.into(),
        }
    }
}

impl AwardTrail {
    fn new(origin: EventRef) -> Self {
        AwardTrail {
            origin,
            recalls: Vec::new(),
            use_evidence: UseEvidence::default(),
        }
    }
}

fn sorted(mut events: Vec<EventRef>) -> Vec<EventRef> {
    events.sort();
    events.dedup();
    events
}

// ---------------------------------------------------------------------------
// award_out_of_rank_order
//
// An AwardGranted while an application of the same track with a strictly
// higher rank at the end, and at least min_reviews scores, ends up rejected
// or still pending. Decided at the end: an awarded application gets no more
// scores, so its rank then is its rank when it was awarded.

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AwardOutOfRankOrder {
    pub award_id: Id,
    pub application_id: Id,
    pub org_id: Id,
    pub call_id: Id,
    pub track_id: Id,
    #[serde(flatten)]
    pub rank: RankShown,
    /// The best-ranked application left out.
    pub outranked_by: Rival,
    /// Applications left out (rejected or pending, with enough scores) that rank strictly higher.
    pub higher_ranked: usize,
    /// The call's opening (its tracks' rules), the award, and the scores and
    /// organizations of both applications, with the rival's rejection.
    pub events: Vec<EventRef>,
    #[serde(skip)]
    award_seq: u64,
}

impl ExceptionFinder {
    fn awards_out_of_rank_order(&self, cat: &Catalog) -> Vec<Exception> {
        // Per track, the applications left out, best first.
        let mut left_out: HashMap<(&Id, &Id), Vec<(Score, &Id)>> = HashMap::new();
        for ((call, track), apps) in &cat.track_apps {
            let min_reviews = cat.track(call, track).min_reviews;
            let mut v: Vec<(Score, &Id)> = apps
                .iter()
                .filter_map(|id| {
                    let a = &cat.apps[id];
                    let out = matches!(a.status, Status::Rejected | Status::Pending)
                        && a.reviews >= min_reviews;
                    out.then(|| rank_of(cat, a).map(|s| (s, id))).flatten()
                })
                .collect();
            v.sort_by(|(sa, a), (sb, b)| sb.cmp(sa).then_with(|| a.cmp(b)));
            left_out.insert((call, track), v);
        }
        let mut out = Vec::new();
        for (award_id, award) in &cat.awards {
            if award.origin != Origin::Granted {
                continue;
            }
            let app = &cat.apps[&award.application_id];
            let Some(score) = rank_of(cat, app) else {
                continue;
            };
            let Some(rivals) = left_out.get(&(&award.call_id, &award.track_id)) else {
                continue;
            };
            let higher = rivals.iter().take_while(|(s, _)| *s > score).count();
            if higher == 0 {
                continue;
            }
            let (rival_score, rival_id) = rivals[0];
            let origin = self.awards[award_id].origin;
            let mut events = vec![origin];
            events.extend(self.calls_opened.get(&award.call_id));
            self.rank_evidence(&award.application_id, app, &mut events);
            self.rank_evidence(rival_id, &cat.apps[rival_id], &mut events);
            events.extend(self.apps.get(rival_id).and_then(|t| t.closed));
            out.push(Exception::AwardOutOfRankOrder(AwardOutOfRankOrder {
                award_id: award_id.clone(),
                application_id: award.application_id.clone(),
                org_id: award.org_id.clone(),
                call_id: award.call_id.clone(),
                track_id: award.track_id.clone(),
                rank: score.into(),
                outranked_by: self.rival(cat, rival_id, rival_score),
                higher_ranked: higher,
                events: sorted(events),
                award_seq: origin.seq,
            }));
        }
        out
    }
}

// ---------------------------------------------------------------------------
// recall_without_evidence
//
// A recall (reason other than withdrawal) with no evidence recorded before
// it: neither a report of that award with off_purpose_use, nor two reports
// of that award adjacent in period order both strictly below 5000 bp.

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecallWithoutEvidence {
    pub recall_id: Id,
    pub award_id: Id,
    pub org_id: Id,
    pub call_id: Id,
    pub track_id: Id,
    pub reason: &'static str,
    pub gpus: u32,
    /// Utilization reports of the award recorded before the recall.
    pub reports_before: u32,
    /// The award's origin and the recall.
    pub events: Vec<EventRef>,
    #[serde(skip)]
    recall_seq: u64,
}

impl UseEvidence {
    /// Takes in a report of the award. A report for a later period than any
    /// before is adjacent to the latest one; a late report for an earlier
    /// period is not paired (see the module docs of `audit`).
    fn report(&mut self, period: (Instant, Instant), bp: u32, off_purpose: bool, at: EventRef) {
        self.reports += 1;
        if off_purpose && self.off_purpose.is_none() {
            self.off_purpose = Some(at);
        }
        let low = bp < LOW_UTILIZATION_BP;
        if let Some(latest) = &self.latest {
            if period < latest.period {
                return;
            }
            if low && latest.low && self.low_pair.is_none() {
                self.low_pair = Some([latest.at, at]);
            }
        }
        self.latest = Some(LatestReport { period, low, at });
    }

    fn found(&self) -> bool {
        self.off_purpose.is_some() || self.low_pair.is_some()
    }
}

impl ExceptionFinder {
    fn recall_without_evidence(
        &mut self,
        cat: &Catalog,
        step: &Checked<'_>,
        e: &gpu_ledger_domain::recall::RecallIssued,
    ) {
        if e.reason == RecallReason::Withdrawal {
            return;
        }
        let Some(trail) = self.awards.get(&e.award_id) else {
            return;
        };
        if trail.use_evidence.found() {
            return;
        }
        let award = &cat.awards[&e.award_id];
        self.found
            .push(Exception::RecallWithoutEvidence(RecallWithoutEvidence {
                recall_id: e.recall_id.clone(),
                award_id: e.award_id.clone(),
                org_id: award.org_id.clone(),
                call_id: award.call_id.clone(),
                track_id: award.track_id.clone(),
                reason: e.reason.as_str(),
                gpus: e.gpus,
                reports_before: trail.use_evidence.reports,
                events: sorted(vec![trail.origin, step.at()]),
                recall_seq: step.seq,
            }));
    }
}

// ---------------------------------------------------------------------------
// redistribution_out_of_rank_order
//
// A Redistributed (top-ups included) to an application ranked below another
// application of the same track that is pending at that moment with at
// least min_reviews scores. Decided at the moment, against the pending order.

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RedistributionOutOfRankOrder {
    pub redistribution_id: Id,
    pub recall_id: Id,
    /// The award the redistribution created.
    pub award_id: Id,
    pub application_id: Id,
    pub org_id: Id,
    pub call_id: Id,
    pub track_id: Id,
    pub gpus: u32,
    #[serde(flatten)]
    pub rank: RankShown,
    /// The best-ranked application pending at that moment.
    pub outranked_by: Rival,
    pub higher_ranked_pending: usize,
    /// The call's opening, the redistribution, and the scores and
    /// organizations of both applications up to that moment.
    pub events: Vec<EventRef>,
    #[serde(skip)]
    redistribution_seq: u64,
}

impl ExceptionFinder {
    fn redistribution_out_of_rank_order(
        &mut self,
        cat: &Catalog,
        app: &AppFacts,
        step: &Checked<'_>,
        e: &gpu_ledger_domain::redistribution::Redistributed,
    ) {
        let Some(score) = rank_of(cat, app) else {
            return;
        };
        let Some(Outranked {
            application_id: rival_id,
            score: rival_score,
            higher,
        }) = self
            .pending
            .best_above(&app.call_id, &app.track_id, score, &e.application_id)
        else {
            return;
        };
        let mut events = vec![step.at()];
        events.extend(self.calls_opened.get(&app.call_id));
        self.rank_evidence(&e.application_id, app, &mut events);
        self.rank_evidence(&rival_id, &cat.apps[&rival_id], &mut events);
        let x = RedistributionOutOfRankOrder {
            redistribution_id: e.redistribution_id.clone(),
            recall_id: e.recall_id.clone(),
            award_id: e.award_id.clone(),
            application_id: e.application_id.clone(),
            org_id: app.org_id.clone(),
            call_id: app.call_id.clone(),
            track_id: app.track_id.clone(),
            gpus: e.gpus,
            rank: score.into(),
            outranked_by: self.rival(cat, &rival_id, rival_score),
            higher_ranked_pending: higher,
            events: sorted(events),
            redistribution_seq: step.seq,
        };
        self.found.push(Exception::RedistributionOutOfRankOrder(x));
    }
}

// ---------------------------------------------------------------------------
// recall_awaiting_too_long
//
// A recall some of whose GPUs awaited redistribution strictly longer than
// the set time (business time), to the event that cleared them
// (Redistributed or RecallReleased) or to the end. One per recall.

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecallAwaitingTooLong {
    pub recall_id: Id,
    pub award_id: Id,
    pub pool_id: Id,
    pub call_id: Id,
    pub track_id: Id,
    /// GPUs recalled.
    pub gpus: u32,
    pub limit_days: u32,
    /// GPUs that waited longer than the limit (cleared late, or still awaiting).
    pub gpus_over_limit: u32,
    /// GPUs still awaiting redistribution at the end.
    pub still_awaiting: u32,
    /// The longest wait, in whole seconds of business time.
    pub longest_wait_seconds: i64,
    /// The recall, the events that cleared GPUs late, and the last event
    /// when GPUs were still awaiting at the end.
    pub events: Vec<EventRef>,
    #[serde(skip)]
    recall_seq: u64,
}

/// Nanoseconds from `a` to `b` (negative when business time went back).
fn nanos_between(a: Instant, b: Instant) -> i128 {
    i128::from(b.unix_seconds - a.unix_seconds) * 1_000_000_000 + i128::from(b.nanos)
        - i128::from(a.nanos)
}

impl ExceptionFinder {
    fn limit_nanos(&self) -> i128 {
        i128::from(self.settings.max_awaiting_days) * NANOS_PER_DAY
    }

    /// `gpus` of the recall stop awaiting, at `at`.
    fn cleared(&mut self, recall_id: &Id, gpus: u32, at: EventRef, when: &Timestamp) {
        let limit = self.limit_nanos();
        if let Some(r) = self.recalls.get_mut(recall_id) {
            let wait = nanos_between(r.issued_at, when.instant());
            if wait > limit {
                r.late.push(at);
                r.late_gpus += gpus;
                r.longest_wait = r.longest_wait.max(wait);
            }
        }
    }

    fn recalls_awaiting_too_long(&self, cat: &Catalog) -> Vec<Exception> {
        let limit = self.limit_nanos();
        let mut out = Vec::new();
        for (recall_id, r) in &self.recalls {
            let facts = &cat.recalls[recall_id];
            let mut late = r.late.clone();
            let (mut late_gpus, mut longest) = (r.late_gpus, r.longest_wait);
            let mut still_awaiting = 0;
            if let Some((end, when)) = self.end
                && facts.awaiting > 0
            {
                let wait = nanos_between(r.issued_at, when);
                if wait > limit {
                    late.push(end);
                    late_gpus += facts.awaiting;
                    still_awaiting = facts.awaiting;
                    longest = longest.max(wait);
                }
            }
            if late_gpus == 0 {
                continue;
            }
            let award = &cat.awards[&r.award_id];
            late.push(r.issued);
            out.push(Exception::RecallAwaitingTooLong(RecallAwaitingTooLong {
                recall_id: recall_id.clone(),
                award_id: r.award_id.clone(),
                pool_id: facts.pool_id.clone(),
                call_id: award.call_id.clone(),
                track_id: award.track_id.clone(),
                gpus: facts.gpus,
                limit_days: self.settings.max_awaiting_days,
                gpus_over_limit: late_gpus,
                still_awaiting,
                longest_wait_seconds: (longest / 1_000_000_000) as i64,
                events: sorted(late),
                recall_seq: r.issued.seq,
            }));
        }
        out
    }
}

// ---------------------------------------------------------------------------
// org_share_over_cap, org_share_near_cap
//
// At the end, an organization's share of a capped track (max_org_share_bp
// below 10000) above the cap, or above 90% of the cap and at most the cap.
// The share counts every active award of the organization on the track,
// granted or redistributed (redistributions are subject to the cap too).

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
    #[serde(skip)]
    call_seq: u64,
}

impl ExceptionFinder {
    fn org_shares(&self, cat: &Catalog) -> Vec<Exception> {
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
        let mut out = Vec::new();
        for ((call, track, org), (gpus, awards)) in held {
            let t = cat.track(call, track);
            let cap = u128::from(t.max_org_share_bp);
            if cap >= 10_000 {
                continue;
            }
            let (h, total) = (u128::from(gpus), u128::from(t.gpus));
            let over = h * 10_000 > cap * total;
            let near = !over && h * 100_000 > 9 * cap * total;
            if !over && !near {
                continue;
            }
            let call_opened = self.calls_opened.get(call).copied();
            let mut events: Vec<EventRef> = call_opened.into_iter().collect();
            events.extend(self.orgs_registered.get(org));
            for award in awards {
                let trail = &self.awards[award];
                events.push(trail.origin);
                events.extend(&trail.recalls);
            }
            let share = OrgShare {
                org_id: org.clone(),
                call_id: call.clone(),
                track_id: track.clone(),
                held_gpus: gpus,
                track_gpus: t.gpus,
                max_org_share_bp: t.max_org_share_bp,
                share_bp: (h * 10_000 / total) as u64,
                events: sorted(events),
                call_seq: call_opened.map_or(0, |c| c.seq),
            };
            out.push(if over {
                Exception::OrgShareOverCap(share)
            } else {
                Exception::OrgShareNearCap(share)
            });
        }
        out
    }
}

// ---------------------------------------------------------------------------
// award_past_end
//
// An award (granted or redistributed) still active at the end whose ends_at
// is before the last event's occurred_at. The ledger has no clock: passing
// ends_at ends nothing by itself, so someone should have ended it.

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AwardPastEnd {
    pub award_id: Id,
    pub application_id: Id,
    pub org_id: Id,
    pub call_id: Id,
    pub track_id: Id,
    pub held_gpus: u32,
    pub ends_at: String,
    pub last_occurred_at: String,
    /// The award's origin (its term) and the last event (the time it is now).
    pub events: Vec<EventRef>,
    #[serde(skip)]
    award_seq: u64,
}

impl ExceptionFinder {
    fn awards_past_end(&self, cat: &Catalog) -> Vec<Exception> {
        let Some((end, now)) = self.end else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (id, a) in &cat.awards {
            if !a.active() || a.ends_at.instant() >= now {
                continue;
            }
            let origin = self.awards[id].origin;
            out.push(Exception::AwardPastEnd(AwardPastEnd {
                award_id: id.clone(),
                application_id: a.application_id.clone(),
                org_id: a.org_id.clone(),
                call_id: a.call_id.clone(),
                track_id: a.track_id.clone(),
                held_gpus: a.held,
                ends_at: a.ends_at.to_string(),
                last_occurred_at: self.end_text.clone(),
                events: sorted(vec![origin, end]),
                award_seq: origin.seq,
            }));
        }
        out
    }
}

// ---------------------------------------------------------------------------
// reviewer_conflict_of_interest
//
// A ScoreRecorded whose actor is org:<org_id>:... with <org_id> exactly the
// applying organization. Org ids may contain ':', so the applying org's
// whole id is matched after "org:", followed by ':' or by nothing.

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewerConflictOfInterest {
    pub application_id: Id,
    pub org_id: Id,
    pub call_id: Id,
    pub track_id: Id,
    pub reviewer_id: Id,
    pub actor: String,
    pub score: u32,
    /// The application's submission (its organization) and the score.
    pub events: Vec<EventRef>,
    #[serde(skip)]
    score_seq: u64,
}

/// Whether `actor` acts for organization `org_id`.
pub fn acts_for(actor: &str, org_id: &str) -> bool {
    actor
        .strip_prefix("org:")
        .and_then(|rest| rest.strip_prefix(org_id))
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(':'))
}

impl ExceptionFinder {
    fn conflict_of_interest(
        &mut self,
        app: &AppFacts,
        step: &Checked<'_>,
        application_id: &Id,
        reviewer_id: &Id,
        score: u32,
    ) {
        let actor = step.event.actor.as_str();
        if !acts_for(actor, app.org_id.as_str()) {
            return;
        }
        let submitted = self.apps.get(application_id).and_then(|t| t.submitted);
        let mut events: Vec<EventRef> = submitted.into_iter().collect();
        events.push(step.at());
        self.found.push(Exception::ReviewerConflictOfInterest(
            ReviewerConflictOfInterest {
                application_id: application_id.clone(),
                org_id: app.org_id.clone(),
                call_id: app.call_id.clone(),
                track_id: app.track_id.clone(),
                reviewer_id: reviewer_id.clone(),
                actor: actor.to_string(),
                score,
                events: sorted(events),
                score_seq: step.seq,
            },
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gpu_ledger_domain::{Event, decode_event};
    use gpu_ledger_ledger::Hash;

    /// Feeds events to a catalog and a finder directly, without the rules:
    /// what a ledger that passed them can never hold can still be detected.
    fn find(lines: &[&str]) -> Vec<Exception> {
        let mut cat = Catalog::default();
        let mut finder = ExceptionFinder::new(Settings::default());
        for (i, line) in lines.iter().enumerate() {
            let event: Event = decode_event(line.as_bytes()).expect(line);
            let step = Checked {
                seq: i as u64 + 1,
                hash: Hash([i as u8; 32]),
                recorded_at: Default::default(),
                event: &event,
            };
            finder.apply(&cat, &step);
            cat.apply(&event);
        }
        finder.finish(&cat)
    }

    const SETUP: [&str; 6] = [
        r#"{"type":"PoolRegistered","occurred_at":"2026-01-01T00:00:00Z","actor":"msit","pool_id":"P","name":"p","source":"owned","gpu_model":"H100","gpus":800,"gpus_per_server":8}"#,
        r#"{"type":"OrganizationRegistered","occurred_at":"2026-01-01T00:00:01Z","actor":"msit","org_id":"O:1","name":"o","sector":"academia","size":"large","region":"capital"}"#,
        r#"{"type":"CallOpened","occurred_at":"2026-01-01T00:00:02Z","actor":"msit","call_id":"C","title":"c","closes_at":"2026-02-01T00:00:00Z","tracks":[{"track_id":"T","pool_id":"P","gpus":80,"eligible_sectors":["academia"],"min_reviews":1,"max_org_share_bp":5000}]}"#,
        r#"{"type":"ApplicationSubmitted","occurred_at":"2026-01-02T00:00:00Z","actor":"org:O:1:kim","application_id":"A","call_id":"C","track_id":"T","org_id":"O:1","title":"t","purpose":"research","requested_gpus":64}"#,
        r#"{"type":"ScoreRecorded","occurred_at":"2026-01-03T00:00:00Z","actor":"org:O:1","application_id":"A","reviewer_id":"r1","score":70}"#,
        r#"{"type":"CallClosed","occurred_at":"2026-02-01T00:00:00Z","actor":"msit","call_id":"C"}"#,
    ];

    #[test]
    fn a_share_over_the_cap_is_found_although_the_rules_forbid_it() {
        let mut lines = SETUP.to_vec();
        lines.push(r#"{"type":"AwardGranted","occurred_at":"2026-02-02T00:00:00Z","actor":"msit","award_id":"W","application_id":"A","gpus":48,"starts_at":"2026-02-03T00:00:00Z","ends_at":"2026-12-31T00:00:00Z"}"#);
        let found = find(&lines);
        let kinds: Vec<Kind> = found.iter().map(Exception::kind).collect();
        assert_eq!(
            kinds,
            [Kind::OrgShareOverCap, Kind::ReviewerConflictOfInterest]
        );
        let Exception::OrgShareOverCap(share) = &found[0] else {
            unreachable!()
        };
        assert_eq!((share.held_gpus, share.share_bp), (48, 6000));
        let seqs: Vec<u64> = share.events.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [2, 3, 7]);
    }

    #[test]
    fn gpus_still_awaiting_at_the_end_count_from_the_recall_to_the_last_event() {
        let mut lines = SETUP.to_vec();
        lines.extend([
            r#"{"type":"AwardGranted","occurred_at":"2026-02-02T00:00:00Z","actor":"msit","award_id":"W","application_id":"A","gpus":40,"starts_at":"2026-02-03T00:00:00Z","ends_at":"2026-12-31T00:00:00Z"}"#,
            r#"{"type":"RecallIssued","occurred_at":"2026-03-01T00:00:00Z","actor":"msit","recall_id":"R","award_id":"W","gpus":8,"reason":"withdrawal"}"#,
            r#"{"type":"PoolResized","occurred_at":"2026-03-31T00:00:00Z","actor":"msit","pool_id":"P","gpus":800,"reason":"same"}"#,
        ]);
        // Exactly 30 days is not longer than 30 days.
        assert!(
            !find(&lines)
                .iter()
                .any(|x| x.kind() == Kind::RecallAwaitingTooLong)
        );
        lines.push(r#"{"type":"PoolResized","occurred_at":"2026-03-31T00:00:00.000000001Z","actor":"msit","pool_id":"P","gpus":800,"reason":"same"}"#);
        let found = find(&lines);
        let Some(Exception::RecallAwaitingTooLong(x)) = found
            .iter()
            .find(|x| x.kind() == Kind::RecallAwaitingTooLong)
        else {
            panic!("{found:?}")
        };
        assert_eq!((x.gpus_over_limit, x.still_awaiting), (8, 8));
        assert_eq!(x.longest_wait_seconds, 30 * 86_400);
        let seqs: Vec<u64> = x.events.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [8, 10]);
    }

    #[test]
    fn adjacency_follows_period_order_and_ignores_late_reports() {
        let t = |d: u32| Timestamp::parse(&format!("2026-03-{d:02}T00:00:00Z")).unwrap();
        let r = |seq| EventRef {
            seq,
            hash: Hash::ZERO,
        };
        let mut u = UseEvidence::default();
        u.report((t(8).instant(), t(15).instant()), 4000, false, r(1));
        u.report((t(1).instant(), t(8).instant()), 3000, false, r(2)); // late: not paired
        assert!(!u.found());
        u.report((t(15).instant(), t(22).instant()), 6000, false, r(3));
        u.report((t(22).instant(), t(29).instant()), 4999, false, r(4));
        assert!(!u.found());
        u.report((t(29).instant(), t(31).instant()), 100, false, r(5));
        assert_eq!(u.low_pair, Some([r(4), r(5)]));
        assert_eq!(u.reports, 5);
    }

    #[test]
    fn the_actor_must_name_exactly_the_applying_organization() {
        assert!(acts_for("org:ORG-1:kim", "ORG-1"));
        assert!(acts_for("org:ORG-1", "ORG-1"));
        assert!(acts_for("org:O:1:kim", "O:1"));
        assert!(!acts_for("org:ORG-10:kim", "ORG-1"));
        assert!(!acts_for("org:ORG-1x", "ORG-1"));
        assert!(!acts_for("reviewer:ORG-1", "ORG-1"));
        assert!(!acts_for("ORG-1", "ORG-1"));
    }

    #[test]
    fn durations_read_as_days_and_time() {
        assert_eq!(duration_text(46 * 86_400 + 3661), "46 d 01:01:01");
    }
}
