//! Scanner report imports (GMVI-05): each shared report (`shared/data/scans/`) and a
//! synthetic Nessus report of 100,000 findings (`scripts/gen_nessus.py`), imported into a
//! demo body through the same path as `rempart import scan` (streaming reader on a blocking
//! thread, batched importer in one transaction), then imported again (every finding seen
//! again, nothing new). For each: findings per second (read, deduplicated, matched, written
//! and audited, from the file's first byte to the commit), the SQL statements run and per
//! 1,000 findings, and the process's peak resident memory during the import (the peak is
//! reset before each import through `/proc/self/clear_refs`, so it is that import's own).

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::NaiveDate;
use rempart_domain::cvss::Severity;
use rempart_storage::scope::Scope;
use rempart_storage::{AuditContext, Store};
use rempart_web::auth::{hash_with, PasswordHashing};
use rempart_web::scan_import::{self, ScanFile};
use serde_json::json;

use crate::{progress, Ctx, Report, Result, ScansArgs};

const BODY: &str = "ministere-fictif-des-ressources";

const SHARED: [&str; 7] = [
    "nessus/nessus_nessus_v_unknown.xml",
    "openvas/one_vuln.xml",
    "openvas/many_vuln.xml",
    "trivy/all_statuses.json",
    "trivy/legacy_many_vulns.json",
    "sarif/appendix_k.sarif",
    "sarif/codeQL-output.sarif",
];

/// Resets the peak resident set size of this process (Linux ≥ 4.0).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Peak and current resident memory of this process, in MiB.
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse::<f64>().ok())
            .map(|kib| kib / 1024.0)
            .unwrap_or(0.0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

fn shared_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/scans"
    ))
}

/// The synthetic report, made once by the generator script.
fn synthetic(ctx: &Ctx, findings: usize) -> Result<PathBuf> {
    let path = ctx
        .work_dir
        .join(format!("rempart-bench-nessus-{findings}.nessus"));
    if !path.exists() {
        progress(&format!(
            "generating {} with scripts/gen_nessus.py",
            path.display()
        ));
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/gen_nessus.py");
        let out = std::process::Command::new("python3")
            .arg(script)
            .arg(findings.to_string())
            .output()?;
        if !out.status.success() {
            return Err(format!("gen_nessus.py: {}", String::from_utf8_lossy(&out.stderr)).into());
        }
        std::fs::write(&path, out.stdout)?;
    }
    Ok(path)
}

struct Measure {
    seconds: f64,
    findings: usize,
    created: usize,
    seen_again: usize,
    statements: usize,
    peak_mib: f64,
}

async fn import_once(store: &Store, org_id: i64, path: &Path) -> Result<Measure> {
    let file = std::fs::File::open(path)?;
    reset_peak();
    let started = Instant::now();
    let report = scan_import::import(
        store,
        Scope::LocalAdministrator,
        AuditContext::system("rempart-bench"),
        ScanFile {
            reader: file,
            file_name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            format: None,
            org_id,
            min_severity: Severity::Low,
            today: NaiveDate::from_ymd_opt(2026, 12, 4).unwrap_or_default(),
        },
    )
    .await
    .map_err(|e| format!("{}: {e}", path.display()))?;
    let seconds = started.elapsed().as_secs_f64();
    let (peak_mib, _) = memory();
    Ok(Measure {
        seconds,
        findings: report.findings,
        created: report.created,
        seen_again: report.seen_again,
        statements: report.statements,
        peak_mib,
    })
}

pub async fn run(ctx: &Ctx, args: &ScansArgs) -> Result<Report> {
    let mut files: Vec<(String, PathBuf)> = SHARED
        .iter()
        .map(|f| ((*f).to_owned(), shared_dir().join(f)))
        .collect();
    files.push((
        format!("synthetic nessus ({} findings)", args.synthetic_findings),
        synthetic(ctx, args.synthetic_findings)?,
    ));

    let db = ctx.fresh_db("scans").await?;
    let store = Store::open(&db.url, 4).await?;
    let hashing = PasswordHashing::new(1024, 1, 2)?;
    let hash = hash_with(hashing.params(), rempart::demo::DEMO_PASSWORD)?;
    rempart::demo::load(&store, &hash).await?;
    let org_id: i64 = sqlx::query_scalar("SELECT id FROM organizations WHERE slug = $1")
        .bind(BODY)
        .fetch_one(store.pool())
        .await?;
    let (_, baseline) = memory();

    let mut human = format!("  process memory before the imports: {baseline:.0} MiB\n");
    let mut rows = Vec::new();
    for (label, path) in &files {
        let size = std::fs::metadata(path)?.len();
        progress(&format!("importing {label}"));
        let first = import_once(&store, org_id, path).await?;
        let again = import_once(&store, org_id, path).await?;
        for (pass, m) in [("first", &first), ("again", &again)] {
            let rate = m.findings as f64 / m.seconds;
            let per_thousand = m.statements as f64 * 1000.0 / m.findings.max(1) as f64;
            human.push_str(&format!(
                "  {label} [{pass}]: {} findings ({} new, {} seen again) in {:.3} s = {rate:.0}/s; \
                 {} statements ({per_thousand:.1} per 1,000); peak memory {:.0} MiB\n",
                m.findings, m.created, m.seen_again, m.seconds, m.statements, m.peak_mib
            ));
            rows.push(json!({
                "file": label,
                "bytes": size,
                "pass": pass,
                "findings": m.findings,
                "created": m.created,
                "seen_again": m.seen_again,
                "seconds": m.seconds,
                "findings_per_second": rate,
                "statements": m.statements,
                "statements_per_1000": per_thousand,
                "peak_rss_mib": m.peak_mib,
            }));
        }
    }
    store.close().await;
    db.remove().await?;
    Ok(Report {
        human,
        json: json!({ "baseline_rss_mib": baseline, "imports": rows }),
    })
}
