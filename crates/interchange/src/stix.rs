//! STIX 2.1 bundles for the alert network (GMVI-08): an alert and the threat intelligence
//! attached to it are exported as a bundle ([`alert_bundle`], [`write_bundle`]); a bundle from
//! elsewhere is read ([`read_bundle`]) into objects to attach to an alert.
//!
//! Every object is kept whole as its JSON value (`raw`), so that what is imported is exported
//! again unchanged, beside a typed summary of what the pages show ([`StixObject`]).
//!
//! Reading is bounded like the rest of the crate. Before any JSON value is built, one pass
//! over the bytes (strings skipped) counts nesting, strings' lengths, JSON objects and lists,
//! and the entries of the bundle's lists, and refuses the file at the first limit passed,
//! with its line and column: a small file of deeply nested lists or of many tiny objects
//! cannot make the parser recurse or allocate without end (an empty-looking `{"":0}` costs
//! some 600 bytes once parsed). `serde_json` keeps its own recursion limit (128), so no
//! document nests deeper than that whatever [`StixLimits`] says.
//!
//! Only STIX 2.1 is read. A STIX 2.0 bundle says so at its top (`"spec_version": "2.0"`) and
//! is refused with that named; an object without `spec_version` is refused too, unless it is
//! a cyber-observable (whose `spec_version` is optional in 2.1). The shared example bundles
//! (`shared/data/stix/`) are all 2.1.
//!
//! Duplicate ids are versions of one object (STIX §3.6): the version with the latest
//! `modified` is kept, in the place of the first one; on a tie (or with no `modified`), the
//! later in the file.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use rempart_domain::escalation::Severity;
use rempart_domain::language::Language;
use serde_json::{json, Map, Value};
use uuid::Uuid;

/// The only version read and written.
pub const SPEC_VERSION: &str = "2.1";

/// How much a bundle may hold.
#[derive(Debug, Clone, Copy)]
pub struct StixLimits {
    pub max_bytes: usize,
    /// Nesting of JSON objects and lists, the bundle itself at level 1 (an object of the
    /// bundle is at level 3).
    pub max_depth: usize,
    /// Entries of the bundle's `objects` list, duplicates included.
    pub max_objects: usize,
    /// Bytes of one string (key or value) as written in the file, escapes included.
    pub max_string_bytes: usize,
    /// JSON objects and lists in the whole file: what a parsed file costs in memory grows
    /// with them far more than with its size (a one-entry JSON object takes some 650 bytes
    /// once parsed, so the default bounds a parsed file near 330 MB at worst).
    pub max_containers: usize,
}

impl Default for StixLimits {
    /// The APT1 report (the largest shared example, 52 KB) holds 76 objects, 188 JSON objects
    /// and lists, 5 levels deep, its longest string 2.7 KB. These leave room for a large feed
    /// (50,000 indicators with ten lists or objects each) and refuse what can only be a
    /// mistake or an attack.
    fn default() -> Self {
        StixLimits {
            max_bytes: 16 * 1024 * 1024,
            max_depth: 64,
            max_objects: 50_000,
            max_string_bytes: 1024 * 1024,
            max_containers: 500_000,
        }
    }
}

/// How many characters of a value from the file an error repeats.
const SHOWN_CHARS: usize = 100;

/// What is wrong with one field (or one entry) of an object or of an alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectFault {
    /// The entry of the list is not a JSON object.
    NotAnObject,
    Missing,
    NotAString,
    Empty,
    /// Not a list of strings.
    NotAStringList,
    /// Not a STIX type name (3 to 250 characters among `a-z`, `0-9` and `-`).
    BadType(String),
    /// Not `<type>--<UUID>`.
    BadId(String),
    /// The id's type is not the object's (`id_type` is what the id says).
    IdPrefix {
        id_type: String,
        object_type: String,
    },
    /// `spec_version` names another version.
    Version(String),
    /// `spec_version` is missing from an object that must carry it.
    NoVersion,
    /// Not an RFC 3339 timestamp.
    BadTimestamp(String),
    /// A reference that is not `<type>--<UUID>`.
    BadRef(String),
}

impl ObjectFault {
    fn message(&self, language: Language) -> String {
        let fr = language == Language::Fr;
        match self {
            ObjectFault::NotAnObject if fr => "n'est pas un objet JSON".to_owned(),
            ObjectFault::NotAnObject => "is not a JSON object".to_owned(),
            ObjectFault::Missing if fr => "absent".to_owned(),
            ObjectFault::Missing => "missing".to_owned(),
            ObjectFault::NotAString if fr => "n'est pas une chaîne".to_owned(),
            ObjectFault::NotAString => "is not a string".to_owned(),
            ObjectFault::Empty if fr => "vide".to_owned(),
            ObjectFault::Empty => "empty".to_owned(),
            ObjectFault::NotAStringList if fr => "n'est pas une liste de chaînes".to_owned(),
            ObjectFault::NotAStringList => "is not a list of strings".to_owned(),
            ObjectFault::BadType(v) if fr => {
                format!("« {v} » n'est pas un type STIX (3 à 250 caractères parmi a-z, 0-9 et -)")
            }
            ObjectFault::BadType(v) => {
                format!("\"{v}\" is not a STIX type (3 to 250 characters among a-z, 0-9 and -)")
            }
            ObjectFault::BadId(v) if fr => {
                format!("« {v} » n'est pas un identifiant STIX (<type>--<UUID>)")
            }
            ObjectFault::BadId(v) => format!("\"{v}\" is not a STIX identifier (<type>--<UUID>)"),
            ObjectFault::IdPrefix {
                id_type,
                object_type,
            } if fr => format!(
                "l'identifiant est celui d'un objet « {id_type} », mais l'objet est de type \
                 « {object_type} »"
            ),
            ObjectFault::IdPrefix {
                id_type,
                object_type,
            } => format!(
                "the identifier is that of a \"{id_type}\" object, but the object's type is \
                 \"{object_type}\""
            ),
            ObjectFault::Version(v) if fr => {
                format!("version « {v} » : seul STIX {SPEC_VERSION} est lu")
            }
            ObjectFault::Version(v) => format!("version \"{v}\": only STIX {SPEC_VERSION} is read"),
            ObjectFault::NoVersion if fr => format!(
                "absent : seul STIX {SPEC_VERSION} est lu, où les objets de domaine et de \
                 relation portent leur version (un objet STIX 2.0 ne la porte pas)"
            ),
            ObjectFault::NoVersion => format!(
                "missing: only STIX {SPEC_VERSION} is read, where domain and relationship \
                 objects carry their version (a STIX 2.0 object does not)"
            ),
            ObjectFault::BadTimestamp(v) if fr => {
                format!("« {v} » n'est pas un horodatage RFC 3339")
            }
            ObjectFault::BadTimestamp(v) => format!("\"{v}\" is not an RFC 3339 timestamp"),
            ObjectFault::BadRef(v) if fr => {
                format!("« {v} » n'est pas une référence à un objet STIX (<type>--<UUID>)")
            }
            ObjectFault::BadRef(v) => {
                format!("\"{v}\" is not a reference to a STIX object (<type>--<UUID>)")
            }
        }
    }
}

/// Why a bundle could not be read or an alert written. The messages are French
/// ([`StixError::message_fr`], the [`std::fmt::Display`] text) or English
/// ([`StixError::message_en`]); [`StixError::code`] is a stable key for the web layer.
/// Objects are named by their place in the bundle's list (`objects[0]` is the first) and
/// their id when they have a readable one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StixError {
    #[error("le fichier dépasse {limit} octets")]
    TooLarge { limit: usize },
    #[error("ligne {line}, colonne {column} : le JSON est imbriqué sur plus de {limit} niveaux")]
    TooDeep {
        limit: usize,
        line: usize,
        column: usize,
    },
    #[error("ligne {line}, colonne {column} : une chaîne dépasse {limit} octets")]
    StringTooLong {
        limit: usize,
        line: usize,
        column: usize,
    },
    #[error(
        "ligne {line}, colonne {column} : le fichier compte plus de {limit} objets et listes JSON"
    )]
    TooManyContainers {
        limit: usize,
        line: usize,
        column: usize,
    },
    #[error("ligne {line}, colonne {column} : le paquet compte plus de {limit} objets STIX")]
    TooManyObjects {
        limit: usize,
        line: usize,
        column: usize,
    },
    #[error("ligne {line}, colonne {column} : JSON illisible ({message})")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    /// The document is not a JSON object whose `type` is `bundle`; `found` is its `type`
    /// when it has one.
    #[error("{}", not_a_bundle(Language::Fr, .found))]
    NotABundle { found: Option<String> },
    #[error("{}", bundle_id(Language::Fr, .value))]
    BundleId { value: Option<String> },
    #[error("la clé « objects » du paquet n'est pas une liste")]
    BundleObjects,
    /// The bundle says it is of another version (STIX 2.0 bundles carry `spec_version`).
    #[error("le paquet est en STIX {version} ; seul STIX 2.1 est lu")]
    Version { version: String },
    /// An object of the bundle; `field` is `None` when the fault is the whole entry.
    #[error("{}", at_object(Language::Fr, "objects", *.index, .id, .field, .fault))]
    Object {
        index: usize,
        id: Option<String>,
        field: Option<String>,
        fault: ObjectFault,
    },
    /// An object given to [`alert_objects`] to attach to an alert.
    #[error("{}", at_object(Language::Fr, "attached", *.index, .id, .field, .fault))]
    Attached {
        index: usize,
        id: Option<String>,
        field: Option<String>,
        fault: ObjectFault,
    },
    /// A field of the alert given to [`alert_objects`].
    #[error("l'alerte ne peut être écrite en STIX : champ « {field} » : {}", .fault.message(Language::Fr))]
    Alert {
        field: &'static str,
        fault: ObjectFault,
    },
}

