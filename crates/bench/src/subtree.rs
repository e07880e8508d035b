//! Subtree queries at network scale: one government centre, 26 operational centres, 306
//! public bodies spread over them and 50 units under each body (15,633 organizations),
//! written directly in bulk with closure rows as `rempart_storage::orgs::create` would write
//! them, then the queries the pages make, timed.

use std::future::Future;
use std::time::{Duration, Instant};

use rempart_domain::authz::Permission;
use rempart_storage::dialect::reset_identity;
use rempart_storage::list::PageRequest;
use rempart_storage::orgs::{self, OrgFilter};
use rempart_storage::persons::{self, NewPerson};
use rempart_storage::scope::Scope;
use rempart_storage::{grants, now_micros, AuditContext, Engine, Store};
use serde_json::{json, Value};

use crate::db::literal;
use crate::stats::{latency, Latency};
use crate::{progress, Ctx, Report, Result, SubtreeArgs};

pub(crate) const CENTRES: i64 = 26;
pub(crate) const BODIES: i64 = 306;
pub(crate) const UNITS_PER_BODY: i64 = 50;
const WARMUP_RUNS: usize = 20;

/// One organization to insert, with its ancestors (nearest first).
struct Node {
    id: i64,
    slug: String,
    name: String,
    kind: &'static str,
    ancestors: Vec<i64>,
}

/// The network, ids assigned in creation order: the centre 1, operational centres 2..=27,
/// public bodies 28..=333 (body `b` under centre `b % 26`), then 50 units per body.
fn network() -> Vec<Node> {
    let mut nodes = vec![Node {
        id: 1,
        slug: "cgcd".to_owned(),
        name: "Centre gouvernemental de cyberdéfense".to_owned(),
        kind: "government_centre",
        ancestors: vec![],
    }];
    let centre_id = |c: i64| 2 + c;
    let body_id = |b: i64| 2 + CENTRES + b;
    for c in 0..CENTRES {
        nodes.push(Node {
            id: centre_id(c),
            slug: format!("coc-{c:02}"),
            name: format!("Centre opérationnel de cyberdéfense {c:02}"),
            kind: "operational_centre",
            ancestors: vec![1],
        });
    }
    for b in 0..BODIES {
        nodes.push(Node {
            id: body_id(b),
            slug: format!("organisme-{b:03}"),
            name: format!("Organisme public {b:03}"),
            kind: "public_body",
            ancestors: vec![centre_id(b % CENTRES), 1],
        });
    }
    let mut next = 2 + CENTRES + BODIES;
    for b in 0..BODIES {
        for u in 0..UNITS_PER_BODY {
            nodes.push(Node {
                id: next,
                slug: format!("organisme-{b:03}-unite-{u:02}"),
                name: format!("Direction {u:02} de l'organisme {b:03}"),
                kind: "unit",
                ancestors: vec![body_id(b), centre_id(b % CENTRES), 1],
            });
            next += 1;
        }
    }
    nodes
}

pub(crate) async fn insert_all(store: &Store, statements: Vec<String>) -> Result<()> {
    let mut tx = store.pool().begin().await?;
    for sql in &statements {
        sqlx::raw_sql(sql).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn build(store: &Store) -> Result<()> {
    let nodes = network();
    let now = now_micros();
    let mut org_statements = Vec::new();
    let mut closure_statements = Vec::new();
    for chunk in nodes.chunks(1000) {
        let rows: Vec<String> = chunk
            .iter()
            .map(|n| {
                format!(
                    "({}, {}, {}, '{}', {}, {now}, {now}, 1)",
                    n.id,
                    literal(&n.slug),
                    literal(&n.name),
                    n.kind,
                    n.ancestors
                        .first()
                        .map_or_else(|| "NULL".to_owned(), |p| p.to_string())
                )
            })
            .collect();
        org_statements.push(format!(
            "INSERT INTO organizations (id, slug, name, kind, parent_id, created_at, \
             updated_at, version) VALUES {}",
            rows.join(", ")
        ));
        let pairs: Vec<String> = chunk
            .iter()
            .flat_map(|n| {
                std::iter::once(format!("({0}, {0}, 0)", n.id)).chain(
                    n.ancestors
                        .iter()
                        .enumerate()
                        .map(|(i, a)| format!("({a}, {}, {})", n.id, i + 1)),
                )
            })
            .collect();
        closure_statements.push(format!(
            "INSERT INTO org_closure (ancestor_id, descendant_id, depth) VALUES {}",
            pairs.join(", ")
        ));
    }
    org_statements.extend(closure_statements);
    if let Some(sql) = reset_identity(store.engine(), "organizations") {
        org_statements.push(sql);
    }
    insert_all(store, org_statements).await
}

/// Times `query` `runs` times after a short warm-up; returns the latencies and the last result.
pub(crate) async fn time<T, F, Fut>(runs: usize, mut query: F) -> Result<(Latency, T)>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    for _ in 0..WARMUP_RUNS {
        query().await?;
    }
    let mut samples: Vec<Duration> = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let out = query().await?;
        samples.push(t.elapsed());
        last = Some(out);
    }
    let last = last.ok_or("no run")?;
    Ok((latency(samples), last))
}

