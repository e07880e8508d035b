//! The authority register (REG-01, REG-02): every designation, current and past, with its act;
//! the holders and their assets; the vacant mandatory roles of each public body; people
//! holding incompatible roles. Designations are recorded by the grants they stand behind.

use rempart_domain::authz::Permission;
use rempart_domain::register::{vacant, DesignationAct};
use rempart_domain::role::Role;
use rempart_domain::sod::IncompatibleRoles;
use serde::Serialize;
use sqlx::Row;

use crate::error::Result;
use crate::grants::Grant;
use crate::scope::Scope;
use crate::store::Store;
use crate::write::{Change, WriteTx};

/// Records the designation behind a new grant; audited as `designation.create`.
pub(crate) async fn record(
    wtx: &mut WriteTx,
    grant: &Grant,
    act: &DesignationAct,
    created_by: Option<i64>,
) -> Result<()> {
    let row = sqlx::query(
        "INSERT INTO designations (person_id, org_id, role, grant_id, valid_from, valid_until, \
         act_reference, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         RETURNING id",
    )
    .bind(grant.person_id)
    .bind(grant.org_id)
    .bind(grant.role.as_str())
    .bind(grant.id)
    .bind(act.valid_from.map(|d| d.to_string()))
    .bind(act.valid_until.map(|d| d.to_string()))
    .bind(&act.act_reference)
    .bind(created_by)
    .bind(wtx.now())
    .fetch_one(wtx.conn())
    .await?;
    let id: i64 = row.try_get("id")?;
    wtx.audit(Change {
        org_id: Some(grant.org_id),
        action: "designation.create",
        entity_type: "designation",
        entity_id: id.to_string(),
        before: None,
        after: Some(serde_json::json!({
            "person_id": grant.person_id,
            "role": grant.role.as_str(),
            "grant_id": grant.id,
            "valid_from": act.valid_from,
            "valid_until": act.valid_until,
            "act_reference": act.act_reference,
        })),
    })
    .await?;
    Ok(())
}

/// Ends the designation behind a revoked grant: it stays in the register's history.
pub(crate) async fn end_for_grant(
    wtx: &mut WriteTx,
    grant_id: i64,
    ended_by: Option<i64>,
) -> Result<()> {
    sqlx::query(
        "UPDATE designations SET ended_at = $1, ended_by = $2 WHERE grant_id = $3 AND ended_at IS NULL",
    )
    .bind(wtx.now())
    .bind(ended_by)
    .bind(grant_id)
    .execute(wtx.conn())
    .await?;
    Ok(())
}

/// One entry of the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Designation {
    pub id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub person_email: String,
    pub org_id: i64,
    pub org_name: String,
    pub role: Role,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub act_reference: String,
    pub created_at: i64,
    pub ended_at: Option<i64>,
}

/// The designations within `org_id`'s subtree that the caller may read (grants' reading
/// permission), current ones first; with `history`, the ended ones too. At most `limit`.
pub async fn designations(
    store: &Store,
    person_id: i64,
    org_id: i64,
    history: bool,
    limit: i64,
) -> Result<Vec<Designation>> {
    let scope = Scope::new(person_id, Permission::GrantRead);
    let ended = if history {
        ""
    } else {
        "AND d.ended_at IS NULL"
    };
    let sql = format!(
        "SELECT d.id, d.person_id, p.name AS person_name, p.email AS person_email, d.org_id, \
         o.name AS org_name, d.role, d.valid_from, d.valid_until, d.act_reference, d.created_at, \
         d.ended_at FROM designations d JOIN persons p ON p.id = d.person_id \
         JOIN organizations o ON o.id = d.org_id \
         WHERE d.org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = $1) \
         AND {} {ended} \
         ORDER BY CASE WHEN d.ended_at IS NULL THEN 0 ELSE 1 END, o.name, d.role, p.name, d.id \
         LIMIT {limit}",
        scope.condition("d.org_id")
    );
    let rows = sqlx::query(&sql)
        .bind(org_id)
        .fetch_all(&store.pool)
        .await?;
    rows.iter()
        .map(|row| {
            let role: String = row.try_get("role")?;
            Ok(Designation {
                id: row.try_get("id")?,
                person_id: row.try_get("person_id")?,
                person_name: row.try_get("person_name")?,
                person_email: row.try_get("person_email")?,
                org_id: row.try_get("org_id")?,
                org_name: row.try_get("org_name")?,
                role: Role::parse(&role).unwrap_or(Role::User),
                valid_from: row.try_get("valid_from")?,
                valid_until: row.try_get("valid_until")?,
                act_reference: row.try_get("act_reference")?,
                created_at: row.try_get("created_at")?,
                ended_at: row.try_get("ended_at")?,
            })
        })
        .collect()
}

/// The vacant mandatory roles of one public body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Vacancies {
    pub org_id: i64,
    pub org_name: String,
    pub vacant: Vec<Role>,
}

/// For each active public body within `org_id`'s subtree that the caller may read grants in:
/// the mandatory roles nobody holds on the body itself.
pub async fn vacancies(store: &Store, person_id: i64, org_id: i64) -> Result<Vec<Vacancies>> {
    let scope = Scope::new(person_id, Permission::GrantRead);
    let sql = format!(
        "SELECT b.id, b.name, g.role FROM organizations b \
         JOIN org_closure c ON c.descendant_id = b.id AND c.ancestor_id = $1 \
         LEFT JOIN role_grants g ON g.org_id = b.id \
         WHERE b.kind = 'public_body' AND b.archived_at IS NULL AND {} \
         ORDER BY b.name, b.id",
        scope.condition("b.id")
    );
    let rows = sqlx::query(&sql)
        .bind(org_id)
        .fetch_all(&store.pool)
        .await?;
    let mut out: Vec<(i64, String, Vec<Role>)> = Vec::new();
    for row in rows {
        let id: i64 = row.try_get("id")?;
        let name: String = row.try_get("name")?;
        let role: Option<String> = row.try_get("role")?;
        if out.last().is_none_or(|(last, _, _)| *last != id) {
            out.push((id, name, Vec::new()));
        }
        if let (Some(role), Some((_, _, held))) =
            (role.as_deref().and_then(Role::parse), out.last_mut())
        {
            held.push(role);
        }
    }
    Ok(out
        .into_iter()
        .map(|(org_id, org_name, held)| Vacancies {
            org_id,
            org_name,
            vacant: vacant(&held),
        })
        .collect())
}

