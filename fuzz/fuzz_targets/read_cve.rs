//! Any bytes read as a CVE JSON 5 record: a record or a named error, never a panic; a record
//! read has a well-formed CVE id, a known state, CWE ids in their form, SSVC values from their
//! sets, and a CVSS score that scores the same again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rempart_interchange::cve;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = cve::read(data) {
        assert!(r.cve_id.starts_with("CVE-"));
        assert!(matches!(r.state.as_str(), "PUBLISHED" | "REJECTED"));
        assert!(r.cwes.iter().all(|c| c.starts_with("CWE-")));
        assert!(r.ssvc.exploitation.as_deref().is_none_or(|x| matches!(x, "none" | "poc" | "active")));
        assert!(r.ssvc.automatable.as_deref().is_none_or(|x| matches!(x, "yes" | "no")));
        if let Some(s) = &r.cvss {
            let again = rempart_domain::cvss::score(&s.vector).expect("a kept vector scores");
            assert_eq!(again.score, s.score);
        }
    }
});
