//! Security risk management (RISK-01 to RISK-04), the rules only: the method an organization
//! rates risks with (likelihood and impact scales, score bands with their colours, the
//! acceptance threshold, who approves above it; inherited down the tree, configurable, a
//! default that is not the law), scores computed from the ratings and never typed, the four
//! treatment options, treatment actions and when they are overdue, who may approve a residual
//! risk (the holder of every asset in the perimeter; above the threshold, the higher approver
//! the method names; never the person who proposed it), when approvals lapse, and why a risk
//! must be reassessed. Seed `001`, risk policy §3 to §7; seed `000`, the holder's duties.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::person::PersonId;
use crate::role::Role;
use crate::sod::{check_approver, SelfApproval};
use crate::validation::{FieldError, ValidationErrors};

/// One level of the likelihood or the impact scale; 1 is the lowest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AxisLevel {
    pub value: u8,
    pub label_fr: String,
    pub label_en: String,
}

/// A band of scores with its name and colour: scores from `min_score` up to the next band's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskBand {
    pub min_score: u16,
    pub label_fr: String,
    pub label_en: String,
    /// `#rrggbb`; on a map the band's name and the score are always written too.
    pub colour: String,
}

/// How the impacts on availability, integrity and confidentiality make one impact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ImpactRule {
    /// The worst of the three: a risk is as bad as its worst consequence.
    #[default]
    Highest,
    /// Their rounded-up mean, for methods that weigh the three alike.
    Mean,
}

/// An organization's risk method (RISK-02).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Method {
    pub likelihood: Vec<AxisLevel>,
    pub impact: Vec<AxisLevel>,
    /// In increasing order; the first starts at 1.
    pub bands: Vec<RiskBand>,
    pub impact_rule: ImpactRule,
    /// The highest score the asset's holder may accept; above it, `higher_approver` approves.
    pub threshold: u16,
    pub higher_approver: Role,
    /// How long an approval of residual risk holds.
    pub approval_months: u32,
    /// How long an assessment holds before the risk is to be reassessed.
    pub review_months: u32,
}

fn axis(levels: &[(&str, &str)]) -> Vec<AxisLevel> {
    levels
        .iter()
        .zip(1u8..)
        .map(|((fr, en), value)| AxisLevel {
            value,
            label_fr: (*fr).to_owned(),
            label_en: (*en).to_owned(),
        })
        .collect()
}

impl Default for Method {
    /// Five by five, four bands, accepted by the holder up to 9 (a "moderate" risk), the chief
    /// executive above; approvals and assessments hold a year. QUEBEC-RULES: a default that the
    /// seed documents do not fix; each organization sets its own.
    fn default() -> Self {
        let band = |min_score, fr: &str, en: &str, colour: &str| RiskBand {
            min_score,
            label_fr: fr.to_owned(),
            label_en: en.to_owned(),
            colour: colour.to_owned(),
        };
        Method {
            likelihood: axis(&[
                ("Rare", "Rare"),
                ("Peu probable", "Unlikely"),
                ("Possible", "Possible"),
                ("Probable", "Likely"),
                ("Quasi certain", "Almost certain"),
            ]),
            impact: axis(&[
                ("Négligeable", "Negligible"),
                ("Mineur", "Minor"),
                ("Modéré", "Moderate"),
                ("Majeur", "Major"),
                ("Critique", "Critical"),
            ]),
            bands: vec![
                band(1, "Faible", "Low", "#2e7d32"),
                band(5, "Modéré", "Moderate", "#f9a825"),
                band(10, "Élevé", "High", "#ef6c00"),
                band(17, "Critique", "Critical", "#b71c1c"),
            ],
            impact_rule: ImpactRule::Highest,
            threshold: 9,
            higher_approver: Role::ChiefExecutive,
            approval_months: 12,
            review_months: 12,
        }
    }
}

/// The impacts of a scenario on the three objectives, each on the impact scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Impacts {
    pub availability: u8,
    pub integrity: u8,
    pub confidentiality: u8,
}

