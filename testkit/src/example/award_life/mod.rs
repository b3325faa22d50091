//! Chapter 5, June to August 2026: the rest of an award's life (vocabulary
//! v2). The office registers its reviewers and records their conflicts of
//! interest; selects the follow-up call, whose rejected applicants appeal
//! (one upheld, re-scored and awarded; one dismissed; one still open); gives
//! notice before recalling underused GPUs and hears the holders (an
//! exemption granted, one refused and the recall carried out, a notice left
//! unanswered and carried out after its date, a request still undecided, a
//! notice still open); extends terms, tops up a partly funded award, and
//! collects what the GPUs produced. A third call asks for notice periods and
//! a shorter appeal window.
//!
//! The chapter reads the first part of the history (it never changes it: its
//! events all come later) and checks every event it tells against the
//! domain's rules as it goes, so a change that broke one fails here.

mod appeals;
mod notices;
mod outputs;
mod reviewers;
mod third_call;

use appeals::*;
use notices::*;
use outputs::*;
use reviewers::*;
use third_call::*;

use super::calendar::Kst;
use super::{CSP_AI_POOL, FIRST_CALL, FOLLOW_UP_CALL, PROGRAMME_OFFICE};
use crate::value;
use gpu_ledger_domain::appeal::{AppealDecided, AppealFiled};
use gpu_ledger_domain::application::{ApplicationRejected, ApplicationSubmitted, Purpose};
use gpu_ledger_domain::award::AwardGranted;
use gpu_ledger_domain::call::{CallClosed, CallOpened, TrackSpec};
use gpu_ledger_domain::extension::AwardExtended;
use gpu_ledger_domain::notice::{
    ExemptionDecided, ExemptionRequested, NoticeReason, RecallNoticed,
};
use gpu_ledger_domain::organization::{Region, Sector};
use gpu_ledger_domain::output::{OutputKind, OutputReported};
use gpu_ledger_domain::recall::{RecallIssued, RecallReason};
use gpu_ledger_domain::reviewer::{ConflictDeclared, ConflictSource, ReviewerRegistered};
use gpu_ledger_domain::score::ScoreRecorded;
use gpu_ledger_domain::supplement::AwardSupplemented;
use gpu_ledger_domain::{Body, Event, Programme};
use std::collections::BTreeMap;

const THIRD_CALL: &str = "CALL-2026-02";

/// What the first part left that this chapter acts on.
#[derive(Default)]
struct Before {
    orgs: BTreeMap<String, (Sector, Region)>,
    /// Follow-up call applications: id -> (track, org, requested, score sum, reviews).
    follow_up: BTreeMap<String, (String, String, u32, u64, u64)>,
    /// First-call awards: id -> (org, GPUs held, active).
    first_awards: BTreeMap<String, (String, u32, bool)>,
    /// The follow-up call's tracks: id -> (pool, GPUs, regional bonus).
    tracks: BTreeMap<String, u32>,
    reviewers: Vec<String>,
}

impl Before {
    fn of(events: &[Event]) -> Self {
        let mut b = Before::default();
        let mut award_apps: BTreeMap<String, String> = BTreeMap::new();
        let mut first_apps: BTreeMap<String, String> = BTreeMap::new();
        for e in events {
            match &e.body {
                Body::OrganizationRegistered(o) => {
                    b.orgs.insert(o.org_id.to_string(), (o.sector, o.region));
                }
                Body::CallOpened(c) if c.call_id.as_str() == FOLLOW_UP_CALL => {
                    for t in &c.tracks {
                        b.tracks.insert(t.track_id.to_string(), t.regional_bonus());
                    }
                }
                Body::ApplicationSubmitted(a) if a.call_id.as_str() == FOLLOW_UP_CALL => {
                    b.follow_up.insert(
                        a.application_id.to_string(),
                        (
                            a.track_id.to_string(),
                            a.org_id.to_string(),
                            a.requested_gpus,
                            0,
                            0,
                        ),
                    );
                }
                Body::ApplicationSubmitted(a) if a.call_id.as_str() == FIRST_CALL => {
                    first_apps.insert(a.application_id.to_string(), a.org_id.to_string());
                }
                Body::ScoreRecorded(s) => {
                    if !b.reviewers.iter().any(|r| r == s.reviewer_id.as_str()) {
                        b.reviewers.push(s.reviewer_id.to_string());
                    }
                    if let Some(a) = b.follow_up.get_mut(s.application_id.as_str()) {
                        a.3 += u64::from(s.score);
                        a.4 += 1;
                    }
                }
                Body::AwardGranted(g) => {
                    if let Some(org) = first_apps.get(g.application_id.as_str()) {
                        b.first_awards
                            .insert(g.award_id.to_string(), (org.clone(), g.gpus, true));
                    }
                    award_apps.insert(g.award_id.to_string(), g.application_id.to_string());
                }
                Body::Redistributed(r) => {
                    if let Some(org) = first_apps.get(r.application_id.as_str()) {
                        b.first_awards
                            .insert(r.award_id.to_string(), (org.clone(), r.gpus, true));
                    }
                }
                Body::RecallIssued(r) => {
                    if let Some(a) = b.first_awards.get_mut(r.award_id.as_str()) {
                        a.1 -= r.gpus;
                        a.2 = a.1 > 0;
                    }
                }
                Body::AwardEnded(x) => {
                    if let Some(a) = b.first_awards.get_mut(x.award_id.as_str()) {
                        a.2 = false;
                    }
                }
                _ => {}
            }
        }
        b.reviewers.sort();
        b
    }

