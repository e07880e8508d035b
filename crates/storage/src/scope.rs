//! Organization scope, written into every query (AUTHZ-01): a person reaches a record only
//! through a role grant that holds the permission and covers the record's organization.
//! Never fetch, then check.

use rempart_domain::authz::{roles_with, Permission};
use rempart_domain::role::Role;

/// Whom a query is made for.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// A person exercising one permission: the normal case, and the only one the web layer
    /// can build.
    Person {
        person_id: i64,
        permission: Permission,
    },
    /// The operator of the server at its console (`rempart org list`, `admin create-user`,
    /// demo loading): whoever holds the shell already holds the database file.
    LocalAdministrator,
}

impl Scope {
    pub fn new(person_id: i64, permission: Permission) -> Self {
        Scope::Person {
            person_id,
            permission,
        }
    }

    /// The same person exercising another permission (a store function that reads with one
    /// permission and writes with another); the console stays the console.
    pub fn with(self, permission: Permission) -> Scope {
        match self {
            Scope::Person { person_id, .. } => Scope::new(person_id, permission),
            other => other,
        }
    }

    /// The person a query is made for; none at the console.
    pub fn person_id(&self) -> Option<i64> {
        match *self {
            Scope::Person { person_id, .. } => Some(person_id),
            Scope::LocalAdministrator => None,
        }
    }

    /// A SQL condition true when `org_column` names an organization within scope. The role
    /// names come from the domain's enum and the person id is a typed integer, so both are
    /// written as literals: no text from a request reaches this SQL.
    pub fn condition(&self, org_column: &str) -> String {
        let (person_id, permission) = match *self {
            Scope::Person {
                person_id,
                permission,
            } => (person_id, permission),
            Scope::LocalAdministrator => return "1 = 1".to_owned(),
        };
        let roles = roles_with(permission);
        format!(
            "{org_column} IN (SELECT c.descendant_id FROM org_closure c \
             JOIN role_grants g ON g.org_id = c.ancestor_id \
             WHERE g.person_id = {person} AND (g.role IN ({subtree}) \
             OR (c.depth = 0 AND g.role IN ({own}))))",
            person = person_id,
            subtree = role_list(&roles.subtree),
            own = role_list(&roles.organization_only),
        )
    }
}

/// Refuses, as not found, an organization that is archived or that `scope` does not reach with
/// `permission`: out of reach reads as missing, before anything about the input is said.
pub async fn require_org(
    conn: &mut sqlx::AnyConnection,
    scope: Scope,
    permission: Permission,
    org_id: i64,
) -> crate::error::Result<()> {
    let sql = format!(
        "SELECT id FROM organizations WHERE id = $1 AND archived_at IS NULL AND {}",
        scope.with(permission).condition("id")
    );
    match sqlx::query(&sql)
        .bind(org_id)
        .fetch_optional(&mut *conn)
        .await?
    {
        Some(_) => Ok(()),
        None => Err(crate::error::StoreError::NotFound),
    }
}

/// Whether `scope` reaches everything in `org_id`'s subtree (a role that reaches subtrees held
/// on it or above it): a query over that subtree then needs no scope clause of its own.
pub async fn covers_subtree(
    conn: &mut sqlx::AnyConnection,
    scope: Scope,
    org_id: i64,
) -> crate::error::Result<bool> {
    let (person_id, permission) = match scope {
        Scope::Person {
            person_id,
            permission,
        } => (person_id, permission),
        Scope::LocalAdministrator => return Ok(true),
    };
    let roles = roles_with(permission);
    if roles.subtree.is_empty() {
        return Ok(false);
    }
    let n: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM role_grants g WHERE g.person_id = $1 AND g.role IN ({}) \
         AND g.org_id IN (SELECT ancestor_id FROM org_closure WHERE descendant_id = $2)",
        role_list(&roles.subtree)
    ))
    .bind(person_id)
    .bind(org_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(n > 0)
}

/// Turns a slice of roles into a SQL list of literals (from the domain enum only).
pub(crate) fn role_list(roles: &[Role]) -> String {
    if roles.is_empty() {
        return "NULL".to_owned();
    }
    roles
        .iter()
        .map(|r| format!("'{}'", r.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}
