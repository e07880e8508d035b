//! Access requests at network scale (PRP-03): the subtree benchmark's 306 public bodies,
//! `requests` access requests in the first one (a large ministry's years of requests), spread
//! over kinds, statuses and four years of receipt, written in bulk; then what the pages ask
//! as that body's privacy officer: the first page of the register (50, latest first, with its
//! total), the open requests past their deadline, a year's indicators, and one request's page
//! (read with its history and deadline, and the reading audited).

use std::time::Instant;

use chrono::{Days, NaiveDate};
use rempart_domain::authz::Permission;
use rempart_storage::access_requests::{self as requests, ListFilter, RequestSort};
use rempart_storage::list::PageRequest;
use rempart_storage::scope::Scope;
use rempart_storage::{now_micros, AuditContext, Engine, Store};
use serde_json::json;

use crate::db::literal;
use crate::subtree::{self, CENTRES};
use crate::{progress, AccessRequestsArgs, Ctx, Report, Result};

/// `n` requests in the first body, in bulk; gives how many are open past their deadline on
/// `today`.
async fn populate(store: &Store, n: i64, today: NaiveDate) -> Result<i64> {
    let now = now_micros();
    let body = 2 + CENTRES;
    let start = NaiveDate::from_ymd_opt(2023, 1, 2).ok_or("date")?;
    let kinds = ["'documents'", "'personal_access'", "'rectification'"];
    let mut rows = Vec::with_capacity(n as usize);
    let mut provisions = Vec::new();
    let mut overdue = 0;
    for i in 0..n {
        let id = i + 1;
        // Four years of receipts, a request every ~20 minutes of a working year.
        let received = start
            .checked_add_days(Days::new((i * 1400 / n.max(1)) as u64))
            .ok_or("date")?;
        let due = received.checked_add_days(Days::new(20)).ok_or("date")?;
        // Most are decided (on time or a little late); some transferred or withdrawn; the
        // last ones still open.
        let (status, closed, decision, days) = match i % 20 {
            _ if i >= n - n / 50 => ("received", None, None, None),
            0 => ("transferred", Some(received + Days::new(5)), None, None),
            1 => ("withdrawn", Some(received + Days::new(3)), None, None),
            2 => (
                "decided",
                Some(received + Days::new(27)),
                Some("refused"),
                Some(27),
            ),
            3 | 4 => (
                "decided",
                Some(received + Days::new(15)),
                Some("partly_granted"),
                Some(15),
            ),
            _ => (
                "decided",
                Some(received + Days::new(12)),
                Some("granted"),
                Some(12),
            ),
        };
        if closed.is_none() && due < today {
            overdue += 1;
        }
        if matches!(decision, Some("refused" | "partly_granted")) {
            provisions.push(format!("({id}, '53', 0)"));
            provisions.push(format!(
                "({id}, '{}', 1)",
                ["14", "29", "54", "56"][(i % 4) as usize]
            ));
        }
        rows.push(format!(
            "({id}, {body}, 'DA-{}-{id:06}', {}, '{status}', {}, 'demandeur{id}@example.org', \
             'Objet {id}', 'fr', '{received}', '{received}', '{last}', '{due}', {}, {}, 0, {}, \
             {now}, {now}, 1)",
            received.format("%Y"),
            kinds[(i % 3) as usize],
            literal(&format!("Demandeur {id}")),
            closed
                .map(|c| format!("'{c}'"))
                .unwrap_or_else(|| "NULL".into()),
            decision
                .map(|d| format!("'{d}'"))
                .unwrap_or_else(|| "NULL".into()),
            days.map(|d: i64| d.to_string())
                .unwrap_or_else(|| "NULL".into()),
            last = closed.unwrap_or(received),
        ));
    }
    let mut statements = Vec::new();
    for chunk in rows.chunks(1000) {
        statements.push(format!(
            "INSERT INTO access_requests (id, org_id, reference, kind, status, requester_name, \
             requester_contact, subject, language, received_on, acknowledged_on, last_step_on, \
             due_on, closed_on, decision, recourse_notice, answer_days, created_at, updated_at, \
             version) VALUES {}",
            chunk.join(", ")
        ));
    }
    for chunk in provisions.chunks(2000) {
        statements.push(format!(
            "INSERT INTO access_request_provisions (request_id, code, position) VALUES {}",
            chunk.join(", ")
        ));
    }
    if let Some(sql) = rempart_storage::dialect::reset_identity(store.engine(), "access_requests") {
        statements.push(sql);
    }
    subtree::insert_all(store, statements).await?;
    Ok(overdue)
}

