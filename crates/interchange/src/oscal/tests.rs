use std::sync::OnceLock;

use rempart_domain::language::Language;

use super::*;

macro_rules! data {
    ($name:literal) => {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/oscal/",
            $name
        )
    };
}

fn file(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The SP 800-53 catalogue, read once for every test.
fn sp800_53() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        read_catalog(
            &file(data!("NIST_SP-800-53_rev5_catalog.json")),
            &Limits::default(),
        )
        .unwrap()
    })
}

fn control<'a>(catalog: &'a Catalog, id: &str) -> &'a ControlRecord {
    catalog
        .control(id)
        .unwrap_or_else(|| panic!("{id} missing"))
}

fn catalog(json: &str) -> Result<Catalog, OscalError> {
    read_catalog(json.as_bytes(), &Limits::default())
}

fn profile(json: &str) -> Result<Profile, OscalError> {
    read_profile(json.as_bytes(), &Limits::default())
}

#[test]
fn sp800_53_holds_1189_controls_and_enhancements_in_20_families() {
    let c = sp800_53();
    assert_eq!(c.controls.len(), 1189);
    assert_eq!(c.controls.iter().filter(|c| c.withdrawn).count(), 182);
    assert_eq!(c.controls.iter().filter(|c| c.depth == 0).count(), 322);
    assert_eq!(c.controls.iter().filter(|c| c.depth == 1).count(), 867);
    assert_eq!(c.groups.len(), 20);
    let families: Vec<&str> = c.groups.iter().filter_map(|g| g.id.as_deref()).collect();
    assert_eq!(
        families,
        [
            "ac", "at", "au", "ca", "cm", "cp", "ia", "ir", "ma", "mp", "pe", "pl", "pm", "ps",
            "pt", "ra", "sa", "sc", "si", "sr"
        ]
    );
    assert!(c
        .groups
        .iter()
        .all(|g| g.parent_id.is_none() && g.depth == 0));
    assert_eq!(c.groups[0].title, "Access Control");
    assert_eq!(c.groups[0].class.as_deref(), Some("family"));
    assert!(c
        .title
        .starts_with("NIST Special Publication 800-53 Revision 5"));
    assert_eq!(c.version, "5.0.1");
    assert_eq!(c.oscal_version, "1.0.0");
    assert_eq!(c.last_modified, "2021-06-08T13:57:33.013981-04:00");
    assert!(!c.uuid.is_empty());
    // Document order: each control followed by its enhancements.
    let first: Vec<&str> = c.controls.iter().take(4).map(|c| c.id.as_str()).collect();
    assert_eq!(first, ["ac-1", "ac-2", "ac-2.1", "ac-2.2"]);
    assert_eq!(c.controls.last().map(|c| c.id.as_str()), Some("sr-12"));
    // Every control that is not withdrawn says something; the withdrawn ones say nothing,
    // but for two whose statement says why they went.
    let mut explained = Vec::new();
    for r in &c.controls {
        if r.withdrawn && !r.statement.is_empty() {
            explained.push((r.id.as_str(), r.statement.as_str()));
        } else {
            assert_eq!(r.statement.is_empty(), r.withdrawn, "{}", r.id);
        }
        assert!(r.label.is_some() && r.sort_id.is_some(), "{}", r.id);
        assert!(!r.statement.contains("{{"), "{}", r.id);
    }
    assert_eq!(
        explained,
        [
            ("cp-10.3", "Addressed through tailoring."),
            (
                "sc-19",
                "Technology-specific; addressed as any other technology or protocol."
            )
        ]
    );
}

