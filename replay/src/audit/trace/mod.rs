//! `gpu-ledger audit trace`: the full story of an award, an application or
//! an organization, in seq order, each line with its seq and hash.
//!
//! The story of an award: its application, scores and any conflict
//! declared with it, its rejection and appeal when it had one, the award,
//! its utilization reports, its notices and the exemptions asked and
//! decided on them, its recalls, where the recalled GPUs went
//! (redistributions and releases), its extensions and supplements, what it
//! produced (outputs) and its end. When the award itself came
//! from a redistribution, the story starts further back: the recall its
//! GPUs came from and the award that recall came from, and so on to the
//! first grant. An application's story is its own events and the story of
//! each of its awards; an organization's, its registration and the story of
//! each of its applications.
//!
//! Which events belong to a story is only known once later events are seen
//! (a recall names its award, not the organization), so the trace reads the
//! ledger twice: the first pass checks it and learns the relationships, the
//! second collects the events that belong, up to the same record. Memory
//! holds the entities and the story, never the whole history.

mod describe;

use super::AuditError;
use super::integrity::replay_checked;
use super::render::{Document, Documented, code, grouped, text};
use super::words::words;
use crate::language::Language;
use crate::source::{Source, SourceError};
use crate::views::Until;
use describe::describe;
use gpu_ledger_domain::{Body, Event, Id};
use gpu_ledger_ledger::Hash;
use gpu_ledger_projections::Catalog;
use gpu_ledger_projections::catalog::Origin;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// Whose story.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Award(Id),
    Application(Id),
    Organization(Id),
}

impl Subject {
    fn what(&self) -> &'static str {
        match self {
            Subject::Award(_) => "award",
            Subject::Application(_) => "application",
            Subject::Organization(_) => "organization",
        }
    }

    fn id(&self) -> &Id {
        match self {
            Subject::Award(id) | Subject::Application(id) | Subject::Organization(id) => id,
        }
    }
}

/// What part an event plays in the story.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Organization,
    Application,
    Score,
    /// The application's rejection or withdrawal.
    ApplicationClosed,
    Award,
    Utilization,
    Recall,
    /// Recalled GPUs of the story's awards lent again.
    RedistributedOut,
    /// Recalled GPUs of the story's awards returned to the pool.
    Released,
    Ended,
    /// The recall an award of the story got its GPUs from.
    OriginRecall,
    /// The award that recall took them from.
    OriginAward,
    /// A conflict declared with the story's application or organization.
    Conflict,
    Appeal,
    AppealDecided,
    Notice,
    ExemptionRequested,
    ExemptionDecided,
    Extended,
    Supplemented,
    Output,
}

