//! Audit verification rate: seeds a long chain directly (hashes computed with the domain's
//! own `chain_hash`, rows written with multi-row INSERTs in large transactions), then times
//! `rempart_storage::audit::verify` in-process and `rempart audit verify` as a command.

use std::fmt::Write as _;
use std::time::Instant;

use rempart_domain::audit::{AuditEntry, ChainVerifier, GENESIS};
use rempart_storage::{audit, Store};
use serde_json::{json, Value};

use crate::db::{int_opt, literal, literal_opt};
use crate::stats::median;
use crate::{progress, Ctx, Report, Result, VerifyArgs};

const ROWS_PER_INSERT: i64 = 1_000;
const INSERTS_PER_TRANSACTION: usize = 100;
/// Entries hashed in memory alone, for the ceiling the database reads are compared with.
const IN_MEMORY_ENTRIES: i64 = 200_000;

/// A plausible entry: sizes and shapes like those the application writes (an organization
/// created or renamed, a person created, a login), so that hashing costs what it would.
pub fn entry(seq: i64) -> AuditEntry {
    let org = 334 + seq % 15_300;
    let parent = 28 + seq % 306;
    let actor = 1 + seq % 40;
    let at = 1_767_225_600_000_000 + seq * 1_000;
    let org_json = |name: &str, version: i64| {
        format!(
            "{{\"id\":{org},\"slug\":\"unite-{org}\",\"name\":\"{name}\",\"kind\":\"unit\",\
             \"parent_id\":{parent},\"archived_at\":null,\"created_at\":1767225600000000,\
             \"updated_at\":{at},\"version\":{version}}}"
        )
    };
    let (action, entity_type, entity_id, before, after) = match seq % 4 {
        0 => (
            "organization.create",
            "organization",
            org.to_string(),
            None,
            Some(org_json(&format!("Unité {org}"), 1)),
        ),
        1 => (
            "organization.rename",
            "organization",
            org.to_string(),
            Some(org_json(&format!("Unité {org}"), 1)),
            Some(org_json(&format!("Direction des services {org}"), 2)),
        ),
        2 => (
            "person.create",
            "person",
            seq.to_string(),
            None,
            Some(format!(
                "{{\"id\":{seq},\"org_id\":{org},\"email\":\"personne{seq}@exemple.quebec\",\
                 \"name\":\"Personne {seq}\",\"language\":\"fr\",\"must_change_password\":true,\
                 \"disabled_at\":null,\"created_at\":{at},\"updated_at\":{at}}}"
            )),
        ),
        _ => ("session.login", "person", actor.to_string(), None, None),
    };
    AuditEntry {
        seq,
        at_micros: at,
        actor_id: Some(actor),
        actor_label: format!("conseiller{actor}@exemple.quebec"),
        source: format!("10.0.{}.{}", actor % 7, actor),
        org_id: Some(org),
        action: action.to_owned(),
        entity_type: entity_type.to_owned(),
        entity_id,
        before,
        after,
    }
}

/// Writes entries 1..=n, chained from the genesis hash, and records the head. The SQL is
/// built on a thread of its own while the database inserts the previous batch.
pub async fn seed(store: &Store, n: i64) -> Result<()> {
    let (sender, mut batches) = tokio::sync::mpsc::channel::<String>(4);
    let producer = std::thread::spawn(move || {
        let mut previous = GENESIS;
        let mut seq = 1;
        while seq <= n {
            let end = (seq + ROWS_PER_INSERT - 1).min(n);
            let mut sql = String::with_capacity(600 * ROWS_PER_INSERT as usize);
            sql.push_str(
                "INSERT INTO audit_entries (seq, at_micros, actor_id, actor_label, source, \
                 org_id, action, entity_type, entity_id, before_json, after_json, hash) VALUES ",
            );
            for s in seq..=end {
                let e = entry(s);
                previous = e.chain_hash(&previous);
                // Writing to a String cannot fail.
                let _ = write!(
                    sql,
                    "{}({},{},{},{},{},{},{},{},{},{},{},'{}')",
                    if s == seq { "" } else { "," },
                    e.seq,
                    e.at_micros,
                    int_opt(e.actor_id),
                    literal(&e.actor_label),
                    literal(&e.source),
                    int_opt(e.org_id),
                    literal(&e.action),
                    literal(&e.entity_type),
                    literal(&e.entity_id),
                    literal_opt(e.before.as_deref()),
                    literal_opt(e.after.as_deref()),
                    hex::encode(previous)
                );
            }
            if sender.blocking_send(sql).is_err() {
                break;
            }
            seq = end + 1;
        }
        previous
    });
    let mut done = 0usize;
    loop {
        let mut tx = store.pool().begin().await?;
        let mut in_tx = 0;
        while in_tx < INSERTS_PER_TRANSACTION {
            let Some(sql) = batches.recv().await else {
                break;
            };
            sqlx::raw_sql(&sql).execute(&mut *tx).await?;
            in_tx += 1;
        }
        tx.commit().await?;
        done += in_tx;
        if in_tx < INSERTS_PER_TRANSACTION {
            break;
        }
        progress(&format!(
            "verify: seeded {} entries",
            (done as i64 * ROWS_PER_INSERT).min(n)
        ));
    }
    let head = producer
        .join()
        .map_err(|_| "the thread that builds the audit entries panicked")?;
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(n)
        .bind(hex::encode(head))
        .execute(store.pool())
        .await?;
    Ok(())
}

