//! The inventory at network scale (ASSET-01 to ASSET-03):
//!
//! - import: 50,000 assets from one CSV file through `rempart_web::inventory::import` (read,
//!   check every row against the store, write each asset with its identifiers and audit entry,
//!   in one transaction), into the demo network;
//! - lists: the subtree benchmark's 15,633 organizations with 306 public bodies, a holder
//!   designated on every unit and 300,000 assets written in bulk (about 980 per body, varied
//!   classifications, review dates and ends of support), then the queries the pages make:
//!   a body's first page of assets, the same narrowed to overdue reviews, and the view of the
//!   bodies' inventories from an operational centre and from the government centre, timed.

use std::time::Instant;

use rempart_domain::authz::Permission;
use rempart_storage::assets::{self, AssetFilter, AssetSort};
use rempart_storage::inventory_import::ImportMode;
use rempart_storage::list::PageRequest;
use rempart_storage::scope::Scope;
use rempart_storage::{now_micros, AuditContext, Engine, Store};
use rempart_web::auth::{hash_with, PasswordHashing};
use serde_json::{json, Value};

use crate::db::literal;
use crate::stats::Latency;
use crate::subtree::{self, BODIES, CENTRES, UNITS_PER_BODY};
use crate::{progress, AssetsArgs, Ctx, Report, Result};

/// The import: a fresh database with the demo, `rows` new assets in the demo ministry's
/// technology unit.
async fn import(ctx: &Ctx, rows: usize) -> Result<(f64, usize, u64)> {
    let db = ctx.fresh_db("assets_import").await?;
    let store = Store::open(&db.url, 4).await?;
    let hashing = PasswordHashing::new(1024, 1, 2)?;
    let hash = hash_with(hashing.params(), rempart::demo::DEMO_PASSWORD)?;
    rempart::demo::load(&store, &hash).await?;
    let mut csv =
        String::from("unité;nom;type;détenteur;hébergement;identifiants;fin du soutien\n");
    for i in 0..rows {
        csv.push_str(&format!(
            "mfr-direction-des-ti;Poste de travail {i:06};infrastructure technologique;\
             detenteur@demo.rempart.quebec;locaux de l'organisation;pt-{i:06}; 2028-03-31\n"
        ));
    }
    let bytes = csv.into_bytes();
    let size = bytes.len() as u64;
    progress(&format!(
        "assets: importing {rows} assets ({} KiB of CSV) on {}",
        size / 1024,
        ctx.engine.name()
    ));
    let started = Instant::now();
    let summary = rempart_web::inventory::import(
        &store,
        AuditContext::system("rempart-bench"),
        Scope::LocalAdministrator,
        &bytes,
        None,
        ImportMode::AllOrNothing,
        None,
        None,
        rempart_domain::language::Language::Fr,
    )
    .await
    .map_err(|e| {
        format!(
            "import failed: {}",
            e.message(rempart_domain::language::Language::Fr)
        )
    })?;
    let seconds = started.elapsed().as_secs_f64();
    if summary.created != rows || !summary.faults.is_empty() {
        return Err(format!(
            "import created {} of {rows}, {} faults: {:?}",
            summary.created,
            summary.faults.len(),
            summary.faults.first()
        )
        .into());
    }
    store.close().await;
    db.remove().await?;
    Ok((seconds, rows, size))
}