#[test]
fn a_control_its_enhancement_and_a_withdrawn_one_are_read_whole() {
    let c = sp800_53();
    let enhancement = control(c, "ac-2.1");
    assert_eq!(enhancement.parent_id.as_deref(), Some("ac-2"));
    assert_eq!(enhancement.group_id.as_deref(), Some("ac"));
    assert_eq!(enhancement.group_title.as_deref(), Some("Access Control"));
    assert_eq!(enhancement.label.as_deref(), Some("AC-2(1)"));
    assert_eq!(enhancement.sort_id.as_deref(), Some("ac-02.01"));
    assert_eq!(enhancement.class.as_deref(), Some("SP800-53-enhancement"));
    assert_eq!(enhancement.title, "Automated System Account Management");
    assert_eq!(enhancement.depth, 1);
    assert!(!enhancement.withdrawn);
    assert_eq!(
        enhancement.statement,
        "Support the management of system accounts using \
         [Affectation : organization-defined automated mechanisms]."
    );
    assert!(enhancement
        .guidance
        .starts_with("Automated system account management includes"));
    assert_eq!(enhancement.links[0].href, "#ac-2");
    assert_eq!(enhancement.links[0].rel.as_deref(), Some("required"));

    let ac1 = control(c, "ac-1");
    assert_eq!(ac1.parent_id, None);
    assert_eq!(ac1.depth, 0);
    assert_eq!(ac1.params.len(), 7);
    let select = ac1.params[1].select.as_ref().unwrap();
    assert_eq!(ac1.params[1].id, "ac-1_prm_2");
    assert_eq!(select.how_many.as_deref(), Some("one-or-more"));
    assert_eq!(
        select.choice,
        [
            "Organization-level",
            "Mission/business process-level",
            "System-level"
        ]
    );
    assert_eq!(
        ac1.params[0].label.as_deref(),
        Some("organization-defined personnel or roles")
    );
    let lines: Vec<&str> = ac1.statement.lines().collect();
    assert_eq!(lines.len(), 9);
    assert_eq!(
        lines[..3],
        [
            "a. Develop, document, and disseminate to \
             [Affectation : organization-defined personnel or roles]:",
            "  1. [Sélection (un ou plusieurs) : Organization-level ; \
             Mission/business process-level ; System-level] access control policy that:",
            "    (a) Addresses purpose, scope, roles, responsibilities, management commitment, \
             coordination among organizational entities, and compliance; and",
        ]
    );
    assert!(lines[6].starts_with("c. Review and update the current access control:"));
    assert_eq!(
        lines[7],
        "  1. Policy [Affectation : organization-defined frequency] and following \
         [Affectation : organization-defined events]; and"
    );
    assert!(ac1
        .guidance
        .starts_with("Access control policy and procedures"));
    let statement_parts: Vec<&str> = ac1.parts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(statement_parts, ["statement", "guidance"]);
    assert_eq!(ac1.parts[0].parts[0].id.as_deref(), Some("ac-1_smt.a"));
    assert_eq!(ac1.links.len(), 11);

    // A choice that inserts another parameter shows that parameter's label.
    let ac7 = control(c, "ac-7");
    assert!(ac7.statement.contains(
        "b. Automatically [Sélection (un ou plusieurs) : lock the account or node for an \
         [Affectation : organization-defined time period] ; lock the account"
    ));

    let withdrawn = control(c, "ac-2.10");
    assert!(withdrawn.withdrawn);
    assert_eq!(withdrawn.statement, "");
    assert_eq!(withdrawn.guidance, "");
    assert_eq!(withdrawn.parent_id.as_deref(), Some("ac-2"));
    assert_eq!(withdrawn.links[0].rel.as_deref(), Some("incorporated-into"));
    assert_eq!(withdrawn.links[0].href, "#ac-2_smt.k");
    assert!(withdrawn
        .props
        .iter()
        .any(|p| p.name == "status" && p.value == "withdrawn"));
}

