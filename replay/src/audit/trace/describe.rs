//! One line for people about each event of a story, with names from the
//! catalog at the end (an organization is shown with its name).

use super::super::render::percent;
use gpu_ledger_domain::{Body, Event, Id};
use gpu_ledger_projections::Catalog;

/// One line for people about `event`, with names from the catalog at the end.
pub fn describe(cat: &Catalog, event: &Event) -> String {
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
    match &event.body {
        Body::OrganizationRegistered(e) => format!(
            "{} registered: {}, {}, {}",
            org(&e.org_id),
            e.sector,
            e.size,
            e.region
        ),
        Body::ApplicationSubmitted(e) => format!(
            "{} submitted by {} to track {} of {}: {} GPUs for {}, \"{}\"",
            e.application_id,
            org(&e.org_id),
            e.track_id,
            e.call_id,
            e.requested_gpus,
            e.purpose,
            e.title
        ),
        Body::ScoreRecorded(e) => format!(
            "{} scored {} by reviewer {} (actor {})",
            e.application_id, e.score, e.reviewer_id, event.actor
        ),
        Body::ApplicationRejected(e) => format!("{} rejected: {}", e.application_id, e.reason),
        Body::ApplicationWithdrawn(e) => format!("{} withdrawn: {}", e.application_id, e.reason),
        Body::AwardGranted(e) => format!(
            "award {} granted to {} ({}): {} GPUs, {} to {}",
            e.award_id,
            e.application_id,
            app_org(&e.application_id),
            e.gpus,
            e.starts_at,
            e.ends_at
        ),
        Body::Redistributed(e) => format!(
            "redistribution {}: {} GPUs of recall {} (from award {}) as award {} to {} ({}), {} to {}",
            e.redistribution_id,
            e.gpus,
            e.recall_id,
            cat.recalls
                .get(&e.recall_id)
                .map_or("?", |r| r.award_id.as_str()),
            e.award_id,
            e.application_id,
            app_org(&e.application_id),
            e.starts_at,
            e.ends_at
        ),
        Body::UtilizationReported(e) => format!(
            "award {} used {} from {} to {}{}",
            e.award_id,
            percent(e.utilization_bp.into()),
            e.period_start,
            e.period_end,
            if e.off_purpose_use {
                ", off-purpose use reported"
            } else {
                ""
            }
        ),
        Body::RecallIssued(e) => format!(
            "recall {}: {} GPUs of award {} ({}){}",
            e.recall_id,
            e.gpus,
            e.award_id,
            e.reason,
            e.notice_id
                .as_ref()
                .map_or_else(String::new, |n| format!(", carrying out notice {n}"))
        ),
        Body::RecallReleased(e) => format!(
            "recall {}: {} GPUs released to the pool ({})",
            e.recall_id, e.gpus, e.reason
        ),
        Body::AwardEnded(e) => format!("award {} ended ({})", e.award_id, e.reason),
        Body::PoolRegistered(e) => format!("pool {} registered", e.pool_id),
        Body::PoolResized(e) => format!("pool {} resized to {} GPUs", e.pool_id, e.gpus),
        Body::CallOpened(e) => format!("call {} opened", e.call_id),
        Body::CallClosed(e) => format!("call {} closed", e.call_id),
        Body::ReviewerRegistered(e) => format!("reviewer {} registered", e.reviewer_id),
        Body::ConflictDeclared(e) => format!(
            "conflict {}: reviewer {} with {} ({})",
            e.conflict_id,
            e.reviewer_id,
            e.application_id.as_ref().map_or_else(
                || e.org_id.as_ref().map_or_else(String::new, org),
                Id::to_string
            ),
            e.source
        ),
        Body::RecallNoticed(e) => format!(
            "notice {}: {} GPUs of award {} ({}), respond by {}",
            e.notice_id, e.gpus, e.award_id, e.reason, e.respond_by
        ),
        Body::ExemptionRequested(e) => format!(
            "exemption requested on notice {}: {}",
            e.notice_id, e.reason
        ),
        Body::ExemptionDecided(e) => format!(
            "exemption on notice {} {}: {}",
            e.notice_id,
            if e.granted { "granted" } else { "refused" },
            e.reason
        ),
        Body::AppealFiled(e) => format!(
            "appeal {} of the rejection of {}: {}",
            e.appeal_id, e.application_id, e.reason
        ),
        Body::AppealDecided(e) => format!(
            "appeal {} {}: {}",
            e.appeal_id,
            if e.upheld { "upheld" } else { "dismissed" },
            e.reason
        ),
        Body::AwardExtended(e) => {
            format!(
                "award {} extended to {}: {}",
                e.award_id, e.ends_at, e.reason
            )
        }
        Body::AwardSupplemented(e) => format!(
            "supplement {}: {} more GPUs for award {} ({})",
            e.supplement_id, e.gpus, e.award_id, e.reason
        ),
        Body::OutputReported(e) => format!(
            "output {} of award {}: {} \"{}\"",
            e.output_id, e.award_id, e.kind, e.title
        ),
    }
}
