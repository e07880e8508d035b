//! The letters of an access request (PRP-03), as PDF: the acknowledgement of receipt with the
//! deadlines and the right of review, the notice that extends the delay, and the decision with
//! the provisions relied on and, when it withholds anything, the notice of recourse before the
//! Commission d'accès à l'information. Each is a text the body may rewrite (per language), with
//! `{placeholders}` filled from the request; the product's texts are in `letters/`. The letter
//! is in the requester's language, whatever the reader's.

use chrono::{Datelike, NaiveDate};
use rempart_domain::access_request::{DecisionKind, Provision};
use rempart_domain::language::Language;
use rempart_domain::FieldError;
use rempart_report::{Block, Produced, Report};
use rempart_storage::access_requests::RequestDetail;

use crate::i18n::{t, t_args};

/// The letters a request may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Letter {
    Acknowledgement,
    Extension,
    Decision,
}

impl Letter {
    pub const ALL: [Letter; 3] = [Letter::Acknowledgement, Letter::Extension, Letter::Decision];

    pub fn as_str(self) -> &'static str {
        match self {
            Letter::Acknowledgement => "acknowledgement",
            Letter::Extension => "extension",
            Letter::Decision => "decision",
        }
    }

    pub fn parse(s: &str) -> Option<Letter> {
        Letter::ALL.into_iter().find(|l| l.as_str() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Letter::Acknowledgement => "access-letter-acknowledgement",
            Letter::Extension => "access-letter-extension",
            Letter::Decision => "access-letter-decision",
        }
    }

    /// The product's text of this letter.
    pub fn default_text(self, language: Language) -> &'static str {
        match (self, language) {
            (Letter::Acknowledgement, Language::Fr) => {
                include_str!("../letters/acknowledgement.fr.txt")
            }
            (Letter::Acknowledgement, Language::En) => {
                include_str!("../letters/acknowledgement.en.txt")
            }
            (Letter::Extension, Language::Fr) => include_str!("../letters/extension.fr.txt"),
            (Letter::Extension, Language::En) => include_str!("../letters/extension.en.txt"),
            (Letter::Decision, Language::Fr) => include_str!("../letters/decision.fr.txt"),
            (Letter::Decision, Language::En) => include_str!("../letters/decision.en.txt"),
        }
    }

    /// Whether the request has reached the point where this letter can be written: an
    /// extension once its notice is recorded, a decision once made.
    pub fn available(self, detail: &RequestDetail) -> bool {
        match self {
            Letter::Acknowledgement => true,
            Letter::Extension => detail.extension_notice_on.is_some(),
            Letter::Decision => detail.decision().is_some(),
        }
    }
}

fn recourse_text(language: Language) -> &'static str {
    match language {
        Language::Fr => include_str!("../letters/recourse.fr.txt"),
        Language::En => include_str!("../letters/recourse.en.txt"),
    }
}

/// The placeholders a letter's text may hold.
pub const PLACEHOLDERS: [&str; 15] = [
    "organization",
    "reference",
    "requester",
    "contact",
    "kind",
    "subject",
    "received_on",
    "due_on",
    "extension_notice_on",
    "extended_due_on",
    "decision_on",
    "decision",
    "provisions_sentence",
    "recourse_sentence",
    "transferred_to",
];

pub const MAX_TEMPLATE: usize = 20_000;

/// Checks a body's text for a letter: bounded, and every `{name}` one of [`PLACEHOLDERS`]; a
/// fault names the line.
pub fn check_template(text: &str) -> Result<(), FieldError> {
    if text.chars().count() > MAX_TEMPLATE {
        return Err(FieldError::with_limit(
            "body",
            "error-too-long",
            MAX_TEMPLATE as u64,
        ));
    }
    if !rempart_domain::validation::text_ok(text, true) {
        return Err(FieldError::new("body", "error-control-characters"));
    }
    for (n, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                return Err(FieldError::with_limit(
                    "body",
                    "error-letter-placeholder",
                    n as u64 + 1,
                ));
            };
            if !PLACEHOLDERS.contains(&&after[..close]) {
                return Err(FieldError::with_limit(
                    "body",
                    "error-letter-placeholder",
                    n as u64 + 1,
                ));
            }
            rest = &after[close + 1..];
        }
    }
    Ok(())
}

/// `text` with each known `{name}` replaced by its value.
pub fn fill(text: &str, values: &[(&str, String)]) -> String {
    let mut out = text.to_owned();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// A date as a letter writes it: "4 juin 2026", "June 4, 2026".
pub fn long_date(language: Language, date: NaiveDate) -> String {
    let month = t(language, &format!("month-{}", date.month()));
    match language {
        Language::Fr => {
            let day = if date.day() == 1 {
                "1er".to_owned()
            } else {
                date.day().to_string()
            };
            format!("{day} {month} {}", date.year())
        }
        Language::En => format!("{month} {}, {}", date.day(), date.year()),
    }
}

fn parse(date: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()
}

/// "14, 29 et 53" / "14, 29 and 53".
fn join(language: Language, items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [head @ .., last] => format!("{} {} {last}", head.join(", "), t(language, "list-and")),
    }
}

