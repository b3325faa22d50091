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

const REVIEWER_NAMES: [&str; 8] = [
    "김서연",
    "이준호",
    "박지민",
    "최유진",
    "정민수",
    "강하은",
    "조성훈",
    "윤지아",
];

const OUTPUT_TITLES: [(&str, OutputKind, Option<&str>); 10] = [
    (
        "한국어 대규모 언어모델 사전학습 데이터 정제 기법",
        OutputKind::Paper,
        Some("doi:10.48550/arXiv.2607.01234"),
    ),
    (
        "의료영상 분할 파운데이션 모델 v1",
        OutputKind::Model,
        Some("https://huggingface.co/example/med-seg-v1"),
    ),
    (
        "국문 법률 질의응답 평가 데이터셋",
        OutputKind::Dataset,
        Some("https://data.example.kr/legal-qa"),
    ),
    (
        "제조 공정 이상탐지 서비스 시범 운영",
        OutputKind::Service,
        None,
    ),
    (
        "분산 학습 통신량 절감 방법 특허 출원",
        OutputKind::Patent,
        Some("KR 10-2026-0081234"),
    ),
    (
        "기상 예측 초해상도 신경망",
        OutputKind::Paper,
        Some("doi:10.1000/weather.2026.77"),
    ),
    ("단백질 구조 예측 미세조정 모델", OutputKind::Model, None),
    ("GPU 자원 공동활용 운영 보고서", OutputKind::Other, None),
    ("음성 인식 저자원 방언 코퍼스", OutputKind::Dataset, None),
    (
        "자율주행 시뮬레이션 합성데이터 생성기",
        OutputKind::Service,
        Some("https://sim.example.kr"),
    ),
];

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
    notice(
        &mut c,
        "N-2026-004",
        &awards[3].0,
        Kst::on(2026, 8, 10, 10, 0),
        14,
    );
    decide_appeal(&mut c, "AP-2026-R01", false, Kst::on(2026, 8, 14, 11, 0));
    request(&mut c, 4, &awards[3].1, Kst::on(2026, 8, 17, 10, 0));
    // The third call's notices give the fourteen days it asks, to the second.
    notice_for(
        &mut c,
        "N-2026-R01",
        &third_awards[0],
        NoticeReason::OffPurposeUse,
        Kst::on(2026, 8, 17, 14, 0),
        14,
    );
    notice(
        &mut c,
        "N-2026-005",
        &awards[4].0,
        Kst::on(2026, 8, 20, 10, 0),
        14,
    );
    report_outputs(&mut c, &before, Kst::on(2026, 8, 21, 9, 0));
    c.events
}

fn register_reviewers(c: &mut Chapter, before: &Before) -> Vec<String> {
    let research: Vec<&String> = before
        .orgs
        .iter()
        .filter(|(_, (sector, _))| *sector == Sector::Research)
        .map(|(id, _)| id)
        .collect();
    let reviewers: Vec<String> = before.reviewers.iter().take(8).cloned().collect();
    for (n, reviewer) in reviewers.iter().enumerate() {
        // Every third reviewer works at a research institute, which they may not score.
        let org_id = (n % 3 == 0).then(|| value::id(research[n % research.len()].as_str()));
        c.tell(
            Kst::on(2026, 6, 2, 10, 0),
            PROGRAMME_OFFICE,
            ReviewerRegistered {
                reviewer_id: value::id(reviewer.as_str()),
                name: value::label(format!("{} 위원", REVIEWER_NAMES[n])),
                org_id,
            },
        );
    }
    reviewers
}

fn declare_conflicts(c: &mut Chapter, before: &Before, reviewers: &[String]) {
    let apps: Vec<&String> = before.follow_up.keys().collect();
    let (_, first_org, ..) = &before.follow_up[apps[0]];
    c.tell(
        Kst::on(2026, 6, 3, 9, 30),
        &format!("reviewer:{}", reviewers[1]),
        ConflictDeclared {
            conflict_id: value::id("CF-2026-001"),
            reviewer_id: value::id(reviewers[1].as_str()),
            application_id: None,
            org_id: Some(value::id(first_org.as_str())),
            source: ConflictSource::SelfDeclared,
        },
    );
    c.tell(
        Kst::on(2026, 6, 3, 14, 0),
        PROGRAMME_OFFICE,
        ConflictDeclared {
            conflict_id: value::id("CF-2026-002"),
            reviewer_id: value::id(reviewers[2].as_str()),
            application_id: Some(value::id(apps[1].as_str())),
            org_id: None,
            source: ConflictSource::Reported,
        },
    );
    c.tell(
        Kst::on(2026, 6, 4, 11, 0),
        PROGRAMME_OFFICE,
        ConflictDeclared {
            conflict_id: value::id("CF-2026-003"),
            reviewer_id: value::id(reviewers[4].as_str()),
            application_id: Some(value::id(apps[2].as_str())),
            org_id: None,
            source: ConflictSource::OfficeFound,
        },
    );
}

