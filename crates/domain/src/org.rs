//! The organization tree (PLAT-03): government centre → operational centres → public bodies →
//! units. This module owns which kind may sit under which, what a valid slug and name are, and
//! which moves keep the tree a tree. It knows nothing of how the tree is stored.

use serde::{Deserialize, Serialize};

use crate::validation::{required_text, FieldError};

/// Typed id of an organization; never mixed up with a person's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrgId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    GovernmentCentre,
    OperationalCentre,
    PublicBody,
    Unit,
}

impl OrgKind {
    pub const ALL: [OrgKind; 4] = [
        OrgKind::GovernmentCentre,
        OrgKind::OperationalCentre,
        OrgKind::PublicBody,
        OrgKind::Unit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::GovernmentCentre => "government_centre",
            OrgKind::OperationalCentre => "operational_centre",
            OrgKind::PublicBody => "public_body",
            OrgKind::Unit => "unit",
        }
    }

    pub fn parse(value: &str) -> Option<OrgKind> {
        OrgKind::ALL.into_iter().find(|k| k.as_str() == value)
    }

    /// The parent rules of the network. A public body may also stand alone at the root, for an
    /// installation that serves a single body; units nest (a directorate holds services).
    pub fn may_have_parent(self, parent: Option<OrgKind>) -> bool {
        matches!(
            (self, parent),
            (OrgKind::GovernmentCentre, None)
                | (OrgKind::OperationalCentre, Some(OrgKind::GovernmentCentre))
                | (OrgKind::PublicBody, None)
                | (OrgKind::PublicBody, Some(OrgKind::OperationalCentre))
                | (OrgKind::Unit, Some(OrgKind::PublicBody))
                | (OrgKind::Unit, Some(OrgKind::Unit))
        )
    }
}

/// A stable, URL-safe identifier of an organization: lowercase ASCII letters, digits and single
/// hyphens, 2 to 63 characters. Accents are folded when a slug is derived from a name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

impl Slug {
    pub const MAX: usize = 63;

    pub fn parse(field: &str, raw: &str) -> Result<Slug, FieldError> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(FieldError::new(field, "error-required"));
        }
        if value.len() > Self::MAX {
            return Err(FieldError::with_limit(
                field,
                "error-too-long",
                Self::MAX as u64,
            ));
        }
        let well_formed = value.len() >= 2
            && value
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !value.starts_with('-')
            && !value.ends_with('-')
            && !value.contains("--");
        if !well_formed {
            return Err(FieldError::new(field, "error-slug"));
        }
        Ok(Slug(value.to_owned()))
    }

    /// Derives a slug from a French name: "Ministère de l'Éducation" → "ministere-de-l-education".
    pub fn from_name(name: &str) -> Option<Slug> {
        let mut out = String::new();
        for c in name.chars() {
            let folded = fold_accent(c);
            if folded.is_ascii_alphanumeric() {
                out.push(folded.to_ascii_lowercase());
            } else if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        }
        let trimmed: String = out.trim_end_matches('-').chars().take(Self::MAX).collect();
        Slug::parse("slug", trimmed.trim_end_matches('-')).ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Slug {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Slug::parse("slug", &value).map_err(|e| e.code.to_owned())
    }
}

impl From<Slug> for String {
    fn from(value: Slug) -> Self {
        value.0
    }
}

impl std::fmt::Display for Slug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn fold_accent(c: char) -> char {
    match c {
        'à' | 'â' | 'ä' | 'á' | 'À' | 'Â' | 'Ä' | 'Á' => 'a',
        'ç' | 'Ç' => 'c',
        'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
        'î' | 'ï' | 'í' | 'Î' | 'Ï' | 'Í' => 'i',
        'ô' | 'ö' | 'ó' | 'Ô' | 'Ö' | 'Ó' => 'o',
        'ù' | 'û' | 'ü' | 'ú' | 'Ù' | 'Û' | 'Ü' | 'Ú' => 'u',
        'ÿ' | 'Ÿ' => 'y',
        'œ' | 'Œ' => 'o',
        other => other,
    }
}

/// The display name of an organization.
pub fn parse_org_name(field: &str, raw: &str) -> Result<String, FieldError> {
    required_text(field, raw, 200)
}

/// Why a change to the tree is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TreeError {
    #[error("this kind of organization cannot be placed there")]
    ParentKind,
    #[error("an organization cannot be moved under itself or its own descendants")]
    Cycle,
    #[error("an archived organization cannot receive new members")]
    ArchivedParent,
    #[error("an organization with active members cannot be archived")]
    HasActiveChildren,
}

impl TreeError {
    pub fn code(self) -> &'static str {
        match self {
            TreeError::ParentKind => "error-parent-kind",
            TreeError::Cycle => "error-tree-cycle",
            TreeError::ArchivedParent => "error-parent-archived",
            TreeError::HasActiveChildren => "error-active-children",
        }
    }
}

