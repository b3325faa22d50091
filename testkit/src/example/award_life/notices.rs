//! Notices before recalls, the holders' exemption requests and their decisions, recalls carried out, and extended terms.

use super::*;

pub(super) fn notice(c: &mut Chapter, id: &str, award: &str, at: Kst, days: i64) {
    notice_for(c, id, award, NoticeReason::Underutilization, at, days);
}

pub(super) fn notice_for(
    c: &mut Chapter,
    id: &str,
    award: &str,
    reason: NoticeReason,
    at: Kst,
    days: i64,
) {
    c.tell(
        at,
        PROGRAMME_OFFICE,
        RecallNoticed {
            notice_id: value::id(id),
            award_id: value::id(award),
            gpus: 8,
            reason,
            respond_by: at.plus_days(days).timestamp(),
        },
    );
}

pub(super) fn request(c: &mut Chapter, n: usize, org: &str, at: Kst) {
    c.tell(
        at,
        &format!("org:{org}"),
        ExemptionRequested {
            notice_id: value::id(format!("N-2026-{n:03}")),
            reason: value::label("대규모 학습 일정 확정, 사용 계획서 첨부"),
        },
    );
}

pub(super) fn decide_exemption(c: &mut Chapter, n: usize, granted: bool, at: Kst) {
    c.tell(
        at,
        PROGRAMME_OFFICE,
        ExemptionDecided {
            notice_id: value::id(format!("N-2026-{n:03}")),
            granted,
            reason: value::label(if granted {
                "사용 계획 타당, 회수 유예"
            } else {
                "계획 대비 실사용 근거 부족"
            }),
        },
    );
}

pub(super) fn recall(c: &mut Chapter, n: usize, notice: usize, award: &str, at: Kst) {
    c.tell(
        at,
        PROGRAMME_OFFICE,
        RecallIssued {
            recall_id: value::id(format!("RC-2026-N{n:02}")),
            award_id: value::id(award),
            gpus: 8,
            reason: RecallReason::Underutilization,
            notice_id: Some(value::id(format!("N-2026-{notice:03}"))),
        },
    );
}

pub(super) fn extend_terms(c: &mut Chapter, before: &Before) {
    let awards = before.active_first_awards(8);
    for (award, _, _) in awards.iter().skip(5).step_by(7).take(5) {
        c.tell(
            Kst::on(2026, 7, 1, 10, 0),
            PROGRAMME_OFFICE,
            AwardExtended {
                award_id: value::id(award.as_str()),
                ends_at: Kst::end_of_day(2027, 6, 30).timestamp(),
                reason: value::label("후속 연구 연계, 과제 기간 6개월 연장"),
            },
        );
    }
}
