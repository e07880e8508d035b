//! OSCAL 1.x control catalogues and profiles, read from their JSON form: a catalogue becomes
//! a flat list of controls and enhancements in document order, each with its statement as
//! readable text; a profile (a baseline such as NIST SP 800-53 LOW or MODERATE) is applied
//! to a catalogue the caller supplies ([`resolve`]). Nothing is fetched: an import's `href`
//! is not followed.
//!
//! Reading is bounded like the rest of the crate: the size of the file, the nesting of groups
//! and controls, the number of controls and the rendered text all have limits, and an
//! over-limit file is refused with the limit named. `serde_json` keeps its own recursion
//! limit (128), so no document nests deeper than that whatever [`Limits`] says.
//!
//! Statements are rendered with each parameter insertion (`{{ insert: param, id }}`) replaced
//! by a placeholder, in this order of preference:
//! - the parameter has values (set in the catalogue, or by a profile's `set-parameters`):
//!   `[Valeur : v1, v2]`;
//! - it is a selection: `[Sélection : choix 1 ; choix 2]`, or
//!   `[Sélection (un ou plusieurs) : …]` when `how-many` is `one-or-more`; an insertion inside
//!   a choice is replaced by the inner parameter's values, label or id, not expanded further
//!   (so two parameters naming each other cannot loop);
//! - otherwise `[Affectation : label]`, or the parameter's id when it has no label or is not
//!   in the catalogue.
//!
//! A placeholder is cut at [`MAX_PLACEHOLDER_CHARS`] characters (SP 800-53's longest is 362):
//! a long value inserted many times must not multiply the text without end.

mod catalog;
mod profile;
mod render;

use rempart_domain::language::Language;
use serde::Deserialize;

pub use catalog::{read_catalog, Catalog, ControlRecord, GroupRecord};
pub use profile::{
    read_profile, resolve, Add, Alter, Import, Merge, Profile, Remove, Resolved, ResolvedControl,
    Selection, SetParameter,
};

/// How much a document may hold.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_bytes: usize,
    /// Levels of groups and controls from the catalogue down, the innermost included: a
    /// control in a group is at level 2, its enhancement at level 3.
    pub max_depth: usize,
    /// Controls and enhancements of a catalogue, or control ids named by a profile.
    pub max_controls: usize,
}

impl Default for Limits {
    /// SP 800-53 rev5 is 3.1 MB, 1,189 controls and enhancements, three levels deep; these
    /// leave room for any real catalogue and refuse what can only be a mistake or an attack.
    fn default() -> Self {
        Limits {
            max_bytes: 64 * 1024 * 1024,
            max_depth: 16,
            max_controls: 20_000,
        }
    }
}

/// The longest placeholder put in a statement, in characters, `…` included.
pub const MAX_PLACEHOLDER_CHARS: usize = 500;

/// How many unknown ids an error lists; the total is given beside them.
const LISTED_IDS: usize = 10;

/// Why a document could not be read or a profile applied. The messages are French, as the
/// command line prints them; [`OscalError::message`] gives them in either language and
/// [`OscalError::code`] a stable key for the web layer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OscalError {
    #[error("le fichier dépasse {limit} octets")]
    TooLarge { limit: usize },
    #[error("ligne {line}, colonne {column} : JSON illisible ou non conforme à OSCAL ({message})")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("le fichier n'est pas un catalogue OSCAL : la clé « catalog » est absente")]
    NotACatalog,
    #[error("le fichier n'est pas un profil OSCAL : la clé « profile » est absente")]
    NotAProfile,
    #[error("les groupes et les mesures sont imbriqués sur plus de {limit} niveaux")]
    TooDeep { limit: usize },
    #[error("le fichier compte plus de {limit} mesures")]
    TooManyControls { limit: usize },
    #[error("le texte des mesures dépasserait {limit} octets")]
    TooMuchText { limit: usize },
    #[error("la mesure « {id} » est définie deux fois dans le catalogue")]
    DuplicateControl { id: String },
    #[error("le profil n'importe aucun catalogue")]
    NoImport,
    #[error("le profil importe {count} sources ; une seule est prise en charge pour l'instant")]
    MultipleImports { count: usize },
    #[error("{total} mesure(s) du profil absente(s) du catalogue : {}", ids.join(", "))]
    UnknownControls { ids: Vec<String>, total: usize },
    #[error("{total} paramètre(s) du profil absent(s) du catalogue : {}", ids.join(", "))]
    UnknownParams { ids: Vec<String>, total: usize },
    #[error("le profil utilise « {feature} », qui n'est pas pris en charge")]
    Unsupported { feature: &'static str },
}