/// What the follow-up call's selection left for later steps.
struct Selection {
    rejected: Vec<String>,
    /// An award funded in part, and what its application still asks.
    partial: Option<(String, u32)>,
    awarded: usize,
}

/// Grants `app` its request (or the largest half of it the rules allow);
/// the GPUs granted, if any.
fn grant(
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
fn follow_up_term() -> (Kst, Kst) {
    (Kst::on(2026, 6, 15, 0, 0), Kst::end_of_day(2027, 3, 31))
}

/// June's selection of the follow-up call: the better half of each track
/// is awarded (the last one on the first track in part), the rest rejected.
fn select_follow_up_call(c: &mut Chapter, before: &Before) -> Selection {
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

fn appeal(c: &mut Chapter, before: &Before, n: usize, app: &str, at: Kst) {
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

fn decide_appeal(c: &mut Chapter, appeal: &str, upheld: bool, at: Kst) {
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
fn rescore_upheld(c: &mut Chapter, s: &Selection, reviewers: &[String]) {
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

fn award_upheld(c: &mut Chapter, before: &Before, s: &mut Selection) {
    let app = &s.rejected[0];
    let award = format!("AW-2026-F{:03}", s.awarded + 1);
    let term = (Kst::on(2026, 7, 1, 0, 0), follow_up_term().1);
    let at = Kst::on(2026, 6, 26, 10, 0);
    if grant(c, &award, app, before.follow_up[app].2, at, term).is_some() {
        s.awarded += 1;
    }
}

fn supplement(c: &mut Chapter, s: &Selection) {
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

fn notice(c: &mut Chapter, id: &str, award: &str, at: Kst, days: i64) {
    notice_for(c, id, award, NoticeReason::Underutilization, at, days);
}

fn notice_for(c: &mut Chapter, id: &str, award: &str, reason: NoticeReason, at: Kst, days: i64) {
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

fn request(c: &mut Chapter, n: usize, org: &str, at: Kst) {
    c.tell(
        at,
        &format!("org:{org}"),
        ExemptionRequested {
            notice_id: value::id(format!("N-2026-{n:03}")),
            reason: value::label("대규모 학습 일정 확정, 사용 계획서 첨부"),
        },
    );
}

fn decide_exemption(c: &mut Chapter, n: usize, granted: bool, at: Kst) {
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

fn recall(c: &mut Chapter, n: usize, notice: usize, award: &str, at: Kst) {
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

fn extend_terms(c: &mut Chapter, before: &Before) {
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

/// What the GPUs produced, one report a day.
fn report_outputs(c: &mut Chapter, before: &Before, from: Kst) {
    let awards = before.active_first_awards(8);
    for (n, ((award, org, _), (title, kind, reference))) in awards
        .iter()
        .skip(3)
        .step_by(5)
        .zip(OUTPUT_TITLES)
        .enumerate()
    {
        c.tell(
            from.plus_days(n as i64),
            &format!("org:{org}"),
            OutputReported {
                output_id: value::id(format!("OUT-2026-{:03}", n + 1)),
                award_id: value::id(award.as_str()),
                kind,
                title: value::label(title),
                reference: reference.map(value::label),
            },
        );
    }
}

/// The third call's applications: (application, organization).
struct ThirdCall {
    apps: Vec<(String, String)>,
}

/// July's third call, the first to ask for notice periods and a shorter appeal window.
fn open_third_call(c: &mut Chapter, before: &Before) -> ThirdCall {
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
fn select_third_call(c: &mut Chapter, third: &ThirdCall, reviewers: &[String]) -> Vec<String> {
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

fn appeal_third_call(c: &mut Chapter, third: &ThirdCall, at: Kst) {
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
