//! Views computed over many records, kept while nothing changes. Every change to the data is
//! audited, so the audit chain's head is a version of the whole database: a view stored under
//! the head it was computed at is exactly right for as long as the head stays there, in this
//! process or any other sharing the database. No expiry, no invalidation to forget.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::assets::BodyCounts;

/// At most this many views are kept; past it, all are dropped and the cache refills.
const CAPACITY: usize = 256;

#[derive(Default)]
pub(crate) struct Views {
    consolidated: Mutex<HashMap<String, Vec<BodyCounts>>>,
}

impl Views {
    pub(crate) fn get(&self, key: &str) -> Option<Vec<BodyCounts>> {
        // A poisoned lock only means another thread panicked while holding it: read as empty.
        self.consolidated.lock().ok()?.get(key).cloned()
    }

    pub(crate) fn put(&self, key: String, value: Vec<BodyCounts>) {
        if let Ok(mut map) = self.consolidated.lock() {
            if map.len() >= CAPACITY {
                map.clear();
            }
            map.insert(key, value);
        }
    }

    pub(crate) fn clear(&self) {
        if let Ok(mut map) = self.consolidated.lock() {
            map.clear();
        }
    }
}