/// A rating: likelihood and the three impacts, as assessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub likelihood: u8,
    pub impacts: Impacts,
}

/// What a rating comes to under a method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Score {
    /// The combined impact (by the method's rule).
    pub impact: u8,
    /// Likelihood × impact.
    pub value: u16,
    /// Index of the band in the method.
    pub band: usize,
    /// Above the acceptance threshold.
    pub above_threshold: bool,
}

fn label_ok(field: &str, label: &str) -> Result<(), FieldError> {
    let n = label.trim().chars().count();
    if n == 0 {
        return Err(FieldError::new(field, "error-required"));
    }
    if n > 40 {
        return Err(FieldError::with_limit(field, "error-too-long", 40));
    }
    Ok(())
}

fn is_colour(c: &str) -> bool {
    c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|c| c.is_ascii_hexdigit())
}

impl Method {
    /// Every fault of the method at once: scales of 2 to 10 levels numbered from 1 and
    /// labelled in both languages; bands in increasing order from 1, each labelled and
    /// coloured; a threshold within the scores; an approver who may be designated on a public
    /// body; periods of 1 to 60 months.
    pub fn check(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        for (field, levels) in [("likelihood", &self.likelihood), ("impact", &self.impact)] {
            if !(2..=10).contains(&levels.len()) {
                errors.push(FieldError::with_limit(field, "error-scale-levels", 10));
                continue;
            }
            for (i, level) in levels.iter().enumerate() {
                if usize::from(level.value) != i + 1 {
                    errors.push(FieldError::new(field, "error-scale-order"));
                    break;
                }
                if let Some(e) = [&level.label_fr, &level.label_en]
                    .into_iter()
                    .find_map(|l| label_ok(field, l).err())
                {
                    errors.push(e);
                    break;
                }
            }
        }
        let max = self.max_score();
        if self.bands.is_empty() || self.bands.len() > 10 {
            errors.push(FieldError::with_limit("bands", "error-risk-bands", 10));
        } else {
            let mut previous = 0u16;
            for (i, band) in self.bands.iter().enumerate() {
                let first_ok = i > 0 || band.min_score == 1;
                if !first_ok || band.min_score <= previous || band.min_score > max {
                    errors.push(FieldError::with_limit(
                        "bands",
                        "error-risk-band-order",
                        max.into(),
                    ));
                    break;
                }
                previous = band.min_score;
                if let Some(e) = [&band.label_fr, &band.label_en]
                    .into_iter()
                    .find_map(|l| label_ok("bands", l).err())
                {
                    errors.push(e);
                    break;
                }
                if !is_colour(&band.colour) {
                    errors.push(FieldError::new("bands", "error-colour"));
                    break;
                }
            }
        }
        if self.threshold < 1 || self.threshold > max {
            errors.push(FieldError::with_limit(
                "threshold",
                "error-risk-threshold",
                max.into(),
            ));
        }
        if matches!(
            self.higher_approver,
            Role::PlatformAdmin | Role::User | Role::Auditor
        ) {
            errors.push(FieldError::new("higher_approver", "error-risk-approver"));
        }
        for (field, months) in [
            ("approval_months", self.approval_months),
            ("review_months", self.review_months),
        ] {
            if !(1..=60).contains(&months) {
                errors.push(FieldError::with_limit(field, "error-months", 60));
            }
        }
        errors.into_result()
    }

    pub fn max_score(&self) -> u16 {
        let top = |levels: &[AxisLevel]| levels.last().map_or(1, |l| u16::from(l.value));
        top(&self.likelihood) * top(&self.impact)
    }

