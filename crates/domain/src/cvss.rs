//! CVSS scores (GMVI-04): a vector string read per FIRST's specifications and scored.
//!
//! CVSS 3.0 and 3.1 are ours: the formulas are short, and the scores must agree with FIRST's
//! reference calculator on the temporal and environmental groups too, which the `cvss` crate
//! gets wrong by a tenth in some 3.0 environmental cases (it keeps the 3.0 floating-point
//! round-up that 3.1 replaced; see [`round_up`]). CVSS 4.0 scoring is a lookup over macro
//! vectors and their severity distances, hundreds of table entries that the `cvss` crate
//! (RustSec) carries and scores exactly on every shared and reference vector; we read the
//! vector ourselves first so that a fault names its metric the same way in both versions.
//!
//! A fault is a [`CvssError`] with a stable code and the metric at fault; the web layer words
//! it in the user's language.

use std::collections::HashSet;
use std::str::FromStr;

use serde::Serialize;

/// Longer than any valid vector (a CVSS 4.0 vector with every metric is under 250 bytes).
pub const MAX_VECTOR_LEN: usize = 512;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CvssVersion {
    #[serde(rename = "3.0")]
    V3_0,
    #[serde(rename = "3.1")]
    V3_1,
    #[serde(rename = "4.0")]
    V4_0,
}

impl CvssVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            CvssVersion::V3_0 => "3.0",
            CvssVersion::V3_1 => "3.1",
            CvssVersion::V4_0 => "4.0",
        }
    }
}

/// The qualitative rating shared by CVSS 3.x (§5) and 4.0 (§6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    None,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::None,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn from_score(score: f64) -> Severity {
        if score >= 9.0 {
            Severity::Critical
        } else if score >= 7.0 {
            Severity::High
        } else if score >= 4.0 {
            Severity::Medium
        } else if score > 0.0 {
            Severity::Low
        } else {
            Severity::None
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::None => "none",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// A vector and its scores. For 3.x, every group is scored (a metric left out counts as not
/// defined) and `score` is that of the most specific group the vector defines.
/// For 4.0, `base` scores the base metrics alone and `score` the whole vector, named by
/// `nomenclature` (CVSS-B, CVSS-BT, CVSS-BE or CVSS-BTE).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CvssScore {
    pub version: CvssVersion,
    pub vector: String,
    pub base: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temporal: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environmental: Option<f64>,
    pub score: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nomenclature: Option<String>,
    pub severity: Severity,
}

/// Why a vector was refused. `metric` is the abbreviation as written in the vector (AV, MPR…).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CvssError {
    #[error("empty CVSS vector")]
    Empty,
    #[error("CVSS vector longer than {MAX_VECTOR_LEN} characters")]
    TooLong,
    #[error("not a CVSS vector: it must begin with CVSS:3.0/, CVSS:3.1/ or CVSS:4.0/")]
    Prefix,
    #[error("unsupported CVSS version {0}")]
    Version(String),
    #[error("malformed component {0:?}: expected METRIC:VALUE")]
    Component(String),
    #[error("unknown metric {0}")]
    UnknownMetric(String),
    #[error("metric {metric}: invalid value {value:?}")]
    InvalidValue { metric: String, value: String },
    #[error("metric {0} given twice")]
    Duplicate(String),
    #[error("mandatory metric {0} missing")]
    Missing(String),
}

impl CvssError {
    /// The message key the translations know.
    pub fn code(&self) -> &'static str {
        match self {
            CvssError::Empty => "cvss-error-empty",
            CvssError::TooLong => "cvss-error-too-long",
            CvssError::Prefix => "cvss-error-prefix",
            CvssError::Version(_) => "cvss-error-version",
            CvssError::Component(_) => "cvss-error-component",
            CvssError::UnknownMetric(_) => "cvss-error-unknown-metric",
            CvssError::InvalidValue { .. } => "cvss-error-invalid-value",
            CvssError::Duplicate(_) => "cvss-error-duplicate",
            CvssError::Missing(_) => "cvss-error-missing",
        }
    }

    /// The metric at fault, when there is one.
    pub fn metric(&self) -> Option<&str> {
        match self {
            CvssError::UnknownMetric(m) | CvssError::Duplicate(m) | CvssError::Missing(m) => {
                Some(m)
            }
            CvssError::InvalidValue { metric, .. } => Some(metric),
            _ => None,
        }
    }

    /// The offending text (a value or a component), when there is one.
    pub fn value(&self) -> Option<&str> {
        match self {
            CvssError::InvalidValue { value, .. } => Some(value),
            CvssError::Component(c) | CvssError::Version(c) => Some(c),
            _ => None,
        }
    }
}