#[test]
fn nested_groups_and_guidance_in_parts() {
    let c = read_catalog(&file(data!("basic-catalog.json")), &Limits::default()).unwrap();
    assert_eq!(c.oscal_version, "1.1.2");
    let s1 = &c.groups[0];
    assert_eq!(
        (s1.id.as_deref(), s1.depth, s1.parent_id.as_deref()),
        (Some("s1"), 0, None)
    );
    let s11 = &c.groups[1];
    assert_eq!(
        (s11.id.as_deref(), s11.depth, s11.parent_id.as_deref()),
        (Some("s1.1"), 1, Some("s1"))
    );
    assert_eq!(s11.title, "Internal Organization");
    let first = &c.controls[0];
    assert_eq!(first.id, "s1.1.1");
    assert_eq!(first.group_id.as_deref(), Some("s1.1"));
    assert_eq!(first.label.as_deref(), Some("1.1.1"));
    // A selection with a label is shown as the selection, its choice's insertion resolved.
    assert!(first.statement.contains(
        "A value has been assigned to [Sélection (un ou plusieurs) : initiating a device \
         lock after [Affectation : a duration] of inactivity ; requiring the user to \
         initiate a device lock before leaving the system unattended]."
    ));
    // The guidance holds no prose of its own, only its parts'.
    assert!(first
        .guidance
        .starts_with("Allocation of information security responsibilities"));
    assert!(first
        .guidance
        .contains("\n\nIndividuals with allocated information security responsibilities"));
    assert!(c.controls.iter().all(|r| r.depth == 0 && !r.withdrawn));
}

#[test]
fn placeholders_show_values_and_are_cut_when_long() {
    let long = "x".repeat(2000);
    let json = format!(
        r#"{{"catalog": {{"uuid": "u", "metadata": {{"title": "t"}},
            "params": [{{"id": "top", "values": ["{long}"]}}],
            "controls": [{{"id": "c-1", "title": "C",
                "params": [{{"id": "p1", "values": ["a", "b"]}}, {{"id": "p2", "select": {{"choice": ["x {{{{ insert: param, p2 }}}}"]}}}}],
                "parts": [{{"name": "statement", "prose": "Use {{{{ insert: param, p1 }}}}, {{{{insert:param,p2}}}}, {{{{ insert: param, top }}}}, {{{{ insert: param, nowhere }}}} and {{{{ other }}}}."}}]}}]}}}}"#
    );
    let c = catalog(&json).unwrap();
    let statement = &c.controls[0].statement;
    assert!(statement
        .starts_with("Use [Valeur : a, b], [Sélection : x [Affectation : p2]], [Valeur : xxx"));
    assert!(statement.ends_with("…, [Affectation : nowhere] and {{ other }}."));
    let cut = statement
        .split(", ")
        .find(|s| s.starts_with("[Valeur : xxx"))
        .unwrap();
    assert_eq!(cut.chars().count(), MAX_PLACEHOLDER_CHARS);
}

