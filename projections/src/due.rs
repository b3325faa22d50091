//! `due` (vocabulary v2): what the programme office must act on at one
//! instant, "now": open recall notices and how far their `respond_by` is,
//! exemption requests waiting for a decision, open appeals and the date by
//! which each should be decided, active awards whose term ends within
//! [`ENDING_WITHIN_DAYS`] days, and active awards past their end.
//!
//! "Now" is given by the caller, else it is the `occurred_at` of the last
//! event the view includes (in seq order, not the latest business time, as
//! the audits read "now"). The view keeps nothing of its own: it reads the
//! catalog's notices, appeals and awards, so a different "now" needs no
//! replay.

use crate::catalog::{AppealStage, AwardFacts, Catalog, Exemption, NoticeFacts};
use crate::days::{Countdown, seconds_between};
use crate::table::{Cell, Table, yes_no};
use gpu_ledger_domain::timestamp::utc_text;
use gpu_ledger_domain::{Id, Instant, Timestamp};
use serde::Serialize;

/// Awards whose term ends at most this many days after now are listed.
pub const ENDING_WITHIN_DAYS: u32 = 30;

/// Days after its filing by which an appeal should be decided: the audit's
/// `appeal_undecided_too_long` reports one open longer, by default.
pub const APPEAL_DECISION_DAYS: u32 = 30;

pub fn view(cat: &Catalog, now: Option<&Timestamp>) -> DueView {
    let Some(now) = now else {
        return DueView::default();
    };
    let at = now.instant();
    let mut view = DueView {
        now: Some(now.to_string()),
        ..DueView::default()
    };
    let mut notices: Vec<(&Id, &NoticeFacts)> = cat.notices.iter().collect();
    notices.sort_by_key(|(id, n)| (n.respond_by.instant(), *id));
    let mut requests = Vec::new();
    for (id, n) in notices {
        let award = &cat.awards[&n.award_id];
        if let Exemption::Requested { at: asked } = &n.exemption {
            requests.push((asked.instant(), exemption_due(cat, id, n, award, asked, at)));
        }
        if cat.notice_open(n) {
            view.notices.push(notice_due(cat, id, n, award, at));
        }
    }
    requests.sort_by(|(a, x), (b, y)| (a, &x.notice_id).cmp(&(b, &y.notice_id)));
    view.exemption_requests = requests.into_iter().map(|(_, r)| r).collect();
    view.appeals = appeals_due(cat, at);
    let mut awards: Vec<(&Id, &AwardFacts)> =
        cat.awards.iter().filter(|(_, a)| a.active()).collect();
    awards.sort_by_key(|(id, a)| (a.ends_at.instant(), *id));
    let horizon = at.plus_days(ENDING_WITHIN_DAYS);
    for (id, a) in awards {
        let ends = a.ends_at.instant();
        let line = || award_due(cat, id, a, at);
        if ends < at {
            view.awards_past_end.push(line());
        } else if ends <= horizon {
            view.awards_ending.push(line());
        }
    }
    view.counts = Counts {
        notices: view.notices.len() as u64,
        notices_past_respond_by: view.notices.iter().filter(|n| n.left.overdue).count() as u64,
        exemption_requests: view.exemption_requests.len() as u64,
        appeals: view.appeals.len() as u64,
        appeals_overdue: view.appeals.iter().filter(|a| a.left.overdue).count() as u64,
        awards_ending: view.awards_ending.len() as u64,
        awards_past_end: view.awards_past_end.len() as u64,
    };
    view
}

fn notice_due(
    cat: &Catalog,
    id: &Id,
    n: &NoticeFacts,
    award: &AwardFacts,
    at: Instant,
) -> NoticeDue {
    let left = Countdown::to(n.respond_by.instant(), at);
    let (exemption, action) = match (&n.exemption, left.overdue) {
        (Exemption::Requested { .. }, _) => ("requested", "decide_exemption"),
        (Exemption::Refused, _) => ("refused", "may_recall"),
        (_, false) => ("none", "await_response"),
        (_, true) => ("none", "may_recall"),
    };
    NoticeDue {
        notice_id: id.clone(),
        award_id: n.award_id.clone(),
        org_id: award.org_id.clone(),
        org_name: cat.org(&award.org_id).name.to_string(),
        gpus: n.gpus,
        reason: n.reason.as_str(),
        noticed_at: n.noticed_at.to_string(),
        respond_by: n.respond_by.to_string(),
        exemption,
        action,
        left,
    }
}

