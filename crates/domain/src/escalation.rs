//! Who is told of a security event, and how fast (GMVI-03, seed `000`: the COMSI escalates
//! "according to the conditions defined by the GMVI process"; the CSIO and the CDSI are told
//! "without delay"; the CDSI tells the government CISO). The rules are data — a condition on
//! the event's facts, the people to notify, an acknowledgement deadline — evaluated here, and a
//! notice not acknowledged in time goes one level up. The default rules are configuration, not
//! the law (QUEBEC-RULES: the GMVI process's thresholds are not public).

use serde::{Deserialize, Serialize};

use crate::validation::{FieldError, ValidationErrors};

/// How serious an event is, in increasing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

/// Who a notice goes to: a role in the body concerned, or the centre above it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    /// The body's CSIO.
    Ciso,
    /// The body's CDSI (chef délégué de la sécurité de l'information).
    DelegatedCiso,
    /// The body's privacy officer.
    PrivacyOfficer,
    /// The operational cyber-defence centre that serves the body.
    OperationalCentre,
    /// The government CISO.
    GovernmentCiso,
}

impl Recipient {
    /// The next level a notice goes to when not acknowledged in time; `None` at the top.
    pub fn next_level(self) -> Option<Recipient> {
        match self {
            Recipient::Ciso | Recipient::PrivacyOfficer => Some(Recipient::DelegatedCiso),
            Recipient::DelegatedCiso => Some(Recipient::OperationalCentre),
            Recipient::OperationalCentre => Some(Recipient::GovernmentCiso),
            Recipient::GovernmentCiso => None,
        }
    }
}

/// What is known of an event when it is escalated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventFacts {
    pub severity: Severity,
    /// The incident category's code (`ransomware`, `phishing`, `data_leak`…).
    pub category: String,
    /// The highest classification level among the affected assets, if any is classified.
    pub highest_classification: Option<u8>,
    /// The top level of the body's classification scale.
    pub scale_top: u8,
    pub personal_info: bool,
    /// How many public bodies the event touches.
    pub bodies: usize,
}

/// When a rule applies: every condition given must hold; a rule with none always applies.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Condition {
    pub min_severity: Option<Severity>,
    /// At least one affected asset classified at the scale's top level.
    #[serde(default)]
    pub top_classification: bool,
    pub personal_info: Option<bool>,
    pub min_bodies: Option<usize>,
    /// Only these categories (any when empty).
    #[serde(default)]
    pub categories: Vec<String>,
}

impl Condition {
    pub fn holds(&self, facts: &EventFacts) -> bool {
        self.min_severity.is_none_or(|s| facts.severity >= s)
            && (!self.top_classification
                || facts
                    .highest_classification
                    .is_some_and(|c| c >= facts.scale_top))
            && self.personal_info.is_none_or(|p| p == facts.personal_info)
            && self.min_bodies.is_none_or(|n| facts.bodies >= n)
            && (self.categories.is_empty() || self.categories.contains(&facts.category))
    }
}

/// One escalation rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub name: String,
    pub when: Condition,
    pub notify: Vec<Recipient>,
    /// Hours to acknowledge before the notice goes one level up.
    pub ack_hours: u32,
}

/// A notice an event calls for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub recipient: Recipient,
    pub ack_hours: u32,
    /// The rules that call for it.
    pub rules: Vec<String>,
}

/// The most hours a rule may give to acknowledge: a month.
pub const MAX_ACK_HOURS: u32 = 720;

/// Every fault of a set of rules at once, named `rules.N.field`.
pub fn check_rules(rules: &[Rule]) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    for (i, rule) in rules.iter().enumerate() {
        if let Err(e) =
            crate::validation::required_text(&format!("rules.{i}.name"), &rule.name, 100)
        {
            errors.push(e);
        }
        if rule.notify.is_empty() {
            errors.push(FieldError::new(
                format!("rules.{i}.notify"),
                "error-required",
            ));
        }
        if !(1..=MAX_ACK_HOURS).contains(&rule.ack_hours) {
            errors.push(FieldError::with_limit(
                format!("rules.{i}.ack_hours"),
                "error-ack-hours",
                u64::from(MAX_ACK_HOURS),
            ));
        }
    }
    errors.into_result()
}

/// The notices `facts` call for under `rules`: one per recipient, with the shortest deadline
/// any applying rule gives, in the order recipients first appear.
pub fn notices(rules: &[Rule], facts: &EventFacts) -> Vec<Notice> {
    let mut out: Vec<Notice> = Vec::new();
    for rule in rules.iter().filter(|r| r.when.holds(facts)) {
        for recipient in &rule.notify {
            match out.iter_mut().find(|n| n.recipient == *recipient) {
                Some(n) => {
                    n.ack_hours = n.ack_hours.min(rule.ack_hours);
                    n.rules.push(rule.name.clone());
                }
                None => out.push(Notice {
                    recipient: *recipient,
                    ack_hours: rule.ack_hours,
                    rules: vec![rule.name.clone()],
                }),
            }
        }
    }
    out
}