#[test]
fn every_limit_and_fault_is_named() {
    let small = Limits {
        max_bytes: 100,
        ..Limits::default()
    };
    assert_eq!(
        read_catalog(&[b' '; 101], &small),
        Err(OscalError::TooLarge { limit: 100 })
    );
    assert_eq!(
        read_profile(&[b' '; 101], &small),
        Err(OscalError::TooLarge { limit: 100 })
    );
    assert_eq!(
        catalog("{\n  \"catalog\": {\n    \"uuid\": 12\n  }\n}"),
        Err(OscalError::Json {
            line: 3,
            column: 14,
            message: "invalid type: integer `12`, expected a string".to_owned()
        })
    );
    assert!(matches!(
        catalog("{\"catalog\": {\"controls\": [{\"title\": \"no id\"}]}}"),
        Err(OscalError::Json { line: 1, message, .. }) if message == "missing field `id`"
    ));
    assert!(matches!(catalog(""), Err(OscalError::Json { .. })));
    assert!(matches!(catalog("[]"), Err(OscalError::Json { .. })));
    assert!(matches!(
        catalog("{\"catalog\": {}} x"),
        Err(OscalError::Json { .. })
    ));
    // A byte-order mark is not a fault.
    assert!(catalog("\u{feff}{\"catalog\": {}}").is_ok());
    assert_eq!(catalog("{\"profile\": {}}"), Err(OscalError::NotACatalog));
    assert_eq!(catalog("{\"catalog\": null}"), Err(OscalError::NotACatalog));
    assert_eq!(profile("{\"catalog\": {}}"), Err(OscalError::NotAProfile));

    let nested = r#"{"catalog": {"groups": [{"id": "g", "groups": [{"id": "h",
        "controls": [{"id": "c", "controls": [{"id": "c.1"}]}]}]}]}}"#;
    let tight = |max_depth, max_controls| Limits {
        max_depth,
        max_controls,
        ..Limits::default()
    };
    assert!(read_catalog(nested.as_bytes(), &tight(4, 2)).is_ok());
    assert_eq!(
        read_catalog(nested.as_bytes(), &tight(3, 2)),
        Err(OscalError::TooDeep { limit: 3 })
    );
    assert_eq!(
        read_catalog(nested.as_bytes(), &tight(4, 1)),
        Err(OscalError::TooManyControls { limit: 1 })
    );
    let ids = r##"{"profile": {"imports": [{"href": "#x", "include-controls": [{"with-ids": ["a", "b"]}]}]}}"##;
    assert_eq!(
        read_profile(ids.as_bytes(), &tight(4, 1)),
        Err(OscalError::TooManyControls { limit: 1 })
    );
    // serde_json's own recursion limit stays: deep nesting is a JSON fault, not a crash.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(matches!(catalog(&deep), Err(OscalError::Json { .. })));
    let deep_parts = format!(
        "{{\"catalog\": {{\"controls\": [{{\"id\": \"c\", \"parts\": [{}{}]}}]}}}}",
        "{\"name\": \"item\", \"parts\": [".repeat(200),
        "]}".repeat(200)
    );
    assert!(matches!(catalog(&deep_parts), Err(OscalError::Json { .. })));

    assert_eq!(
        catalog(
            r#"{"catalog": {"controls": [{"id": "a"}, {"id": "b", "controls": [{"id": "a"}]}]}}"#
        ),
        Err(OscalError::DuplicateControl { id: "a".to_owned() })
    );
    // One parameter inserted many times: the text is bounded by the size limit.
    let many = format!(
        r#"{{"catalog": {{"controls": [{{"id": "c", "params": [{{"id": "p", "label": "{}"}}],
            "parts": [{{"name": "statement", "prose": "{}"}}]}}]}}}}"#,
        "l".repeat(400),
        "{{ insert: param, p }}".repeat(400)
    );
    let limits = Limits {
        max_bytes: 100_000,
        ..Limits::default()
    };
    assert_eq!(
        read_catalog(many.as_bytes(), &limits),
        Err(OscalError::TooMuchText { limit: 100_000 })
    );
    assert_eq!(
        profile(
            r##"{"profile": {"imports": [{"href": "#x", "include-controls": [{"matching": [{"pattern": "ac-*"}]}]}]}}"##
        ),
        Err(OscalError::Unsupported {
            feature: "matching"
        })
    );
}

#[test]
fn messages_name_the_fault_in_french_and_english() {
    let json = OscalError::Json {
        line: 3,
        column: 14,
        message: "missing field `id`".to_owned(),
    };
    assert_eq!(
        json.message(Language::Fr),
        "ligne 3, colonne 14 : JSON illisible ou non conforme à OSCAL (missing field `id`)"
    );
    assert_eq!(
        json.message(Language::En),
        "line 3, column 14: unreadable JSON or not OSCAL (missing field `id`)"
    );
    let unknown = OscalError::UnknownControls {
        ids: vec!["zz-1".to_owned(), "zz-2".to_owned()],
        total: 12,
    };
    assert_eq!(
        unknown.message(Language::Fr),
        "12 mesure(s) du profil absente(s) du catalogue : zz-1, zz-2"
    );
    assert_eq!(
        unknown.message(Language::En),
        "12 control(s) of the profile missing from the catalog: zz-1, zz-2"
    );
    let all = [
        OscalError::TooLarge { limit: 1 },
        json,
        OscalError::NotACatalog,
        OscalError::NotAProfile,
        OscalError::TooDeep { limit: 1 },
        OscalError::TooManyControls { limit: 1 },
        OscalError::TooMuchText { limit: 1 },
        OscalError::DuplicateControl { id: "a".into() },
        OscalError::NoImport,
        OscalError::MultipleImports { count: 2 },
        unknown,
        OscalError::UnknownParams {
            ids: vec!["p".into()],
            total: 1,
        },
        OscalError::Unsupported {
            feature: "matching",
        },
    ];
    for e in &all {
        let (fr, en) = (e.message(Language::Fr), e.message(Language::En));
        assert_eq!(fr, e.to_string());
        assert_ne!(fr, en);
        assert!(e.code().starts_with("oscal-"));
    }
}

