//! A third call that asks for notice periods and a shorter appeal window, its selection and an appeal.

use super::*;

/// The third call's applications: (application, organization).
pub(super) struct ThirdCall {
    pub(super) apps: Vec<(String, String)>,
}

/// July's third call, the first to ask for notice periods and a shorter appeal window.
pub(super) fn open_third_call(c: &mut Chapter, before: &Before) -> ThirdCall {
    let opened = Kst::on(2026, 7, 6, 10, 0);
    c.tell(
        opened,
        PROGRAMME_OFFICE,
        CallOpened {
            call_id: value::id(THIRD_CALL),
            title: value::label("2026년 하반기 연구기관 AI 연구 GPU 지원 공모"),
            closes_at: Kst::on(2026, 7, 24, 18, 0).timestamp(),
            tracks: vec![TrackSpec {
                track_id: value::id("R1"),
                pool_id: value::id(CSP_AI_POOL),
                gpus: 96,
                eligible_sectors: vec![Sector::Academia, Sector::Research],
                eligible_sizes: None,
                min_reviews: Some(3),
                regional_bonus: Some(5),
                max_org_share_bp: Some(5000),
            }],
            recall_notice_days: Some(14),
            appeal_days: Some(10),
        },
    );
    let applicants: Vec<String> = before
        .orgs
        .iter()
        .filter(|(_, (sector, _))| *sector != Sector::Industry)
        .map(|(id, _)| id.clone())
        .step_by(7)
        .take(6)
        .collect();
    let mut apps = Vec::new();
    for (n, org) in applicants.into_iter().enumerate() {
        let app = format!("APP-2026-R{:03}", n + 1);
        c.tell(
            opened.plus_days(1 + n as i64),
            &format!("org:{org}"),
            ApplicationSubmitted {
                application_id: value::id(app.as_str()),
                call_id: value::id(THIRD_CALL),
                track_id: value::id("R1"),
                org_id: value::id(org.as_str()),
                title: value::label(format!("연구기관 AI 과제 {}", n + 1)),
                purpose: Purpose::Research,
                requested_gpus: 16,
            },
        );
        apps.push((app, org));
    }
    ThirdCall { apps }
}

/// Three scores each from reviewers free to give them, the call closed,
/// the first three awarded and the rest rejected; the awards made.
pub(super) fn select_third_call(
    c: &mut Chapter,
    third: &ThirdCall,
    reviewers: &[String],
) -> Vec<String> {
    for (n, (app, _)) in third.apps.iter().enumerate() {
        let mut given = 0;
        for reviewer in reviewers.iter().cycle().skip(n).take(reviewers.len()) {
            if given == 3 {
                break;
            }
            let scored = c.try_tell(
                Kst::on(2026, 7, 20, 9, 0),
                &format!("reviewer:{reviewer}"),
                ScoreRecorded {
                    application_id: value::id(app.as_str()),
                    reviewer_id: value::id(reviewer.as_str()),
                    score: 60 + (7 * n as u32 + 3 * given) % 35,
                    criteria: None,
                },
            );
            given += u32::from(scored);
        }
    }
    c.tell(
        Kst::on(2026, 7, 24, 18, 0),
        PROGRAMME_OFFICE,
        CallClosed {
            call_id: value::id(THIRD_CALL),
        },
    );
    let term = (Kst::on(2026, 8, 3, 0, 0), Kst::end_of_day(2027, 1, 31));
    let mut awarded = Vec::new();
    for (n, (app, _)) in third.apps.iter().enumerate() {
        let at = Kst::on(2026, 7, 31, 10, 0);
        let award = format!("AW-2026-R{:03}", n + 1);
        if n < 3 && grant(c, &award, app, 16, at, term).is_some() {
            awarded.push(award);
        } else {
            c.tell(
                at,
                PROGRAMME_OFFICE,
                ApplicationRejected {
                    application_id: value::id(app.as_str()),
                    reason: value::label("트랙 R1 선정 순위 밖"),
                },
            );
        }
    }
    awarded
}

pub(super) fn appeal_third_call(c: &mut Chapter, third: &ThirdCall, at: Kst) {
    let (app, org) = third.apps.last().expect("the call has applications");
    c.tell(
        at,
        &format!("org:{org}"),
        AppealFiled {
            appeal_id: value::id("AP-2026-R01"),
            application_id: value::id(app.as_str()),
            reason: value::label("연구 필요성 재검토 요청"),
        },
    );
}
