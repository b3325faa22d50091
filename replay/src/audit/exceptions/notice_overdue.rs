//! `notice_overdue`: a recall notice still open strictly longer than the
//! set time (14 days by default) past its `respond_by`: the holder's time
//! to answer is over and the office has neither recalled, nor granted an
//! exemption, nor ended the award. Timed to the event that closed the
//! notice, or to the end when it is still open. One per notice.
//!
//! A notice is open as the spec says: from its `RecallNoticed` until an
//! exemption is granted on it, a recall cites it, or its award stops being
//! active (ended, or every GPU recalled). Per award, only its open notice
//! is kept (there is at most one).

use super::super::EventRef;
use super::super::integrity::Checked;
use super::business_time::duration_text;
use super::overdue::{Clocks, closing_text};
use super::{Detector, Known};
use crate::language::Messages;
use gpu_ledger_domain::{Body, Id};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoticeOverdue {
    pub notice_id: Id,
    pub award_id: Id,
    pub org_id: Id,
    pub call_id: Id,
    pub track_id: Id,
    pub gpus: u32,
    pub reason: &'static str,
    pub respond_by: String,
    pub limit_days: u32,
    /// From `respond_by` to the event that closed the notice, or to the
    /// end, in whole seconds of business time.
    pub overdue_seconds: i64,
    pub still_open: bool,
    /// The notice, the exemption request if one was made, and the event
    /// that closed the notice (the last event when it is still open).
    pub events: Vec<EventRef>,
}

/// What the exception says of an open notice.
#[derive(Debug)]
struct Noticed {
    award_id: Id,
    gpus: u32,
    reason: &'static str,
    respond_by: String,
    requested: Option<EventRef>,
}

#[derive(Debug, Default)]
pub struct Detect {
    notices: Clocks<Noticed>,
    /// Per award, its open notice.
    open_on: HashMap<Id, Id>,
}

impl Detect {
    fn close(&mut self, known: &Known<'_>, notice: &Id, step: &Checked<'_>) {
        if let Some(n) = self.notices.about(notice) {
            self.open_on.remove(&n.award_id);
        }
        self.notices
            .close(notice, step, known.settings.max_notice_overdue_days);
    }

    /// Award `award` stops being active at `step`: its notice closes.
    fn award_stops(&mut self, known: &Known<'_>, award: &Id, step: &Checked<'_>) {
        if let Some(notice) = self.open_on.get(award).cloned() {
            self.close(known, &notice, step);
        }
    }
}

impl Detector for Detect {
    type Found = NoticeOverdue;

    fn observe(&mut self, known: &Known<'_>, step: &Checked<'_>) {
        match &step.event.body {
            Body::RecallNoticed(e) => {
                let noticed = Noticed {
                    award_id: e.award_id.clone(),
                    gpus: e.gpus,
                    reason: e.reason.as_str(),
                    respond_by: e.respond_by.to_string(),
                    requested: None,
                };
                let from = e.respond_by.instant();
                self.notices
                    .open(e.notice_id.clone(), from, step.at(), noticed);
                self.open_on.insert(e.award_id.clone(), e.notice_id.clone());
            }
            Body::ExemptionRequested(e) => {
                if let Some(n) = self.notices.about_mut(&e.notice_id) {
                    n.requested = Some(step.at());
                }
            }
            Body::ExemptionDecided(e) if e.granted => self.close(known, &e.notice_id, step),
            Body::RecallIssued(e) => match &e.notice_id {
                Some(notice) => self.close(known, notice, step),
                None if known.catalog.awards[&e.award_id].held == e.gpus => {
                    self.award_stops(known, &e.award_id, step);
                }
                None => {}
            },
            Body::AwardEnded(e) => self.award_stops(known, &e.award_id, step),
            _ => {}
        }
    }

    fn finish(self, known: &Known<'_>) -> Vec<NoticeOverdue> {
        let days = known.settings.max_notice_overdue_days;
        self.notices
            .finish(known, days)
            .into_iter()
            .map(|late| {
                let events = late.events(late.about.requested);
                let n = late.about;
                let award = &known.catalog.awards[&n.award_id];
                NoticeOverdue {
                    notice_id: late.id,
                    org_id: award.org_id.clone(),
                    call_id: award.call_id.clone(),
                    track_id: award.track_id.clone(),
                    award_id: n.award_id,
                    gpus: n.gpus,
                    reason: n.reason,
                    respond_by: n.respond_by,
                    limit_days: days,
                    overdue_seconds: late.seconds,
                    still_open: late.still_open,
                    events,
                }
            })
            .collect()
    }

    fn summary(x: &NoticeOverdue, w: &Messages<'_>) -> String {
        w.with(
            "summary-notice_overdue",
            &[
                ("notice", x.notice_id.as_str().into()),
                ("gpus", x.gpus.into()),
                ("award", x.award_id.as_str().into()),
                ("org", x.org_id.as_str().into()),
                ("reason", super::super::words::word(w, x.reason).into()),
                ("overdue", duration_text(x.overdue_seconds).into()),
                ("respond_by", x.respond_by.to_string().into()),
                ("limit", x.limit_days.into()),
                ("closing", closing_text(x.still_open, w).into()),
            ],
        )
    }
}
