//! Threats, vulnerabilities and incidents at network scale (GMVI-02, GMVI-03, GMVI-08,
//! PLAT-10, PLAT-11):
//!
//! - alert: the subtree benchmark's network (306 public bodies under 26 operational centres)
//!   with a delegated CISO and a coordinator in every body; one alert issued by the government
//!   centre to its whole subtree through `alerts::issue` — the alert, 306 body rows, 306
//!   watched deadlines, 612 notifications in each person's language and 612 e-mails queued, in
//!   one transaction — timed from the first statement to the commit;
//! - scheduler: 100,000 open deadlines (tasks due in a month) and, among them, 1,000 notices
//!   whose acknowledgement is overdue; the scheduler's pass is timed with nothing due (what
//!   every minute costs) and with the 1,000 escalations due (each a notice sent one level up,
//!   its people notified, its deadline watched, its audit entry written);
//! - page: the demo network with one incident of body A holding a 1,000-entry timeline; the
//!   incident page (`GET /incidents/{id}`, the timeline's first 100 entries) and the API's
//!   timeline (`GET /api/v1/incidents/{id}/timeline?limit=500`) under concurrent clients.

use std::time::Instant;

use rempart_domain::alert::{AlertInput, AlertKind};
use rempart_domain::escalation::Severity;
use rempart_storage::alerts::{self, Targets};
use rempart_storage::dialect::reset_identity;
use rempart_storage::inbox::Notifier;
use rempart_storage::scope::Scope;
use rempart_storage::{deadlines, now_micros, AuditContext, Engine, Store};
use serde_json::json;

use crate::db::literal;
use crate::stats::latency;
use crate::subtree::{self, BODIES, CENTRES};
use crate::{progress, Ctx, GmviArgs, Report, Result};

const HOUR: i64 = 3_600_000_000;

fn notifier() -> Notifier<'static> {
    Notifier {
        wording: &rempart_web::gmvi::Words,
        email: true,
    }
}

async fn exec_all(store: &Store, statements: &[String]) -> Result<()> {
    for sql in statements {
        sqlx::query(sql).execute(store.pool()).await?;
    }
    Ok(())
}

async fn count(store: &Store, sql: &str) -> Result<i64> {
    Ok(sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(store.pool())
        .await?)
}

/// The government CISO (person 1) at the centre, and in each body a delegated CISO and a
/// coordinator (persons 2.., two a body).
async fn people(store: &Store) -> Result<()> {
    let now = now_micros();
    let first_body = 2 + CENTRES;
    let mut persons = vec![format!(
        "(1, 'cgsi@cgcd.quebec', 'Chef gouvernemental', 'fr', 1, {now}, {now})"
    )];
    let mut grants = vec![format!("(1, 1, 'GovernmentCiso', {now})")];
    for b in 0..BODIES {
        let body = first_body + b;
        for (k, role) in [(0, "DelegatedCiso"), (1, "SecurityCoordinator")] {
            let id = 2 + b * 2 + k;
            let language = if id % 5 == 0 { "en" } else { "fr" };
            persons.push(format!(
                "({id}, {}, 'Personne {id}', '{language}', {body}, {now}, {now})",
                literal(&format!("p{id}@organisme-{b:03}.quebec"))
            ));
            grants.push(format!("({id}, {body}, '{role}', {now})"));
        }
    }
    let mut statements = vec![
        format!(
            "INSERT INTO persons (id, email, name, language, org_id, created_at, updated_at) \
             VALUES {}",
            persons.join(", ")
        ),
        format!(
            "INSERT INTO role_grants (person_id, org_id, role, created_at) VALUES {}",
            grants.join(", ")
        ),
    ];
    statements.extend(reset_identity(store.engine(), "persons"));
    exec_all(store, &statements).await
}

async fn network(ctx: &Ctx, label: &str) -> Result<(crate::db::Db, Store)> {
    let db = ctx.fresh_db(label).await?;
    let store = Store::open(&db.url, 8).await?;
    subtree::build(&store).await?;
    people(&store).await?;
    Ok((db, store))
}

