//! One storage scenario suite, run on SQLite and, with REMPART_TEST_POSTGRES_URL set, on
//! PostgreSQL (CI runs it both ways).

use rempart_domain::audit::ChainFault;
use rempart_domain::authz::Permission;
use rempart_storage::list::PageRequest;
use rempart_storage::orgs::{self, NewOrganization, OrgFilter};
use rempart_storage::persons::{self, NewPerson};
use rempart_storage::scope::Scope;
use rempart_storage::testing::fresh_store;
use rempart_storage::{audit, grants, AuditContext, Engine, Store, StoreError};

mod gmvi;

async fn org(store: &Store, name: &str, kind: &str, parent: Option<i64>) -> i64 {
    let mut w = store.write(AuditContext::system("test")).await.unwrap();
    let o = orgs::create(
        &mut w,
        Scope::LocalAdministrator,
        &NewOrganization {
            name: name.into(),
            slug: None,
            kind: kind.into(),
            parent_id: parent,
        },
    )
    .await
    .unwrap();
    w.commit().await.unwrap();
    o.id
}

async fn person_with(store: &Store, email: &str, org_id: i64, role: &str) -> i64 {
    let mut w = store.write(AuditContext::system("test")).await.unwrap();
    let p = persons::create(
        &mut w,
        Scope::LocalAdministrator,
        &NewPerson {
            email: email.into(),
            name: email.into(),
            org_id: Some(org_id),
            language: None,
        },
        "x",
        false,
    )
    .await
    .unwrap();
    grants::create(
        &mut w,
        Scope::LocalAdministrator,
        Some(p.id),
        Some(org_id),
        role,
    )
    .await
    .unwrap();
    w.commit().await.unwrap();
    p.id
}

struct Net {
    root: i64,
    centre: i64,
    body_a: i64,
    unit_a: i64,
    body_b: i64,
}

async fn network(store: &Store) -> Net {
    let root = org(store, "Centre gouvernemental", "government_centre", None).await;
    let centre = org(store, "COCD Capitale", "operational_centre", Some(root)).await;
    let body_a = org(store, "Ministère A", "public_body", Some(centre)).await;
    let unit_a = org(store, "Direction A1", "unit", Some(body_a)).await;
    let body_b = org(store, "Ministère B", "public_body", Some(centre)).await;
    Net {
        root,
        centre,
        body_a,
        unit_a,
        body_b,
    }
}

// REQ PLAT-03
#[tokio::test]
async fn tree_rules_closure_and_moves() {
    let store = fresh_store().await.unwrap();
    let net = network(&store).await;
    let mut w = store.write(AuditContext::system("test")).await.unwrap();
    let bad = orgs::create(
        &mut w,
        Scope::LocalAdministrator,
        &NewOrganization {
            name: "Unité orpheline".into(),
            slug: None,
            kind: "unit".into(),
            parent_id: Some(net.centre),
        },
    )
    .await;
    assert!(matches!(bad, Err(StoreError::Tree(_))), "{bad:?}");
    w.rollback().await.unwrap();

    // Moving unit A1 under body B updates the subtree of both bodies.
    let mut w = store.write(AuditContext::system("test")).await.unwrap();
    orgs::move_to(
        &mut w,
        Scope::LocalAdministrator,
        net.unit_a,
        Some(net.body_b),
        None,
    )
    .await
    .unwrap();
    w.commit().await.unwrap();
    let in_b = orgs::list(
        &store,
        Scope::LocalAdministrator,
        &OrgFilter {
            within: Some(net.body_b),
            ..Default::default()
        },
        &PageRequest::default(),
    )
    .await
    .unwrap();
    assert_eq!(in_b.total, 2);
    let in_a = orgs::list(
        &store,
        Scope::LocalAdministrator,
        &OrgFilter {
            within: Some(net.body_a),
            ..Default::default()
        },
        &PageRequest::default(),
    )
    .await
    .unwrap();
    assert_eq!(in_a.total, 1);
    assert_eq!(orgs::count_subtree(&store, net.root).await.unwrap(), 5);

    // A body cannot move under its own unit.
    let mut w = store.write(AuditContext::system("test")).await.unwrap();
    let cycle = orgs::move_to(
        &mut w,
        Scope::LocalAdministrator,
        net.body_b,
        Some(net.unit_a),
        None,
    )
    .await;
    assert!(matches!(cycle, Err(StoreError::Tree(_))), "{cycle:?}");
    w.rollback().await.unwrap();

    // Archiving a body with an active unit is refused; the unit first, then the body.
    let mut w = store.write(AuditContext::system("test")).await.unwrap();
    assert!(matches!(
        orgs::archive(&mut w, Scope::LocalAdministrator, net.body_b, None).await,
        Err(StoreError::Tree(_))
    ));
    w.rollback().await.unwrap();
    let mut w = store.write(AuditContext::system("test")).await.unwrap();
    orgs::archive(&mut w, Scope::LocalAdministrator, net.unit_a, None)
        .await
        .unwrap();
    orgs::archive(&mut w, Scope::LocalAdministrator, net.body_b, None)
        .await
        .unwrap();
    w.commit().await.unwrap();
}