    /// Checks a rating against the scales, naming each field out of range.
    pub fn check_rating(&self, prefix: &str, rating: &Rating) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let top = |levels: &[AxisLevel]| levels.last().map_or(1, |l| l.value);
        let mut within = |field: &str, value: u8, max: u8| {
            if !(1..=max).contains(&value) {
                errors.push(FieldError::with_limit(
                    format!("{prefix}{field}"),
                    "error-level",
                    max.into(),
                ));
            }
        };
        within("likelihood", rating.likelihood, top(&self.likelihood));
        let i = rating.impacts;
        let max = top(&self.impact);
        within("impact_availability", i.availability, max);
        within("impact_integrity", i.integrity, max);
        within("impact_confidentiality", i.confidentiality, max);
        errors.into_result()
    }

    /// The score of a rating (RISK-02): computed, never typed. A rating off the scales is
    /// refused, naming its fields.
    pub fn score(&self, rating: &Rating) -> Result<Score, ValidationErrors> {
        self.check_rating("", rating)?;
        let i = rating.impacts;
        let impact = match self.impact_rule {
            ImpactRule::Highest => i.availability.max(i.integrity).max(i.confidentiality),
            ImpactRule::Mean => {
                let sum = u16::from(i.availability)
                    + u16::from(i.integrity)
                    + u16::from(i.confidentiality);
                // Rounded up: a mean of 2.3 is rated 3, never understated. At most 10.
                u8::try_from(sum.div_ceil(3)).unwrap_or(u8::MAX)
            }
        };
        let value = u16::from(rating.likelihood) * u16::from(impact);
        Ok(Score {
            impact,
            value,
            band: self.band_of(value),
            above_threshold: self.above_threshold(i64::from(value)),
        })
    }

    /// Whether a stored score (of a remaining risk) is above the acceptance threshold: what
    /// needs the higher approver, and what the indicators count.
    pub fn above_threshold(&self, score: i64) -> bool {
        score > i64::from(self.threshold)
    }

    /// The band a score falls in.
    pub fn band_of(&self, value: u16) -> usize {
        self.bands
            .iter()
            .rposition(|b| b.min_score <= value)
            .unwrap_or(0)
    }

    /// When an approval given on `on` lapses.
    pub fn approval_expires(&self, on: NaiveDate) -> NaiveDate {
        on.checked_add_months(Months::new(self.approval_months))
            .unwrap_or(NaiveDate::MAX)
    }

    /// When an assessment made on `on` is due again.
    pub fn review_due(&self, on: NaiveDate) -> NaiveDate {
        on.checked_add_months(Months::new(self.review_months))
            .unwrap_or(NaiveDate::MAX)
    }
}

/// The four ways to treat a risk (seed `001`, §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Treatment {
    /// The level is acceptable; watched in case it changes.
    Accept,
    /// Controls reduce the likelihood, the impact or both.
    Mitigate,
    /// A third party better able to manage it carries it; the body stays accountable.
    Transfer,
    /// The activity that carries the risk is not started or is stopped.
    Avoid,
}

impl Treatment {
    pub const ALL: [Treatment; 4] = [
        Treatment::Accept,
        Treatment::Mitigate,
        Treatment::Transfer,
        Treatment::Avoid,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Treatment::Accept => "accept",
            Treatment::Mitigate => "mitigate",
            Treatment::Transfer => "transfer",
            Treatment::Avoid => "avoid",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Treatment, FieldError> {
        Treatment::ALL
            .into_iter()
            .find(|t| t.as_str() == raw.trim())
            .ok_or_else(|| FieldError::new(field, "error-choice"))
    }

    pub fn label_key(self) -> String {
        format!("risk-treatment-{}", self.as_str())
    }
}

/// Where a treatment action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    Planned,
    InProgress,
    Done,
    Cancelled,
}

impl ActionStatus {
    pub const ALL: [ActionStatus; 4] = [
        ActionStatus::Planned,
        ActionStatus::InProgress,
        ActionStatus::Done,
        ActionStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Planned => "planned",
            ActionStatus::InProgress => "in_progress",
            ActionStatus::Done => "done",
            ActionStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<ActionStatus, FieldError> {
        ActionStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim())
            .ok_or_else(|| FieldError::new(field, "error-choice"))
    }

