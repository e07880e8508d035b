//! Audited writes per second: organization creations, each its own write transaction (the
//! change, its closure rows and its audit entry, committed together), from concurrent tasks.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rempart_storage::audit;
use rempart_storage::orgs::{self, NewOrganization};
use rempart_storage::scope::Scope;
use rempart_storage::{AuditContext, Store, WriteTx};
use serde_json::json;

use crate::stats::latency;
use crate::{progress, Ctx, Report, Result, WritesArgs};

fn new_org(name: &str, slug: &str, kind: &str, parent_id: Option<i64>) -> NewOrganization {
    NewOrganization {
        name: name.to_owned(),
        slug: Some(slug.to_owned()),
        kind: kind.to_owned(),
        parent_id,
    }
}

async fn create(w: &mut WriteTx, org: NewOrganization) -> Result<i64> {
    Ok(orgs::create(w, Scope::LocalAdministrator, &org).await?.id)
}

pub async fn run(ctx: &Ctx, args: &WritesArgs) -> Result<Report> {
    let concurrency = args.concurrency.max(1);
    let db = ctx.fresh_db("writes").await?;
    let store = Store::open(&db.url, u32::try_from(concurrency + 1)?).await?;
    let who = AuditContext {
        actor_id: None,
        actor_label: "rempart-bench".to_owned(),
        source: "127.0.0.1".to_owned(),
    };
    let mut w = store.write(who.clone()).await?;
    let gov = create(
        &mut w,
        new_org("Centre gouvernemental", "cg", "government_centre", None),
    )
    .await?;
    let centre = create(
        &mut w,
        new_org("Centre opérationnel", "co", "operational_centre", Some(gov)),
    )
    .await?;
    let body = create(
        &mut w,
        new_org("Organisme public", "op", "public_body", Some(centre)),
    )
    .await?;
    w.commit().await?;
    let before = audit::head(&store).await?.seq;

    progress(&format!(
        "writes: {} organization creations from {concurrency} tasks on {}",
        args.writes,
        ctx.engine.name()
    ));
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (store, who, next, n) = (store.clone(), who.clone(), next.clone(), args.writes);
        tasks.spawn(async move {
            let mut samples: Vec<Duration> = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let t = Instant::now();
                let mut w = store.write(who.clone()).await?;
                create(
                    &mut w,
                    new_org(
                        &format!("Unité {i}"),
                        &format!("unite-{i}"),
                        "unit",
                        Some(body),
                    ),
                )
                .await?;
                w.commit().await?;
                samples.push(t.elapsed());
            }
            Ok::<_, crate::Error>(samples)
        });
    }
    let mut samples = Vec::with_capacity(args.writes);
    while let Some(joined) = tasks.join_next().await {
        samples.extend(joined??);
    }
    let elapsed = started.elapsed();

    // Every write must have left exactly one entry, in an intact chain.
    let check = audit::verify(&store, &[]).await?;
    let written = check.head.seq - before;
    if !check.is_intact() || written != i64::try_from(args.writes)? {
        return Err(format!(
            "audit chain after the writes: intact = {}, {written} entries for {} writes",
            check.is_intact(),
            args.writes
        )
        .into());
    }
    store.close().await;
    db.remove().await?;

    let per_second = args.writes as f64 / elapsed.as_secs_f64();
    let lat = latency(samples);
    Ok(Report {
        human: format!(
            "  {} audited writes from {concurrency} tasks in {:.2} s: {per_second:.0} writes/s\n  \
             per write: {}\n",
            args.writes,
            elapsed.as_secs_f64(),
            lat.short()
        ),
        json: json!({
            "writes": args.writes,
            "concurrency": concurrency,
            "seconds": elapsed.as_secs_f64(),
            "writes_per_second": per_second,
            "latency": lat.json(),
        }),
    })
}
