//! Chapter 1, the applicants: universities (a few institutes of science and
//! technology among them), companies of every size, and public research
//! institutes, registered in the week before the first call opens.

use super::calendar::Kst;
use super::first_call::FIRST_CALL_TRACKS;
use super::{PROGRAMME_OFFICE, Story, names};
use crate::value;
use gpu_ledger_domain::organization::{OrganizationRegistered, Region, Sector, Size};
use rand::RngExt;
use rand::rngs::ChaCha8Rng;
use rand::seq::SliceRandom;

/// A registered university, company or institute.
pub(super) struct Organization {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) sector: Sector,
    pub(super) size: Size,
    pub(super) region: Region,
    /// How many proposals it tends to send, relative to its peers.
    pub(super) activity: u32,
}

/// How one sector's organizations are drawn: their ids, their odds of
/// being in the capital region, and how many proposals they tend to send.
struct Habits {
    id_prefix: &'static str,
    sector: Sector,
    /// (in the capital, out of)
    capital_odds: (u32, u32),
    most_activity: u32,
}

const ACADEMIA: Habits = Habits {
    id_prefix: "ORG-A",
    sector: Sector::Academia,
    capital_odds: (9, 20),
    most_activity: 8,
};
const INDUSTRY: Habits = Habits {
    id_prefix: "ORG-I",
    sector: Sector::Industry,
    capital_odds: (3, 5),
    most_activity: 3,
};
const RESEARCH: Habits = Habits {
    id_prefix: "ORG-R",
    sector: Sector::Research,
    capital_odds: (1, 4),
    most_activity: 5,
};

impl Habits {
    /// The sector's `n`th organization (from 0); draws its region, then its activity.
    fn draw(&self, dice: &mut ChaCha8Rng, n: usize, name: String, size: Size) -> Organization {
        let (capital, out_of) = self.capital_odds;
        let region = region_of(dice, capital, out_of);
        Organization {
            id: format!("{}{:03}", self.id_prefix, n + 1),
            name,
            sector: self.sector,
            size,
            region,
            activity: dice.random_range(1..=self.most_activity),
        }
    }
}

impl Story {
    /// Universities (a few institutes of science and technology among
    /// them), companies of every size, and public research institutes,
    /// registered in the week before the first call opens.
    pub(super) fn register_organizations(&mut self) {
        let dice = &mut self.dice;
        let mut stems = names::STEMS.to_vec();
        stems.shuffle(dice);

        let academia = &FIRST_CALL_TRACKS[0];
        for (n, stem) in stems.iter().take(academia.organizations).enumerate() {
            let (name, size) = if n < 4 {
                (
                    names::institute_of_science_and_technology(stem),
                    Size::Public,
                )
            } else if dice.random_ratio(2, 5) {
                (names::university(stem), Size::Public)
            } else {
                (names::university(stem), Size::Large)
            };
            self.organizations.push(ACADEMIA.draw(dice, n, name, size));
        }

        // One company in ten is large and named for its trade; the others
        // are SMEs and start-ups named from distinct (stem, trade) pairs.
        let industry = &FIRST_CALL_TRACKS[1];
        let large = industry.organizations / 10;
        let mut pairs: Vec<(&str, &str)> = names::STEMS
            .iter()
            .flat_map(|stem| names::TRADES.iter().map(move |trade| (*stem, *trade)))
            .collect();
        pairs.shuffle(dice);
        for n in 0..industry.organizations {
            let (name, size) = if n < large {
                let trade = names::LARGE_TRADES[n % names::LARGE_TRADES.len()];
                (format!("{}{trade}", stems[n]), Size::Large)
            } else {
                let (stem, trade) = pairs[n];
                let size = if dice.random_ratio(11, 20) {
                    Size::Sme
                } else {
                    Size::Startup
                };
                (names::company(stem, trade), size)
            };
            self.organizations.push(INDUSTRY.draw(dice, n, name, size));
        }
        self.newcomer_names = pairs[industry.organizations..industry.organizations + 8]
            .iter()
            .map(|(stem, trade)| names::company(stem, trade))
            .collect();

        let research = &FIRST_CALL_TRACKS[2];
        for (n, name) in names::INSTITUTES
            .iter()
            .take(research.organizations)
            .enumerate()
        {
            self.organizations
                .push(RESEARCH.draw(dice, n, (*name).to_owned(), Size::Public));
        }

        let mut order: Vec<usize> = (0..self.organizations.len()).collect();
        order.shuffle(dice);
        let moments = Kst::scattered(
            dice,
            order.len(),
            Kst::on(2025, 11, 24, 10, 0),
            Kst::on(2025, 11, 29, 18, 0),
        );
        for (org, at) in order.into_iter().zip(moments) {
            self.timeline
                .record(at, PROGRAMME_OFFICE, self.organizations[org].registration());
        }
    }
}

/// A region drawn with the given odds of being in the capital region.
pub(super) fn region_of(dice: &mut ChaCha8Rng, capital: u32, out_of: u32) -> Region {
    if dice.random_ratio(capital, out_of) {
        Region::Capital
    } else {
        Region::NonCapital
    }
}

impl Organization {
    pub(super) fn registration(&self) -> OrganizationRegistered {
        OrganizationRegistered {
            org_id: value::id(self.id.as_str()),
            name: value::label(self.name.as_str()),
            sector: self.sector,
            size: self.size,
            region: self.region,
        }
    }
}