    /// An action still open past its due date is overdue (RISK-06).
    pub fn overdue(self, due: NaiveDate, today: NaiveDate) -> bool {
        matches!(self, ActionStatus::Planned | ActionStatus::InProgress) && due < today
    }
}

/// Treatments that change nothing by themselves must say what they rest on: a mitigation or
/// a transfer without any action planned is a wish, not a plan.
pub fn check_plan(treatment: Treatment, actions: usize) -> Result<(), FieldError> {
    match treatment {
        Treatment::Mitigate | Treatment::Transfer if actions == 0 => {
            Err(FieldError::new("actions", "error-risk-plan-empty"))
        }
        _ => Ok(()),
    }
}

/// What the approver stands as, for the risk's perimeter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// Designated holder of every asset in the perimeter.
    pub holds_every_asset: bool,
    /// Holds the method's higher approver role on the risk's public body (or above it).
    pub higher_approver: bool,
}

/// Why an approval of residual risk is refused (RISK-03).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ApprovalError {
    #[error(transparent)]
    SelfApproval(#[from] SelfApproval),
    /// At or under the threshold: the holder of the assets concerned approves.
    #[error("only the holder of every asset concerned approves this residual risk")]
    NotHolder,
    /// Above the threshold: the method's higher approver approves.
    #[error("a residual risk above the threshold needs the higher approver")]
    NeedsHigherApprover,
    /// A risk without any asset has no holder to approve it.
    #[error("a risk without any asset in its perimeter cannot be approved")]
    NoPerimeter,
}

impl ApprovalError {
    pub fn code(self) -> &'static str {
        match self {
            ApprovalError::SelfApproval(e) => e.code(),
            ApprovalError::NotHolder => "error-risk-not-holder",
            ApprovalError::NeedsHigherApprover => "error-risk-needs-higher-approver",
            ApprovalError::NoPerimeter => "error-risk-no-perimeter",
        }
    }
}

/// Whether `approver` may approve the residual risk scored `residual` that `proposer` put
/// forward. The holder approves a risk at or under the threshold (the higher approver may too:
/// they answer for more); above it, only the higher approver; never the proposer.
pub fn check_approval(
    method: &Method,
    residual: &Score,
    assets: usize,
    proposer: PersonId,
    approver: PersonId,
    standing: Standing,
) -> Result<(), ApprovalError> {
    check_approver(proposer, approver)?;
    if assets == 0 {
        return Err(ApprovalError::NoPerimeter);
    }
    if residual.value > method.threshold {
        if !standing.higher_approver {
            return Err(ApprovalError::NeedsHigherApprover);
        }
    } else if !standing.holds_every_asset && !standing.higher_approver {
        return Err(ApprovalError::NotHolder);
    }
    Ok(())
}

/// Why a risk is to be reassessed (RISK-04, seed `001` §5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reassessment {
    /// An incident compromised an asset of the perimeter.
    Incident { incident: String },
    /// A security audit found risks not identified, or controls judged insufficient.
    AuditFinding { finding: String },
    /// A major change in the legal or regulatory context of the organization.
    LegalChange { change: String },
    /// The assessment's review date passed.
    ReviewDue { due: NaiveDate },
    /// The approval of the residual risk lapsed: it comes back to be approved.
    ApprovalExpired { expired: NaiveDate },
    /// The organization's method changed so that the risk's ratings fall off its scales.
    MethodChanged,
}

impl Reassessment {
    pub fn code(&self) -> &'static str {
        match self {
            Reassessment::Incident { .. } => "incident",
            Reassessment::AuditFinding { .. } => "audit_finding",
            Reassessment::LegalChange { .. } => "legal_change",
            Reassessment::ReviewDue { .. } => "review_due",
            Reassessment::ApprovalExpired { .. } => "approval_expired",
            Reassessment::MethodChanged => "method_changed",
        }
    }

    pub fn label_key(&self) -> String {
        format!("risk-reassess-{}", self.code().replace('_', "-"))
    }
}