    /// A follow-up application's rank score: mean plus the regional bonus,
    /// as a fraction (numerator, denominator) compared exactly.
    fn rank(&self, app: &str) -> (u64, u64) {
        let (track, org, _, sum, n) = &self.follow_up[app];
        let bonus = match self.orgs[org].1 {
            Region::NonCapital => u64::from(self.tracks[track]),
            Region::Capital => 0,
        };
        (sum + bonus * n, *n)
    }

    fn active_first_awards(&self, min_gpus: u32) -> Vec<(String, String, u32)> {
        self.first_awards
            .iter()
            .filter(|(_, (_, held, active))| *active && *held >= min_gpus)
            .map(|(id, (org, held, _))| (id.clone(), org.clone(), *held))
            .collect()
    }
}

/// The chapter's events, told in business-time order and each accepted by
/// the rules against everything before it.
struct Chapter {
    rules: Programme,
    events: Vec<Event>,
    last: Option<Kst>,
}

impl Chapter {
    /// Tells `body` at `at` (or a second after the last event, if later).
    fn tell(&mut self, at: Kst, actor: &str, body: impl Into<Body>) {
        if let Err(e) = self.told(at, actor, body.into()) {
            panic!("the chapter told an event the rules refuse: {e}");
        }
    }

    /// Tells `body` if the rules accept it; whether they did.
    fn try_tell(&mut self, at: Kst, actor: &str, body: impl Into<Body>) -> bool {
        self.told(at, actor, body.into()).is_ok()
    }

    fn told(
        &mut self,
        at: Kst,
        actor: &str,
        body: Body,
    ) -> Result<(), gpu_ledger_domain::RuleError> {
        let at = match self.last {
            Some(last) if at <= last => last.plus_seconds(1),
            _ => at,
        };
        let event = Event {
            occurred_at: at.timestamp(),
            actor: value::actor(actor),
            note: None,
            body,
        };
        let undo = self.rules.savepoint();
        match self.rules.accept(&event) {
            Ok(()) => {
                self.rules.release(undo);
                self.events.push(event);
                self.last = Some(at);
                Ok(())
            }
            Err(e) => {
                self.rules.rollback(undo);
                Err(e)
            }
        }
    }
}

/// The second part of the example history: every event of vocabulary v2,
/// after `first_part` (which it reads, and never changes). The steps are
/// told in business-time order.
pub(super) fn award_life(first_part: &[Event]) -> Vec<Event> {
    let before = Before::of(first_part);
    let mut rules = Programme::new();
    for e in first_part {
        rules
            .accept(e)
            .expect("the first part of the example history is valid");
    }
    let mut c = Chapter {
        rules,
        events: Vec::new(),
        last: None,
    };
    let reviewers = register_reviewers(&mut c, &before);
    declare_conflicts(&mut c, &before, &reviewers);
    let mut selection = select_follow_up_call(&mut c, &before);
    let awards = before.active_first_awards(16);
    appeal(
        &mut c,
        &before,
        1,
        &selection.rejected[0],
        Kst::on(2026, 6, 12, 16, 0),
    );
    appeal(
        &mut c,
        &before,
        2,
        &selection.rejected[1],
        Kst::on(2026, 6, 13, 9, 0),
    );
    let june = Kst::on(2026, 6, 15, 10, 0);
    for (n, (award, ..)) in awards.iter().take(3).enumerate() {
        notice(&mut c, &format!("N-2026-{:03}", n + 1), award, june, 14);
    }
    decide_appeal(&mut c, "AP-2026-001", true, Kst::on(2026, 6, 19, 14, 0));
    decide_appeal(&mut c, "AP-2026-002", false, Kst::on(2026, 6, 20, 10, 0));
    // The third comes on the last days of its window and is still open at the end.
    appeal(
        &mut c,
        &before,
        3,
        &selection.rejected[2],
        Kst::on(2026, 6, 21, 17, 30),
    );
    request(&mut c, 1, &awards[0].1, Kst::on(2026, 6, 22, 11, 0));
    rescore_upheld(&mut c, &selection, &reviewers);
    request(&mut c, 2, &awards[1].1, Kst::on(2026, 6, 23, 16, 0));
    decide_exemption(&mut c, 1, true, Kst::on(2026, 6, 24, 15, 0));
    award_upheld(&mut c, &before, &mut selection);
    decide_exemption(&mut c, 2, false, Kst::on(2026, 6, 26, 15, 0));
    // Refused: the recall may come at once; unanswered: after respond_by.
    recall(&mut c, 1, 2, &awards[1].0, Kst::on(2026, 6, 27, 10, 0));
    recall(&mut c, 2, 3, &awards[2].0, Kst::on(2026, 6, 30, 10, 0));
    extend_terms(&mut c, &before);
    let third = open_third_call(&mut c, &before);
    supplement(&mut c, &selection);
    let third_awards = select_third_call(&mut c, &third, &reviewers);
    appeal_third_call(&mut c, &third, Kst::on(2026, 8, 7, 16, 0));
    // August: a request still undecided, and notices still open, at the end.
    let august = |day, hour| Kst::on(2026, 8, day, hour, 0);
    notice(&mut c, "N-2026-004", &awards[3].0, august(10, 10), 14);
    decide_appeal(&mut c, "AP-2026-R01", false, august(14, 11));
    request(&mut c, 4, &awards[3].1, august(17, 10));
    // The third call's notices give the fourteen days it asks, to the second.
    let off_purpose = NoticeReason::OffPurposeUse;
    notice_for(
        &mut c,
        "N-2026-R01",
        &third_awards[0],
        off_purpose,
        august(17, 14),
        14,
    );
    notice(&mut c, "N-2026-005", &awards[4].0, august(20, 10), 14);
    report_outputs(&mut c, &before, Kst::on(2026, 8, 21, 9, 0));
    c.events
}