fn exemption_due(
    cat: &Catalog,
    id: &Id,
    n: &NoticeFacts,
    award: &AwardFacts,
    asked: &Timestamp,
    at: Instant,
) -> ExemptionDue {
    ExemptionDue {
        notice_id: id.clone(),
        award_id: n.award_id.clone(),
        org_id: award.org_id.clone(),
        org_name: cat.org(&award.org_id).name.to_string(),
        requested_at: asked.to_string(),
        respond_by: n.respond_by.to_string(),
        notice_open: cat.notice_open(n),
        days_waiting: seconds_between(asked.instant(), at) / Instant::DAY_SECONDS as u64,
    }
}

fn appeals_due(cat: &Catalog, at: Instant) -> Vec<AppealDue> {
    let mut appeals: Vec<(Instant, AppealDue)> = cat
        .apps
        .iter()
        .filter_map(|(app_id, a)| {
            let appeal = a.appeal.as_ref().filter(|p| p.stage == AppealStage::Open)?;
            let decide_by = appeal.filed_at.instant().plus_days(APPEAL_DECISION_DAYS);
            let line = AppealDue {
                appeal_id: appeal.appeal_id.clone(),
                application_id: app_id.clone(),
                org_id: a.org_id.clone(),
                org_name: cat.org(&a.org_id).name.to_string(),
                call_id: a.call_id.clone(),
                track_id: a.track_id.clone(),
                filed_at: appeal.filed_at.to_string(),
                decide_by: utc_text(decide_by),
                left: Countdown::to(decide_by, at),
            };
            Some((decide_by, line))
        })
        .collect();
    appeals.sort_by(|(a, x), (b, y)| (a, &x.appeal_id).cmp(&(b, &y.appeal_id)));
    appeals.into_iter().map(|(_, line)| line).collect()
}

fn award_due(cat: &Catalog, id: &Id, a: &AwardFacts, at: Instant) -> AwardDue {
    AwardDue {
        award_id: id.clone(),
        application_id: a.application_id.clone(),
        org_id: a.org_id.clone(),
        org_name: cat.org(&a.org_id).name.to_string(),
        call_id: a.call_id.clone(),
        track_id: a.track_id.clone(),
        held_gpus: a.held,
        ends_at: a.ends_at.to_string(),
        left: Countdown::to(a.ends_at.instant(), at),
    }
}

#[derive(Debug, Serialize)]
pub struct DueView {
    /// The instant deadlines are judged at; `null` on an empty ledger.
    pub now: Option<String>,
    pub ending_within_days: u32,
    pub appeal_decision_days: u32,
    pub counts: Counts,
    pub notices: Vec<NoticeDue>,
    pub exemption_requests: Vec<ExemptionDue>,
    pub appeals: Vec<AppealDue>,
    pub awards_ending: Vec<AwardDue>,
    pub awards_past_end: Vec<AwardDue>,
}

impl Default for DueView {
    fn default() -> Self {
        Self {
            now: None,
            ending_within_days: ENDING_WITHIN_DAYS,
            appeal_decision_days: APPEAL_DECISION_DAYS,
            counts: Counts::default(),
            notices: Vec::new(),
            exemption_requests: Vec::new(),
            appeals: Vec::new(),
            awards_ending: Vec::new(),
            awards_past_end: Vec::new(),
        }
    }
}

/// How many rows each list has, and how many of them are late.
#[derive(Debug, Default, Serialize)]
pub struct Counts {
    pub notices: u64,
    pub notices_past_respond_by: u64,
    pub exemption_requests: u64,
    pub appeals: u64,
    pub appeals_overdue: u64,
    pub awards_ending: u64,
    pub awards_past_end: u64,
}

#[derive(Debug, Serialize)]
pub struct NoticeDue {
    pub notice_id: Id,
    pub award_id: Id,
    pub org_id: Id,
    pub org_name: String,
    pub gpus: u32,
    pub reason: &'static str,
    pub noticed_at: String,
    pub respond_by: String,
    /// `none`, `requested` (undecided) or `refused`.
    pub exemption: &'static str,
    /// What the rules let the office do next.
    pub action: &'static str,
    #[serde(flatten)]
    pub left: Countdown,
}

#[derive(Debug, Serialize)]
pub struct ExemptionDue {
    pub notice_id: Id,
    pub award_id: Id,
    pub org_id: Id,
    pub org_name: String,
    pub requested_at: String,
    pub respond_by: String,
    /// A request outlives its notice (the award may have ended): it still
    /// waits for a decision.
    pub notice_open: bool,
    pub days_waiting: u64,
}

