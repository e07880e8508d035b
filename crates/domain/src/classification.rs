//! Classification of assets on availability, integrity and confidentiality (ASSET-02): the
//! scale an organization uses (inherited down the tree; three levels by default, since the
//! government model's levels are not public), who may classify (the asset's holder only), when
//! a classification must be reviewed, and the flags an asset raises.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::validation::FieldError;

/// One level of a scale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScaleLevel {
    /// 1 is the lowest.
    pub value: u8,
    pub label_fr: String,
    pub label_en: String,
}

/// The levels an organization classifies with, and how often a classification is reviewed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scale {
    pub levels: Vec<ScaleLevel>,
    pub review_months: u32,
}

impl Default for Scale {
    /// Low, medium, high (QUEBEC-RULES: a default, not the law), reviewed every year.
    fn default() -> Self {
        let level = |value, fr: &str, en: &str| ScaleLevel {
            value,
            label_fr: fr.to_owned(),
            label_en: en.to_owned(),
        };
        Scale {
            levels: vec![
                level(1, "Faible", "Low"),
                level(2, "Moyen", "Medium"),
                level(3, "Élevé", "High"),
            ],
            review_months: 12,
        }
    }
}

impl Scale {
    /// Whether an asset classified at these levels (availability, integrity, confidentiality;
    /// `None` when not classified on one) is at the top of this scale on any of them: its
    /// vulnerabilities are to be remediated sooner (`RemediationPolicy::due`).
    pub fn is_top_level(&self, levels: [Option<i64>; 3]) -> bool {
        let highest = levels.into_iter().flatten().max().unwrap_or(0);
        highest >= self.levels.len() as i64
    }

    /// A scale has 2 to 10 levels numbered 1, 2, 3… in order, each labelled in both
    /// languages, and a review period of 1 to 60 months.
    pub fn check(&self) -> Result<(), FieldError> {
        if !(2..=10).contains(&self.levels.len()) {
            return Err(FieldError::with_limit("levels", "error-scale-levels", 10));
        }
        for (i, level) in self.levels.iter().enumerate() {
            if usize::from(level.value) != i + 1 {
                return Err(FieldError::new("levels", "error-scale-order"));
            }
            for label in [&level.label_fr, &level.label_en] {
                let n = label.trim().chars().count();
                if n == 0 {
                    return Err(FieldError::new("levels", "error-required"));
                }
                if n > 40 {
                    return Err(FieldError::with_limit("levels", "error-too-long", 40));
                }
            }
        }
        if !(1..=60).contains(&self.review_months) {
            return Err(FieldError::new("review_months", "error-review-months"));
        }
        Ok(())
    }

    pub fn highest(&self) -> u8 {
        self.levels.last().map_or(1, |l| l.value)
    }

    /// Checks one level given for `field`.
    pub fn level(&self, field: &str, value: &str) -> Result<u8, FieldError> {
        value
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|v| (1..=self.highest()).contains(v))
            .ok_or_else(|| FieldError::with_limit(field, "error-level", u64::from(self.highest())))
    }

    pub fn label(&self, value: u8, french: bool) -> String {
        self.levels
            .iter()
            .find(|l| l.value == value)
            .map(|l| {
                if french {
                    l.label_fr.clone()
                } else {
                    l.label_en.clone()
                }
            })
            .unwrap_or_else(|| value.to_string())
    }

    /// When a classification made on `on` must be reviewed.
    pub fn review_due(&self, on: NaiveDate) -> NaiveDate {
        on.checked_add_months(Months::new(self.review_months))
            .unwrap_or(NaiveDate::MAX)
    }
}

/// The three security objectives, each at a level of the organization's scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dic {
    pub availability: u8,
    pub integrity: u8,
    pub confidentiality: u8,
}

/// One of the three objectives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    Availability,
    Integrity,
    Confidentiality,
}

impl Objective {
    pub fn as_str(self) -> &'static str {
        match self {
            Objective::Availability => "availability",
            Objective::Integrity => "integrity",
            Objective::Confidentiality => "confidentiality",
        }
    }
}