/// The metric abbreviations a version knows, in the specification's order.
pub fn metrics(version: CvssVersion) -> Vec<&'static str> {
    match version {
        CvssVersion::V3_0 | CvssVersion::V3_1 => v3::BASE
            .iter()
            .chain(v3::TEMPORAL.iter())
            .chain(v3::ENVIRONMENTAL.iter())
            .copied()
            .collect(),
        CvssVersion::V4_0 => v4::METRICS.iter().map(|(m, _)| *m).collect(),
    }
}

/// Reads and scores one vector. Surrounding white space is ignored; metric names and values
/// are case-sensitive, as the specifications write them.
pub fn score(vector: &str) -> Result<CvssScore, CvssError> {
    let vector = vector.trim();
    if vector.is_empty() {
        return Err(CvssError::Empty);
    }
    if vector.len() > MAX_VECTOR_LEN {
        return Err(CvssError::TooLong);
    }
    let (version, metrics) = split(vector)?;
    match version {
        CvssVersion::V3_0 | CvssVersion::V3_1 => v3::score(version, vector, &metrics),
        CvssVersion::V4_0 => v4::score(vector, &metrics),
    }
}

/// A vector's `(metric, value)` pairs, as written.
type Metrics<'a> = Vec<(&'a str, &'a str)>;

/// The version and the `(metric, value)` pairs, each metric once.
fn split(vector: &str) -> Result<(CvssVersion, Metrics<'_>), CvssError> {
    let mut parts = vector.split('/');
    let head = parts.next().unwrap_or_default();
    let version = match head.strip_prefix("CVSS:") {
        Some("3.0") => CvssVersion::V3_0,
        Some("3.1") => CvssVersion::V3_1,
        Some("4.0") => CvssVersion::V4_0,
        Some(other) => return Err(CvssError::Version(other.to_owned())),
        None => return Err(CvssError::Prefix),
    };
    let mut seen = HashSet::new();
    let mut metrics = Vec::new();
    for part in parts {
        let Some((metric, value)) = part.split_once(':') else {
            return Err(CvssError::Component(part.to_owned()));
        };
        if metric.is_empty() || value.is_empty() || value.contains(':') {
            return Err(CvssError::Component(part.to_owned()));
        }
        if !seen.insert(metric) {
            return Err(CvssError::Duplicate(metric.to_owned()));
        }
        metrics.push((metric, value));
    }
    Ok((version, metrics))
}

/// CVSS 3.x Roundup (3.1 specification, appendix A): the smallest number with one decimal
/// that is not below the input, computed on integers so that 2.5 × 0.92 stays 2.3 rather than
/// becoming 2.4 through 2.3000000000000003. Used for 3.0 as well: the 3.0 specification
/// defines the same function, and its calculator's floating-point artefacts are what 3.1 fixed.
fn round_up(input: f64) -> f64 {
    let int_input = (input * 100_000.0).round() as i64;
    if int_input % 10_000 == 0 {
        int_input as f64 / 100_000.0
    } else {
        ((int_input / 10_000) + 1) as f64 / 10.0
    }
}

mod v3 {
    use super::{round_up, CvssError, CvssScore, CvssVersion, Severity};

    pub(super) const BASE: [&str; 8] = ["AV", "AC", "PR", "UI", "S", "C", "I", "A"];
    pub(super) const TEMPORAL: [&str; 3] = ["E", "RL", "RC"];
    pub(super) const ENVIRONMENTAL: [&str; 11] = [
        "CR", "IR", "AR", "MAV", "MAC", "MPR", "MUI", "MS", "MC", "MI", "MA",
    ];