fn issuer() -> AuditContext {
    AuditContext {
        actor_id: Some(1),
        actor_label: "cgsi@cgcd.quebec".into(),
        source: "rempart-bench".into(),
    }
}

async fn alert_issue(ctx: &Ctx, runs: usize) -> Result<(crate::stats::Latency, i64, i64, i64)> {
    let (db, store) = network(ctx, "gmvi_alert").await?;
    progress(&format!(
        "gmvi: issuing {runs} alerts to {BODIES} bodies on {}",
        ctx.engine.name()
    ));
    let input = AlertInput {
        kind: AlertKind::Measure,
        title: "Appliquer le correctif de sécurité du pare-feu".into(),
        description: "Vulnérabilité activement exploitée.".into(),
        severity: Severity::Critical,
        due_on: rempart_storage::local_date(now_micros())
            .and_then(|d| d.checked_add_days(chrono::Days::new(5))),
        due_rule: "3 jours ouvrables".into(),
    };
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let mut w = store.write(issuer()).await?;
        alerts::issue(
            &mut w,
            &notifier(),
            Scope::LocalAdministrator,
            1,
            &input,
            &Targets::Subtree,
        )
        .await?;
        w.commit().await?;
        samples.push(started.elapsed());
    }
    let targets = count(&store, "SELECT COUNT(*) FROM alert_targets").await?;
    let notifications = count(&store, "SELECT COUNT(*) FROM notifications").await?;
    let emails = count(&store, "SELECT COUNT(*) FROM email_outbox").await?;
    let n = i64::try_from(runs)?;
    if targets != BODIES * n || notifications != 2 * BODIES * n || emails != notifications {
        return Err(format!(
            "alert: {targets} targets, {notifications} notifications, {emails} e-mails for {runs} alerts"
        )
        .into());
    }
    store.close().await;
    db.remove().await?;
    Ok((latency(samples), targets / n, notifications / n, emails / n))
}

/// 100,000 open deadlines not due for a month, and `due` overdue notices of incidents.
async fn deadlines_seed(store: &Store, open: i64, due: i64) -> Result<()> {
    let now = now_micros();
    let first_body = 2 + CENTRES;
    let month = now + 30 * 24 * HOUR;
    let mut statements = Vec::new();
    let mut incidents = Vec::new();
    let mut notices = Vec::new();
    let mut watched = Vec::new();
    for i in 1..=due {
        let body = first_body + (i % BODIES);
        incidents.push(format!(
            "({i}, {body}, 'INC-2026-{i:06}', 'Incident {i}', '', 'phishing', 'low', 0, 'open', \
             {now}, 1, {now}, NULL, '', {now}, 1)"
        ));
        // The body's CISO seat is vacant in this network: its delegated CISO was told.
        notices.push(format!(
            "({i}, 'incident', {i}, {body}, 'delegated_ciso', {body}, 'Tout événement', \
             {}, {})",
            now - 25 * HOUR,
            now - HOUR
        ));
        watched.push(format!(
            "('notice', {i}, {body}, {}, NULL, '24 h', 'open', {})",
            now - HOUR,
            now - HOUR
        ));
    }
    for chunk in incidents.chunks(500) {
        statements.push(format!(
            "INSERT INTO incidents (id, org_id, reference, title, description, category, severity, \
             personal_info, status, detected_at, opened_by, opened_at, closed_at, lessons, \
             updated_at, version) VALUES {}",
            chunk.join(", ")
        ));
    }
    for chunk in notices.chunks(500) {
        statements.push(format!(
            "INSERT INTO notices (id, subject_type, subject_id, org_id, recipient, target_org_id, \
             rules, created_at, due_at) VALUES {}",
            chunk.join(", ")
        ));
    }
    for i in 0..open {
        watched.push(format!(
            "('incident_task', {}, {}, {month}, {}, 'task', 'open', {})",
            i + 1,
            first_body + (i % BODIES),
            month - 24 * HOUR,
            month - 24 * HOUR
        ));
    }
    for chunk in watched.chunks(1000) {
        statements.push(format!(
            "INSERT INTO deadlines (subject_type, subject_id, org_id, due_at, warn_at, rule, state, \
             next_check_at) VALUES {}",
            chunk.join(", ")
        ));
    }
    statements.extend(reset_identity(store.engine(), "incidents"));
    statements.extend(reset_identity(store.engine(), "notices"));
    if store.engine() == Engine::Postgres {
        statements.push("ANALYZE deadlines".to_owned());
    }
    exec_all(store, &statements).await
}

