//! The inventory of information assets (ASSET-01, ASSET-02): assets with their hosting,
//! personal information, identifiers and dependencies, and their classification with its
//! history. Reads carry the caller's scope; changes go through a `WriteTx` and are audited.

use chrono::NaiveDate;
use rempart_domain::asset::{
    check_dependency, AssetInput, AssetKind, Hosting, Identifier, PersonalInformation,
};
use rempart_domain::authz::Permission;
use rempart_domain::classification::{check_classifier, AssetFacts, Dic, Scale};
use rempart_domain::{FieldError, ValidationErrors};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::dialect::{contains_ci, escape_like};
use crate::error::{Result, StoreError};
use crate::list::{Page, PageRequest};
use crate::orgs::{bind_all, Bind};
use crate::scope::Scope;
use crate::store::Store;
use crate::views::Kept;
use crate::write::{snapshot, Change, WriteTx};

/// An asset as lists and detail pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Asset {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_slug: String,
    pub kind: String,
    pub name: String,
    pub description: String,
    pub holder_id: i64,
    pub holder_name: String,
    pub holder_email: String,
    /// The holder still holds the holder role in the asset's organization.
    pub holder_designated: bool,
    pub hosting: String,
    pub hosting_provider: String,
    pub hosting_locations: Vec<String>,
    pub outside_quebec: bool,
    pub personal_info: bool,
    pub sensitive_info: bool,
    pub end_of_support: Option<String>,
    pub retention_rule: String,
    pub availability: Option<i64>,
    pub integrity: Option<i64>,
    pub confidentiality: Option<i64>,
    pub classified_on: Option<String>,
    pub review_due: Option<String>,
    pub archived_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

impl Asset {
    pub fn dic(&self) -> Option<Dic> {
        let level = |v: Option<i64>| v.and_then(|n| u8::try_from(n).ok());
        Some(Dic {
            availability: level(self.availability)?,
            integrity: level(self.integrity)?,
            confidentiality: level(self.confidentiality)?,
        })
    }

    fn date(value: &Option<String>) -> Option<NaiveDate> {
        value
            .as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    }

    pub fn review_due_date(&self) -> Option<NaiveDate> {
        Self::date(&self.review_due)
    }

    pub fn end_of_support_date(&self) -> Option<NaiveDate> {
        Self::date(&self.end_of_support)
    }
}

/// Whether the holder of `a` holds the holder role on the asset's organization, on an active
/// account: the one condition written once for lists, details and counts.
const HOLDER_DESIGNATED: &str = "EXISTS (SELECT 1 FROM role_grants hg JOIN persons hp \
    ON hp.id = hg.person_id WHERE hg.person_id = a.holder_id AND hg.org_id = a.org_id \
    AND hg.role = 'Holder' AND hp.disabled_at IS NULL)";

pub(crate) fn select() -> String {
    format!(
        "SELECT a.id, a.org_id, o.name AS org_name, o.slug AS org_slug, a.kind, a.name, \
         a.description, a.holder_id, h.name AS holder_name, h.email AS holder_email, CASE WHEN {HOLDER_DESIGNATED} THEN 1 ELSE 0 END AS holder_designated, \
         a.hosting, a.hosting_provider, a.hosting_locations, a.outside_quebec, a.personal_info, \
         a.sensitive_info, a.end_of_support, a.retention_rule, a.availability, a.integrity, \
         a.confidentiality, a.classified_on, a.review_due, a.archived_at, a.created_at, \
         a.updated_at, a.version \
         FROM assets a JOIN organizations o ON o.id = a.org_id JOIN persons h ON h.id = a.holder_id"
    )
}

pub(crate) fn from_row(row: &AnyRow) -> Result<Asset> {
    let locations: String = row.try_get("hosting_locations")?;
    let flag = |name: &str| -> Result<bool> { Ok(row.try_get::<i64, _>(name)? != 0) };
    Ok(Asset {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        org_name: row.try_get("org_name")?,
        org_slug: row.try_get("org_slug")?,
        kind: row.try_get("kind")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        holder_id: row.try_get("holder_id")?,
        holder_name: row.try_get("holder_name")?,
        holder_email: row.try_get("holder_email")?,
        holder_designated: flag("holder_designated")?,
        hosting: row.try_get("hosting")?,
        hosting_provider: row.try_get("hosting_provider")?,
        hosting_locations: locations
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        outside_quebec: flag("outside_quebec")?,
        personal_info: flag("personal_info")?,
        sensitive_info: flag("sensitive_info")?,
        end_of_support: row.try_get("end_of_support")?,
        retention_rule: row.try_get("retention_rule")?,
        availability: row.try_get("availability")?,
        integrity: row.try_get("integrity")?,
        confidentiality: row.try_get("confidentiality")?,
        classified_on: row.try_get("classified_on")?,
        review_due: row.try_get("review_due")?,
        archived_at: row.try_get("archived_at")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        version: row.try_get("version")?,
    })
}

/// The asset's row as the audit trail records it: what was given, not what was derived.
#[derive(Serialize)]
struct AuditedAsset<'a> {
    org_id: i64,
    kind: &'a str,
    name: &'a str,
    description: &'a str,
    holder_id: i64,
    hosting: &'a str,
    hosting_provider: &'a str,
    hosting_locations: &'a [String],
    outside_quebec: bool,
    personal_info: bool,
    sensitive_info: bool,
    end_of_support: Option<String>,
    retention_rule: &'a str,
    identifiers: Vec<String>,
}

fn audited(input: &AssetInput) -> Option<serde_json::Value> {
    snapshot(&AuditedAsset {
        org_id: input.org_id,
        kind: input.kind.as_str(),
        name: &input.name,
        description: &input.description,
        holder_id: input.holder_id,
        hosting: input.hosting.kind.as_str(),
        hosting_provider: &input.hosting.provider,
        hosting_locations: &input.hosting.locations,
        outside_quebec: input.hosting.outside_quebec,
        personal_info: input.personal.held,
        sensitive_info: input.personal.sensitive,
        end_of_support: input.end_of_support.map(|d| d.to_string()),
        retention_rule: &input.retention_rule,
        identifiers: input
            .identifiers
            .iter()
            .map(|i| format!("{}:{}", i.kind.as_str(), i.value))
            .collect(),
    })
}

fn manage_scope(scope: Scope) -> Scope {
    match scope {
        Scope::Person { person_id, .. } => Scope::new(person_id, Permission::AssetManage),
        other => other,
    }
}