pub(crate) async fn person_with_role(
    store: &Store,
    email: &str,
    org_id: i64,
    role: &str,
) -> Result<i64> {
    let mut w = store.write(AuditContext::system("rempart-bench")).await?;
    let person = persons::create(
        &mut w,
        Scope::LocalAdministrator,
        &NewPerson {
            email: email.to_owned(),
            name: "Personne du banc d'essai".to_owned(),
            org_id: Some(org_id),
            language: None,
        },
        "!",
        false,
    )
    .await?;
    grants::create(
        &mut w,
        Scope::LocalAdministrator,
        Some(person.id),
        Some(org_id),
        role,
    )
    .await?;
    w.commit().await?;
    Ok(person.id)
}

pub async fn run(ctx: &Ctx, args: &SubtreeArgs) -> Result<Report> {
    let db = ctx.fresh_db("subtree").await?;
    let store = Store::open(&db.url, 4).await?;
    progress(&format!(
        "subtree: building 15,633 organizations on {}",
        ctx.engine.name()
    ));
    let started = Instant::now();
    build(&store).await?;
    if store.engine() == Engine::Postgres {
        // What autovacuum's analyze does shortly after a bulk load; SQLite keeps no
        // statistics unless asked, and Rempart does not ask.
        sqlx::query("ANALYZE").execute(store.pool()).await?;
    }
    let build_seconds = started.elapsed().as_secs_f64();

    let body = 2 + CENTRES + 150; // public body 150, under operational centre 150 % 26 = 20
    let centre = 2 + 20;
    let ciso = person_with_role(&store, "ciso@organisme-150.quebec", body, "Ciso").await?;
    let gov_ciso = person_with_role(&store, "dpcsi@cgcd.quebec", 1, "GovernmentCiso").await?;
    let page = PageRequest::default();
    let all = Scope::LocalAdministrator;
    let runs = args.runs;

    let within = |id: i64| OrgFilter {
        within: Some(id),
        ..OrgFilter::default()
    };
    let body_filter = within(body);
    let centre_filter = within(centre);
    let none = OrgFilter::default();

    progress("subtree: timing list within a public body");
    let (body_lat, body_page) = time(runs, || async {
        Ok(orgs::list(&store, all, &body_filter, &page).await?)
    })
    .await?;
    progress("subtree: timing list within an operational centre");
    let (centre_lat, centre_page) = time(runs, || async {
        Ok(orgs::list(&store, all, &centre_filter, &page).await?)
    })
    .await?;
    progress("subtree: timing scoped list for a CISO of one body");
    let ciso_scope = Scope::new(ciso, Permission::OrgRead);
    let (ciso_lat, ciso_page) = time(runs, || async {
        Ok(orgs::list(&store, ciso_scope, &none, &page).await?)
    })
    .await?;
    progress("subtree: timing scoped list for the government CISO");
    let gov_scope = Scope::new(gov_ciso, Permission::OrgRead);
    let (gov_lat, gov_page) = time(runs, || async {
        Ok(orgs::list(&store, gov_scope, &none, &page).await?)
    })
    .await?;
    progress("subtree: timing count_subtree on the root");
    let (count_lat, root_count) =
        time(runs, || async { Ok(orgs::count_subtree(&store, 1).await?) }).await?;

    store.close().await;
    db.remove().await?;

    let expected_body = 1 + UNITS_PER_BODY;
    let total = 1 + CENTRES + BODIES * (1 + UNITS_PER_BODY);
    for (what, got, want) in [
        ("public body subtree", body_page.total, expected_body),
        ("CISO scope", ciso_page.total, expected_body),
        ("government CISO scope", gov_page.total, total),
        ("root subtree", root_count, total),
    ] {
        if got != want {
            return Err(format!("{what}: {got} organizations, expected {want}").into());
        }
    }

    let line = |name: &str, l: &Latency, n: i64| format!("  {name} ({n} orgs): {}\n", l.short());
    let entry = |l: &Latency, n: i64| {
        let mut v = l.json();
        v["organizations"] = json!(n);
        v
    };
    let human = [
        format!("  built {total} organizations in {build_seconds:.2} s\n"),
        line("(a) list within a public body", &body_lat, body_page.total),
        line(
            "(b) list within an operational centre",
            &centre_lat,
            centre_page.total,
        ),
        line(
            "(c) scoped list, CISO of one body",
            &ciso_lat,
            ciso_page.total,
        ),
        line("(d) count_subtree(root)", &count_lat, root_count),
        line(
            "(e) scoped list, government CISO on the root",
            &gov_lat,
            gov_page.total,
        ),
    ]
    .concat();
    let json: Value = json!({
        "organizations": total,
        "build_seconds": build_seconds,
        "runs": runs,
        "page_size": page.limit,
        "list_within_public_body": entry(&body_lat, body_page.total),
        "list_within_operational_centre": entry(&centre_lat, centre_page.total),
        "scoped_list_ciso_of_body": entry(&ciso_lat, ciso_page.total),
        "scoped_list_government_ciso": entry(&gov_lat, gov_page.total),
        "count_subtree_root": entry(&count_lat, root_count),
    });
    Ok(Report { human, json })
}
