//! Importing a scanner report (GMVI-05): findings arrive in batches as the reader streams the
//! file, inside one transaction, so that a fault anywhere (in the file or in the store) leaves
//! nothing written.
//!
//! Each batch costs a fixed handful of statements, not one per finding: one SELECT finds which
//! fingerprints the body already has, multi-row INSERTs add the new ones, one UPDATE per
//! batch marks those seen again in the narrow `vulnerability_sightings` table (the wide rows,
//! texts included, are not rewritten for it), one more reopens those that had been fixed (with
//! their history rows). At the end, one UPDATE per chunk of the report's scope marks fixed what the
//! report covered but no longer found, and one audit entry records the import with its file's
//! SHA-256 and its counts. [`ImportReport::statements`] counts the statements, so that a test
//! holds the budget.
//!
//! Matching to assets is done in memory against the identifiers of the body's assets (host
//! name, FQDN, address) and their names, read once per import.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::NaiveDate;
use rempart_domain::authz::Permission;
use rempart_domain::cvss::{self, Severity};
use rempart_domain::finding::{Finding, ScanFormat};
use rempart_domain::vulnerability::{RemediationPolicy, VulnerabilityStatus};
use serde::Serialize;
use sqlx::Row;

use crate::dialect::numbered_params;
use crate::error::{Result, StoreError};
use crate::scope::Scope;
use crate::write::{AuditContext, Change, WriteTx};
use crate::Store;

/// Rows of one multi-row INSERT: 32 parameters × 400 rows stays under SQLite's 32,766 bound
/// parameters and PostgreSQL's 65,535.
const INSERT_ROWS: usize = 400;
/// Ids or fingerprints in one `IN (…)` list.
const IN_LIST: usize = 900;

