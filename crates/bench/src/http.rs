//! HTTP latency and throughput: the real router served in-process on loopback with the demo
//! network, K clients each signed in with their own session, each sending one request at a
//! time over its own keep-alive connection, for a bounded time and count.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rempart::demo;
use rempart_storage::Store;
use rempart_web::auth::{hash_with, PasswordHashing};
use rempart_web::{AppState, WebConfig};
use serde_json::{json, Value};

use crate::stats::latency;
use crate::{progress, Ctx, HttpArgs, Report, Result};

const EMAIL: &str = "csio@demo.rempart.quebec";
const WARMUP: Duration = Duration::from_secs(1);
const PATHS: [&str; 2] = ["/", "/api/v1/organizations"];

async fn sign_in(base: &str) -> Result<reqwest::Client> {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let response = client
        .post(format!("{base}/login"))
        .form(&[("email", EMAIL), ("password", demo::DEMO_PASSWORD)])
        .send()
        .await?;
    if response.status() != 303 {
        return Err(format!("login of {EMAIL} answered {}", response.status()).into());
    }
    let home = client.get(format!("{base}/")).send().await?;
    if home.status() != 200 {
        return Err(format!("home page after login answered {}", home.status()).into());
    }
    Ok(client)
}

struct Load {
    samples: Vec<Duration>,
    failures: u64,
    bytes: u64,
}

/// Every client sends requests to `url` one after another until `until` or until `budget`
/// requests were sent in all.
async fn drive(
    clients: &[reqwest::Client],
    url: &str,
    until: Instant,
    budget: u64,
) -> Result<Load> {
    let sent = Arc::new(AtomicU64::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for client in clients {
        let (client, url, sent) = (client.clone(), url.to_owned(), sent.clone());
        tasks.spawn(async move {
            let mut load = Load {
                samples: Vec::new(),
                failures: 0,
                bytes: 0,
            };
            while Instant::now() < until && sent.fetch_add(1, Ordering::Relaxed) < budget {
                let t = Instant::now();
                let response = client.get(&url).send().await?;
                let ok = response.status() == 200;
                let body = response.bytes().await?;
                load.samples.push(t.elapsed());
                load.bytes += body.len() as u64;
                if !ok {
                    load.failures += 1;
                }
            }
            Ok::<_, crate::Error>(load)
        });
    }
    let mut all = Load {
        samples: Vec::new(),
        failures: 0,
        bytes: 0,
    };
    while let Some(joined) = tasks.join_next().await {
        let load = joined??;
        all.samples.extend(load.samples);
        all.failures += load.failures;
        all.bytes += load.bytes;
    }
    Ok(all)
}

pub async fn run(ctx: &Ctx, args: &HttpArgs) -> Result<Report> {
    let db = ctx.fresh_db("http").await?;
    // The pool size `rempart serve` uses.
    let store = Store::open(&db.url, 16).await?;
    // Cheap Argon2id parameters, so that signing the clients in is quick; no measured request
    // hashes a password.
    let hashing = PasswordHashing::new(1024, 1, 8)?;
    let hash = hash_with(hashing.params(), demo::DEMO_PASSWORD)?;
    demo::load(&store, &hash).await?;
    // The measured account holds a privileged role, for which a second factor is due at
    // sign-in; the benchmark measures pages after sign-in, so it asks for none.
    let config = WebConfig {
        mfa_roles: Vec::new(),
        ..WebConfig::default()
    };
    let state = AppState::new(store.clone(), config, hashing)?;
    let router = rempart_web::build_router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });

    let clients_n = args.clients.max(1);
    progress(&format!(
        "http: signing {clients_n} clients in on {} ({base})",
        ctx.engine.name()
    ));
    let mut clients = Vec::with_capacity(clients_n);
    for _ in 0..clients_n {
        clients.push(sign_in(&base).await?);
    }

    let mut human = String::new();
    let mut pages = serde_json::Map::new();
    for path in PATHS {
        let url = format!("{base}{path}");
        drive(&clients, &url, Instant::now() + WARMUP, args.max_requests).await?;
        progress(&format!(
            "http: GET {path} with {clients_n} clients for {} s",
            args.seconds
        ));
        let started = Instant::now();
        let load = drive(
            &clients,
            &url,
            started + Duration::from_secs(args.seconds),
            args.max_requests,
        )
        .await?;
        let elapsed = started.elapsed().as_secs_f64();
        let requests = load.samples.len();
        let rate = requests as f64 / elapsed;
        let mean_bytes = load.bytes / (requests.max(1) as u64);
        let lat = latency(load.samples);
        if load.failures > 0 {
            return Err(format!("GET {path}: {} responses were not 200", load.failures).into());
        }
        human.push_str(&format!(
            "  GET {path}: {rate:.0} requests/s over {elapsed:.1} s, {}; {mean_bytes} bytes each\n",
            lat.short()
        ));
        let mut v: Value = lat.json();
        v["requests"] = json!(requests);
        v["seconds"] = json!(elapsed);
        v["requests_per_second"] = json!(rate);
        v["mean_body_bytes"] = json!(mean_bytes);
        pages.insert(path.to_owned(), v);
    }

    drop(clients);
    let _ = stop.send(());
    server.await??;
    store.close().await;
    db.remove().await?;
    Ok(Report {
        human,
        json: json!({
            "clients": clients_n,
            "seconds_per_page": args.seconds,
            "pages": pages,
        }),
    })
}

