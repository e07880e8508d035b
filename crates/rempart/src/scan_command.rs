//! `rempart import scan`: a scanner report into a body's vulnerabilities (GMVI-05), with a
//! summary for people or JSON for scripts.

use std::path::Path;

use rempart_domain::cvss::Severity;
use rempart_domain::language::Language;
use rempart_interchange::scan::ScanFormat;
use rempart_storage::scope::Scope;
use rempart_storage::vuln_import::ImportReport;
use rempart_storage::{AuditContext, Store};
use rempart_web::scan_import::{self, ScanFile};

use crate::cli::Failure;

pub struct Options<'a> {
    pub file: &'a Path,
    pub format: Option<&'a str>,
    pub min_severity: &'a str,
}

pub async fn run(
    store: &Store,
    org_id: i64,
    options: Options<'_>,
) -> Result<ImportReport, Failure> {
    let format = match options.format {
        None => None,
        Some(f) => Some(ScanFormat::parse(f).ok_or_else(|| {
            Failure(format!(
                "format « {f} » inconnu (option --format : nessus, openvas, trivy ou sarif)"
            ))
        })?),
    };
    let min_severity = Severity::parse(options.min_severity)
        .filter(|s| *s != Severity::None)
        .ok_or_else(|| {
            Failure(format!(
                "sévérité « {} » inconnue (option --min-severity : low, medium, high ou critical)",
                options.min_severity
            ))
        })?;
    let file = std::fs::File::open(options.file).map_err(|e| {
        Failure(format!(
            "impossible de lire {} : {e}",
            options.file.display()
        ))
    })?;
    let file_name = options
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    scan_import::import(
        store,
        Scope::LocalAdministrator,
        AuditContext::system("rempart import scan"),
        ScanFile {
            reader: file,
            file_name,
            format,
            org_id,
            min_severity,
            today: rempart_web::time::today(),
        },
    )
    .await
    .map_err(|e| {
        Failure(format!(
            "{} : {}",
            options.file.display(),
            e.message(Language::Fr)
        ))
    })
}

pub fn print(report: &ImportReport) {
    println!(
        "Importation n° {} : {} constats lus, dont {} informatifs et {} en double ; \
         {} nouveaux, {} revus, {} corrigés, {} rouverts ; {} hôtes, {} CVE.",
        report.import_id,
        report.findings,
        report.informational,
        report.duplicates,
        report.created,
        report.seen_again,
        report.fixed,
        report.reopened,
        report.hosts,
        report.cves
    );
    if !report.unmatched_hosts.is_empty() {
        println!(
            "{} hôte(s) ou cible(s) sans actif correspondant (à rattacher ou à créer) :",
            report.unmatched_hosts.len()
        );
        for h in &report.unmatched_hosts {
            println!(
                "  {} ({}) : {} constat(s)",
                h.host_label, h.host_key, h.findings
            );
        }
    }
}