impl Dic {
    /// The objectives on which `self` (a component) is classified lower than `dependent`,
    /// which runs on it: an infrastructure less available than the system it carries makes
    /// that system less available than its holder says.
    pub fn lower_than(&self, dependent: &Dic) -> Vec<Objective> {
        let mut out = Vec::new();
        if self.availability < dependent.availability {
            out.push(Objective::Availability);
        }
        if self.integrity < dependent.integrity {
            out.push(Objective::Integrity);
        }
        if self.confidentiality < dependent.confidentiality {
            out.push(Objective::Confidentiality);
        }
        out
    }
}

/// Only the asset's holder classifies it (seed 000: the holder "classifies the assets under
/// their responsibility and keeps the classification up to date").
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("only the asset's holder classifies it")]
pub struct NotHolder;

impl NotHolder {
    pub fn code(self) -> &'static str {
        "error-not-holder"
    }
}

pub fn check_classifier(person: i64, holder: i64) -> Result<(), NotHolder> {
    if person == holder {
        Ok(())
    } else {
        Err(NotHolder)
    }
}

/// Something about an asset that needs someone's attention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "flag")]
pub enum AssetFlag {
    /// Never classified.
    Unclassified,
    /// The classification's review date has passed.
    ReviewOverdue { due: NaiveDate },
    /// A component it runs on is classified lower.
    ComponentLower {
        component: i64,
        objectives: Vec<Objective>,
    },
    /// It is a component classified lower than an asset that runs on it.
    LowerThanDependent {
        dependent: i64,
        objectives: Vec<Objective>,
    },
    /// Data kept outside Québec: a privacy impact assessment is needed.
    OutsideQuebecNeedsPia,
    /// Past its vendor's support.
    PastEndOfSupport { since: NaiveDate },
    /// The holder no longer holds the holder role in the asset's organization.
    NoHolder,
}

impl AssetFlag {
    pub fn code(&self) -> &'static str {
        match self {
            AssetFlag::Unclassified => "unclassified",
            AssetFlag::ReviewOverdue { .. } => "review_overdue",
            AssetFlag::ComponentLower { .. } => "component_lower",
            AssetFlag::LowerThanDependent { .. } => "lower_than_dependent",
            AssetFlag::OutsideQuebecNeedsPia => "outside_quebec_needs_pia",
            AssetFlag::PastEndOfSupport { .. } => "past_end_of_support",
            AssetFlag::NoHolder => "no_holder",
        }
    }
}

/// What the flags of one asset are computed from.
#[derive(Debug, Clone, Default)]
pub struct AssetFacts {
    pub classification: Option<(Dic, NaiveDate)>,
    pub outside_quebec: bool,
    pub end_of_support: Option<NaiveDate>,
    pub holder_designated: bool,
    /// Components it runs on, with their classification if any.
    pub components: Vec<(i64, Option<Dic>)>,
    /// Assets that run on it, with their classification if any.
    pub dependents: Vec<(i64, Option<Dic>)>,
}

