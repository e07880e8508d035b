//! Organizations and their closure table (PLAT-03). Every read carries the caller's scope.

use rempart_domain::org::{
    check_archive, check_move, check_placement, parse_org_name, OrgId, OrgKind, ParentFacts, Slug,
};
use rempart_domain::{FieldError, ValidationErrors};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::dialect::{contains_ci, escape_like};
use crate::error::{Result, StoreError};
use crate::list::{Page, PageRequest};
use crate::scope::Scope;
use crate::store::Store;
use crate::write::{snapshot, Change, WriteTx};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organization {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub kind: OrgKind,
    pub parent_id: Option<i64>,
    pub archived_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

impl Organization {
    pub fn is_archived(&self) -> bool {
        self.archived_at.is_some()
    }
}

const COLUMNS: &str =
    "o.id, o.slug, o.name, o.kind, o.parent_id, o.archived_at, o.created_at, o.updated_at, o.version";

fn from_row(row: &AnyRow) -> Result<Organization> {
    let kind: String = row.try_get("kind")?;
    Ok(Organization {
        id: row.try_get("id")?,
        slug: row.try_get("slug")?,
        name: row.try_get("name")?,
        // The CHECK constraint keeps `kind` within the four known values.
        kind: OrgKind::parse(&kind).unwrap_or(OrgKind::Unit),
        parent_id: row.try_get("parent_id")?,
        archived_at: row.try_get("archived_at")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        version: row.try_get("version")?,
    })
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OrgSort {
    #[default]
    Name,
    Slug,
    Kind,
    Created,
}

impl OrgSort {
    pub fn parse(value: &str) -> Option<OrgSort> {
        match value {
            "name" => Some(OrgSort::Name),
            "slug" => Some(OrgSort::Slug),
            "kind" => Some(OrgSort::Kind),
            "created_at" => Some(OrgSort::Created),
            _ => None,
        }
    }

    fn column(self) -> &'static str {
        match self {
            OrgSort::Name => "o.name",
            OrgSort::Slug => "o.slug",
            OrgSort::Kind => "o.kind",
            OrgSort::Created => "o.created_at",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct OrgFilter {
    pub text: Option<String>,
    pub kind: Option<OrgKind>,
    pub parent_id: Option<i64>,
    /// Restrict to this organization and its subtree.
    pub within: Option<i64>,
    pub include_archived: bool,
}

/// What a form or API call asks to create, before validation.
#[derive(Debug, Clone, Default)]
pub struct NewOrganization {
    pub name: String,
    pub slug: Option<String>,
    pub kind: String,
    pub parent_id: Option<i64>,
}

pub async fn get(store: &Store, scope: Scope, id: i64) -> Result<Organization> {
    get_in(&mut *store.pool.acquire().await?, scope, id).await
}

async fn get_in(conn: &mut sqlx::AnyConnection, scope: Scope, id: i64) -> Result<Organization> {
    let sql = format!(
        "SELECT {COLUMNS} FROM organizations o WHERE o.id = $1 AND {}",
        scope.condition("o.id")
    );
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(&row)
}

pub async fn get_by_slug(store: &Store, scope: Scope, slug: &str) -> Result<Organization> {
    let sql = format!(
        "SELECT {COLUMNS} FROM organizations o WHERE o.slug = $1 AND {}",
        scope.condition("o.id")
    );
    let row = sqlx::query(&sql)
        .bind(slug)
        .fetch_optional(&store.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(&row)
}

pub async fn list(
    store: &Store,
    scope: Scope,
    filter: &OrgFilter,
    page: &PageRequest<OrgSort>,
) -> Result<Page<Organization>> {
    let mut conditions = vec![scope.condition("o.id")];
    let mut binds: Vec<Bind> = Vec::new();
    if let Some(text) = filter.text.as_deref().filter(|t| !t.trim().is_empty()) {
        binds.push(Bind::Text(escape_like(text.trim())));
        let n = binds.len();
        conditions.push(format!(
            "({} OR {})",
            contains_ci(store.engine(), "o.name", &format!("${n}")),
            contains_ci(store.engine(), "o.slug", &format!("${n}"))
        ));
    }
    if let Some(kind) = filter.kind {
        binds.push(Bind::Text(kind.as_str().to_owned()));
        conditions.push(format!("o.kind = ${}", binds.len()));
    }
    if let Some(parent) = filter.parent_id {
        binds.push(Bind::Int(parent));
        conditions.push(format!("o.parent_id = ${}", binds.len()));
    }
    if let Some(within) = filter.within {
        binds.push(Bind::Int(within));
        conditions.push(format!(
            "o.id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = ${})",
            binds.len()
        ));
    }
    if !filter.include_archived {
        conditions.push("o.archived_at IS NULL".to_owned());
    }
    let where_clause = conditions.join(" AND ");
    let count_sql = format!("SELECT COUNT(*) AS n FROM organizations o WHERE {where_clause}");
    let total: i64 = bind_all(sqlx::query(&count_sql), &binds)
        .fetch_one(&store.pool)
        .await?
        .try_get("n")?;
    let sql = format!(
        "SELECT {COLUMNS} FROM organizations o WHERE {where_clause} \
         ORDER BY {} {}, o.id LIMIT {} OFFSET {}",
        page.sort.column(),
        page.direction(),
        page.limit,
        page.offset
    );
    let rows = bind_all(sqlx::query(&sql), &binds)
        .fetch_all(&store.pool)
        .await?;
    let items = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
    Ok(Page {
        items,
        total,
        limit: page.limit,
        offset: page.offset,
    })
}

/// A value bound to a dynamically built query.
#[derive(Debug, Clone)]
pub(crate) enum Bind {
    Int(i64),
    Text(String),
}

pub(crate) fn bind_all<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    binds: &'q [Bind],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for bind in binds {
        query = match bind {
            Bind::Int(n) => query.bind(*n),
            Bind::Text(t) => query.bind(t.as_str()),
        };
    }
    query
}

/// Ids of an organization and of its ancestors, itself first: what the domain's rules need.
pub async fn ancestors(conn: &mut sqlx::AnyConnection, id: i64) -> Result<Vec<OrgId>> {
    let rows =
        sqlx::query("SELECT ancestor_id FROM org_closure WHERE descendant_id = $1 ORDER BY depth")
            .bind(id)
            .fetch_all(conn)
            .await?;
    rows.iter()
        .map(|r| Ok(OrgId(r.try_get("ancestor_id")?)))
        .collect()
}

/// Creates an organization. A parent is required for anyone but the local operator, and
/// must be one the caller manages.
pub async fn create(
    wtx: &mut WriteTx,
    scope: Scope,
    input: &NewOrganization,
) -> Result<Organization> {
    let mut errors = ValidationErrors::default();
    let name = errors.take(parse_org_name("name", &input.name));
    let kind = errors
        .take(OrgKind::parse(input.kind.trim()).ok_or(FieldError::new("kind", "error-choice")));
    let slug = match input
        .slug
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(raw) => errors.take(Slug::parse("slug", raw)),
        None => match &name {
            Some(n) => errors.take(Slug::from_name(n).ok_or(FieldError::new("slug", "error-slug"))),
            None => None,
        },
    };
    if input.parent_id.is_none() && matches!(scope, Scope::Person { .. }) {
        errors.push(FieldError::new("parent_id", "error-required"));
    }
    errors.clone().into_result()?;
    let (Some(name), Some(kind), Some(slug)) = (name, kind, slug) else {
        return Err(errors.into());
    };
    let parent = match input.parent_id {
        Some(parent_id) => {
            let parent = get_in(wtx.conn(), scope, parent_id)
                .await
                .map_err(|e| match e {
                    StoreError::NotFound => StoreError::Invalid(ValidationErrors::single(
                        FieldError::new("parent_id", "error-not-found"),
                    )),
                    other => other,
                })?;
            Some(parent)
        }
        None => None,
    };
    check_placement(
        kind,
        parent.as_ref().map(|p| ParentFacts {
            kind: p.kind,
            archived: p.is_archived(),
        }),
    )?;
    let now = wtx.now();
    let row = sqlx::query(
        "INSERT INTO organizations (slug, name, kind, parent_id, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $5, 1) RETURNING id",
    )
    .bind(slug.as_str())
    .bind(&name)
    .bind(kind.as_str())
    .bind(input.parent_id)
    .bind(now)
    .fetch_one(wtx.conn())
    .await
    .map_err(|e| StoreError::from(e).unique_as("slug"))?;
    let id: i64 = row.try_get("id")?;
    sqlx::query(
        "INSERT INTO org_closure (ancestor_id, descendant_id, depth) \
         SELECT ancestor_id, $1, depth + 1 FROM org_closure WHERE descendant_id = $2 \
         UNION ALL SELECT $1, $1, 0",
    )
    .bind(id)
    .bind(input.parent_id.unwrap_or(-1))
    .execute(wtx.conn())
    .await?;
    let org = Organization {
        id,
        slug: slug.to_string(),
        name,
        kind,
        parent_id: input.parent_id,
        archived_at: None,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    wtx.audit(Change {
        org_id: Some(id),
        action: "organization.create",
        entity_type: "organization",
        entity_id: id.to_string(),
        before: None,
        after: snapshot(&org),
    })
    .await?;
    Ok(org)
}

/// Loads an organization the caller manages, for a change, checking the version they saw.
async fn for_change(
    wtx: &mut WriteTx,
    scope: Scope,
    id: i64,
    expected_version: Option<i64>,
) -> Result<Organization> {
    let org = get_in(wtx.conn(), scope, id).await?;
    if expected_version.is_some_and(|v| v != org.version) {
        return Err(StoreError::Stale);
    }
    Ok(org)
}

async fn save(
    wtx: &mut WriteTx,
    before: &Organization,
    after: &Organization,
    action: &str,
) -> Result<()> {
    let updated = sqlx::query(
        "UPDATE organizations SET name = $1, parent_id = $2, archived_at = $3, updated_at = $4, \
         version = version + 1 WHERE id = $5 AND version = $6",
    )
    .bind(&after.name)
    .bind(after.parent_id)
    .bind(after.archived_at)
    .bind(after.updated_at)
    .bind(after.id)
    .bind(before.version)
    .execute(wtx.conn())
    .await?;
    if updated.rows_affected() != 1 {
        return Err(StoreError::Stale);
    }
    wtx.audit(Change {
        org_id: Some(after.id),
        action,
        entity_type: "organization",
        entity_id: after.id.to_string(),
        before: snapshot(before),
        after: snapshot(after),
    })
    .await?;
    Ok(())
}

pub async fn rename(
    wtx: &mut WriteTx,
    scope: Scope,
    id: i64,
    new_name: &str,
    expected_version: Option<i64>,
) -> Result<Organization> {
    let name = parse_org_name("name", new_name).map_err(ValidationErrors::single)?;
    let before = for_change(wtx, scope, id, expected_version).await?;
    let mut after = before.clone();
    after.name = name;
    after.updated_at = wtx.now();
    after.version += 1;
    save(wtx, &before, &after, "organization.rename").await?;
    Ok(after)
}

/// Moves an organization under a new parent that the caller also manages.
pub async fn move_to(
    wtx: &mut WriteTx,
    scope: Scope,
    id: i64,
    new_parent_id: Option<i64>,
    expected_version: Option<i64>,
) -> Result<Organization> {
    let before = for_change(wtx, scope, id, expected_version).await?;
    let parent = match new_parent_id {
        Some(pid) => Some(get_in(wtx.conn(), scope, pid).await.map_err(|e| match e {
            StoreError::NotFound => StoreError::Invalid(ValidationErrors::single(FieldError::new(
                "parent_id",
                "error-not-found",
            ))),
            other => other,
        })?),
        None => {
            if matches!(scope, Scope::Person { .. }) {
                return Err(ValidationErrors::single(FieldError::new(
                    "parent_id",
                    "error-required",
                ))
                .into());
            }
            None
        }
    };
    let parent_ancestors = match new_parent_id {
        Some(pid) => ancestors(wtx.conn(), pid).await?,
        None => Vec::new(),
    };
    check_move(
        OrgId(id),
        before.kind,
        parent.as_ref().map(|p| {
            (
                OrgId(p.id),
                ParentFacts {
                    kind: p.kind,
                    archived: p.is_archived(),
                },
            )
        }),
        &parent_ancestors,
    )?;
    // Detach the subtree from its old ancestors, then attach it under the new parent.
    sqlx::query(
        "DELETE FROM org_closure WHERE descendant_id IN \
           (SELECT descendant_id FROM org_closure WHERE ancestor_id = $1) \
         AND ancestor_id NOT IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = $1)",
    )
    .bind(id)
    .execute(wtx.conn())
    .await?;
    if let Some(pid) = new_parent_id {
        sqlx::query(
            "INSERT INTO org_closure (ancestor_id, descendant_id, depth) \
             SELECT a.ancestor_id, d.descendant_id, a.depth + d.depth + 1 \
             FROM org_closure a, org_closure d WHERE a.descendant_id = $1 AND d.ancestor_id = $2",
        )
        .bind(pid)
        .bind(id)
        .execute(wtx.conn())
        .await?;
    }
    let mut after = before.clone();
    after.parent_id = new_parent_id;
    after.updated_at = wtx.now();
    after.version += 1;
    save(wtx, &before, &after, "organization.move").await?;
    Ok(after)
}

pub async fn archive(
    wtx: &mut WriteTx,
    scope: Scope,
    id: i64,
    expected_version: Option<i64>,
) -> Result<Organization> {
    let before = for_change(wtx, scope, id, expected_version).await?;
    if before.is_archived() {
        return Ok(before);
    }
    let active: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM organizations WHERE parent_id = $1 AND archived_at IS NULL",
    )
    .bind(id)
    .fetch_one(wtx.conn())
    .await?
    .try_get("n")?;
    check_archive(u64::try_from(active).unwrap_or(u64::MAX))?;
    let mut after = before.clone();
    after.archived_at = Some(wtx.now());
    after.updated_at = wtx.now();
    after.version += 1;
    save(wtx, &before, &after, "organization.archive").await?;
    Ok(after)
}

/// How many organizations the subtree of `id` holds, itself included (unscoped: callers
/// pass an organization they already reached through their scope).
pub async fn count_subtree(store: &Store, id: i64) -> Result<i64> {
    Ok(
        sqlx::query("SELECT COUNT(*) AS n FROM org_closure WHERE ancestor_id = $1")
            .bind(id)
            .fetch_one(&store.pool)
            .await?
            .try_get("n")?,
    )
}