fn not_a_bundle(language: Language, found: &Option<String>) -> String {
    match (language, found) {
        (Language::Fr, Some(t)) => format!(
            "le fichier n'est pas un paquet STIX : son « type » est « {t} » et non « bundle »"
        ),
        (Language::Fr, None) => "le fichier n'est pas un paquet STIX : ce n'est pas un objet JSON \
                                 dont le « type » est « bundle »"
            .to_owned(),
        (Language::En, Some(t)) => {
            format!("the file is not a STIX bundle: its \"type\" is \"{t}\", not \"bundle\"")
        }
        (Language::En, None) => "the file is not a STIX bundle: it is not a JSON object whose \
                                 \"type\" is \"bundle\""
            .to_owned(),
    }
}

fn bundle_id(language: Language, value: &Option<String>) -> String {
    match (language, value) {
        (Language::Fr, Some(v)) => {
            format!("l'identifiant du paquet « {v} » n'est pas de la forme bundle--<UUID>")
        }
        (Language::Fr, None) => "le paquet n'a pas d'identifiant (« id »)".to_owned(),
        (Language::En, Some(v)) => {
            format!("the bundle's identifier \"{v}\" is not of the form bundle--<UUID>")
        }
        (Language::En, None) => "the bundle has no identifier (\"id\")".to_owned(),
    }
}

fn at_object(
    language: Language,
    list: &str,
    index: usize,
    id: &Option<String>,
    field: &Option<String>,
    fault: &ObjectFault,
) -> String {
    let mut text = match language {
        Language::Fr => format!("objet {list}[{index}]"),
        Language::En => format!("object {list}[{index}]"),
    };
    if let Some(id) = id {
        text.push_str(&format!(" ({id})"));
    }
    if let Some(field) = field {
        text.push_str(&match language {
            Language::Fr => format!(", champ « {field} »"),
            Language::En => format!(", field \"{field}\""),
        });
    }
    text.push_str(if language == Language::Fr {
        " : "
    } else {
        ": "
    });
    text.push_str(&fault.message(language));
    text
}

impl StixError {
    pub fn code(&self) -> &'static str {
        match self {
            StixError::TooLarge { .. }
            | StixError::StringTooLong { .. }
            | StixError::TooManyContainers { .. } => "stix-too-large",
            StixError::TooDeep { .. } => "stix-too-deep",
            StixError::TooManyObjects { .. } => "stix-too-many-objects",
            StixError::Json { .. } => "stix-json",
            StixError::NotABundle { .. } => "stix-not-bundle",
            StixError::BundleId { .. } | StixError::BundleObjects => "stix-bad-bundle",
            StixError::Version { .. } => "stix-version",
            StixError::Object { .. } => "stix-bad-object",
            StixError::Attached { .. } => "stix-bad-attached",
            StixError::Alert { .. } => "stix-bad-alert",
        }
    }

    /// The fault in French (the [`std::fmt::Display`] text).
    pub fn message_fr(&self) -> String {
        self.to_string()
    }

    /// The fault in English.
    pub fn message_en(&self) -> String {
        match self {
            StixError::TooLarge { limit } => format!("the file exceeds {limit} bytes"),
            StixError::TooDeep {
                limit,
                line,
                column,
            } => format!("line {line}, column {column}: the JSON nests more than {limit} levels"),
            StixError::StringTooLong {
                limit,
                line,
                column,
            } => format!("line {line}, column {column}: a string exceeds {limit} bytes"),
            StixError::TooManyContainers {
                limit,
                line,
                column,
            } => format!(
                "line {line}, column {column}: the file holds more than {limit} JSON objects \
                 and lists"
            ),
            StixError::TooManyObjects {
                limit,
                line,
                column,
            } => format!(
                "line {line}, column {column}: the bundle holds more than {limit} STIX objects"
            ),
            StixError::Json {
                line,
                column,
                message,
            } => format!("line {line}, column {column}: unreadable JSON ({message})"),
            StixError::NotABundle { found } => not_a_bundle(Language::En, found),
            StixError::BundleId { value } => bundle_id(Language::En, value),
            StixError::BundleObjects => "the bundle's \"objects\" key is not a list".to_owned(),
            StixError::Version { version } => {
                format!("the bundle is STIX {version}; only STIX {SPEC_VERSION} is read")
            }
            StixError::Object {
                index,
                id,
                field,
                fault,
            } => at_object(Language::En, "objects", *index, id, field, fault),
            StixError::Attached {
                index,
                id,
                field,
                fault,
            } => at_object(Language::En, "attached", *index, id, field, fault),
            StixError::Alert { field, fault } => format!(
                "the alert cannot be written as STIX: field \"{field}\": {}",
                fault.message(Language::En)
            ),
        }
    }

    pub fn message(&self, language: Language) -> String {
        match language {
            Language::Fr => self.message_fr(),
            Language::En => self.message_en(),
        }
    }
}

/// One object of a bundle: what the pages show of it, and the object itself.
#[derive(Debug, Clone, PartialEq)]
pub struct StixObject {
    /// `<type>--<UUID>`.
    pub id: String,
    /// `indicator`, `malware`, `relationship`, `report`…
    pub object_type: String,
    pub name: Option<String>,
    /// An indicator's pattern (`[ipv4-addr:value = '10.0.0.0']`); present and non-empty on
    /// every indicator.
    pub pattern: Option<String>,
    /// `stix`, `snort`, `yara`…; present on every indicator.
    pub pattern_type: Option<String>,
    /// Timestamps as written in the file (each checked to be RFC 3339).
    pub valid_from: Option<String>,
    pub created: Option<String>,
    pub modified: Option<String>,
    pub description: Option<String>,
    pub labels: Vec<String>,
    /// The object as read, every property kept.
    pub raw: Value,
}

impl StixObject {
    /// When this version was made, for choosing between versions of one id.
    fn modified_at(&self) -> Option<DateTime<FixedOffset>> {
        self.modified
            .as_deref()
            .and_then(|m| DateTime::parse_from_rfc3339(m).ok())
    }

    /// Whether this version replaces `other`, a version of the same id met before it.
    fn supersedes(&self, other: &StixObject) -> bool {
        self.modified_at() >= other.modified_at()
    }
}

/// A bundle read: its id and its objects in the file's order, one version of each id.
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    pub id: String,
    pub objects: Vec<StixObject>,
    /// Older versions of an id left out (see the module's documentation).
    pub superseded: usize,
}

impl Bundle {
    pub fn get(&self, id: &str) -> Option<&StixObject> {
        self.objects.iter().find(|o| o.id == id)
    }

    /// How many objects are of `object_type`.
    pub fn count(&self, object_type: &str) -> usize {
        self.objects
            .iter()
            .filter(|o| o.object_type == object_type)
            .count()
    }

    /// The objects as read, for storing or writing again.
    pub fn raw_objects(&self) -> Vec<Value> {
        self.objects.iter().map(|o| o.raw.clone()).collect()
    }
}

/// Reads a STIX 2.1 bundle within `limits`: every object is checked (see [`StixError`] for
/// what is refused) and kept whole.
pub fn read_bundle(bytes: &[u8], limits: &StixLimits) -> Result<Bundle, StixError> {
    if bytes.len() > limits.max_bytes {
        return Err(StixError::TooLarge {
            limit: limits.max_bytes,
        });
    }
    // serde_json refuses the byte-order mark some Windows tools write.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    prescan(bytes, limits)?;
    let document: Value = serde_json::from_slice(bytes).map_err(|e| json_error(&e))?;

    let Value::Object(mut root) = document else {
        return Err(StixError::NotABundle { found: None });
    };
    match root.get("type") {
        Some(Value::String(t)) if t == "bundle" => {}
        Some(Value::String(t)) => {
            return Err(StixError::NotABundle {
                found: Some(shown(t)),
            })
        }
        _ => return Err(StixError::NotABundle { found: None }),
    }
    // A 2.1 bundle has no `spec_version`; a 2.0 one says `2.0`.
    match root.get("spec_version") {
        None => {}
        Some(Value::String(v)) if v == SPEC_VERSION => {}
        Some(Value::String(v)) => return Err(StixError::Version { version: shown(v) }),
        Some(other) => {
            return Err(StixError::Version {
                version: shown(&other.to_string()),
            })
        }
    }
    let id = match root.get("id") {
        Some(Value::String(id)) if parse_id(id).is_some_and(|(t, _)| t == "bundle") => id.clone(),
        Some(Value::String(id)) => {
            return Err(StixError::BundleId {
                value: Some(shown(id)),
            })
        }
        Some(other) => {
            return Err(StixError::BundleId {
                value: Some(shown(&other.to_string())),
            })
        }
        None => return Err(StixError::BundleId { value: None }),
    };
    let list = match root.remove("objects") {
        None => Vec::new(),
        Some(Value::Array(list)) => list,
        Some(_) => return Err(StixError::BundleObjects),
    };

    let mut objects: Vec<StixObject> = Vec::with_capacity(list.len());
    let mut places: HashMap<String, usize> = HashMap::with_capacity(list.len());
    let mut superseded = 0;
    for (index, value) in list.into_iter().enumerate() {
        let object = check_object(value).map_err(|f| f.at_object(index))?;
        keep_latest(&mut objects, &mut places, object, &mut superseded);
    }
    Ok(Bundle {
        id,
        objects,
        superseded,
    })
}