impl Role {
    /// The catalog's key of the part, e.g. `role-origin-recall`.
    fn key(self) -> &'static str {
        match self {
            Role::Organization => "role-organization",
            Role::Application => "role-application",
            Role::Score => "role-score",
            Role::ApplicationClosed => "role-application-closed",
            Role::Award => "role-award",
            Role::Utilization => "role-utilization",
            Role::Recall => "role-recall",
            Role::RedistributedOut => "role-redistributed-out",
            Role::Released => "role-released",
            Role::Ended => "role-ended",
            Role::OriginRecall => "role-origin-recall",
            Role::OriginAward => "role-origin-award",
            Role::Conflict => "role-conflict",
            Role::Appeal => "role-appeal",
            Role::AppealDecided => "role-appeal-decided",
            Role::Notice => "role-notice",
            Role::ExemptionRequested => "role-exemption-requested",
            Role::ExemptionDecided => "role-exemption-decided",
            Role::Extended => "role-extended",
            Role::Supplemented => "role-supplemented",
            Role::Output => "role-output",
        }
    }

    /// The part in `lang`'s words.
    pub fn said(self, lang: Language) -> String {
        words(lang).text(self.key())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SubjectShown {
    pub kind: &'static str,
    pub id: Id,
}

/// A story.
#[derive(Debug, Clone, Serialize)]
pub struct Trace {
    pub subject: SubjectShown,
    /// The last record read.
    pub as_of_seq: u64,
    pub head_hash: Hash,
    pub lines: Vec<TraceLine>,
}

/// One event of a story, as people read it.
#[derive(Debug, Clone, Serialize)]
pub struct TraceLine {
    pub seq: u64,
    pub hash: Hash,
    pub occurred_at: String,
    #[serde(rename = "type")]
    pub event_type: &'static str,
    pub role: Role,
    /// What happened, in English (as JSON and Markdown have it).
    pub text: String,
    /// The same in Korean, for the pages read in Korean.
    #[serde(skip)]
    pub korean: String,
    /// The event as stored.
    pub event: serde_json::Value,
}

/// The ids whose events make up the story.
#[derive(Debug, Default)]
struct Story {
    orgs: HashSet<Id>,
    apps: HashSet<Id>,
    /// Awards whose whole life belongs.
    awards: HashSet<Id>,
    /// Recalls of those awards, with where their GPUs went.
    recalls: HashSet<Id>,
    /// Recalls that gave GPUs to the story's awards: their issue only.
    origin_recalls: HashSet<Id>,
    /// Awards those recalls came from: their creation only.
    origin_awards: HashSet<Id>,
    /// Appeals of the story's applications.
    appeals: HashSet<Id>,
    /// Notices on the story's awards, with their exemptions.
    notices: HashSet<Id>,
}

/// What the catalog does not keep and a story needs: which award each
/// notice is on. Learned in the first pass.
#[derive(Debug, Default)]
struct Notices {
    award_of: HashMap<Id, Id>,
}

impl Notices {
    fn apply(&mut self, event: &Event) {
        if let Body::RecallNoticed(e) = &event.body {
            self.award_of
                .insert(e.notice_id.clone(), e.award_id.clone());
        }
    }
}

impl Story {
    fn of(cat: &Catalog, notices: &Notices, subject: &Subject) -> Result<Story, AuditError> {
        let unknown = || AuditError::UnknownSubject {
            what: subject.what(),
            id: subject.id().clone(),
        };
        let mut recalls_of: HashMap<&Id, Vec<&Id>> = HashMap::new();
        for (id, r) in &cat.recalls {
            recalls_of.entry(&r.award_id).or_default().push(id);
        }
        let mut story = Story::default();
        let mut awards: Vec<&Id> = Vec::new();
        match subject {
            Subject::Award(id) => {
                let (id, a) = cat.awards.get_key_value(id).ok_or_else(unknown)?;
                story.apps.insert(a.application_id.clone());
                awards.push(id);
            }
            Subject::Application(id) => {
                if !cat.apps.contains_key(id) {
                    return Err(unknown());
                }
                story.apps.insert(id.clone());
                awards.extend(
                    cat.awards
                        .iter()
                        .filter(|(_, a)| a.application_id == *id)
                        .map(|(k, _)| k),
                );
            }
            Subject::Organization(id) => {
                if !cat.orgs.contains_key(id) {
                    return Err(unknown());
                }
                story.orgs.insert(id.clone());
                story.apps.extend(
                    cat.apps
                        .iter()
                        .filter(|(_, a)| a.org_id == *id)
                        .map(|(k, _)| k.clone()),
                );
                awards.extend(
                    cat.awards
                        .iter()
                        .filter(|(_, a)| a.org_id == *id)
                        .map(|(k, _)| k),
                );
            }
        }
        for award in awards {
            story.awards.insert(award.clone());
            story.recalls.extend(
                recalls_of
                    .get(award)
                    .into_iter()
                    .flatten()
                    .map(|&r| r.clone()),
            );
            story.provenance(cat, award);
        }
        story.appeals.extend(
            cat.appeals
                .iter()
                .filter(|(_, app)| story.apps.contains(*app))
                .map(|(appeal, _)| appeal.clone()),
        );
        story.notices.extend(
            notices
                .award_of
                .iter()
                .filter(|(_, award)| story.awards.contains(*award))
                .map(|(notice, _)| notice.clone()),
        );
        Ok(story)
    }

    /// Follows a redistributed award back, recall by recall, to the first grant.
    fn provenance(&mut self, cat: &Catalog, award: &Id) {
        let mut current = &cat.awards[award];
        while let Origin::Redistributed { recall_id } = &current.origin {
            if !self.origin_recalls.insert(recall_id.clone()) {
                return;
            }
            let from = &cat.recalls[recall_id].award_id;
            self.origin_awards.insert(from.clone());
            current = &cat.awards[from];
        }
    }

    fn role(&self, event: &Event) -> Option<Role> {
        let app = |id: &Id| self.apps.contains(id);
        let award = |id: &Id| self.awards.contains(id);
        match &event.body {
            Body::OrganizationRegistered(e) => {
                self.orgs.contains(&e.org_id).then_some(Role::Organization)
            }
            Body::ApplicationSubmitted(e) => app(&e.application_id).then_some(Role::Application),
            Body::ScoreRecorded(e) => app(&e.application_id).then_some(Role::Score),
            Body::ApplicationRejected(e) => {
                app(&e.application_id).then_some(Role::ApplicationClosed)
            }
            Body::ApplicationWithdrawn(e) => {
                app(&e.application_id).then_some(Role::ApplicationClosed)
            }
            Body::AwardGranted(e) if award(&e.award_id) => Some(Role::Award),
            Body::AwardGranted(e) => self
                .origin_awards
                .contains(&e.award_id)
                .then_some(Role::OriginAward),
            Body::Redistributed(e) if award(&e.award_id) => Some(Role::Award),
            Body::Redistributed(e) if self.recalls.contains(&e.recall_id) => {
                Some(Role::RedistributedOut)
            }
            Body::Redistributed(e) => self
                .origin_awards
                .contains(&e.award_id)
                .then_some(Role::OriginAward),
            Body::UtilizationReported(e) => award(&e.award_id).then_some(Role::Utilization),
            Body::RecallIssued(e) if self.recalls.contains(&e.recall_id) => Some(Role::Recall),
            Body::RecallIssued(e) => self
                .origin_recalls
                .contains(&e.recall_id)
                .then_some(Role::OriginRecall),
            Body::RecallReleased(e) => self
                .recalls
                .contains(&e.recall_id)
                .then_some(Role::Released),
            Body::AwardEnded(e) => award(&e.award_id).then_some(Role::Ended),
            Body::ConflictDeclared(e) => {
                let with_app = e.application_id.as_ref().is_some_and(app);
                let with_org = e.org_id.as_ref().is_some_and(|o| self.orgs.contains(o));
                (with_app || with_org).then_some(Role::Conflict)
            }
            Body::AppealFiled(e) => app(&e.application_id).then_some(Role::Appeal),
            Body::AppealDecided(e) => self
                .appeals
                .contains(&e.appeal_id)
                .then_some(Role::AppealDecided),
            Body::RecallNoticed(e) => award(&e.award_id).then_some(Role::Notice),
            Body::ExemptionRequested(e) => self
                .notices
                .contains(&e.notice_id)
                .then_some(Role::ExemptionRequested),
            Body::ExemptionDecided(e) => self
                .notices
                .contains(&e.notice_id)
                .then_some(Role::ExemptionDecided),
            Body::AwardExtended(e) => award(&e.award_id).then_some(Role::Extended),
            Body::AwardSupplemented(e) => award(&e.award_id).then_some(Role::Supplemented),
            Body::OutputReported(e) => award(&e.award_id).then_some(Role::Output),
            Body::PoolRegistered(_)
            | Body::PoolResized(_)
            | Body::CallOpened(_)
            | Body::CallClosed(_)
            | Body::ReviewerRegistered(_) => None,
        }
    }
}

/// Traces `subject` up to `until`; `open` gives the source anew for each of
/// the two passes.
pub async fn trace(
    mut open: impl FnMut() -> Result<Source, SourceError>,
    subject: &Subject,
    until: Until,
    mut on_progress: impl FnMut(u64),
) -> Result<Trace, AuditError> {
    let mut cat = Catalog::default();
    let mut notices = Notices::default();
    let first = replay_checked(
        &mut open()?,
        until,
        |s| {
            cat.apply(s.event);
            notices.apply(s.event);
        },
        &mut on_progress,
    )
    .await?;
    if let Some(seq) = first.first_bad_seq {
        return Err(AuditError::Broken {
            seq,
            reason: first.reason.unwrap_or_default(),
        });
    }
    let story = Story::of(&cat, &notices, subject)?;
    let mut lines = Vec::new();
    let second = replay_checked(
        &mut open()?,
        Until::Seq(first.events_checked),
        |s| {
            if let Some(role) = story.role(s.event) {
                lines.push(TraceLine {
                    seq: s.seq,
                    hash: s.hash,
                    occurred_at: s.event.occurred_at.to_string(),
                    event_type: s.event.event_type().as_str(),
                    role,
                    text: describe(&cat, s.event, &words(Language::En)),
                    korean: describe(&cat, s.event, &words(Language::Ko)),
                    event: serde_json::to_value(s.event).expect("events serialise"),
                });
            }
        },
        &mut on_progress,
    )
    .await?;
    if (second.events_checked, second.head_hash) != (first.events_checked, first.head_hash) {
        return Err(AuditError::Broken {
            seq: second.first_bad_seq.unwrap_or(second.events_checked + 1),
            reason: "the ledger read differently the second time".into(),
        });
    }
    Ok(Trace {
        subject: SubjectShown {
            kind: subject.what(),
            id: subject.id().clone(),
        },
        as_of_seq: first.events_checked,
        head_hash: first.head_hash,
        lines,
    })
}

impl Documented for Trace {
    fn document(&self) -> Document {
        let mut d = Document::new(format!(
            "Trace of {} {}",
            self.subject.kind, self.subject.id
        ));
        d.paragraph(vec![
            text(format!(
                "{} events of the ledger up to seq {} (head ",
                grouped(self.lines.len() as u64),
                grouped(self.as_of_seq)
            )),
            code(self.head_hash.to_string()),
            text("), in seq order."),
        ]);
        d.table(
            &[
                ("seq", true),
                ("occurred_at", false),
                ("role", false),
                ("what", false),
                ("hash", false),
            ],
            self.lines
                .iter()
                .map(|l| {
                    vec![
                        vec![text(grouped(l.seq))],
                        vec![code(&l.occurred_at)],
                        vec![text(l.role.said(Language::En))],
                        vec![text(&l.text)],
                        vec![code(l.hash.to_string())],
                    ]
                })
                .collect(),
        );
        d
    }
}
