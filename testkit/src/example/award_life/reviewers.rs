//! The office's reviewers, and the conflicts of interest it records for them.

use super::*;

pub(super) const REVIEWER_NAMES: [&str; 8] = [
    "김서연",
    "이준호",
    "박지민",
    "최유진",
    "정민수",
    "강하은",
    "조성훈",
    "윤지아",
];

pub(super) fn register_reviewers(c: &mut Chapter, before: &Before) -> Vec<String> {
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

pub(super) fn declare_conflicts(c: &mut Chapter, before: &Before, reviewers: &[String]) {
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
