//! Scanner reports (GMVI-05): Nessus (`.nessus` v2), Greenbone/OpenVAS XML, Trivy JSON and
//! SARIF 2.1.0, read as a stream of [`Finding`]s handed one at a time to a sink.
//!
//! Memory is bounded whatever the file's size: nothing holds the document. The XML readers
//! pull events from `quick-xml` through a [`guard::XmlGuard`], which refuses a run of more
//! than `max_text_bytes` without markup (a huge text node or attribute) and knows the line and
//! column reached; a DOCTYPE is refused outright, so no entity is ever declared, let alone
//! expanded (billion laughs, external entities). The JSON readers deserialize one entry of a
//! list at a time (`serde` seeds) through a [`guard::JsonGuard`], which refuses a string longer
//! than `max_text_bytes` before `serde_json` buffers it; `serde_json`'s own recursion limit
//! (128) refuses deep nesting. Lists inside one finding (CVEs, references…) are capped by
//! `max_list`, and the findings of a file by `max_findings`.
//!
//! A reader stops at the first fault with its place (line and column, or the element), and the
//! caller discards what the sink received: one import is one transaction.

pub mod guard;
pub mod nessus;
pub mod openvas;
pub mod sarif;
pub mod trivy;
mod xml;

use std::io::BufRead;

use rempart_domain::language::Language;
use serde::Serialize;

pub use rempart_domain::finding::{Finding, Host, Package, ScanFormat};

/// The format of a report, from its first bytes (64 KiB is plenty: each format names itself
/// near the top). `None` when it is none of the four.
pub fn detect(head: &[u8]) -> Option<ScanFormat> {
    let text = String::from_utf8_lossy(&head[..head.len().min(64 * 1024)]);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with('<') {
        if text.contains("<NessusClientData_v2") {
            return Some(ScanFormat::Nessus);
        }
        // A GMP report: <report …> or the <get_reports_response> that wraps it.
        let mut after_prolog = text;
        if text.starts_with("<?xml") {
            if let Some((_, rest)) = text.split_once("?>") {
                after_prolog = rest;
            }
        }
        // Comments before the root are skipped too.
        after_prolog = after_prolog.trim_start();
        while let Some(rest) = after_prolog.strip_prefix("<!--") {
            after_prolog = rest
                .split_once("-->")
                .map(|(_, r)| r)
                .unwrap_or("")
                .trim_start();
        }
        if after_prolog.starts_with("<report") || after_prolog.starts_with("<get_reports_response")
        {
            return Some(ScanFormat::Openvas);
        }
        return None;
    }
    if text.starts_with('{') || text.starts_with('[') {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.contains("\"runs\":")
            && (compact.contains("sarif") || compact.contains("\"version\":\"2.1.0\""))
        {
            return Some(ScanFormat::Sarif);
        }
        if compact.contains("\"SchemaVersion\":")
            || compact.contains("\"ArtifactName\":")
            || compact.contains("\"Target\":")
        {
            return Some(ScanFormat::Trivy);
        }
    }
    None
}

/// How much of a scanner's output a finding keeps.
pub const EVIDENCE_CHARS: usize = 4_000;

/// Cuts a scanner's text to `max` characters, on a character boundary.
pub fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// How much a report may hold.
#[derive(Debug, Clone, Copy)]
pub struct ScanLimits {
    /// Bytes of one text node, attribute or JSON string (and of a tag).
    pub max_text_bytes: usize,
    /// Findings in one file.
    pub max_findings: usize,
    /// Entries of a list within one finding (CVEs, CWEs, vectors, references) and, in SARIF,
    /// rules of one run.
    pub max_list: usize,
    /// Nesting of XML elements.
    pub max_depth: usize,
}

impl Default for ScanLimits {
    /// The largest shared report (Nessus, 0.96 MB) has 296 items and its longest text near
    /// 30 KB. A million findings is some twenty times the largest scan a body runs; 1 MiB of
    /// text covers any plugin output.
    fn default() -> Self {
        ScanLimits {
            max_text_bytes: 1024 * 1024,
            max_findings: 1_000_000,
            max_list: 10_000,
            max_depth: 256,
        }
    }
}

