//! Privacy complaints (PRP-04): what anyone may send about how a public body handles personal
//! information (name, contact, grounds and facts), and its handling: admissibility, analysis,
//! recommendations, the final answer. Anyone may write, so every field is bounded here.

use serde::{Deserialize, Serialize};

use crate::validation::check_text;
use crate::FieldError;

pub const MAX_NAME: usize = 200;
pub const MAX_CONTACT: usize = 320;
pub const MAX_GROUNDS: usize = 2_000;
pub const MIN_FACTS: usize = 20;
pub const MAX_FACTS: usize = 20_000;
pub const MAX_STEP_TEXT: usize = 10_000;

/// A complaint as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ComplaintInput {
    /// The public body complained about.
    #[serde(default)]
    pub org_id: String,
    #[serde(default)]
    pub name: String,
    /// How to reach the complainant: an e-mail, a telephone number or a postal address.
    #[serde(default)]
    pub contact: String,
    /// What the complaint is about, in a few words.
    #[serde(default)]
    pub grounds: String,
    /// What happened.
    #[serde(default)]
    pub facts: String,
}

/// A complaint that passed [`check_complaint`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Complaint {
    pub org_id: i64,
    pub name: String,
    pub contact: String,
    pub grounds: String,
    pub facts: String,
}

/// Checks a complaint: every field at fault is named.
pub fn check_complaint(input: &ComplaintInput) -> Result<Complaint, Vec<FieldError>> {
    let mut errors = Vec::new();
    let org_id = input.org_id.trim().parse::<i64>().ok();
    if org_id.is_none() {
        errors.push(FieldError::new("org_id", "error-choice"));
    }
    check_text(&mut errors, "name", &input.name, 1, MAX_NAME, false);
    check_text(&mut errors, "contact", &input.contact, 1, MAX_CONTACT, true);
    check_text(&mut errors, "grounds", &input.grounds, 1, MAX_GROUNDS, true);
    check_text(
        &mut errors,
        "facts",
        &input.facts,
        MIN_FACTS,
        MAX_FACTS,
        true,
    );
    match org_id {
        Some(org_id) if errors.is_empty() => Ok(Complaint {
            org_id,
            name: input.name.trim().to_owned(),
            contact: input.contact.trim().to_owned(),
            grounds: input.grounds.trim().to_owned(),
            facts: input.facts.trim().to_owned(),
        }),
        _ => Err(errors),
    }
}

/// Where a complaint stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintStatus {
    Received,
    Admissible,
    Inadmissible,
    /// Analysed; recommendations may follow before the answer.
    Analysed,
    Answered,
}

impl ComplaintStatus {
    pub const ALL: [ComplaintStatus; 5] = [
        ComplaintStatus::Received,
        ComplaintStatus::Admissible,
        ComplaintStatus::Inadmissible,
        ComplaintStatus::Analysed,
        ComplaintStatus::Answered,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ComplaintStatus::Received => "received",
            ComplaintStatus::Admissible => "admissible",
            ComplaintStatus::Inadmissible => "inadmissible",
            ComplaintStatus::Analysed => "analysed",
            ComplaintStatus::Answered => "answered",
        }
    }

    pub fn parse(s: &str) -> Option<ComplaintStatus> {
        ComplaintStatus::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The steps that may follow this status (their codes, as `ComplaintStep::code`), in the
    /// order [`check_complaint_step`] accepts them.
    pub fn next_steps(self) -> &'static [&'static str] {
        match self {
            ComplaintStatus::Received => &["admissibility"],
            ComplaintStatus::Admissible => &["analysis"],
            ComplaintStatus::Analysed => &["recommendations", "answer"],
            ComplaintStatus::Inadmissible => &["answer"],
            ComplaintStatus::Answered => &[],
        }
    }
}

/// A step of a complaint's handling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum ComplaintStep {
    /// Admissible or not; an inadmissible complaint says why.
    Admissibility {
        admissible: bool,
        text: String,
    },
    Analysis {
        text: String,
    },
    Recommendations {
        text: String,
    },
    /// The final answer sent to the complainant.
    Answer {
        text: String,
    },
}

impl ComplaintStep {
    pub fn code(&self) -> &'static str {
        match self {
            ComplaintStep::Admissibility { .. } => "admissibility",
            ComplaintStep::Analysis { .. } => "analysis",
            ComplaintStep::Recommendations { .. } => "recommendations",
            ComplaintStep::Answer { .. } => "answer",
        }
    }

    pub fn text(&self) -> &str {
        match self {
            ComplaintStep::Admissibility { text, .. }
            | ComplaintStep::Analysis { text }
            | ComplaintStep::Recommendations { text }
            | ComplaintStep::Answer { text } => text,
        }
    }
}