/// Default rules: the CSIO of every event within a day; the CDSI and the operational centre
/// within four hours from high severity or an asset at the top classification; the government
/// CISO within two hours when critical or when several bodies are touched; the privacy officer
/// within a day when personal information is involved (a confidentiality incident under
/// privacy law has its own register and notices).
pub fn default_rules() -> Vec<Rule> {
    let rule = |name: &str, when: Condition, notify: &[Recipient], ack_hours| Rule {
        name: name.to_owned(),
        when,
        notify: notify.to_vec(),
        ack_hours,
    };
    vec![
        rule(
            "Tout événement",
            Condition::default(),
            &[Recipient::Ciso],
            24,
        ),
        rule(
            "Gravité élevée",
            Condition {
                min_severity: Some(Severity::High),
                ..Condition::default()
            },
            &[Recipient::DelegatedCiso, Recipient::OperationalCentre],
            4,
        ),
        rule(
            "Actif au plus haut niveau de classification",
            Condition {
                top_classification: true,
                ..Condition::default()
            },
            &[Recipient::DelegatedCiso],
            4,
        ),
        rule(
            "Gravité critique",
            Condition {
                min_severity: Some(Severity::Critical),
                ..Condition::default()
            },
            &[Recipient::GovernmentCiso],
            2,
        ),
        rule(
            "Plusieurs organismes touchés",
            Condition {
                min_bodies: Some(2),
                ..Condition::default()
            },
            &[Recipient::OperationalCentre, Recipient::GovernmentCiso],
            2,
        ),
        rule(
            "Renseignements personnels",
            Condition {
                personal_info: Some(true),
                ..Condition::default()
            },
            &[Recipient::PrivacyOfficer],
            24,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use Recipient::*;

    fn facts(severity: Severity) -> EventFacts {
        EventFacts {
            severity,
            category: "phishing".into(),
            highest_classification: Some(1),
            scale_top: 3,
            personal_info: false,
            bodies: 1,
        }
    }

    /// A case: its name, the event, and who is told within how many hours.
    type Case = (&'static str, EventFacts, Vec<(Recipient, u32)>);

    fn who(n: &[Notice]) -> Vec<(Recipient, u32)> {
        n.iter().map(|n| (n.recipient, n.ack_hours)).collect()
    }

    // REQ GMVI-03
    #[test]
    fn the_default_rules_as_a_table_of_cases() {
        let rules = default_rules();
        check_rules(&rules).unwrap();
        let top = EventFacts {
            highest_classification: Some(3),
            ..facts(Severity::Low)
        };
        let personal = EventFacts {
            personal_info: true,
            ..facts(Severity::Medium)
        };
        let two_bodies = EventFacts {
            bodies: 2,
            ..facts(Severity::Medium)
        };
        let cases: Vec<Case> = vec![
            ("low", facts(Severity::Low), vec![(Ciso, 24)]),
            ("medium", facts(Severity::Medium), vec![(Ciso, 24)]),
            (
                "high",
                facts(Severity::High),
                vec![(Ciso, 24), (DelegatedCiso, 4), (OperationalCentre, 4)],
            ),
            (
                "critical",
                facts(Severity::Critical),
                vec![
                    (Ciso, 24),
                    (DelegatedCiso, 4),
                    (OperationalCentre, 4),
                    (GovernmentCiso, 2),
                ],
            ),
            (
                "top classification",
                top,
                vec![(Ciso, 24), (DelegatedCiso, 4)],
            ),
            (
                "personal information",
                personal,
                vec![(Ciso, 24), (PrivacyOfficer, 24)],
            ),
            (
                "two bodies",
                two_bodies,
                vec![(Ciso, 24), (OperationalCentre, 2), (GovernmentCiso, 2)],
            ),
        ];
        for (name, f, expected) in cases {
            assert_eq!(who(&notices(&rules, &f)), expected, "{name}");
        }
        // The shortest deadline wins and every rule that called for it is named.
        let both = notices(
            &rules,
            &EventFacts {
                bodies: 3,
                ..facts(Severity::High)
            },
        );
        let centre = both
            .iter()
            .find(|n| n.recipient == OperationalCentre)
            .unwrap();
        assert_eq!(centre.ack_hours, 2);
        assert_eq!(
            centre.rules,
            ["Gravité élevée", "Plusieurs organismes touchés"]
        );
    }

    #[test]
    fn categories_restrict_a_rule() {
        let rules = vec![Rule {
            name: "Rançongiciel".into(),
            when: Condition {
                categories: vec!["ransomware".into()],
                ..Condition::default()
            },
            notify: vec![GovernmentCiso],
            ack_hours: 1,
        }];
        assert!(notices(&rules, &facts(Severity::Low)).is_empty());
        let ransomware = EventFacts {
            category: "ransomware".into(),
            ..facts(Severity::Low)
        };
        assert_eq!(who(&notices(&rules, &ransomware)), [(GovernmentCiso, 1)]);
    }

    // REQ GMVI-03
    #[test]
    fn unacknowledged_notices_go_one_level_up_to_the_government_ciso() {
        let mut level = Some(Ciso);
        let mut ladder = Vec::new();
        while let Some(r) = level {
            ladder.push(r);
            level = r.next_level();
        }
        assert_eq!(
            ladder,
            [Ciso, DelegatedCiso, OperationalCentre, GovernmentCiso]
        );
        assert_eq!(PrivacyOfficer.next_level(), Some(DelegatedCiso));
    }

    #[test]
    fn faulty_rules_are_named() {
        let e = check_rules(&[Rule {
            name: " ".into(),
            when: Condition::default(),
            notify: vec![],
            ack_hours: 0,
        }])
        .unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| (f.field.as_str(), f.code)).collect();
        assert_eq!(
            fields,
            [
                ("rules.0.name", "error-required"),
                ("rules.0.notify", "error-required"),
                ("rules.0.ack_hours", "error-ack-hours"),
            ]
        );
    }
}
