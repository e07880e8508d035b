//! `rempart cvss`: scores vectors given as arguments, or one per line on standard input, so
//! that an analyst checks a vector (or a column of them) without opening the product.

use std::io::{BufRead, Read};

use rempart_domain::cvss::{self, CvssError, CvssScore, MAX_VECTOR_LEN};
use rempart_domain::language::Language;
use rempart_web::i18n;
use serde::Serialize;

use crate::cli::Failure;

/// One vector's outcome, as `--json` prints it.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Outcome {
    Scored(CvssScore),
    Refused {
        vector: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        line: Option<usize>,
        error: Refusal,
    },
}

#[derive(Debug, Serialize)]
pub struct Refusal {
    pub code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metric: Option<String>,
    pub message: String,
}

/// Scores each vector; `line` numbers them when they come from a file or standard input.
pub fn outcomes(vectors: impl IntoIterator<Item = (Option<usize>, String)>) -> Vec<Outcome> {
    vectors
        .into_iter()
        .map(|(line, vector)| match cvss::score(&vector) {
            Ok(score) => Outcome::Scored(score),
            Err(error) => Outcome::Refused {
                error: refusal(&vector, &error),
                vector,
                line,
            },
        })
        .collect()
}

fn refusal(vector: &str, error: &CvssError) -> Refusal {
    Refusal {
        code: error.code(),
        metric: error.metric().map(str::to_owned),
        message: i18n::cvss_message(Language::Fr, vector, error),
    }
}

/// The vectors of a reader, one per line; blank lines and `#` comments are skipped. A line is
/// read at most `MAX_VECTOR_LEN` + 2 bytes at a time, so a huge line costs no memory: it is
/// kept cut, and refused as too long.
pub fn read_lines(reader: impl Read) -> Result<Vec<(Option<usize>, String)>, Failure> {
    let mut reader = std::io::BufReader::new(reader);
    let mut vectors = Vec::new();
    let mut number = 0;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let read = (&mut reader)
            .take(MAX_VECTOR_LEN as u64 + 2)
            .read_until(b'\n', &mut buf)?;
        if read == 0 {
            break;
        }
        number += 1;
        if !buf.ends_with(b"\n") && read == MAX_VECTOR_LEN + 2 {
            // Skip the rest of the line, a bounded chunk at a time.
            loop {
                let mut rest = Vec::new();
                let n = (&mut reader).take(64 * 1024).read_until(b'\n', &mut rest)?;
                if n == 0 || rest.ends_with(b"\n") {
                    break;
                }
            }
        }
        let text = String::from_utf8_lossy(&buf);
        let text = text.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        vectors.push((Some(number), text.to_owned()));
    }
    Ok(vectors)
}

fn number(value: f64) -> String {
    format!("{value:.1}").replace('.', ",")
}

/// The summary for people: one line per vector, the refusals naming the metric at fault.
pub fn print(outcomes: &[Outcome]) {
    let fr = Language::Fr;
    for outcome in outcomes {
        match outcome {
            Outcome::Scored(s) => {
                let severity = i18n::t(fr, &format!("cvss-severity-{}", s.severity.as_str()));
                let mut parts = vec![format!(
                    "{} {} ({severity})",
                    i18n::t(fr, "cvss-overall"),
                    number(s.score)
                )];
                if let Some(n) = &s.nomenclature {
                    parts.push(n.clone());
                }
                parts.push(format!("{} {}", i18n::t(fr, "cvss-base"), number(s.base)));
                if let Some(t) = s.temporal {
                    parts.push(format!("{} {}", i18n::t(fr, "cvss-temporal"), number(t)));
                }
                if let Some(e) = s.environmental {
                    parts.push(format!(
                        "{} {}",
                        i18n::t(fr, "cvss-environmental"),
                        number(e)
                    ));
                }
                println!("{}\n  {}", s.vector, parts.join(" · "));
            }
            Outcome::Refused {
                vector,
                line,
                error,
            } => {
                let place = match line {
                    Some(n) => format!("ligne {n} : "),
                    None => String::new(),
                };
                eprintln!("{place}{vector}\n  {}", error.message);
            }
        }
    }
    let refused = outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Refused { .. }))
        .count();
    println!(
        "{} vecteur(s) évalué(s), {refused} refusé(s).",
        outcomes.len() - refused
    );
}