/// The organization must be one the caller manages assets in, and active; the holder must
/// hold the holder role there (seed 000: a holder is designated for the unit's information).
async fn check_placement(
    wtx: &mut WriteTx,
    scope: Scope,
    org_id: i64,
    holder_id: i64,
) -> Result<()> {
    let org_ok: i64 = sqlx::query(&format!(
        "SELECT COUNT(*) AS n FROM organizations o WHERE o.id = $1 AND o.archived_at IS NULL AND {}",
        manage_scope(scope).condition("o.id")
    ))
    .bind(org_id)
    .fetch_one(wtx.conn())
    .await?
    .try_get("n")?;
    if org_ok == 0 {
        return Err(ValidationErrors::single(FieldError::new("org_id", "error-not-found")).into());
    }
    let holder_ok: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM role_grants g JOIN persons p ON p.id = g.person_id \
         WHERE g.person_id = $1 AND g.org_id = $2 AND g.role = 'Holder' AND p.disabled_at IS NULL",
    )
    .bind(holder_id)
    .bind(org_id)
    .fetch_one(wtx.conn())
    .await?
    .try_get("n")?;
    if holder_ok == 0 {
        return Err(ValidationErrors::single(FieldError::new(
            "holder_id",
            "error-holder-not-designated",
        ))
        .into());
    }
    Ok(())
}

async fn write_identifiers(wtx: &mut WriteTx, asset_id: i64, ids: &[Identifier]) -> Result<()> {
    sqlx::query("DELETE FROM asset_identifiers WHERE asset_id = $1")
        .bind(asset_id)
        .execute(wtx.conn())
        .await?;
    for identifier in ids {
        sqlx::query("INSERT INTO asset_identifiers (asset_id, kind, value) VALUES ($1, $2, $3)")
            .bind(asset_id)
            .bind(identifier.kind.as_str())
            .bind(&identifier.value)
            .execute(wtx.conn())
            .await?;
    }
    Ok(())
}

/// The thirteen columns an asset's input fills, bound in the order every statement here lists
/// them: org_id, kind, name, description, holder_id, hosting, hosting_provider,
/// hosting_locations, outside_quebec, personal_info, sensitive_info, end_of_support,
/// retention_rule.
trait BindInput<'q> {
    fn bind_input(self, input: &'q AssetInput) -> Self;
}

impl<'q> BindInput<'q> for sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    fn bind_input(self, input: &'q AssetInput) -> Self {
        self.bind(input.org_id)
            .bind(input.kind.as_str())
            .bind(&input.name)
            .bind(&input.description)
            .bind(input.holder_id)
            .bind(input.hosting.kind.as_str())
            .bind(&input.hosting.provider)
            .bind(input.hosting.locations.join("\n"))
            .bind(i64::from(input.hosting.outside_quebec))
            .bind(i64::from(input.personal.held))
            .bind(i64::from(input.personal.sensitive))
            .bind(input.end_of_support.map(|d| d.to_string()))
            .bind(&input.retention_rule)
    }
}

/// Creates an asset; audited as `asset.create`.
pub async fn create(wtx: &mut WriteTx, scope: Scope, input: AssetInput) -> Result<i64> {
    let input = input.check()?;
    check_placement(wtx, scope, input.org_id, input.holder_id).await?;
    insert_checked(wtx, &input).await
}

/// Inserts an asset whose input and placement were checked by the caller (an import checks a
/// whole file at once); audited as `asset.create`.
pub(crate) async fn insert_checked(wtx: &mut WriteTx, input: &AssetInput) -> Result<i64> {
    let now = wtx.now();
    let row = sqlx::query(
        "INSERT INTO assets (org_id, kind, name, description, holder_id, hosting, hosting_provider, \
         hosting_locations, outside_quebec, personal_info, sensitive_info, end_of_support, \
         retention_rule, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, 1) RETURNING id",
    )
    .bind_input(input)
    .bind(now)
    .fetch_one(wtx.conn())
    .await
    .map_err(|e| StoreError::from(e).unique_as("name"))?;
    let id: i64 = row.try_get("id")?;
    write_identifiers(wtx, id, &input.identifiers).await?;
    wtx.audit(Change {
        org_id: Some(input.org_id),
        action: "asset.create",
        entity_type: "asset",
        entity_id: id.to_string(),
        before: None,
        after: audited(input),
    })
    .await?;
    Ok(id)
}

