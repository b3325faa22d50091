//! Korean names for the organizations and projects of the example.
//!
//! The organizations are fictional: the history recalls GPUs for misuse and
//! rejects proposals, which no real university or company should be seen to
//! suffer. Names are built from native Korean words that read like the names
//! of Korean universities and start-ups, so the example looks familiar to the
//! people who use the ledger without naming anyone.

/// Native Korean words used as the distinctive part of a name.
pub(super) const STEMS: &[&str] = &[
    "가람",
    "가온",
    "나래",
    "누리",
    "다온",
    "도담",
    "라온",
    "마루",
    "미르",
    "바름",
    "별솔",
    "빛가람",
    "새빛",
    "새솔",
    "솔빛",
    "아라",
    "여울",
    "예솔",
    "온누리",
    "윤슬",
    "은빛",
    "이룸",
    "초롱",
    "하늬",
    "하람",
    "한결",
    "한빛",
    "한울",
    "해든",
    "해솔",
    "해오름",
    "늘봄",
    "다올",
    "든솔",
    "라미",
    "모아",
    "물빛",
    "봄내",
    "비솔",
    "샘결",
    "소담",
    "슬기",
    "아름",
    "온새",
    "이든",
    "자람",
    "찬솔",
    "채움",
    "청람",
    "푸름",
    "한음",
    "한얼",
    "햇살",
    "꽃뫼",
    "너울",
    "단비",
    "도란",
    "마중",
    "벼리",
    "시나브로",
];

/// What a small or young company does, as its name says.
pub(super) const TRADES: &[&str] = &[
    "AI",
    "로보틱스",
    "데이터",
    "비전",
    "헬스케어",
    "모빌리티",
    "바이오",
    "랩스",
    "소프트",
    "시스템즈",
    "에듀",
    "핀테크",
];

/// What a large company's name ends with.
pub(super) const LARGE_TRADES: &[&str] = &["전자", "텔레콤", "정보통신", "중공업", "모터스"];

/// Public research institutes, one per field.
pub(super) const INSTITUTES: &[&str] = &[
    "국립AI융합연구원",
    "국립기후예측연구원",
    "국립뇌인지과학연구원",
    "국립바이오데이터연구원",
    "국립스마트제조연구원",
    "국립우주기상연구원",
    "국립해양데이터연구원",
    "국립언어자원연구원",
    "국립소재시뮬레이션연구원",
    "국립교통데이터연구원",
    "국립양자계산연구원",
    "국립로봇지능연구원",
    "국립의료영상연구원",
    "국립에너지AI연구원",
    "국립농업데이터연구원",
    "국립재난예측연구원",
];

/// Project topics of universities.
pub(super) const ACADEMIA_TOPICS: &[&str] = &[
    "한국어 대규모 언어모델 사전학습",
    "의료영상 파운데이션 모델",
    "단백질 구조 예측",
    "기후 다운스케일링 딥러닝",
    "자율주행 인지 모델",
    "방언 음성인식",
    "그래프 신경망 기반 신소재 탐색",
    "로봇 조작 정책 강화학습",
    "멀티모달 문서 이해",
    "수학 추론 언어모델",
    "신약 후보물질 생성 모델",
    "위성영상 변화 탐지",
    "한국어 법률 언어모델",
    "뇌신호 해독 모델",
    "고문헌 OCR 및 번역",
    "초해상도 영상 복원",
];

/// Project topics of companies.
pub(super) const INDUSTRY_TOPICS: &[&str] = &[
    "법률 문서 검색증강생성(RAG) 서비스",
    "제조 결함 검출 비전 모델",
    "금융 이상거래 탐지",
    "콜센터 음성 AI 상담원",
    "전자상거래 추천 모델",
    "K-콘텐츠 자막 번역 모델",
    "물류 수요 예측",
    "게임 NPC 대화 모델",
    "의료 상담 챗봇",
    "AI 반도체 컴파일러 검증",
    "웹툰 채색 생성 모델",
    "스마트팜 병해충 진단",
    "건설 현장 안전 영상 분석",
    "코드 생성 어시스턴트",
];

/// Project topics of public research institutes.
pub(super) const RESEARCH_TOPICS: &[&str] = &[
    "수치예보 AI 에뮬레이터",
    "핵융합 플라스마 시뮬레이션 가속",
    "유전체 변이 해석",
    "해양 환경 예측",
    "국가 과학데이터 파운데이션 모델",
    "지진파 자동 분석",
    "우주기상 예측",
    "원전 안전 해석 대리모델",
    "작물 생육 예측",
    "재난 영상 판독",
];

/// Endings that tell projects on the same topic apart.
pub(super) const TITLE_ENDINGS: &[&str] = &["", " 고도화", " 실증 연구", " (2단계)"];

pub(super) fn university(stem: &str) -> String {
    format!("{stem}대학교")
}

pub(super) fn institute_of_science_and_technology(stem: &str) -> String {
    format!("{stem}과학기술원")
}

pub(super) fn company(stem: &str, trade: &str) -> String {
    format!("(주){stem}{trade}")
}
