//! The authority register (REG-01, REG-02): designations of people to roles, with the act that
//! made them and their dates; the roles every public body must have filled.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::role::Role;
use crate::validation::{FieldError, ValidationErrors};

/// The roles a public body must have someone designated to (seed 000: the chief executive, the
/// CDSI, the CSIO, the COMSI, the ROCD; the access and privacy officer by the access law).
pub const MANDATORY_ROLES: [Role; 6] = [
    Role::ChiefExecutive,
    Role::DelegatedCiso,
    Role::Ciso,
    Role::SecurityCoordinator,
    Role::CyberdefenceLead,
    Role::PrivacyOfficer,
];

/// The mandatory roles nobody currently holds, given the roles that are held.
pub fn vacant(held: &[Role]) -> Vec<Role> {
    MANDATORY_ROLES
        .into_iter()
        .filter(|r| !held.contains(r))
        .collect()
}

/// What designates a person: the act (a decision, a letter, a resolution) and its dates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesignationAct {
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    /// The reference of the act of designation ("Décision DG-2026-014").
    pub act_reference: String,
}

impl DesignationAct {
    pub fn check(mut self) -> Result<DesignationAct, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        self.act_reference = self.act_reference.trim().to_owned();
        if self.act_reference.chars().count() > 200 {
            errors.push(FieldError::with_limit(
                "act_reference",
                "error-too-long",
                200,
            ));
        }
        if let (Some(from), Some(until)) = (self.valid_from, self.valid_until) {
            if until < from {
                errors.push(FieldError::new("valid_until", "error-until-before-from"));
            }
        }
        errors.into_result()?;
        Ok(self)
    }

    /// Whether the designation is in force on `day` by its dates.
    pub fn in_force(&self, day: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| f <= day) && self.valid_until.is_none_or(|u| day <= u)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    // REQ REG-02
    #[test]
    fn vacant_roles_are_the_mandatory_ones_nobody_holds() {
        assert_eq!(vacant(&[]).len(), 6);
        assert_eq!(
            vacant(&[
                Role::ChiefExecutive,
                Role::Ciso,
                Role::SecurityCoordinator,
                Role::User,
                Role::Holder
            ]),
            vec![
                Role::DelegatedCiso,
                Role::CyberdefenceLead,
                Role::PrivacyOfficer
            ]
        );
        assert!(vacant(&MANDATORY_ROLES).is_empty());
    }

    // REQ REG-01
    #[test]
    fn an_act_ends_after_it_starts_and_is_in_force_between() {
        let act = DesignationAct {
            valid_from: Some(date("2026-01-01")),
            valid_until: Some(date("2026-12-31")),
            act_reference: "  Décision DG-2026-014 ".into(),
        }
        .check()
        .unwrap();
        assert_eq!(act.act_reference, "Décision DG-2026-014");
        assert!(act.in_force(date("2026-06-01")));
        assert!(act.in_force(date("2026-12-31")));
        assert!(!act.in_force(date("2027-01-01")));
        assert!(!act.in_force(date("2025-12-31")));
        let backwards = DesignationAct {
            valid_from: Some(date("2026-12-31")),
            valid_until: Some(date("2026-01-01")),
            act_reference: String::new(),
        };
        assert_eq!(
            backwards.check().map_err(|e| e.0[0].field.clone()),
            Err("valid_until".into())
        );
        assert!(DesignationAct::default().in_force(date("2026-06-01")));
    }
}