/// The flags of an asset on `today`.
pub fn flags(facts: &AssetFacts, today: NaiveDate) -> Vec<AssetFlag> {
    let mut out = Vec::new();
    if !facts.holder_designated {
        out.push(AssetFlag::NoHolder);
    }
    match facts.classification {
        None => out.push(AssetFlag::Unclassified),
        Some((_, due)) if due < today => out.push(AssetFlag::ReviewOverdue { due }),
        Some(_) => {}
    }
    if let Some((mine, _)) = &facts.classification {
        for (component, theirs) in &facts.components {
            let objectives = theirs.map(|t| t.lower_than(mine)).unwrap_or_default();
            if !objectives.is_empty() {
                out.push(AssetFlag::ComponentLower {
                    component: *component,
                    objectives,
                });
            }
        }
        for (dependent, theirs) in &facts.dependents {
            let objectives = theirs.map(|t| mine.lower_than(&t)).unwrap_or_default();
            if !objectives.is_empty() {
                out.push(AssetFlag::LowerThanDependent {
                    dependent: *dependent,
                    objectives,
                });
            }
        }
    }
    if facts.outside_quebec {
        out.push(AssetFlag::OutsideQuebecNeedsPia);
    }
    if let Some(since) = facts.end_of_support.filter(|d| *d < today) {
        out.push(AssetFlag::PastEndOfSupport { since });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_asset_is_at_the_top_when_one_objective_reaches_the_last_level() {
        let scale = Scale::default();
        assert!(scale.is_top_level([Some(1), None, Some(3)]));
        assert!(!scale.is_top_level([Some(2), Some(2), Some(2)]));
        assert!(!scale.is_top_level([None, None, None]));
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    // REQ ASSET-02
    #[test]
    fn scales_are_checked_and_reviews_fall_due() {
        let scale = Scale::default();
        assert_eq!(scale.check(), Ok(()));
        assert_eq!(scale.level("availability", "3"), Ok(3));
        assert_eq!(
            scale
                .level("availability", "4")
                .map_err(|e| (e.field, e.limit)),
            Err(("availability".to_owned(), Some(3)))
        );
        assert!(scale.level("integrity", "0").is_err());
        assert!(scale.level("integrity", "élevé").is_err());
        assert_eq!(scale.review_due(date("2026-01-31")), date("2027-01-31"));
        assert_eq!(scale.label(3, true), "Élevé");
        assert_eq!(scale.label(3, false), "High");
        let mut four = Scale::default();
        four.levels.push(ScaleLevel {
            value: 4,
            label_fr: "Très élevé".into(),
            label_en: "Very high".into(),
        });
        four.review_months = 6;
        assert_eq!(four.check(), Ok(()));
        assert_eq!(four.level("a", "4"), Ok(4));
        assert_eq!(four.review_due(date("2026-08-31")), date("2027-02-28"));
        let mut disordered = four.clone();
        disordered.levels.swap(0, 1);
        assert_eq!(
            disordered.check().map_err(|e| e.code),
            Err("error-scale-order")
        );
        let mut one = Scale::default();
        one.levels.truncate(1);
        assert!(one.check().is_err());
        let never = Scale {
            review_months: 0,
            ..Scale::default()
        };
        assert_eq!(
            never.check().map_err(|e| e.field),
            Err("review_months".into())
        );
    }

    // REQ ASSET-02
    #[test]
    fn only_the_holder_classifies() {
        assert_eq!(check_classifier(7, 7), Ok(()));
        assert_eq!(check_classifier(8, 7), Err(NotHolder));
    }

    // REQ ASSET-02
    #[test]
    fn flags_name_what_needs_attention() {
        let today = date("2026-11-23");
        let high = Dic {
            availability: 3,
            integrity: 3,
            confidentiality: 2,
        };
        let low = Dic {
            availability: 1,
            integrity: 3,
            confidentiality: 1,
        };
        let never = AssetFacts {
            holder_designated: true,
            ..AssetFacts::default()
        };
        assert_eq!(flags(&never, today), vec![AssetFlag::Unclassified]);
        // A system classified high, running on an infrastructure classified low: both warned.
        let system = AssetFacts {
            classification: Some((high, date("2027-01-01"))),
            holder_designated: true,
            components: vec![(2, Some(low)), (3, None), (4, Some(high))],
            ..AssetFacts::default()
        };
        assert_eq!(
            flags(&system, today),
            vec![AssetFlag::ComponentLower {
                component: 2,
                objectives: vec![Objective::Availability, Objective::Confidentiality],
            }]
        );
        let infrastructure = AssetFacts {
            classification: Some((low, date("2026-11-22"))),
            holder_designated: false,
            dependents: vec![(1, Some(high))],
            outside_quebec: true,
            end_of_support: Some(date("2025-10-14")),
            ..AssetFacts::default()
        };
        let codes: Vec<&str> = flags(&infrastructure, today)
            .iter()
            .map(|f| f.code())
            .collect();
        assert_eq!(
            codes,
            [
                "no_holder",
                "review_overdue",
                "lower_than_dependent",
                "outside_quebec_needs_pia",
                "past_end_of_support"
            ]
        );
        // Due today is not yet overdue.
        let due_today = AssetFacts {
            classification: Some((high, today)),
            holder_designated: true,
            ..AssetFacts::default()
        };
        assert!(flags(&due_today, today).is_empty());
    }
}