    /// The values a metric accepts, in the specification's order.
    fn allowed(metric: &str) -> Option<&'static [&'static str]> {
        Some(match metric {
            "AV" => &["N", "A", "L", "P"],
            "AC" => &["L", "H"],
            "PR" => &["N", "L", "H"],
            "UI" => &["N", "R"],
            "S" => &["U", "C"],
            "C" | "I" | "A" => &["H", "L", "N"],
            "E" => &["X", "H", "F", "P", "U"],
            "RL" => &["X", "U", "W", "T", "O"],
            "RC" => &["X", "C", "R", "U"],
            "CR" | "IR" | "AR" => &["X", "H", "M", "L"],
            "MAV" => &["X", "N", "A", "L", "P"],
            "MAC" => &["X", "L", "H"],
            "MPR" => &["X", "N", "L", "H"],
            "MUI" => &["X", "N", "R"],
            "MS" => &["X", "U", "C"],
            "MC" | "MI" | "MA" => &["X", "H", "L", "N"],
            _ => return None,
        })
    }

    struct Values<'a>(Vec<(&'a str, &'a str)>);

    impl<'a> Values<'a> {
        /// The value given, or "X" (not defined) for an optional metric left out.
        fn get(&self, metric: &str) -> &'a str {
            self.0
                .iter()
                .find(|(m, _)| *m == metric)
                .map(|(_, v)| *v)
                .unwrap_or("X")
        }

        /// A modified metric falls back on its base metric when not defined.
        fn modified(&self, metric: &'static str, base: &str) -> &'a str {
            match self.get(metric) {
                "X" => self.get(base),
                v => v,
            }
        }
    }

    fn av(v: &str) -> f64 {
        match v {
            "N" => 0.85,
            "A" => 0.62,
            "L" => 0.55,
            _ => 0.2,
        }
    }

    fn ac(v: &str) -> f64 {
        if v == "L" {
            0.77
        } else {
            0.44
        }
    }

    fn pr(v: &str, scope_changed: bool) -> f64 {
        match (v, scope_changed) {
            ("N", _) => 0.85,
            ("L", false) => 0.62,
            ("L", true) => 0.68,
            (_, false) => 0.27,
            (_, true) => 0.5,
        }
    }

    fn ui(v: &str) -> f64 {
        if v == "N" {
            0.85
        } else {
            0.62
        }
    }

    fn cia(v: &str) -> f64 {
        match v {
            "H" => 0.56,
            "L" => 0.22,
            _ => 0.0,
        }
    }

    fn requirement(v: &str) -> f64 {
        match v {
            "H" => 1.5,
            "L" => 0.5,
            _ => 1.0,
        }
    }

    fn temporal_factor(values: &Values) -> f64 {
        let e = match values.get("E") {
            "F" => 0.97,
            "P" => 0.94,
            "U" => 0.91,
            _ => 1.0,
        };
        let rl = match values.get("RL") {
            "W" => 0.97,
            "T" => 0.96,
            "O" => 0.95,
            _ => 1.0,
        };
        let rc = match values.get("RC") {
            "R" => 0.96,
            "U" => 0.92,
            _ => 1.0,
        };
        e * rl * rc
    }

    pub(super) fn score(
        version: CvssVersion,
        vector: &str,
        metrics: &[(&str, &str)],
    ) -> Result<CvssScore, CvssError> {
        for (metric, value) in metrics {
            let Some(values) = allowed(metric) else {
                return Err(CvssError::UnknownMetric((*metric).to_owned()));
            };
            if !values.contains(value) {
                return Err(CvssError::InvalidValue {
                    metric: (*metric).to_owned(),
                    value: (*value).to_owned(),
                });
            }
        }
        if let Some(missing) = BASE
            .iter()
            .find(|m| !metrics.iter().any(|(given, _)| given == *m))
        {
            return Err(CvssError::Missing((*missing).to_owned()));
        }
        let values = Values(metrics.to_vec());
        let defines = |group: &[&str]| metrics.iter().any(|(m, v)| *v != "X" && group.contains(m));

        let changed = values.get("S") == "C";
        let iss = 1.0
            - (1.0 - cia(values.get("C")))
                * (1.0 - cia(values.get("I")))
                * (1.0 - cia(values.get("A")));
        let impact = if changed {
            7.52 * (iss - 0.029) - 3.25 * (iss - 0.02).powi(15)
        } else {
            6.42 * iss
        };
        let exploitability = 8.22
            * av(values.get("AV"))
            * ac(values.get("AC"))
            * pr(values.get("PR"), changed)
            * ui(values.get("UI"));
        let base = if impact <= 0.0 {
            0.0
        } else if changed {
            round_up((1.08 * (impact + exploitability)).min(10.0))
        } else {
            round_up((impact + exploitability).min(10.0))
        };

        let factor = temporal_factor(&values);
        let temporal = round_up(base * factor);

        let environmental = {
            let m_changed = values.modified("MS", "S") == "C";
            let miss = (1.0
                - (1.0 - requirement(values.get("CR")) * cia(values.modified("MC", "C")))
                    * (1.0 - requirement(values.get("IR")) * cia(values.modified("MI", "I")))
                    * (1.0 - requirement(values.get("AR")) * cia(values.modified("MA", "A"))))
            .min(0.915);
            let m_impact = if !m_changed {
                6.42 * miss
            } else if version == CvssVersion::V3_0 {
                7.52 * (miss - 0.029) - 3.25 * (miss - 0.02).powi(15)
            } else {
                7.52 * (miss - 0.029) - 3.25 * (miss * 0.9731 - 0.02).powi(13)
            };
            let m_exploitability = 8.22
                * av(values.modified("MAV", "AV"))
                * ac(values.modified("MAC", "AC"))
                * pr(values.modified("MPR", "PR"), m_changed)
                * ui(values.modified("MUI", "UI"));
            if m_impact <= 0.0 {
                0.0
            } else if m_changed {
                round_up(round_up((1.08 * (m_impact + m_exploitability)).min(10.0)) * factor)
            } else {
                round_up(round_up((m_impact + m_exploitability).min(10.0)) * factor)
            }
        };

        // Every group has a score (an undefined metric counts as X), and the 3.1 environmental
        // formula differs from the base one even then; the vector's score is that of the most
        // specific group it defines.
        let score = if defines(&ENVIRONMENTAL) {
            environmental
        } else if defines(&TEMPORAL) {
            temporal
        } else {
            base
        };
        Ok(CvssScore {
            version,
            vector: vector.to_owned(),
            base,
            temporal: Some(temporal),
            environmental: Some(environmental),
            score,
            nomenclature: None,
            severity: Severity::from_score(score),
        })
    }
}