/// What an import is.
#[derive(Debug, Clone)]
pub struct ScanImport {
    pub org_id: i64,
    pub format: ScanFormat,
    pub file_name: String,
    /// Findings below this severity are counted as informational and not kept.
    pub min_severity: Severity,
    /// The remediation delays; `None` for the body's own (`vuln_workflow::policy_for`).
    pub policy: Option<RemediationPolicy>,
    pub today: NaiveDate,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub import_id: i64,
    pub findings: usize,
    pub informational: usize,
    /// Findings that were in the file twice (same fingerprint): kept once.
    pub duplicates: usize,
    pub hosts: usize,
    pub cves: usize,
    pub created: usize,
    pub seen_again: usize,
    pub fixed: usize,
    pub reopened: usize,
    pub unmatched_hosts: Vec<UnmatchedHost>,
    /// SQL statements the import ran.
    pub statements: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnmatchedHost {
    pub host_key: String,
    pub host_label: String,
    pub findings: usize,
}

struct AssetMatch {
    id: i64,
    top_level: bool,
}

/// An import under way. Dropped without [`Importer::finish`], it rolls back.
pub struct Importer {
    wtx: WriteTx,
    import: ScanImport,
    policy: RemediationPolicy,
    import_id: i64,
    now: i64,
    by_identifier: HashMap<(String, String), i64>,
    /// Address ranges (`ip_range` identifiers): an address no identifier names belongs to
    /// the asset of the narrowest range holding it.
    ranges: Vec<(rempart_domain::asset::IpRange, i64)>,
    /// The asset of each machine or package met, looked up once: a report repeats a machine
    /// on every one of its findings.
    asset_cache: HashMap<String, Option<(i64, bool)>>,
    assets: HashMap<i64, AssetMatch>,
    seen: HashSet<String>,
    /// The body's vulnerabilities that a new sighting reopens (fixed ones), read once from an
    /// index: the fingerprint lookups then never read the wide rows for their status. About
    /// 10 MB a million.
    reopenable: HashSet<i64>,
    /// Those statuses, as an SQL list of our own codes.
    reopenable_sql: String,
    scores: HashMap<String, Option<Arc<cvss::CvssScore>>>,
    /// The INSERT of a full chunk, built once.
    insert_sql: Option<String>,
    kev: crate::kev::KevIndex,
    cves: HashSet<String>,
    unmatched: HashMap<String, UnmatchedHost>,
    report: ImportReport,
}

impl Importer {
    /// Begins an import into `import.org_id`, which `scope` must reach with
    /// [`Permission::VulnerabilityImport`].
    pub async fn begin(
        store: &Store,
        scope: Scope,
        ctx: AuditContext,
        import: ScanImport,
    ) -> Result<Importer> {
        let mut wtx = store.write(ctx).await?;
        let mut statements = 0;
        let allowed = format!(
            "SELECT id FROM organizations WHERE id = $1 AND archived_at IS NULL AND {}",
            scope_for(scope).condition("id")
        );
        statements += 1;
        if sqlx::query(&allowed)
            .bind(import.org_id)
            .fetch_optional(wtx.conn())
            .await?
            .is_none()
        {
            return Err(StoreError::NotFound);
        }

        let policy = match import.policy {
            Some(p) => p,
            None => {
                statements += 1;
                crate::vuln_workflow::policy_for(wtx.conn(), import.org_id)
                    .await?
                    .0
            }
        };

        // The body's assets and their identifiers, once.
        let scale = crate::assets::scale_for(store, import.org_id).await?;
        statements += 2;
        let rows = sqlx::query(
            "SELECT a.id, a.name, a.availability, a.integrity, a.confidentiality FROM assets a \
             WHERE a.archived_at IS NULL AND a.org_id IN \
             (SELECT descendant_id FROM org_closure WHERE ancestor_id = $1)",
        )
        .bind(import.org_id)
        .fetch_all(wtx.conn())
        .await?;
        let mut assets = HashMap::new();
        let mut by_identifier = HashMap::new();
        let mut ranges = Vec::new();
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            let name: String = row.try_get("name")?;
            assets.insert(
                id,
                AssetMatch {
                    id,
                    top_level: scale.is_top_level(crate::assets::levels_of(row)?),
                },
            );
            by_identifier.insert(("name".to_owned(), name.to_lowercase()), id);
        }
        statements += 1;
        let rows = sqlx::query(
            "SELECT i.asset_id, i.kind, i.value FROM asset_identifiers i JOIN assets a \
             ON a.id = i.asset_id WHERE a.archived_at IS NULL AND a.org_id IN \
             (SELECT descendant_id FROM org_closure WHERE ancestor_id = $1)",
        )
        .bind(import.org_id)
        .fetch_all(wtx.conn())
        .await?;
        for row in &rows {
            let id: i64 = row.try_get("asset_id")?;
            let kind: String = row.try_get("kind")?;
            let value: String = row.try_get("value")?;
            if kind == "ip_range" {
                if let Some(range) = rempart_domain::asset::IpRange::parse(&value) {
                    ranges.push((range, id));
                }
            }
            by_identifier.insert((kind, value.to_lowercase()), id);
        }

        statements += 1;
        let kev = crate::kev::index(wtx.conn()).await?;
        if wtx.engine() == crate::Engine::Postgres {
            // Each batch's lookup binds 900 fingerprints. After five runs of a prepared
            // statement PostgreSQL may switch to a generic plan, made without the values and
            // with the statistics of before the import; a plan that reads the table and
            // compares every row with 900 values costs half a second a batch at 100,000 rows.
            // Planning each run with its values keeps the unique index. This transaction only.
            statements += 1;
            sqlx::query("SET LOCAL plan_cache_mode = force_custom_plan")
                .execute(wtx.conn())
                .await?;
        }
        if wtx.engine() == crate::Engine::Sqlite {
            // A large import's transaction outgrows the connection's 16 MB page cache and
            // spills to the WAL mid-transaction; 32 MB keeps most of 100,000 findings and their
            // indexes in memory. Put back to the pool's setting before the commit.
            statements += 1;
            sqlx::query("PRAGMA cache_size = -32768")
                .execute(wtx.conn())
                .await?;
        }

