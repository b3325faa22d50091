//! One line for people about each event of a story, with names from the
//! catalog at the end (an organization is shown with its name).

use super::super::render::percent;
use super::super::words::word;
use crate::language::{Arg, Messages};
use gpu_ledger_domain::application::Purpose;
use gpu_ledger_domain::{Body, Event, Id};
use gpu_ledger_projections::Catalog;

/// One line for people about `event`, with names from the catalog at the
/// end, in the words `w` (the catalog's `line-<EventType>`).
pub fn describe(cat: &Catalog, event: &Event, w: &Messages<'_>) -> String {
    let org = |id: &Id| {
        cat.orgs
            .get(id)
            .map_or_else(|| id.to_string(), |o| format!("{id} {}", o.name))
    };
    let app_org = |app: &Id| {
        cat.apps
            .get(app)
            .map_or_else(String::new, |a| org(&a.org_id))
    };
    let said = |key: &str, args: &[(&str, Arg<'_>)]| w.with(key, args);
    let t = |s: &dyn ToString| Arg::from(s.to_string());
    let wd = |s: &str| Arg::from(word(w, s));
    match &event.body {
        Body::OrganizationRegistered(e) => said(
            "line-OrganizationRegistered",
            &[
                ("org", org(&e.org_id).into()),
                ("sector", wd(e.sector.as_str())),
                ("size", wd(e.size.as_str())),
                ("region", wd(e.region.as_str())),
            ],
        ),
        Body::ApplicationSubmitted(e) => said(
            "line-ApplicationSubmitted",
            &[
                ("application", t(&e.application_id)),
                ("org", org(&e.org_id).into()),
                ("track", t(&e.track_id)),
                ("call", t(&e.call_id)),
                ("gpus", t(&e.requested_gpus)),
                (
                    "purpose",
                    w.text(match e.purpose {
                        Purpose::Research => "purpose-research",
                        Purpose::ServiceDevelopment => "purpose-service-development",
                        Purpose::ModelDevelopment => "purpose-model-development",
                    })
                    .into(),
                ),
                ("title", t(&e.title)),
            ],
        ),
        Body::ScoreRecorded(e) => said(
            "line-ScoreRecorded",
            &[
                ("application", t(&e.application_id)),
                ("score", t(&e.score)),
                ("reviewer", t(&e.reviewer_id)),
                ("actor", t(&event.actor)),
            ],
        ),
        Body::ApplicationRejected(e) => said(
            "line-ApplicationRejected",
            &[
                ("application", t(&e.application_id)),
                ("reason", t(&e.reason)),
            ],
        ),
        Body::ApplicationWithdrawn(e) => said(
            "line-ApplicationWithdrawn",
            &[
                ("application", t(&e.application_id)),
                ("reason", t(&e.reason)),
            ],
        ),
        Body::AwardGranted(e) => said(
            "line-AwardGranted",
            &[
                ("award", t(&e.award_id)),
                ("application", t(&e.application_id)),
                ("org", app_org(&e.application_id).into()),
                ("gpus", t(&e.gpus)),
                ("starts", t(&e.starts_at)),
                ("ends", t(&e.ends_at)),
            ],
        ),
        Body::Redistributed(e) => said(
            "line-Redistributed",
            &[
                ("redistribution", t(&e.redistribution_id)),
                ("gpus", t(&e.gpus)),
                ("recall", t(&e.recall_id)),
                (
                    "from",
                    cat.recalls
                        .get(&e.recall_id)
                        .map_or("?", |r| r.award_id.as_str())
                        .into(),
                ),
                ("award", t(&e.award_id)),
                ("application", t(&e.application_id)),
                ("org", app_org(&e.application_id).into()),
                ("starts", t(&e.starts_at)),
                ("ends", t(&e.ends_at)),
            ],
        ),
        Body::UtilizationReported(e) => said(
            if e.off_purpose_use {
                "line-UtilizationReported-off-purpose"
            } else {
                "line-UtilizationReported"
            },
            &[
                ("award", t(&e.award_id)),
                ("used", percent(e.utilization_bp.into()).into()),
                ("from", t(&e.period_start)),
                ("to", t(&e.period_end)),
            ],
        ),
        Body::RecallIssued(e) => {
            let args = [
                ("recall", t(&e.recall_id)),
                ("gpus", t(&e.gpus)),
                ("award", t(&e.award_id)),
                ("reason", wd(e.reason.as_str())),
                (
                    "notice",
                    e.notice_id
                        .as_ref()
                        .map_or_else(String::new, Id::to_string)
                        .into(),
                ),
            ];
            match e.notice_id {
                Some(_) => said("line-RecallIssued-notice", &args),
                None => said("line-RecallIssued", &args),
            }
        }
        Body::RecallReleased(e) => said(
            "line-RecallReleased",
            &[
                ("recall", t(&e.recall_id)),
                ("gpus", t(&e.gpus)),
                ("reason", t(&e.reason)),
            ],
        ),
        Body::AwardEnded(e) => said(
            "line-AwardEnded",
            &[("award", t(&e.award_id)), ("reason", wd(e.reason.as_str()))],
        ),
        Body::PoolRegistered(e) => said("line-PoolRegistered", &[("pool", t(&e.pool_id))]),
        Body::PoolResized(e) => said(
            "line-PoolResized",
            &[("pool", t(&e.pool_id)), ("gpus", t(&e.gpus))],
        ),
        Body::CallOpened(e) => said("line-CallOpened", &[("call", t(&e.call_id))]),
        Body::CallClosed(e) => said("line-CallClosed", &[("call", t(&e.call_id))]),
        Body::ReviewerRegistered(e) => said(
            "line-ReviewerRegistered",
            &[("reviewer", t(&e.reviewer_id))],
        ),
        Body::ConflictDeclared(e) => said(
            "line-ConflictDeclared",
            &[
                ("conflict", t(&e.conflict_id)),
                ("reviewer", t(&e.reviewer_id)),
                (
                    "with",
                    e.application_id
                        .as_ref()
                        .map_or_else(
                            || e.org_id.as_ref().map_or_else(String::new, org),
                            Id::to_string,
                        )
                        .into(),
                ),
                ("source", wd(e.source.as_str())),
            ],
        ),
        Body::RecallNoticed(e) => said(
            "line-RecallNoticed",
            &[
                ("notice", t(&e.notice_id)),
                ("gpus", t(&e.gpus)),
                ("award", t(&e.award_id)),
                ("reason", wd(e.reason.as_str())),
                ("respond_by", t(&e.respond_by)),
            ],
        ),
        Body::ExemptionRequested(e) => said(
            "line-ExemptionRequested",
            &[("notice", t(&e.notice_id)), ("reason", t(&e.reason))],
        ),
        Body::ExemptionDecided(e) => said(
            if e.granted {
                "line-ExemptionDecided-granted"
            } else {
                "line-ExemptionDecided-refused"
            },
            &[("notice", t(&e.notice_id)), ("reason", t(&e.reason))],
        ),
        Body::AppealFiled(e) => said(
            "line-AppealFiled",
            &[
                ("appeal", t(&e.appeal_id)),
                ("application", t(&e.application_id)),
                ("reason", t(&e.reason)),
            ],
        ),
        Body::AppealDecided(e) => said(
            if e.upheld {
                "line-AppealDecided-upheld"
            } else {
                "line-AppealDecided-dismissed"
            },
            &[("appeal", t(&e.appeal_id)), ("reason", t(&e.reason))],
        ),
        Body::AwardExtended(e) => said(
            "line-AwardExtended",
            &[
                ("award", t(&e.award_id)),
                ("ends", t(&e.ends_at)),
                ("reason", t(&e.reason)),
            ],
        ),
        Body::AwardSupplemented(e) => said(
            "line-AwardSupplemented",
            &[
                ("supplement", t(&e.supplement_id)),
                ("gpus", t(&e.gpus)),
                ("award", t(&e.award_id)),
                ("reason", t(&e.reason)),
            ],
        ),
        Body::OutputReported(e) => said(
            "line-OutputReported",
            &[
                ("output", t(&e.output_id)),
                ("award", t(&e.award_id)),
                ("kind", wd(e.kind.as_str())),
                ("title", t(&e.title)),
            ],
        ),
    }
}