#[test]
fn nist_baselines_select_149_and_287_controls_in_catalogue_order() {
    let c = sp800_53();
    for (name, expected) in [
        (data!("NIST_SP-800-53_rev5_LOW-baseline_profile.json"), 149),
        (
            data!("NIST_SP-800-53_rev5_MODERATE-baseline_profile.json"),
            287,
        ),
    ] {
        let p = read_profile(&file(name), &Limits::default()).unwrap();
        assert_eq!(p.imports.len(), 1);
        assert_eq!(p.imports[0].href, "#84cbf061-eb87-4ec1-8112-1f529232e907");
        assert!(!p.imports[0].include_all);
        assert!(p.imports[0]
            .include_controls
            .iter()
            .all(|s| !s.with_child_controls));
        assert_eq!(p.merge, Merge::AsIs);
        let r = resolve(&p, c).unwrap();
        assert_eq!(r.controls.len(), expected, "{name}");
        assert_eq!(r.controls[0].control.id, "ac-1");
        let positions: Vec<usize> = r
            .controls
            .iter()
            .map(|rc| {
                c.controls
                    .iter()
                    .position(|x| x.id == rc.control.id)
                    .unwrap()
            })
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]));
        assert!(r.controls.iter().all(|rc| !rc.control.withdrawn));
        assert!(r
            .controls
            .iter()
            .all(|rc| rc.set_params.is_empty() && rc.alters.is_empty()));
        // Nothing set: the statements are the catalogue's.
        for rc in &r.controls {
            assert_eq!(&rc.control, control(c, &rc.control.id));
        }
    }
}

const SMALL: &str = r#"{"catalog": {"uuid": "c", "metadata": {"title": "Petit"}, "groups": [
    {"id": "g", "title": "G", "controls": [
        {"id": "a-1", "title": "A1", "params": [{"id": "a-1_prm_1", "label": "fréquence"}],
         "parts": [{"name": "statement", "prose": "Revoir {{ insert: param, a-1_prm_1 }}."}],
         "controls": [
            {"id": "a-1.1", "title": "A1.1", "controls": [{"id": "a-1.1.1", "title": "A1.1.1"}]},
            {"id": "a-1.2", "title": "A1.2"}]},
        {"id": "a-2", "title": "A2", "controls": [{"id": "a-2.1", "title": "A2.1"}]}]}]}}"#;

fn selected(json: &str) -> Result<Vec<String>, OscalError> {
    let c = catalog(SMALL).unwrap();
    let r = resolve(&profile(json)?, &c)?;
    Ok(r.controls.into_iter().map(|rc| rc.control.id).collect())
}

