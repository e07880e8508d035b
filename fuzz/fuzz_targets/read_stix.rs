//! Any bytes read as a STIX 2.1 bundle: a bundle or a named error, never a panic, never past
//! the limits; a bundle read is written and read again to the same objects.
#![no_main]

use std::collections::HashSet;

use libfuzzer_sys::fuzz_target;
use rempart_interchange::stix::{self, StixLimits};

fuzz_target!(|data: &[u8]| {
    let limits = StixLimits::default();
    if let Ok(bundle) = stix::read_bundle(data, &limits) {
        assert!(bundle.objects.len() <= limits.max_objects);
        let ids: HashSet<&str> = bundle.objects.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids.len(), bundle.objects.len());
        for o in &bundle.objects {
            if o.object_type == "indicator" {
                assert!(o.pattern.as_deref().is_some_and(|p| !p.trim().is_empty()));
                assert!(o.pattern_type.is_some());
            }
        }
        // Indentation may make the written bundle longer than the one read.
        let written = stix::write_bundle(&bundle.raw_objects());
        let unbounded_size = StixLimits {
            max_bytes: usize::MAX,
            ..limits
        };
        let again = stix::read_bundle(written.as_bytes(), &unbounded_size)
            .unwrap_or_else(|e| panic!("a bundle written from one read is refused: {e}"));
        assert_eq!(again.objects, bundle.objects);
    }
});