/// How fast the domain's verifier alone checks entries already in memory.
fn in_memory_rate() -> f64 {
    let mut previous = GENESIS;
    let entries: Vec<(AuditEntry, String)> = (1..=IN_MEMORY_ENTRIES)
        .map(|seq| {
            let e = entry(seq);
            previous = e.chain_hash(&previous);
            (e, hex::encode(previous))
        })
        .collect();
    let started = Instant::now();
    let mut verifier = ChainVerifier::new();
    for (e, h) in &entries {
        verifier.push(e, h);
    }
    let elapsed = started.elapsed().as_secs_f64();
    if verifier.checked() != entries.len() as u64 {
        progress("verify: in-memory chain did not verify (bug in the benchmark)");
    }
    entries.len() as f64 / elapsed
}

pub async fn run(ctx: &Ctx, args: &VerifyArgs) -> Result<Report> {
    let n = i64::try_from(args.entries)?;
    let runs = args.verify_runs.max(1);
    let db = ctx.fresh_db("verify").await?;
    let store = Store::open(&db.url, 2).await?;
    progress(&format!(
        "verify: seeding {n} chained entries on {}",
        ctx.engine.name()
    ));
    let started = Instant::now();
    seed(&store, n).await?;
    let seed_seconds = started.elapsed().as_secs_f64();

    let mut seconds = Vec::new();
    for run in 1..=runs {
        let started = Instant::now();
        let v = audit::verify(&store, &[]).await?;
        let s = started.elapsed().as_secs_f64();
        if !v.is_intact() || v.checked != args.entries {
            return Err(format!(
                "seeded chain did not verify: checked {}, first bad {:?}",
                v.checked, v.first_bad
            )
            .into());
        }
        progress(&format!(
            "verify: in-process run {run}: {s:.3} s, {:.0} entries/s",
            n as f64 / s
        ));
        seconds.push(s);
    }
    let in_process = median(seconds.clone());
    store.close().await;

    let mut cli = Value::Null;
    let mut cli_line = "  CLI: rempart binary not found, skipped\n".to_owned();
    if let Some(bin) = ctx.rempart_bin() {
        let mut reported = Vec::new();
        let mut wall = Vec::new();
        for run in 1..=runs {
            let started = Instant::now();
            let mut command = std::process::Command::new(&bin);
            command
                .args(["audit", "verify", "--json", "--database-url"])
                .arg(db.url.expose());
            let out = tokio::task::spawn_blocking(move || command.output()).await??;
            let w = started.elapsed().as_secs_f64();
            let parsed: Value = serde_json::from_slice(&out.stdout).map_err(|e| {
                format!(
                    "{} audit verify: {e}: {}",
                    bin.display(),
                    String::from_utf8_lossy(&out.stderr)
                )
            })?;
            let s = parsed["seconds"].as_f64().unwrap_or(f64::NAN);
            if parsed["intact"] != Value::Bool(true) || parsed["checked"] != json!(args.entries) {
                return Err(format!("rempart audit verify did not agree: {parsed}").into());
            }
            progress(&format!(
                "verify: CLI run {run}: reported {s:.3} s, wall {w:.3} s"
            ));
            reported.push(s);
            wall.push(w);
        }
        let (r, w) = (median(reported), median(wall));
        cli = json!({
            "binary": bin.display().to_string(),
            "reported_seconds": r,
            "wall_seconds": w,
            "entries_per_second": n as f64 / r,
        });
        cli_line = format!(
            "  CLI `rempart audit verify`: {r:.3} s reported ({:.0} entries/s), {w:.3} s wall\n",
            n as f64 / r
        );
    }
    db.remove().await?;

    let memory_rate = in_memory_rate();
    let rate = n as f64 / in_process;
    Ok(Report {
        human: format!(
            "  seeded {n} entries in {seed_seconds:.1} s\n  \
             audit::verify: {in_process:.3} s, {rate:.0} entries/s (median of {runs})\n\
             {cli_line}  \
             domain verifier alone, in memory: {memory_rate:.0} entries/s\n"
        ),
        json: json!({
            "entries": n,
            "seed_seconds": seed_seconds,
            "runs": runs,
            "in_process_seconds": in_process,
            "in_process_entries_per_second": rate,
            "cli": cli,
            "in_memory_entries_per_second": memory_rate,
        }),
    })
}