        let reopenable_statuses = status_list(
            VulnerabilityStatus::ALL
                .into_iter()
                .filter(|s| s.seen_again().is_some()),
        );
        statements += 1;
        let reopenable: HashSet<i64> = sqlx::query(&format!(
            "SELECT id FROM vulnerabilities WHERE org_id = $1 AND status IN ({reopenable_statuses})"
        ))
        .bind(import.org_id)
        .fetch_all(wtx.conn())
        .await?
        .iter()
        .map(|r| r.try_get::<i64, _>("id"))
        .collect::<std::result::Result<_, _>>()?;

        let now = wtx.now();
        statements += 1;
        let import_id: i64 = sqlx::query(
            "INSERT INTO scan_imports (org_id, format, file_name, file_sha256, imported_by, \
             imported_at, findings, informational, hosts, cves, created_count, seen_again_count, \
             fixed_count, reopened_count, unmatched_hosts) \
             VALUES ($1, $2, $3, '', $4, $5, 0, 0, 0, 0, 0, 0, 0, 0, 0) RETURNING id",
        )
        .bind(import.org_id)
        .bind(import.format.as_str())
        .bind(&import.file_name)
        .bind(wtx.context().actor_id)
        .bind(now)
        .fetch_one(wtx.conn())
        .await?
        .try_get("id")?;
        Ok(Importer {
            policy,
            wtx,
            import,
            import_id,
            now,
            by_identifier,
            ranges,
            asset_cache: HashMap::new(),
            assets,
            seen: HashSet::new(),
            reopenable,
            reopenable_sql: reopenable_statuses,
            scores: HashMap::new(),
            insert_sql: None,
            kev,
            cves: HashSet::new(),
            unmatched: HashMap::new(),
            report: ImportReport {
                import_id,
                statements,
                ..Default::default()
            },
        })
    }

    fn asset_of(&self, f: &Finding) -> Option<&AssetMatch> {
        let candidates = [
            ("ip", f.host.ip.as_deref()),
            ("fqdn", f.host.fqdn.as_deref()),
            ("hostname", f.host.name.as_deref()),
            // A scanner may give a dotted name as the machine's name alone.
            ("fqdn", f.host.name.as_deref()),
            ("hostname", f.target.as_deref()),
            ("name", f.host.name.as_deref()),
            ("name", f.target.as_deref()),
            ("purl", f.package.as_ref().and_then(|p| p.purl.as_deref())),
        ];
        candidates
            .iter()
            .find_map(|(kind, value)| {
                let value = (*value)?.trim().to_lowercase();
                // Addresses are kept in their canonical form (an IPv6 address written out in
                // full still matches).
                let value = match *kind {
                    "ip" => value
                        .parse::<std::net::IpAddr>()
                        .map(|a| a.to_string())
                        .unwrap_or(value),
                    _ => value,
                };
                let id = self.by_identifier.get(&((*kind).to_owned(), value))?;
                self.assets.get(id)
            })
            .or_else(|| {
                let address = f.host.ip.as_deref()?.trim().parse().ok()?;
                let id = rempart_domain::asset::asset_in_ranges(&self.ranges, address)?;
                self.assets.get(&id)
            })
    }

    fn scored(&mut self, vector: &str) -> Option<Arc<cvss::CvssScore>> {
        if let Some(known) = self.scores.get(vector) {
            return known.clone();
        }
        let score = cvss::score(vector).ok().map(Arc::new);
        if self.scores.len() < 100_000 {
            self.scores.insert(vector.to_owned(), score.clone());
        }
        score
    }

    /// The finding's best-scored vector (the latest CVSS version), each vector scored once per
    /// import: a report repeats a few vectors over and over.
    fn best_score(&mut self, vectors: &[String]) -> Option<Arc<cvss::CvssScore>> {
        vectors
            .iter()
            .filter_map(|v| self.scored(v))
            .max_by(|a, b| a.version.as_str().cmp(b.version.as_str()))
    }

