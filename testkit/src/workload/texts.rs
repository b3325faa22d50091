//! Free text of the generated programme: names, titles, criteria and notes.
//!
//! It deliberately mixes Korean, English, emoji, quotes and control
//! characters, so that importers pay the real cost of escaping and of
//! counting Unicode scalar values, as they would on the programme office's
//! data.

pub const CAPITAL_CITIES: [&str; 6] = ["서울", "Seoul", "Incheon", "수원", "Seongnam", "Goyang"];
pub const OTHER_CITIES: [&str; 9] = [
    "Busan", "대구", "Gwangju", "Daejeon", "울산", "Jeonju", "Changwon", "Cheongju", "Jeju",
];

pub const ACADEMIA_NAMES: [&str; 3] = ["National University", "대학교", "Institute of Technology"];
pub const INDUSTRY_NAMES: [&str; 5] = [
    "AI Labs Co., Ltd.",
    "(주)딥러닝",
    "Robotics Inc.",
    "Data Works",
    "\"Vision\" Startup",
];
pub const RESEARCH_NAMES: [&str; 2] = ["Research Institute", "연구원"];

pub const TOPICS: [&str; 16] = [
    "한국어 대규모 언어모델 사전학습",
    "Medical imaging foundation model",
    "Protein structure prediction",
    "자율주행 인지 모델",
    "Climate downscaling for the Korean peninsula",
    "Legal document retrieval service",
    "사투리 음성인식",
    "Materials discovery with graph networks",
    "Manufacturing defect detection",
    "Multilingual speech translation",
    "Financial fraud detection",
    "Agricultural yield forecasting 🌾",
    "Robot manipulation policy learning",
    "Korean OCR for historical archives",
    "Recommendation models for SMEs",
    "Weather nowcasting",
];

pub const REVIEW_CRITERIA: [[&str; 3]; 2] = [
    ["gisulseong", "suhaeng_yeongnyang", "pageup_hyogwa"],
    ["technical_merit", "feasibility", "impact"],
];

pub const NOTES: [&str; 8] = [
    "Panel remark: \"strong team, clear milestones\"",
    "Reviewer asked for a data management plan.\nFollow-up due in two weeks.",
    "Budget\tOK; schedule\tOK",
    "Monitoring flagged idle nodes 🚀→💤",
    "Copied from the web form:\u{b}see attachment",
    "재검토 요청 — 심사위원 의견 반영",
    "Contact: PI on leave; deputy confirms",
    "C:\\shared\\reports\\week.xlsx attached",
];
