//! People and their accounts (AUTH-01). Reads carry the caller's scope; the login lookup by
//! e-mail is the one unscoped read, since nobody is known yet.

use rempart_domain::authz::Permission;
use rempart_domain::language::Language;
use rempart_domain::person::{parse_person_name, Email};
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
use crate::write::{snapshot, Change, WriteTx};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub id: i64,
    pub org_id: i64,
    pub email: String,
    pub name: String,
    pub language: Language,
    pub must_change_password: bool,
    pub disabled_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "p.id, p.org_id, p.email, p.name, p.language, p.must_change_password, \
                       p.disabled_at, p.created_at, p.updated_at";

fn from_row(row: &AnyRow) -> Result<Person> {
    let language: String = row.try_get("language")?;
    let must: i64 = row.try_get("must_change_password")?;
    Ok(Person {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        language: Language::parse(&language).unwrap_or_default(),
        must_change_password: must != 0,
        disabled_at: row.try_get("disabled_at")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PersonSort {
    #[default]
    Name,
    Email,
    Created,
}

impl PersonSort {
    pub fn parse(value: &str) -> Option<PersonSort> {
        match value {
            "name" => Some(PersonSort::Name),
            "email" => Some(PersonSort::Email),
            "created_at" => Some(PersonSort::Created),
            _ => None,
        }
    }

    fn column(self) -> &'static str {
        match self {
            PersonSort::Name => "p.name",
            PersonSort::Email => "p.email",
            PersonSort::Created => "p.created_at",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct PersonFilter {
    pub text: Option<String>,
    pub org_id: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct NewPerson {
    pub email: String,
    pub name: String,
    pub org_id: Option<i64>,
    pub language: Option<String>,
}

pub async fn get(store: &Store, scope: Scope, id: i64) -> Result<Person> {
    let sql = format!(
        "SELECT {COLUMNS} FROM persons p WHERE p.id = $1 AND {}",
        scope.condition("p.org_id")
    );
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&store.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(&row)
}

/// The person behind a session: the one read that needs no permission, since it is oneself.
pub async fn get_self(store: &Store, id: i64) -> Result<Person> {
    let sql = format!("SELECT {COLUMNS} FROM persons p WHERE p.id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&store.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(&row)
}

/// What a login needs: the account and its password hash, found by e-mail.
pub async fn credentials_by_email(
    store: &Store,
    email: &str,
) -> Result<Option<(Person, Option<String>)>> {
    let sql = format!("SELECT {COLUMNS}, p.password_hash FROM persons p WHERE p.email = $1");
    let row = sqlx::query(&sql)
        .bind(email.trim().to_lowercase())
        .fetch_optional(&store.pool)
        .await?;
    match row {
        Some(row) => Ok(Some((from_row(&row)?, row.try_get("password_hash")?))),
        None => Ok(None),
    }
}

/// The id of the account with this e-mail, read inside a change (loading, imports).
pub async fn id_by_email_in(wtx: &mut crate::write::WriteTx, email: &str) -> Result<Option<i64>> {
    let row = sqlx::query("SELECT id FROM persons WHERE email = $1")
        .bind(email.trim().to_lowercase())
        .fetch_optional(wtx.conn())
        .await?;
    row.map(|r| r.try_get("id").map_err(Into::into)).transpose()
}

pub async fn list(
    store: &Store,
    scope: Scope,
    filter: &PersonFilter,
    page: &PageRequest<PersonSort>,
) -> Result<Page<Person>> {
    let mut conditions = vec![scope.condition("p.org_id")];
    let mut binds = Vec::new();
    if let Some(text) = filter.text.as_deref().filter(|t| !t.trim().is_empty()) {
        binds.push(Bind::Text(escape_like(text.trim())));
        let n = format!("${}", binds.len());
        conditions.push(format!(
            "({} OR {})",
            contains_ci(store.engine(), "p.name", &n),
            contains_ci(store.engine(), "p.email", &n)
        ));
    }
    if let Some(org) = filter.org_id {
        binds.push(Bind::Int(org));
        conditions.push(format!("p.org_id = ${}", binds.len()));
    }
    let where_clause = conditions.join(" AND ");
    let total: i64 = bind_all(
        sqlx::query(&format!(
            "SELECT COUNT(*) AS n FROM persons p WHERE {where_clause}"
        )),
        &binds,
    )
    .fetch_one(&store.pool)
    .await?
    .try_get("n")?;
    let sql = format!(
        "SELECT {COLUMNS} FROM persons p WHERE {where_clause} ORDER BY {} {}, p.id LIMIT {} OFFSET {}",
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

/// Creates an account in an organization the caller manages. `password_hash` is the Argon2id
/// hash of a temporary password, to be changed at first login.
pub async fn create(
    wtx: &mut WriteTx,
    scope: Scope,
    input: &NewPerson,
    password_hash: &str,
    must_change_password: bool,
) -> Result<Person> {
    let mut errors = ValidationErrors::default();
    let email = errors.take(Email::parse("email", &input.email));
    let name = errors.take(parse_person_name("name", &input.name));
    let language = match input
        .language
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        Some(code) => {
            errors.take(Language::parse(code).ok_or(FieldError::new("language", "error-choice")))
        }
        None => Some(Language::Fr),
    };
    if input.org_id.is_none() {
        errors.push(FieldError::new("org_id", "error-required"));
    }
    errors.clone().into_result()?;
    let (Some(email), Some(name), Some(language), Some(org_id)) =
        (email, name, language, input.org_id)
    else {
        return Err(errors.into());
    };
    // The organization must be one the caller manages people in.
    let manage_scope = match scope {
        Scope::Person { person_id, .. } => Scope::new(person_id, Permission::PersonManage),
        other => other,
    };
    let org_sql = format!(
        "SELECT COUNT(*) AS n FROM organizations o WHERE o.id = $1 AND o.archived_at IS NULL AND {}",
        manage_scope.condition("o.id")
    );
    let n: i64 = sqlx::query(&org_sql)
        .bind(org_id)
        .fetch_one(wtx.conn())
        .await?
        .try_get("n")?;
    if n == 0 {
        return Err(ValidationErrors::single(FieldError::new("org_id", "error-not-found")).into());
    }
    let now = wtx.now();
    let row = sqlx::query(
        "INSERT INTO persons (org_id, email, name, language, password_hash, must_change_password, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(org_id)
    .bind(email.as_str())
    .bind(&name)
    .bind(language.code())
    .bind(password_hash)
    .bind(i64::from(must_change_password))
    .bind(now)
    .fetch_one(wtx.conn())
    .await
    .map_err(|e| StoreError::from(e).unique_as("email"))?;
    let person = Person {
        id: row.try_get("id")?,
        org_id,
        email: email.to_string(),
        name,
        language,
        must_change_password,
        disabled_at: None,
        created_at: now,
        updated_at: now,
    };
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "person.create",
        entity_type: "person",
        entity_id: person.id.to_string(),
        before: None,
        after: snapshot(&person),
    })
    .await?;
    Ok(person)
}

/// A person changes their own language preference.
pub async fn set_language(wtx: &mut WriteTx, person_id: i64, language: Language) -> Result<()> {
    let before = sqlx::query("SELECT language, org_id FROM persons WHERE id = $1")
        .bind(person_id)
        .fetch_optional(wtx.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    let old: String = before.try_get("language")?;
    let org_id: i64 = before.try_get("org_id")?;
    sqlx::query("UPDATE persons SET language = $1, updated_at = $2 WHERE id = $3")
        .bind(language.code())
        .bind(wtx.now())
        .bind(person_id)
        .execute(wtx.conn())
        .await?;
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "person.language",
        entity_type: "person",
        entity_id: person_id.to_string(),
        before: Some(serde_json::json!({ "language": old })),
        after: Some(serde_json::json!({ "language": language.code() })),
    })
    .await?;
    Ok(())
}

/// Disables (or enables again) an account: a disabled account cannot sign in and its sessions
/// and tokens stop working at the next request.
pub async fn set_disabled(wtx: &mut WriteTx, person: &Person, disabled: bool) -> Result<()> {
    let at = disabled.then(|| wtx.now());
    sqlx::query("UPDATE persons SET disabled_at = $1, updated_at = $2 WHERE id = $3")
        .bind(at)
        .bind(wtx.now())
        .bind(person.id)
        .execute(wtx.conn())
        .await?;
    wtx.audit(Change {
        org_id: Some(person.org_id),
        action: if disabled {
            "person.disable"
        } else {
            "person.enable"
        },
        entity_type: "person",
        entity_id: person.id.to_string(),
        before: Some(serde_json::json!({ "disabled": person.disabled_at.is_some() })),
        after: Some(serde_json::json!({ "disabled": disabled })),
    })
    .await?;
    Ok(())
}