    /// Adds a batch of findings as read.
    pub async fn add(&mut self, batch: Vec<Finding>) -> Result<()> {
        let mut pending: Vec<Pending> = Vec::with_capacity(batch.len());
        for f in batch {
            self.report.findings += 1;
            // The scanner's severity, else the vector's; the score is needed for a new row only,
            // so a finding seen again (most of a re-import) is not scored when its scanner
            // gave a severity.
            let scored = (f.severity == Severity::None)
                .then(|| self.best_score(&f.cvss))
                .flatten();
            let severity = if f.severity != Severity::None {
                f.severity
            } else {
                scored
                    .as_ref()
                    .map(|s| s.severity)
                    .unwrap_or(Severity::None)
            };
            if severity < self.import.min_severity || severity == Severity::None {
                self.report.informational += 1;
                continue;
            }
            let fingerprint = f.fingerprint();
            if !self.seen.insert(fingerprint.clone()) {
                self.report.duplicates += 1;
                continue;
            }
            for cve in &f.cves {
                if self.cves.len() < 10_000_000 && !self.cves.contains(cve) {
                    self.cves.insert(cve.clone());
                }
            }
            let asset = self.cached_asset_of(&f);
            if asset.is_none() {
                let host_key = f.host.key();
                let key = if host_key.is_empty() {
                    f.scope_key()
                } else {
                    host_key
                };
                if let Some(entry) = self.unmatched.get_mut(&key) {
                    entry.findings += 1;
                } else {
                    self.unmatched.insert(
                        key.clone(),
                        UnmatchedHost {
                            host_key: key,
                            host_label: host_label_of(&f),
                            findings: 1,
                        },
                    );
                }
            }
            pending.push(Pending {
                fingerprint,
                finding: f,
                severity,
                scored,
                asset,
            });
        }
        if pending.is_empty() {
            return Ok(());
        }
        // Which of these the body has already, and in what status: those are only seen again
        // (a re-import builds no row), the others are written whole.
        let existing = self.known(&pending).await?;
        let mut seen_ids = Vec::new();
        let mut reopened_ids = Vec::new();
        let mut rows: Vec<Row_> = Vec::new();
        for p in pending {
            if let Some(id) = existing.get(&p.fingerprint) {
                if self.reopenable.remove(id) {
                    reopened_ids.push(*id);
                } else {
                    seen_ids.push(*id);
                }
                continue;
            }
            let f = p.finding;
            let scored = match p.scored {
                Some(s) => Some(s),
                None => self.best_score(&f.cvss),
            };
            let score = scored.as_ref().map(|s| s.score).or(f.score);
            let due_on = self
                .policy
                .due(
                    p.severity,
                    p.asset.is_some_and(|(_, top)| top),
                    self.import.today,
                )
                .map(|d| d.format("%Y-%m-%d").to_string());
            let kev = crate::kev::flag(&self.kev, &f.cves);
            rows.push(Row_ {
                kev,
                fingerprint: p.fingerprint,
                asset_id: p.asset.map(|(id, _)| id),
                scope_key: f.scope_key(),
                host_key: f.host.key(),
                host_label: host_label_of(&f),
                severity: p.severity,
                score_tenths: score.map(|s| (s * 10.0).round() as i64),
                cvss_vector: scored.map(|s| s.vector.clone()).unwrap_or_default(),
                due_on,
                finding: f,
            });
        }
        self.write_batch(seen_ids, reopened_ids, rows).await
    }