mod v4 {
    use super::{CvssError, CvssScore, CvssVersion, FromStr, Severity};

    const BASE: [&str; 11] = [
        "AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA",
    ];

    /// The values a metric accepts (CVSS 4.0 specification, §7), in the order the
    /// specification lists the metrics, which is also the order a vector must keep.
    pub(super) const METRICS: [(&str, &[&str]); 32] = [
        ("AV", &["N", "A", "L", "P"]),
        ("AC", &["L", "H"]),
        ("AT", &["N", "P"]),
        ("PR", &["N", "L", "H"]),
        ("UI", &["N", "P", "A"]),
        ("VC", &["H", "L", "N"]),
        ("VI", &["H", "L", "N"]),
        ("VA", &["H", "L", "N"]),
        ("SC", &["H", "L", "N"]),
        ("SI", &["H", "L", "N"]),
        ("SA", &["H", "L", "N"]),
        ("E", &["X", "A", "P", "U"]),
        ("CR", &["X", "H", "M", "L"]),
        ("IR", &["X", "H", "M", "L"]),
        ("AR", &["X", "H", "M", "L"]),
        ("MAV", &["X", "N", "A", "L", "P"]),
        ("MAC", &["X", "L", "H"]),
        ("MAT", &["X", "N", "P"]),
        ("MPR", &["X", "N", "L", "H"]),
        ("MUI", &["X", "N", "P", "A"]),
        ("MVC", &["X", "H", "L", "N"]),
        ("MVI", &["X", "H", "L", "N"]),
        ("MVA", &["X", "H", "L", "N"]),
        ("MSC", &["X", "H", "L", "N"]),
        ("MSI", &["X", "S", "H", "L", "N"]),
        ("MSA", &["X", "S", "H", "L", "N"]),
        ("S", &["X", "N", "P"]),
        ("AU", &["X", "N", "Y"]),
        ("R", &["X", "A", "U", "I"]),
        ("V", &["X", "D", "C"]),
        ("RE", &["X", "L", "M", "H"]),
        ("U", &["X", "Clear", "Green", "Amber", "Red"]),
    ];

    pub(super) fn score(vector: &str, metrics: &[(&str, &str)]) -> Result<CvssScore, CvssError> {
        for (metric, value) in metrics {
            let Some((_, values)) = METRICS.iter().find(|(m, _)| m == metric) else {
                return Err(CvssError::UnknownMetric((*metric).to_owned()));
            };
            if !values.contains(value) {
                return Err(CvssError::InvalidValue {
                    metric: (*metric).to_owned(),
                    value: (*value).to_owned(),
                });
            }
        }
        if let Some(missing) = BASE
            .iter()
            .find(|m| !metrics.iter().any(|(given, _)| given == *m))
        {
            return Err(CvssError::Missing((*missing).to_owned()));
        }
        let whole = parse(vector)?;
        let base_only = format!(
            "CVSS:4.0/{}",
            BASE.iter()
                .filter_map(|m| metrics.iter().find(|(given, _)| given == m))
                .map(|(m, v)| format!("{m}:{v}"))
                .collect::<Vec<_>>()
                .join("/")
        );
        let base = parse(&base_only)?.score().value();
        let overall = whole.score().value();
        Ok(CvssScore {
            version: CvssVersion::V4_0,
            vector: vector.to_owned(),
            base,
            temporal: None,
            environmental: None,
            score: overall,
            nomenclature: Some(whole.nomenclature().to_string()),
            severity: Severity::from_score(overall),
        })
    }