/// Checks a step against where the complaint stands: admissibility first; an admissible
/// complaint is analysed before recommendations and the answer; an inadmissible one is answered
/// (with why); nothing after the answer. Gives the status after the step.
pub fn check_complaint_step(
    status: ComplaintStatus,
    step: &ComplaintStep,
) -> Result<ComplaintStatus, FieldError> {
    use ComplaintStatus::*;
    let next = match (status, step) {
        (Answered, _) => return Err(FieldError::new("step", "error-complaint-answered")),
        (Received, ComplaintStep::Admissibility { admissible, .. }) => {
            if *admissible {
                Admissible
            } else {
                Inadmissible
            }
        }
        (Admissible, ComplaintStep::Analysis { .. }) => Analysed,
        (Analysed, ComplaintStep::Recommendations { .. }) => Analysed,
        (Analysed | Inadmissible, ComplaintStep::Answer { .. }) => Answered,
        _ => return Err(FieldError::new("step", "error-complaint-order")),
    };
    // An admissible complaint may say nothing more; every other step is its text.
    let min = match step {
        ComplaintStep::Admissibility {
            admissible: true, ..
        } => 0,
        _ => 1,
    };
    let mut errors = Vec::new();
    check_text(&mut errors, "text", step.text(), min, MAX_STEP_TEXT, true);
    match errors.into_iter().next() {
        Some(e) => Err(e),
        None => Ok(next),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // REQ PRP-04
    #[test]
    fn a_complaint_names_every_field_at_fault() {
        let ok = check_complaint(&ComplaintInput {
            org_id: "7".into(),
            name: " Camille Roy ".into(),
            contact: "camille@example.org".into(),
            grounds: "Communication sans consentement".into(),
            facts: "Mon dossier a été transmis à un tiers sans mon accord.".into(),
        })
        .unwrap();
        assert_eq!((ok.org_id, ok.name.as_str()), (7, "Camille Roy"));
        let fields: Vec<(String, &str)> = check_complaint(&ComplaintInput {
            facts: "trop court".into(),
            ..Default::default()
        })
        .unwrap_err()
        .into_iter()
        .map(|e| (e.field, e.code))
        .collect();
        assert_eq!(
            fields,
            vec![
                ("org_id".to_owned(), "error-choice"),
                ("name".to_owned(), "error-required"),
                ("contact".to_owned(), "error-required"),
                ("grounds".to_owned(), "error-required"),
                ("facts".to_owned(), "error-too-short"),
            ]
        );
    }

    // REQ PRP-04
    #[test]
    fn a_complaint_is_admitted_analysed_then_answered() {
        use ComplaintStatus::*;
        let t = |s: &str| s.to_owned();
        let admit = ComplaintStep::Admissibility {
            admissible: true,
            text: String::new(),
        };
        assert_eq!(check_complaint_step(Received, &admit), Ok(Admissible));
        let refuse = ComplaintStep::Admissibility {
            admissible: false,
            text: String::new(),
        };
        assert_eq!(
            check_complaint_step(Received, &refuse).unwrap_err().field,
            "text"
        );
        let answer = ComplaintStep::Answer {
            text: t("Réponse")
        };
        assert_eq!(
            check_complaint_step(Admissible, &answer).unwrap_err().code,
            "error-complaint-order"
        );
        let analysis = ComplaintStep::Analysis { text: t("Analyse") };
        assert_eq!(check_complaint_step(Admissible, &analysis), Ok(Analysed));
        let recommend = ComplaintStep::Recommendations { text: t("Former") };
        assert_eq!(check_complaint_step(Analysed, &recommend), Ok(Analysed));
        assert_eq!(check_complaint_step(Analysed, &answer), Ok(Answered));
        assert_eq!(check_complaint_step(Inadmissible, &answer), Ok(Answered));
        assert_eq!(
            check_complaint_step(Answered, &answer).unwrap_err().code,
            "error-complaint-answered"
        );
        // The steps a page offers are those the check accepts.
        let any = |code: &str| match code {
            "admissibility" => admit.clone(),
            "analysis" => analysis.clone(),
            "recommendations" => recommend.clone(),
            _ => answer.clone(),
        };
        for status in ComplaintStatus::ALL {
            for code in ["admissibility", "analysis", "recommendations", "answer"] {
                let offered = status.next_steps().contains(&code);
                assert_eq!(
                    check_complaint_step(status, &any(code)).is_ok(),
                    offered,
                    "{status:?} {code}"
                );
            }
        }
    }
}
