//! Any bytes read as an OSCAL catalogue and as an OSCAL profile: a document or a named error,
//! never a panic, never past the limits; a document that is both (it may hold both keys) is
//! then resolved, which must not panic either.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rempart_interchange::oscal::{self, Limits};

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    let catalog = oscal::read_catalog(data, &limits);
    if let Ok(c) = &catalog {
        assert!(c.controls.len() <= limits.max_controls);
        assert!(c.controls.iter().all(|r| r.depth < limits.max_depth));
        let text: usize = c
            .controls
            .iter()
            .map(|r| r.statement.len() + r.guidance.len())
            .sum();
        assert!(text <= limits.max_bytes);
    }
    let profile = oscal::read_profile(data, &limits);
    if let (Ok(c), Ok(p)) = (&catalog, &profile) {
        if let Ok(r) = oscal::resolve(p, c) {
            assert!(r.controls.len() <= c.controls.len());
        }
    }
});
