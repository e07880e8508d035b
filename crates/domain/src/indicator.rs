//! Risk-management indicators (RISK-06, seed `001` §3 and §5): what counts as an asset
//! classified and reviewed recently, and as a project assessed before it went live; and the
//! projects whose go-live the indicator follows.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::validation::{required_text, FieldError, ValidationErrors};

/// How far back a classification counts as recent: a year.
pub const RECENT_MONTHS: u32 = 12;

/// The first day that still counts as "in the last twelve months" on `today`.
pub fn recent_since(today: NaiveDate) -> NaiveDate {
    today
        .checked_sub_months(Months::new(RECENT_MONTHS))
        .unwrap_or(NaiveDate::MIN)
}

/// A project went live without its risks assessed unless one assessment was recorded on or
/// before its go-live date. A project not yet live is not counted either way.
pub fn assessed_before_go_live(
    go_live: NaiveDate,
    first_assessment: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<bool> {
    if go_live > today {
        return None;
    }
    Some(first_assessment.is_some_and(|a| a <= go_live))
}

/// A project as given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectInput {
    pub org_id: i64,
    pub name: String,
    pub description: String,
    pub go_live_on: String,
}

/// A checked project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    pub org_id: i64,
    pub name: String,
    pub description: String,
    pub go_live_on: NaiveDate,
}

impl ProjectInput {
    /// Every fault at once.
    pub fn check(self) -> Result<Project, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let name = errors.take(required_text("name", &self.name, 200));
        let description = self.description.trim().to_owned();
        if description.chars().count() > 4000 {
            errors.push(FieldError::with_limit(
                "description",
                "error-too-long",
                4000,
            ));
        }
        let go_live = self.go_live_on.trim().parse::<NaiveDate>().ok();
        if go_live.is_none() {
            errors.push(FieldError::new("go_live_on", "error-date"));
        }
        errors.into_result()?;
        match (name, go_live) {
            (Some(name), Some(go_live_on)) => Ok(Project {
                org_id: self.org_id,
                name,
                description,
                go_live_on,
            }),
            // Both were recorded as errors above.
            _ => Err(ValidationErrors::default()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    // REQ RISK-06
    #[test]
    fn recent_means_the_last_twelve_months_and_live_projects_need_an_earlier_assessment() {
        assert_eq!(recent_since(d("2026-12-04")), d("2025-12-04"));
        assert_eq!(recent_since(d("2024-02-29")), d("2023-02-28"));
        let today = d("2026-12-04");
        assert_eq!(assessed_before_go_live(d("2027-01-01"), None, today), None);
        assert_eq!(
            assessed_before_go_live(d("2026-06-01"), Some(d("2026-05-31")), today),
            Some(true)
        );
        assert_eq!(
            assessed_before_go_live(d("2026-06-01"), Some(d("2026-06-01")), today),
            Some(true)
        );
        assert_eq!(
            assessed_before_go_live(d("2026-06-01"), Some(d("2026-06-02")), today),
            Some(false)
        );
        assert_eq!(
            assessed_before_go_live(d("2026-06-01"), None, today),
            Some(false)
        );
    }

    #[test]
    fn a_project_names_every_fault() {
        let e = ProjectInput {
            org_id: 1,
            name: " ".into(),
            description: "x".repeat(4001),
            go_live_on: "01/06/2026".into(),
        }
        .check()
        .unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| (f.field.as_str(), f.code)).collect();
        assert_eq!(
            fields,
            [
                ("name", "error-required"),
                ("description", "error-too-long"),
                ("go_live_on", "error-date")
            ]
        );
        let ok = ProjectInput {
            org_id: 1,
            name: " Refonte du portail ".into(),
            description: String::new(),
            go_live_on: "2027-03-01".into(),
        }
        .check()
        .unwrap();
        assert_eq!(
            (ok.name.as_str(), ok.go_live_on),
            ("Refonte du portail", d("2027-03-01"))
        );
    }
}