    /// Hands an already checked vector to the crate; its errors are mapped to ours all the
    /// same, in case it is stricter than our checks (metric order, say).
    fn parse(vector: &str) -> Result<cvss::v4::Vector, CvssError> {
        cvss::v4::Vector::from_str(vector).map_err(|e| match e {
            cvss::Error::InvalidMetricV4 { metric_type, value } => CvssError::InvalidValue {
                metric: metric_type.name().to_owned(),
                value,
            },
            cvss::Error::DuplicateMetricV4 { metric_type } => {
                CvssError::Duplicate(metric_type.name().to_owned())
            }
            cvss::Error::MissingMandatoryMetricV4 { metric_type } => {
                CvssError::Missing(metric_type.name().to_owned())
            }
            cvss::Error::UnknownMetric { name } => CvssError::UnknownMetric(name),
            cvss::Error::InvalidComponent { component } => CvssError::Component(component),
            other => CvssError::Component(other.to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scores(line: &str) -> (String, Vec<f64>) {
        let (vector, rest) = line.split_once(" - ").expect("VECTOR - (scores)");
        let numbers = rest
            .trim_matches(|c| c == '(' || c == ')')
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().parse().expect("a score"))
            .collect();
        (vector.to_owned(), numbers)
    }

    fn check_file(path: &str, min_lines: usize) {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut checked = 0;
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let (vector, expected) = scores(line);
            let got = score(&vector).unwrap_or_else(|e| panic!("{vector}: {e}"));
            let actual = match got.version {
                CvssVersion::V4_0 => vec![got.score],
                _ => vec![
                    got.base,
                    got.temporal.expect("3.x has a temporal score"),
                    got.environmental.expect("3.x has an environmental score"),
                ],
            };
            assert_eq!(actual, expected, "{vector}");
            assert_eq!(got.severity, Severity::from_score(got.score));
            checked += 1;
        }
        assert!(checked >= min_lines, "{path}: only {checked} vectors");
    }

    // REQ GMVI-04: every vector of the shared files scores as expected.
    #[test]
    fn every_shared_cvss_3_1_vector_scores_as_expected() {
        check_file(
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/data/cvss/vectors_simple31"
            ),
            2592,
        );
    }

    // REQ GMVI-04
    #[test]
    fn every_shared_cvss_4_0_vector_scores_as_expected() {
        check_file(
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/data/cvss/vectors_simple4"
            ),
            1058,
        );
    }

    // REQ GMVI-04: temporal, threat, environmental and supplemental metrics, scored by the
    // reference implementation (scripts/cvss_reference.py).
    #[test]
    fn reference_vectors_with_every_metric_group_score_as_expected() {
        check_file(
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/cvss_reference.txt"),
            6000,
        );
    }

    #[test]
    fn the_first_calculator_example_scores_each_group() {
        let s = score("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N/E:P/RL:W/RC:C").unwrap();
        assert_eq!(
            (s.base, s.temporal, s.environmental),
            (6.1, Some(5.6), Some(5.6))
        );
        assert_eq!(s.score, 5.6);
        assert_eq!(s.severity, Severity::Medium);
        let s = score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap();
        assert_eq!((s.base, s.severity), (9.8, Severity::Critical));
        // With no environmental metric, the 3.1 environmental formula still gives 9.7 where
        // the base gives 9.6; the vector's score is its base.
        let s = score("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H").unwrap();
        assert_eq!((s.base, s.environmental, s.score), (9.6, Some(9.7), 9.6));
    }

    #[test]
    fn the_3_0_round_up_is_exact() {
        // 2.5 × 0.92 is 2.3 exactly; floating point makes it 2.3000000000000003.
        assert_eq!(round_up(2.5 * 0.92), 2.3);
        assert_eq!(round_up(4.02), 4.1);
        assert_eq!(round_up(4.0), 4.0);
        let s = score(
            "CVSS:3.0/AV:A/AC:H/PR:H/UI:R/S:C/C:L/I:N/A:L/RC:U/CR:X/AR:L/MAV:X/MAC:H/MPR:X/MUI:N/MS:U",
        )
        .unwrap();
        assert_eq!(s.environmental, Some(2.3));
    }

