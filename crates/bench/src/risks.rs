//! Risks and control catalogues at network scale (RISK-01, RISK-05, CTRL-01):
//!
//! - catalog import: the real SP 800-53 rev. 5 catalog (3.1 MiB, 1,189 controls) through
//!   `rempart_web::controls::import` (read, bounded, then written and audited in one
//!   transaction), timed from the bytes to the commit, into `runs_import` organizations of a
//!   fresh database (an organization imports a given catalog once);
//! - register and maps: the subtree benchmark's 306 public bodies, 10,000 risks in one body
//!   and 30 in each of the others (19,150 in all), written in bulk with varied ratings,
//!   treatments and review dates; then the queries the pages make: the first page of that
//!   body's register (50, worst first, with its total), the same narrowed to risks to
//!   reassess, that body's heat map, and the heat map of the whole network from the government
//!   centre.

use std::path::PathBuf;
use std::time::Instant;

use rempart_domain::authz::Permission;
use rempart_storage::list::PageRequest;
use rempart_storage::risks::{self, RiskFilter, RiskSort};
use rempart_storage::scope::Scope;
use rempart_storage::{now_micros, AuditContext, Engine, Store};
use serde_json::json;

use crate::db::literal;
use crate::subtree::{self, BODIES, CENTRES, UNITS_PER_BODY};
use crate::{progress, Ctx, Report, Result, RisksArgs};

fn catalog_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/oscal/NIST_SP-800-53_rev5_catalog.json")
}

/// Import of the catalog into `runs` organizations of a fresh network; seconds per import.
async fn import(ctx: &Ctx, runs: usize) -> Result<(crate::stats::Latency, usize, u64)> {
    let bytes = std::fs::read(catalog_path())?;
    let db = ctx.fresh_db("risks_catalog").await?;
    let store = Store::open(&db.url, 4).await?;
    subtree::build(&store).await?;
    progress(&format!(
        "risks: importing the SP 800-53 catalog {runs} times on {}",
        ctx.engine.name()
    ));
    let mut samples = Vec::with_capacity(runs);
    let mut controls = 0;
    for run in 0..runs {
        let org = 2 + CENTRES + i64::try_from(run)?;
        let started = Instant::now();
        let outcome = rempart_web::controls::import(
            &store,
            AuditContext::system("rempart-bench"),
            Scope::LocalAdministrator,
            org,
            None,
            &bytes,
            None,
        )
        .await
        .map_err(|e| e.message(rempart_domain::language::Language::Fr))?;
        samples.push(started.elapsed());
        controls = outcome.imported.controls;
        if outcome.imported.unchanged || controls != 1189 {
            return Err(format!("import {run}: {controls} controls, {outcome:?}").into());
        }
    }
    store.close().await;
    db.remove().await?;
    Ok((crate::stats::latency(samples), controls, bytes.len() as u64))
}

/// One owner per body and `per_body` risks per body (`big` in the first one), in bulk.
async fn populate(store: &Store, big: i64, per_body: i64) -> Result<i64> {
    let now = now_micros();
    let first_body = 2 + CENTRES;
    let first_unit = 2 + CENTRES + BODIES;
    let mut statements = Vec::new();
    let persons: Vec<String> = (0..BODIES)
        .map(|b| {
            format!(
                "({}, {}, 'Responsable {b:03}', 'fr', {}, {now}, {now})",
                b + 1,
                literal(&format!("risques@organisme-{b:03}.quebec")),
                first_body + b
            )
        })
        .collect();
    statements.push(format!(
        "INSERT INTO persons (id, email, name, language, org_id, created_at, updated_at) VALUES {}",
        persons.join(", ")
    ));
    let treatments = ["'accept'", "'mitigate'", "'transfer'", "'avoid'", "NULL"];
    let mut rows = Vec::new();
    let mut id = 1i64;
    for b in 0..BODIES {
        let n = if b == 0 { big } else { per_body };
        for i in 0..n {
            let unit = first_unit + b * UNITS_PER_BODY + (i % UNITS_PER_BODY);
            let l = 1 + i % 5;
            let (a, ig, c) = (1 + (i / 5) % 5, 1 + (i / 3) % 5, 1 + (i / 7) % 5);
            let impact = a.max(ig).max(c);
            let treatment = treatments[(i % 5) as usize];
            let residual = if treatment == "NULL" {
                "NULL, NULL, NULL, NULL, NULL, NULL".to_owned()
            } else {
                let rl = 1 + (l - 1) / 2;
                format!("{rl}, {a}, {ig}, {c}, {impact}, {}", rl * impact)
            };
            let due = if i % 9 == 0 {
                "2025-06-30"
            } else {
                "2027-06-30"
            };
            let reassess = if i % 11 == 0 {
                now.to_string()
            } else {
                "NULL".to_owned()
            };
            rows.push(format!(
                "({id}, {unit}, {}, '', 'Menace', 'Vulnérabilité', '', {}, {l}, {a}, {ig}, {c}, \
                 {impact}, {}, {treatment}, {residual}, '', 'draft', '2026-06-30', '{due}', \
                 {reassess}, {now}, {now}, 1)",
                literal(&format!("Risque {i:05} de l'organisme {b:03}")),
                b + 1,
                l * impact,
            ));
            id += 1;
        }
    }
    for chunk in rows.chunks(1000) {
        statements.push(format!(
            "INSERT INTO risks (id, org_id, title, description, threat, vulnerability, \
             existing_controls, owner_id, likelihood, impact_availability, impact_integrity, \
             impact_confidentiality, gross_impact, gross_score, treatment, residual_likelihood, \
             residual_impact_availability, residual_impact_integrity, \
             residual_impact_confidentiality, residual_impact, residual_score, \
             residual_description, status, assessed_on, review_due, reassess_since, created_at, \
             updated_at, version) VALUES {}",
            chunk.join(", ")
        ));
    }
    for table in ["persons", "risks"] {
        if let Some(sql) = rempart_storage::dialect::reset_identity(store.engine(), table) {
            statements.push(sql);
        }
    }
    subtree::insert_all(store, statements).await?;
    Ok(id - 1)
}