pub async fn run(ctx: &Ctx, args: &GmviArgs) -> Result<Report> {
    let (alert, targets, notifications, emails) = alert_issue(ctx, args.alert_runs).await?;
    let mut human = format!(
        "  one alert to {targets} bodies ({notifications} notifications, {emails} e-mails queued, \
         one transaction): {}\n",
        alert.short()
    );

    let (db, store) = network(ctx, "gmvi_scheduler").await?;
    progress(&format!(
        "gmvi: {} open deadlines and {} overdue notices on {}",
        args.open_deadlines,
        args.due_notices,
        ctx.engine.name()
    ));
    deadlines_seed(&store, args.open_deadlines, args.due_notices).await?;
    let n = notifier();
    // The overdue notices were seeded an hour past: the first pass takes them.
    let started = Instant::now();
    deadlines::pass(&store, &n, now_micros(), 200).await?;
    let busy = started.elapsed();
    let escalated = count(
        &store,
        "SELECT COUNT(*) FROM notices WHERE escalated_from IS NOT NULL",
    )
    .await?;
    // Then what every minute costs when nothing is due.
    let mut idle = Vec::new();
    for _ in 0..args.idle_runs {
        let started = Instant::now();
        let o = deadlines::pass(&store, &n, now_micros(), 200).await?;
        idle.push(started.elapsed());
        if o.escalated + o.warned > 0 {
            return Err(format!("an idle pass found work: {o:?}").into());
        }
    }
    let idle = latency(idle);
    store.close().await;
    db.remove().await?;
    if escalated != args.due_notices {
        return Err(format!("scheduler: {escalated} of {} escalated", args.due_notices).into());
    }
    human.push_str(&format!(
        "  scheduler pass over {} open deadlines, nothing due: {}\n",
        args.open_deadlines,
        idle.short()
    ));
    human.push_str(&format!(
        "  scheduler pass with {} overdue notices among them: {:.0} ms ({:.0} escalations/s)\n",
        args.due_notices,
        busy.as_secs_f64() * 1000.0,
        args.due_notices as f64 / busy.as_secs_f64()
    ));

    let page = crate::http::incident_page(ctx, args).await?;
    human.push_str(&page.human);
    Ok(Report {
        human,
        json: json!({
            "alert": { "bodies": targets, "notifications": notifications, "emails": emails,
                       "latency": alert.json() },
            "scheduler": {
                "open_deadlines": args.open_deadlines,
                "idle_pass": idle.json(),
                "overdue_notices": args.due_notices,
                "busy_pass_ms": busy.as_secs_f64() * 1000.0,
            },
            "incident_page": page.json,
        }),
    })
}

/// How long a seed of `entries` timeline entries takes is not measured: it is bulk SQL.
pub async fn timeline_seed(store: &Store, incident: i64, entries: i64, person: i64) -> Result<()> {
    let now = now_micros();
    let kinds = ["observation", "decision", "action", "communication"];
    let rows: Vec<String> = (0..entries)
        .map(|i| {
            let kind = kinds[(i % 4) as usize];
            let decided = if kind == "decision" {
                person.to_string()
            } else {
                "NULL".to_owned()
            };
            format!(
                "({incident}, {}, '{kind}', {}, {decided}, {person}, {now})",
                now - (entries - i) * 60_000_000,
                literal(&format!(
                    "Entrée {i} : isolement du segment, vérification des journaux du pare-feu \
                     et communication à l'équipe de relève."
                ))
            )
        })
        .collect();
    for chunk in rows.chunks(500) {
        sqlx::query(&format!(
            "INSERT INTO incident_entries (incident_id, occurred_at, kind, body, decided_by, \
             recorded_by, recorded_at) VALUES {}",
            chunk.join(", ")
        ))
        .execute(store.pool())
        .await?;
    }
    Ok(())
}