/// Holders and assets in bulk on the subtree benchmark's network: one holder per body,
/// designated on each of its units; `per_body` assets per body spread over its units.
async fn populate(store: &Store, per_body: i64) -> Result<()> {
    let now = now_micros();
    let mut statements = Vec::new();
    let first_body = 2 + CENTRES;
    let first_unit = 2 + CENTRES + BODIES;
    let persons: Vec<String> = (0..BODIES)
        .map(|b| {
            format!(
                "({}, {}, 'Détenteur {b:03}', 'fr', {}, {now}, {now})",
                b + 1,
                literal(&format!("detenteur@organisme-{b:03}.quebec")),
                first_body + b
            )
        })
        .collect();
    statements.push(format!(
        "INSERT INTO persons (id, email, name, language, org_id, created_at, updated_at) \
         VALUES {}",
        persons.join(", ")
    ));
    let mut grants = Vec::new();
    let mut grant_id = 1;
    for b in 0..BODIES {
        for u in 0..UNITS_PER_BODY {
            grants.push(format!(
                "({grant_id}, {}, {}, 'Holder', NULL, {now})",
                b + 1,
                first_unit + b * UNITS_PER_BODY + u
            ));
            grant_id += 1;
        }
    }
    for chunk in grants.chunks(1000) {
        statements.push(format!(
            "INSERT INTO role_grants (id, person_id, org_id, role, granted_by, created_at) VALUES {}",
            chunk.join(", ")
        ));
    }
    let kinds = [
        "information_system",
        "technological_infrastructure",
        "information_bank",
        "telecom_network",
        "paper_media",
    ];
    let mut id = 1i64;
    let mut rows = Vec::new();
    for b in 0..BODIES {
        for i in 0..per_body {
            let unit = first_unit + b * UNITS_PER_BODY + (i % UNITS_PER_BODY);
            // One in ten never classified; of the rest, one in seven past its review.
            let (dic, classified, due) = if i % 10 == 0 {
                (
                    "NULL, NULL, NULL".to_owned(),
                    "NULL".to_owned(),
                    "NULL".to_owned(),
                )
            } else {
                let level = |k: i64| 1 + (i + k) % 3;
                let due = if i % 7 == 0 {
                    "'2025-06-30'"
                } else {
                    "'2027-06-30'"
                };
                (
                    format!("{}, {}, {}", level(0), level(1), level(2)),
                    "'2026-06-30'".to_owned(),
                    due.to_owned(),
                )
            };
            let eos = if i % 13 == 0 { "'2024-01-31'" } else { "NULL" };
            rows.push(format!(
                "({id}, {unit}, '{}', {}, '', {}, 'own_data_centre', '', '', 0, {}, 0, {eos}, '', \
                 {dic}, {classified}, {due}, NULL, {now}, {now}, 1)",
                kinds[(i % 5) as usize],
                literal(&format!("Actif {i:04} de l'organisme {b:03}")),
                b + 1,
                i % 2,
            ));
            id += 1;
        }
    }
    for chunk in rows.chunks(1000) {
        statements.push(format!(
            "INSERT INTO assets (id, org_id, kind, name, description, holder_id, hosting, \
             hosting_provider, hosting_locations, outside_quebec, personal_info, sensitive_info, \
             end_of_support, retention_rule, availability, integrity, confidentiality, \
             classified_on, review_due, archived_at, created_at, updated_at, version) VALUES {}",
            chunk.join(", ")
        ));
    }
    for table in ["persons", "role_grants", "assets"] {
        if let Some(sql) = rempart_storage::dialect::reset_identity(store.engine(), table) {
            statements.push(sql);
        }
    }
    subtree::insert_all(store, statements).await
}

fn per_body_total(args: &AssetsArgs) -> i64 {
    args.per_body * BODIES
}

