//! The pools and tracks the generated programme runs, and what proposals ask.

use gpu_ledger_domain::organization::{Sector, Size};

/// A GPU pool of the programme, sized in proportion to the whole programme.
pub struct PoolPlan {
    pub id: &'static str,
    pub name: &'static str,
    /// `None` for the ministry's own GPUs, the provider's name for leased ones.
    pub provider: Option<&'static str>,
    pub gpu_model: &'static str,
    pub gpus_per_server: u32,
    /// Share of all the programme's GPUs, in basis points.
    pub share_bp: u32,
}

pub const POOLS: [PoolPlan; 4] = [
    PoolPlan {
        id: "POOL-MSIT-H100",
        name: "MSIT H100 cluster, 2025 supplementary budget",
        provider: None,
        gpu_model: "H100-80GB-SXM5",
        gpus_per_server: 8,
        share_bp: 4500,
    },
    PoolPlan {
        id: "POOL-CSP1-H100",
        name: "Leased H100 nodes, HPC support project",
        provider: Some("한빛클라우드"),
        gpu_model: "H100-80GB-SXM5",
        gpus_per_server: 8,
        share_bp: 2000,
    },
    PoolPlan {
        id: "POOL-CSP2-H200",
        name: "Leased H200 nodes, AI research computing project",
        provider: Some("Nuri Cloud"),
        gpu_model: "H200-141GB",
        gpus_per_server: 8,
        share_bp: 2500,
    },
    PoolPlan {
        id: "POOL-CSP3-L40S",
        name: "Leased L40S inference servers",
        provider: Some("Saebit IDC"),
        gpu_model: "L40S-48GB",
        gpus_per_server: 4,
        share_bp: 1000,
    },
];

/// A track every call offers.
pub struct TrackPlan {
    pub id: &'static str,
    /// Index into [`POOLS`].
    pub pool: usize,
    /// GPUs offered per call, in basis points of the pool's capacity.
    pub share_bp: u32,
    pub sectors: &'static [Sector],
    pub sizes: Option<&'static [Size]>,
    /// Written only when not the default of 3, as an office would.
    pub min_reviews: Option<u32>,
    pub regional_bonus: Option<u32>,
    pub max_org_share_bp: Option<u32>,
}

impl TrackPlan {
    pub fn min_reviews(&self) -> u32 {
        self.min_reviews.unwrap_or(3)
    }

    pub fn admits(&self, sector: Sector, size: Size) -> bool {
        self.sectors.contains(&sector) && self.sizes.is_none_or(|sizes| sizes.contains(&size))
    }
}

pub const TRACKS: [TrackPlan; 4] = [
    TrackPlan {
        id: "ACADEMIA",
        pool: 0,
        share_bp: 3000,
        sectors: &[Sector::Academia],
        sizes: None,
        min_reviews: None,
        regional_bonus: Some(3),
        max_org_share_bp: Some(1500),
    },
    TrackPlan {
        id: "STARTUP",
        pool: 1,
        share_bp: 3000,
        sectors: &[Sector::Industry],
        sizes: Some(&[Size::Sme, Size::Startup]),
        min_reviews: None,
        regional_bonus: Some(5),
        max_org_share_bp: Some(1000),
    },
    TrackPlan {
        id: "RESEARCH",
        pool: 2,
        share_bp: 3000,
        sectors: &[Sector::Research, Sector::Academia],
        sizes: Some(&[Size::Public, Size::Large]),
        min_reviews: None,
        regional_bonus: None,
        max_org_share_bp: None,
    },
    TrackPlan {
        id: "INFERENCE",
        pool: 3,
        share_bp: 3000,
        sectors: &[Sector::Industry],
        sizes: None,
        min_reviews: Some(4),
        regional_bonus: None,
        max_org_share_bp: Some(2000),
    },
];

/// Request sizes in servers, as proposals commonly come: most ask one to
/// four servers, a few ask many more.
pub const REQUESTED_SERVERS: [u32; 12] = [1, 1, 2, 2, 2, 3, 4, 4, 4, 6, 8, 12];