/// Inserts many checked assets (an import): rows, identifiers and audit entries fifty at a
/// time, the size that measured best (see [`WriteTx::audit_batch`]). The same records and
/// trail as [`insert_checked`] one by one.
pub(crate) async fn insert_batch(wtx: &mut WriteTx, inputs: &[AssetInput]) -> Result<()> {
    let now = wtx.now();
    for chunk in inputs.chunks(50) {
        let placeholders: Vec<String> = (0..chunk.len())
            .map(|r| {
                let b = r * 13;
                let p: Vec<String> = (1..=13).map(|k| format!("${}", b + k)).collect();
                format!("({}, {now}, {now}, 1)", p.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO assets (org_id, kind, name, description, holder_id, hosting, \
             hosting_provider, hosting_locations, outside_quebec, personal_info, sensitive_info, \
             end_of_support, retention_rule, created_at, updated_at, version) VALUES {} \
             RETURNING id, org_id, name",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for input in chunk {
            query = query.bind_input(input);
        }
        let rows = query
            .fetch_all(wtx.conn())
            .await
            .map_err(|e| StoreError::from(e).unique_as("name"))?;
        // Matched by unit and name (unique), whatever order the rows come back in.
        let mut ids = std::collections::HashMap::with_capacity(rows.len());
        for row in &rows {
            let org: i64 = row.try_get("org_id")?;
            let name: String = row.try_get("name")?;
            ids.insert((org, name), row.try_get::<i64, _>("id")?);
        }
        let mut identifier_rows: Vec<(i64, &Identifier)> = Vec::new();
        let mut changes = Vec::with_capacity(chunk.len());
        for input in chunk {
            let id = *ids
                .get(&(input.org_id, input.name.clone()))
                .ok_or(StoreError::NotFound)?;
            identifier_rows.extend(input.identifiers.iter().map(|i| (id, i)));
            changes.push(Change {
                org_id: Some(input.org_id),
                action: "asset.create",
                entity_type: "asset",
                entity_id: id.to_string(),
                before: None,
                after: audited(input),
            });
        }
        for ids_chunk in identifier_rows.chunks(200) {
            let placeholders: Vec<String> = (0..ids_chunk.len())
                .map(|r| format!("(${}, ${}, ${})", r * 3 + 1, r * 3 + 2, r * 3 + 3))
                .collect();
            let sql = format!(
                "INSERT INTO asset_identifiers (asset_id, kind, value) VALUES {}",
                placeholders.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for (id, identifier) in ids_chunk {
                query = query
                    .bind(*id)
                    .bind(identifier.kind.as_str())
                    .bind(&identifier.value);
            }
            query.execute(wtx.conn()).await?;
        }
        wtx.audit_batch(changes).await?;
    }
    Ok(())
}

/// The input that would recreate an asset as it is: what an update starts from.
pub async fn input_of(store: &Store, asset: &Asset) -> Result<AssetInput> {
    Ok(AssetInput {
        identifiers: identifiers(store, asset.id).await?,
        ..input_from(asset)
    })
}

/// Changes an asset the caller manages, if it is still at `expected_version`; audited as
/// `asset.update` with the values before and after.
pub async fn update(
    wtx: &mut WriteTx,
    scope: Scope,
    id: i64,
    expected_version: Option<i64>,
    input: AssetInput,
) -> Result<()> {
    let input = input.check()?;
    let before = get_in(wtx, manage_scope(scope), id).await?;
    if expected_version.is_some_and(|v| v != before.version) {
        return Err(StoreError::Stale);
    }
    check_placement(wtx, scope, input.org_id, input.holder_id).await?;
    let before_identifiers = identifiers_in(wtx, id).await?;
    let before_input = AssetInput {
        identifiers: before_identifiers,
        ..input_from(&before)
    };
    update_checked(wtx, id, before.version, &before_input, &input).await
}

/// Replaces an asset with a checked input, if still at `version`; audited as `asset.update`
/// with `before` and the new values.
pub(crate) async fn update_checked(
    wtx: &mut WriteTx,
    id: i64,
    version: i64,
    before: &AssetInput,
    input: &AssetInput,
) -> Result<()> {
    let changed = sqlx::query(
        "UPDATE assets SET org_id = $1, kind = $2, name = $3, description = $4, holder_id = $5, \
         hosting = $6, hosting_provider = $7, hosting_locations = $8, outside_quebec = $9, \
         personal_info = $10, sensitive_info = $11, end_of_support = $12, retention_rule = $13, \
         updated_at = $14, version = version + 1 WHERE id = $15 AND version = $16",
    )
    .bind_input(input)
    .bind(wtx.now())
    .bind(id)
    .bind(version)
    .execute(wtx.conn())
    .await
    .map_err(|e| StoreError::from(e).unique_as("name"))?
    .rows_affected();
    if changed == 0 {
        return Err(StoreError::Stale);
    }
    write_identifiers(wtx, id, &input.identifiers).await?;
    wtx.audit(Change {
        org_id: Some(input.org_id),
        action: "asset.update",
        entity_type: "asset",
        entity_id: id.to_string(),
        before: audited(before),
        after: audited(input),
    })
    .await?;
    Ok(())
}

pub(crate) fn input_from(asset: &Asset) -> AssetInput {
    AssetInput {
        org_id: asset.org_id,
        kind: AssetKind::parse("kind", &asset.kind).unwrap_or(AssetKind::InformationSystem),
        name: asset.name.clone(),
        description: asset.description.clone(),
        holder_id: asset.holder_id,
        hosting: Hosting {
            kind: rempart_domain::asset::HostingKind::parse("hosting", &asset.hosting)
                .unwrap_or(rempart_domain::asset::HostingKind::OwnDataCentre),
            provider: asset.hosting_provider.clone(),
            locations: asset.hosting_locations.clone(),
            outside_quebec: asset.outside_quebec,
        },
        personal: PersonalInformation::new(asset.personal_info, asset.sensitive_info),
        end_of_support: asset.end_of_support_date(),
        retention_rule: asset.retention_rule.clone(),
        identifiers: Vec::new(),
    }
}

/// Archives an asset (it leaves lists and counts; its history stays); audited.
pub async fn archive(wtx: &mut WriteTx, scope: Scope, id: i64) -> Result<()> {
    let asset = get_in(wtx, manage_scope(scope), id).await?;
    if asset.archived_at.is_some() {
        return Ok(());
    }
    let now = wtx.now();
    sqlx::query(
        "UPDATE assets SET archived_at = $1, updated_at = $1, version = version + 1 WHERE id = $2",
    )
    .bind(now)
    .bind(id)
    .execute(wtx.conn())
    .await?;
    wtx.audit(Change {
        org_id: Some(asset.org_id),
        action: "asset.archive",
        entity_type: "asset",
        entity_id: id.to_string(),
        before: None,
        after: Some(serde_json::json!({ "archived_at": now })),
    })
    .await?;
    Ok(())
}

/// One asset within `scope`, read on the pool or inside a change.
async fn get_with<'c, E>(executor: E, scope: Scope, id: i64) -> Result<Asset>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let sql = format!(
        "{} WHERE a.id = $1 AND {}",
        select(),
        scope.condition("a.org_id")
    );
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(executor)
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(&row)
}

async fn get_in(wtx: &mut WriteTx, scope: Scope, id: i64) -> Result<Asset> {
    get_with(wtx.conn(), scope, id).await
}

/// One asset the caller may see (`AssetRead`, or whatever permission `scope` names).
pub async fn get(store: &Store, scope: Scope, id: i64) -> Result<Asset> {
    get_with(&store.pool, scope, id).await
}

/// An asset's identifiers, read on the pool or inside a change.
async fn identifiers_with<'c, E>(executor: E, asset_id: i64) -> Result<Vec<Identifier>>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let rows = sqlx::query(
        "SELECT kind, value FROM asset_identifiers WHERE asset_id = $1 ORDER BY kind, value",
    )
    .bind(asset_id)
    .fetch_all(executor)
    .await?;
    identifiers_from(&rows)
}

pub async fn identifiers(store: &Store, asset_id: i64) -> Result<Vec<Identifier>> {
    identifiers_with(&store.pool, asset_id).await
}

/// The identifiers of every asset the caller may see, by asset: what an export writes.
pub async fn identifiers_in_scope(
    store: &Store,
    scope: Scope,
) -> Result<std::collections::HashMap<i64, Vec<Identifier>>> {
    let sql = format!(
        "SELECT i.asset_id, i.kind, i.value FROM asset_identifiers i JOIN assets a \
         ON a.id = i.asset_id WHERE {} ORDER BY i.asset_id, i.kind, i.value",
        scope.condition("a.org_id")
    );
    let rows = sqlx::query(&sql).fetch_all(&store.pool).await?;
    let mut out: std::collections::HashMap<i64, Vec<Identifier>> = Default::default();
    for row in &rows {
        let asset: i64 = row.try_get("asset_id")?;
        out.entry(asset)
            .or_default()
            .extend(identifiers_from(std::slice::from_ref(row))?);
    }
    Ok(out)
}

