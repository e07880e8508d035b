//! A fixed-window limit on requests from one address to the routes anyone may call without
//! signing in (login, health, the API contract): a flood from one place slows no one else.
//! In memory, per process: behind a load balancer each instance enforces its own share.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub struct PublicRateLimit {
    /// Requests allowed per window (a minute unless made `per_hour`).
    pub per_minute: u32,
    window_secs: i64,
    windows: Arc<Mutex<HashMap<String, (i64, u32)>>>,
}

impl PublicRateLimit {
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            window_secs: 60,
            windows: Arc::default(),
        }
    }

    /// `per_hour` requests an hour: for what writes, such as a public report.
    pub fn per_hour(per_hour: u32) -> Self {
        Self {
            per_minute: per_hour,
            window_secs: 3600,
            windows: Arc::default(),
        }
    }

    /// Counts a request from `client` at `now_secs`; false once the minute's share is spent.
    pub fn allow(&self, client: &str, now_secs: i64) -> bool {
        let minute = now_secs / self.window_secs.max(1);
        let Ok(mut windows) = self.windows.lock() else {
            // A poisoned lock only means another request panicked mid-update; refusing
            // everyone would turn that into an outage, so let the request through.
            return true;
        };
        if windows.len() > 100_000 {
            windows.retain(|_, (m, _)| *m == minute);
            // Still full within one window: a flood from many addresses. Newcomers wait for
            // the next window rather than grow the map without bound.
            if windows.len() > 100_000 && !windows.contains_key(client) {
                return false;
            }
        }
        let entry = windows.entry(client.to_owned()).or_insert((minute, 0));
        if entry.0 != minute {
            *entry = (minute, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        entry.1 <= self.per_minute
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_address_has_its_share_per_minute() {
        let limit = PublicRateLimit::new(3);
        assert!((0..3).all(|_| limit.allow("a", 60)));
        assert!(!limit.allow("a", 61));
        assert!(limit.allow("b", 61));
        assert!(limit.allow("a", 120));
    }
}