// REQ AUTHZ-01
#[tokio::test]
async fn scope_is_in_every_query() {
    let store = fresh_store().await.unwrap();
    let net = network(&store).await;
    let ciso_a = person_with(&store, "ciso.a@a.gouv.qc.ca", net.body_a, "Ciso").await;
    let user_a = person_with(&store, "user.a@a.gouv.qc.ca", net.body_a, "User").await;
    let read_a = Scope::new(ciso_a, Permission::OrgRead);
    assert!(orgs::get(&store, read_a, net.unit_a).await.is_ok());
    assert!(matches!(
        orgs::get(&store, read_a, net.body_b).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        orgs::get(&store, read_a, net.centre).await,
        Err(StoreError::NotFound)
    ));
    let user_scope = Scope::new(user_a, Permission::OrgRead);
    assert!(orgs::get(&store, user_scope, net.body_a).await.is_ok());
    assert!(matches!(
        orgs::get(&store, user_scope, net.unit_a).await,
        Err(StoreError::NotFound)
    ));
    let visible = orgs::list(
        &store,
        read_a,
        &OrgFilter::default(),
        &PageRequest::default(),
    )
    .await
    .unwrap();
    assert_eq!(visible.total, 2);

    // A CISO of body A cannot create a unit in body B, nor rename it.
    let mut w = store.write(AuditContext::system("ciso")).await.unwrap();
    let manage = Scope::new(ciso_a, Permission::OrgManage);
    let refused = orgs::create(
        &mut w,
        manage,
        &NewOrganization {
            name: "Intrus".into(),
            slug: None,
            kind: "unit".into(),
            parent_id: Some(net.body_b),
        },
    )
    .await;
    assert!(
        matches!(refused, Err(StoreError::Invalid(_))),
        "{refused:?}"
    );
    assert!(matches!(
        orgs::rename(&mut w, manage, net.body_b, "Pirate", None).await,
        Err(StoreError::NotFound)
    ));
    w.rollback().await.unwrap();
}

// REQ AUD-01
#[tokio::test]
async fn a_failed_use_case_leaves_nothing_half_written() {
    let store = fresh_store().await.unwrap();
    let net = network(&store).await;
    let before = audit::head(&store).await.unwrap();
    let mut w = store.write(AuditContext::system("test")).await.unwrap();
    orgs::create(
        &mut w,
        Scope::LocalAdministrator,
        &NewOrganization {
            name: "Éphémère".into(),
            slug: None,
            kind: "unit".into(),
            parent_id: Some(net.body_a),
        },
    )
    .await
    .unwrap();
    // A duplicate slug fails the second create; the whole transaction is dropped.
    let dup = orgs::create(
        &mut w,
        Scope::LocalAdministrator,
        &NewOrganization {
            name: "Éphémère".into(),
            slug: None,
            kind: "unit".into(),
            parent_id: Some(net.body_a),
        },
    )
    .await;
    assert!(
        matches!(dup, Err(StoreError::Conflict { field: "slug" })),
        "{dup:?}"
    );
    drop(w);
    assert_eq!(audit::head(&store).await.unwrap(), before);
    assert!(
        orgs::get_by_slug(&store, Scope::LocalAdministrator, "ephemere")
            .await
            .is_err()
    );
    assert!(audit::verify(&store, &[]).await.unwrap().is_intact());
}