/// What dates alone say about a risk on `today`: its assessment is past review, its approval
/// has lapsed. The scheduler records these; events (incidents, audits, legal changes) are
/// recorded by the modules that see them.
pub fn due_reassessments(
    review_due: NaiveDate,
    approval_expires: Option<NaiveDate>,
    today: NaiveDate,
) -> Vec<Reassessment> {
    let mut out = Vec::new();
    if review_due <= today {
        out.push(Reassessment::ReviewDue { due: review_due });
    }
    if let Some(expired) = approval_expires.filter(|e| *e <= today) {
        out.push(Reassessment::ApprovalExpired { expired });
    }
    out
}

/// A treatment action, as given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionInput {
    pub title: String,
    pub owner_id: i64,
    pub due_on: NaiveDate,
    pub status: ActionStatus,
    /// Controls of an imported catalogue this action puts in place (`ac-2`, `sc-7.3`).
    pub controls: Vec<String>,
}

/// A risk as given (RISK-01): text, perimeter, gross rating, and, once a treatment is chosen,
/// the plan and the residual rating. Scores are not part of it: they are computed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskInput {
    pub org_id: i64,
    pub title: String,
    pub description: String,
    pub threat: String,
    pub vulnerability: String,
    pub existing_controls: String,
    pub owner_id: i64,
    pub asset_ids: Vec<i64>,
    pub gross: Rating,
    pub treatment: Option<Treatment>,
    pub residual: Option<Rating>,
    pub residual_description: String,
    pub actions: Vec<ActionInput>,
}

/// A risk's perimeter holds at most this many assets, and its plan this many actions.
pub const MAX_ASSETS: usize = 200;
pub const MAX_ACTIONS: usize = 100;

fn long_text(errors: &mut ValidationErrors, field: &str, value: &mut String, max: usize) {
    *value = value.trim().to_owned();
    if value.chars().count() > max {
        errors.push(FieldError::with_limit(field, "error-too-long", max as u64));
    }
}

fn control_id(raw: &str) -> Option<String> {
    let id = raw.trim().to_ascii_lowercase();
    let ok = !id.is_empty()
        && id.len() <= 40
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'));
    ok.then_some(id)
}