    /// The asset of a finding, through the cache (see [`Self::asset_cache`]).
    fn cached_asset_of(&mut self, f: &Finding) -> Option<(i64, bool)> {
        let key = [
            f.host.ip.as_deref(),
            f.host.fqdn.as_deref(),
            f.host.name.as_deref(),
            f.target.as_deref(),
            f.package.as_ref().and_then(|p| p.purl.as_deref()),
        ]
        .iter()
        .map(|v| v.unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\u{1}");
        if let Some(hit) = self.asset_cache.get(&key) {
            return *hit;
        }
        let found = self.asset_of(f).map(|a| (a.id, a.top_level));
        // Bounded: a report of a million distinct packages starts the cache afresh.
        if self.asset_cache.len() >= 200_000 {
            self.asset_cache.clear();
        }
        self.asset_cache.insert(key, found);
        found
    }

    /// The body's vulnerabilities among these fingerprints, by fingerprint (the unique index
    /// answers alone: the row itself is not read).
    async fn known(&mut self, pending: &[Pending]) -> Result<HashMap<String, i64>> {
        let mut existing: HashMap<String, i64> = HashMap::with_capacity(pending.len());
        for chunk in pending.chunks(IN_LIST) {
            let sql = format!(
                "SELECT id, fingerprint FROM vulnerabilities WHERE org_id = $1 AND fingerprint IN ({})",
                placeholders(2, chunk.len())
            );
            let sql = numbered_params(&sql, self.wtx.engine());
            let mut q = sqlx::query(&sql).bind(self.import.org_id);
            for p in chunk {
                q = q.bind(&p.fingerprint);
            }
            self.report.statements += 1;
            for row in q.fetch_all(self.wtx.conn()).await? {
                existing.insert(row.try_get("fingerprint")?, row.try_get("id")?);
            }
        }
        Ok(existing)
    }

    async fn write_batch(
        &mut self,
        seen_ids: Vec<i64>,
        reopened_ids: Vec<i64>,
        new_rows: Vec<Row_>,
    ) -> Result<()> {
        self.report.seen_again += seen_ids.len();
        let mut reopened = 0;
        for chunk in seen_ids.chunks(IN_LIST) {
            let sql = format!(
                "UPDATE vulnerability_sightings SET last_seen = $1, last_import_id = $2 \
                 WHERE vulnerability_id IN ({})",
                placeholders(3, chunk.len())
            );
            let sql = numbered_params(&sql, self.wtx.engine());
            let mut q = sqlx::query(&sql).bind(self.now).bind(self.import_id);
            for id in chunk {
                q = q.bind(*id);
            }
            self.report.statements += 1;
            q.execute(self.wtx.conn()).await?;
        }
        for chunk in reopened_ids.chunks(IN_LIST) {
            let list = placeholders(2, chunk.len());
            // Only those still fixed: a person may have changed one since the import began
            // (on PostgreSQL, nothing holds the rows until they are written). The history
            // first, while the status still says which.
            let reopenable = &self.reopenable_sql;
            let sql = format!(
                "INSERT INTO vulnerability_history (vulnerability_id, at, status, import_id, person_id, note) \
                 SELECT id, $1, 'open', $2, NULL, 'reopened' FROM vulnerabilities \
                 WHERE status IN ({reopenable}) AND id IN ({})",
                placeholders(3, chunk.len())
            );
            let sql = numbered_params(&sql, self.wtx.engine());
            let mut q = sqlx::query(&sql).bind(self.now).bind(self.import_id);
            for id in chunk {
                q = q.bind(*id);
            }
            self.report.statements += 1;
            q.execute(self.wtx.conn()).await?;
            let sql = format!(
                "UPDATE vulnerabilities SET status = 'open', fixed_at = NULL, updated_at = $1, \
                 version = version + 1 WHERE status IN ({reopenable}) AND id IN ({list})"
            );
            let sql = numbered_params(&sql, self.wtx.engine());
            let mut q = sqlx::query(&sql).bind(self.now);
            for id in chunk {
                q = q.bind(*id);
            }
            self.report.statements += 1;
            reopened += q.execute(self.wtx.conn()).await?.rows_affected() as usize;
            let sql = format!(
                "UPDATE vulnerability_sightings SET last_seen = $1, last_import_id = $2 \
                 WHERE vulnerability_id IN ({})",
                placeholders(3, chunk.len())
            );
            let sql = numbered_params(&sql, self.wtx.engine());
            let mut q = sqlx::query(&sql).bind(self.now).bind(self.import_id);
            for id in chunk {
                q = q.bind(*id);
            }
            self.report.statements += 1;
            q.execute(self.wtx.conn()).await?;
        }
        // One a person moved out of "fixed" meanwhile is only seen again.
        self.report.reopened += reopened;
        self.report.seen_again += reopened_ids.len().saturating_sub(reopened);
        for chunk in new_rows.chunks(INSERT_ROWS) {
            self.insert(chunk).await?;
        }
        self.report.created += new_rows.len();
        Ok(())
    }

    /// The multi-row INSERT of `rows` rows, in the engine's parameters.
    fn insert_sql(&self, rows: usize) -> String {
        const COLUMNS: usize = 30;
        let mut sql = String::from(
            "INSERT INTO vulnerabilities (org_id, asset_id, fingerprint, source, scope_key, rule_id, \
             title, description, solution, host_key, host_label, port, package, fixed_version, \
             location, cves, cwes, cvss_vector, cvss_vectors, score_tenths, severity, evidence, \
             status, due_on, kev_added_on, kev_due_on, first_seen, first_import_id, created_at, \
             updated_at, version) VALUES ",
        );
        for i in 0..rows {
            if i > 0 {
                sql.push(',');
            }
            let base = i * COLUMNS;
            sql.push('(');
            for c in 1..=COLUMNS {
                if c > 1 {
                    sql.push(',');
                }
                sql.push('$');
                sql.push_str(&(base + c).to_string());
            }
            // The first version is 1.
            sql.push_str(",1)");
        }
        numbered_params(&sql, self.wtx.engine()).into_owned()
    }

    async fn insert(&mut self, chunk: &[Row_]) -> Result<()> {
        let sql = if chunk.len() == INSERT_ROWS {
            match self.insert_sql.take() {
                Some(sql) => sql,
                None => self.insert_sql(INSERT_ROWS),
            }
        } else {
            self.insert_sql(chunk.len())
        };
        let mut q = sqlx::query(&sql);
        for r in chunk {
            let f = &r.finding;
            let package = f.package.as_ref();
            q = q
                .bind(self.import.org_id)
                .bind(r.asset_id)
                .bind(&r.fingerprint)
                .bind(f.format.as_str())
                .bind(&r.scope_key)
                .bind(&f.rule_id)
                .bind(&f.title)
                .bind(f.description.as_deref().unwrap_or(""))
                .bind(f.solution.as_deref().unwrap_or(""))
                .bind(&r.host_key)
                .bind(&r.host_label)
                .bind(f.port.as_deref().unwrap_or(""))
                .bind(
                    package
                        .map(|p| match &p.installed_version {
                            Some(v) => format!("{} {v}", p.name),
                            None => p.name.clone(),
                        })
                        .unwrap_or_default(),
                )
                .bind(
                    package
                        .and_then(|p| p.fixed_version.clone())
                        .unwrap_or_default(),
                )
                .bind(f.location.as_deref().unwrap_or(""))
                .bind(f.cves.join(" "))
                .bind(f.cwes.join(" "))
                .bind(&r.cvss_vector)
                .bind(f.cvss.join("\n"))
                .bind(r.score_tenths)
                .bind(r.severity.as_str())
                .bind(f.evidence.as_deref().unwrap_or(""))
                .bind(VulnerabilityStatus::Open.as_str())
                .bind(r.due_on.as_deref())
                .bind(r.kev.as_ref().map(|k| k.0.clone()))
                .bind(r.kev.as_ref().and_then(|k| k.1.clone()))
                .bind(self.now)
                .bind(self.import_id)
                .bind(self.now)
                .bind(self.now);
        }
        self.report.statements += 1;
        q.execute(self.wtx.conn()).await?;
        if chunk.len() == INSERT_ROWS {
            self.insert_sql = Some(sql);
        }
        Ok(())
    }

    /// Ends the import: what the report covered (`covered`, its machines or targets; empty
    /// for a code scanner, whose scope is every finding of its format) and no longer found is
    /// marked fixed; the import's counts, the file's SHA-256 (known once it is read) and the
    /// audit entry are written; all is committed.
    pub async fn finish(
        mut self,
        covered: &[String],
        hosts: usize,
        file_sha256: &str,
    ) -> Result<ImportReport> {
        let org = self.import.org_id;
        let source = self.import.format.as_str();
        // The statuses the domain says a scan's silence fixes, as an SQL list of our own codes.
        let open = format!(
            "({})",
            status_list(VulnerabilityStatus::fixed_when_absent().iter().copied())
        );
        // The vulnerabilities this import created are seen by it: their sightings first, so
        // that the rule below finds them seen.
        self.report.statements += 1;
        sqlx::query(
            "INSERT INTO vulnerability_sightings (vulnerability_id, last_seen, last_import_id) \
             SELECT id, $1, $2 FROM vulnerabilities WHERE first_import_id = $2",
        )
        .bind(self.now)
        .bind(self.import_id)
        .execute(self.wtx.conn())
        .await?;
        // Not seen by this import: no sighting of it by this import.
        let unseen = " AND NOT EXISTS (SELECT 1 FROM vulnerability_sightings s \
                      WHERE s.vulnerability_id = vulnerabilities.id AND s.last_import_id = $2)";
        let scopes: Vec<Option<&[String]>> = if self.import.format.scope_is_whole_format() {
            vec![None]
        } else {
            covered.chunks(IN_LIST).map(Some).collect()
        };
        for chunk in scopes {
            let condition = match chunk {
                None => String::new(),
                Some(c) => format!(" AND scope_key IN ({})", placeholders(5, c.len())),
            };
            let history = format!(
                "INSERT INTO vulnerability_history (vulnerability_id, at, status, import_id, person_id, note) \
                 SELECT id, $1, 'fixed', $2, NULL, 'absent' FROM vulnerabilities \
                 WHERE org_id = $3 AND source = $4 AND status IN {open}{condition}{unseen}"
            );
            let history = numbered_params(&history, self.wtx.engine());
            let mut q = sqlx::query(&history)
                .bind(self.now)
                .bind(self.import_id)
                .bind(org)
                .bind(source);
            for s in chunk.unwrap_or_default() {
                q = q.bind(s);
            }
            self.report.statements += 1;
            q.execute(self.wtx.conn()).await?;
            let update = format!(
                "UPDATE vulnerabilities SET status = 'fixed', fixed_at = $1, updated_at = $1, \
                 version = version + 1 WHERE org_id = $3 AND source = $4 AND status IN {open}\
                 {condition}{unseen}"
            );
            let update = numbered_params(&update, self.wtx.engine());
            let mut q = sqlx::query(&update)
                .bind(self.now)
                .bind(self.import_id)
                .bind(org)
                .bind(source);
            for s in chunk.unwrap_or_default() {
                q = q.bind(s);
            }
            self.report.statements += 1;
            self.report.fixed += q.execute(self.wtx.conn()).await?.rows_affected() as usize;
        }

        self.report.statements += 1;
        sqlx::query(
            "INSERT INTO vulnerability_history (vulnerability_id, at, status, import_id, person_id, note) \
             SELECT id, $1, 'open', $2, NULL, 'created' FROM vulnerabilities WHERE first_import_id = $2",
        )
        .bind(self.now)
        .bind(self.import_id)
        .execute(self.wtx.conn())
        .await?;

        let mut unmatched: Vec<UnmatchedHost> = self.unmatched.drain().map(|(_, v)| v).collect();
        unmatched.sort_by(|a, b| {
            b.findings
                .cmp(&a.findings)
                .then(a.host_key.cmp(&b.host_key))
        });
        for chunk in unmatched.chunks(INSERT_ROWS) {
            let mut sql = String::from(
                "INSERT INTO scan_unmatched_hosts (import_id, host_key, host_label, findings) VALUES ",
            );
            for i in 0..chunk.len() {
                if i > 0 {
                    sql.push(',');
                }
                let b = i * 4;
                sql.push_str(&format!("(${},${},${},${})", b + 1, b + 2, b + 3, b + 4));
            }
            let sql = numbered_params(&sql, self.wtx.engine());
            let mut q = sqlx::query(&sql);
            for u in chunk {
                q = q
                    .bind(self.import_id)
                    .bind(&u.host_key)
                    .bind(&u.host_label)
                    .bind(u.findings as i64);
            }
            self.report.statements += 1;
            q.execute(self.wtx.conn()).await?;
        }
        self.report.unmatched_hosts = unmatched;
        self.report.hosts = hosts;
        self.report.cves = self.cves.len();

        self.report.statements += 1;
        let r = &self.report;
        sqlx::query(
            "UPDATE scan_imports SET findings = $1, informational = $2, hosts = $3, cves = $4, \
             created_count = $5, seen_again_count = $6, fixed_count = $7, reopened_count = $8, \
             unmatched_hosts = $9, file_sha256 = $10 WHERE id = $11",
        )
        .bind(r.findings as i64)
        .bind(r.informational as i64)
        .bind(r.hosts as i64)
        .bind(r.cves as i64)
        .bind(r.created as i64)
        .bind(r.seen_again as i64)
        .bind(r.fixed as i64)
        .bind(r.reopened as i64)
        .bind(r.unmatched_hosts.len() as i64)
        .bind(file_sha256)
        .bind(self.import_id)
        .execute(self.wtx.conn())
        .await?;

        let after = serde_json::json!({
            "format": source,
            "file_name": self.import.file_name,
            "file_sha256": file_sha256,
            "findings": r.findings,
            "informational": r.informational,
            "created": r.created,
            "seen_again": r.seen_again,
            "fixed": r.fixed,
            "reopened": r.reopened,
            "unmatched_hosts": r.unmatched_hosts.len(),
        });
        self.report.statements += 2;
        self.wtx
            .audit(Change {
                org_id: Some(org),
                action: "scan.import",
                entity_type: "scan_import",
                entity_id: self.import_id.to_string(),
                before: None,
                after: Some(after),
            })
            .await?;
        if self.wtx.engine() == crate::Engine::Sqlite {
            self.report.statements += 1;
            sqlx::query("PRAGMA cache_size = -16384")
                .execute(self.wtx.conn())
                .await?;
        }
        let report = self.report.clone();
        self.wtx.commit().await?;
        Ok(report)
    }
}

/// A finding kept by the first pass over a batch, before the store says whether it is known.
struct Pending {
    fingerprint: String,
    finding: Finding,
    severity: Severity,
    /// Scored already when the scanner gave no severity; else scored for a new row only.
    scored: Option<Arc<cvss::CvssScore>>,
    asset: Option<(i64, bool)>,
}

/// The name a finding's machine or target is shown by.
fn host_label_of(f: &Finding) -> String {
    f.host
        .name
        .clone()
        .or_else(|| f.host.fqdn.clone())
        .or_else(|| f.host.ip.clone())
        .or_else(|| f.target.clone())
        .unwrap_or_default()
}

struct Row_ {
    /// Added to CISA's catalogue on, due on.
    kev: Option<(String, Option<String>)>,
    fingerprint: String,
    asset_id: Option<i64>,
    scope_key: String,
    host_key: String,
    host_label: String,
    severity: Severity,
    score_tenths: Option<i64>,
    cvss_vector: String,
    due_on: Option<String>,
    finding: Finding,
}

fn scope_for(scope: Scope) -> Scope {
    match scope {
        Scope::Person { person_id, .. } => Scope::new(person_id, Permission::VulnerabilityImport),
        Scope::LocalAdministrator => Scope::LocalAdministrator,
    }
}

/// Statuses the domain names, as an SQL list of our own codes (never text from a request).
fn status_list(statuses: impl Iterator<Item = VulnerabilityStatus>) -> String {
    statuses
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(",")
}