async fn identifiers_in(wtx: &mut WriteTx, asset_id: i64) -> Result<Vec<Identifier>> {
    identifiers_with(wtx.conn(), asset_id).await
}

fn identifiers_from(rows: &[AnyRow]) -> Result<Vec<Identifier>> {
    let mut out = Vec::new();
    for row in rows {
        let kind: String = row.try_get("kind")?;
        let value: String = row.try_get("value")?;
        if let Ok(kind) = rempart_domain::asset::IdentifierKind::parse("kind", &kind) {
            out.push(Identifier { kind, value });
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- lists

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AssetSort {
    #[default]
    Name,
    Kind,
    Organization,
    ReviewDue,
    Updated,
}

impl AssetSort {
    pub fn parse(value: &str) -> Option<AssetSort> {
        match value {
            "name" => Some(AssetSort::Name),
            "kind" => Some(AssetSort::Kind),
            "organization" => Some(AssetSort::Organization),
            "review_due" => Some(AssetSort::ReviewDue),
            "updated" => Some(AssetSort::Updated),
            _ => None,
        }
    }

    fn column(self) -> &'static str {
        match self {
            AssetSort::Name => "a.name",
            AssetSort::Kind => "a.kind",
            AssetSort::Organization => "o.name",
            AssetSort::ReviewDue => "a.review_due",
            AssetSort::Updated => "a.updated_at",
        }
    }
}

/// Conditions an asset list can be narrowed by. Flags are evaluated on `today`.
#[derive(Debug, Clone, Default)]
pub struct AssetFilter {
    pub text: Option<String>,
    pub kind: Option<AssetKind>,
    /// Within this organization's subtree.
    pub within: Option<i64>,
    pub holder_id: Option<i64>,
    pub unclassified: bool,
    pub review_overdue: bool,
    pub past_end_of_support: bool,
    pub outside_quebec: bool,
    pub personal_info: bool,
    pub without_holder: bool,
    pub include_archived: bool,
}

impl AssetFilter {
    /// The flags a list can be narrowed by, as the pages and the API name them.
    pub const FLAGS: [&'static str; 6] = [
        "unclassified",
        "review_overdue",
        "past_end_of_support",
        "outside_quebec",
        "personal_info",
        "without_holder",
    ];

    /// Narrows the filter to the flag named `flag` (none when empty); `None` for a name that
    /// is not one of [`AssetFilter::FLAGS`].
    pub fn with_flag(mut self, flag: &str) -> Option<AssetFilter> {
        match flag.trim() {
            "" => {}
            "unclassified" => self.unclassified = true,
            "review_overdue" => self.review_overdue = true,
            "past_end_of_support" => self.past_end_of_support = true,
            "outside_quebec" => self.outside_quebec = true,
            "personal_info" => self.personal_info = true,
            "without_holder" => self.without_holder = true,
            _ => return None,
        }
        Some(self)
    }
}

pub async fn list(
    store: &Store,
    scope: Scope,
    filter: &AssetFilter,
    today: NaiveDate,
    page: &PageRequest<AssetSort>,
) -> Result<Page<Asset>> {
    let mut conditions = vec![scope.condition("a.org_id")];
    let mut binds: Vec<Bind> = Vec::new();
    if let Some(text) = filter.text.as_deref().filter(|t| !t.trim().is_empty()) {
        binds.push(Bind::Text(escape_like(text.trim())));
        let n = binds.len();
        conditions.push(format!(
            "({} OR {})",
            contains_ci(store.engine(), "a.name", &format!("${n}")),
            contains_ci(store.engine(), "a.description", &format!("${n}"))
        ));
    }
    if let Some(kind) = filter.kind {
        binds.push(Bind::Text(kind.as_str().to_owned()));
        conditions.push(format!("a.kind = ${}", binds.len()));
    }
    if let Some(within) = filter.within {
        binds.push(Bind::Int(within));
        conditions.push(format!(
            "a.org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = ${})",
            binds.len()
        ));
    }
    if let Some(holder) = filter.holder_id {
        binds.push(Bind::Int(holder));
        conditions.push(format!("a.holder_id = ${}", binds.len()));
    }
    let today_text = today.to_string();
    if filter.unclassified {
        conditions.push("a.availability IS NULL".to_owned());
    }
    if filter.review_overdue {
        binds.push(Bind::Text(today_text.clone()));
        conditions.push(format!("a.review_due < ${}", binds.len()));
    }
    if filter.past_end_of_support {
        binds.push(Bind::Text(today_text));
        conditions.push(format!("a.end_of_support < ${}", binds.len()));
    }
    if filter.outside_quebec {
        conditions.push("a.outside_quebec = 1".to_owned());
    }
    if filter.personal_info {
        conditions.push("a.personal_info = 1".to_owned());
    }
    if filter.without_holder {
        conditions.push(format!("NOT {HOLDER_DESIGNATED}"));
    }
    if !filter.include_archived {
        conditions.push("a.archived_at IS NULL".to_owned());
    }
    let where_clause = conditions.join(" AND ");
    let count_sql = format!(
        "SELECT COUNT(*) AS n FROM assets a JOIN organizations o ON o.id = a.org_id \
         WHERE {where_clause}"
    );
    let total: i64 = bind_all(sqlx::query(&count_sql), &binds)
        .fetch_one(&store.pool)
        .await?
        .try_get("n")?;
    let sql = format!(
        "{} WHERE {where_clause} ORDER BY {} {}, a.id LIMIT {} OFFSET {}",
        select(),
        page.sort.column(),
        page.direction(),
        page.limit,
        page.offset
    );
    let rows = bind_all(sqlx::query(&sql), &binds)
        .fetch_all(&store.pool)
        .await?;
    Ok(Page {
        items: rows.iter().map(from_row).collect::<Result<Vec<_>>>()?,
        total,
        limit: page.limit,
        offset: page.offset,
    })
}

// ---------------------------------------------------------------- dependencies

/// Another asset at one end of a dependency, with what its flags need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Related {
    pub id: i64,
    pub name: String,
    pub org_name: String,
    pub availability: Option<i64>,
    pub integrity: Option<i64>,
    pub confidentiality: Option<i64>,
    /// Whether the caller may open it (it may sit in another organization).
    pub visible: bool,
}

impl Related {
    pub fn dic(&self) -> Option<Dic> {
        let level = |v: Option<i64>| v.and_then(|n| u8::try_from(n).ok());
        Some(Dic {
            availability: level(self.availability)?,
            integrity: level(self.integrity)?,
            confidentiality: level(self.confidentiality)?,
        })
    }
}

async fn related(
    store: &Store,
    scope: Scope,
    sql_join: &str,
    asset_id: i64,
) -> Result<Vec<Related>> {
    let sql = format!(
        "SELECT r.id, r.name, o.name AS org_name, r.availability, r.integrity, r.confidentiality, \
         CASE WHEN {} THEN 1 ELSE 0 END AS visible \
         FROM asset_dependencies d {sql_join} JOIN organizations o ON o.id = r.org_id \
         WHERE r.archived_at IS NULL ORDER BY r.name, r.id",
        scope.condition("r.org_id")
    );
    let rows = sqlx::query(&sql)
        .bind(asset_id)
        .fetch_all(&store.pool)
        .await?;
    rows.iter()
        .map(|row| {
            Ok(Related {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                org_name: row.try_get("org_name")?,
                availability: row.try_get("availability")?,
                integrity: row.try_get("integrity")?,
                confidentiality: row.try_get("confidentiality")?,
                visible: row.try_get::<i64, _>("visible")? != 0,
            })
        })
        .collect()
}

/// What an asset runs on.
pub async fn components(store: &Store, scope: Scope, asset_id: i64) -> Result<Vec<Related>> {
    related(
        store,
        scope,
        "JOIN assets r ON r.id = d.depends_on_id AND d.asset_id = $1",
        asset_id,
    )
    .await
}

/// What runs on an asset.
pub async fn dependents(store: &Store, scope: Scope, asset_id: i64) -> Result<Vec<Related>> {
    related(
        store,
        scope,
        "JOIN assets r ON r.id = d.asset_id AND d.depends_on_id = $1",
        asset_id,
    )
    .await
}

/// Records that `asset_id` runs on `on_id`. The caller manages the asset and may see the
/// component; a dependency that would close a cycle is refused.
pub async fn add_dependency(
    wtx: &mut WriteTx,
    scope: Scope,
    asset_id: i64,
    on_id: i64,
) -> Result<()> {
    let asset = get_in(wtx, manage_scope(scope), asset_id).await?;
    let read = match scope {
        Scope::Person { person_id, .. } => Scope::new(person_id, Permission::AssetRead),
        other => other,
    };
    let on = match get_in(wtx, read, on_id).await {
        Ok(on) if on.archived_at.is_none() => on,
        Ok(_) | Err(StoreError::NotFound) => {
            return Err(ValidationErrors::single(FieldError::new(
                "depends_on_id",
                "error-not-found",
            ))
            .into())
        }
        Err(e) => return Err(e),
    };
    // Does `on` already reach `asset`, following what each runs on?
    let reaches: Option<i64> = sqlx::query_scalar(
        "WITH RECURSIVE reach(id) AS ( \
           SELECT depends_on_id FROM asset_dependencies WHERE asset_id = $1 \
           UNION SELECT d.depends_on_id FROM asset_dependencies d JOIN reach r ON d.asset_id = r.id) \
         SELECT id FROM reach WHERE id = $2 LIMIT 1",
    )
    .bind(on_id)
    .bind(asset_id)
    .fetch_optional(wtx.conn())
    .await?;
    check_dependency(asset_id, on_id, reaches.is_some())
        .map_err(|e| ValidationErrors::single(FieldError::new("depends_on_id", e.code())))?;
    sqlx::query(
        "INSERT INTO asset_dependencies (asset_id, depends_on_id, created_at) VALUES ($1, $2, $3)",
    )
    .bind(asset_id)
    .bind(on_id)
    .bind(wtx.now())
    .execute(wtx.conn())
    .await
    .map_err(|e| StoreError::from(e).unique_as("depends_on_id"))?;
    wtx.audit(Change {
        org_id: Some(asset.org_id),
        action: "asset.dependency_add",
        entity_type: "asset",
        entity_id: asset_id.to_string(),
        before: None,
        after: Some(serde_json::json!({ "depends_on_id": on_id, "depends_on": on.name })),
    })
    .await?;
    Ok(())
}

pub async fn remove_dependency(
    wtx: &mut WriteTx,
    scope: Scope,
    asset_id: i64,
    on_id: i64,
) -> Result<()> {
    let asset = get_in(wtx, manage_scope(scope), asset_id).await?;
    let removed =
        sqlx::query("DELETE FROM asset_dependencies WHERE asset_id = $1 AND depends_on_id = $2")
            .bind(asset_id)
            .bind(on_id)
            .execute(wtx.conn())
            .await?
            .rows_affected();
    if removed == 0 {
        return Err(StoreError::NotFound);
    }
    wtx.audit(Change {
        org_id: Some(asset.org_id),
        action: "asset.dependency_remove",
        entity_type: "asset",
        entity_id: asset_id.to_string(),
        before: Some(serde_json::json!({ "depends_on_id": on_id })),
        after: None,
    })
    .await?;
    Ok(())
}

/// What the flags of one asset are computed from.
pub async fn facts(store: &Store, scope: Scope, asset: &Asset) -> Result<AssetFacts> {
    let components = components(store, scope, asset.id).await?;
    let dependents = dependents(store, scope, asset.id).await?;
    Ok(AssetFacts {
        classification: asset.dic().zip(asset.review_due_date()),
        outside_quebec: asset.outside_quebec,
        end_of_support: asset.end_of_support_date(),
        holder_designated: asset.holder_designated,
        components: components.iter().map(|r| (r.id, r.dic())).collect(),
        dependents: dependents.iter().map(|r| (r.id, r.dic())).collect(),
    })
}

// ---------------------------------------------------------------- classification

/// One classification of the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClassificationEntry {
    pub id: i64,
    pub availability: i64,
    pub integrity: i64,
    pub confidentiality: i64,
    pub classified_by: i64,
    pub classified_by_name: String,
    pub classified_at: i64,
    pub classified_on: String,
    pub review_due: String,
    pub justification: String,
}

