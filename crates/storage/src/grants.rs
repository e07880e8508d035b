//! Role grants: a role held by a person on an organization (PLAT-03).

use rempart_domain::authz::{check_grant, GrantScope, Permission};
use rempart_domain::org::OrgId;
use rempart_domain::role::Role;
use rempart_domain::{FieldError, ValidationErrors};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::list::{Page, PageRequest};
use crate::orgs::{bind_all, Bind};
use crate::scope::Scope;
use crate::store::Store;
use crate::write::{snapshot, Change, WriteTx};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    pub id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub person_email: String,
    pub org_id: i64,
    pub org_name: String,
    pub role: Role,
    pub granted_by: Option<i64>,
    pub created_at: i64,
}

const SELECT: &str = "SELECT g.id, g.person_id, p.name AS person_name, p.email AS person_email, \
    g.org_id, o.name AS org_name, g.role, g.granted_by, g.created_at \
    FROM role_grants g JOIN persons p ON p.id = g.person_id JOIN organizations o ON o.id = g.org_id";

fn from_row(row: &AnyRow) -> Result<Grant> {
    let role: String = row.try_get("role")?;
    Ok(Grant {
        id: row.try_get("id")?,
        person_id: row.try_get("person_id")?,
        person_name: row.try_get("person_name")?,
        person_email: row.try_get("person_email")?,
        org_id: row.try_get("org_id")?,
        org_name: row.try_get("org_name")?,
        // Roles are written only from the enum; an unknown one (from a newer version) is
        // read as the least privileged.
        role: Role::parse(&role).unwrap_or(Role::User),
        granted_by: row.try_get("granted_by")?,
        created_at: row.try_get("created_at")?,
    })
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum GrantSort {
    #[default]
    Person,
    Organization,
    Role,
    Created,
}

impl GrantSort {
    pub fn parse(value: &str) -> Option<GrantSort> {
        match value {
            "person" => Some(GrantSort::Person),
            "organization" => Some(GrantSort::Organization),
            "role" => Some(GrantSort::Role),
            "created_at" => Some(GrantSort::Created),
            _ => None,
        }
    }

    fn column(self) -> &'static str {
        match self {
            GrantSort::Person => "p.name",
            GrantSort::Organization => "o.name",
            GrantSort::Role => "g.role",
            GrantSort::Created => "g.created_at",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct GrantFilter {
    pub person_id: Option<i64>,
    pub org_id: Option<i64>,
    pub role: Option<Role>,
}

/// Every role a person holds, unscoped: what their own session is built from.
pub async fn scopes_of(store: &Store, person_id: i64) -> Result<Vec<GrantScope>> {
    let rows = sqlx::query("SELECT role, org_id FROM role_grants WHERE person_id = $1")
        .bind(person_id)
        .fetch_all(&store.pool)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let role: String = row.try_get("role")?;
        if let Some(role) = Role::parse(&role) {
            out.push(GrantScope {
                role,
                org: OrgId(row.try_get("org_id")?),
            });
        }
    }
    Ok(out)
}

pub async fn list(
    store: &Store,
    scope: Scope,
    filter: &GrantFilter,
    page: &PageRequest<GrantSort>,
) -> Result<Page<Grant>> {
    let mut conditions = vec![scope.condition("g.org_id")];
    let mut binds = Vec::new();
    if let Some(person) = filter.person_id {
        binds.push(Bind::Int(person));
        conditions.push(format!("g.person_id = ${}", binds.len()));
    }
    if let Some(org) = filter.org_id {
        binds.push(Bind::Int(org));
        conditions.push(format!("g.org_id = ${}", binds.len()));
    }
    if let Some(role) = filter.role {
        binds.push(Bind::Text(role.as_str().to_owned()));
        conditions.push(format!("g.role = ${}", binds.len()));
    }
    let where_clause = conditions.join(" AND ");
    let total: i64 = bind_all(
        sqlx::query(&format!(
            "SELECT COUNT(*) AS n FROM role_grants g JOIN persons p ON p.id = g.person_id \
             JOIN organizations o ON o.id = g.org_id WHERE {where_clause}"
        )),
        &binds,
    )
    .fetch_one(&store.pool)
    .await?
    .try_get("n")?;
    let sql = format!(
        "{SELECT} WHERE {where_clause} ORDER BY {} {}, g.id LIMIT {} OFFSET {}",
        page.sort.column(),
        page.direction(),
        page.limit,
        page.offset
    );
    let rows = bind_all(sqlx::query(&sql), &binds)
        .fetch_all(&store.pool)
        .await?;
    Ok(Page {
        items: rows.iter().map(from_row).collect::<Result<_>>()?,
        total,
        limit: page.limit,
        offset: page.offset,
    })
}

pub async fn get(store: &Store, scope: Scope, id: i64) -> Result<Grant> {
    let sql = format!(
        "{SELECT} WHERE g.id = $1 AND {}",
        scope.condition("g.org_id")
    );
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&store.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(&row)
}

/// Grants `role` on `org_id` to `person_id`. The caller must manage grants on that
/// organization and see the person; the domain decides whether the role may be given.
pub async fn create(
    wtx: &mut WriteTx,
    scope: Scope,
    person_id: Option<i64>,
    org_id: Option<i64>,
    role: &str,
) -> Result<Grant> {
    create_designated(
        wtx,
        scope,
        person_id,
        org_id,
        role,
        rempart_domain::register::DesignationAct::default(),
    )
    .await
}

/// Grants a role and records the designation behind it in the authority register, with the
/// act that made it and its dates (REG-01).
pub async fn create_designated(
    wtx: &mut WriteTx,
    scope: Scope,
    person_id: Option<i64>,
    org_id: Option<i64>,
    role: &str,
    act: rempart_domain::register::DesignationAct,
) -> Result<Grant> {
    let mut errors = ValidationErrors::default();
    let act = match act.check() {
        Ok(act) => Some(act),
        Err(e) => {
            errors.0.extend(e.0);
            None
        }
    };
    let role = errors.take(Role::parse(role.trim()).ok_or(FieldError::new("role", "error-choice")));
    if person_id.is_none() {
        errors.push(FieldError::new("person_id", "error-required"));
    }
    if org_id.is_none() {
        errors.push(FieldError::new("org_id", "error-required"));
    }
    errors.clone().into_result()?;
    let (Some(role), Some(person_id), Some(org_id), Some(act)) = (role, person_id, org_id, act)
    else {
        return Err(errors.into());
    };
    let (org_scope, person_scope, granter) = match scope {
        Scope::Person {
            person_id: actor, ..
        } => (
            Scope::new(actor, Permission::GrantManage),
            Scope::new(actor, Permission::PersonRead),
            Some(actor),
        ),
        other => (other, other, None),
    };
    let org_ok: i64 = sqlx::query(&format!(
        "SELECT COUNT(*) AS n FROM organizations o WHERE o.id = $1 AND o.archived_at IS NULL AND {}",
        org_scope.condition("o.id")
    ))
    .bind(org_id)
    .fetch_one(wtx.conn())
    .await?
    .try_get("n")?;
    if org_ok == 0 {
        return Err(ValidationErrors::single(FieldError::new("org_id", "error-not-found")).into());
    }
    let person_ok: i64 = sqlx::query(&format!(
        "SELECT COUNT(*) AS n FROM persons p WHERE p.id = $1 AND {}",
        person_scope.condition("p.org_id")
    ))
    .bind(person_id)
    .fetch_one(wtx.conn())
    .await?
    .try_get("n")?;
    if person_ok == 0 {
        return Err(
            ValidationErrors::single(FieldError::new("person_id", "error-not-found")).into(),
        );
    }
    let existing = roles_of(wtx.conn(), person_id).await?;
    let granter_roles = match granter {
        Some(actor) => Some(roles_of(wtx.conn(), actor).await?),
        None => None,
    };
    check_grant(granter_roles.as_deref(), role, &existing)
        .map_err(|e| ValidationErrors::single(FieldError::new("role", e.code())))?;
    let row = sqlx::query(
        "INSERT INTO role_grants (person_id, org_id, role, granted_by, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(person_id)
    .bind(org_id)
    .bind(role.as_str())
    .bind(granter)
    .bind(wtx.now())
    .fetch_one(wtx.conn())
    .await
    .map_err(|e| StoreError::from(e).unique_as("role"))?;
    let id: i64 = row.try_get("id")?;
    let grant = fetch_in(wtx.conn(), id).await?;
    crate::register::record(wtx, &grant, &act, granter).await?;
    // AUTH-06: a privilege change renews the session: the grantee signs in again, with a new
    // session id and the second factor the new role may demand.
    if granter != Some(person_id) {
        let person_org: i64 = sqlx::query("SELECT org_id FROM persons WHERE id = $1")
            .bind(person_id)
            .fetch_one(wtx.conn())
            .await?
            .try_get("org_id")?;
        crate::sessions::revoke_all_for(
            wtx,
            person_id,
            person_org,
            None,
            rempart_domain::authn::SessionEnd::RoleGranted,
        )
        .await?;
    }
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "grant.create",
        entity_type: "role_grant",
        entity_id: id.to_string(),
        before: None,
        after: snapshot(&grant),
    })
    .await?;
    Ok(grant)
}

async fn fetch_in(conn: &mut sqlx::AnyConnection, id: i64) -> Result<Grant> {
    let row = sqlx::query(&format!("{SELECT} WHERE g.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(&row)
}

async fn roles_of(conn: &mut sqlx::AnyConnection, person_id: i64) -> Result<Vec<Role>> {
    let rows = sqlx::query("SELECT role FROM role_grants WHERE person_id = $1")
        .bind(person_id)
        .fetch_all(conn)
        .await?;
    let mut out = Vec::new();
    for row in rows {
        let role: String = row.try_get("role")?;
        out.extend(Role::parse(&role));
    }
    Ok(out)
}

/// Revokes a grant on an organization the caller manages grants in.
pub async fn revoke(wtx: &mut WriteTx, scope: Scope, id: i64) -> Result<Grant> {
    let manage = match scope {
        Scope::Person { person_id, .. } => Scope::new(person_id, Permission::GrantManage),
        other => other,
    };
    let row = sqlx::query(&format!(
        "{SELECT} WHERE g.id = $1 AND {}",
        manage.condition("g.org_id")
    ))
    .bind(id)
    .fetch_optional(wtx.conn())
    .await?
    .ok_or(StoreError::NotFound)?;
    let grant = from_row(&row)?;
    sqlx::query("DELETE FROM role_grants WHERE id = $1")
        .bind(id)
        .execute(wtx.conn())
        .await?;
    let ended_by = match scope {
        Scope::Person { person_id, .. } => Some(person_id),
        Scope::LocalAdministrator => None,
    };
    crate::register::end_for_grant(wtx, id, ended_by).await?;
    // AUTH-06: a privilege removed ends the person's sessions, so that none keeps it.
    let person_org: i64 = sqlx::query("SELECT org_id FROM persons WHERE id = $1")
        .bind(grant.person_id)
        .fetch_one(wtx.conn())
        .await?
        .try_get("org_id")?;
    crate::sessions::revoke_all_for(
        wtx,
        grant.person_id,
        person_org,
        None,
        rempart_domain::authn::SessionEnd::RoleRevoked,
    )
    .await?;
    wtx.audit(Change {
        org_id: Some(grant.org_id),
        action: "grant.revoke",
        entity_type: "role_grant",
        entity_id: id.to_string(),
        before: snapshot(&grant),
        after: None,
    })
    .await?;
    Ok(grant)
}

/// For each (person, organization) of `grants`, the incompatible pairs among every role the
/// person holds there (AUTHZ-02), read in one query.
pub async fn conflicts(
    store: &Store,
    rules: &rempart_domain::sod::IncompatibleRoles,
    grants: &[Grant],
) -> Result<std::collections::HashMap<(i64, i64), Vec<(Role, Role)>>> {
    let mut people: Vec<i64> = grants.iter().map(|g| g.person_id).collect();
    people.sort_unstable();
    people.dedup();
    let mut held: std::collections::HashMap<(i64, i64), Vec<Role>> =
        std::collections::HashMap::new();
    if !people.is_empty() {
        // Typed integers, written as literals.
        let list = people
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let rows = sqlx::query(&format!(
            "SELECT person_id, org_id, role FROM role_grants WHERE person_id IN ({list})"
        ))
        .fetch_all(&store.pool)
        .await?;
        for row in rows {
            let role: String = row.try_get("role")?;
            if let Some(role) = Role::parse(&role) {
                held.entry((row.try_get("person_id")?, row.try_get("org_id")?))
                    .or_default()
                    .push(role);
            }
        }
    }
    Ok(held
        .into_iter()
        .map(|(key, roles)| (key, rules.conflicts(&roles)))
        .filter(|(_, c)| !c.is_empty())
        .collect())
}

/// The people who hold `role` on the organization nearest `org_id` (itself, else its parent,
/// and so up) where someone holds it: whom a record of `org_id` is told about.
pub async fn nearest_holders(
    conn: &mut sqlx::AnyConnection,
    org_id: i64,
    role: rempart_domain::role::Role,
) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT g.person_id FROM role_grants g JOIN org_closure c ON c.ancestor_id = g.org_id \
         WHERE c.descendant_id = $1 AND g.role = $2 AND c.depth = ( \
         SELECT MIN(c2.depth) FROM role_grants g2 JOIN org_closure c2 \
         ON c2.ancestor_id = g2.org_id WHERE c2.descendant_id = $1 \
         AND g2.role = $2) ORDER BY g.person_id",
    )
    .bind(org_id)
    .bind(role.as_str())
    .fetch_all(conn)
    .await?)
}