impl RiskInput {
    /// Every fault at once, fields named as a form names them (`actions.2.title`); text
    /// trimmed, perimeter and controls without repeats. A treatment needs a residual rating,
    /// and a mitigation or a transfer at least one action.
    pub fn check(mut self, method: &Method) -> Result<RiskInput, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        match crate::validation::required_text("title", &self.title, 200) {
            Ok(t) => self.title = t,
            Err(e) => errors.push(e),
        }
        long_text(&mut errors, "description", &mut self.description, 4000);
        long_text(&mut errors, "threat", &mut self.threat, 2000);
        long_text(&mut errors, "vulnerability", &mut self.vulnerability, 2000);
        long_text(
            &mut errors,
            "existing_controls",
            &mut self.existing_controls,
            4000,
        );
        long_text(
            &mut errors,
            "residual_description",
            &mut self.residual_description,
            4000,
        );
        if self.threat.is_empty() {
            errors.push(FieldError::new("threat", "error-required"));
        }
        if self.vulnerability.is_empty() {
            errors.push(FieldError::new("vulnerability", "error-required"));
        }
        self.asset_ids.sort_unstable();
        self.asset_ids.dedup();
        if self.asset_ids.is_empty() {
            errors.push(FieldError::new("asset_ids", "error-required"));
        } else if self.asset_ids.len() > MAX_ASSETS {
            errors.push(FieldError::with_limit(
                "asset_ids",
                "error-too-many",
                MAX_ASSETS as u64,
            ));
        }
        if let Err(e) = method.check_rating("", &self.gross) {
            errors.0.extend(e.0);
        }
        match (self.treatment, self.residual) {
            (Some(_), None) => {
                errors.push(FieldError::new("residual_likelihood", "error-required"))
            }
            (_, Some(r)) => {
                if let Err(e) = method.check_rating("residual_", &r) {
                    errors.0.extend(e.0);
                }
            }
            (None, None) => {}
        }
        if self.residual.is_some() && self.treatment.is_none() {
            errors.push(FieldError::new("treatment", "error-required"));
        }
        if let Some(t) = self.treatment {
            if let Err(e) = check_plan(t, self.actions.len()) {
                errors.push(e);
            }
        }
        if self.actions.len() > MAX_ACTIONS {
            errors.push(FieldError::with_limit(
                "actions",
                "error-too-many",
                MAX_ACTIONS as u64,
            ));
        }
        for (i, action) in self.actions.iter_mut().enumerate() {
            match crate::validation::required_text(
                &format!("actions.{i}.title"),
                &action.title,
                200,
            ) {
                Ok(t) => action.title = t,
                Err(e) => errors.push(e),
            }
            let mut controls = Vec::with_capacity(action.controls.len());
            for raw in &action.controls {
                match control_id(raw) {
                    Some(id) if !controls.contains(&id) => controls.push(id),
                    Some(_) => {}
                    None => {
                        errors.push(FieldError::new(
                            format!("actions.{i}.controls"),
                            "error-control-id",
                        ));
                        break;
                    }
                }
            }
            action.controls = controls;
        }
        errors.into_result().map(|()| self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rating(l: u8, a: u8, i: u8, c: u8) -> Rating {
        Rating {
            likelihood: l,
            impacts: Impacts {
                availability: a,
                integrity: i,
                confidentiality: c,
            },
        }
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn input() -> RiskInput {
        RiskInput {
            org_id: 3,
            title: "  Rançongiciel sur le dossier clinique ".into(),
            description: String::new(),
            threat: "Rançongiciel".into(),
            vulnerability: "Correctifs en retard".into(),
            existing_controls: "Sauvegardes hebdomadaires".into(),
            owner_id: 7,
            asset_ids: vec![4, 2, 4],
            gross: rating(4, 5, 3, 4),
            treatment: Some(Treatment::Mitigate),
            residual: Some(rating(2, 5, 3, 4)),
            residual_description: "Sauvegardes hors ligne quotidiennes".into(),
            actions: vec![ActionInput {
                title: "Sauvegardes hors ligne".into(),
                owner_id: 7,
                due_on: d("2027-03-31"),
                status: ActionStatus::Planned,
                controls: vec!["CP-9".into(), "cp-9".into(), "cp-9.1".into()],
            }],
        }
    }

    // REQ RISK-01
    #[test]
    fn a_risk_is_checked_whole_and_cleaned() {
        let m = Method::default();
        let ok = input().check(&m).unwrap();
        assert_eq!(ok.title, "Rançongiciel sur le dossier clinique");
        assert_eq!(ok.asset_ids, [2, 4]);
        assert_eq!(ok.actions[0].controls, ["cp-9", "cp-9.1"]);

        let mut bad = input();
        bad.title = " ".into();
        bad.threat = String::new();
        bad.asset_ids.clear();
        bad.gross.likelihood = 6;
        bad.residual = None;
        bad.actions[0].title = String::new();
        bad.actions[0].controls = vec!["ac 2; DROP".into()];
        let e = bad.check(&m).unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| (f.field.as_str(), f.code)).collect();
        assert_eq!(
            fields,
            [
                ("title", "error-required"),
                ("threat", "error-required"),
                ("asset_ids", "error-required"),
                ("likelihood", "error-level"),
                ("residual_likelihood", "error-required"),
                ("actions.0.title", "error-required"),
                ("actions.0.controls", "error-control-id"),
            ]
        );

        let mut no_plan = input();
        no_plan.actions.clear();
        assert_eq!(no_plan.check(&m).unwrap_err().0[0].field, "actions");
        let mut untreated = input();
        untreated.treatment = None;
        assert_eq!(untreated.check(&m).unwrap_err().0[0].field, "treatment");
        let mut assessed_only = input();
        assessed_only.treatment = None;
        assessed_only.residual = None;
        assessed_only.actions.clear();
        assert!(
            assessed_only.check(&m).is_ok(),
            "a risk may be recorded before it is treated"
        );
    }

    // REQ RISK-02
    #[test]
    fn scores_are_computed_from_the_ratings_and_banded() {
        let m = Method::default();
        m.check().unwrap();
        let s = m.score(&rating(3, 2, 4, 1)).unwrap();
        assert_eq!((s.impact, s.value), (4, 12));
        assert_eq!(m.bands[s.band].label_fr, "Élevé");
        assert!(s.above_threshold);
        let s = m.score(&rating(3, 3, 1, 1)).unwrap();
        assert_eq!(
            (s.value, s.above_threshold),
            (9, false),
            "the threshold itself is accepted"
        );
        assert_eq!(m.bands[s.band].label_fr, "Modéré");
        assert_eq!(m.score(&rating(1, 1, 1, 1)).unwrap().band, 0);
        assert_eq!(m.score(&rating(5, 5, 5, 5)).unwrap().value, 25);
        assert_eq!(
            m.bands[m.score(&rating(5, 5, 5, 5)).unwrap().band].label_fr,
            "Critique"
        );

        let mean = Method {
            impact_rule: ImpactRule::Mean,
            ..Method::default()
        };
        assert_eq!(
            mean.score(&rating(2, 1, 2, 4)).unwrap().impact,
            3,
            "7 / 3 rounded up"
        );
    }

    #[test]
    fn ratings_off_the_scales_are_refused_field_by_field() {
        let m = Method::default();
        let e = m.score(&rating(0, 6, 1, 9)).unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "likelihood",
                "impact_availability",
                "impact_confidentiality"
            ]
        );
        assert!(e
            .0
            .iter()
            .all(|f| f.code == "error-level" && f.limit == Some(5)));
        let e = m
            .check_rating("residual_", &rating(9, 1, 1, 1))
            .unwrap_err();
        assert_eq!(e.0[0].field, "residual_likelihood");
    }

    // REQ RISK-02
    #[test]
    fn a_method_names_every_fault() {
        let mut m = Method::default();
        m.likelihood.truncate(1);
        m.bands[0].min_score = 2;
        m.bands[1].colour = "jaune".into();
        m.threshold = 0;
        m.higher_approver = Role::PlatformAdmin;
        m.approval_months = 0;
        let e = m.check().unwrap_err();
        let codes: Vec<_> = e.0.iter().map(|f| (f.field.as_str(), f.code)).collect();
        assert_eq!(
            codes,
            [
                ("likelihood", "error-scale-levels"),
                ("bands", "error-risk-band-order"),
                ("threshold", "error-risk-threshold"),
                ("higher_approver", "error-risk-approver"),
                ("approval_months", "error-months"),
            ]
        );
        let mut m = Method::default();
        m.bands[2].min_score = 5;
        assert_eq!(m.check().unwrap_err().0[0].code, "error-risk-band-order");
        let mut m = Method::default();
        m.bands[3].min_score = 26;
        assert_eq!(m.check().unwrap_err().0[0].code, "error-risk-band-order");
        let mut m = Method::default();
        m.bands[1].colour = "#12345g".into();
        assert_eq!(m.check().unwrap_err().0[0].code, "error-colour");
        let mut m = Method::default();
        m.impact[1].label_en = " ".into();
        assert_eq!(m.check().unwrap_err().0[0].code, "error-required");
    }

    // REQ RISK-03
    #[test]
    fn the_holder_approves_up_to_the_threshold_the_higher_approver_above_never_the_proposer() {
        let m = Method::default();
        let low = m.score(&rating(2, 3, 1, 1)).unwrap();
        let high = m.score(&rating(4, 4, 1, 1)).unwrap();
        let (proposer, holder, chief) = (PersonId(1), PersonId(2), PersonId(3));
        let holder_standing = Standing {
            holds_every_asset: true,
            higher_approver: false,
        };
        let chief_standing = Standing {
            holds_every_asset: false,
            higher_approver: true,
        };
        let nobody = Standing {
            holds_every_asset: false,
            higher_approver: false,
        };
        assert_eq!(
            check_approval(&m, &low, 2, proposer, holder, holder_standing),
            Ok(())
        );
        assert_eq!(
            check_approval(&m, &low, 2, proposer, chief, chief_standing),
            Ok(())
        );
        assert_eq!(
            check_approval(&m, &low, 2, proposer, holder, nobody),
            Err(ApprovalError::NotHolder)
        );
        assert_eq!(
            check_approval(&m, &high, 2, proposer, holder, holder_standing),
            Err(ApprovalError::NeedsHigherApprover)
        );
        assert_eq!(
            check_approval(&m, &high, 2, proposer, chief, chief_standing),
            Ok(())
        );
        // The holder who proposed cannot approve their own proposal, at any score.
        assert_eq!(
            check_approval(&m, &low, 2, holder, holder, holder_standing).map_err(|e| e.code()),
            Err("error-self-approval")
        );
        assert_eq!(
            check_approval(&m, &low, 0, proposer, holder, holder_standing),
            Err(ApprovalError::NoPerimeter)
        );
    }

    // REQ RISK-03
    // REQ RISK-04
    #[test]
    fn approvals_lapse_and_assessments_come_due() {
        let m = Method::default();
        assert_eq!(m.approval_expires(d("2026-01-31")), d("2027-01-31"));
        assert_eq!(m.review_due(d("2024-02-29")), d("2025-02-28"));
        assert_eq!(
            due_reassessments(d("2027-01-01"), Some(d("2027-06-01")), d("2026-12-04")),
            []
        );
        assert_eq!(
            due_reassessments(d("2026-12-04"), Some(d("2026-12-01")), d("2026-12-04")),
            [
                Reassessment::ReviewDue {
                    due: d("2026-12-04")
                },
                Reassessment::ApprovalExpired {
                    expired: d("2026-12-01")
                },
            ]
        );
        assert_eq!(
            Reassessment::AuditFinding {
                finding: "A-12".into()
            }
            .label_key(),
            "risk-reassess-audit-finding"
        );
    }

    #[test]
    fn plans_and_actions() {
        assert!(check_plan(Treatment::Mitigate, 0).is_err());
        assert!(check_plan(Treatment::Transfer, 0).is_err());
        assert!(check_plan(Treatment::Accept, 0).is_ok());
        assert!(check_plan(Treatment::Avoid, 0).is_ok());
        assert!(check_plan(Treatment::Mitigate, 1).is_ok());
        assert_eq!(
            Treatment::parse("treatment", "transfer"),
            Ok(Treatment::Transfer)
        );
        assert!(Treatment::parse("treatment", "ignore").is_err());
        assert!(ActionStatus::Planned.overdue(d("2026-12-03"), d("2026-12-04")));
        assert!(!ActionStatus::Planned.overdue(d("2026-12-04"), d("2026-12-04")));
        assert!(!ActionStatus::Done.overdue(d("2026-01-01"), d("2026-12-04")));
        assert!(!ActionStatus::Cancelled.overdue(d("2026-01-01"), d("2026-12-04")));
        assert_eq!(
            ActionStatus::parse("status", "in_progress"),
            Ok(ActionStatus::InProgress)
        );
    }

    #[test]
    fn colours_are_six_hex_digits() {
        for band in &Method::default().bands {
            assert!(is_colour(&band.colour), "{}", band.colour);
        }
        for bad in ["#fff", "2e7d32", "#2e7d3", "#2e7d32a", "#2é7d32"] {
            assert!(!is_colour(bad), "{bad}");
        }
    }
}