impl OscalError {
    pub fn code(&self) -> &'static str {
        match self {
            OscalError::TooLarge { .. } | OscalError::TooMuchText { .. } => "oscal-too-large",
            OscalError::Json { .. } => "oscal-json",
            OscalError::NotACatalog => "oscal-not-catalog",
            OscalError::NotAProfile => "oscal-not-profile",
            OscalError::TooDeep { .. } => "oscal-too-deep",
            OscalError::TooManyControls { .. } => "oscal-too-many-controls",
            OscalError::DuplicateControl { .. } => "oscal-duplicate-control",
            OscalError::NoImport => "oscal-no-import",
            OscalError::MultipleImports { .. } => "oscal-multiple-imports",
            OscalError::UnknownControls { .. } => "oscal-unknown-controls",
            OscalError::UnknownParams { .. } => "oscal-unknown-params",
            OscalError::Unsupported { .. } => "oscal-unsupported",
        }
    }

    /// The fault in words, in French (the [`std::fmt::Display`] text) or English. This crate
    /// has no translation bundles: the two texts live here, beside the variants they name.
    pub fn message(&self, language: Language) -> String {
        if language == Language::Fr {
            return self.to_string();
        }
        match self {
            OscalError::TooLarge { limit } => format!("the file exceeds {limit} bytes"),
            OscalError::Json {
                line,
                column,
                message,
            } => format!("line {line}, column {column}: unreadable JSON or not OSCAL ({message})"),
            OscalError::NotACatalog => {
                "the file is not an OSCAL catalog: the \"catalog\" key is missing".to_owned()
            }
            OscalError::NotAProfile => {
                "the file is not an OSCAL profile: the \"profile\" key is missing".to_owned()
            }
            OscalError::TooDeep { limit } => {
                format!("groups and controls are nested more than {limit} levels deep")
            }
            OscalError::TooManyControls { limit } => {
                format!("the file holds more than {limit} controls")
            }
            OscalError::TooMuchText { limit } => {
                format!("the controls' text would exceed {limit} bytes")
            }
            OscalError::DuplicateControl { id } => {
                format!("control \"{id}\" is defined twice in the catalog")
            }
            OscalError::NoImport => "the profile imports no catalog".to_owned(),
            OscalError::MultipleImports { count } => {
                format!("the profile imports {count} sources; only one is supported for now")
            }
            OscalError::UnknownControls { ids, total } => format!(
                "{total} control(s) of the profile missing from the catalog: {}",
                ids.join(", ")
            ),
            OscalError::UnknownParams { ids, total } => format!(
                "{total} parameter(s) of the profile missing from the catalog: {}",
                ids.join(", ")
            ),
            OscalError::Unsupported { feature } => {
                format!("the profile uses \"{feature}\", which is not supported")
            }
        }
    }
}

/// What is kept of a document's metadata. Every field is required by OSCAL; a missing one
/// is read as empty rather than refused, as nothing here depends on it.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Metadata {
    #[serde(default)]
    title: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    oscal_version: String,
    #[serde(default)]
    last_modified: String,
}

/// A name–value property (`label`, `sort-id`, `status`…).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Prop {
    pub name: String,
    pub value: String,
    pub class: Option<String>,
}

/// A part of a control: its statement, items of the statement, guidance, assessment
/// objectives… nested as in the document.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Part {
    pub id: Option<String>,
    pub name: String,
    pub title: Option<String>,
    #[serde(default)]
    pub props: Vec<Prop>,
    pub prose: Option<String>,
    #[serde(default)]
    pub parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Link {
    pub href: String,
    pub rel: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Select {
    /// `one` or `one-or-more`; absent means one.
    pub how_many: Option<String>,
    #[serde(default)]
    pub choice: Vec<String>,
}

/// A parameter an organization fills in (an "organization-defined" value).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Param {
    pub id: String,
    pub label: Option<String>,
    #[serde(default)]
    pub values: Vec<String>,
    pub select: Option<Select>,
    /// The prose of each guideline.
    #[serde(default, deserialize_with = "guidelines")]
    pub guidelines: Vec<String>,
}

/// Guidelines are `[{"prose": "…"}]`; only the prose is kept.
fn guidelines<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    struct Guideline {
        prose: String,
    }
    let list: Vec<Guideline> = Vec::deserialize(d)?;
    Ok(list.into_iter().map(|g| g.prose).collect())
}

/// The value of the first property called `name`.
fn prop<'a>(props: &'a [Prop], name: &str) -> Option<&'a str> {
    props
        .iter()
        .find(|p| p.name == name)
        .map(|p| p.value.as_str())
}

/// A document after the size check, without the byte-order mark some Windows tools write
/// (serde_json refuses it).
fn check_size<'a>(bytes: &'a [u8], limits: &Limits) -> Result<&'a [u8], OscalError> {
    if bytes.len() > limits.max_bytes {
        return Err(OscalError::TooLarge {
            limit: limits.max_bytes,
        });
    }
    Ok(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
}

fn json_error(e: &serde_json::Error) -> OscalError {
    // serde_json ends its text with the position, which the error already carries.
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = text.strip_suffix(&suffix).unwrap_or(&text);
    OscalError::Json {
        line: e.line(),
        column: e.column(),
        message: message.chars().take(200).collect(),
    }
}

/// The first few of `ids`, and how many there were.
fn listed(ids: Vec<String>) -> (Vec<String>, usize) {
    let total = ids.len();
    (ids.into_iter().take(LISTED_IDS).collect(), total)
}

#[cfg(test)]
mod fuzz;
#[cfg(test)]
mod tests;
