//! Privacy impact assessments (EFVP, PRP-02): required before a project that collects, uses,
//! communicates, keeps or destroys personal information (A-2.1 art. 63.5), before information
//! is communicated outside Québec (art. 70.1), and for a new collection (seed 001 §7). The
//! sections follow the factors of the law; the committee gives its opinion from the outset and
//! at each stage (seed 001, the committee's duties); the decision closes the assessment.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::confidentiality::Level;
use crate::validation::check_text;
use crate::FieldError;

pub const MAX_TITLE: usize = 200;
pub const MAX_SECTION: usize = 10_000;

/// What made the assessment required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// A project to acquire, develop or overhaul an information system or an electronic
    /// service involving personal information (art. 63.5).
    Project,
    /// An asset hosted outside Québec or communicating personal information there (art. 70.1).
    Asset,
    /// A new collection of personal information.
    Collection,
}

impl Trigger {
    pub const ALL: [Trigger; 3] = [Trigger::Project, Trigger::Asset, Trigger::Collection];

    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Project => "project",
            Trigger::Asset => "asset",
            Trigger::Collection => "collection",
        }
    }

    pub fn parse(s: &str) -> Option<Trigger> {
        Trigger::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// An assessment as started.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct AssessmentInput {
    #[serde(default)]
    pub org_id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub trigger: String,
    #[serde(default)]
    pub project_id: String,
    #[serde(default)]
    pub asset_id: String,
    /// The new collection, described (for the trigger `collection`).
    #[serde(default)]
    pub collection: String,
    /// Whether the information is communicated, or kept, outside Québec (art. 70.1).
    #[serde(default)]
    pub outside_quebec: bool,
}

/// An assessment that passed [`check_new`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewAssessment {
    pub org_id: i64,
    pub title: String,
    pub trigger: Trigger,
    pub project_id: Option<i64>,
    pub asset_id: Option<i64>,
    pub collection: String,
    pub outside_quebec: bool,
}

fn id_of(errors: &mut Vec<FieldError>, field: &str, raw: &str) -> Option<i64> {
    match raw.trim().parse::<i64>() {
        Ok(id) if id > 0 => Some(id),
        _ => {
            errors.push(FieldError::new(field, "error-choice"));
            None
        }
    }
}

/// Checks a new assessment: its title, and what required it — the project or the asset
/// chosen, or the collection described. Every field at fault is named.
pub fn check_new(input: &AssessmentInput) -> Result<NewAssessment, Vec<FieldError>> {
    let mut errors = Vec::new();
    let org_id = id_of(&mut errors, "org_id", &input.org_id);
    check_text(&mut errors, "title", &input.title, 1, MAX_TITLE, false);
    let trigger = Trigger::parse(input.trigger.trim());
    let (mut project_id, mut asset_id) = (None, None);
    match trigger {
        None => errors.push(FieldError::new("trigger", "error-choice")),
        Some(Trigger::Project) => project_id = id_of(&mut errors, "project_id", &input.project_id),
        Some(Trigger::Asset) => asset_id = id_of(&mut errors, "asset_id", &input.asset_id),
        Some(Trigger::Collection) => check_text(
            &mut errors,
            "collection",
            &input.collection,
            1,
            MAX_SECTION,
            true,
        ),
    }
    match (org_id, trigger) {
        (Some(org_id), Some(trigger)) if errors.is_empty() => Ok(NewAssessment {
            org_id,
            title: input.title.trim().to_owned(),
            trigger,
            project_id,
            asset_id,
            collection: if trigger == Trigger::Collection {
                input.collection.trim().to_owned()
            } else {
                String::new()
            },
            // An asset's own flag adds to this (storage reads it).
            outside_quebec: input.outside_quebec,
        }),
        _ => Err(errors),
    }
}

/// Checks the asset an assessment starts from: it must hold personal information; hosted
/// outside Québec, it makes the assessment an art. 70.1 one. Gives whether the information
/// goes outside Québec.
pub fn check_asset_origin(
    asked_outside_quebec: bool,
    asset_personal_info: bool,
    asset_outside_quebec: bool,
) -> Result<bool, FieldError> {
    if !asset_personal_info {
        return Err(FieldError::new("asset_id", "error-pia-asset-no-pi"));
    }
    Ok(asked_outside_quebec || asset_outside_quebec)
}