pub async fn run(ctx: &Ctx, args: &AccessRequestsArgs) -> Result<Report> {
    let db = ctx.fresh_db("access_requests").await?;
    let store = Store::open(&db.url, 4).await?;
    progress(&format!(
        "access requests: building the network and {} requests on {}",
        args.requests,
        ctx.engine.name()
    ));
    let today = NaiveDate::from_ymd_opt(2026, 12, 4).ok_or("date")?;
    let started = Instant::now();
    subtree::build(&store).await?;
    let overdue = populate(&store, args.requests, today).await?;
    if store.engine() == Engine::Postgres {
        sqlx::query("ANALYZE").execute(store.pool()).await?;
    }
    let build_seconds = started.elapsed().as_secs_f64();
    let body = 2 + CENTRES;
    let officer =
        subtree::person_with_role(&store, "rprp@organisme-000.quebec", body, "PrivacyOfficer")
            .await?;
    let scope = Scope::new(officer, Permission::PrivacyRead);
    let runs = args.request_runs;
    let page = PageRequest {
        limit: 50,
        offset: 0,
        sort: RequestSort::Received,
        descending: true,
    };
    let all = ListFilter {
        today: Some(today),
        ..ListFilter::default()
    };
    progress("access requests: timing the register's first page");
    let (list_lat, list_page) = subtree::time(runs, || async {
        Ok(requests::list(&store, scope, &all, &page).await?)
    })
    .await?;
    let late = ListFilter {
        overdue: true,
        today: Some(today),
        ..ListFilter::default()
    };
    progress("access requests: timing the open requests past their deadline");
    let (late_lat, late_page) = subtree::time(runs, || async {
        Ok(requests::list(&store, scope, &late, &page).await?)
    })
    .await?;
    progress("access requests: timing a year's indicators");
    let from = NaiveDate::from_ymd_opt(2025, 1, 1).ok_or("date")?;
    let to = NaiveDate::from_ymd_opt(2025, 12, 31).ok_or("date")?;
    let (ind_lat, ind) = subtree::time(runs, || async {
        Ok(requests::indicators(&store, scope, None, from, to, today).await?)
    })
    .await?;
    progress("access requests: timing one request's page (audited reading)");
    let settings = rempart_domain::legal_deadline::DeadlineSettings::default();
    let target = args.requests / 2;
    let (read_lat, read) = subtree::time(runs, || async {
        Ok(requests::get(
            &store,
            scope,
            AuditContext::system("rempart-bench"),
            target,
            &settings,
            today,
        )
        .await?)
    })
    .await?;
    store.close().await;
    db.remove().await?;

    if list_page.total != args.requests || late_page.total != overdue {
        return Err(format!(
            "register {} (expected {}), overdue {} (expected {overdue})",
            list_page.total, args.requests, late_page.total
        )
        .into());
    }
    if ind.received == 0 || read.row.id != target {
        return Err("indicators or reading returned nothing".into());
    }
    let line = |name: &str, l: &crate::stats::Latency| format!("  {name}: {}\n", l.short());
    let human = [
        format!(
            "  built {} requests in one body of {} in {build_seconds:.1} s\n",
            args.requests,
            subtree::BODIES
        ),
        line(
            &format!(
                "(a) first page of the register ({} requests)",
                args.requests
            ),
            &list_lat,
        ),
        line(
            &format!("(b) open requests past their deadline ({overdue})"),
            &late_lat,
        ),
        line(
            &format!("(c) a year's indicators ({} received)", ind.received),
            &ind_lat,
        ),
        line("(d) one request's page, reading audited", &read_lat),
    ]
    .concat();
    let json = json!({
        "requests": args.requests,
        "build_seconds": build_seconds,
        "register_first_page": list_lat.json(),
        "overdue_first_page": late_lat.json(),
        "indicators_of_a_year": ind_lat.json(),
        "request_page_audited": read_lat.json(),
    });
    Ok(Report { human, json })
}
