//! Latency percentiles.

use std::time::Duration;

use serde_json::{json, Value};

#[derive(Debug, Clone, Copy)]
pub struct Latency {
    pub count: usize,
    pub p50: Duration,
    pub p95: Duration,
    pub p99: Duration,
    pub max: Duration,
    pub mean: Duration,
}

/// Nearest-rank percentiles of `samples`.
pub fn latency(mut samples: Vec<Duration>) -> Latency {
    samples.sort_unstable();
    let count = samples.len();
    let at = |p: f64| -> Duration {
        if count == 0 {
            return Duration::ZERO;
        }
        // Nearest rank: the smallest sample with at least p% of the samples at or below it.
        let rank = ((p / 100.0) * count as f64).ceil() as usize;
        samples[rank.clamp(1, count) - 1]
    };
    let total: Duration = samples.iter().sum();
    Latency {
        count,
        p50: at(50.0),
        p95: at(95.0),
        p99: at(99.0),
        max: samples.last().copied().unwrap_or_default(),
        mean: if count == 0 {
            Duration::ZERO
        } else {
            total / u32::try_from(count).unwrap_or(u32::MAX)
        },
    }
}

pub fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

impl Latency {
    pub fn json(&self) -> Value {
        json!({
            "count": self.count,
            "p50_ms": ms(self.p50),
            "p95_ms": ms(self.p95),
            "p99_ms": ms(self.p99),
            "max_ms": ms(self.max),
            "mean_ms": ms(self.mean),
        })
    }

    pub fn short(&self) -> String {
        format!(
            "p50 {:.3} ms, p95 {:.3} ms, p99 {:.3} ms (n = {})",
            ms(self.p50),
            ms(self.p95),
            ms(self.p99),
            self.count
        )
    }
}

/// The median of a few measurements.
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => 0.0,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}