/// An asset row's levels (availability, integrity, confidentiality), as
/// `Scale::is_top_level` reads them.
pub(crate) fn levels_of(row: &sqlx::any::AnyRow) -> Result<[Option<i64>; 3]> {
    Ok([
        row.try_get("availability")?,
        row.try_get("integrity")?,
        row.try_get("confidentiality")?,
    ])
}

/// The scale that applies to an organization: its own, or its nearest ancestor's, or the
/// default.
pub async fn scale_for(store: &Store, org_id: i64) -> Result<Scale> {
    let row = sqlx::query(
        "SELECT s.levels_json, s.review_months FROM org_closure c \
         JOIN classification_scales s ON s.org_id = c.ancestor_id \
         WHERE c.descendant_id = $1 ORDER BY c.depth LIMIT 1",
    )
    .bind(org_id)
    .fetch_optional(&store.pool)
    .await?;
    let Some(row) = row else {
        return Ok(Scale::default());
    };
    let levels: String = row.try_get("levels_json")?;
    let review_months: i64 = row.try_get("review_months")?;
    Ok(Scale {
        levels: serde_json::from_str(&levels).unwrap_or_else(|_| Scale::default().levels),
        review_months: u32::try_from(review_months).unwrap_or(12),
    })
}

/// Whether the organization has a scale of its own (not inherited).
pub async fn has_own_scale(store: &Store, org_id: i64) -> Result<bool> {
    Ok(
        sqlx::query("SELECT org_id FROM classification_scales WHERE org_id = $1")
            .bind(org_id)
            .fetch_optional(&store.pool)
            .await?
            .is_some(),
    )
}

