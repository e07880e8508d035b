//! Control catalogues as files (CTRL-01), for the API and the command line alike: an OSCAL
//! JSON catalog or profile read by `rempart_interchange::oscal` (bounded), a profile resolved
//! against a catalog already imported, and the records handed to storage. Faults are named in
//! the reader's language.

use rempart_domain::language::Language;
use rempart_interchange::oscal::{self, Limits, OscalError, Param};
use rempart_storage::controls::{self, Imported, NewCatalog, NewControl, NewGroup, Selected};
use rempart_storage::scope::Scope;
use rempart_storage::{AuditContext, Store, StoreError};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Why a file was not imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportFault {
    #[error("{0}")]
    Oscal(#[from] OscalError),
    #[error("the file is neither an OSCAL catalog nor an OSCAL profile")]
    NeitherCatalogNorProfile,
    #[error("no catalog to resolve the profile against")]
    NoCatalog,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ImportFault {
    /// A sentence that names the fault (the line and column of a JSON error, the ids a
    /// profile names that its catalog lacks…).
    pub fn message(&self, language: Language) -> String {
        match (self, language) {
            (ImportFault::Oscal(e), _) => e.message(language),
            (ImportFault::NeitherCatalogNorProfile, Language::Fr) => {
                "Le fichier n'est ni un catalogue OSCAL (clé « catalog ») ni un profil OSCAL (clé « profile »).".to_owned()
            }
            (ImportFault::NeitherCatalogNorProfile, Language::En) => {
                "The file is neither an OSCAL catalog (key \"catalog\") nor an OSCAL profile (key \"profile\").".to_owned()
            }
            (ImportFault::NoCatalog, Language::Fr) => {
                "Aucun catalogue importé pour cette organisation ou au-dessus d'elle : importez d'abord le catalogue que le profil sélectionne.".to_owned()
            }
            (ImportFault::NoCatalog, Language::En) => {
                "No catalog is imported for this organization or above it: import the catalog the profile selects from first.".to_owned()
            }
            (ImportFault::Store(StoreError::Conflict { .. }), Language::Fr) => {
                "Un document différent portant le même identifiant (uuid) est déjà importé ici.".to_owned()
            }
            (ImportFault::Store(StoreError::Conflict { .. }), Language::En) => {
                "A different document with the same identifier (uuid) is already imported here.".to_owned()
            }
            (ImportFault::Store(StoreError::Invalid(v)), _) => v
                .0
                .iter()
                .map(|f| crate::i18n::field_message(language, f.code, f.limit))
                .collect::<Vec<_>>()
                .join(" "),
            (ImportFault::Store(e), _) => e.to_string(),
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub kind: &'static str,
    pub title: String,
    #[serde(flatten)]
    pub imported: Imported,
    /// For a profile: the catalog it was resolved against.
    pub catalog_id: Option<i64>,
}

fn params_json(params: &[Param], set: &[String]) -> String {
    let list: Vec<serde_json::Value> = params
        .iter()
        .map(|p| {
            serde_json::json!({
                "id": p.id,
                "label": p.label,
                "values": p.values,
                "select": p.select.as_ref().map(|s| serde_json::json!({
                    "how_many": s.how_many, "choice": s.choice,
                })),
                "set_by_profile": set.contains(&p.id),
            })
        })
        .collect();
    serde_json::Value::Array(list).to_string()
}

fn control(c: &oscal::ControlRecord, set: &[String]) -> NewControl {
    NewControl {
        key: c.id.clone(),
        parent_key: c.parent_id.clone(),
        group_key: c.group_id.clone(),
        label: c.label.clone().unwrap_or_else(|| c.id.to_uppercase()),
        title: c.title.clone(),
        class: c.class.clone().unwrap_or_default(),
        sort_id: c.sort_id.clone().unwrap_or_else(|| c.id.clone()),
        withdrawn: c.withdrawn,
        statement: c.statement.clone(),
        guidance: c.guidance.clone(),
        params_json: params_json(&c.params, set),
        depth: i64::try_from(c.depth).unwrap_or(i64::MAX),
    }
}

fn head(bytes: &[u8], uuid: &str, title: &str, version: &str, oscal_version: &str) -> NewCatalog {
    NewCatalog {
        uuid: uuid.to_owned(),
        title: title.to_owned(),
        version: version.to_owned(),
        oscal_version: oscal_version.to_owned(),
        sha256: hex::encode(Sha256::digest(bytes)),
        // The readers accepted it as JSON, so it is UTF-8; lossless either way.
        document: String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Imports an OSCAL catalog, or a profile resolved against `catalog_id` (by default the most
/// recent catalog imported for `org_id` or above it), in one transaction.
pub async fn import(
    store: &Store,
    audit: AuditContext,
    scope: Scope,
    org_id: i64,
    by: Option<i64>,
    bytes: &[u8],
    catalog_id: Option<i64>,
) -> Result<Outcome, ImportFault> {
    let limits = Limits::default();
    match oscal::read_catalog(bytes, &limits) {
        Ok(catalog) => {
            let groups: Vec<NewGroup> = catalog
                .groups
                .iter()
                .map(|g| NewGroup {
                    key: g.id.clone(),
                    parent_key: g.parent_id.clone(),
                    title: g.title.clone(),
                })
                .collect();
            let records: Vec<NewControl> =
                catalog.controls.iter().map(|c| control(c, &[])).collect();
            let new = head(
                bytes,
                &catalog.uuid,
                &catalog.title,
                &catalog.version,
                &catalog.oscal_version,
            );
            let mut w = store.write(audit).await?;
            let imported =
                controls::import_catalog(&mut w, scope, org_id, by, &new, &groups, &records)
                    .await?;
            w.commit().await?;
            return Ok(Outcome {
                kind: "catalog",
                title: catalog.title,
                imported,
                catalog_id: None,
            });
        }
        Err(OscalError::NotACatalog) => {}
        Err(e) => return Err(e.into()),
    }
    let profile = match oscal::read_profile(bytes, &limits) {
        Ok(p) => p,
        Err(OscalError::NotAProfile) => return Err(ImportFault::NeitherCatalogNorProfile),
        Err(e) => return Err(e.into()),
    };
    let source = match catalog_id {
        Some(id) => id,
        None => usable_catalog(store, scope, org_id)
            .await?
            .ok_or(ImportFault::NoCatalog)?,
    };
    let (_, document) = controls::document(store, scope, source)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => ImportFault::NoCatalog,
            other => other.into(),
        })?;
    let catalog = oscal::read_catalog(document.as_bytes(), &limits)?;
    let resolved = oscal::resolve(&profile, &catalog)?;
    let selected: Vec<Selected> = resolved
        .controls
        .iter()
        .map(|r| Selected {
            key: r.control.id.clone(),
            set_params_json: params_json(&r.control.params, &r.set_params),
        })
        .collect();
    let new = head(
        bytes,
        &profile.uuid,
        &profile.title,
        &profile.version,
        &profile.oscal_version,
    );
    let mut w = store.write(audit).await?;
    let imported =
        controls::import_profile(&mut w, scope, org_id, by, &new, source, &selected).await?;
    w.commit().await?;
    Ok(Outcome {
        kind: "profile",
        title: profile.title,
        imported,
        catalog_id: Some(source),
    })
}

/// The most recent catalog imported for `org_id` or one of its ancestors that the caller may
/// use.
async fn usable_catalog(
    store: &Store,
    scope: Scope,
    org_id: i64,
) -> Result<Option<i64>, StoreError> {
    let mut conn = store.pool().acquire().await?;
    let above: Vec<i64> = rempart_storage::orgs::ancestors(&mut conn, org_id)
        .await?
        .into_iter()
        .map(|o| o.0)
        .collect();
    Ok(controls::catalogs(store, scope)
        .await?
        .into_iter()
        .find(|c| c.kind == "catalog" && above.contains(&c.org_id))
        .map(|c| c.id))
}
