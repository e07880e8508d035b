//! A catalogue read into groups and a flat list of controls and enhancements.

use std::collections::HashSet;

use serde::Deserialize;

use super::render::{ParamIndex, Renderer};
use super::{check_size, json_error, prop, Limits, Link, Metadata, OscalError, Param, Part, Prop};

#[derive(Deserialize)]
struct Document {
    catalog: Option<RawCatalog>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawCatalog {
    #[serde(default)]
    uuid: String,
    #[serde(default)]
    metadata: Metadata,
    #[serde(default)]
    params: Vec<Param>,
    #[serde(default)]
    controls: Vec<RawControl>,
    #[serde(default)]
    groups: Vec<RawGroup>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawGroup {
    /// Optional in OSCAL, unlike a control's.
    id: Option<String>,
    class: Option<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    params: Vec<Param>,
    #[serde(default)]
    groups: Vec<RawGroup>,
    #[serde(default)]
    controls: Vec<RawControl>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawControl {
    id: String,
    class: Option<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    params: Vec<Param>,
    #[serde(default)]
    props: Vec<Prop>,
    #[serde(default)]
    links: Vec<Link>,
    #[serde(default)]
    parts: Vec<Part>,
    #[serde(default)]
    controls: Vec<RawControl>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRecord {
    pub id: Option<String>,
    pub class: Option<String>,
    pub title: String,
    /// The enclosing group's id.
    pub parent_id: Option<String>,
    /// 0 for a group of the catalogue, 1 for a group inside it…
    pub depth: usize,
    pub params: Vec<Param>,
}

/// One control or enhancement, with what it says as text and what it holds as data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlRecord {
    pub id: String,
    /// The control an enhancement belongs to.
    pub parent_id: Option<String>,
    /// The innermost group holding it; none for a control at the catalogue's top.
    pub group_id: Option<String>,
    pub group_title: Option<String>,
    pub class: Option<String>,
    pub title: String,
    /// The `label` property, as people cite the control: `AC-2(1)`.
    pub label: Option<String>,
    pub sort_id: Option<String>,
    /// The `status` property is `withdrawn`: the control is kept, usually with no statement
    /// and links saying where it went (`incorporated-into`, `moved-to`); in SP 800-53 two
    /// have a one-line statement saying why instead.
    pub withdrawn: bool,
    /// The statement rendered as text (see the module's documentation).
    pub statement: String,
    /// The guidance's prose.
    pub guidance: String,
    pub params: Vec<Param>,
    pub props: Vec<Prop>,
    pub parts: Vec<Part>,
    pub links: Vec<Link>,
    /// 0 for a control, 1 for an enhancement, 2 for an enhancement's enhancement…
    pub depth: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    pub uuid: String,
    pub title: String,
    pub version: String,
    pub oscal_version: String,
    pub last_modified: String,
    /// Parameters defined at the catalogue's top.
    pub params: Vec<Param>,
    /// Groups in document order, each before the groups inside it.
    pub groups: Vec<GroupRecord>,
    /// Controls in document order, each followed by its enhancements; in a group, its own
    /// controls come before those of its subgroups.
    pub controls: Vec<ControlRecord>,
}

impl Catalog {
    pub fn control(&self, id: &str) -> Option<&ControlRecord> {
        self.controls.iter().find(|c| c.id == id)
    }

    /// Every parameter of the catalogue: its own, its groups', its controls'.
    pub(super) fn all_params(&self) -> impl Iterator<Item = &Param> {
        self.params
            .iter()
            .chain(self.groups.iter().flat_map(|g| &g.params))
            .chain(self.controls.iter().flat_map(|c| &c.params))
    }

    /// The bytes of all statements and guidance.
    pub(super) fn text_bytes(&self) -> usize {
        self.controls
            .iter()
            .map(|c| c.statement.len() + c.guidance.len())
            .sum()
    }
}

/// Reads `{"catalog": {…}}`. The statements and guidance rendered together may not exceed
/// `limits.max_bytes` either.
pub fn read_catalog(bytes: &[u8], limits: &Limits) -> Result<Catalog, OscalError> {
    let bytes = check_size(bytes, limits)?;
    let document: Document = serde_json::from_slice(bytes).map_err(|e| json_error(&e))?;
    let raw = document.catalog.ok_or(OscalError::NotACatalog)?;
    let mut flat = Flattener {
        limits,
        groups: Vec::new(),
        controls: Vec::new(),
        seen: HashSet::new(),
    };
    let top = Context {
        group_id: None,
        group_title: None,
    };
    for control in raw.controls {
        flat.control(control, None, &top, 1, 0)?;
    }
    for group in raw.groups {
        flat.group(group, &top, 1, 0)?;
    }
    let mut catalog = Catalog {
        uuid: raw.uuid,
        title: raw.metadata.title,
        version: raw.metadata.version,
        oscal_version: raw.metadata.oscal_version,
        last_modified: raw.metadata.last_modified,
        params: raw.params,
        groups: flat.groups,
        controls: flat.controls,
    };
    // Rendered once every control is read: a statement may name a parameter defined
    // anywhere in the catalogue.
    let mut room = limits.max_bytes;
    let too_much = OscalError::TooMuchText {
        limit: limits.max_bytes,
    };
    let texts = {
        let mut renderer = Renderer::new(ParamIndex::new(catalog.all_params()));
        let mut texts = Vec::with_capacity(catalog.controls.len());
        for c in &catalog.controls {
            let statement = renderer
                .statement(&c.parts, &mut room)
                .ok_or_else(|| too_much.clone())?;
            let guidance = renderer
                .guidance(&c.parts, &mut room)
                .ok_or_else(|| too_much.clone())?;
            texts.push((statement, guidance));
        }
        texts
    };
    for (c, (statement, guidance)) in catalog.controls.iter_mut().zip(texts) {
        c.statement = statement;
        c.guidance = guidance;
    }
    Ok(catalog)
}

/// The group a control is read in.
struct Context {
    group_id: Option<String>,
    group_title: Option<String>,
}

struct Flattener<'l> {
    limits: &'l Limits,
    groups: Vec<GroupRecord>,
    controls: Vec<ControlRecord>,
    seen: HashSet<String>,
}

impl Flattener<'_> {
    fn check_level(&self, level: usize) -> Result<(), OscalError> {
        if level > self.limits.max_depth {
            return Err(OscalError::TooDeep {
                limit: self.limits.max_depth,
            });
        }
        Ok(())
    }

    /// `level` counts groups and controls from the catalogue down, this one included.
    fn group(
        &mut self,
        group: RawGroup,
        parent: &Context,
        level: usize,
        depth: usize,
    ) -> Result<(), OscalError> {
        self.check_level(level)?;
        let context = Context {
            group_id: group.id.clone(),
            group_title: Some(group.title.clone()),
        };
        self.groups.push(GroupRecord {
            id: group.id,
            class: group.class,
            title: group.title,
            parent_id: parent.group_id.clone(),
            depth,
            params: group.params,
        });
        for control in group.controls {
            self.control(control, None, &context, level + 1, 0)?;
        }
        for inner in group.groups {
            self.group(inner, &context, level + 1, depth + 1)?;
        }
        Ok(())
    }

    fn control(
        &mut self,
        control: RawControl,
        parent_id: Option<&str>,
        context: &Context,
        level: usize,
        depth: usize,
    ) -> Result<(), OscalError> {
        self.check_level(level)?;
        if self.controls.len() >= self.limits.max_controls {
            return Err(OscalError::TooManyControls {
                limit: self.limits.max_controls,
            });
        }
        // A profile selects controls by id: two controls with one id could not be told apart.
        if !self.seen.insert(control.id.clone()) {
            return Err(OscalError::DuplicateControl { id: control.id });
        }
        let RawControl {
            id,
            class,
            title,
            params,
            props,
            links,
            parts,
            controls: enhancements,
        } = control;
        self.controls.push(ControlRecord {
            id: id.clone(),
            parent_id: parent_id.map(str::to_owned),
            group_id: context.group_id.clone(),
            group_title: context.group_title.clone(),
            class,
            title,
            label: prop(&props, "label").map(str::to_owned),
            sort_id: prop(&props, "sort-id").map(str::to_owned),
            withdrawn: prop(&props, "status") == Some("withdrawn"),
            statement: String::new(),
            guidance: String::new(),
            params,
            props,
            parts,
            links,
            depth,
        });
        for enhancement in enhancements {
            self.control(enhancement, Some(&id), context, level + 1, depth + 1)?;
        }
        Ok(())
    }
}