/// Sets an organization's scale (for it and the organizations below that have none);
/// audited. A scale whose levels are fewer than a level already given below is refused.
pub async fn set_scale(wtx: &mut WriteTx, scope: Scope, org_id: i64, scale: &Scale) -> Result<()> {
    scale
        .check()
        .map_err(|e| StoreError::Invalid(ValidationErrors::single(e)))?;
    let manage = match scope {
        Scope::Person { person_id, .. } => Scope::new(person_id, Permission::ScaleManage),
        other => other,
    };
    let ok: i64 = sqlx::query(&format!(
        "SELECT COUNT(*) AS n FROM organizations o WHERE o.id = $1 AND {}",
        manage.condition("o.id")
    ))
    .bind(org_id)
    .fetch_one(wtx.conn())
    .await?
    .try_get("n")?;
    if ok == 0 {
        return Err(StoreError::NotFound);
    }
    let highest_used: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(CASE WHEN a.availability >= a.integrity AND a.availability >= a.confidentiality \
         THEN a.availability WHEN a.integrity >= a.confidentiality THEN a.integrity \
         ELSE a.confidentiality END) FROM assets a \
         WHERE a.org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = $1)",
    )
    .bind(org_id)
    .fetch_one(wtx.conn())
    .await?;
    if highest_used.is_some_and(|h| h > i64::from(scale.highest())) {
        return Err(ValidationErrors::single(FieldError::with_limit(
            "levels",
            "error-scale-in-use",
            u64::try_from(highest_used.unwrap_or(0)).unwrap_or(0),
        ))
        .into());
    }
    // Levels are numbers and strings: serializing them cannot fail, but is not unwrapped.
    let levels = serde_json::to_string(&scale.levels)
        .map_err(|_| ValidationErrors::single(FieldError::new("levels", "error-choice")))?;
    let before: Option<String> =
        sqlx::query_scalar("SELECT levels_json FROM classification_scales WHERE org_id = $1")
            .bind(org_id)
            .fetch_optional(wtx.conn())
            .await?;
    let actor = match scope {
        Scope::Person { person_id, .. } => Some(person_id),
        Scope::LocalAdministrator => None,
    };
    if before.is_some() {
        sqlx::query(
            "UPDATE classification_scales SET levels_json = $1, review_months = $2, \
             updated_at = $3, updated_by = $4 WHERE org_id = $5",
        )
        .bind(&levels)
        .bind(i64::from(scale.review_months))
        .bind(wtx.now())
        .bind(actor)
        .bind(org_id)
        .execute(wtx.conn())
        .await?;
    } else {
        sqlx::query(
            "INSERT INTO classification_scales (org_id, levels_json, review_months, updated_at, \
             updated_by) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(org_id)
        .bind(&levels)
        .bind(i64::from(scale.review_months))
        .bind(wtx.now())
        .bind(actor)
        .execute(wtx.conn())
        .await?;
    }
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "classification.scale_set",
        entity_type: "organization",
        entity_id: org_id.to_string(),
        before: before.and_then(|b| serde_json::from_str(&b).ok()),
        after: snapshot(scale),
    })
    .await?;
    Ok(())
}

/// Classifies an asset. Only its holder may (the route's permission lets holders in; this
/// rule keeps each to their own assets); the levels are checked against the organization's
/// scale; the history keeps every classification; audited as `asset.classify`.
pub async fn classify(
    wtx: &mut WriteTx,
    person_id: i64,
    asset_id: i64,
    dic: Dic,
    justification: &str,
    today: NaiveDate,
    scale: &Scale,
) -> Result<()> {
    let asset = get_in(
        wtx,
        Scope::new(person_id, Permission::AssetClassify),
        asset_id,
    )
    .await?;
    if asset.archived_at.is_some() {
        return Err(StoreError::NotFound);
    }
    check_classifier(person_id, asset.holder_id)
        .map_err(|e| ValidationErrors::single(FieldError::new("holder_id", e.code())))?;
    let justification = justification.trim();
    if justification.chars().count() > 2000 {
        return Err(ValidationErrors::single(FieldError::with_limit(
            "justification",
            "error-too-long",
            2000,
        ))
        .into());
    }
    let mut errors = ValidationErrors::default();
    for (field, level) in [
        ("availability", dic.availability),
        ("integrity", dic.integrity),
        ("confidentiality", dic.confidentiality),
    ] {
        if let Err(e) = scale.level(field, &level.to_string()) {
            errors.push(e);
        }
    }
    errors.into_result()?;
    let review_due = scale.review_due(today).to_string();
    let now = wtx.now();
    sqlx::query(
        "INSERT INTO asset_classifications (asset_id, availability, integrity, confidentiality, \
         classified_by, classified_at, classified_on, review_due, justification) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(asset_id)
    .bind(i64::from(dic.availability))
    .bind(i64::from(dic.integrity))
    .bind(i64::from(dic.confidentiality))
    .bind(person_id)
    .bind(now)
    .bind(today.to_string())
    .bind(&review_due)
    .bind(justification)
    .execute(wtx.conn())
    .await?;
    sqlx::query(
        "UPDATE assets SET availability = $1, integrity = $2, confidentiality = $3, \
         classified_on = $4, review_due = $5, updated_at = $6, version = version + 1 WHERE id = $7",
    )
    .bind(i64::from(dic.availability))
    .bind(i64::from(dic.integrity))
    .bind(i64::from(dic.confidentiality))
    .bind(today.to_string())
    .bind(&review_due)
    .bind(now)
    .bind(asset_id)
    .execute(wtx.conn())
    .await?;
    wtx.audit(Change {
        org_id: Some(asset.org_id),
        action: "asset.classify",
        entity_type: "asset",
        entity_id: asset_id.to_string(),
        before: asset.dic().and_then(|d| snapshot(&d)),
        after: Some(serde_json::json!({
            "availability": dic.availability,
            "integrity": dic.integrity,
            "confidentiality": dic.confidentiality,
            "review_due": review_due,
            "justification": justification,
        })),
    })
    .await?;
    Ok(())
}

/// Every classification of an asset the caller may see, newest first.
pub async fn classification_history(
    store: &Store,
    scope: Scope,
    asset_id: i64,
) -> Result<Vec<ClassificationEntry>> {
    let sql = format!(
        "SELECT c.id, c.availability, c.integrity, c.confidentiality, c.classified_by, \
         p.name AS classified_by_name, c.classified_at, c.classified_on, c.review_due, \
         c.justification FROM asset_classifications c JOIN assets a ON a.id = c.asset_id \
         JOIN persons p ON p.id = c.classified_by WHERE c.asset_id = $1 AND {} \
         ORDER BY c.id DESC",
        scope.condition("a.org_id")
    );
    let rows = sqlx::query(&sql)
        .bind(asset_id)
        .fetch_all(&store.pool)
        .await?;
    rows.iter()
        .map(|row| {
            Ok(ClassificationEntry {
                id: row.try_get("id")?,
                availability: row.try_get("availability")?,
                integrity: row.try_get("integrity")?,
                confidentiality: row.try_get("confidentiality")?,
                classified_by: row.try_get("classified_by")?,
                classified_by_name: row.try_get("classified_by_name")?,
                classified_at: row.try_get("classified_at")?,
                classified_on: row.try_get("classified_on")?,
                review_due: row.try_get("review_due")?,
                justification: row.try_get("justification")?,
            })
        })
        .collect()
}

// ---------------------------------------------------------------- consolidated view

/// The state of one public body's inventory, for the view up the tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BodyCounts {
    pub org_id: i64,
    pub org_name: String,
    pub assets: i64,
    pub unclassified: i64,
    pub review_overdue: i64,
    pub without_holder: i64,
    pub past_end_of_support: i64,
}