pub async fn run(ctx: &Ctx, args: &AssetsArgs) -> Result<Report> {
    let (import_seconds, imported, csv_bytes) = import(ctx, args.import_rows).await?;

    let db = ctx.fresh_db("assets_lists").await?;
    let store = Store::open(&db.url, 4).await?;
    progress(&format!(
        "assets: building the network and {} assets on {}",
        args.per_body * BODIES,
        ctx.engine.name()
    ));
    let started = Instant::now();
    subtree::build(&store).await?;
    populate(&store, args.per_body).await?;
    if store.engine() == Engine::Postgres {
        sqlx::query("ANALYZE").execute(store.pool()).await?;
    }
    let build_seconds = started.elapsed().as_secs_f64();

    let body = 2 + CENTRES + 150;
    let centre = 2 + 20;
    let ciso = subtree::person_with_role(&store, "ciso@organisme-150.quebec", body, "Ciso").await?;
    let rocd =
        subtree::person_with_role(&store, "rocd@coc-20.quebec", centre, "CyberdefenceLead").await?;
    let gov = subtree::person_with_role(&store, "cgsi@cgcd.quebec", 1, "GovernmentCiso").await?;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).ok_or("date")?;
    let page = PageRequest {
        limit: 50,
        offset: 0,
        sort: AssetSort::Name,
        descending: false,
    };
    let runs = args.runs;
    let ciso_scope = Scope::new(ciso, Permission::AssetRead);

    progress("assets: timing a body's first page");
    let all = AssetFilter::default();
    let (list_lat, list_page) = subtree::time(runs, || async {
        Ok(assets::list(&store, ciso_scope, &all, today, &page).await?)
    })
    .await?;
    progress("assets: timing a body's overdue reviews");
    let overdue = AssetFilter {
        review_overdue: true,
        ..AssetFilter::default()
    };
    let (overdue_lat, overdue_page) = subtree::time(runs, || async {
        Ok(assets::list(&store, ciso_scope, &overdue, today, &page).await?)
    })
    .await?;
    progress("assets: timing the view from an operational centre");
    let rocd_scope = Scope::new(rocd, Permission::AssetRead);
    // Computed afresh each time: the view kept while nothing changes is dropped first.
    let (centre_lat, centre_counts) = subtree::time(runs, || async {
        store.clear_views();
        Ok(assets::consolidated(&store, rocd_scope, centre, today).await?)
    })
    .await?;
    progress("assets: timing the view from the government centre");
    let gov_scope = Scope::new(gov, Permission::AssetRead);
    let (root_lat, root_counts) = subtree::time(runs.min(50), || async {
        store.clear_views();
        Ok(assets::consolidated(&store, gov_scope, 1, today).await?)
    })
    .await?;
    progress("assets: timing the view from the government centre, nothing changed since");
    let (root_kept_lat, _) = subtree::time(runs, || async {
        Ok(assets::consolidated(&store, gov_scope, 1, today).await?)
    })
    .await?;

    progress("assets: timing the first view of other readers at the government centre");
    // What a reader meets when the network's counts are kept (computed by another reader or
    // by `serve`'s prewarm) but their own view is not yet: 50 readers, one first view each.
    let mut first_samples = Vec::new();
    for n in 0..50 {
        let reader = subtree::person_with_role(
            &store,
            &format!("lecteur{n}@cgcd.quebec"),
            1,
            "GovernmentCiso",
        )
        .await?;
        assets::prewarm(&store, today).await?;
        let scope = Scope::new(reader, Permission::AssetRead);
        let started = Instant::now();
        let view = assets::consolidated(&store, scope, 1, today).await?;
        first_samples.push(started.elapsed());
        if view.len() as i64 != BODIES {
            return Err(format!("reader {n} saw {} bodies", view.len()).into());
        }
    }
    let first_lat = crate::stats::latency(first_samples);
    progress("assets: timing the view from the government centre after one asset changed");
    // Each run archives one asset of a different body (not timed), then reads the view: what
    // the first reader after an ordinary change waits for.
    let who = AuditContext {
        actor_id: None,
        actor_label: "rempart-bench".to_owned(),
        source: "127.0.0.1".to_owned(),
    };
    let changes = runs.min(100);
    let mut changed_samples = Vec::with_capacity(changes);
    let mut changed_counts = Vec::new();
    let before = store.view_counts();
    for run in 0..changes as i64 {
        // Asset ids run body by body from 1; this one is in body `run`'s inventory.
        let id = 1 + (run * 37 % BODIES) * args.per_body + run;
        let mut w = store.write(who.clone()).await?;
        assets::archive(&mut w, Scope::LocalAdministrator, id).await?;
        w.commit().await?;
        let started = Instant::now();
        changed_counts = assets::consolidated(&store, gov_scope, 1, today).await?;
        changed_samples.push(started.elapsed());
    }
    let changed_lat = crate::stats::latency(changed_samples);
    let counts = store.view_counts();
    if counts.patched - before.patched != changes as u64 {
        return Err(format!(
            "after one change the view was computed whole {} times",
            counts.computed - before.computed
        )
        .into());
    }
    let changed_total: i64 = changed_counts.iter().map(|b| b.assets).sum();
    store.clear_views();
    let afresh = assets::consolidated(&store, gov_scope, 1, today).await?;
    if afresh != changed_counts || changed_total != per_body_total(args) - changes as i64 {
        return Err("the view patched after changes differs from the view computed afresh".into());
    }

    store.close().await;
    db.remove().await?;

    let per_body = args.per_body;
    let total: i64 = root_counts.iter().map(|b| b.assets).sum();
    for (what, got, want) in [
        ("a body's assets", list_page.total, per_body),
        (
            "bodies under the centre",
            centre_counts.len() as i64,
            (0..BODIES).filter(|b| b % CENTRES == 20).count() as i64,
        ),
        (
            "bodies under the government centre",
            root_counts.len() as i64,
            BODIES,
        ),
        ("assets in the network", total, per_body * BODIES),
    ] {
        if got != want {
            return Err(format!("{what}: {got}, expected {want}").into());
        }
    }
    let rate = imported as f64 / import_seconds;
    let line = |name: &str, l: &Latency| format!("  {name}: {}\n", l.short());
    let human = [
        format!(
            "  import of {imported} assets ({} KiB CSV): {import_seconds:.2} s ({rate:.0} assets/s)\n",
            csv_bytes / 1024
        ),
        format!(
            "  built {} assets over {BODIES} bodies in {build_seconds:.1} s\n",
            per_body * BODIES
        ),
        line("(a) first page of a body's assets", &list_lat),
        line(
            &format!("(b) a body's overdue reviews ({})", overdue_page.total),
            &overdue_lat,
        ),
        line("(c) bodies' inventories from an operational centre", &centre_lat),
        line("(d) bodies' inventories from the government centre", &root_lat),
        line(
            "(e) the same, nothing changed since (kept by audit head)",
            &root_kept_lat,
        ),
        line(
            "(f) the same, one asset of a body archived since",
            &changed_lat,
        ),
        line(
            "(g) another reader's first view, the network's counts kept",
            &first_lat,
        ),
    ]
    .concat();
    let json: Value = json!({
        "import": {"assets": imported, "csv_bytes": csv_bytes, "seconds": import_seconds,
            "assets_per_second": rate},
        "assets": per_body * BODIES,
        "build_seconds": build_seconds,
        "runs": runs,
        "list_first_page_of_body": list_lat.json(),
        "list_overdue_reviews_of_body": overdue_lat.json(),
        "consolidated_from_operational_centre": centre_lat.json(),
        "consolidated_from_government_centre": root_lat.json(),
        "consolidated_from_government_centre_unchanged": root_kept_lat.json(),
        "consolidated_from_government_centre_after_one_change": changed_lat.json(),
        "consolidated_first_view_of_another_reader": first_lat.json(),
    });
    Ok(Report { human, json })
}
