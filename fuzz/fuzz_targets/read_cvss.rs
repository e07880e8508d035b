//! Any bytes read as a CVSS vector: scores within 0–10 and a severity that matches the score,
//! or a named fault; never a panic. A vector scored is scored the same the second time.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rempart_domain::cvss::{self, Severity};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match cvss::score(&text) {
        Ok(s) => {
            assert!((0.0..=10.0).contains(&s.score), "{s:?}");
            assert!((0.0..=10.0).contains(&s.base), "{s:?}");
            assert_eq!(s.severity, Severity::from_score(s.score));
            assert_eq!(cvss::score(&s.vector), Ok(s));
        }
        Err(e) => {
            assert!(e.code().starts_with("cvss-error-"));
        }
    }
});
