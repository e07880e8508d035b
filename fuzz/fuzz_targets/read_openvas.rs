//! Any bytes read as a openvas report: findings, each with its rule, as many as the summary
//! says, or a named fault; never a panic, never past the limits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rempart_interchange::scan::{openvas, ScanLimits};

fuzz_target!(|data: &[u8]| {
    let limits = ScanLimits::default();
    let mut count = 0;
    let read = openvas::read(data, &limits, &mut |f| {
        assert!(!f.rule_id.is_empty());
        assert!(f.cves.len() <= limits.max_list && f.cvss.len() <= limits.max_list);
        count += 1;
        Ok(())
    });
    if let Ok(summary) = read {
        assert_eq!(summary.findings, count);
        assert!(count <= limits.max_findings);
    }
});