/// What a reader saw besides the findings it handed over.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReadSummary {
    pub findings: usize,
    /// Machines or targets named by the report, with or without findings.
    pub hosts: usize,
    /// What the report covered, as scope keys: the machines' keys ([`Host::key`]) for a
    /// network scanner, the targets for an image scanner; empty for a code scanner, whose
    /// scope is the whole format. A finding of an earlier scan within these and absent from
    /// this one is fixed.
    pub scopes: Vec<String>,
}

/// Why a report was refused. The place is a line and column, or an element's path.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("{}", self.message(Language::Fr))]
    UnknownFormat,
    #[error("{}", self.message(Language::Fr))]
    Syntax {
        line: u64,
        column: u64,
        message: String,
    },
    #[error("{}", self.message(Language::Fr))]
    DocType { line: u64, column: u64 },
    #[error("{}", self.message(Language::Fr))]
    TextTooLong {
        line: u64,
        column: u64,
        limit: usize,
    },
    #[error("{}", self.message(Language::Fr))]
    TooDeep {
        line: u64,
        column: u64,
        limit: usize,
    },
    #[error("{}", self.message(Language::Fr))]
    TooManyFindings { limit: usize },
    #[error("{}", self.message(Language::Fr))]
    ListTooLong { what: String, limit: usize },
    /// The document is well formed but is not what the format says: `place` names the
    /// element or field.
    #[error("{}", self.message(Language::Fr))]
    Structure { place: String, message: String },
    #[error("{}", self.message(Language::Fr))]
    Io(String),
    /// The sink refused a finding (a database error, say).
    #[error("{0}")]
    Sink(String),
}

impl ScanError {
    pub fn message(&self, language: Language) -> String {
        let fr = language == Language::Fr;
        match self {
            ScanError::UnknownFormat => if fr {
                "format de rapport non reconnu : Nessus (.nessus v2), Greenbone/OpenVAS (XML), Trivy (JSON) ou SARIF 2.1.0 attendu"
            } else {
                "unrecognized report format: expected Nessus (.nessus v2), Greenbone/OpenVAS (XML), Trivy (JSON) or SARIF 2.1.0"
            }
            .to_owned(),
            ScanError::Syntax { line, column, message } => if fr {
                format!("ligne {line}, colonne {column} : fichier mal formé ({message})")
            } else {
                format!("line {line}, column {column}: malformed file ({message})")
            },
            ScanError::DocType { line, column } => if fr {
                format!("ligne {line}, colonne {column} : déclaration DOCTYPE refusée (les entités XML ne sont pas admises)")
            } else {
                format!("line {line}, column {column}: DOCTYPE declaration refused (XML entities are not allowed)")
            },
            ScanError::TextTooLong { line, column, limit } => if fr {
                format!("ligne {line}, colonne {column} : un texte dépasse {limit} octets")
            } else {
                format!("line {line}, column {column}: a text is longer than {limit} bytes")
            },
            ScanError::TooDeep { line, column, limit } => if fr {
                format!("ligne {line}, colonne {column} : éléments imbriqués sur plus de {limit} niveaux")
            } else {
                format!("line {line}, column {column}: elements nested more than {limit} levels deep")
            },
            ScanError::TooManyFindings { limit } => if fr {
                format!("le rapport compte plus de {limit} constats")
            } else {
                format!("the report holds more than {limit} findings")
            },
            ScanError::ListTooLong { what, limit } => if fr {
                format!("{what} : plus de {limit} entrées")
            } else {
                format!("{what}: more than {limit} entries")
            },
            ScanError::Structure { place, message } => format!("{place} : {message}"),
            ScanError::Io(e) => if fr {
                format!("erreur de lecture : {e}")
            } else {
                format!("read error: {e}")
            },
            ScanError::Sink(e) => e.clone(),
        }
    }
}

