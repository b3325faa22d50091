//! What the views need to know about each entity: names, sectors, which
//! track an application or award belongs to, what an award holds now, where
//! a notice or an appeal stands. Shared by every view so that none keeps its
//! own copy.

use gpu_ledger_domain::application::{Purpose, Status};
use gpu_ledger_domain::notice::NoticeReason;
use gpu_ledger_domain::organization::{Region, Sector, Size};
use gpu_ledger_domain::pool::PoolSource;
use gpu_ledger_domain::recall::RecallReason;
use gpu_ledger_domain::{Body, Event, Id, Text, Timestamp};
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Catalog {
    pub pools: BTreeMap<Id, PoolFacts>,
    pub orgs: HashMap<Id, OrgFacts>,
    pub calls: BTreeMap<Id, CallFacts>,
    pub apps: HashMap<Id, AppFacts>,
    pub awards: HashMap<Id, AwardFacts>,
    pub recalls: HashMap<Id, RecallFacts>,
    /// Applications of each track in submission order: (call, track) -> ids.
    pub track_apps: BTreeMap<(Id, Id), Vec<Id>>,
    /// v2: the application each appeal is about.
    pub appeals: HashMap<Id, Id>,
    /// v2: every recall notice, open or closed.
    pub notices: HashMap<Id, NoticeFacts>,
    /// v2: reviewers registered with `ReviewerRegistered`.
    pub reviewers: HashMap<Id, ReviewerFacts>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PoolFacts {
    pub name: Text,
    pub source: PoolSource,
    pub provider: Option<Text>,
    pub gpu_model: Text,
    pub capacity: u32,
    pub gpus_per_server: u32,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OrgFacts {
    pub name: Text,
    pub sector: Sector,
    pub size: Size,
    pub region: Region,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CallFacts {
    pub title: Text,
    pub closes_at: Timestamp,
    pub open: bool,
    pub tracks: Vec<TrackFacts>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrackFacts {
    pub track_id: Id,
    pub pool_id: Id,
    pub gpus: u32,
    pub eligible_sectors: Vec<Sector>,
    pub min_reviews: u32,
    pub regional_bonus: u32,
    pub max_org_share_bp: u32,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AppFacts {
    pub call_id: Id,
    pub track_id: Id,
    pub org_id: Id,
    pub title: Text,
    pub purpose: Purpose,
    pub requested: u32,
    pub status: Status,
    /// Sum of all scores, for the exact mean.
    pub score_sum: u64,
    pub reviews: u32,
    /// v2: the application's latest appeal.
    pub appeal: Option<AppealFacts>,
}

/// v2: an appeal of a rejection, and where it stands.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AppealFacts {
    pub appeal_id: Id,
    pub filed_at: Timestamp,
    pub stage: AppealStage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum AppealStage {
    Open,
    Upheld,
    Dismissed,
    /// Closed by the application's withdrawal.
    Withdrawn,
}

/// v2: a recall notice. It is open until an exemption is granted, a recall
/// cites it, or its award stops being active ([`Catalog::notice_open`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NoticeFacts {
    pub award_id: Id,
    pub gpus: u32,
    pub reason: NoticeReason,
    pub noticed_at: Timestamp,
    pub respond_by: Timestamp,
    pub exemption: Exemption,
    /// A recall cited it.
    pub carried_out: bool,
}

/// Where a notice's one exemption request stands.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Exemption {
    NotRequested,
    /// Asked for at that time, not decided yet.
    Requested {
        at: Timestamp,
    },
    Granted,
    Refused,
}

/// v2: a registered reviewer.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReviewerFacts {
    pub name: Text,
    /// The reviewer's own organization.
    pub org_id: Option<Id>,
}

/// How an award came about.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Origin {
    Granted,
    Redistributed { recall_id: Id },
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AwardFacts {
    pub application_id: Id,
    pub org_id: Id,
    pub call_id: Id,
    pub track_id: Id,
    pub pool_id: Id,
    pub granted: u32,
    /// Granted plus supplements, minus recalled.
    pub held: u32,
    /// v2: GPUs added by supplements.
    pub supplemented: u32,
    pub ended: bool,
    pub origin: Origin,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
}

impl AwardFacts {
    pub fn active(&self) -> bool {
        self.held > 0 && !self.ended
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RecallFacts {
    pub award_id: Id,
    pub pool_id: Id,
    pub gpus: u32,
    pub awaiting: u32,
    pub reason: RecallReason,
}

impl Catalog {
    pub fn pool(&self, id: &Id) -> &PoolFacts {
        &self.pools[id]
    }

    pub fn org(&self, id: &Id) -> &OrgFacts {
        &self.orgs[id]
    }

    pub fn track(&self, call: &Id, track: &Id) -> &TrackFacts {
        self.calls[call]
            .tracks
            .iter()
            .find(|t| t.track_id == *track)
            .expect("tracks of accepted events exist")
    }

    /// GPUs per server of the pool an application's track draws on.
    pub fn gpus_per_server(&self, pool_id: &Id) -> u32 {
        self.pools[pool_id].gpus_per_server
    }

    pub fn apply(&mut self, event: &Event) {
        match &event.body {
            Body::PoolRegistered(e) => {
                self.pools.insert(
                    e.pool_id.clone(),
                    PoolFacts {
                        name: e.name.clone(),
                        source: e.source,
                        provider: e.provider.clone(),
                        gpu_model: e.gpu_model.clone(),
                        capacity: e.gpus,
                        gpus_per_server: e.gpus_per_server,
                    },
                );
            }
            Body::PoolResized(e) => {
                if let Some(p) = self.pools.get_mut(&e.pool_id) {
                    p.capacity = e.gpus;
                }
            }
            Body::OrganizationRegistered(e) => {
                self.orgs.insert(
                    e.org_id.clone(),
                    OrgFacts {
                        name: e.name.clone(),
                        sector: e.sector,
                        size: e.size,
                        region: e.region,
                    },
                );
            }
            Body::CallOpened(e) => {
                let tracks = e
                    .tracks
                    .iter()
                    .map(|t| TrackFacts {
                        track_id: t.track_id.clone(),
                        pool_id: t.pool_id.clone(),
                        gpus: t.gpus,
                        eligible_sectors: t.eligible_sectors.clone(),
                        min_reviews: t.min_reviews(),
                        regional_bonus: t.regional_bonus(),
                        max_org_share_bp: t.max_org_share_bp(),
                    })
                    .collect();
                self.calls.insert(
                    e.call_id.clone(),
                    CallFacts {
                        title: e.title.clone(),
                        closes_at: e.closes_at.clone(),
                        open: true,
                        tracks,
                    },
                );
            }
            Body::CallClosed(e) => {
                if let Some(c) = self.calls.get_mut(&e.call_id) {
                    c.open = false;
                }
            }
            Body::ApplicationSubmitted(e) => {
                self.apps.insert(
                    e.application_id.clone(),
                    AppFacts {
                        call_id: e.call_id.clone(),
                        track_id: e.track_id.clone(),
                        org_id: e.org_id.clone(),
                        title: e.title.clone(),
                        purpose: e.purpose,
                        requested: e.requested_gpus,
                        status: Status::Pending,
                        score_sum: 0,
                        reviews: 0,
                        appeal: None,
                    },
                );
                self.track_apps
                    .entry((e.call_id.clone(), e.track_id.clone()))
                    .or_default()
                    .push(e.application_id.clone());
            }
            Body::ApplicationWithdrawn(e) => {
                self.set_status(&e.application_id, Status::Withdrawn);
                self.close_appeal(&e.application_id, AppealStage::Withdrawn);
            }
            Body::ApplicationRejected(e) => self.set_status(&e.application_id, Status::Rejected),
            Body::ScoreRecorded(e) => {
                if let Some(a) = self.apps.get_mut(&e.application_id) {
                    a.score_sum += u64::from(e.score);
                    a.reviews += 1;
                }
            }
            Body::AwardGranted(e) => {
                self.start_award(
                    &e.award_id,
                    &e.application_id,
                    e.gpus,
                    Origin::Granted,
                    &e.starts_at,
                    &e.ends_at,
                );
            }
            Body::Redistributed(e) => {
                if let Some(r) = self.recalls.get_mut(&e.recall_id) {
                    r.awaiting -= e.gpus;
                }
                let origin = Origin::Redistributed {
                    recall_id: e.recall_id.clone(),
                };
                self.start_award(
                    &e.award_id,
                    &e.application_id,
                    e.gpus,
                    origin,
                    &e.starts_at,
                    &e.ends_at,
                );
            }
            Body::UtilizationReported(_) => {}
            Body::RecallIssued(e) => {
                if let Some(n) = e.notice_id.as_ref().and_then(|n| self.notices.get_mut(n)) {
                    n.carried_out = true;
                }
                let Some(a) = self.awards.get_mut(&e.award_id) else {
                    return;
                };
                a.held -= e.gpus;
                let pool_id = a.pool_id.clone();
                self.recalls.insert(
                    e.recall_id.clone(),
                    RecallFacts {
                        award_id: e.award_id.clone(),
                        pool_id,
                        gpus: e.gpus,
                        awaiting: e.gpus,
                        reason: e.reason,
                    },
                );
            }
            Body::RecallReleased(e) => {
                if let Some(r) = self.recalls.get_mut(&e.recall_id) {
                    r.awaiting -= e.gpus;
                }
            }
            Body::AwardEnded(e) => {
                if let Some(a) = self.awards.get_mut(&e.award_id) {
                    a.ended = true;
                }
            }
            Body::AwardSupplemented(e) => {
                if let Some(a) = self.awards.get_mut(&e.award_id) {
                    a.held += e.gpus;
                    a.supplemented += e.gpus;
                }
            }
            Body::AwardExtended(e) => {
                if let Some(a) = self.awards.get_mut(&e.award_id) {
                    a.ends_at = e.ends_at.clone();
                }
            }
            Body::AppealDecided(e) => {
                if let Some(app) = self.appeal_application(&e.appeal_id) {
                    if e.upheld {
                        self.set_status(&app, Status::Pending);
                    }
                    let stage = if e.upheld {
                        AppealStage::Upheld
                    } else {
                        AppealStage::Dismissed
                    };
                    self.close_appeal(&app, stage);
                }
            }
            Body::AppealFiled(e) => {
                self.appeals
                    .insert(e.appeal_id.clone(), e.application_id.clone());
                if let Some(a) = self.apps.get_mut(&e.application_id) {
                    a.appeal = Some(AppealFacts {
                        appeal_id: e.appeal_id.clone(),
                        filed_at: event.occurred_at.clone(),
                        stage: AppealStage::Open,
                    });
                }
            }
            Body::RecallNoticed(e) => {
                self.notices.insert(
                    e.notice_id.clone(),
                    NoticeFacts {
                        award_id: e.award_id.clone(),
                        gpus: e.gpus,
                        reason: e.reason,
                        noticed_at: event.occurred_at.clone(),
                        respond_by: e.respond_by.clone(),
                        exemption: Exemption::NotRequested,
                        carried_out: false,
                    },
                );
            }
            Body::ExemptionRequested(e) => {
                if let Some(n) = self.notices.get_mut(&e.notice_id) {
                    n.exemption = Exemption::Requested {
                        at: event.occurred_at.clone(),
                    };
                }
            }
            Body::ExemptionDecided(e) => {
                if let Some(n) = self.notices.get_mut(&e.notice_id) {
                    n.exemption = if e.granted {
                        Exemption::Granted
                    } else {
                        Exemption::Refused
                    };
                }
            }
            Body::ReviewerRegistered(e) => {
                self.reviewers.insert(
                    e.reviewer_id.clone(),
                    ReviewerFacts {
                        name: e.name.clone(),
                        org_id: e.org_id.clone(),
                    },
                );
            }
            Body::ConflictDeclared(_) | Body::OutputReported(_) => {}
        }
    }

    fn appeal_application(&self, appeal: &Id) -> Option<Id> {
        self.appeals.get(appeal).cloned()
    }

    /// Closes the application's appeal, if one is open.
    fn close_appeal(&mut self, app: &Id, stage: AppealStage) {
        if let Some(appeal) = self.apps.get_mut(app).and_then(|a| a.appeal.as_mut())
            && appeal.stage == AppealStage::Open
        {
            appeal.stage = stage;
        }
    }

    /// Whether a notice is open: not exempted, not carried out by a recall,
    /// and its award still active (only an award's latest notice can be).
    pub fn notice_open(&self, notice: &NoticeFacts) -> bool {
        !matches!(notice.exemption, Exemption::Granted)
            && !notice.carried_out
            && self
                .awards
                .get(&notice.award_id)
                .is_some_and(AwardFacts::active)
    }

    fn set_status(&mut self, app: &Id, status: Status) {
        if let Some(a) = self.apps.get_mut(app) {
            a.status = status;
        }
    }

    fn start_award(
        &mut self,
        award: &Id,
        app: &Id,
        gpus: u32,
        origin: Origin,
        starts_at: &Timestamp,
        ends_at: &Timestamp,
    ) {
        let Some(a) = self.apps.get_mut(app) else {
            return;
        };
        a.status = Status::Awarded;
        let pool_id = self.calls[&a.call_id]
            .tracks
            .iter()
            .find(|t| t.track_id == a.track_id)
            .map(|t| t.pool_id.clone())
            .expect("the application's track exists");
        self.awards.insert(
            award.clone(),
            AwardFacts {
                application_id: app.clone(),
                org_id: a.org_id.clone(),
                call_id: a.call_id.clone(),
                track_id: a.track_id.clone(),
                pool_id,
                granted: gpus,
                held: gpus,
                supplemented: 0,
                ended: false,
                origin,
                starts_at: starts_at.clone(),
                ends_at: ends_at.clone(),
            },
        );
    }

    /// Where an award's GPUs are counted: (org, call, track, pool), known
    /// before the award exists from its application.
    pub fn award_keys_of_application(&self, app: &Id) -> (Id, Id, Id, Id) {
        let a = &self.apps[app];
        let pool = self.track(&a.call_id, &a.track_id).pool_id.clone();
        (
            a.org_id.clone(),
            a.call_id.clone(),
            a.track_id.clone(),
            pool,
        )
    }
}