/// Adds `object` to `objects`, or puts it in the place of an older version of its id.
fn keep_latest(
    objects: &mut Vec<StixObject>,
    places: &mut HashMap<String, usize>,
    object: StixObject,
    superseded: &mut usize,
) {
    match places.get(&object.id).and_then(|&at| objects.get_mut(at)) {
        Some(kept) => {
            *superseded += 1;
            if object.supersedes(kept) {
                *kept = object;
            }
        }
        None => {
            places.insert(object.id.clone(), objects.len());
            objects.push(object);
        }
    }
}

/// One pass over the bytes before parsing: nesting, strings' lengths, JSON objects and lists,
/// entries of the bundle's lists. Whatever it lets through may still be bad JSON, which the
/// parser then names.
fn prescan(bytes: &[u8], limits: &StixLimits) -> Result<(), StixError> {
    let mut line = 1;
    let mut line_start = 0;
    let mut depth = 0usize;
    let mut containers = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    // Where the string being read opens (its quote).
    let mut string_open = 0;
    // In a list of the bundle (depth 2): its entries so far, and whether one is awaited.
    let mut in_top_list = false;
    let mut entries = 0usize;
    let mut awaiting_entry = false;
    let at = |i: usize, line: usize, line_start: usize| (line, i - line_start + 1);

    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
                continue;
            }
            // Bytes of the string so far, this one included.
            if i - string_open > limits.max_string_bytes {
                let (line, column) = at(string_open, line, line_start);
                return Err(StixError::StringTooLong {
                    limit: limits.max_string_bytes,
                    line,
                    column,
                });
            }
            if b == b'\n' {
                // Not valid JSON; the parser will say where. Counted so that the lines
                // named before it stay right.
                line += 1;
                line_start = i + 1;
            }
            continue;
        }
        let entry_starts = !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b',' | b':' | b']' | b'}');
        if entry_starts && depth == 2 && in_top_list && awaiting_entry {
            awaiting_entry = false;
            entries += 1;
            if entries > limits.max_objects {
                let (line, column) = at(i, line, line_start);
                return Err(StixError::TooManyObjects {
                    limit: limits.max_objects,
                    line,
                    column,
                });
            }
        }
        match b {
            b'\n' => {
                line += 1;
                line_start = i + 1;
            }
            b'"' => {
                in_string = true;
                escaped = false;
                string_open = i;
            }
            b'{' | b'[' => {
                depth += 1;
                containers += 1;
                if depth > limits.max_depth {
                    let (line, column) = at(i, line, line_start);
                    return Err(StixError::TooDeep {
                        limit: limits.max_depth,
                        line,
                        column,
                    });
                }
                if containers > limits.max_containers {
                    let (line, column) = at(i, line, line_start);
                    return Err(StixError::TooManyContainers {
                        limit: limits.max_containers,
                        line,
                        column,
                    });
                }
                if depth == 2 {
                    in_top_list = b == b'[';
                    entries = 0;
                    awaiting_entry = true;
                }
            }
            b'}' | b']' => {
                if depth == 2 {
                    in_top_list = false;
                }
                depth = depth.saturating_sub(1);
            }
            b',' if depth == 2 && in_top_list => awaiting_entry = true,
            _ => {}
        }
    }
    Ok(())
}

fn json_error(e: &serde_json::Error) -> StixError {
    // serde_json ends its text with the position, which the error already carries.
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = text.strip_suffix(&suffix).unwrap_or(&text);
    StixError::Json {
        line: e.line(),
        column: e.column(),
        message: message.chars().take(200).collect(),
    }
}

/// At most [`SHOWN_CHARS`] characters of a value from the file, for a message.
fn shown(value: &str) -> String {
    if value.chars().count() <= SHOWN_CHARS {
        value.to_owned()
    } else {
        let mut s: String = value.chars().take(SHOWN_CHARS - 1).collect();
        s.push('…');
        s
    }
}

/// A fault found in an object, before it is known where the object is.
struct Fault {
    id: Option<String>,
    field: Option<String>,
    fault: ObjectFault,
}

impl Fault {
    fn at_object(self, index: usize) -> StixError {
        StixError::Object {
            index,
            id: self.id,
            field: self.field,
            fault: self.fault,
        }
    }

    fn at_attached(self, index: usize) -> StixError {
        StixError::Attached {
            index,
            id: self.id,
            field: self.field,
            fault: self.fault,
        }
    }
}

/// Types whose `spec_version` is optional in STIX 2.1: the cyber-observable objects (§6).
const OBSERVABLE_TYPES: [&str; 18] = [
    "artifact",
    "autonomous-system",
    "directory",
    "domain-name",
    "email-addr",
    "email-message",
    "file",
    "ipv4-addr",
    "ipv6-addr",
    "mac-addr",
    "mutex",
    "network-traffic",
    "process",
    "software",
    "url",
    "user-account",
    "windows-registry-key",
    "x509-certificate",
];

/// Timestamps checked when present (those of the summary, and a report's `published`).
const TIMESTAMPS: [&str; 4] = ["created", "modified", "valid_from", "published"];

/// References checked when present, one id each.
const REF_FIELDS: [&str; 1] = ["created_by_ref"];

/// Lists of references checked when present.
const REFS_FIELDS: [&str; 4] = [
    "object_marking_refs",
    "object_refs",
    "observed_data_refs",
    "where_sighted_refs",
];

/// A STIX type name: 3 to 250 characters among `a-z`, `0-9` and `-`, without `--` (which
/// separates the type from the UUID in an id).
fn is_type_name(s: &str) -> bool {
    (3..=250).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.contains("--")
}

/// A UUID written as 8-4-4-4-12 hexadecimal digits.
fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// `<type>--<UUID>` split into its type and UUID.
fn parse_id(id: &str) -> Option<(&str, &str)> {
    let (object_type, uuid) = id.split_once("--")?;
    (is_type_name(object_type) && is_uuid(uuid)).then_some((object_type, uuid))
}

/// Checks one object and makes its summary; the object is kept whole.
fn check_object(value: Value) -> Result<StixObject, Fault> {
    let Value::Object(map) = &value else {
        return Err(Fault {
            id: None,
            field: None,
            fault: ObjectFault::NotAnObject,
        });
    };
    let fault = |id: Option<&str>, field: &str, fault: ObjectFault| Fault {
        id: id.map(shown),
        field: Some(field.to_owned()),
        fault,
    };

    let object_type = match map.get("type") {
        Some(Value::String(t)) if is_type_name(t) => t.clone(),
        Some(Value::String(t)) => return Err(fault(None, "type", ObjectFault::BadType(shown(t)))),
        Some(_) => return Err(fault(None, "type", ObjectFault::NotAString)),
        None => return Err(fault(None, "type", ObjectFault::Missing)),
    };
    let id = match map.get("id") {
        Some(Value::String(id)) => match parse_id(id) {
            Some((t, _)) if t == object_type => id.clone(),
            Some((t, _)) => {
                return Err(fault(
                    Some(id),
                    "id",
                    ObjectFault::IdPrefix {
                        id_type: t.to_owned(),
                        object_type,
                    },
                ))
            }
            None => return Err(fault(None, "id", ObjectFault::BadId(shown(id)))),
        },
        Some(_) => return Err(fault(None, "id", ObjectFault::NotAString)),
        None => return Err(fault(None, "id", ObjectFault::Missing)),
    };
    let at = |field: &str, f: ObjectFault| fault(Some(&id), field, f);

    match map.get("spec_version") {
        Some(Value::String(v)) if v == SPEC_VERSION => {}
        Some(Value::String(v)) => return Err(at("spec_version", ObjectFault::Version(shown(v)))),
        Some(_) => return Err(at("spec_version", ObjectFault::NotAString)),
        None if OBSERVABLE_TYPES.contains(&object_type.as_str()) => {}
        None => return Err(at("spec_version", ObjectFault::NoVersion)),
    }

    let text = |field: &str| -> Result<Option<String>, Fault> {
        match map.get(field) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(at(field, ObjectFault::NotAString)),
        }
    };
    let required = |field: &str| -> Result<String, Fault> {
        match text(field)? {
            None => Err(at(field, ObjectFault::Missing)),
            Some(s) if s.trim().is_empty() => Err(at(field, ObjectFault::Empty)),
            Some(s) => Ok(s),
        }
    };
    let reference = |field: &str, value: &Value| -> Result<(), Fault> {
        match value {
            Value::String(r) if parse_id(r).is_some() => Ok(()),
            Value::String(r) => Err(at(field, ObjectFault::BadRef(shown(r)))),
            _ => Err(at(field, ObjectFault::NotAString)),
        }
    };

    for field in TIMESTAMPS {
        if let Some(t) = text(field)? {
            if DateTime::parse_from_rfc3339(&t).is_err() {
                return Err(at(field, ObjectFault::BadTimestamp(shown(&t))));
            }
        }
    }
    let labels = match map.get("labels") {
        None => Vec::new(),
        Some(Value::Array(list)) => list
            .iter()
            .map(|l| l.as_str().map(str::to_owned))
            .collect::<Option<Vec<String>>>()
            .ok_or_else(|| at("labels", ObjectFault::NotAStringList))?,
        Some(_) => return Err(at("labels", ObjectFault::NotAStringList)),
    };
    for field in REF_FIELDS {
        if let Some(r) = map.get(field) {
            reference(field, r)?;
        }
    }
    for field in REFS_FIELDS {
        match map.get(field) {
            None => {}
            Some(Value::Array(list)) => {
                for (i, r) in list.iter().enumerate() {
                    reference(&format!("{field}[{i}]"), r)?;
                }
            }
            Some(_) => return Err(at(field, ObjectFault::NotAStringList)),
        }
    }

    let (pattern, pattern_type) = match object_type.as_str() {
        "indicator" => (Some(required("pattern")?), Some(required("pattern_type")?)),
        _ => (text("pattern")?, text("pattern_type")?),
    };
    match object_type.as_str() {
        // The ends of a relationship may be objects of this bundle or of others: each must
        // be an id, whether or not the bundle holds it.
        "relationship" => {
            required("relationship_type")?;
            for field in ["source_ref", "target_ref"] {
                match map.get(field) {
                    Some(r) => reference(field, r)?,
                    None => return Err(at(field, ObjectFault::Missing)),
                }
            }
        }
        "sighting" => match map.get("sighting_of_ref") {
            Some(r) => reference("sighting_of_ref", r)?,
            None => return Err(at("sighting_of_ref", ObjectFault::Missing)),
        },
        _ => {}
    }

    let name = text("name")?;
    let description = text("description")?;
    let valid_from = text("valid_from")?;
    let created = text("created")?;
    let modified = text("modified")?;
    Ok(StixObject {
        id,
        object_type,
        name,
        pattern,
        pattern_type,
        valid_from,
        created,
        modified,
        description,
        labels,
        raw: value,
    })
}

