//! Views computed over many records, kept while nothing changes. Every change to the data is
//! audited, so the audit chain's head is a version of the whole database: a view stored with
//! the head it was computed at is exactly right for as long as the head stays there, in this
//! process or any other sharing the database. No expiry, no invalidation to forget.
//!
//! When the head has moved, the entries since then say what changed: most are sign-ins and
//! other changes that no view counts, some change assets of a few organizations (only the
//! rows of their bodies need computing again), and anything else (a grant, an organization
//! moved, a person disabled, an action this module does not know) has the view computed whole.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use crate::assets::BodyCounts;

/// At most this many views are kept; past it, all are dropped and the cache refills.
const CAPACITY: usize = 256;

/// Past this many entries since a kept view, it is computed whole rather than patched.
pub(crate) const MAX_PATCH_ENTRIES: i64 = 500;

/// A view and the audit head it is right at.
#[derive(Clone)]
pub(crate) struct Kept {
    pub head: i64,
    pub rows: Vec<BodyCounts>,
    /// For a network's counts: which whole computation they descend from. For a reader's
    /// view: the one its set of visible bodies was read under. Who sees which body changes
    /// only through actions that have the counts computed whole, so a reader's set still holds
    /// while the epoch is the same.
    pub epoch: u64,
}

#[derive(Default)]
pub(crate) struct Views {
    consolidated: Mutex<HashMap<String, Kept>>,
    computed: AtomicU64,
    patched: AtomicU64,
    epochs: AtomicU64,
}

/// How views were answered since the store opened, beyond those kept unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ViewCounts {
    /// Computed whole.
    pub computed: u64,
    /// Brought up to date by computing again only the rows that changes touched.
    pub patched: u64,
}

impl Views {
    pub(crate) fn count(&self, patched: bool) {
        let counter = if patched {
            &self.patched
        } else {
            &self.computed
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// A new epoch, for counts computed whole; never reused, even after `clear`.
    pub(crate) fn next_epoch(&self) -> u64 {
        self.epochs.fetch_add(1, Ordering::Relaxed) + 1
    }

    pub(crate) fn counts(&self) -> ViewCounts {
        ViewCounts {
            computed: self.computed.load(Ordering::Relaxed),
            patched: self.patched.load(Ordering::Relaxed),
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<Kept> {
        // A poisoned lock only means another thread panicked while holding it: read as empty.
        self.consolidated.lock().ok()?.get(key).cloned()
    }

    pub(crate) fn put(&self, key: String, value: Kept) {
        if let Ok(mut map) = self.consolidated.lock() {
            if map.len() >= CAPACITY && !map.contains_key(&key) {
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

/// What one audited action may change in the inventory's counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Effect {
    /// Nothing counted: sign-ins, tokens, second factors, preferences, dependencies, scales.
    None,
    /// Assets of the entry's organization (and, for an update, of the one it came from).
    Assets,
    /// Possibly anything: who holds what, which organizations exist and where, who is active.
    All,
}

pub(crate) fn effect(action: &str) -> Effect {
    // Sign-ins and credentials; the risk register, control catalogues and projects, and the
    // GMVI records (events, incidents, notices, alerts), which the inventory's counts do not read.
    const NONE_PREFIXES: [&str; 14] = [
        "auth.",
        "token.",
        "mfa.",
        "sso.",
        "risk.",
        "control_catalog.",
        "control.",
        "project.",
        "event.",
        "incident.",
        "notice.",
        "escalation.",
        "alert.",
        "evidence.",
    ];
    match action {
        "asset.create" | "asset.update" | "asset.classify" | "asset.archive" => Effect::Assets,
        "asset.dependency_add"
        | "asset.dependency_remove"
        | "asset.control_link"
        | "asset.control_unlink"
        | "classification.scale_set"
        | "designation.create"
        | "person.create"
        | "person.language"
        | "person.password_change"
        | "person.password_reset" => Effect::None,
        a if NONE_PREFIXES.iter().any(|p| a.starts_with(p)) => Effect::None,
        _ => Effect::All,
    }
}

/// The organizations whose assets the entries since a kept view changed, or `None` when the
/// view must be computed whole. `entries` are (action, organization, before, after).
pub(crate) fn changed_orgs<'a>(
    entries: impl IntoIterator<Item = (&'a str, Option<i64>, Option<&'a str>)>,
) -> Option<BTreeSet<i64>> {
    let mut orgs = BTreeSet::new();
    for (action, org, before) in entries {
        match effect(action) {
            Effect::None => {}
            Effect::All => return None,
            Effect::Assets => {
                orgs.insert(org?);
                // An asset moved to another unit also leaves the one it was in.
                if let Some(before) = before {
                    let value: serde_json::Value = serde_json::from_str(before).ok()?;
                    if let Some(from) = value.get("org_id") {
                        orgs.insert(from.as_i64()?);
                    }
                }
            }
        }
    }
    Some(orgs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_ins_change_nothing_assets_their_units_and_the_rest_everything() {
        assert_eq!(
            changed_orgs([("auth.login", Some(1), None)]),
            Some(BTreeSet::new())
        );
        for action in [
            "risk.flag",
            "risk.approve",
            "control_catalog.import",
            "project.create",
        ] {
            assert_eq!(
                changed_orgs([(action, Some(1), None)]),
                Some(BTreeSet::new()),
                "{action}"
            );
        }
        assert_eq!(
            changed_orgs([
                ("token.use", None, None),
                ("asset.classify", Some(7), Some(r#"{"availability":1}"#)),
                ("asset.update", Some(8), Some(r#"{"org_id":9,"name":"x"}"#)),
            ]),
            Some(BTreeSet::from([7, 8, 9]))
        );
        assert_eq!(changed_orgs([("grant.create", Some(1), None)]), None);
        assert_eq!(changed_orgs([("person.disable", Some(1), None)]), None);
        assert_eq!(changed_orgs([("organization.move", Some(1), None)]), None);
        assert_eq!(changed_orgs([("something.new", Some(1), None)]), None);
        // An asset entry without its organization cannot be placed: computed whole.
        assert_eq!(changed_orgs([("asset.create", None, None)]), None);
        assert_eq!(
            changed_orgs([("asset.update", Some(1), Some("not json"))]),
            None
        );
    }
}
