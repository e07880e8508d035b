//! Reading vulnerabilities and scan imports (GMVI-05), scope in every query: lists by body,
//! asset, severity, status, known exploitation and lateness; one vulnerability with its
//! history; the imports of a body with their counts and unmatched hosts.

use chrono::NaiveDate;
use rempart_domain::authz::Permission;
use rempart_domain::cvss::Severity;
use rempart_domain::vulnerability::VulnerabilityStatus;
use serde::Serialize;
use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::list::{Page, PageRequest};
use crate::scope::Scope;
use crate::Store;

#[derive(Debug, Clone, Default)]
pub struct VulnFilter {
    pub org_id: Option<i64>,
    pub asset_id: Option<i64>,
    pub severity: Option<Severity>,
    pub status: Option<VulnerabilityStatus>,
    /// Only those CISA lists as exploited.
    pub known_exploited: bool,
    /// Only those still to deal with whose deadline (ours or CISA's) is before this day.
    pub overdue_on: Option<NaiveDate>,
    pub source: Option<String>,
    /// Words in the title, the rule, the CVEs, the host or the package.
    pub text: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum VulnSort {
    /// Most severe first, then the earliest deadline.
    #[default]
    Severity,
    Due,
    LastSeen,
    Title,
}

impl VulnSort {
    pub fn parse(text: &str) -> Option<VulnSort> {
        Some(match text {
            "severity" => VulnSort::Severity,
            "due" => VulnSort::Due,
            "last_seen" => VulnSort::LastSeen,
            "title" => VulnSort::Title,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VulnRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub asset_id: Option<i64>,
    pub asset_name: Option<String>,
    pub source: String,
    pub rule_id: String,
    pub title: String,
    pub host_label: String,
    pub host_key: String,
    pub port: String,
    pub package: String,
    pub fixed_version: String,
    pub location: String,
    pub cves: Vec<String>,
    pub severity: String,
    /// The score, one decimal.
    pub score: Option<f64>,
    pub cvss_vector: String,
    pub status: String,
    pub due_on: Option<String>,
    pub kev_added_on: Option<String>,
    pub kev_due_on: Option<String>,
    pub first_seen: i64,
    pub last_seen: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VulnDetail {
    #[serde(flatten)]
    pub row: VulnRow,
    pub description: String,
    pub solution: String,
    pub evidence: String,
    pub cwes: Vec<String>,
    pub cvss_vectors: Vec<String>,
    pub accepted_until: Option<String>,
    /// Changes are made against this version (optimistic concurrency).
    pub version: i64,
    /// The CVE Program's records of its CVEs, when imported (`cve_records`).
    pub cve_records: Vec<crate::cve_records::CveRow>,
    pub history: Vec<HistoryEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    pub at: i64,
    pub status: String,
    pub import_id: Option<i64>,
    pub person_id: Option<i64>,
    pub note: String,
}

const COLUMNS: &str = "v.id, v.org_id, o.name AS org_name, v.asset_id, a.name AS asset_name, \
     v.source, v.rule_id, v.title, v.host_label, v.host_key, v.port, v.package, v.fixed_version, \
     v.location, v.cves, v.severity, v.score_tenths, v.cvss_vector, v.status, v.due_on, \
     v.kev_added_on, v.kev_due_on, v.first_seen, COALESCE(g.last_seen, v.first_seen) AS last_seen";

const FROM: &str = "FROM vulnerabilities v JOIN organizations o ON o.id = v.org_id \
     LEFT JOIN assets a ON a.id = v.asset_id \
     LEFT JOIN vulnerability_sightings g ON g.vulnerability_id = v.id";

/// Severity as a number, for sorting most severe first.
const SEVERITY_RANK: &str = "CASE v.severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 \
     WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END";

fn row_from(row: &sqlx::any::AnyRow) -> Result<VulnRow> {
    let cves: String = row.try_get("cves")?;
    let score: Option<i64> = row.try_get("score_tenths")?;
    Ok(VulnRow {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        org_name: row.try_get("org_name")?,
        asset_id: row.try_get("asset_id")?,
        asset_name: row.try_get("asset_name")?,
        source: row.try_get("source")?,
        rule_id: row.try_get("rule_id")?,
        title: row.try_get("title")?,
        host_label: row.try_get("host_label")?,
        host_key: row.try_get("host_key")?,
        port: row.try_get("port")?,
        package: row.try_get("package")?,
        fixed_version: row.try_get("fixed_version")?,
        location: row.try_get("location")?,
        cves: cves.split_whitespace().map(str::to_owned).collect(),
        severity: row.try_get("severity")?,
        score: score.map(|s| s as f64 / 10.0),
        cvss_vector: row.try_get("cvss_vector")?,
        status: row.try_get("status")?,
        due_on: row.try_get("due_on")?,
        kev_added_on: row.try_get("kev_added_on")?,
        kev_due_on: row.try_get("kev_due_on")?,
        first_seen: row.try_get("first_seen")?,
        last_seen: row.try_get("last_seen")?,
    })
}

/// The vulnerabilities `scope` reaches: those of a body in reach, and those of an asset in
/// reach (a holder, whose role covers the unit that holds the asset, sees and handles the
/// vulnerabilities of their assets though the body imported them).
pub fn reach_condition(scope: Scope) -> String {
    match scope {
        Scope::LocalAdministrator => "1 = 1".to_owned(),
        Scope::Person { .. } => format!(
            "({} OR EXISTS (SELECT 1 FROM assets ra WHERE ra.id = v.asset_id AND {}))",
            scope.condition("v.org_id"),
            scope.condition("ra.org_id")
        ),
    }
}

fn read_scope(scope: Scope) -> Scope {
    match scope {
        Scope::Person { person_id, .. } => Scope::new(person_id, Permission::VulnerabilityRead),
        other => other,
    }
}

/// A filter's conditions and their values, numbered from `$1`.
fn conditions(scope: Scope, filter: &VulnFilter) -> (String, Vec<Bind>) {
    let mut sql = format!("WHERE {}", reach_condition(read_scope(scope)));
    let mut binds = Vec::new();
    let mut add = |sql: &mut String, clause: &str, value: Bind| {
        binds.push(value);
        sql.push_str(&clause.replace('?', &format!("${}", binds.len())));
    };
    if let Some(org) = filter.org_id {
        add(
            &mut sql,
            " AND v.org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = ?)",
            Bind::Int(org),
        );
    }
    if let Some(asset) = filter.asset_id {
        add(&mut sql, " AND v.asset_id = ?", Bind::Int(asset));
    }
    if let Some(s) = filter.severity {
        add(
            &mut sql,
            " AND v.severity = ?",
            Bind::Text(s.as_str().to_owned()),
        );
    }
    if let Some(s) = filter.status {
        add(
            &mut sql,
            " AND v.status = ?",
            Bind::Text(s.as_str().to_owned()),
        );
    }
    if filter.known_exploited {
        sql.push_str(" AND v.kev_added_on IS NOT NULL");
    }
    if let Some(day) = filter.overdue_on {
        let day = day.format("%Y-%m-%d").to_string();
        let pending: Vec<String> = VulnerabilityStatus::ALL
            .iter()
            .filter(|s| s.is_pending())
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        add(
            &mut sql,
            &format!(
                " AND v.status IN ({}) AND (v.due_on < ?",
                pending.join(", ")
            ),
            Bind::Text(day.clone()),
        );
        add(&mut sql, " OR v.kev_due_on < ?)", Bind::Text(day));
    }
    if let Some(source) = &filter.source {
        add(&mut sql, " AND v.source = ?", Bind::Text(source.clone()));
    }
    if let Some(text) = filter
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        // Wildcards typed by the user are taken literally by dropping them.
        let like = format!("%{}%", text.to_lowercase().replace(['\\', '%', '_'], ""));
        add(
            &mut sql,
            " AND (LOWER(v.title) LIKE ? OR LOWER(v.rule_id) LIKE ? OR LOWER(v.cves) LIKE ? OR LOWER(v.host_label) LIKE ? OR LOWER(v.package) LIKE ?)",
            Bind::Text(like),
        );
    }
    (sql, binds)
}

#[derive(Debug, Clone)]
enum Bind {
    Int(i64),
    Text(String),
}

fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    binds: &'q [Bind],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for b in binds {
        q = match b {
            Bind::Int(i) => q.bind(*i),
            Bind::Text(t) => q.bind(t.as_str()),
        };
    }
    q
}

pub async fn list(
    store: &Store,
    scope: Scope,
    filter: &VulnFilter,
    page: &PageRequest<VulnSort>,
) -> Result<Page<VulnRow>> {
    let (conditions, binds) = conditions(scope, filter);
    let total: i64 = bind_all(
        sqlx::query(&format!("SELECT COUNT(*) AS n {FROM} {conditions}")),
        &binds,
    )
    .fetch_one(store.pool())
    .await?
    .try_get("n")?;
    let dir = page.direction();
    let order = match page.sort {
        VulnSort::Severity => format!(
            "{SEVERITY_RANK} {}, v.due_on ASC, v.id ASC",
            if page.descending { "ASC" } else { "DESC" }
        ),
        VulnSort::Due => format!("v.due_on {dir}, {SEVERITY_RANK} DESC, v.id ASC"),
        VulnSort::LastSeen => format!("COALESCE(g.last_seen, v.first_seen) {dir}, v.id ASC"),
        VulnSort::Title => format!("v.title {dir}, v.id ASC"),
    };
    let sql = format!(
        "SELECT {COLUMNS} {FROM} {conditions} ORDER BY {order} LIMIT {} OFFSET {}",
        page.limit.clamp(1, crate::list::MAX_LIMIT),
        page.offset.max(0)
    );
    let rows = bind_all(sqlx::query(&sql), &binds)
        .fetch_all(store.pool())
        .await?;
    Ok(Page {
        items: rows.iter().map(row_from).collect::<Result<_>>()?,
        total,
        limit: page.limit,
        offset: page.offset,
    })
}

/// Every vulnerability a filter gives, for an export (bounded by `max`).
pub async fn export(
    store: &Store,
    scope: Scope,
    filter: &VulnFilter,
    max: i64,
) -> Result<Vec<VulnRow>> {
    let (conditions, binds) = conditions(scope, filter);
    let sql = format!(
        "SELECT {COLUMNS} {FROM} {conditions} ORDER BY {SEVERITY_RANK} DESC, v.due_on ASC, v.id ASC LIMIT {max}"
    );
    let rows = bind_all(sqlx::query(&sql), &binds)
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(row_from).collect()
}

pub async fn get(store: &Store, scope: Scope, id: i64) -> Result<VulnDetail> {
    let sql = format!(
        "SELECT {COLUMNS}, v.description, v.solution, v.evidence, v.cwes, v.cvss_vectors, \
         v.accepted_until, v.version {FROM} WHERE v.id = $1 AND {}",
        reach_condition(read_scope(scope))
    );
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    let history = sqlx::query(
        "SELECT at, status, import_id, person_id, note FROM vulnerability_history \
         WHERE vulnerability_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|h| {
        Ok(HistoryEntry {
            at: h.try_get("at")?,
            status: h.try_get("status")?,
            import_id: h.try_get("import_id")?,
            person_id: h.try_get("person_id")?,
            note: h.try_get("note")?,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let cwes: String = row.try_get("cwes")?;
    let vectors: String = row.try_get("cvss_vectors")?;
    let row_view = row_from(&row)?;
    let mut conn = store.pool().acquire().await?;
    let cve_records = crate::cve_records::of(&mut conn, &row_view.cves).await?;
    Ok(VulnDetail {
        cve_records,
        row: row_view,
        description: row.try_get("description")?,
        solution: row.try_get("solution")?,
        evidence: row.try_get("evidence")?,
        cwes: cwes.split_whitespace().map(str::to_owned).collect(),
        cvss_vectors: vectors.lines().map(str::to_owned).collect(),
        accepted_until: row.try_get("accepted_until")?,
        version: row.try_get("version")?,
        history,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportRow {
    pub id: i64,
    pub org_id: i64,
    pub format: String,
    pub file_name: String,
    pub file_sha256: String,
    pub imported_by: Option<i64>,
    pub imported_by_name: Option<String>,
    pub imported_at: i64,
    pub findings: i64,
    pub informational: i64,
    pub hosts: i64,
    pub cves: i64,
    pub created: i64,
    pub seen_again: i64,
    pub fixed: i64,
    pub reopened: i64,
    pub unmatched_hosts: i64,
}

/// The imports into an organization (and below it), newest first; not found when the
/// organization is out of reach.
pub async fn imports(
    store: &Store,
    scope: Scope,
    org_id: i64,
    limit: i64,
) -> Result<Vec<ImportRow>> {
    let visible = format!(
        "SELECT id FROM organizations WHERE id = $1 AND {}",
        read_scope(scope).condition("id")
    );
    if sqlx::query(&visible)
        .bind(org_id)
        .fetch_optional(store.pool())
        .await?
        .is_none()
    {
        return Err(StoreError::NotFound);
    }
    let sql = format!(
        "SELECT {IMPORT_COLUMNS} FROM scan_imports s LEFT JOIN persons p ON p.id = s.imported_by \
         WHERE s.org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = $1) AND {} \
         ORDER BY s.id DESC LIMIT {}",
        read_scope(scope).condition("s.org_id"),
        limit.clamp(1, crate::list::MAX_LIMIT)
    );
    sqlx::query(&sql)
        .bind(org_id)
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(import_from)
        .collect()
}

const IMPORT_COLUMNS: &str = "s.id, s.org_id, s.format, s.file_name, s.file_sha256, \
     s.imported_by, p.name AS imported_by_name, s.imported_at, s.findings, s.informational, \
     s.hosts, s.cves, s.created_count, s.seen_again_count, s.fixed_count, s.reopened_count, \
     s.unmatched_hosts";

fn import_from(r: &sqlx::any::AnyRow) -> Result<ImportRow> {
    Ok(ImportRow {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        format: r.try_get("format")?,
        file_name: r.try_get("file_name")?,
        file_sha256: r.try_get("file_sha256")?,
        imported_by: r.try_get("imported_by")?,
        imported_by_name: r.try_get("imported_by_name")?,
        imported_at: r.try_get("imported_at")?,
        findings: r.try_get("findings")?,
        informational: r.try_get("informational")?,
        hosts: r.try_get("hosts")?,
        cves: r.try_get("cves")?,
        created: r.try_get("created_count")?,
        seen_again: r.try_get("seen_again_count")?,
        fixed: r.try_get("fixed_count")?,
        reopened: r.try_get("reopened_count")?,
        unmatched_hosts: r.try_get("unmatched_hosts")?,
    })
}

/// One import, within reach.
pub async fn import(store: &Store, scope: Scope, id: i64) -> Result<ImportRow> {
    let sql = format!(
        "SELECT {IMPORT_COLUMNS} FROM scan_imports s LEFT JOIN persons p ON p.id = s.imported_by \
         WHERE s.id = $1 AND {}",
        read_scope(scope).condition("s.org_id")
    );
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    import_from(&row)
}

/// The machines and targets of an import that no asset names; not found when the import is
/// out of reach.
pub async fn unmatched(
    store: &Store,
    scope: Scope,
    import_id: i64,
) -> Result<Vec<crate::vuln_import::UnmatchedHost>> {
    let visible = format!(
        "SELECT id FROM scan_imports WHERE id = $1 AND {}",
        read_scope(scope).condition("org_id")
    );
    if sqlx::query(&visible)
        .bind(import_id)
        .fetch_optional(store.pool())
        .await?
        .is_none()
    {
        return Err(StoreError::NotFound);
    }
    let sql = format!(
        "SELECT u.host_key, u.host_label, u.findings FROM scan_unmatched_hosts u \
         JOIN scan_imports s ON s.id = u.import_id WHERE u.import_id = $1 AND {} \
         ORDER BY u.findings DESC, u.host_key",
        read_scope(scope).condition("s.org_id")
    );
    sqlx::query(&sql)
        .bind(import_id)
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(crate::vuln_import::UnmatchedHost {
                host_key: r.try_get("host_key")?,
                host_label: r.try_get("host_label")?,
                findings: r.try_get::<i64, _>("findings")? as usize,
            })
        })
        .collect()
}