/// For each public body within `org_id`'s subtree (itself included) that the caller may see:
/// its assets (units included) and those needing attention on `today`.
///
/// At network scale (300,000 assets) one query joining bodies to their assets and checking
/// each asset's holder took a quarter of a second; this reads the assets once, grouped by
/// organization and holder from one covering index, checks each group's holder once, and
/// rolls the groups up to their bodies in the database (see BENCHMARKS.md). The counts of all
/// the bodies under `org_id` are kept once for every reader, and each reader's view (the rows
/// of the bodies they may see) for them, with the audit chain's head ([`crate::views`]):
/// reloaded while nothing changed, it costs one read of the head; after changes to a few
/// bodies' assets, only their rows are computed again; `prewarm` keeps the network's ready.
pub async fn consolidated(
    store: &Store,
    scope: Scope,
    org_id: i64,
    today: NaiveDate,
) -> Result<Vec<BodyCounts>> {
    let today = today.to_string();
    let head = audit_head(store).await?;
    let key = format!("{scope:?}|{org_id}|{today}");
    let kept = store.views.get(&key);
    if let Some(kept) = &kept {
        if kept.head == head {
            return Ok(kept.rows.clone());
        }
    }
    let (all, epoch) = network_counts(store, org_id, &today, head).await?;
    // The bodies this caller may see: as kept while no change since could alter them, else
    // read again.
    let visible: std::collections::HashSet<i64> = match kept {
        Some(k) if k.epoch == epoch => k.rows.iter().map(|b| b.org_id).collect(),
        _ => sqlx::query_scalar(&format!(
            "SELECT b.id FROM organizations b \
             JOIN org_closure cb ON cb.descendant_id = b.id AND cb.ancestor_id = $1 \
             WHERE b.kind = 'public_body' AND b.archived_at IS NULL AND {}",
            scope.condition("b.id")
        ))
        .bind(org_id)
        .fetch_all(&store.pool)
        .await?
        .into_iter()
        .collect(),
    };
    let rows: Vec<BodyCounts> = all
        .into_iter()
        .filter(|b| visible.contains(&b.org_id))
        .collect();
    if !rows.is_empty() {
        store.views.put(
            key,
            Kept {
                head,
                rows: rows.clone(),
                epoch,
            },
        );
    }
    Ok(rows)
}

async fn audit_head(store: &Store) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT seq FROM audit_head WHERE id = 1")
            .fetch_one(&store.pool)
            .await?,
    )
}

/// Brings the counts of every public body under the root of the network up to date for
/// `today`, so that the first reader of the day, or after a restart, finds them ready: `serve`
/// calls it at start and every minute (a read of the audit head when nothing changed).
pub async fn prewarm(store: &Store, today: NaiveDate) -> Result<()> {
    let roots: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM organizations WHERE parent_id IS NULL AND archived_at IS NULL",
    )
    .fetch_all(&store.pool)
    .await?;
    let head = audit_head(store).await?;
    let today = today.to_string();
    for root in roots {
        network_counts(store, root, &today, head).await?;
    }
    Ok(())
}

/// The counts of every public body under `org_id` (whatever the reader may see), kept with the
/// audit head: as kept, patched for the bodies whose assets changed since, or computed whole.
async fn network_counts(
    store: &Store,
    org_id: i64,
    today: &str,
    head: i64,
) -> Result<(Vec<BodyCounts>, u64)> {
    let key = format!("*|{org_id}|{today}");
    if let Some(kept) = store.views.get(&key) {
        if kept.head == head {
            return Ok((kept.rows, kept.epoch));
        }
        if kept.head < head {
            let epoch = kept.epoch;
            if let Some(rows) = patched(store, kept, head, today).await? {
                store.views.count(true);
                store.views.put(
                    key,
                    Kept {
                        head,
                        rows: rows.clone(),
                        epoch,
                    },
                );
                return Ok((rows, epoch));
            }
        }
    }
    let rows = sqlx::query(
        "SELECT b.id, b.name FROM organizations b \
         JOIN org_closure cb ON cb.descendant_id = b.id AND cb.ancestor_id = $1 \
         WHERE b.kind = 'public_body' AND b.archived_at IS NULL ORDER BY b.name, b.id",
    )
    .bind(org_id)
    .fetch_all(&store.pool)
    .await?;
    let mut out: Vec<BodyCounts> = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(BodyCounts {
            org_id: row.try_get("id")?,
            org_name: row.try_get("name")?,
            assets: 0,
            unclassified: 0,
            review_overdue: 0,
            without_holder: 0,
            past_end_of_support: 0,
        });
    }
    let epoch = store.views.next_epoch();
    if out.is_empty() {
        return Ok((out, epoch));
    }
    // From the root of the network every asset is in view: no need to filter by subtree.
    let is_root: Option<Option<i64>> =
        sqlx::query_scalar("SELECT parent_id FROM organizations WHERE id = $1")
            .bind(org_id)
            .fetch_optional(&store.pool)
            .await?;
    let within = if matches!(is_root, Some(None)) {
        Within::All
    } else {
        Within::Subtree(org_id)
    };
    roll_up(store, &mut out, within, today).await?;
    store.views.count(false);
    store.views.put(
        key,
        Kept {
            head,
            rows: out.clone(),
            epoch,
        },
    );
    Ok((out, epoch))
}

