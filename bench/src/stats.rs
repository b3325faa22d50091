//! Medians and latency percentiles.
//!
//! Percentiles are nearest-rank over every recorded sample (no histogram
//! buckets, no interpolation): the p99 reported is a latency some request
//! really had.

/// The median of runs; with an even count, the mean of the middle two.
pub fn median(values: &[f64]) -> f64 {
    assert!(!values.is_empty(), "the median of no runs");
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}

/// Every latency of a run, sorted.
#[derive(Debug, Clone, Default)]
pub struct Latencies {
    nanos: Vec<u64>,
}

impl Latencies {
    pub fn from_nanos(mut nanos: Vec<u64>) -> Self {
        nanos.sort_unstable();
        Self { nanos }
    }

    pub fn len(&self) -> usize {
        self.nanos.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nanos.is_empty()
    }

    /// The nearest-rank `q`-quantile (0 < q <= 1) in milliseconds.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.nanos.is_empty() {
            return f64::NAN;
        }
        let rank = (q * self.nanos.len() as f64).ceil() as usize;
        self.nanos[rank.clamp(1, self.nanos.len()) - 1] as f64 / 1e6
    }

    pub fn p50_ms(&self) -> f64 {
        self.quantile_ms(0.50)
    }

    pub fn p99_ms(&self) -> f64 {
        self.quantile_ms(0.99)
    }

    pub fn max_ms(&self) -> f64 {
        self.quantile_ms(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(&[3.0]), 3.0);
        assert_eq!(median(&[5.0, 1.0, 3.0]), 3.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
    }

    #[test]
    fn nearest_rank_percentiles() {
        let l = Latencies::from_nanos((1..=100).rev().map(|ms| ms * 1_000_000).collect());
        assert_eq!(l.p50_ms(), 50.0);
        assert_eq!(l.p99_ms(), 99.0);
        assert_eq!(l.max_ms(), 100.0);
        assert_eq!(l.quantile_ms(0.001), 1.0);
        let one = Latencies::from_nanos(vec![250_000]);
        assert_eq!(one.p99_ms(), 0.25);
    }
}
