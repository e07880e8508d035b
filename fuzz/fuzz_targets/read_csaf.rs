//! Any bytes read as a CSAF 2.0 advisory: an advisory within the limits or a named error;
//! never a panic. An advisory read is matched against a few components (the matching walks
//! every product's keys and every status) without a panic, and every product a status names
//! is in the tree.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rempart_domain::advisory::{match_assets, Component};
use rempart_interchange::csaf::{self, CsafLimits};

fuzz_target!(|data: &[u8]| {
    let limits = CsafLimits::default();
    if let Ok(advisory) = csaf::read(data, limits) {
        assert!(advisory.products.len() <= limits.max_products);
        assert!(advisory.vulnerabilities.len() <= limits.max_vulnerabilities);
        assert!(!advisory.tracking_id.is_empty() && !advisory.title.is_empty());
        let ids = csaf::product_ids(&advisory);
        for v in &advisory.vulnerabilities {
            for (id, _) in &v.statuses {
                assert!(ids.contains(id.as_str()));
            }
        }
        let components: Vec<(i64, String, Component)> = [
            ("cpe", "cpe:2.3:o:cisco:ios:15.2\\(4\\)e1:*:*:*:*:*:*:*"),
            ("cpe", "cpe:2.3:o:redhat:rhel_aus:*:*:*:*:*:*:*:*"),
            ("purl", "pkg:npm/jquery@3.4.1"),
        ]
        .iter()
        .enumerate()
        .filter_map(|(i, (k, v))| Component::from_identifier(k, v).map(|c| (i as i64, v.to_string(), c)))
        .collect();
        for m in match_assets(&advisory, &components) {
            assert!(m.products.len() <= m.product_count);
            assert!(m.product_count > 0);
        }
    }
});
