//! CVE JSON 5 records (GMVI-05): what the CVE Program publishes for one CVE, read whole within
//! a size bound (records are a few to a few hundred kilobytes), to enrich vulnerabilities with
//! their CVSS vector (the CNA's, else an ADP's such as CISA's Vulnrichment), their CWEs and
//! CISA's SSVC decision points (Exploitation, Automatable, Technical Impact). A vector the
//! record gives is scored again with the domain's CVSS; one that does not score is left out
//! rather than trusted. A fault names the field by its JSON path or the line and column.

use rempart_domain::cvss;
use rempart_domain::language::Language;
use serde::{Deserialize, Serialize};

/// A record larger than this is refused.
pub const MAX_BYTES: usize = 4 * 1024 * 1024;

/// CISA's SSVC decision points for one CVE, as the ADP container gives them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Ssvc {
    /// none, poc or active.
    pub exploitation: Option<String>,
    /// yes or no.
    pub automatable: Option<String>,
    /// partial or total.
    pub technical_impact: Option<String>,
}

/// What a record tells us.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CveRecord {
    pub cve_id: String,
    /// PUBLISHED or REJECTED.
    pub state: String,
    pub published: Option<String>,
    pub updated: Option<String>,
    pub title: String,
    pub description: String,
    /// The vector kept (4.0 before 3.1 before 3.0; the CNA's before an ADP's) and its score.
    pub cvss: Option<cvss::CvssScore>,
    /// Who gave that vector: `cna` or the ADP's short name.
    pub cvss_source: Option<String>,
    pub cwes: Vec<String>,
    pub ssvc: Ssvc,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CveError {
    #[error("{}", self.message(Language::Fr))]
    TooLarge,
    #[error("{}", self.message(Language::Fr))]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{}", self.message(Language::Fr))]
    Field { path: &'static str },
}

impl CveError {
    pub fn message(&self, language: Language) -> String {
        let fr = language == Language::Fr;
        match self {
            CveError::TooLarge => {
                if fr {
                    format!("l'enregistrement CVE dépasse {MAX_BYTES} octets")
                } else {
                    format!("the CVE record is larger than {MAX_BYTES} bytes")
                }
            }
            CveError::Syntax {
                line,
                column,
                message,
            } => {
                if fr {
                    format!("ligne {line}, colonne {column} : JSON mal formé ({message})")
                } else {
                    format!("line {line}, column {column}: malformed JSON ({message})")
                }
            }
            CveError::Field { path } => {
                if fr {
                    format!("champ {path} : absent ou invalide (enregistrement CVE JSON 5 attendu)")
                } else {
                    format!("field {path}: missing or invalid (a CVE JSON 5 record is expected)")
                }
            }
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Raw {
    data_type: Option<String>,
    data_version: Option<String>,
    cve_metadata: Option<RawMeta>,
    #[serde(default)]
    containers: RawContainers,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawMeta {
    cve_id: Option<String>,
    state: Option<String>,
    date_published: Option<String>,
    date_updated: Option<String>,
}

#[derive(Deserialize, Default)]
struct RawContainers {
    cna: Option<RawContainer>,
    #[serde(default)]
    adp: Vec<RawContainer>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawContainer {
    title: Option<String>,
    #[serde(default)]
    descriptions: Vec<RawText>,
    #[serde(default)]
    metrics: Vec<RawMetric>,
    #[serde(default)]
    problem_types: Vec<RawProblem>,
    provider_metadata: Option<RawProvider>,
    /// A rejected record's reasons.
    #[serde(default)]
    rejected_reasons: Vec<RawText>,
}

#[derive(Deserialize)]
struct RawText {
    lang: Option<String>,
    value: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawProvider {
    short_name: Option<String>,
}

#[derive(Deserialize)]
struct RawMetric {
    #[serde(rename = "cvssV4_0")]
    v40: Option<RawCvss>,
    #[serde(rename = "cvssV3_1")]
    v31: Option<RawCvss>,
    #[serde(rename = "cvssV3_0")]
    v30: Option<RawCvss>,
    other: Option<RawOther>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCvss {
    vector_string: Option<String>,
}

#[derive(Deserialize)]
struct RawOther {
    #[serde(rename = "type")]
    kind: Option<String>,
    content: Option<RawSsvc>,
}

#[derive(Deserialize)]
struct RawSsvc {
    #[serde(default)]
    options: Vec<std::collections::BTreeMap<String, serde_json::Value>>,
}

#[derive(Deserialize)]
struct RawProblem {
    #[serde(default)]
    descriptions: Vec<RawCwe>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCwe {
    cwe_id: Option<String>,
}

fn english(texts: &[RawText]) -> Option<String> {
    texts
        .iter()
        .find(|t| t.lang.as_deref().is_some_and(|l| l.starts_with("en")))
        .or_else(|| texts.first())
        .and_then(|t| t.value.clone())
}

fn cwe_of(text: &str) -> Option<String> {
    let t = text.trim().to_ascii_uppercase();
    let n = t.strip_prefix("CWE-")?;
    (!n.is_empty() && n.len() <= 7 && n.chars().all(|c| c.is_ascii_digit())).then_some(t)
}

/// Reads one CVE JSON 5 record.
pub fn read(bytes: &[u8]) -> Result<CveRecord, CveError> {
    if bytes.len() > MAX_BYTES {
        return Err(CveError::TooLarge);
    }
    let raw: Raw = serde_json::from_slice(bytes).map_err(|e| CveError::Syntax {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    if raw.data_type.as_deref() != Some("CVE_RECORD") {
        return Err(CveError::Field { path: "/dataType" });
    }
    if !raw
        .data_version
        .as_deref()
        .is_some_and(|v| v.starts_with("5."))
    {
        return Err(CveError::Field {
            path: "/dataVersion",
        });
    }
    let meta = raw.cve_metadata.ok_or(CveError::Field {
        path: "/cveMetadata",
    })?;
    let cve_id = meta
        .cve_id
        .as_deref()
        .and_then(crate::scan::cve_id)
        .ok_or(CveError::Field {
            path: "/cveMetadata/cveId",
        })?;
    let state = match meta.state.as_deref() {
        Some(s @ ("PUBLISHED" | "REJECTED")) => s.to_owned(),
        _ => {
            return Err(CveError::Field {
                path: "/cveMetadata/state",
            })
        }
    };
    let cna = raw.containers.cna.unwrap_or_default();
    let description = english(&cna.descriptions)
        .or_else(|| english(&cna.rejected_reasons))
        .unwrap_or_default();
    let title = cna
        .title
        .clone()
        .unwrap_or_else(|| description.chars().take(200).collect());

    // CVSS: the CNA's first, then each ADP's; within one, the newest version that scores.
    let mut cvss_pick: Option<(cvss::CvssScore, String)> = None;
    let containers: Vec<(&RawContainer, String)> = std::iter::once((&cna, "cna".to_owned()))
        .chain(raw.containers.adp.iter().map(|a| {
            (
                a,
                a.provider_metadata
                    .as_ref()
                    .and_then(|p| p.short_name.clone())
                    .unwrap_or_else(|| "adp".to_owned()),
            )
        }))
        .collect();
    'pick: for (container, source) in &containers {
        fn version(m: &RawMetric, which: usize) -> Option<&RawCvss> {
            match which {
                0 => m.v40.as_ref(),
                1 => m.v31.as_ref(),
                _ => m.v30.as_ref(),
            }
        }
        for which in 0..3 {
            for metric in &container.metrics {
                if let Some(vector) =
                    version(metric, which).and_then(|c| c.vector_string.as_deref())
                {
                    if let Ok(score) = cvss::score(vector) {
                        cvss_pick = Some((score, source.clone()));
                        break 'pick;
                    }
                }
            }
        }
    }
    let mut cwes: Vec<String> = containers
        .iter()
        .flat_map(|(c, _)| c.problem_types.iter())
        .flat_map(|p| p.descriptions.iter())
        .filter_map(|d| d.cwe_id.as_deref().and_then(cwe_of))
        .collect();
    cwes.sort();
    cwes.dedup();

    let mut ssvc = Ssvc::default();
    for (container, _) in &containers {
        for metric in &container.metrics {
            let Some(other) = &metric.other else { continue };
            if other.kind.as_deref() != Some("ssvc") {
                continue;
            }
            for option in other.content.iter().flat_map(|c| c.options.iter()) {
                for (key, value) in option {
                    let v = value.as_str().map(str::to_lowercase);
                    match (key.as_str(), v.as_deref()) {
                        ("Exploitation", Some(x @ ("none" | "poc" | "active"))) => {
                            ssvc.exploitation = Some(x.to_owned())
                        }
                        ("Automatable", Some(x @ ("yes" | "no"))) => {
                            ssvc.automatable = Some(x.to_owned())
                        }
                        ("Technical Impact", Some(x @ ("partial" | "total"))) => {
                            ssvc.technical_impact = Some(x.to_owned())
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    Ok(CveRecord {
        cve_id,
        state,
        published: meta.date_published,
        updated: meta.date_updated,
        title,
        description,
        cvss_source: cvss_pick.as_ref().map(|(_, s)| s.clone()),
        cvss: cvss_pick.map(|(s, _)| s),
        cwes,
        ssvc,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIR: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/cve/cvejson5"
    );

    fn all() -> Vec<CveRecord> {
        let mut files: Vec<_> = std::fs::read_dir(DIR)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| read(&std::fs::read(f).unwrap()).unwrap_or_else(|e| panic!("{f:?}: {e}")))
            .collect()
    }

    // REQ GMVI-05: the 60 shared records read; the counts were established with python3's
    // json module over the same files: 60 published, 60 with SSVC's Exploitation from
    // CISA's ADP, a CVSS 3.0, 3.1 or 4.0 metric in 48 (CNA or ADP), a CWE id in 38.
    #[test]
    fn every_shared_record_reads() {
        let records = all();
        assert_eq!(records.len(), 60);
        assert!(records.iter().all(|r| r.state == "PUBLISHED"));
        let first = &records[0];
        assert_eq!(first.cve_id, "CVE-2024-0001");
        let score = first.cvss.as_ref().unwrap();
        assert_eq!(score.vector, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H");
        assert_eq!(score.base, 10.0);
        assert_eq!(first.cvss_source.as_deref(), Some("cna"));
        assert_eq!(
            first.ssvc,
            Ssvc {
                exploitation: Some("none".into()),
                automatable: Some("no".into()),
                technical_impact: Some("total".into()),
            }
        );
        let with = |f: &dyn Fn(&CveRecord) -> bool| records.iter().filter(|r| f(r)).count();
        assert_eq!(with(&|r| r.ssvc.exploitation.is_some()), EXPECTED_SSVC);
        assert_eq!(with(&|r| r.cvss.is_some()), EXPECTED_CVSS);
        assert_eq!(with(&|r| !r.cwes.is_empty()), EXPECTED_CWE);
    }

    const EXPECTED_SSVC: usize = 60;
    const EXPECTED_CVSS: usize = 48;
    const EXPECTED_CWE: usize = 38;

    #[test]
    fn faults_name_the_field() {
        assert_eq!(
            read(br#"{"dataType": "CVE_RECORD", "dataVersion": "4.0"}"#)
                .unwrap_err()
                .message(Language::Fr),
            "champ /dataVersion : absent ou invalide (enregistrement CVE JSON 5 attendu)"
        );
        assert!(matches!(
            read(b"{\n\"dataType\": }"),
            Err(CveError::Syntax { line: 2, .. })
        ));
        let bad_id = br#"{"dataType": "CVE_RECORD", "dataVersion": "5.1",
            "cveMetadata": {"cveId": "CVE-24-1", "state": "PUBLISHED"}}"#;
        assert_eq!(
            read(bad_id).unwrap_err(),
            CveError::Field {
                path: "/cveMetadata/cveId"
            }
        );
        let rejected = br#"{"dataType": "CVE_RECORD", "dataVersion": "5.1",
            "cveMetadata": {"cveId": "CVE-2024-9999", "state": "REJECTED"},
            "containers": {"cna": {"rejectedReasons": [{"lang": "en", "value": "Duplicate."}],
            "metrics": [{"cvssV3_1": {"vectorString": "CVSS:3.1/AV:X"}}]}}}"#;
        let r = read(rejected).unwrap();
        assert_eq!(
            (r.state.as_str(), r.description.as_str()),
            ("REJECTED", "Duplicate.")
        );
        assert!(r.cvss.is_none(), "a vector that does not score is left out");
    }
}