#[derive(Debug, Serialize)]
pub struct AppealDue {
    pub appeal_id: Id,
    pub application_id: Id,
    pub org_id: Id,
    pub org_name: String,
    pub call_id: Id,
    pub track_id: Id,
    pub filed_at: String,
    /// `filed_at` plus [`APPEAL_DECISION_DAYS`], in UTC.
    pub decide_by: String,
    #[serde(flatten)]
    pub left: Countdown,
}

#[derive(Debug, Serialize)]
pub struct AwardDue {
    pub award_id: Id,
    pub application_id: Id,
    pub org_id: Id,
    pub org_name: String,
    pub call_id: Id,
    pub track_id: Id,
    pub held_gpus: u32,
    pub ends_at: String,
    #[serde(flatten)]
    pub left: Countdown,
}

fn countdown_cells(c: &Countdown) -> [Cell; 2] {
    [c.days_left.into(), c.days_overdue.into()]
}

impl DueView {
    pub fn tables(&self) -> Vec<Table> {
        let now = self.now.as_deref().unwrap_or("no event yet");
        let mut notices = Table::new(
            "notices",
            format!("Open recall notices (now: {now})"),
            vec![
                "notice_id",
                "award_id",
                "org_id",
                "gpus",
                "reason",
                "respond_by",
                "exemption",
                "action",
                "days_left",
                "days_overdue",
            ],
        );
        for n in &self.notices {
            let mut row: Vec<Cell> = vec![
                n.notice_id.to_string().into(),
                n.award_id.to_string().into(),
                n.org_id.to_string().into(),
                n.gpus.into(),
                n.reason.into(),
                n.respond_by.clone().into(),
                n.exemption.into(),
                n.action.into(),
            ];
            row.extend(countdown_cells(&n.left));
            notices.row(row);
        }
        let requests = Table::of(
            "exemption_requests",
            "Exemption requests waiting for a decision",
            &self.exemption_requests,
            &[
                ("notice_id", |r| r.notice_id.to_string().into()),
                ("award_id", |r| r.award_id.to_string().into()),
                ("org_id", |r| r.org_id.to_string().into()),
                ("requested_at", |r| r.requested_at.clone().into()),
                ("respond_by", |r| r.respond_by.clone().into()),
                ("notice_open", |r| yes_no(r.notice_open)),
                ("days_waiting", |r| r.days_waiting.into()),
            ],
        );
        let mut appeals = Table::new(
            "appeals",
            format!(
                "Open appeals (to decide within {} days of filing)",
                self.appeal_decision_days
            ),
            vec![
                "appeal_id",
                "application_id",
                "org_id",
                "call_id",
                "track_id",
                "filed_at",
                "decide_by",
                "days_left",
                "days_overdue",
            ],
        );
        for a in &self.appeals {
            let mut row: Vec<Cell> = vec![
                a.appeal_id.to_string().into(),
                a.application_id.to_string().into(),
                a.org_id.to_string().into(),
                a.call_id.to_string().into(),
                a.track_id.to_string().into(),
                a.filed_at.clone().into(),
                a.decide_by.clone().into(),
            ];
            row.extend(countdown_cells(&a.left));
            appeals.row(row);
        }
        let ending = award_table(
            "awards_ending",
            format!(
                "Active awards ending within {} days",
                self.ending_within_days
            ),
            &self.awards_ending,
        );
        let past = award_table(
            "awards_past_end",
            "Active awards past their end".to_string(),
            &self.awards_past_end,
        );
        vec![notices, requests, appeals, ending, past]
    }
}

fn award_table(name: &'static str, title: String, awards: &[AwardDue]) -> Table {
    let mut t = Table::new(
        name,
        title,
        vec![
            "award_id",
            "org_id",
            "call_id",
            "track_id",
            "held_gpus",
            "ends_at",
            "days_left",
            "days_overdue",
        ],
    );
    for a in awards {
        let mut row: Vec<Cell> = vec![
            a.award_id.to_string().into(),
            a.org_id.to_string().into(),
            a.call_id.to_string().into(),
            a.track_id.to_string().into(),
            a.held_gpus.into(),
            a.ends_at.clone().into(),
        ];
        row.extend(countdown_cells(&a.left));
        t.row(row);
    }
    t
}