/// Which assets a roll-up reads.
enum Within<'a> {
    All,
    Subtree(i64),
    /// The subtrees of these bodies only.
    Bodies(&'a [i64]),
}

/// Counts the assets `within` and writes them into the rows of their bodies in `out`; a body
/// of `out` that the roll-up reads and finds no asset for ends at zero.
async fn roll_up(
    store: &Store,
    out: &mut [BodyCounts],
    within: Within<'_>,
    today: &str,
) -> Result<()> {
    use std::collections::HashMap;
    let (filter, bodies) = match within {
        Within::All => ("$1 = $1".to_owned(), String::new()),
        Within::Subtree(_) => (
            "a.org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = $1)".to_owned(),
            String::new(),
        ),
        Within::Bodies(ids) => {
            // Ids are integers read from the database: written into the query as numbers.
            let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
            (
                format!(
                    "$1 = $1 AND a.org_id IN (SELECT descendant_id FROM org_closure \
                     WHERE ancestor_id IN ({list}))"
                ),
                format!("WHERE c.ancestor_id IN ({list})"),
            )
        }
    };
    let anchor = match within {
        Within::Subtree(id) => id,
        _ => 0,
    };
    // Assets grouped by organization and holder from the covering index, each group's holder
    // checked once, then rolled up to the bodies: a few hundred rows come back.
    let rollup = sqlx::query(&format!(
        "WITH g AS (SELECT a.org_id, a.holder_id, COUNT(*) AS n, \
           COUNT(*) - COUNT(a.availability) AS unclassified, \
           COUNT(CASE WHEN a.review_due < $2 THEN 1 END) AS overdue, \
           COUNT(CASE WHEN a.end_of_support < $2 THEN 1 END) AS past_eos \
           FROM assets a WHERE a.archived_at IS NULL AND {filter} \
           GROUP BY a.org_id, a.holder_id) \
         SELECT c.ancestor_id AS body, CAST(SUM(g.n) AS BIGINT) AS n, \
           CAST(SUM(g.unclassified) AS BIGINT) AS unclassified, \
           CAST(SUM(g.overdue) AS BIGINT) AS overdue, CAST(SUM(g.past_eos) AS BIGINT) AS past_eos, \
           CAST(SUM(CASE WHEN EXISTS (SELECT 1 FROM role_grants hg JOIN persons hp \
             ON hp.id = hg.person_id WHERE hg.person_id = g.holder_id AND hg.org_id = g.org_id \
             AND hg.role = 'Holder' AND hp.disabled_at IS NULL) THEN 0 ELSE g.n END) AS BIGINT) \
             AS without_holder \
         FROM g JOIN org_closure c ON c.descendant_id = g.org_id \
         JOIN organizations b ON b.id = c.ancestor_id AND b.kind = 'public_body' \
         {bodies} GROUP BY c.ancestor_id"
    ))
    .bind(anchor)
    .bind(today)
    .fetch_all(&store.pool)
    .await?;
    let index: HashMap<i64, usize> = out.iter().enumerate().map(|(i, b)| (b.org_id, i)).collect();
    if let Within::Bodies(ids) = within {
        for id in ids {
            if let Some(&i) = index.get(id) {
                let b = &mut out[i];
                (b.assets, b.unclassified, b.review_overdue) = (0, 0, 0);
                (b.past_end_of_support, b.without_holder) = (0, 0);
            }
        }
    }
    for row in &rollup {
        let body: i64 = row.try_get("body")?;
        let Some(&i) = index.get(&body) else {
            continue;
        };
        let b = &mut out[i];
        b.assets = row.try_get("n")?;
        b.unclassified = row.try_get("unclassified")?;
        b.review_overdue = row.try_get("overdue")?;
        b.past_end_of_support = row.try_get("past_eos")?;
        b.without_holder = row.try_get("without_holder")?;
    }
    Ok(())
}

/// The kept view brought up to `head` by computing again the rows of the bodies whose assets
/// changed since; `None` when the entries since say it must be computed whole.
async fn patched(
    store: &Store,
    kept: Kept,
    head: i64,
    today: &str,
) -> Result<Option<Vec<BodyCounts>>> {
    if head - kept.head > crate::views::MAX_PATCH_ENTRIES {
        return Ok(None);
    }
    let entries = sqlx::query(
        "SELECT action, org_id, before_json FROM audit_entries WHERE seq > $1 AND seq <= $2",
    )
    .bind(kept.head)
    .bind(head)
    .fetch_all(&store.pool)
    .await?;
    let mut read = Vec::with_capacity(entries.len());
    for row in &entries {
        let action: String = row.try_get("action")?;
        let org: Option<i64> = row.try_get("org_id")?;
        let before: Option<String> = row.try_get("before_json")?;
        read.push((action, org, before));
    }
    let Some(orgs) =
        crate::views::changed_orgs(read.iter().map(|(a, o, b)| (a.as_str(), *o, b.as_deref())))
    else {
        return Ok(None);
    };
    let mut rows = kept.rows;
    if orgs.is_empty() {
        return Ok(Some(rows));
    }
    // The bodies above the changed organizations that this view shows.
    let list = orgs
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let above: Vec<i64> = sqlx::query_scalar(&format!(
        "SELECT DISTINCT ancestor_id FROM org_closure WHERE descendant_id IN ({list})"
    ))
    .fetch_all(&store.pool)
    .await?;
    let shown: std::collections::HashSet<i64> = rows.iter().map(|b| b.org_id).collect();
    let bodies: Vec<i64> = above.into_iter().filter(|id| shown.contains(id)).collect();
    if !bodies.is_empty() {
        roll_up(store, &mut rows, Within::Bodies(&bodies), today).await?;
    }
    Ok(Some(rows))
}