/// Reads a report of a known format, handing each finding to `sink`. The sink's error stops
/// the reading and comes back as [`ScanError::Sink`].
pub fn read<R: BufRead>(
    format: ScanFormat,
    reader: R,
    limits: &ScanLimits,
    sink: &mut dyn FnMut(Finding) -> Result<(), String>,
) -> Result<ReadSummary, ScanError> {
    match format {
        ScanFormat::Nessus => nessus::read(reader, limits, sink),
        ScanFormat::Openvas => openvas::read(reader, limits, sink),
        ScanFormat::Trivy => trivy::read(reader, limits, sink),
        ScanFormat::Sarif => sarif::read(reader, limits, sink),
    }
}

/// Counts findings against the limit and hands them over.
pub(crate) struct Emitter<'a> {
    sink: &'a mut dyn FnMut(Finding) -> Result<(), String>,
    limit: usize,
    pub(crate) count: usize,
}

impl<'a> Emitter<'a> {
    pub(crate) fn new(
        sink: &'a mut dyn FnMut(Finding) -> Result<(), String>,
        limits: &ScanLimits,
    ) -> Emitter<'a> {
        Emitter {
            sink,
            limit: limits.max_findings,
            count: 0,
        }
    }

    pub(crate) fn emit(&mut self, finding: Finding) -> Result<(), ScanError> {
        if self.count >= self.limit {
            return Err(ScanError::TooManyFindings { limit: self.limit });
        }
        self.count += 1;
        (self.sink)(finding).map_err(ScanError::Sink)
    }
}

/// Adds to a finding's list unless it is full or holds the value already.
pub(crate) fn push_unique(
    list: &mut Vec<String>,
    value: String,
    what: &str,
    limits: &ScanLimits,
) -> Result<(), ScanError> {
    if value.is_empty() || list.contains(&value) {
        return Ok(());
    }
    if list.len() >= limits.max_list {
        return Err(ScanError::ListTooLong {
            what: what.to_owned(),
            limit: limits.max_list,
        });
    }
    list.push(value);
    Ok(())
}

/// A CVE identifier as MITRE writes it (CVE-YYYY-NNNN…), upper-cased; `None` otherwise.
pub fn cve_id(text: &str) -> Option<String> {
    let t = text.trim().to_ascii_uppercase();
    let rest = t.strip_prefix("CVE-")?;
    let (year, number) = rest.split_once('-')?;
    (year.len() == 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && number.len() >= 4
        && number.len() <= 19
        && number.bytes().all(|b| b.is_ascii_digit()))
    .then_some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCANS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/scans/");

    #[test]
    fn each_shared_report_is_recognized() {
        for (file, format) in [
            ("nessus/nessus_nessus_v_unknown.xml", ScanFormat::Nessus),
            ("openvas/one_vuln.xml", ScanFormat::Openvas),
            ("openvas/many_vuln.xml", ScanFormat::Openvas),
            ("trivy/all_statuses.json", ScanFormat::Trivy),
            ("trivy/legacy_many_vulns.json", ScanFormat::Trivy),
            ("sarif/appendix_k.sarif", ScanFormat::Sarif),
            ("sarif/codeQL-output.sarif", ScanFormat::Sarif),
        ] {
            let bytes = std::fs::read(format!("{SCANS}{file}")).unwrap();
            assert_eq!(detect(&bytes), Some(format), "{file}");
        }
        assert_eq!(detect(b"<html><body/></html>"), None);
        assert_eq!(detect(b"{\"type\": \"bundle\"}"), None);
        assert_eq!(detect(b""), None);
    }

    #[test]
    fn cve_ids_are_checked_and_upper_cased() {
        assert_eq!(cve_id(" cve-2024-0001 "), Some("CVE-2024-0001".into()));
        assert_eq!(cve_id("CVE-2021-44228"), Some("CVE-2021-44228".into()));
        assert_eq!(cve_id("CVE-21-44228"), None);
        assert_eq!(cve_id("CVE-2021-442"), None);
        assert_eq!(cve_id("GHSA-xxxx"), None);
    }

    #[test]
    fn text_is_cut_on_a_character() {
        assert_eq!(cut("éléphant", 3), "élé…");
        assert_eq!(cut("abc", 3), "abc");
    }
}