/// What the rules need to know of a prospective parent.
#[derive(Debug, Clone, Copy)]
pub struct ParentFacts {
    pub kind: OrgKind,
    pub archived: bool,
}

/// Checks that an organization of `kind` may be created under `parent`.
pub fn check_placement(kind: OrgKind, parent: Option<ParentFacts>) -> Result<(), TreeError> {
    if let Some(p) = parent {
        if p.archived {
            return Err(TreeError::ArchivedParent);
        }
    }
    if kind.may_have_parent(parent.map(|p| p.kind)) {
        Ok(())
    } else {
        Err(TreeError::ParentKind)
    }
}

/// Checks a move of `org` under `new_parent`, given the ancestors of the new parent (itself
/// included). Moving a node under itself or its subtree would cut the subtree off the tree.
pub fn check_move(
    org: OrgId,
    kind: OrgKind,
    new_parent: Option<(OrgId, ParentFacts)>,
    new_parent_ancestors: &[OrgId],
) -> Result<(), TreeError> {
    if let Some((parent_id, _)) = new_parent {
        if parent_id == org || new_parent_ancestors.contains(&org) {
            return Err(TreeError::Cycle);
        }
    }
    check_placement(kind, new_parent.map(|(_, facts)| facts))
}

/// An organization may be archived only once nothing active sits under it, so that no record
/// is left in a live unit of a dead body.
pub fn check_archive(active_children: u64) -> Result<(), TreeError> {
    if active_children == 0 {
        Ok(())
    } else {
        Err(TreeError::HasActiveChildren)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // REQ PLAT-03
    #[test]
    fn parent_rules_follow_the_network() {
        use OrgKind::*;
        assert!(GovernmentCentre.may_have_parent(None));
        assert!(!GovernmentCentre.may_have_parent(Some(GovernmentCentre)));
        assert!(OperationalCentre.may_have_parent(Some(GovernmentCentre)));
        assert!(!OperationalCentre.may_have_parent(None));
        assert!(!OperationalCentre.may_have_parent(Some(PublicBody)));
        assert!(PublicBody.may_have_parent(Some(OperationalCentre)));
        assert!(PublicBody.may_have_parent(None));
        assert!(!PublicBody.may_have_parent(Some(GovernmentCentre)));
        assert!(!PublicBody.may_have_parent(Some(Unit)));
        assert!(Unit.may_have_parent(Some(PublicBody)));
        assert!(Unit.may_have_parent(Some(Unit)));
        assert!(!Unit.may_have_parent(Some(OperationalCentre)));
        assert!(!Unit.may_have_parent(None));
    }

    #[test]
    fn kinds_round_trip_through_text() {
        for kind in OrgKind::ALL {
            assert_eq!(OrgKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(OrgKind::parse("ministry"), None);
    }

    #[test]
    fn moves_cannot_create_cycles() {
        let body = ParentFacts {
            kind: OrgKind::PublicBody,
            archived: false,
        };
        let unit = ParentFacts {
            kind: OrgKind::Unit,
            archived: false,
        };
        // Moving unit 5 under its own child 7 (ancestors of 7: 7, 5, 2).
        assert_eq!(
            check_move(
                OrgId(5),
                OrgKind::Unit,
                Some((OrgId(7), unit)),
                &[OrgId(7), OrgId(5), OrgId(2)]
            ),
            Err(TreeError::Cycle)
        );
        assert_eq!(
            check_move(OrgId(5), OrgKind::Unit, Some((OrgId(5), unit)), &[OrgId(5)]),
            Err(TreeError::Cycle)
        );
        assert_eq!(
            check_move(
                OrgId(5),
                OrgKind::Unit,
                Some((OrgId(3), body)),
                &[OrgId(3), OrgId(1)]
            ),
            Ok(())
        );
        let archived = ParentFacts {
            kind: OrgKind::PublicBody,
            archived: true,
        };
        assert_eq!(
            check_placement(OrgKind::Unit, Some(archived)),
            Err(TreeError::ArchivedParent)
        );
        assert_eq!(check_archive(2), Err(TreeError::HasActiveChildren));
        assert_eq!(check_archive(0), Ok(()));
    }

    #[test]
    fn slugs_are_strict_and_derivable_from_french_names() {
        assert!(Slug::parse("slug", "mes-cybersecurite").is_ok());
        for bad in ["", "A", "a", "-ab", "ab-", "a--b", "é-b", "a b", "a_b"] {
            assert!(Slug::parse("slug", bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(
            Slug::from_name("Ministère de l'Éducation").map(|s| s.to_string()),
            Some("ministere-de-l-education".to_owned())
        );
        assert_eq!(Slug::from_name("  ***  "), None);
        let long = "x".repeat(200);
        assert_eq!(Slug::from_name(&long).map(|s| s.as_str().len()), Some(63));
    }
}
