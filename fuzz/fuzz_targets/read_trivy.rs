//! Any bytes read as a Trivy JSON report: findings and a summary, or a named error; never a
//! panic, never past the limits; every finding handed over has a rule and is counted.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rempart_interchange::scan::{trivy, ScanLimits};

fuzz_target!(|data: &[u8]| {
    let limits = ScanLimits::default();
    let mut count = 0;
    let outcome = trivy::read(data, &limits, &mut |f| {
        assert!(!f.rule_id.trim().is_empty());
        assert!(!f.title.is_empty());
        assert!(f.cvss.len() <= limits.max_list);
        assert!(f.cves.len() <= limits.max_list);
        assert!(f.cwes.len() <= limits.max_list);
        count += 1;
        Ok(())
    });
    if let Ok(summary) = outcome {
        assert_eq!(summary.findings, count);
        assert!(count <= limits.max_findings);
    }
});
