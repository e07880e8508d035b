//! `rempart deadline`: the access law's deadlines as a calculator for privacy officers, by the
//! same rules the product applies to requests and incidents (domain `legal_deadline`). Prints the
//! due date, the rule and its article, the calendar and the days it was moved over, and where
//! things stand today; `--json` for scripts.

use chrono::NaiveDate;
use clap::{Subcommand, ValueEnum};
use rempart_domain::language::Language;
use rempart_domain::legal_deadline::{
    self as rules, AccessRequestKind, Deadline, DeadlineError, DeadlineSettings, DeadlineState,
    ReviewStart,
};
use rempart_web::i18n::FluentValue;
use rempart_web::i18n::{t, t_args};
use serde::Serialize;

use crate::cli::Failure;

#[derive(Debug, Subcommand)]
pub enum DeadlineCommand {
    /// Délai de réponse à une demande d'accès ou de rectification : 20 jours après la réception
    /// (art. 47 ou 98), 30 si prolongé par avis.
    AccessRequest {
        /// Date de réception (AAAA-MM-JJ).
        #[arg(long)]
        received: String,
        /// Nature de la demande.
        #[arg(long, value_enum, default_value = "documents")]
        kind: KindArg,
        /// Délai prolongé de 10 jours par un avis au demandeur.
        #[arg(long)]
        extended: bool,
        /// Date d'envoi de l'avis de prolongation (vérifiée : avant l'échéance) ; implique
        /// --extended.
        #[arg(long)]
        notice: Option<String>,
        /// Date de la réponse, si elle est donnée (dans les délais ou non).
        #[arg(long)]
        answered: Option<String>,
        #[command(flatten)]
        common: DeadlineArgs,
    },
    /// Délai pour demander la révision à la Commission d'accès à l'information : 30 jours après
    /// la décision ou l'expiration du délai de réponse (art. 135).
    ReviewRequest {
        /// Date de la décision (AAAA-MM-JJ).
        #[arg(
            long,
            conflicts_with = "deadline_expired",
            required_unless_present = "deadline_expired"
        )]
        decision: Option<String>,
        /// Dernier jour du délai de réponse resté sans réponse (refus présumé).
        #[arg(long)]
        deadline_expired: Option<String>,
        #[command(flatten)]
        common: DeadlineArgs,
    },
    /// Conservation d'une inscription au registre des incidents de confidentialité : au moins
    /// cinq ans après la prise de connaissance.
    IncidentRetention {
        /// Date où l'organisme a pris connaissance de l'incident (AAAA-MM-JJ).
        #[arg(long)]
        aware: String,
        #[command(flatten)]
        common: DeadlineArgs,
    },
}

#[derive(Debug, clap::Args)]
pub struct DeadlineArgs {
    /// Jour chômé ajouté (AAAA-MM-JJ), en plus de ceux de la configuration ; répétable.
    #[arg(long = "day-off")]
    days_off: Vec<String>,
    /// Date du jour pour la situation (par défaut, la date du Québec).
    #[arg(long)]
    today: Option<String>,
    /// Réponse en anglais.
    #[arg(long)]
    english: bool,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    Documents,
    PersonalAccess,
    Rectification,
}

impl From<KindArg> for AccessRequestKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Documents => AccessRequestKind::Documents,
            KindArg::PersonalAccess => AccessRequestKind::PersonalAccess,
            KindArg::Rectification => AccessRequestKind::Rectification,
        }
    }
}

/// What `--json` prints: the deadline with its reasoning, the sentences a person reads, and the
/// state on `today`.
#[derive(Debug, Serialize)]
pub struct Answer {
    #[serde(flatten)]
    pub deadline: Deadline,
    /// For a retention: the first day the entry may be deleted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deletable_from: Option<NaiveDate>,
    pub rule_text: String,
    pub calendar_text: String,
    /// For a review: the delay runs from the expiry of the delay to answer, not a decision.
    pub from_expired: bool,
    pub today: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<DeadlineState>,
}

fn date(language: Language, field: &str, value: &str) -> Result<NaiveDate, Failure> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| {
        Failure(t_args(
            language,
            "deadline-error-date",
            &[
                ("value", FluentValue::from(value.to_owned())),
                ("field", FluentValue::from(field.to_owned())),
            ],
        ))
    })
}