pub async fn run(ctx: &Ctx, args: &RisksArgs) -> Result<Report> {
    let (import_lat, controls, catalog_bytes) = import(ctx, args.imports).await?;

    let db = ctx.fresh_db("risks_register").await?;
    let store = Store::open(&db.url, 4).await?;
    progress(&format!(
        "risks: building the network and its risks on {}",
        ctx.engine.name()
    ));
    let started = Instant::now();
    subtree::build(&store).await?;
    let total = populate(&store, args.big_body, args.per_body).await?;
    if store.engine() == Engine::Postgres {
        sqlx::query("ANALYZE").execute(store.pool()).await?;
    }
    let build_seconds = started.elapsed().as_secs_f64();
    let body = 2 + CENTRES;
    let ciso = subtree::person_with_role(&store, "ciso@organisme-000.quebec", body, "Ciso").await?;
    let gov = subtree::person_with_role(&store, "cgsi@cgcd.quebec", 1, "GovernmentCiso").await?;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 4).ok_or("date")?;
    let page = PageRequest {
        limit: 50,
        offset: 0,
        sort: RiskSort::Score,
        descending: true,
    };
    let runs = args.runs();
    let ciso_scope = Scope::new(ciso, Permission::RiskRead);

    progress("risks: timing a body's register, first page");
    let all = RiskFilter::default();
    let (list_lat, list_page) = subtree::time(runs, || async {
        Ok(risks::list(&store, ciso_scope, &all, today, &page).await?)
    })
    .await?;
    progress("risks: timing a body's risks to reassess");
    let reassess = RiskFilter {
        to_reassess: true,
        ..RiskFilter::default()
    };
    let (reassess_lat, reassess_page) = subtree::time(runs, || async {
        Ok(risks::list(&store, ciso_scope, &reassess, today, &page).await?)
    })
    .await?;
    progress("risks: timing a body's heat map");
    let (body_map_lat, body_map) = subtree::time(runs, || async {
        Ok(risks::heat_map(&store, ciso_scope, body).await?)
    })
    .await?;
    progress("risks: timing the network's heat map from the government centre");
    let gov_scope = Scope::new(gov, Permission::RiskRead);
    let (root_map_lat, root_map) = subtree::time(runs, || async {
        Ok(risks::heat_map(&store, gov_scope, 1).await?)
    })
    .await?;
    store.close().await;
    db.remove().await?;

    for (what, got, want) in [
        ("a body's register", list_page.total, args.big_body),
        ("a body's map", body_map.risks, args.big_body),
        ("the network's map", root_map.risks, total),
        (
            "a body's risks to reassess",
            reassess_page.total,
            (0..args.big_body).filter(|i| i % 11 == 0).count() as i64,
        ),
    ] {
        if got != want {
            return Err(format!("{what}: {got}, expected {want}").into());
        }
    }
    let line = |name: &str, l: &crate::stats::Latency| format!("  {name}: {}\n", l.short());
    let human = [
        format!(
            "  SP 800-53 rev. 5 catalog ({} KiB, {controls} controls) imported: {}\n",
            catalog_bytes / 1024,
            import_lat.short()
        ),
        format!("  built {total} risks over {BODIES} bodies in {build_seconds:.1} s\n"),
        line(
            &format!(
                "(a) first page of a body's register ({} risks)",
                args.big_body
            ),
            &list_lat,
        ),
        line(
            &format!("(b) a body's risks to reassess ({})", reassess_page.total),
            &reassess_lat,
        ),
        line("(c) a body's heat map", &body_map_lat),
        line(
            &format!("(d) the network's heat map from the government centre ({total} risks)"),
            &root_map_lat,
        ),
    ]
    .concat();
    let json = json!({
        "catalog_import": import_lat.json(),
        "catalog_controls": controls,
        "catalog_bytes": catalog_bytes,
        "risks": total,
        "build_seconds": build_seconds,
        "register_first_page_of_body": list_lat.json(),
        "register_to_reassess_of_body": reassess_lat.json(),
        "heat_map_of_body": body_map_lat.json(),
        "heat_map_of_network": root_map_lat.json(),
    });
    Ok(Report { human, json })
}