/// The incident page and the API's timeline with a 1,000-entry timeline (GMVI-02), under
/// `args.page_clients` clients for `args.page_seconds` seconds each.
pub async fn incident_page(ctx: &Ctx, args: &crate::GmviArgs) -> Result<Report> {
    let db = ctx.fresh_db("gmvi_page").await?;
    let store = Store::open(&db.url, 16).await?;
    let hashing = PasswordHashing::new(1024, 1, 8)?;
    let hash = hash_with(hashing.params(), demo::DEMO_PASSWORD)?;
    demo::load(&store, &hash).await?;
    let person: i64 = sqlx::query_scalar("SELECT id FROM persons WHERE email = $1")
        .bind(EMAIL)
        .fetch_one(store.pool())
        .await?;
    let body: i64 = sqlx::query_scalar(
        "SELECT id FROM organizations WHERE slug = 'ministere-fictif-des-ressources'",
    )
    .fetch_one(store.pool())
    .await?;
    let mut w = store
        .write(rempart_storage::AuditContext {
            actor_id: Some(person),
            actor_label: EMAIL.into(),
            source: "rempart-bench".into(),
        })
        .await?;
    let input = rempart_domain::incident::IncidentDraft {
        title: "Rançongiciel sur le serveur de fichiers".into(),
        category: "ransomware".into(),
        severity: "critical".into(),
        ..Default::default()
    }
    .check()
    .map_err(|e| format!("{e:?}"))?;
    let now = w.now();
    let incident = rempart_storage::incidents::open(
        &mut w,
        &rempart_storage::inbox::Notifier {
            wording: &rempart_web::gmvi::Words,
            email: false,
        },
        rempart_storage::scope::Scope::LocalAdministrator,
        body,
        &input,
        now,
    )
    .await?;
    w.commit().await?;
    let before: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM incident_entries WHERE incident_id = $1")
            .bind(incident)
            .fetch_one(store.pool())
            .await?;
    crate::gmvi::timeline_seed(&store, incident, args.timeline_entries - before, person).await?;
    let config = WebConfig {
        mfa_roles: Vec::new(),
        ..WebConfig::default()
    };
    let state = AppState::new(store.clone(), config, hashing)?;
    let router = rempart_web::build_router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    let clients_n = args.page_clients.max(1);
    let mut clients = Vec::with_capacity(clients_n);
    for _ in 0..clients_n {
        clients.push(sign_in(&base).await?);
    }
    let mut human = String::new();
    let mut pages = serde_json::Map::new();
    for path in [
        format!("/incidents/{incident}"),
        format!("/api/v1/incidents/{incident}/timeline?limit=500"),
    ] {
        let url = format!("{base}{path}");
        drive(&clients, &url, Instant::now() + WARMUP, 1_000_000).await?;
        progress(&format!(
            "gmvi: GET {path} ({} timeline entries) with {clients_n} clients for {} s",
            args.timeline_entries, args.page_seconds
        ));
        let started = Instant::now();
        let load = drive(
            &clients,
            &url,
            started + Duration::from_secs(args.page_seconds),
            1_000_000,
        )
        .await?;
        let elapsed = started.elapsed().as_secs_f64();
        if load.failures > 0 {
            return Err(format!("GET {path}: {} responses were not 200", load.failures).into());
        }
        let requests = load.samples.len();
        let mean_bytes = load.bytes / (requests.max(1) as u64);
        let lat = latency(load.samples);
        human.push_str(&format!(
            "  GET {path} with a {}-entry timeline: {:.0} requests/s, {}; {mean_bytes} bytes each\n",
            args.timeline_entries,
            requests as f64 / elapsed,
            lat.short()
        ));
        let mut v: Value = lat.json();
        v["requests_per_second"] = json!(requests as f64 / elapsed);
        v["mean_body_bytes"] = json!(mean_bytes);
        pages.insert(path, v);
    }
    drop(clients);
    let _ = stop.send(());
    server.await??;
    store.close().await;
    db.remove().await?;
    Ok(Report {
        human,
        json: json!({ "clients": clients_n, "timeline_entries": args.timeline_entries,
                      "pages": pages }),
    })
}