// ---------------------------------------------------------------------------------------
// Writing

/// The namespace of the issuers' identity ids (UUID version 5 of the organization's slug):
/// the same organization is the same STIX identity in every export. Never change it.
pub const IDENTITY_NAMESPACE: Uuid = Uuid::from_u128(0x45496e72_a4ca_483b_bf3f_852044be7c53);

/// `created` and `modified` of an issuer's identity: fixed, so that exporting twice gives the
/// same object. (A renamed organization keeps this version date: a consumer that already
/// holds the identity keeps the former name until it takes the new one by hand.)
pub const IDENTITY_TIMESTAMP: &str = "2025-01-01T00:00:00.000Z";

/// A fresh `bundle--<UUID v4>`.
pub fn new_bundle_id() -> String {
    format!("bundle--{}", Uuid::new_v4())
}

/// A fresh `report--<UUID v4>`, for a new alert's `stix_id`.
pub fn new_report_id() -> String {
    format!("report--{}", Uuid::new_v4())
}

/// The identity id of the organization whose slug is `slug`.
pub fn identity_id(slug: &str) -> String {
    format!(
        "identity--{}",
        Uuid::new_v5(&IDENTITY_NAMESPACE, slug.as_bytes())
    )
}

/// The STIX identity of an issuing organization.
pub fn issuer_identity(name: &str, slug: &str) -> Value {
    json!({
        "type": "identity",
        "spec_version": SPEC_VERSION,
        "id": identity_id(slug),
        "created": IDENTITY_TIMESTAMP,
        "modified": IDENTITY_TIMESTAMP,
        "name": name,
        "identity_class": "organization",
    })
}

/// The bundle of `objects`, with a fresh id, as a JSON value.
pub fn bundle(objects: &[Value]) -> Value {
    json!({
        "type": "bundle",
        "id": new_bundle_id(),
        "objects": objects,
    })
}

/// The bundle of `objects`, with a fresh id, as indented JSON: `type` and `id` first, then
/// the objects (each with its keys in alphabetical order).
pub fn write_bundle(objects: &[Value]) -> String {
    let mut out = format!(
        "{{\n  \"type\": \"bundle\",\n  \"id\": \"{}\",\n  \"objects\": [",
        new_bundle_id()
    );
    for (i, object) in objects.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("\n    ");
        // Indented JSON holds no raw line break inside a string (they are escaped), so
        // every line break is between tokens and may take the extra indentation.
        out.push_str(&format!("{object:#}").replace('\n', "\n    "));
    }
    if !objects.is_empty() {
        out.push_str("\n  ");
    }
    out.push_str("]\n}\n");
    out
}

/// What the report says an alert is about (`report_types`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// `threat-report`: an alert about a threat, with what is known of it.
    ThreatReport,
    /// `indicator`: an alert whose substance is indicators to look for.
    Indicator,
}

impl ReportKind {
    pub fn report_type(self) -> &'static str {
        match self {
            ReportKind::ThreatReport => "threat-report",
            ReportKind::Indicator => "indicator",
        }
    }
}

/// What a STIX export says of an alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertForStix {
    /// `report--<UUID>`, kept with the alert so that every export names it alike
    /// ([`new_report_id`] makes one).
    pub stix_id: String,
    pub issuer_name: String,
    /// The issuing organization's slug, from which its identity id is made.
    pub issuer_slug: String,
    pub title: String,
    pub description: String,
    pub severity: Severity,
    /// When the alert was issued, RFC 3339 (any offset; written in UTC to the millisecond).
    pub published: String,
    /// When it was last changed, if since it was issued: the report's `modified`, by which a
    /// consumer tells a newer version from an older.
    pub modified: Option<String>,
    pub kind: ReportKind,
}

/// The label that carries an alert's severity (`severity:high`).
pub fn severity_label(severity: Severity) -> &'static str {
    match severity {
        Severity::Low => "severity:low",
        Severity::Medium => "severity:medium",
        Severity::High => "severity:high",
        Severity::Critical => "severity:critical",
    }
}

/// An RFC 3339 timestamp in UTC to the millisecond, as STIX writes `created` and `modified`.
fn stix_timestamp(field: &'static str, value: &str) -> Result<DateTime<Utc>, StixError> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| StixError::Alert {
            field,
            fault: ObjectFault::BadTimestamp(shown(value)),
        })
}

fn written(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The objects of an alert's export: the issuer's identity, the alert's report, then the
/// `attached` objects as they were imported. Each attached object is checked as
/// [`read_bundle`] checks the objects of a bundle, so the export reads back; of several
/// versions of one id the latest is written, and an attached copy of the issuer's identity or
/// of the report itself is left out (they are written afresh).
///
/// The report refers to every attached object (`object_refs`); with nothing attached it
/// refers to the issuer's identity, as STIX wants at least one reference.
pub fn alert_objects(alert: &AlertForStix, attached: &[Value]) -> Result<Vec<Value>, StixError> {
    let empty = |field: &'static str| StixError::Alert {
        field,
        fault: ObjectFault::Empty,
    };
    match parse_id(&alert.stix_id) {
        Some(("report", _)) => {}
        Some((t, _)) => {
            return Err(StixError::Alert {
                field: "stix_id",
                fault: ObjectFault::IdPrefix {
                    id_type: t.to_owned(),
                    object_type: "report".to_owned(),
                },
            })
        }
        None => {
            return Err(StixError::Alert {
                field: "stix_id",
                fault: ObjectFault::BadId(shown(&alert.stix_id)),
            })
        }
    }
    if alert.issuer_slug.trim().is_empty() {
        return Err(empty("issuer_slug"));
    }
    if alert.issuer_name.trim().is_empty() {
        return Err(empty("issuer_name"));
    }
    if alert.title.trim().is_empty() {
        return Err(empty("title"));
    }
    let published = stix_timestamp("published", &alert.published)?;
    let modified = match &alert.modified {
        Some(m) => stix_timestamp("modified", m)?.max(published),
        None => published,
    };

    let identity = issuer_identity(&alert.issuer_name, &alert.issuer_slug);
    let identity_id = identity_id(&alert.issuer_slug);
    let mut kept: Vec<StixObject> = Vec::with_capacity(attached.len());
    let mut places = HashMap::with_capacity(attached.len());
    let mut superseded = 0;
    for (index, value) in attached.iter().enumerate() {
        let object = check_object(value.clone()).map_err(|f| f.at_attached(index))?;
        if object.id != identity_id && object.id != alert.stix_id {
            keep_latest(&mut kept, &mut places, object, &mut superseded);
        }
    }
    let refs: Vec<&str> = if kept.is_empty() {
        vec![identity_id.as_str()]
    } else {
        kept.iter().map(|o| o.id.as_str()).collect()
    };

    let mut report = Map::new();
    report.insert("type".into(), json!("report"));
    report.insert("spec_version".into(), json!(SPEC_VERSION));
    report.insert("id".into(), json!(alert.stix_id));
    report.insert("created".into(), json!(written(published)));
    report.insert("modified".into(), json!(written(modified)));
    report.insert("created_by_ref".into(), json!(identity_id));
    report.insert("name".into(), json!(alert.title));
    if !alert.description.trim().is_empty() {
        report.insert("description".into(), json!(alert.description));
    }
    report.insert("published".into(), json!(written(published)));
    report.insert("report_types".into(), json!([alert.kind.report_type()]));
    report.insert("labels".into(), json!([severity_label(alert.severity)]));
    report.insert("object_refs".into(), json!(refs));

    let mut objects = Vec::with_capacity(kept.len() + 2);
    objects.push(identity);
    objects.push(Value::Object(report));
    objects.extend(kept.into_iter().map(|o| o.raw));
    Ok(objects)
}