/// The sections of an assessment: the factors of art. 63.5 (sensitivity, purposes, quantity,
/// distribution, medium) and the protection measures; for a communication outside Québec,
/// those of art. 70.1 (contractual measures, the other jurisdiction and its legal framework,
/// whether the protection is adequate, the written agreement). Saved as they are written:
/// blanks are allowed until the decision.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Factors {
    /// `low`, `medium`, `high`, or empty while not assessed.
    #[serde(default)]
    pub sensitivity: String,
    #[serde(default)]
    pub sensitivity_notes: String,
    #[serde(default)]
    pub purposes: String,
    #[serde(default)]
    pub quantity: String,
    #[serde(default)]
    pub distribution: String,
    #[serde(default)]
    pub medium: String,
    #[serde(default)]
    pub protection_measures: String,
    #[serde(default)]
    pub contractual_measures: String,
    #[serde(default)]
    pub jurisdiction: String,
    #[serde(default)]
    pub jurisdiction_framework: String,
    /// Whether the information would receive adequate protection there (art. 70.1): `yes`,
    /// `no`, or empty while not judged.
    #[serde(default)]
    pub adequate: String,
    #[serde(default)]
    pub written_agreement: String,
}

impl Factors {
    /// The free-text sections with their field names, in the order of the law.
    fn texts(&self) -> [(&'static str, &str); 10] {
        [
            ("sensitivity_notes", &self.sensitivity_notes),
            ("purposes", &self.purposes),
            ("quantity", &self.quantity),
            ("distribution", &self.distribution),
            ("medium", &self.medium),
            ("protection_measures", &self.protection_measures),
            ("contractual_measures", &self.contractual_measures),
            ("jurisdiction", &self.jurisdiction),
            ("jurisdiction_framework", &self.jurisdiction_framework),
            ("written_agreement", &self.written_agreement),
        ]
    }

    /// Every section with its field name, in the form's order.
    fn all(&self) -> [(&'static str, &str); 12] {
        [
            ("sensitivity", &self.sensitivity),
            ("sensitivity_notes", &self.sensitivity_notes),
            ("purposes", &self.purposes),
            ("quantity", &self.quantity),
            ("distribution", &self.distribution),
            ("medium", &self.medium),
            ("protection_measures", &self.protection_measures),
            ("contractual_measures", &self.contractual_measures),
            ("jurisdiction", &self.jurisdiction),
            ("jurisdiction_framework", &self.jurisdiction_framework),
            ("adequate", &self.adequate),
            ("written_agreement", &self.written_agreement),
        ]
    }

    /// The sections that differ from `before`, by name (what the trail records, not words).
    pub fn changed_from(&self, before: &Factors) -> Vec<&'static str> {
        self.all()
            .into_iter()
            .zip(before.all())
            .filter(|((_, now), (_, was))| now != was)
            .map(|((field, _), _)| field)
            .collect()
    }

    pub fn adequate(&self) -> Option<bool> {
        match self.adequate.trim() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        }
    }
}