// REQ AUD-02
#[tokio::test]
async fn concurrent_appends_keep_one_ordered_chain() {
    let store = fresh_store().await.unwrap();
    let net = network(&store).await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut w = store.write(AuditContext::system("test")).await.unwrap();
            orgs::create(
                &mut w,
                Scope::LocalAdministrator,
                &NewOrganization {
                    name: format!("Unité {i}"),
                    slug: None,
                    kind: "unit".into(),
                    parent_id: Some(net.body_a),
                },
            )
            .await
            .unwrap();
            w.commit().await.unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let v = audit::verify(&store, &[]).await.unwrap();
    assert!(v.is_intact(), "{v:?}");
    assert_eq!(v.checked, 5 + 16);
}

/// Tampering needs a database administrator who first lifts the append-only protection.
async fn as_attacker(store: &Store, sql: &str) {
    match store.engine() {
        Engine::Sqlite => {
            sqlx::raw_sql("DROP TRIGGER IF EXISTS audit_entries_no_update; DROP TRIGGER IF EXISTS audit_entries_no_delete;")
                .execute(store.pool())
                .await
                .unwrap();
        }
        Engine::Postgres => {
            sqlx::raw_sql("ALTER TABLE audit_entries DISABLE TRIGGER USER")
                .execute(store.pool())
                .await
                .unwrap();
        }
    }
    sqlx::raw_sql(sql).execute(store.pool()).await.unwrap();
}

// REQ AUD-03
#[tokio::test]
async fn the_trail_refuses_update_and_delete() {
    let store = fresh_store().await.unwrap();
    network(&store).await;
    assert!(
        sqlx::query("UPDATE audit_entries SET actor_label = 'x' WHERE seq = 1")
            .execute(store.pool())
            .await
            .is_err()
    );
    assert!(sqlx::query("DELETE FROM audit_entries WHERE seq = 1")
        .execute(store.pool())
        .await
        .is_err());
    assert!(sqlx::query("DELETE FROM audit_head")
        .execute(store.pool())
        .await
        .is_err());
    assert!(audit::verify(&store, &[]).await.unwrap().is_intact());
}

// REQ AUD-02
#[tokio::test]
async fn verify_names_the_first_altered_removed_or_reordered_entry() {
    for (attack, expected_seq, fault) in [
        ("UPDATE audit_entries SET after_json = '{}' WHERE seq = 3", 3, ChainFault::HashMismatch),
        ("DELETE FROM audit_entries WHERE seq = 2", 2, ChainFault::SequenceGap),
        (
            "UPDATE audit_entries SET seq = 100 WHERE seq = 2; UPDATE audit_entries SET seq = 2 WHERE seq = 4; UPDATE audit_entries SET seq = 4 WHERE seq = 100",
            2,
            ChainFault::HashMismatch,
        ),
        (
            "INSERT INTO audit_entries (seq, at_micros, actor_id, actor_label, source, org_id, action, entity_type, entity_id, before_json, after_json, hash) SELECT 6, at_micros, actor_id, actor_label, source, org_id, action, entity_type, entity_id, before_json, after_json, hash FROM audit_entries WHERE seq = 5",
            6,
            ChainFault::HashMismatch,
        ),
    ] {
        let store = fresh_store().await.unwrap();
        network(&store).await;
        let anchor = audit::head(&store).await.unwrap();
        as_attacker(&store, attack).await;
        let v = audit::verify(&store, &[anchor]).await.unwrap();
        let bad = v.first_bad.unwrap_or_else(|| panic!("{attack} not detected: {v:?}"));
        assert_eq!((bad.expected_seq, bad.fault), (expected_seq, fault), "{attack}");
    }
}