/// A holder and the assets assigned to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HolderRow {
    pub person_id: i64,
    pub person_name: String,
    pub org_id: i64,
    pub org_name: String,
    pub assets: i64,
}

/// The holders designated within `org_id`'s subtree, each with the count of active assets
/// they hold there.
pub async fn holders(store: &Store, person_id: i64, org_id: i64) -> Result<Vec<HolderRow>> {
    let scope = Scope::new(person_id, Permission::GrantRead);
    let sql = format!(
        "SELECT g.person_id, p.name AS person_name, g.org_id, o.name AS org_name, \
         (SELECT COUNT(*) FROM assets a WHERE a.holder_id = g.person_id AND a.org_id = g.org_id \
          AND a.archived_at IS NULL) AS assets \
         FROM role_grants g JOIN persons p ON p.id = g.person_id \
         JOIN organizations o ON o.id = g.org_id \
         WHERE g.role = 'Holder' \
         AND g.org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = $1) AND {} \
         ORDER BY o.name, p.name, g.id",
        scope.condition("g.org_id")
    );
    let rows = sqlx::query(&sql)
        .bind(org_id)
        .fetch_all(&store.pool)
        .await?;
    rows.iter()
        .map(|row| {
            Ok(HolderRow {
                person_id: row.try_get("person_id")?,
                person_name: row.try_get("person_name")?,
                org_id: row.try_get("org_id")?,
                org_name: row.try_get("org_name")?,
                assets: row.try_get("assets")?,
            })
        })
        .collect()
}

/// One person holding two roles that should not go together in one organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    pub person_id: i64,
    pub person_name: String,
    pub org_id: i64,
    pub org_name: String,
    pub roles: (Role, Role),
}

/// The incompatible roles held by one person in one organization within `org_id`'s subtree
/// (AUTHZ-02), by the configured list.
pub async fn conflicts(
    store: &Store,
    person_id: i64,
    org_id: i64,
    incompatible: &IncompatibleRoles,
) -> Result<Vec<Conflict>> {
    let scope = Scope::new(person_id, Permission::GrantRead);
    let sql = format!(
        "SELECT g.person_id, p.name AS person_name, g.org_id, o.name AS org_name, g.role \
         FROM role_grants g JOIN persons p ON p.id = g.person_id \
         JOIN organizations o ON o.id = g.org_id \
         WHERE g.org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = $1) AND {} \
         ORDER BY g.person_id, g.org_id, g.role",
        scope.condition("g.org_id")
    );
    let rows = sqlx::query(&sql)
        .bind(org_id)
        .fetch_all(&store.pool)
        .await?;
    let mut groups: Vec<(i64, String, i64, String, Vec<Role>)> = Vec::new();
    for row in rows {
        let person: i64 = row.try_get("person_id")?;
        let org: i64 = row.try_get("org_id")?;
        let role: String = row.try_get("role")?;
        if groups
            .last()
            .is_none_or(|(p, _, o, _, _)| *p != person || *o != org)
        {
            groups.push((
                person,
                row.try_get("person_name")?,
                org,
                row.try_get("org_name")?,
                Vec::new(),
            ));
        }
        if let (Some(role), Some(group)) = (Role::parse(&role), groups.last_mut()) {
            group.4.push(role);
        }
    }
    let mut out = Vec::new();
    for (person_id, person_name, org_id, org_name, held) in groups {
        for pair in incompatible.conflicts(&held) {
            out.push(Conflict {
                person_id,
                person_name: person_name.clone(),
                org_id,
                org_name: org_name.clone(),
                roles: pair,
            });
        }
    }
    Ok(out)
}

/// Ends the designations whose act's dates no longer hold on `today` (the day after
/// `valid_until`), and revokes the grants behind them, as an administrator would: the
/// designation stays in the register's history, the person's sessions end, the revocation is
/// audited. The scheduler runs it daily; running it twice on a day changes nothing. How many.
pub async fn end_lapsed(wtx: &mut WriteTx, today: chrono::NaiveDate) -> Result<usize> {
    let rows = sqlx::query(
        "SELECT grant_id, valid_from, valid_until, act_reference FROM designations \
         WHERE ended_at IS NULL AND grant_id IS NOT NULL AND valid_until IS NOT NULL \
         ORDER BY id",
    )
    .fetch_all(wtx.conn())
    .await?;
    let date = |v: Option<String>| v.and_then(|d| d.parse::<chrono::NaiveDate>().ok());
    let mut lapsed = Vec::new();
    for row in &rows {
        let act = DesignationAct {
            valid_from: date(row.try_get("valid_from")?),
            valid_until: date(row.try_get("valid_until")?),
            act_reference: row.try_get("act_reference")?,
        };
        if act.valid_until.is_some()
            && !act.in_force(today)
            && act.valid_from.is_none_or(|f| f <= today)
        {
            lapsed.push(row.try_get::<i64, _>("grant_id")?);
        }
    }
    for grant in &lapsed {
        crate::grants::revoke(wtx, Scope::LocalAdministrator, *grant).await?;
    }
    Ok(lapsed.len())
}