/// Checks sections as saved: bounded texts, a known sensitivity and adequacy (or none yet).
/// Gives them trimmed.
pub fn check_factors(input: &Factors) -> Result<Factors, Vec<FieldError>> {
    let mut errors = Vec::new();
    let sensitivity = input.sensitivity.trim();
    if !sensitivity.is_empty() && Level::parse(sensitivity).is_none() {
        errors.push(FieldError::new("sensitivity", "error-choice"));
    }
    for (field, value) in input.texts() {
        check_text(&mut errors, field, value, 0, MAX_SECTION, true);
    }
    if !matches!(input.adequate.trim(), "" | "yes" | "no") {
        errors.push(FieldError::new("adequate", "error-choice"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let t = |s: &str| s.trim().to_owned();
    Ok(Factors {
        sensitivity: t(&input.sensitivity),
        sensitivity_notes: t(&input.sensitivity_notes),
        purposes: t(&input.purposes),
        quantity: t(&input.quantity),
        distribution: t(&input.distribution),
        medium: t(&input.medium),
        protection_measures: t(&input.protection_measures),
        contractual_measures: t(&input.contractual_measures),
        jurisdiction: t(&input.jurisdiction),
        jurisdiction_framework: t(&input.jurisdiction_framework),
        adequate: t(&input.adequate),
        written_agreement: t(&input.written_agreement),
    })
}

/// The sections still empty that a decision needs: the factors of art. 63.5 always, those of
/// art. 70.1 when the information goes outside Québec.
pub fn missing_sections(f: &Factors, outside_quebec: bool) -> Vec<&'static str> {
    let mut missing = Vec::new();
    if f.sensitivity.trim().is_empty() {
        missing.push("sensitivity");
    }
    for (field, value) in f.texts() {
        let needed = match field {
            "sensitivity_notes" => false,
            "contractual_measures" | "jurisdiction" | "jurisdiction_framework" => outside_quebec,
            // The agreement is the condition of an approval (art. 70.1), checked there.
            "written_agreement" => false,
            _ => true,
        };
        if needed && value.trim().is_empty() {
            missing.push(field);
        }
    }
    if outside_quebec && f.adequate().is_none() {
        missing.push("adequate");
    }
    missing
}

/// A stage of the project at which the committee gives its opinion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// From the outset: the committee is consulted when the project starts.
    Outset,
    Design,
    Development,
    Deployment,
}

impl Stage {
    pub const ALL: [Stage; 4] = [
        Stage::Outset,
        Stage::Design,
        Stage::Development,
        Stage::Deployment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Outset => "outset",
            Stage::Design => "design",
            Stage::Development => "development",
            Stage::Deployment => "deployment",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// The committee's opinion as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct OpinionInput {
    #[serde(default)]
    pub stage: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub given_on: String,
    #[serde(default)]
    pub opinion: String,
    /// The protection measures it suggests.
    #[serde(default)]
    pub measures: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Opinion {
    pub stage: Stage,
    pub given_on: NaiveDate,
    pub opinion: String,
    pub measures: String,
}

fn date(
    errors: &mut Vec<FieldError>,
    field: &str,
    raw: &str,
    today: NaiveDate,
) -> Option<NaiveDate> {
    crate::validation::check_date(errors, field, raw, true, Some(today))
}

/// Where an assessment stands, as the checks need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub decided: bool,
    /// The stage and date of the latest opinion, if any.
    pub last_opinion: Option<(Stage, NaiveDate)>,
    /// The day the assessment was started.
    pub started_on: NaiveDate,
}

/// Checks an opinion: none after the decision; the first one at the outset (the committee is
/// consulted from the start, not asked to bless a finished project); stages never go back;
/// dated between the start and today, not before the previous opinion.
pub fn check_opinion(
    standing: Standing,
    input: &OpinionInput,
    today: NaiveDate,
) -> Result<Opinion, Vec<FieldError>> {
    if standing.decided {
        return Err(vec![FieldError::new("stage", "error-pia-decided")]);
    }
    let mut errors = Vec::new();
    let stage = Stage::parse(input.stage.trim());
    match (stage, standing.last_opinion) {
        (None, _) => errors.push(FieldError::new("stage", "error-choice")),
        (Some(s), None) if s != Stage::Outset => {
            errors.push(FieldError::new("stage", "error-pia-outset-first"))
        }
        (Some(s), Some((last, _))) if s < last => {
            errors.push(FieldError::new("stage", "error-pia-stage-order"))
        }
        _ => {}
    }
    let given_on = date(&mut errors, "given_on", &input.given_on, today);
    if let Some(d) = given_on {
        let floor = standing
            .last_opinion
            .map_or(standing.started_on, |(_, on)| on.max(standing.started_on));
        if d < floor {
            errors.push(FieldError::new("given_on", "error-pia-date-order"));
        }
    }
    check_text(&mut errors, "opinion", &input.opinion, 1, MAX_SECTION, true);
    check_text(
        &mut errors,
        "measures",
        &input.measures,
        0,
        MAX_SECTION,
        true,
    );
    match (stage, given_on) {
        (Some(stage), Some(given_on)) if errors.is_empty() => Ok(Opinion {
            stage,
            given_on,
            opinion: input.opinion.trim().to_owned(),
            measures: input.measures.trim().to_owned(),
        }),
        _ => Err(errors),
    }
}

/// What the body decides on the assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approved,
    /// Approved on conditions, which the decision states.
    ApprovedWithConditions,
    /// The project or the communication does not go ahead as assessed.
    Refused,
}

impl Decision {
    pub const ALL: [Decision; 3] = [
        Decision::Approved,
        Decision::ApprovedWithConditions,
        Decision::Refused,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approved => "approved",
            Decision::ApprovedWithConditions => "approved_with_conditions",
            Decision::Refused => "refused",
        }
    }

    pub fn parse(s: &str) -> Option<Decision> {
        Decision::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn approves(self) -> bool {
        self != Decision::Refused
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct DecisionInput {
    #[serde(default)]
    pub decision: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub decided_on: String,
    /// The grounds; the conditions of a conditional approval; why a refusal.
    #[serde(default)]
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionMade {
    pub decision: Decision,
    pub decided_on: NaiveDate,
    pub text: String,
}

/// Checks a decision. Any decision needs the committee's opinion at the outset and is taken
/// once. An approval needs every section the law names filled in; outside Québec it needs the
/// protection judged adequate and the written agreement named (art. 70.1: the information is
/// communicated only then). A conditional approval states its conditions, a refusal its
/// reasons. Each missing section is named.
pub fn check_decision(
    standing: Standing,
    factors: &Factors,
    outside_quebec: bool,
    input: &DecisionInput,
    today: NaiveDate,
) -> Result<DecisionMade, Vec<FieldError>> {
    if standing.decided {
        return Err(vec![FieldError::new("decision", "error-pia-decided")]);
    }
    let mut errors = Vec::new();
    let decision = Decision::parse(input.decision.trim());
    if decision.is_none() {
        errors.push(FieldError::new("decision", "error-choice"));
    }
    if standing.last_opinion.is_none() {
        errors.push(FieldError::new("decision", "error-pia-no-opinion"));
    }
    let decided_on = date(&mut errors, "decided_on", &input.decided_on, today);
    if let Some(d) = decided_on {
        let floor = standing
            .last_opinion
            .map_or(standing.started_on, |(_, on)| on.max(standing.started_on));
        if d < floor {
            errors.push(FieldError::new("decided_on", "error-pia-date-order"));
        }
    }
    let text_min = match decision {
        Some(Decision::Approved) => 0,
        _ => 1,
    };
    check_text(
        &mut errors,
        "text",
        &input.text,
        text_min,
        MAX_SECTION,
        true,
    );
    if decision.is_some_and(Decision::approves) {
        for field in missing_sections(factors, outside_quebec) {
            errors.push(FieldError::new(field, "error-pia-section-missing"));
        }
        if outside_quebec {
            if factors.adequate() == Some(false) {
                errors.push(FieldError::new("adequate", "error-pia-inadequate"));
            }
            if factors.written_agreement.trim().is_empty() {
                errors.push(FieldError::new(
                    "written_agreement",
                    "error-pia-agreement-missing",
                ));
            }
        }
    }
    match (decision, decided_on) {
        (Some(decision), Some(decided_on)) if errors.is_empty() => Ok(DecisionMade {
            decision,
            decided_on,
            text: input.text.trim().to_owned(),
        }),
        _ => Err(errors),
    }
}

/// Whether a decided assessment may back a communication outside Québec: only an approved
/// one of the art. 70.1 kind (A-2.1 art. 70.1: the information goes only once assessed and
/// judged adequately protected).
pub fn backs_communication_abroad(outside_quebec: bool, decision: Option<Decision>) -> bool {
    outside_quebec && decision.is_some_and(Decision::approves)
}

/// Whether an asset needs an assessment: it holds personal information and is hosted or
/// communicates outside Québec (art. 70.1). One that needs one and has none (or only refused
/// ones) is flagged.
pub fn asset_needs_assessment(personal_info: bool, outside_quebec: bool) -> bool {
    personal_info && outside_quebec
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn codes(errors: Vec<FieldError>) -> Vec<(String, &'static str)> {
        errors.into_iter().map(|e| (e.field, e.code)).collect()
    }

    fn full(outside: bool) -> Factors {
        let mut f = Factors {
            sensitivity: "high".into(),
            purposes: "Verser les prestations".into(),
            quantity: "40 000 dossiers".into(),
            distribution: "Direction des prestations".into(),
            medium: "Électronique".into(),
            protection_measures: "Chiffrement, MFA".into(),
            ..Default::default()
        };
        if outside {
            f.contractual_measures = "Clauses 12 à 18".into();
            f.jurisdiction = "Ontario".into();
            f.jurisdiction_framework = "PIPEDA".into();
            f.adequate = "yes".into();
            f.written_agreement = "Entente 2026-114".into();
        }
        f
    }

    // REQ PRP-02
    #[test]
    fn an_assessment_names_what_required_it() {
        let ok = check_new(&AssessmentInput {
            org_id: "3".into(),
            title: " Portail citoyen ".into(),
            trigger: "project".into(),
            project_id: "12".into(),
            asset_id: "99".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            (ok.title.as_str(), ok.project_id, ok.asset_id),
            ("Portail citoyen", Some(12), None)
        );
        assert_eq!(
            codes(
                check_new(&AssessmentInput {
                    org_id: "3".into(),
                    trigger: "asset".into(),
                    ..Default::default()
                })
                .unwrap_err()
            ),
            vec![
                ("title".to_owned(), "error-required"),
                ("asset_id".to_owned(), "error-choice")
            ]
        );
        assert_eq!(
            codes(
                check_new(&AssessmentInput {
                    org_id: "x".into(),
                    title: "Sondage".into(),
                    trigger: "collection".into(),
                    ..Default::default()
                })
                .unwrap_err()
            ),
            vec![
                ("org_id".to_owned(), "error-choice"),
                ("collection".to_owned(), "error-required")
            ]
        );
        assert_eq!(
            codes(
                check_new(&AssessmentInput {
                    org_id: "3".into(),
                    title: "T".into(),
                    trigger: "whim".into(),
                    ..Default::default()
                })
                .unwrap_err()
            ),
            vec![("trigger".to_owned(), "error-choice")]
        );
    }

    // REQ PRP-02
    #[test]
    fn sections_follow_the_factors_of_the_law() {
        assert_eq!(
            missing_sections(&Factors::default(), false),
            vec![
                "sensitivity",
                "purposes",
                "quantity",
                "distribution",
                "medium",
                "protection_measures"
            ]
        );
        let mut f = full(false);
        assert!(missing_sections(&f, false).is_empty());
        assert_eq!(
            missing_sections(&f, true),
            vec![
                "contractual_measures",
                "jurisdiction",
                "jurisdiction_framework",
                "adequate"
            ]
        );
        f.sensitivity = "extreme".into();
        f.adequate = "maybe".into();
        assert_eq!(
            codes(check_factors(&f).unwrap_err()),
            vec![
                ("sensitivity".to_owned(), "error-choice"),
                ("adequate".to_owned(), "error-choice")
            ]
        );
        let mut edited = full(false);
        edited.medium = "Papier".into();
        edited.adequate = "yes".into();
        assert_eq!(
            edited.changed_from(&full(false)),
            vec!["medium", "adequate"]
        );
        let saved = check_factors(&Factors {
            purposes: "  Fins  ".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(saved.purposes, "Fins");
    }

    // REQ PRP-02
    #[test]
    fn the_committee_is_consulted_from_the_outset_and_in_order() {
        let today = d("2026-06-30");
        let fresh = Standing {
            decided: false,
            last_opinion: None,
            started_on: d("2026-06-01"),
        };
        let opinion = |stage: &str, on: &str| OpinionInput {
            stage: stage.into(),
            given_on: on.into(),
            opinion: "Favorable".into(),
            measures: String::new(),
        };
        assert_eq!(
            codes(check_opinion(fresh, &opinion("design", "2026-06-10"), today).unwrap_err()),
            vec![("stage".to_owned(), "error-pia-outset-first")]
        );
        let first = check_opinion(fresh, &opinion("outset", "2026-06-02"), today).unwrap();
        assert_eq!(first.stage, Stage::Outset);
        assert_eq!(
            codes(check_opinion(fresh, &opinion("outset", "2026-05-31"), today).unwrap_err()),
            vec![("given_on".to_owned(), "error-pia-date-order")]
        );
        assert_eq!(
            codes(check_opinion(fresh, &opinion("outset", "2026-07-01"), today).unwrap_err()),
            vec![("given_on".to_owned(), "error-date-future")]
        );
        let later = Standing {
            last_opinion: Some((Stage::Development, d("2026-06-20"))),
            ..fresh
        };
        assert_eq!(
            codes(check_opinion(later, &opinion("design", "2026-06-25"), today).unwrap_err()),
            vec![("stage".to_owned(), "error-pia-stage-order")]
        );
        assert!(check_opinion(later, &opinion("development", "2026-06-25"), today).is_ok());
        assert!(check_opinion(later, &opinion("deployment", "2026-06-20"), today).is_ok());
        let decided = Standing {
            decided: true,
            ..later
        };
        assert_eq!(
            codes(check_opinion(decided, &opinion("deployment", "2026-06-25"), today).unwrap_err()),
            vec![("stage".to_owned(), "error-pia-decided")]
        );
    }

    // REQ PRP-02
    #[test]
    fn a_decision_needs_the_opinion_and_the_sections_and_art_70_1_outside_quebec() {
        let today = d("2026-06-30");
        let consulted = Standing {
            decided: false,
            last_opinion: Some((Stage::Outset, d("2026-06-05"))),
            started_on: d("2026-06-01"),
        };
        let decide = |decision: &str, text: &str| DecisionInput {
            decision: decision.into(),
            decided_on: "2026-06-29".into(),
            text: text.into(),
        };
        let unconsulted = Standing {
            last_opinion: None,
            ..consulted
        };
        assert_eq!(
            codes(
                check_decision(
                    unconsulted,
                    &full(false),
                    false,
                    &decide("approved", ""),
                    today
                )
                .unwrap_err()
            ),
            vec![("decision".to_owned(), "error-pia-no-opinion")]
        );
        let made = check_decision(
            consulted,
            &full(false),
            false,
            &decide("approved", ""),
            today,
        )
        .unwrap();
        assert_eq!(made.decision, Decision::Approved);
        // Approving an incomplete assessment names each missing section.
        let mut partial = full(false);
        partial.medium.clear();
        assert_eq!(
            codes(
                check_decision(consulted, &partial, false, &decide("approved", ""), today)
                    .unwrap_err()
            ),
            vec![("medium".to_owned(), "error-pia-section-missing")]
        );
        // Refusing an incomplete one is allowed, with its reasons.
        assert_eq!(
            codes(
                check_decision(consulted, &partial, false, &decide("refused", ""), today)
                    .unwrap_err()
            ),
            vec![("text".to_owned(), "error-required")]
        );
        assert!(
            check_decision(consulted, &partial, false, &decide("refused", "Non"), today).is_ok()
        );
        // Outside Québec: inadequate protection or no written agreement, no approval.
        let mut abroad = full(true);
        assert!(check_decision(
            consulted,
            &abroad,
            true,
            &decide("approved_with_conditions", "Journaliser"),
            today
        )
        .is_ok());
        abroad.adequate = "no".into();
        abroad.written_agreement.clear();
        assert_eq!(
            codes(
                check_decision(consulted, &abroad, true, &decide("approved", ""), today)
                    .unwrap_err()
            ),
            vec![
                ("adequate".to_owned(), "error-pia-inadequate"),
                (
                    "written_agreement".to_owned(),
                    "error-pia-agreement-missing"
                )
            ]
        );
        let decided = Standing {
            decided: true,
            ..consulted
        };
        assert_eq!(
            codes(
                check_decision(decided, &full(false), false, &decide("approved", ""), today)
                    .unwrap_err()
            ),
            vec![("decision".to_owned(), "error-pia-decided")]
        );
        assert!(asset_needs_assessment(true, true));
        assert!(backs_communication_abroad(
            true,
            Some(Decision::ApprovedWithConditions)
        ));
        assert!(!backs_communication_abroad(true, Some(Decision::Refused)));
        assert!(!backs_communication_abroad(true, None));
        assert!(!backs_communication_abroad(false, Some(Decision::Approved)));
        assert_eq!(check_asset_origin(false, true, true), Ok(true));
        assert_eq!(check_asset_origin(false, true, false), Ok(false));
        assert_eq!(
            check_asset_origin(true, false, true).unwrap_err().code,
            "error-pia-asset-no-pi"
        );
        assert!(!asset_needs_assessment(true, false));
        assert!(!asset_needs_assessment(false, true));
    }
}
