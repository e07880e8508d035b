//! Property-based fuzzing of the readers, run with the test suite: any bytes, and a valid
//! catalogue or profile damaged at random, give a document or a named error, never a panic,
//! and never more than the limits allow. (`fuzz/` holds the coverage-guided target for
//! longer runs.)

use proptest::prelude::*;

use super::*;

fn small() -> Limits {
    Limits {
        max_bytes: 64 * 1024,
        max_depth: 6,
        max_controls: 200,
    }
}

fn within_limits(catalog: &Catalog, limits: &Limits) {
    assert!(catalog.controls.len() <= limits.max_controls);
    for c in &catalog.controls {
        assert!(c.depth < limits.max_depth);
    }
    let text: usize = catalog
        .controls
        .iter()
        .map(|c| c.statement.len() + c.guidance.len())
        .sum();
    assert!(text <= limits.max_bytes);
}

/// Both readers, and resolution when a document is both (it may hold both keys).
fn read_both(bytes: &[u8]) {
    let catalog = read_catalog(bytes, &small());
    if let Ok(c) = &catalog {
        within_limits(c, &small());
    }
    let profile = read_profile(bytes, &small());
    if let (Ok(c), Ok(p)) = (&catalog, &profile) {
        if let Ok(r) = resolve(p, c) {
            assert!(r.controls.len() <= c.controls.len());
        }
    }
}

const BASIC: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/oscal/basic-catalog.json"
));

/// A catalogue and a profile in one document, so that damage reaches `resolve` too.
const BOTH: &str = r##"{"catalog": {"uuid": "c", "metadata": {"title": "t"}, "groups": [{"id": "g",
    "title": "G", "controls": [{"id": "a-1", "title": "A",
    "params": [{"id": "p1", "label": "l"}, {"id": "p2", "select": {"how-many": "one-or-more",
        "choice": ["x {{ insert: param, p1 }}", "y"]}}],
    "props": [{"name": "label", "value": "A-1"}, {"name": "status", "value": "withdrawn"}],
    "parts": [{"name": "statement", "prose": "S {{ insert: param, p2 }}", "parts": [
        {"name": "item", "props": [{"name": "label", "value": "a."}], "prose": "{{ insert: param, p1 }}"}]},
        {"name": "guidance", "prose": "G"}],
    "controls": [{"id": "a-1.1", "title": "A1"}]}]}]},
  "profile": {"uuid": "p", "imports": [{"href": "#c", "include-controls": [
      {"with-ids": ["a-1"], "with-child-controls": "yes"}],
      "exclude-controls": [{"with-ids": ["a-1.1"]}]}],
    "merge": {"as-is": true},
    "modify": {"set-parameters": [{"param-id": "p1", "values": ["v"]}],
      "alters": [{"control-id": "a-1", "adds": [{"position": "ending", "props": [{"name": "n", "value": "v"}]}]}]}}}"##;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        read_both(&bytes);
    }

    #[test]
    fn json_like_text(text in r#"[{}\[\]":, a-z0-9\-{}]{0,2000}"#) {
        read_both(text.as_bytes());
    }

    #[test]
    fn damaged_catalog_and_profile(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        keep in any::<prop::sample::Index>(),
    ) {
        let mut bytes = BOTH.as_bytes().to_vec();
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] ^= value | 1;
        }
        read_both(&bytes);
        read_both(&BOTH.as_bytes()[..keep.index(BOTH.len())]);
    }
}

proptest! {
    // Each case parses a 15 KB file twice: fewer cases keep the suite quick.
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn damaged_basic_catalog(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        keep in any::<prop::sample::Index>(),
    ) {
        let mut bytes = BASIC.to_vec();
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] ^= value | 1;
        }
        read_both(&bytes);
        read_both(&BASIC[..keep.index(BASIC.len())]);
    }
}

#[test]
fn the_undamaged_seeds_read() {
    let c = read_catalog(BASIC, &small()).unwrap();
    within_limits(&c, &small());
    let c = read_catalog(BOTH.as_bytes(), &small()).unwrap();
    let p = read_profile(BOTH.as_bytes(), &small()).unwrap();
    let r = resolve(&p, &c).unwrap();
    assert_eq!(r.controls.len(), 1);
    assert_eq!(
        r.controls[0].control.statement,
        "S [Sélection (un ou plusieurs) : x [Valeur : v] ; y]\na. [Valeur : v]"
    );
}