/// Computes the deadline a command asks for, with `settings` (the configuration's) and the
/// command's added days.
pub fn answer<'a>(
    command: &'a DeadlineCommand,
    settings: &DeadlineSettings,
) -> Result<(Answer, &'a DeadlineArgs), Failure> {
    let common = match command {
        DeadlineCommand::AccessRequest { common, .. }
        | DeadlineCommand::ReviewRequest { common, .. }
        | DeadlineCommand::IncidentRetention { common, .. } => common,
    };
    let language = if common.english {
        Language::En
    } else {
        Language::Fr
    };
    let mut days = Vec::new();
    for d in &common.days_off {
        days.push(date(language, "--day-off", d)?);
    }
    let mut settings = settings.clone();
    settings.body_calendar.dates.extend_from_slice(&days);
    settings.commission_calendar.dates.extend_from_slice(&days);
    let today = match &common.today {
        Some(d) => date(language, "--today", d)?,
        None => rempart_web::time::today(),
    };
    let refused = |e: DeadlineError| Failure(rempart_web::i18n::deadline_error(language, &e));
    let mut answered_on = None;
    let mut deletable_from = None;
    let mut from_expired = false;
    let deadline = match command {
        DeadlineCommand::AccessRequest {
            received,
            kind,
            extended,
            notice,
            answered,
            ..
        } => {
            let received = date(language, "--received", received)?;
            if let Some(a) = answered {
                let a = date(language, "--answered", a)?;
                if a < received {
                    return Err(Failure(t_args(
                        language,
                        "deadline-error-answered-before-receipt",
                        &[
                            ("answered", FluentValue::from(a.to_string())),
                            ("received", FluentValue::from(received.to_string())),
                        ],
                    )));
                }
                answered_on = Some(a);
            }
            let kind = AccessRequestKind::from(*kind);
            match notice {
                Some(n) => {
                    let n = date(language, "--notice", n)?;
                    rules::access_answer_extended(kind, received, n, &settings)
                }
                None if *extended => {
                    rules::access_answer_extended(kind, received, received, &settings)
                }
                None => rules::access_answer(kind, received, &settings),
            }
            .map_err(refused)?
        }
        DeadlineCommand::ReviewRequest {
            decision,
            deadline_expired,
            ..
        } => {
            from_expired = decision.is_none();
            let start = match (decision, deadline_expired) {
                (Some(d), _) => ReviewStart::Decision(date(language, "--decision", d)?),
                (None, Some(d)) => {
                    ReviewStart::DeadlineExpired(date(language, "--deadline-expired", d)?)
                }
                // clap requires one of the two; kept as an error rather than a panic.
                (None, None) => {
                    return Err(Failure(
                        "--decision ou --deadline-expired est requis".to_owned(),
                    ))
                }
            };
            rules::review_request(start, &settings).map_err(refused)?
        }
        DeadlineCommand::IncidentRetention { aware, .. } => {
            let aware = date(language, "--aware", aware)?;
            let kept = rules::incident_retention(aware, &settings).map_err(refused)?;
            deletable_from = kept.due.succ_opt();
            kept
        }
    };
    let state = match deadline.rule {
        rules::DeadlineRule::IncidentRetention => None,
        rules::DeadlineRule::ReviewRequest => {
            Some(rules::deadline_state(deadline.due, None, today))
        }
        _ => Some(rules::deadline_state(deadline.due, answered_on, today)),
    };
    let rule_text = t_args(
        language,
        deadline.rule.label_key(),
        &[
            ("days", FluentValue::from(deadline.days)),
            ("years", FluentValue::from(deadline.years)),
        ],
    );
    let calendar_text = t(language, deadline.calendar.label_key());
    Ok((
        Answer {
            deadline,
            deletable_from,
            rule_text,
            calendar_text,
            from_expired,
            today,
            state,
        },
        common,
    ))
}

fn with_day(language: Language, day: NaiveDate) -> String {
    format!("{} {day}", t(language, rules::weekday_key(day)))
}

/// The lines a person reads.
pub fn human(answer: &Answer, language: Language) -> Vec<String> {
    let d = &answer.deadline;
    // French puts a space before the colon, English does not.
    let colon = match language {
        Language::Fr => " : ",
        Language::En => ": ",
    };
    let mut lines = Vec::new();
    let (from_key, due_key) = match d.rule {
        rules::DeadlineRule::AccessAnswer(_) | rules::DeadlineRule::AccessAnswerExtended(_) => {
            ("deadline-label-from-access", "deadline-label-due")
        }
        rules::DeadlineRule::ReviewRequest if answer.from_expired => {
            ("deadline-label-from-expired", "deadline-label-due")
        }
        rules::DeadlineRule::ReviewRequest => {
            ("deadline-label-from-decision", "deadline-label-due")
        }
        rules::DeadlineRule::IncidentRetention => {
            ("deadline-label-from-aware", "deadline-label-kept-until")
        }
    };
    if let Some(kind) = d.kind {
        lines.push(t(language, kind.label_key()));
    }
    lines.push(format!(
        "{}{colon}{}",
        t(language, from_key),
        with_day(language, d.from)
    ));
    lines.push(format!(
        "{}{colon}{}",
        t(language, due_key),
        with_day(language, d.due)
    ));
    if let Some(from) = answer.deletable_from {
        lines.push(format!(
            "{}{colon}{}",
            t(language, "deadline-label-deletable-from"),
            with_day(language, from)
        ));
    }
    lines.push(format!(
        "{}{colon}{} — {} ({})",
        t(language, "deadline-label-rule"),
        answer.rule_text,
        d.article,
        t(language, d.certainty.label_key())
    ));
    lines.push(format!(
        "{}{colon}{}",
        t(language, "deadline-label-calendar"),
        answer.calendar_text
    ));
    if !d.skipped.is_empty() {
        let days: Vec<String> = d
            .skipped
            .iter()
            .map(|s| format!("{} ({})", s.date, t(language, s.reason.label_key())))
            .collect();
        lines.push(format!(
            "{}{colon}{}",
            t(language, "deadline-label-moved"),
            days.join(", ")
        ));
    }
    if let Some(state) = answer.state {
        let text = rempart_web::i18n::deadline_state(language, d.rule, state);
        lines.push(format!(
            "{}{colon}{text}",
            t_args(
                language,
                "deadline-label-state",
                &[("today", FluentValue::from(answer.today.to_string()))]
            )
        ));
    }
    lines
}

/// Runs the command: prints the deadline, or fails with the fault named.
pub fn run(command: &DeadlineCommand, settings: &DeadlineSettings) -> Result<(), Failure> {
    let (answer, common) = answer(command, settings)?;
    if common.json {
        let text = serde_json::to_string_pretty(&answer).map_err(|e| Failure(e.to_string()))?;
        println!("{text}");
    } else {
        let language = if common.english {
            Language::En
        } else {
            Language::Fr
        };
        for line in human(&answer, language) {
            println!("{line}");
        }
    }
    Ok(())
}