/// An alert's export as a bundle with a fresh id (see [`alert_objects`]); [`write_bundle`]
/// writes the same objects as text.
pub fn alert_bundle(alert: &AlertForStix, attached: &[Value]) -> Result<Value, StixError> {
    Ok(bundle(&alert_objects(alert, attached)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    macro_rules! data {
        ($name:literal) => {
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/data/stix/",
                $name
            )
        };
    }

    const APT1: &[u8] = include_bytes!(data!("apt1.json"));
    const CAMPAIGN: &[u8] = include_bytes!(data!("indicator-to-campaign-relationship.json"));
    const C2: &[u8] = include_bytes!(data!("indicators-for-C2-with-COA.json"));

    fn read(json: &str) -> Result<Bundle, StixError> {
        read_bundle(json.as_bytes(), &StixLimits::default())
    }

    /// Objects per type, in alphabetical order of type.
    fn counts(bundle: &Bundle) -> Vec<(String, usize)> {
        let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
        for o in &bundle.objects {
            *counts.entry(o.object_type.clone()).or_default() += 1;
        }
        counts.into_iter().collect()
    }

    fn expect(pairs: &[(&str, usize)]) -> Vec<(String, usize)> {
        pairs.iter().map(|(t, n)| (t.to_string(), *n)).collect()
    }

    const INDICATOR: &str = r#"{"type": "indicator", "spec_version": "2.1",
        "id": "indicator--c43a0a05-e8d2-4f64-ae37-3f3fb153f8d9",
        "created": "2014-09-09T19:58:39.609Z", "modified": "2014-09-09T19:58:39.609Z",
        "name": "n", "pattern": "[ipv4-addr:value = '10.0.0.0']", "pattern_type": "stix",
        "valid_from": "2014-09-09T19:58:39.609Z"}"#;

    fn bundle_of(objects: &[&str]) -> String {
        format!(
            r#"{{"type": "bundle", "id": "bundle--44af6c39-c09b-49c5-9de2-394224b04982",
                "objects": [{}]}}"#,
            objects.join(",")
        )
    }

    /// The indicator with one property replaced (or removed, with `null`).
    fn indicator_with(key: &str, value: Value) -> String {
        let mut v: Value = serde_json::from_str(INDICATOR).unwrap();
        if value.is_null() {
            v.as_object_mut().unwrap().remove(key);
        } else {
            v[key] = value;
        }
        v.to_string()
    }

    // The expected counts were established by reading each file with Python:
    //   python3 -c 'import json,sys,collections; d=json.load(open(sys.argv[1]));
    //     print(len(d["objects"]), sorted(collections.Counter(o["type"]
    //     for o in d["objects"]).items()))' FILE
    // All three are STIX 2.1 (every object carries "spec_version": "2.1", the bundles none),
    // with no duplicate id; every relationship's ends are objects of its bundle.

    #[test]
    fn apt1_holds_76_objects() {
        let b = read_bundle(APT1, &StixLimits::default()).unwrap();
        assert_eq!(b.id, "bundle--cf20f99b-3ed2-4a9f-b4f1-d660a7fc8241");
        assert_eq!(b.objects.len(), 76);
        assert_eq!(b.superseded, 0);
        assert_eq!(
            counts(&b),
            expect(&[
                ("attack-pattern", 7),
                ("identity", 4),
                ("indicator", 12),
                ("intrusion-set", 1),
                ("malware", 6),
                ("relationship", 30),
                ("report", 1),
                ("threat-actor", 5),
                ("tool", 10),
            ])
        );
        let indicators: Vec<&StixObject> = b
            .objects
            .iter()
            .filter(|o| o.object_type == "indicator")
            .collect();
        assert!(indicators
            .iter()
            .all(|i| i.pattern_type.as_deref() == Some("stix") && i.valid_from.is_some()));
        assert_eq!(
            indicators[0].pattern.as_deref(),
            Some("[ipv4-addr:value = '223.166.0.0/15']")
        );
        let report = b
            .objects
            .iter()
            .find(|o| o.object_type == "report")
            .unwrap();
        assert_eq!(report.raw["object_refs"].as_array().unwrap().len(), 75);
        assert!(report.name.is_some() && report.description.is_some());
        // Every relationship's ends are in the bundle.
        for r in b.objects.iter().filter(|o| o.object_type == "relationship") {
            for end in ["source_ref", "target_ref"] {
                assert!(b.get(r.raw[end].as_str().unwrap()).is_some(), "{}", r.id);
            }
        }
    }

    #[test]
    fn indicator_to_campaign_holds_3_objects() {
        let b = read_bundle(CAMPAIGN, &StixLimits::default()).unwrap();
        assert_eq!(b.objects.len(), 3);
        assert_eq!(
            counts(&b),
            expect(&[("campaign", 1), ("indicator", 1), ("relationship", 1)])
        );
        let i = b
            .get("indicator--c43a0a05-e8d2-4f64-ae37-3f3fb153f8d9")
            .unwrap();
        assert_eq!(i.name.as_deref(), Some("test_name"));
        assert_eq!(i.description.as_deref(), Some("Test description."));
        assert_eq!(
            i.pattern.as_deref(),
            Some("[ ipv4-addr:value = '10.0.0.0' ]")
        );
        assert_eq!(i.pattern_type.as_deref(), Some("stix"));
        assert_eq!(i.valid_from.as_deref(), Some("2014-09-09T19:58:39.609000Z"));
        assert_eq!(i.created.as_deref(), Some("2014-09-09T19:58:39.609Z"));
        assert_eq!(i.modified.as_deref(), Some("2014-09-09T19:58:39.609Z"));
        assert!(i.labels.is_empty());
        assert_eq!(b.count("campaign"), 1);
        assert_eq!(
            b.get("campaign--b549a58c-afd9-4847-85c3-5be13d56d3cc")
                .and_then(|c| c.name.as_deref()),
            Some("Operation Omega")
        );
    }

    #[test]
    fn indicators_for_c2_hold_8_objects() {
        let b = read_bundle(C2, &StixLimits::default()).unwrap();
        assert_eq!(b.objects.len(), 8);
        assert_eq!(
            counts(&b),
            expect(&[
                ("course-of-action", 1),
                ("identity", 1),
                ("indicator", 2),
                ("malware", 1),
                ("relationship", 3),
            ])
        );
    }

    #[test]
    fn every_shared_file_reads_back_unchanged_after_writing() {
        for bytes in [APT1, CAMPAIGN, C2] {
            let original: Value = serde_json::from_slice(bytes).unwrap();
            let first = read_bundle(bytes, &StixLimits::default()).unwrap();
            // Nothing lost: the objects read are the file's, property for property.
            assert_eq!(
                Value::Array(first.raw_objects()),
                original["objects"],
                "{}",
                first.id
            );
            let text = write_bundle(&first.raw_objects());
            let again = read(&text).unwrap();
            assert_eq!(again.objects, first.objects);
            assert_ne!(again.id, first.id);
            assert!(again.id.starts_with("bundle--"));
        }
    }

    #[test]
    fn numbers_read_back_exactly_after_writing() {
        // Québec City, with every digit a double holds, and numbers at the ends of the range:
        // serde_json's float_roundtrip keeps them (without it, 1.0715660391465826e-75 comes
        // back as …823e-75).
        let location = r#"{"type": "location", "spec_version": "2.1",
            "id": "location--a6e9345f-5a15-4c29-8bb3-7dcc5d168d64",
            "created": "2016-04-06T20:03:00.000Z", "modified": "2016-04-06T20:03:00.000Z",
            "latitude": 46.81388888888889, "longitude": -71.20805555555556,
            "x_small": 1.0715660391465826e-75, "x_large": -1.6039646154281830e143,
            "x_u64": 18446744073709551615, "x_i64": -9223372036854775808,
            "x_past_u64": 100000000000000000000000000000}"#;
        let b = read(&bundle_of(&[location])).unwrap();
        let raw = &b.objects[0].raw;
        assert_eq!(raw["x_small"].as_f64(), Some(1.0715660391465826e-75));
        assert_eq!(raw["x_u64"].as_u64(), Some(u64::MAX));
        let again = read(&write_bundle(&b.raw_objects())).unwrap();
        assert_eq!(again.objects, b.objects);
    }

    fn alert() -> AlertForStix {
        AlertForStix {
            stix_id: "report--2f0b1a6e-5d1c-4b7a-9e3f-0c8d7a6b5e4f".to_owned(),
            issuer_name: "Centre gouvernemental de cyberdéfense".to_owned(),
            issuer_slug: "cgcd".to_owned(),
            title: "Campagne d'hameçonnage visant les ministères".to_owned(),
            description: "Des courriels « urgents » imitent le portail de paie.".to_owned(),
            severity: Severity::High,
            published: "2025-03-14T09:30:00-04:00".to_owned(),
            modified: None,
            kind: ReportKind::Indicator,
        }
    }

    #[test]
    fn an_alert_is_exported_with_its_issuer_report_and_attached_objects() {
        let imported = read_bundle(C2, &StixLimits::default()).unwrap();
        let attached = imported.raw_objects();
        let objects = alert_objects(&alert(), &attached).unwrap();
        assert_eq!(objects.len(), 2 + attached.len());
        assert_eq!(objects[2..], attached[..]);

        let identity = &objects[0];
        assert_eq!(identity["type"], "identity");
        assert_eq!(identity["identity_class"], "organization");
        assert_eq!(identity["name"], "Centre gouvernemental de cyberdéfense");
        // UUID v5 of the slug in Rempart's namespace: the same in every export.
        let id = identity["id"].as_str().unwrap();
        assert_eq!(id, identity_id("cgcd"));
        assert_eq!(
            Uuid::parse_str(id.trim_start_matches("identity--"))
                .unwrap()
                .get_version_num(),
            5
        );
        assert_ne!(identity_id("cgcd"), identity_id("cocd"));
        assert_eq!(
            issuer_identity("Centre gouvernemental de cyberdéfense", "cgcd"),
            *identity
        );

        let report = &objects[1];
        assert_eq!(report["id"], "report--2f0b1a6e-5d1c-4b7a-9e3f-0c8d7a6b5e4f");
        assert_eq!(report["spec_version"], "2.1");
        assert_eq!(
            report["name"],
            "Campagne d'hameçonnage visant les ministères"
        );
        assert_eq!(report["published"], "2025-03-14T13:30:00.000Z");
        assert_eq!(report["created"], "2025-03-14T13:30:00.000Z");
        assert_eq!(report["modified"], "2025-03-14T13:30:00.000Z");
        assert_eq!(report["report_types"], json!(["indicator"]));
        assert_eq!(report["labels"], json!(["severity:high"]));
        assert_eq!(report["created_by_ref"], json!(id));
        let refs: Vec<&str> = attached.iter().map(|o| o["id"].as_str().unwrap()).collect();
        assert_eq!(report["object_refs"], json!(refs));

        // Exported twice, the objects are the same; the bundles' ids differ.
        assert_eq!(alert_objects(&alert(), &attached).unwrap(), objects);
        let one = alert_bundle(&alert(), &attached).unwrap();
        let two = alert_bundle(&alert(), &attached).unwrap();
        assert_eq!(one["objects"], two["objects"]);
        assert_ne!(one["id"], two["id"]);
        let bundle_uuid = one["id"].as_str().unwrap().trim_start_matches("bundle--");
        assert_eq!(Uuid::parse_str(bundle_uuid).unwrap().get_version_num(), 4);
    }

    #[test]
    fn an_alert_bundle_reads_back_as_written() {
        let attached = read_bundle(APT1, &StixLimits::default())
            .unwrap()
            .raw_objects();
        let objects = alert_objects(&alert(), &attached).unwrap();
        let text = alert_bundle(&alert(), &attached).unwrap().to_string();
        let read_value = read(&text).unwrap();
        assert_eq!(read_value.raw_objects(), objects);
        let read_text = read(&write_bundle(&objects)).unwrap();
        assert_eq!(read_text.raw_objects(), objects);
        assert_eq!(read_text.count("report"), 2);
        assert_eq!(read_text.count("identity"), 5);
    }

    #[test]
    fn an_alert_without_attachments_refers_to_its_issuer() {
        let mut a = alert();
        a.kind = ReportKind::ThreatReport;
        a.severity = Severity::Critical;
        a.description = "  ".to_owned();
        a.modified = Some("2025-03-15T08:00:00Z".to_owned());
        let objects = alert_objects(&a, &[]).unwrap();
        assert_eq!(objects.len(), 2);
        let report = &objects[1];
        assert_eq!(report["object_refs"], json!([identity_id("cgcd")]));
        assert_eq!(report["report_types"], json!(["threat-report"]));
        assert_eq!(report["labels"], json!(["severity:critical"]));
        assert_eq!(report["modified"], "2025-03-15T08:00:00.000Z");
        assert!(report.get("description").is_none());
        let b = read(&write_bundle(&objects)).unwrap();
        assert_eq!(b.raw_objects(), objects);
        // A modification dated before publication is not earlier than it.
        a.modified = Some("2020-01-01T00:00:00Z".to_owned());
        let objects = alert_objects(&a, &[]).unwrap();
        assert_eq!(objects[1]["modified"], "2025-03-14T13:30:00.000Z");
    }

    #[test]
    fn a_re_export_leaves_out_stale_copies_of_its_issuer_and_report() {
        let first = alert_objects(&alert(), &[INDICATOR.parse().unwrap()]).unwrap();
        // The export imported again and attached to the same alert: the identity and the
        // report are not attached twice.
        let again = alert_objects(&alert(), &first).unwrap();
        assert_eq!(again, first);
        // Two versions of one attached object: the later is written.
        let newer = indicator_with("modified", json!("2015-01-01T00:00:00Z"));
        let objects = alert_objects(
            &alert(),
            &[newer.parse().unwrap(), INDICATOR.parse().unwrap()],
        )
        .unwrap();
        assert_eq!(objects.len(), 3);
        assert_eq!(objects[2]["modified"], "2015-01-01T00:00:00Z");
    }

    #[test]
    fn an_alert_that_cannot_be_written_is_refused_with_the_field_named() {
        let cases: Vec<(AlertForStix, &str)> = vec![
            (
                AlertForStix {
                    stix_id: "report-2f0b1a6e".to_owned(),
                    ..alert()
                },
                "stix_id",
            ),
            (
                AlertForStix {
                    stix_id: "indicator--2f0b1a6e-5d1c-4b7a-9e3f-0c8d7a6b5e4f".to_owned(),
                    ..alert()
                },
                "stix_id",
            ),
            (
                AlertForStix {
                    published: "14 mars 2025".to_owned(),
                    ..alert()
                },
                "published",
            ),
            (
                AlertForStix {
                    modified: Some("demain".to_owned()),
                    ..alert()
                },
                "modified",
            ),
            (
                AlertForStix {
                    title: " ".to_owned(),
                    ..alert()
                },
                "title",
            ),
            (
                AlertForStix {
                    issuer_slug: String::new(),
                    ..alert()
                },
                "issuer_slug",
            ),
            (
                AlertForStix {
                    issuer_name: String::new(),
                    ..alert()
                },
                "issuer_name",
            ),
        ];
        for (a, field) in cases {
            match alert_objects(&a, &[]) {
                Err(StixError::Alert { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{field}: {other:?}"),
            }
        }
        let e = alert_objects(&alert(), &[json!(1)]).unwrap_err();
        assert_eq!(
            e,
            StixError::Attached {
                index: 0,
                id: None,
                field: None,
                fault: ObjectFault::NotAnObject
            }
        );
        let bad = indicator_with("pattern", json!(""));
        let e = alert_objects(
            &alert(),
            &[INDICATOR.parse().unwrap(), bad.parse().unwrap()],
        )
        .unwrap_err();
        assert_eq!(
            e.message_en(),
            "object attached[1] (indicator--c43a0a05-e8d2-4f64-ae37-3f3fb153f8d9), \
             field \"pattern\": empty"
        );
        assert_eq!(e.code(), "stix-bad-attached");
    }

    #[test]
    fn a_written_bundle_is_indented_with_type_and_id_first() {
        let text = write_bundle(&[INDICATOR.parse().unwrap()]);
        assert!(text.starts_with("{\n  \"type\": \"bundle\",\n  \"id\": \"bundle--"));
        assert!(text.contains("\n  \"objects\": [\n    {\n      \"created\""));
        assert!(text.ends_with("\n  ]\n}\n"));
        let empty = write_bundle(&[]);
        assert!(empty.ends_with("\"objects\": []\n}\n"));
        assert_eq!(read(&empty).unwrap().objects, []);
    }

    #[test]
    fn duplicate_ids_keep_the_latest_modified() {
        let older = indicator_with("name", json!("ancienne"));
        let newer = indicator_with("modified", json!("2014-09-09T19:58:39.61Z"));
        let newer = {
            let mut v: Value = newer.parse().unwrap();
            v["name"] = json!("récente");
            v.to_string()
        };
        let campaign = r#"{"type": "campaign", "spec_version": "2.1",
            "id": "campaign--b549a58c-afd9-4847-85c3-5be13d56d3cc",
            "created": "2014-09-09T19:58:39.609Z", "modified": "2014-09-09T19:58:39.609Z",
            "name": "Operation Omega"}"#;
        // Newer last, newer first: the newer is kept, in the first one's place. A string
        // comparison would put ".609Z" after ".61Z"; the times are compared.
        for order in [
            [older.as_str(), campaign, newer.as_str()],
            [newer.as_str(), campaign, older.as_str()],
        ] {
            let b = read(&bundle_of(&order)).unwrap();
            assert_eq!(b.objects.len(), 2);
            assert_eq!(b.superseded, 1);
            assert_eq!(b.objects[0].name.as_deref(), Some("récente"));
            assert_eq!(b.objects[1].object_type, "campaign");
        }
        // Same `modified`: the later in the file.
        let b = read(&bundle_of(&[&older, INDICATOR])).unwrap();
        assert_eq!(b.objects[0].name.as_deref(), Some("n"));
    }

    #[test]
    fn observables_need_no_version_and_relationships_may_point_outside() {
        let ip = r#"{"type": "ipv4-addr", "id": "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd",
            "value": "198.51.100.3"}"#;
        let rel = r#"{"type": "relationship", "spec_version": "2.1",
            "id": "relationship--eca24e47-2259-4850-9705-fd1065c77236",
            "created": "2014-09-09T19:58:39.609Z", "modified": "2014-09-09T19:58:39.609Z",
            "relationship_type": "indicates",
            "source_ref": "indicator--c43a0a05-e8d2-4f64-ae37-3f3fb153f8d9",
            "target_ref": "malware--fdd60b30-b67c-41e3-b0b2-f5e4b2a8c1e2"}"#;
        let sighting = r#"{"type": "sighting", "spec_version": "2.1",
            "id": "sighting--ee20065d-2555-424f-ad9e-0f8fd2eff4e3",
            "created": "2016-04-06T20:08:31.000Z", "modified": "2016-04-06T20:08:31.000Z",
            "sighting_of_ref": "indicator--c43a0a05-e8d2-4f64-ae37-3f3fb153f8d9",
            "where_sighted_refs": ["identity--b67d30ff-02ac-498a-92f9-32f845f448cf"],
            "labels": ["vu", "confirmé"]}"#;
        let b = read(&bundle_of(&[ip, INDICATOR, rel, sighting])).unwrap();
        assert_eq!(b.objects.len(), 4);
        assert_eq!(b.objects[0].name, None);
        assert_eq!(b.objects[3].labels, ["vu", "confirmé"]);
        // A bundle may hold nothing, and may start with a byte-order mark.
        let empty = r#"{"type": "bundle", "id": "bundle--44af6c39-c09b-49c5-9de2-394224b04982"}"#;
        assert_eq!(read(empty).unwrap().objects, []);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(C2);
        assert_eq!(
            read_bundle(&bom, &StixLimits::default())
                .unwrap()
                .objects
                .len(),
            8
        );
    }

    /// An object fault's id, field and fault.
    type Located = (Option<String>, Option<String>, ObjectFault);

    /// The object fault of a bundle holding `object` (at index 1, after a good indicator).
    fn object_fault(object: &str) -> Located {
        let other = indicator_with(
            "id",
            json!("indicator--00000000-0000-4000-8000-000000000000"),
        );
        match read(&bundle_of(&[&other, object])) {
            Err(StixError::Object {
                index: 1,
                id,
                field,
                fault,
            }) => (id, field, fault),
            other => panic!("{object}: {other:?}"),
        }
    }

    #[test]
    fn every_fault_of_an_object_is_named_with_its_place_id_and_field() {
        let id = Some("indicator--c43a0a05-e8d2-4f64-ae37-3f3fb153f8d9".to_owned());
        let f = |s: &str| Some(s.to_owned());
        let cases: Vec<(String, Located)> = vec![
            ("1".into(), (None, None, ObjectFault::NotAnObject)),
            (
                indicator_with("type", Value::Null),
                (None, f("type"), ObjectFault::Missing),
            ),
            (
                indicator_with("type", json!(7)),
                (None, f("type"), ObjectFault::NotAString),
            ),
            (
                indicator_with("type", json!("Indicator")),
                (None, f("type"), ObjectFault::BadType("Indicator".into())),
            ),
            (
                indicator_with("id", Value::Null),
                (None, f("id"), ObjectFault::Missing),
            ),
            (
                indicator_with("id", json!("indicator--1234")),
                (None, f("id"), ObjectFault::BadId("indicator--1234".into())),
            ),
            (
                indicator_with("id", json!("malware--c43a0a05-e8d2-4f64-ae37-3f3fb153f8d9")),
                (
                    f("malware--c43a0a05-e8d2-4f64-ae37-3f3fb153f8d9"),
                    f("id"),
                    ObjectFault::IdPrefix {
                        id_type: "malware".into(),
                        object_type: "indicator".into(),
                    },
                ),
            ),
            (
                indicator_with("spec_version", Value::Null),
                (id.clone(), f("spec_version"), ObjectFault::NoVersion),
            ),
            (
                indicator_with("spec_version", json!("2.0")),
                (
                    id.clone(),
                    f("spec_version"),
                    ObjectFault::Version("2.0".into()),
                ),
            ),
            (
                indicator_with("pattern", Value::Null),
                (id.clone(), f("pattern"), ObjectFault::Missing),
            ),
            (
                indicator_with("pattern", json!(" ")),
                (id.clone(), f("pattern"), ObjectFault::Empty),
            ),
            (
                indicator_with("pattern", json!(["[a:b = 1]"])),
                (id.clone(), f("pattern"), ObjectFault::NotAString),
            ),
            (
                indicator_with("pattern_type", Value::Null),
                (id.clone(), f("pattern_type"), ObjectFault::Missing),
            ),
            (
                indicator_with("valid_from", json!("2014-09-09")),
                (
                    id.clone(),
                    f("valid_from"),
                    ObjectFault::BadTimestamp("2014-09-09".into()),
                ),
            ),
            (
                indicator_with("modified", json!("hier")),
                (
                    id.clone(),
                    f("modified"),
                    ObjectFault::BadTimestamp("hier".into()),
                ),
            ),
            (
                indicator_with("name", json!({"fr": "nom"})),
                (id.clone(), f("name"), ObjectFault::NotAString),
            ),
            (
                indicator_with("labels", json!(["a", 2])),
                (id.clone(), f("labels"), ObjectFault::NotAStringList),
            ),
            (
                indicator_with("created_by_ref", json!("moi")),
                (
                    id.clone(),
                    f("created_by_ref"),
                    ObjectFault::BadRef("moi".into()),
                ),
            ),
            (
                indicator_with(
                    "object_marking_refs",
                    json!([
                        "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
                        "tlp"
                    ]),
                ),
                (
                    id.clone(),
                    f("object_marking_refs[1]"),
                    ObjectFault::BadRef("tlp".into()),
                ),
            ),
        ];
        for (object, expected) in cases {
            assert_eq!(object_fault(&object), expected, "{object}");
        }

        let rel = |source: &str| {
            format!(
                r#"{{"type": "relationship", "spec_version": "2.1",
                "id": "relationship--eca24e47-2259-4850-9705-fd1065c77236",
                "relationship_type": "indicates", "source_ref": {source},
                "target_ref": "campaign--b549a58c-afd9-4847-85c3-5be13d56d3cc"}}"#
            )
        };
        let rel_id = f("relationship--eca24e47-2259-4850-9705-fd1065c77236");
        assert_eq!(
            object_fault(&rel(r#""indicator-c43a0a05""#)),
            (
                rel_id.clone(),
                f("source_ref"),
                ObjectFault::BadRef("indicator-c43a0a05".into())
            )
        );
        assert_eq!(
            object_fault(&rel("null")),
            (rel_id.clone(), f("source_ref"), ObjectFault::NotAString)
        );
        let no_target = rel(r#""indicator--c43a0a05-e8d2-4f64-ae37-3f3fb153f8d9""#)
            .replace("target_ref", "target");
        assert_eq!(
            object_fault(&no_target),
            (rel_id.clone(), f("target_ref"), ObjectFault::Missing)
        );
        let no_type = rel(r#""indicator--c43a0a05-e8d2-4f64-ae37-3f3fb153f8d9""#)
            .replace("relationship_type", "kind");
        assert_eq!(
            object_fault(&no_type),
            (rel_id, f("relationship_type"), ObjectFault::Missing)
        );
    }

    #[test]
    fn hostile_and_wrong_documents_are_refused_by_name() {
        let limits = StixLimits::default();
        // Truncated.
        let cut = &APT1[..APT1.len() / 2];
        assert!(matches!(
            read_bundle(cut, &limits),
            Err(StixError::Json { line, .. }) if line > 1
        ));
        assert!(matches!(read(""), Err(StixError::Json { line: 1, .. })));
        // 100,000 opening brackets: refused at the 65th, before any parsing.
        let deep = "[".repeat(100_000);
        assert_eq!(
            read(&deep),
            Err(StixError::TooDeep {
                limit: 64,
                line: 1,
                column: 65
            })
        );
        let deep = format!("{}{}", "{\"a\":".repeat(100_000), "}".repeat(100_000));
        assert!(matches!(read(&deep), Err(StixError::TooDeep { .. })));
        // Brackets inside strings are not nesting.
        let brackets = format!(
            r#"{{"type": "bundle", "id": "bundle--44af6c39-c09b-49c5-9de2-394224b04982", "x": "{}\"["}}"#,
            "[".repeat(1000)
        );
        assert!(read(&brackets).is_ok());
        // A huge string.
        let huge = bundle_of(&[&indicator_with(
            "description",
            json!("a".repeat(2 * 1024 * 1024)),
        )]);
        assert!(matches!(
            read(&huge),
            Err(StixError::StringTooLong { limit, line: 2, .. }) if limit == 1024 * 1024
        ));
        // Too large.
        let big = vec![b' '; limits.max_bytes + 1];
        assert_eq!(
            read_bundle(&big, &limits),
            Err(StixError::TooLarge {
                limit: 16 * 1024 * 1024
            })
        );
        // Too many objects, counted before parsing.
        let small = StixLimits {
            max_objects: 2,
            ..limits
        };
        let three = bundle_of(&["1", "{}", "[]"]);
        assert!(matches!(
            read_bundle(three.as_bytes(), &small),
            Err(StixError::TooManyObjects { limit: 2, .. })
        ));
        assert!(read_bundle(bundle_of(&[INDICATOR]).as_bytes(), &small).is_ok());
        // Too many JSON objects and lists.
        let many = format!(
            r#"{{"type": "bundle", "id": "bundle--44af6c39-c09b-49c5-9de2-394224b04982", "x": [[{}]]}}"#,
            vec!["{\"\":0}"; 600_000].join(",")
        );
        assert!(matches!(
            read(&many),
            Err(StixError::TooManyContainers { limit: 500_000, .. })
        ));
        // Not a bundle.
        assert_eq!(read("[]"), Err(StixError::NotABundle { found: None }));
        assert_eq!(
            read(INDICATOR),
            Err(StixError::NotABundle {
                found: Some("indicator".into())
            })
        );
        assert_eq!(
            read(r#"{"type": 1}"#),
            Err(StixError::NotABundle { found: None })
        );
        // A bundle with a wrong id or objects that are not a list.
        assert_eq!(
            read(r#"{"type": "bundle", "id": "report--44af6c39-c09b-49c5-9de2-394224b04982"}"#),
            Err(StixError::BundleId {
                value: Some("report--44af6c39-c09b-49c5-9de2-394224b04982".into())
            })
        );
        assert_eq!(
            read(r#"{"type": "bundle"}"#),
            Err(StixError::BundleId { value: None })
        );
        assert_eq!(
            read(
                r#"{"type": "bundle", "id": "bundle--44af6c39-c09b-49c5-9de2-394224b04982", "objects": {}}"#
            ),
            Err(StixError::BundleObjects)
        );
        // STIX 2.0: the bundle says so.
        let v20 = r#"{"type": "bundle", "id": "bundle--44af6c39-c09b-49c5-9de2-394224b04982",
            "spec_version": "2.0", "objects": [{"type": "campaign",
            "id": "campaign--b549a58c-afd9-4847-85c3-5be13d56d3cc",
            "created": "2014-09-09T19:58:39.609Z", "modified": "2014-09-09T19:58:39.609Z",
            "name": "Operation Omega"}]}"#;
        let e = read(v20).unwrap_err();
        assert_eq!(
            e,
            StixError::Version {
                version: "2.0".into()
            }
        );
        assert_eq!(
            e.message_fr(),
            "le paquet est en STIX 2.0 ; seul STIX 2.1 est lu"
        );
        assert_eq!(
            e.message_en(),
            "the bundle is STIX 2.0; only STIX 2.1 is read"
        );
        // ... and a 2.0 object in a bundle that does not say it is named too.
        let v20_object = v20.replace(r#""spec_version": "2.0","#, "");
        assert!(matches!(
            read(&v20_object),
            Err(StixError::Object {
                index: 0,
                fault: ObjectFault::NoVersion,
                ..
            })
        ));
        // Not UTF-8.
        assert!(matches!(
            read_bundle(b"{\"type\": \"bun\xFF\"}", &limits),
            Err(StixError::Json { .. })
        ));
    }

    #[test]
    fn messages_name_the_fault_in_french_and_english() {
        let cases = [
            (
                StixError::Json {
                    line: 3,
                    column: 7,
                    message: "EOF while parsing".into(),
                },
                "ligne 3, colonne 7 : JSON illisible (EOF while parsing)",
                "line 3, column 7: unreadable JSON (EOF while parsing)",
            ),
            (
                StixError::TooDeep {
                    limit: 64,
                    line: 1,
                    column: 65,
                },
                "ligne 1, colonne 65 : le JSON est imbriqué sur plus de 64 niveaux",
                "line 1, column 65: the JSON nests more than 64 levels",
            ),
            (
                StixError::NotABundle {
                    found: Some("indicator".into()),
                },
                "le fichier n'est pas un paquet STIX : son « type » est « indicator » et non « bundle »",
                "the file is not a STIX bundle: its \"type\" is \"indicator\", not \"bundle\"",
            ),
            (
                StixError::Object {
                    index: 4,
                    id: Some("malware--c43a0a05-e8d2-4f64-ae37-3f3fb153f8d9".into()),
                    field: Some("id".into()),
                    fault: ObjectFault::IdPrefix {
                        id_type: "malware".into(),
                        object_type: "indicator".into(),
                    },
                },
                "objet objects[4] (malware--c43a0a05-e8d2-4f64-ae37-3f3fb153f8d9), champ « id » : \
                 l'identifiant est celui d'un objet « malware », mais l'objet est de type « indicator »",
                "object objects[4] (malware--c43a0a05-e8d2-4f64-ae37-3f3fb153f8d9), field \"id\": \
                 the identifier is that of a \"malware\" object, but the object's type is \"indicator\"",
            ),
            (
                StixError::Object {
                    index: 0,
                    id: None,
                    field: None,
                    fault: ObjectFault::NotAnObject,
                },
                "objet objects[0] : n'est pas un objet JSON",
                "object objects[0]: is not a JSON object",
            ),
            (
                StixError::Alert {
                    field: "published",
                    fault: ObjectFault::BadTimestamp("hier".into()),
                },
                "l'alerte ne peut être écrite en STIX : champ « published » : « hier » n'est pas un horodatage RFC 3339",
                "the alert cannot be written as STIX: field \"published\": \"hier\" is not an RFC 3339 timestamp",
            ),
        ];
        for (e, fr, en) in cases {
            assert_eq!(e.message_fr(), fr);
            assert_eq!(e.to_string(), fr);
            assert_eq!(e.message(Language::Fr), fr);
            assert_eq!(e.message_en(), en);
            assert_eq!(e.message(Language::En), en);
        }
        // Every variant has two messages that differ, and a code.
        let all = [
            StixError::TooLarge { limit: 1 },
            StixError::StringTooLong {
                limit: 1,
                line: 1,
                column: 1,
            },
            StixError::TooManyContainers {
                limit: 1,
                line: 1,
                column: 1,
            },
            StixError::TooManyObjects {
                limit: 1,
                line: 1,
                column: 1,
            },
            StixError::NotABundle { found: None },
            StixError::BundleId { value: None },
            StixError::BundleId {
                value: Some("x".into()),
            },
            StixError::BundleObjects,
            StixError::Version {
                version: "2.0".into(),
            },
            StixError::Attached {
                index: 1,
                id: None,
                field: Some("type".into()),
                fault: ObjectFault::Missing,
            },
        ];
        for e in all {
            assert_ne!(e.message_fr(), e.message_en());
            assert!(e.code().starts_with("stix-"));
        }
        // A long value from the file is cut in the message.
        let e = read(&bundle_of(&[&indicator_with(
            "id",
            json!(format!("indicator--{}", "x".repeat(500))),
        )]))
        .unwrap_err();
        assert!(e.message_fr().chars().count() < 250, "{e}");
        assert!(e.message_fr().contains('…'));
    }

    #[test]
    fn the_fuzz_seed_reads() {
        // fuzz/corpus/read_stix/seed-alert-bundle.json: ten entries, of which two versions of
        // one indicator, an observable without spec_version, a relationship to a campaign
        // the bundle does not hold, escapes, non-ASCII text and numbers.
        let seed = include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fuzz/corpus/read_stix/seed-alert-bundle.json"
        ));
        let b = read_bundle(seed, &StixLimits::default()).unwrap();
        assert_eq!(b.objects.len(), 9);
        assert_eq!(b.superseded, 1);
        let indicator = b
            .get("indicator--6b1f0e2a-8c3d-4e5f-9a7b-1c2d3e4f5a6b")
            .unwrap();
        assert_eq!(indicator.modified.as_deref(), Some("2025-03-15T08:00:00Z"));
        assert_eq!(b.objects[2].id, indicator.id);
        assert!(b.objects[1]
            .description
            .as_deref()
            .is_some_and(|d| d.ends_with("é \u{1F512} \u{7}")));
        let again = read(&write_bundle(&b.raw_objects())).unwrap();
        assert_eq!(again.objects, b.objects);
    }

    fn small() -> StixLimits {
        StixLimits {
            max_bytes: 64 * 1024,
            max_depth: 8,
            max_objects: 100,
            max_string_bytes: 4096,
            max_containers: 1000,
        }
    }

    /// Any outcome but a panic; a bundle read is within the limits, one object per id.
    fn read_any(bytes: &[u8]) {
        let limits = small();
        if let Ok(b) = read_bundle(bytes, &limits) {
            assert!(b.objects.len() <= limits.max_objects);
            let ids: std::collections::HashSet<&str> =
                b.objects.iter().map(|o| o.id.as_str()).collect();
            assert_eq!(ids.len(), b.objects.len());
            // What was read is written and read again alike.
            let again = read_bundle(
                write_bundle(&b.raw_objects()).as_bytes(),
                &StixLimits::default(),
            )
            .unwrap();
            assert_eq!(again.objects, b.objects);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn any_bytes_give_a_bundle_or_an_error(
            bytes in proptest::collection::vec(any::<u8>(), 0..4096)
        ) {
            read_any(&bytes);
        }

        #[test]
        fn json_like_text_gives_a_bundle_or_an_error(
            text in r#"[{}\[\]":, a-z0-9\-\\]{0,2000}"#
        ) {
            read_any(text.as_bytes());
        }

        #[test]
        fn a_damaged_bundle_gives_a_bundle_or_an_error(
            flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
            keep in any::<prop::sample::Index>(),
        ) {
            for seed in [CAMPAIGN, C2] {
                let mut bytes = seed.to_vec();
                for (at, value) in &flips {
                    let i = at.index(bytes.len());
                    bytes[i] ^= value | 1;
                }
                read_any(&bytes);
                read_any(&seed[..keep.index(seed.len())]);
            }
        }
    }

    proptest! {
        // Each case reads a 52 KB file twice: fewer cases keep the suite quick.
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn a_damaged_apt1_gives_a_bundle_or_an_error(
            flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
            keep in any::<prop::sample::Index>(),
        ) {
            let limits = StixLimits::default();
            let mut bytes = APT1.to_vec();
            for (at, value) in flips {
                let i = at.index(bytes.len());
                bytes[i] ^= value | 1;
            }
            let _ = read_bundle(&bytes, &limits);
            let _ = read_bundle(&APT1[..keep.index(APT1.len())], &limits);
        }
    }
}