/// The provisions cited, grouped by law in the order first cited: "14, 29 et 53 (A-2.1)".
fn provisions_text(language: Language, provisions: &[Provision]) -> String {
    let mut laws: Vec<(&str, Vec<String>)> = Vec::new();
    for p in provisions {
        match laws.iter_mut().find(|(law, _)| *law == p.law) {
            Some((_, codes)) => codes.push(p.code.clone()),
            None => laws.push((&p.law, vec![p.code.clone()])),
        }
    }
    laws.iter()
        .map(|(law, codes)| {
            if law.is_empty() {
                join(language, codes)
            } else {
                format!("{} ({law})", join(language, codes))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The values of the placeholders for `detail`, in its letters' language.
pub fn values(detail: &RequestDetail, organization: &str) -> Vec<(&'static str, String)> {
    let lang = letter_language(detail);
    let date = |d: Option<&str>| {
        d.and_then(parse)
            .map(|d| long_date(lang, d))
            .unwrap_or_default()
    };
    let due = detail
        .initial_deadline
        .as_ref()
        .map(|d| long_date(lang, d.due))
        .unwrap_or_default();
    let extended_due = if detail.extension_notice_on.is_some() {
        detail
            .deadline
            .as_ref()
            .map(|d| long_date(lang, d.due))
            .unwrap_or_default()
    } else {
        String::new()
    };
    let decision = detail
        .decision()
        .map(|k| t(lang, &format!("access-letter-decision-{}", k.as_str())))
        .unwrap_or_default();
    let provisions_sentence = if detail.provisions.is_empty() {
        String::new()
    } else {
        t_args(
            lang,
            "access-letter-provisions-sentence",
            &[(
                "provisions",
                provisions_text(lang, &detail.provisions).into(),
            )],
        )
    };
    let recourse_sentence = match (&detail.review_deadline, detail.recourse_notice) {
        (Some(review), true) => t_args(
            lang,
            "access-letter-recourse-sentence",
            &[("date", long_date(lang, review.due).into())],
        ),
        _ => String::new(),
    };
    let kind = detail
        .kind()
        .map(|k| t(lang, &format!("access-letter-kind-{}", k.as_str())))
        .unwrap_or_default();
    vec![
        ("organization", organization.to_owned()),
        ("reference", detail.row.reference.clone()),
        ("requester", detail.requester_name.clone()),
        ("contact", detail.requester_contact.clone()),
        ("kind", kind),
        ("subject", detail.subject.clone()),
        ("received_on", date(Some(&detail.row.received_on))),
        ("due_on", due),
        (
            "extension_notice_on",
            date(detail.extension_notice_on.as_deref()),
        ),
        ("extended_due_on", extended_due),
        ("decision_on", date(detail.row.closed_on.as_deref())),
        ("decision", decision),
        ("provisions_sentence", provisions_sentence),
        ("recourse_sentence", recourse_sentence),
        (
            "transferred_to",
            detail.transferred_to.clone().unwrap_or_default(),
        ),
    ]
}

pub fn letter_language(detail: &RequestDetail) -> Language {
    if detail.language == "en" {
        Language::En
    } else {
        Language::Fr
    }
}

/// The letter as a report: its text in paragraphs, then for a decision the provisions cited
/// with their text and, when it goes with it, the notice of recourse.
pub fn build(
    letter: Letter,
    detail: &RequestDetail,
    organization: &str,
    template: Option<&str>,
    today: NaiveDate,
    produced: Produced,
) -> Report {
    let lang = letter_language(detail);
    let text = fill(
        template.unwrap_or_else(|| letter.default_text(lang)),
        &values(detail, organization),
    );
    let mut blocks: Vec<Block> = text
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| Block::Paragraph(p.to_owned()))
        .collect();
    if letter == Letter::Decision {
        if !detail.provisions.is_empty() {
            blocks.push(Block::Heading(t(lang, "access-letter-provisions-heading")));
            for p in &detail.provisions {
                let head = if p.law.is_empty() {
                    p.code.clone()
                } else {
                    format!("{} ({})", p.code, p.law)
                };
                blocks.push(Block::Paragraph(if p.summary.is_empty() {
                    head
                } else {
                    format!("{head}. {}", p.summary)
                }));
            }
        }
        let withholds = detail
            .decision()
            .is_some_and(DecisionKind::needs_recourse_notice);
        if detail.recourse_notice || withholds {
            blocks.push(Block::Heading(t(lang, "access-letter-recourse-heading")));
            for p in recourse_text(lang).split("\n\n") {
                blocks.push(Block::Paragraph(p.trim().to_owned()));
            }
        }
    }
    Report {
        title: format!("{} — {}", t(lang, letter.label_key()), detail.row.reference),
        subtitle: vec![organization.to_owned(), long_date(lang, today)],
        language: lang.tag().to_owned(),
        page_label: t_args(
            lang,
            "report-page",
            &[("page", "{page}".into()), ("pages", "{pages}".into())],
        ),
        creator: "Rempart".to_owned(),
        produced,
        orientation: Default::default(),
        blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_product_letter_uses_known_placeholders_only() {
        for letter in Letter::ALL {
            for lang in Language::ALL {
                assert_eq!(
                    check_template(letter.default_text(lang)),
                    Ok(()),
                    "{letter:?}"
                );
            }
        }
        let bad = check_template("Bonjour {requester},\n\nVotre {numero}").unwrap_err();
        assert_eq!((bad.code, bad.limit), ("error-letter-placeholder", Some(3)));
        let open = check_template("Bonjour {requester").unwrap_err();
        assert_eq!(open.limit, Some(1));
    }

    #[test]
    fn dates_and_lists_read_as_a_letter_writes_them() {
        let d = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        assert_eq!(long_date(Language::Fr, d), "1er juin 2026");
        assert_eq!(long_date(Language::En, d), "June 1, 2026");
        let codes: Vec<String> = ["14", "29", "53"].map(String::from).to_vec();
        assert_eq!(join(Language::Fr, &codes), "14, 29 et 53");
        assert_eq!(join(Language::En, &codes[..1]), "14");
        assert_eq!(
            fill(
                "{reference} / {reference} {x}",
                &[("reference", "DA-1".into())]
            ),
            "DA-1 / DA-1 {x}"
        );
    }
}
