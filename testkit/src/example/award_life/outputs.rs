//! What the GPUs produced: papers, models, datasets, services, patents.

use super::*;

pub(super) const OUTPUT_TITLES: [(&str, OutputKind, Option<&str>); 10] = [
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

/// What the GPUs produced, one report a day.
pub(super) fn report_outputs(c: &mut Chapter, before: &Before, from: Kst) {
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
