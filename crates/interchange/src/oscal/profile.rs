//! A profile (a baseline), and its selection applied to a catalogue.

use std::collections::{HashMap, HashSet};

use serde::de::IgnoredAny;
use serde::Deserialize;

use super::catalog::{Catalog, ControlRecord};
use super::render::{ParamIndex, Renderer};
use super::{
    check_size, json_error, listed, Limits, Link, Metadata, OscalError, Param, Part, Prop, Select,
};

#[derive(Deserialize)]
struct Document {
    profile: Option<RawProfile>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawProfile {
    #[serde(default)]
    uuid: String,
    #[serde(default)]
    metadata: Metadata,
    #[serde(default)]
    imports: Vec<RawImport>,
    merge: Option<RawMerge>,
    #[serde(default)]
    modify: RawModify,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawImport {
    href: String,
    /// `{}` when present.
    include_all: Option<IgnoredAny>,
    #[serde(default)]
    include_controls: Vec<RawSelection>,
    #[serde(default)]
    exclude_controls: Vec<RawSelection>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawSelection {
    with_child_controls: Option<String>,
    #[serde(default)]
    with_ids: Vec<String>,
    #[serde(default)]
    matching: Vec<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawMerge {
    as_is: Option<bool>,
    flat: Option<IgnoredAny>,
    custom: Option<IgnoredAny>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawModify {
    #[serde(default)]
    set_parameters: Vec<SetParameter>,
    #[serde(default)]
    alters: Vec<Alter>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub uuid: String,
    pub title: String,
    pub version: String,
    pub oscal_version: String,
    pub last_modified: String,
    pub imports: Vec<Import>,
    pub merge: Merge,
    pub set_parameters: Vec<SetParameter>,
    pub alters: Vec<Alter>,
}

/// One source of controls. `href` is kept, never followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    pub href: String,
    pub include_all: bool,
    pub include_controls: Vec<Selection>,
    pub exclude_controls: Vec<Selection>,
}

/// Controls named by id. OSCAL's `matching` (selection by id pattern) is refused when
/// read, as [`OscalError::Unsupported`]: ignoring it would select the wrong controls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    pub with_ids: Vec<String>,
    /// `with-child-controls` is `yes`: the enhancements below each control, at any depth,
    /// are selected with it. Absent, or anything else, means no.
    pub with_child_controls: bool,
}

/// How the profile asks for the result to be structured. Kept for the caller: [`resolve`]
/// gives a flat list in catalogue order whatever this says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Merge {
    Unspecified,
    AsIs,
    Flat,
    Custom,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct SetParameter {
    pub param_id: String,
    pub label: Option<String>,
    #[serde(default)]
    pub values: Vec<String>,
    pub select: Option<Select>,
}

/// Changes to one control's content, kept as data: [`resolve`] records them beside the
/// control, it does not apply them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Alter {
    pub control_id: String,
    #[serde(default)]
    pub removes: Vec<Remove>,
    #[serde(default)]
    pub adds: Vec<Add>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Remove {
    pub by_name: Option<String>,
    pub by_class: Option<String>,
    pub by_id: Option<String>,
    pub by_item_name: Option<String>,
    pub by_ns: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Add {
    /// `before`, `after`, `starting` or `ending`; OSCAL's default is `ending`.
    pub position: Option<String>,
    pub by_id: Option<String>,
    pub title: Option<String>,
    #[serde(default)]
    pub params: Vec<Param>,
    #[serde(default)]
    pub props: Vec<Prop>,
    #[serde(default)]
    pub links: Vec<Link>,
    #[serde(default)]
    pub parts: Vec<Part>,
}

/// Reads `{"profile": {…}}`. The control ids the profile names (selections and alters)
/// count against `limits.max_controls`.
pub fn read_profile(bytes: &[u8], limits: &Limits) -> Result<Profile, OscalError> {
    let bytes = check_size(bytes, limits)?;
    let document: Document = serde_json::from_slice(bytes).map_err(|e| json_error(&e))?;
    let raw = document.profile.ok_or(OscalError::NotAProfile)?;
    let named: usize = raw
        .imports
        .iter()
        .flat_map(|i| i.include_controls.iter().chain(&i.exclude_controls))
        .map(|s| s.with_ids.len())
        .sum::<usize>()
        + raw.modify.alters.len();
    if named > limits.max_controls {
        return Err(OscalError::TooManyControls {
            limit: limits.max_controls,
        });
    }
    let mut imports = Vec::with_capacity(raw.imports.len());
    for import in raw.imports {
        imports.push(Import {
            href: import.href,
            include_all: import.include_all.is_some(),
            include_controls: selections(import.include_controls)?,
            exclude_controls: selections(import.exclude_controls)?,
        });
    }
    let merge = match raw.merge {
        Some(RawMerge {
            as_is: Some(true), ..
        }) => Merge::AsIs,
        Some(RawMerge { flat: Some(_), .. }) => Merge::Flat,
        Some(RawMerge {
            custom: Some(_), ..
        }) => Merge::Custom,
        _ => Merge::Unspecified,
    };
    Ok(Profile {
        uuid: raw.uuid,
        title: raw.metadata.title,
        version: raw.metadata.version,
        oscal_version: raw.metadata.oscal_version,
        last_modified: raw.metadata.last_modified,
        imports,
        merge,
        set_parameters: raw.modify.set_parameters,
        alters: raw.modify.alters,
    })
}

fn selections(raw: Vec<RawSelection>) -> Result<Vec<Selection>, OscalError> {
    raw.into_iter()
        .map(|s| {
            if !s.matching.is_empty() {
                return Err(OscalError::Unsupported {
                    feature: "matching",
                });
            }
            Ok(Selection {
                with_ids: s.with_ids,
                with_child_controls: s.with_child_controls.as_deref() == Some("yes"),
            })
        })
        .collect()
}

/// A profile applied to a catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub profile_uuid: String,
    pub profile_title: String,
    pub catalog_uuid: String,
    pub catalog_title: String,
    pub merge: Merge,
    /// The selected controls and enhancements, in catalogue order.
    pub controls: Vec<ResolvedControl>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedControl {
    /// The catalogue's record, its parameters as the profile set them and its statement
    /// and guidance rendered again with them.
    pub control: ControlRecord,
    /// The ids of its parameters the profile set, in the control's order.
    pub set_params: Vec<String>,
    /// The profile's alterations of this control, not applied.
    pub alters: Vec<Alter>,
}

/// Applies the profile's selection and parameters to `catalog`, taken to be what the
/// profile's single import points to (its `href` is not checked: profiles name their
/// catalogue by a URL, a relative path or a back-matter `#uuid` the caller resolves).
///
/// The selection is `include-all` or the union of the `include-controls`, less the
/// `exclude-controls`; a control's enhancements come with it only under
/// `with-child-controls: yes`, and an enhancement selected alone comes without its control.
/// More than one import is refused ([`OscalError::MultipleImports`]): merging several
/// sources is not supported yet. Controls or parameters the profile names that the
/// catalogue does not hold are refused, the first few named.
pub fn resolve(profile: &Profile, catalog: &Catalog) -> Result<Resolved, OscalError> {
    let import = match profile.imports.as_slice() {
        [] => return Err(OscalError::NoImport),
        [one] => one,
        many => return Err(OscalError::MultipleImports { count: many.len() }),
    };
    let position: HashMap<&str, usize> = catalog
        .controls
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let named = import
        .include_controls
        .iter()
        .chain(&import.exclude_controls)
        .flat_map(|s| &s.with_ids)
        .chain(profile.alters.iter().map(|a| &a.control_id));
    let unknown = unique(named.filter(|id| !position.contains_key(id.as_str())));
    if !unknown.is_empty() {
        let (ids, total) = listed(unknown);
        return Err(OscalError::UnknownControls { ids, total });
    }
    let index = ParamIndex::new(catalog.all_params());
    let unknown = unique(
        profile
            .set_parameters
            .iter()
            .map(|s| &s.param_id)
            .filter(|id| index.get(id).is_none()),
    );
    if !unknown.is_empty() {
        let (ids, total) = listed(unknown);
        return Err(OscalError::UnknownParams { ids, total });
    }

    let mut selected = vec![import.include_all; catalog.controls.len()];
    mark(
        &mut selected,
        &position,
        catalog,
        &import.include_controls,
        true,
    );
    mark(
        &mut selected,
        &position,
        catalog,
        &import.exclude_controls,
        false,
    );

    let mut overrides: HashMap<String, Param> = HashMap::new();
    for set in &profile.set_parameters {
        // Later settings of one parameter refine earlier ones, as OSCAL applies them in order.
        let mut param = match overrides.remove(&set.param_id) {
            Some(p) => p,
            None => match index.get(&set.param_id) {
                Some(p) => p.clone(),
                None => continue,
            },
        };
        if !set.values.is_empty() {
            param.values = set.values.clone();
        }
        if set.label.is_some() {
            param.label = set.label.clone();
        }
        if set.select.is_some() {
            param.select = set.select.clone();
        }
        overrides.insert(set.param_id.clone(), param);
    }
    let mut renderer = Renderer::new(index.with_overrides(overrides.clone()));
    // Set values may lengthen the text; they may add up to the default size limit.
    let limit = catalog
        .text_bytes()
        .saturating_add(Limits::default().max_bytes);
    let mut room = limit;
    let too_much = OscalError::TooMuchText { limit };
    let mut controls = Vec::new();
    for (record, _) in catalog
        .controls
        .iter()
        .zip(&selected)
        .filter(|(_, chosen)| **chosen)
    {
        let mut control = record.clone();
        let mut set_params = Vec::new();
        for param in &mut control.params {
            if let Some(set) = overrides.get(&param.id) {
                *param = set.clone();
                set_params.push(param.id.clone());
            }
        }
        control.statement = renderer
            .statement(&control.parts, &mut room)
            .ok_or_else(|| too_much.clone())?;
        control.guidance = renderer
            .guidance(&control.parts, &mut room)
            .ok_or_else(|| too_much.clone())?;
        let alters = profile
            .alters
            .iter()
            .filter(|a| a.control_id == control.id)
            .cloned()
            .collect();
        controls.push(ResolvedControl {
            control,
            set_params,
            alters,
        });
    }
    Ok(Resolved {
        profile_uuid: profile.uuid.clone(),
        profile_title: profile.title.clone(),
        catalog_uuid: catalog.uuid.clone(),
        catalog_title: catalog.title.clone(),
        merge: profile.merge,
        controls,
    })
}

/// Each id once, in the order first met.
fn unique<'a>(ids: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut seen = HashSet::new();
    ids.filter(|id| seen.insert(id.as_str())).cloned().collect()
}

/// Sets `value` for the controls the selections name, and their enhancements when asked.
fn mark(
    selected: &mut [bool],
    position: &HashMap<&str, usize>,
    catalog: &Catalog,
    selections: &[Selection],
    value: bool,
) {
    // An id repeated must not walk the same enhancements again.
    let mut done = HashSet::new();
    for selection in selections {
        for id in &selection.with_ids {
            let Some(&at) = position.get(id.as_str()) else {
                continue;
            };
            if !done.insert((at, selection.with_child_controls)) {
                continue;
            }
            selected[at] = value;
            if selection.with_child_controls {
                // A control's enhancements follow it, deeper, until the next control at its
                // depth or above (the order `read_catalog` gives).
                let depth = catalog.controls[at].depth;
                for (i, c) in catalog.controls.iter().enumerate().skip(at + 1) {
                    if c.depth <= depth {
                        break;
                    }
                    selected[i] = value;
                }
            }
        }
    }
}
