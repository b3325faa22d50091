//! Organizations keep registering: universities, companies and institutes
//! of every size and region, with names that need escaping.

use super::texts::{ACADEMIA_NAMES, CAPITAL_CITIES, INDUSTRY_NAMES, OTHER_CITIES, RESEARCH_NAMES};
use super::{Organization, Simulation, Stop};
use crate::value;
use gpu_ledger_domain::organization::{OrganizationRegistered, Region, Sector, Size};
use rand::RngExt;
use std::io::Write;

impl<W: Write> Simulation<W> {
    pub(super) fn register_organization(&mut self, at: i64) -> Result<i64, Stop> {
        let sector = match self.dice.random_range(0..100) {
            0..45 => Sector::Academia,
            45..90 => Sector::Industry,
            _ => Sector::Research,
        };
        let roll = self.dice.random_range(0..100);
        let size = match sector {
            Sector::Academia if roll < 60 => Size::Public,
            Sector::Academia => Size::Large,
            Sector::Industry if roll < 15 => Size::Large,
            Sector::Industry if roll < 60 => Size::Sme,
            Sector::Industry => Size::Startup,
            Sector::Research if roll < 90 => Size::Public,
            Sector::Research => Size::Large,
        };
        let region = if self.chance(550) {
            Region::Capital
        } else {
            Region::NonCapital
        };
        let city = match region {
            Region::Capital => self.pick(&CAPITAL_CITIES),
            Region::NonCapital => self.pick(&OTHER_CITIES),
        };
        let kind = match sector {
            Sector::Academia => self.pick(&ACADEMIA_NAMES),
            Sector::Industry => self.pick(&INDUSTRY_NAMES),
            Sector::Research => self.pick(&RESEARCH_NAMES),
        };
        let number = self.orgs.len() + 1;
        let id = value::id(format!("ORG-{number:06}"));
        let registered = OrganizationRegistered {
            org_id: id.clone(),
            name: value::label(format!("{city} {kind} {number}")),
            sector,
            size,
            region,
        };
        let at = self.out.write(at, "msit", None, registered)?;
        self.orgs.push(Organization {
            id,
            sector,
            size,
            region,
        });
        Ok(at)
    }
}
