//! Any bytes read as a SARIF 2.1.0 log: findings and a summary, or a named error; never a
//! panic, never past the limits; every finding handed over has a rule and is counted, and the
//! summary's targets are those of the findings.
#![no_main]

use std::collections::HashSet;

use libfuzzer_sys::fuzz_target;
use rempart_interchange::scan::{sarif, ScanLimits};

fuzz_target!(|data: &[u8]| {
    let limits = ScanLimits::default();
    let mut count = 0;
    let mut targets = HashSet::new();
    let outcome = sarif::read(data, &limits, &mut |f| {
        assert!(!f.rule_id.trim().is_empty());
        assert!(!f.title.is_empty());
        assert!(f.cwes.len() <= limits.max_list);
        targets.extend(f.target);
        count += 1;
        Ok(())
    });
    if let Ok(summary) = outcome {
        assert_eq!(summary.findings, count);
        assert_eq!(summary.hosts, targets.len());
        assert!(count <= limits.max_findings);
    }
});