    #[test]
    fn a_cvss_4_vector_names_its_nomenclature_and_keeps_its_base() {
        let s =
            score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U/S:P/U:Red")
                .unwrap();
        assert_eq!(s.nomenclature.as_deref(), Some("CVSS-BT"));
        assert_eq!(s.base, 9.3);
        assert!(s.score < s.base, "unreported exploitation lowers the score");
        assert!(
            s.vector.ends_with("/S:P/U:Red"),
            "supplemental metrics are kept"
        );
    }

    #[test]
    fn each_fault_names_its_metric() {
        let cases: [(&str, CvssError); 10] = [
            ("", CvssError::Empty),
            ("AV:N/AC:L", CvssError::Prefix),
            ("CVSS:2.0/AV:N", CvssError::Version("2.0".into())),
            (
                "CVSS:3.1/AV:Z/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                CvssError::InvalidValue {
                    metric: "AV".into(),
                    value: "Z".into(),
                },
            ),
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",
                CvssError::Missing("A".into()),
            ),
            (
                "CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                CvssError::Duplicate("AV".into()),
            ),
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:X",
                CvssError::UnknownMetric("ZZ".into()),
            ),
            (
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E",
                CvssError::Component("E".into()),
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:F",
                CvssError::InvalidValue {
                    metric: "E".into(),
                    value: "F".into(),
                },
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N",
                CvssError::Missing("SA".into()),
            ),
        ];
        for (vector, expected) in cases {
            assert_eq!(score(vector), Err(expected), "{vector:?}");
        }
        assert_eq!(score(&"A".repeat(600)), Err(CvssError::TooLong));
    }

    proptest::proptest! {
        // Any text: a score within 0–10 whose severity matches, or a named fault; never a panic.
        #[test]
        fn any_text_scores_or_is_refused(text in "(CVSS:(3\\.[01]|4\\.0))?(/[A-Z]{1,3}:[A-Za-z]{1,5}){0,40}|\\PC{0,80}") {
            if let Ok(s) = score(&text) {
                proptest::prop_assert!((0.0..=10.0).contains(&s.score));
                proptest::prop_assert!((0.0..=10.0).contains(&s.base));
                proptest::prop_assert_eq!(s.severity, Severity::from_score(s.score));
            }
        }

        // Any valid 3.1 vector: the environmental score with every requirement at M and no
        // modified metric equals the temporal score when the scope is unchanged.
        #[test]
        fn a_neutral_environment_keeps_the_temporal_score(
            av in 0usize..4, ac in 0usize..2, pr in 0usize..3, ui in 0usize..2,
            c in 0usize..3, i in 0usize..3, a in 0usize..3, e in 0usize..5,
        ) {
            let vector = format!(
                "CVSS:3.1/AV:{}/AC:{}/PR:{}/UI:{}/S:U/C:{}/I:{}/A:{}/E:{}/CR:M/IR:M/AR:M",
                ["N", "A", "L", "P"][av], ["L", "H"][ac], ["N", "L", "H"][pr], ["N", "R"][ui],
                ["H", "L", "N"][c], ["H", "L", "N"][i], ["H", "L", "N"][a], ["X", "H", "F", "P", "U"][e],
            );
            let s = score(&vector).expect("a valid vector");
            proptest::prop_assert_eq!(s.environmental, s.temporal);
            proptest::prop_assert_eq!(s.score, s.environmental.unwrap_or_default());
        }
    }

    #[test]
    fn severity_bands_follow_the_specification() {
        assert_eq!(Severity::from_score(0.0), Severity::None);
        assert_eq!(Severity::from_score(0.1), Severity::Low);
        assert_eq!(Severity::from_score(3.9), Severity::Low);
        assert_eq!(Severity::from_score(4.0), Severity::Medium);
        assert_eq!(Severity::from_score(6.9), Severity::Medium);
        assert_eq!(Severity::from_score(7.0), Severity::High);
        assert_eq!(Severity::from_score(8.9), Severity::High);
        assert_eq!(Severity::from_score(9.0), Severity::Critical);
        for s in Severity::ALL {
            assert_eq!(Severity::parse(s.as_str()), Some(s));
        }
    }
}
