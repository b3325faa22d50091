//! `appeal_undecided_too_long`: an appeal still undecided strictly longer
//! than the set time (30 days by default) after it was filed, to the
//! `AppealDecided` (or the withdrawal of the application, which closes
//! it), or to the end when it is still open. One per appeal.
//!
//! Per application, only its open appeal is kept (there is at most one).

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
pub struct AppealUndecidedTooLong {
    pub appeal_id: Id,
    pub application_id: Id,
    pub org_id: Id,
    pub call_id: Id,
    pub track_id: Id,
    pub limit_days: u32,
    /// From the filing to the event that closed the appeal, or to the end,
    /// in whole seconds of business time.
    pub open_seconds: i64,
    pub still_open: bool,
    /// The rejection appealed, the appeal, and the event that closed it
    /// (the last event when it is still open).
    pub events: Vec<EventRef>,
}

/// What the exception says of an open appeal.
#[derive(Debug)]
struct Filed {
    application_id: Id,
    rejection: Option<EventRef>,
}

#[derive(Debug, Default)]
pub struct Detect {
    appeals: Clocks<Filed>,
    /// Per application, its open appeal.
    open_on: HashMap<Id, Id>,
}

impl Detect {
    fn close(&mut self, known: &Known<'_>, appeal: &Id, step: &Checked<'_>) {
        if let Some(a) = self.appeals.about(appeal) {
            self.open_on.remove(&a.application_id);
        }
        self.appeals
            .close(appeal, step, known.settings.max_appeal_days);
    }
}

impl Detector for Detect {
    type Found = AppealUndecidedTooLong;

    fn observe(&mut self, known: &Known<'_>, step: &Checked<'_>) {
        match &step.event.body {
            Body::AppealFiled(e) => {
                let rejection = known
                    .evidence
                    .apps
                    .get(&e.application_id)
                    .and_then(|t| t.closed);
                let filed = Filed {
                    application_id: e.application_id.clone(),
                    rejection,
                };
                let from = step.event.occurred_at.instant();
                self.appeals
                    .open(e.appeal_id.clone(), from, step.at(), filed);
                self.open_on
                    .insert(e.application_id.clone(), e.appeal_id.clone());
            }
            Body::AppealDecided(e) => self.close(known, &e.appeal_id, step),
            Body::ApplicationWithdrawn(e) => {
                if let Some(appeal) = self.open_on.get(&e.application_id).cloned() {
                    self.close(known, &appeal, step);
                }
            }
            _ => {}
        }
    }

    fn finish(self, known: &Known<'_>) -> Vec<AppealUndecidedTooLong> {
        let days = known.settings.max_appeal_days;
        self.appeals
            .finish(known, days)
            .into_iter()
            .map(|late| {
                let events = late.events(late.about.rejection);
                let a = late.about;
                let app = &known.catalog.apps[&a.application_id];
                AppealUndecidedTooLong {
                    appeal_id: late.id,
                    org_id: app.org_id.clone(),
                    call_id: app.call_id.clone(),
                    track_id: app.track_id.clone(),
                    application_id: a.application_id,
                    limit_days: days,
                    open_seconds: late.seconds,
                    still_open: late.still_open,
                    events,
                }
            })
            .collect()
    }

    fn summary(x: &AppealUndecidedTooLong, w: &Messages<'_>) -> String {
        w.with(
            "summary-appeal_undecided_too_long",
            &[
                ("appeal", x.appeal_id.as_str().into()),
                ("application", x.application_id.as_str().into()),
                ("org", x.org_id.as_str().into()),
                ("open", duration_text(x.open_seconds).into()),
                ("limit", x.limit_days.into()),
                ("closing", closing_text(x.still_open, w).into()),
            ],
        )
    }
}
