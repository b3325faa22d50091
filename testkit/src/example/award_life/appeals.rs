//! The follow-up call's selection, the appeals of its rejected applicants, the upheld one's award and a supplement.

use super::*;

/// What the follow-up call's selection left for later steps.
pub(super) struct Selection {
    pub(super) rejected: Vec<String>,
    /// An award funded in part, and what its application still asks.
    pub(super) partial: Option<(String, u32)>,
    pub(super) awarded: usize,
}

/// Grants `app` its request (or the largest half of it the rules allow);
/// the GPUs granted, if any.
pub(super) fn grant(
    c: &mut Chapter,
    award: &str,
    app: &str,
    gpus: u32,
    at: Kst,
    term: (Kst, Kst),
) -> Option<u32> {
    let mut gpus = gpus;
    while gpus >= 8 {
        let granted = c.try_tell(
            at,
            PROGRAMME_OFFICE,
            AwardGranted {
                award_id: value::id(award),
                application_id: value::id(app),
                gpus,
                starts_at: term.0.timestamp(),
                ends_at: term.1.timestamp(),
            },
        );
        if granted {
            return Some(gpus);
        }
        gpus = gpus / 2 / 8 * 8;
    }
    None
}

/// The follow-up call's terms: mid-June to the end of March.
pub(super) fn follow_up_term() -> (Kst, Kst) {
    (Kst::on(2026, 6, 15, 0, 0), Kst::end_of_day(2027, 3, 31))
}

/// June's selection of the follow-up call: the better half of each track
/// is awarded (the last one on the first track in part), the rest rejected.
pub(super) fn select_follow_up_call(c: &mut Chapter, before: &Before) -> Selection {
    let mut by_track: BTreeMap<&str, Vec<&String>> = BTreeMap::new();
    for (id, (track, ..)) in &before.follow_up {
        by_track.entry(track.as_str()).or_default().push(id);
    }
    let mut s = Selection {
        rejected: Vec::new(),
        partial: None,
        awarded: 0,
    };
    for (track, mut apps) in by_track {
        // Best first, by mean plus bonus compared exactly; ties by id.
        apps.sort_by(|a, b| {
            let ((na, da), (nb, db)) = (before.rank(a), before.rank(b));
            (nb * da).cmp(&(na * db)).then(a.cmp(b))
        });
        let selected = apps.len().div_ceil(2);
        for (n, app) in apps.iter().enumerate() {
            let requested = before.follow_up[*app].2;
            let mut granted = None;
            if n < selected {
                let ask = if n + 1 == selected && s.partial.is_none() && requested >= 16 {
                    requested / 2 / 8 * 8
                } else {
                    requested
                };
                let award = format!("AW-2026-F{:03}", s.awarded + 1);
                granted = grant(
                    c,
                    &award,
                    app,
                    ask,
                    Kst::on(2026, 6, 8, 10, 0),
                    follow_up_term(),
                );
                if let Some(gpus) = granted {
                    s.awarded += 1;
                    if gpus < requested && s.partial.is_none() {
                        s.partial = Some((award, requested - gpus));
                    }
                }
            }
            if granted.is_none() {
                c.tell(
                    Kst::on(2026, 6, 8, 11, 0),
                    PROGRAMME_OFFICE,
                    ApplicationRejected {
                        application_id: value::id(app.as_str()),
                        reason: value::label(format!("트랙 {track} 선정 순위 밖")),
                    },
                );
                s.rejected.push(app.to_string());
            }
        }
    }
    s
}

pub(super) fn appeal(c: &mut Chapter, before: &Before, n: usize, app: &str, at: Kst) {
    c.tell(
        at,
        &format!("org:{}", before.follow_up[app].1),
        AppealFiled {
            appeal_id: value::id(format!("AP-2026-{n:03}")),
            application_id: value::id(app),
            reason: value::label("평가 점수 합산 오류 및 가점 누락 이의 신청"),
        },
    );
}

pub(super) fn decide_appeal(c: &mut Chapter, appeal: &str, upheld: bool, at: Kst) {
    c.tell(
        at,
        PROGRAMME_OFFICE,
        AppealDecided {
            appeal_id: value::id(appeal),
            upheld,
            reason: value::label(if upheld {
                "비수도권 가점 누락 확인, 재평가"
            } else {
                "평가 절차상 하자 없음"
            }),
        },
    );
}

/// The upheld application is pending again: one more expert scores it, the
/// first one with no conflict with it.
pub(super) fn rescore_upheld(c: &mut Chapter, s: &Selection, reviewers: &[String]) {
    for reviewer in reviewers.iter().rev() {
        let scored = c.try_tell(
            Kst::on(2026, 6, 22, 15, 0),
            &format!("reviewer:{reviewer}"),
            ScoreRecorded {
                application_id: value::id(s.rejected[0].as_str()),
                reviewer_id: value::id(reviewer.as_str()),
                score: 88,
                criteria: None,
            },
        );
        if scored {
            return;
        }
    }
    panic!("some reviewer may score the upheld application");
}

pub(super) fn award_upheld(c: &mut Chapter, before: &Before, s: &mut Selection) {
    let app = &s.rejected[0];
    let award = format!("AW-2026-F{:03}", s.awarded + 1);
    let term = (Kst::on(2026, 7, 1, 0, 0), follow_up_term().1);
    let at = Kst::on(2026, 6, 26, 10, 0);
    if grant(c, &award, app, before.follow_up[app].2, at, term).is_some() {
        s.awarded += 1;
    }
}

pub(super) fn supplement(c: &mut Chapter, s: &Selection) {
    if let Some((award, more)) = &s.partial {
        c.tell(
            Kst::on(2026, 7, 15, 10, 0),
            PROGRAMME_OFFICE,
            AwardSupplemented {
                supplement_id: value::id("SP-2026-001"),
                award_id: value::id(award.as_str()),
                gpus: *more,
                reason: value::label("추가 확보 GPU로 신청량 전액 지원"),
            },
        );
    }
}