#[test]
fn selections_with_children_and_exclusions() {
    // All, less a control and its enhancements, and one enhancement alone.
    assert_eq!(
        selected(
            r##"{"profile": {"imports": [{"href": "#c", "include-all": {},
                "exclude-controls": [{"with-ids": ["a-1.1"], "with-child-controls": "yes"},
                                     {"with-ids": ["a-2.1"]}]}]}}"##
        ),
        Ok(vec!["a-1".into(), "a-1.2".into(), "a-2".into()])
    );
    // Children at every depth come with "yes", not with "no" or without the flag.
    assert_eq!(
        selected(
            r##"{"profile": {"imports": [{"href": "#c", "include-controls": [
                {"with-ids": ["a-1"], "with-child-controls": "yes"},
                {"with-ids": ["a-2"], "with-child-controls": "no"}]}]}}"##
        ),
        Ok(vec![
            "a-1".into(),
            "a-1.1".into(),
            "a-1.1.1".into(),
            "a-1.2".into(),
            "a-2".into()
        ])
    );
    // An enhancement alone, named before its control: catalogue order all the same.
    assert_eq!(
        selected(
            r##"{"profile": {"imports": [{"href": "#c", "include-controls": [
                {"with-ids": ["a-2.1", "a-1.1.1", "a-1"]}]}]}}"##
        ),
        Ok(vec!["a-1".into(), "a-1.1.1".into(), "a-2.1".into()])
    );
    assert_eq!(
        selected(r##"{"profile": {"imports": []}}"##),
        Err(OscalError::NoImport)
    );
    assert_eq!(
        selected(
            r##"{"profile": {"imports": [{"href": "#c", "include-all": {}},
                                         {"href": "#d", "include-all": {}}]}}"##
        ),
        Err(OscalError::MultipleImports { count: 2 })
    );
    let missing: Vec<String> = (0..15).map(|i| format!("\"zz-{i}\"")).collect();
    assert_eq!(
        selected(&format!(
            r##"{{"profile": {{"imports": [{{"href": "#c", "include-controls": [
                {{"with-ids": ["a-1", {}, "zz-0"]}}],
                "exclude-controls": [{{"with-ids": ["zz-x"]}}]}}],
                "modify": {{"alters": [{{"control-id": "zz-y"}}]}}}}}}"##,
            missing.join(", ")
        )),
        Err(OscalError::UnknownControls {
            ids: (0..10).map(|i| format!("zz-{i}")).collect(),
            total: 17
        })
    );
}

#[test]
fn set_parameters_replace_values_and_alters_are_kept() {
    let c = catalog(SMALL).unwrap();
    let p = profile(
        r##"{"profile": {"uuid": "p", "metadata": {"title": "Base"},
            "imports": [{"href": "https://example.org/catalog.json", "include-all": {}}],
            "merge": {"flat": {}},
            "modify": {
                "set-parameters": [{"param-id": "a-1_prm_1", "values": ["chaque année"]}],
                "alters": [{"control-id": "a-1", "adds": [{"position": "ending",
                    "props": [{"name": "priorité", "value": "P1"}],
                    "parts": [{"name": "guidance", "prose": "Précision."}]}],
                    "removes": [{"by-name": "status"}]}]}}}"##,
    )
    .unwrap();
    assert_eq!(p.merge, Merge::Flat);
    assert_eq!(p.title, "Base");
    let r = resolve(&p, &c).unwrap();
    assert_eq!(
        (r.profile_uuid.as_str(), r.catalog_title.as_str()),
        ("p", "Petit")
    );
    assert_eq!(r.controls.len(), 6);
    let a1 = &r.controls[0];
    assert_eq!(a1.set_params, ["a-1_prm_1"]);
    assert_eq!(a1.control.params[0].values, ["chaque année"]);
    assert_eq!(a1.control.params[0].label.as_deref(), Some("fréquence"));
    assert_eq!(a1.control.statement, "Revoir [Valeur : chaque année].");
    assert_eq!(
        control(&c, "a-1").statement,
        "Revoir [Affectation : fréquence]."
    );
    assert_eq!(a1.alters.len(), 1);
    let add = &a1.alters[0].adds[0];
    assert_eq!(add.position.as_deref(), Some("ending"));
    assert_eq!(add.props[0].value, "P1");
    assert_eq!(add.parts[0].prose.as_deref(), Some("Précision."));
    assert_eq!(a1.alters[0].removes[0].by_name.as_deref(), Some("status"));
    assert!(r.controls[1..]
        .iter()
        .all(|rc| rc.set_params.is_empty() && rc.alters.is_empty()));

    let unknown = profile(
        r##"{"profile": {"imports": [{"href": "#c", "include-all": {}}],
            "modify": {"set-parameters": [{"param-id": "zz_prm", "values": ["x"]}]}}}"##,
    )
    .unwrap();
    assert_eq!(
        resolve(&unknown, &c),
        Err(OscalError::UnknownParams {
            ids: vec!["zz_prm".into()],
            total: 1
        })
    );
}