// REQ AUD-02
#[tokio::test]
async fn a_truncated_trail_is_caught_by_an_exported_anchor() {
    let store = fresh_store().await.unwrap();
    network(&store).await;
    let anchor = audit::head(&store).await.unwrap();
    // Remove the last entry and rewrite the head, as a careful attacker would.
    as_attacker(&store, "DELETE FROM audit_entries WHERE seq = 5").await;
    let h4: String = sqlx::query_scalar("SELECT hash FROM audit_entries WHERE seq = 4")
        .fetch_one(store.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE audit_head SET seq = 4, hash = $1")
        .bind(&h4)
        .execute(store.pool())
        .await
        .unwrap();
    assert!(audit::verify(&store, &[]).await.unwrap().is_intact());
    let v = audit::verify(&store, std::slice::from_ref(&anchor))
        .await
        .unwrap();
    assert!(!v.is_intact());
    assert_eq!(v.missing_anchors, vec![anchor]);
}

/// Writes `n` entries whose text holds what could confuse a packed reading: separators,
/// digits, dashes, empty text, multi-byte characters; optional fields both present and absent.
async fn awkward_trail(store: &Store, n: usize) {
    use rempart_storage::write::Change;
    const AWKWARD: [&str; 7] = ["", "-", "12:3,4", "é€😀:-:", "0:", "-:", "{\"a\":\"b,c\"}"];
    let mut w = store
        .write(AuditContext {
            actor_id: Some(7),
            actor_label: "a:b,c-1:é".into(),
            source: String::new(),
        })
        .await
        .unwrap();
    for i in 0..n {
        let text = AWKWARD[i % AWKWARD.len()];
        w.audit(Change {
            org_id: (i % 3 == 0).then_some(i as i64),
            action: text,
            entity_type: AWKWARD[(i + 1) % AWKWARD.len()],
            entity_id: format!("{text}{i}"),
            before: (i % 2 == 0).then(|| serde_json::json!(text)),
            after: (i % 5 != 0).then(|| serde_json::json!({ "k": text, "n": i })),
        })
        .await
        .unwrap();
    }
    w.commit().await.unwrap();
}

// REQ AUD-02
#[tokio::test]
async fn verify_reads_a_long_trail_of_awkward_text_in_batches() {
    let store = fresh_store().await.unwrap();
    awkward_trail(&store, 1300).await;
    let v = audit::verify(&store, &[]).await.unwrap();
    assert!(v.is_intact(), "{v:?}");
    assert_eq!((v.checked, v.head.seq), (1300, 1300));

    // An anchor in the second batch, then an alteration in the third.
    let anchor = rempart_domain::audit::Anchor {
        seq: 700,
        hash: sqlx::query_scalar("SELECT hash FROM audit_entries WHERE seq = 700")
            .fetch_one(store.pool())
            .await
            .unwrap(),
    };
    assert!(audit::verify(&store, std::slice::from_ref(&anchor))
        .await
        .unwrap()
        .is_intact());
    as_attacker(
        &store,
        "UPDATE audit_entries SET entity_id = '12:3,4' WHERE seq = 1100",
    )
    .await;
    let v = audit::verify(&store, &[anchor]).await.unwrap();
    let bad = v.first_bad.unwrap();
    assert_eq!(
        (bad.expected_seq, bad.fault),
        (1100, ChainFault::HashMismatch)
    );
    assert_eq!(v.checked, 1099);
    assert!(v.missing_anchors.is_empty());
}

// REQ AUD-02
#[tokio::test]
async fn an_unreadable_entry_is_named_as_the_first_bad_entry() {
    let store = fresh_store().await.unwrap();
    if store.engine() != Engine::Sqlite {
        // PostgreSQL keeps text valid and typed: there is no unreadable entry to make.
        return;
    }
    awkward_trail(&store, 1100).await;
    // Bytes that are not UTF-8: the hash is over bytes, so this reads as an alteration.
    as_attacker(
        &store,
        "UPDATE audit_entries SET actor_label = CAST(x'ff' AS TEXT) WHERE seq = 900",
    )
    .await;
    let bad = audit::verify(&store, &[]).await.unwrap().first_bad.unwrap();
    assert_eq!(
        (bad.expected_seq, bad.fault),
        (900, ChainFault::HashMismatch)
    );
    // A blob where text belongs, with the very same bytes: the entry is not what the schema
    // says, and is named as unreadable.
    as_attacker(
        &store,
        "UPDATE audit_entries SET actor_label = 'a:b,c-1:é' WHERE seq = 900; \
         UPDATE audit_entries SET source = CAST('' AS BLOB) WHERE seq = 950",
    )
    .await;
    let v = audit::verify(&store, &[]).await.unwrap();
    let bad = v.first_bad.unwrap();
    assert_eq!(
        (bad.expected_seq, bad.found_seq, bad.fault),
        (950, Some(950), ChainFault::Unreadable)
    );
    assert_eq!(v.checked, 949);
    // A bad entry before the unreadable one is the answer.
    as_attacker(
        &store,
        "UPDATE audit_entries SET entity_id = 'x' WHERE seq = 600",
    )
    .await;
    let bad = audit::verify(&store, &[]).await.unwrap().first_bad.unwrap();
    assert_eq!(
        (bad.expected_seq, bad.fault),
        (600, ChainFault::HashMismatch)
    );
}
