//! CISA's Known Exploited Vulnerabilities catalogue (GMVI-05): the JSON feed
//! (`known_exploited_vulnerabilities.json`, schema 1.x), read whole within a size bound (the
//! catalogue is about 1.3 MB for 1,400 entries), each entry checked: a CVE identifier, the
//! dates it was added and is due as YYYY-MM-DD. A fault names the entry (its index and CVE).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::scan::cve_id;

/// Far above the catalogue's size, far below what could hurt.
pub const MAX_BYTES: usize = 32 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KevEntry {
    pub cve_id: String,
    pub vendor: String,
    pub product: String,
    pub name: String,
    pub date_added: NaiveDate,
    pub due_date: Option<NaiveDate>,
    pub required_action: String,
    /// "Known" or "Unknown", as CISA writes it.
    pub ransomware: String,
    pub cwes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KevCatalogue {
    pub version: String,
    pub released: String,
    pub entries: Vec<KevEntry>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KevError {
    #[error("le catalogue dépasse {MAX_BYTES} octets")]
    TooLarge,
    #[error("ligne {line}, colonne {column} : JSON illisible ({message})")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("entrée n° {index}{cve} : {message}")]
    Entry {
        index: usize,
        cve: String,
        message: String,
    },
}

#[derive(Deserialize)]
struct RawCatalogue {
    #[serde(rename = "catalogVersion", default)]
    version: String,
    #[serde(rename = "dateReleased", default)]
    released: String,
    vulnerabilities: Vec<RawEntry>,
}

#[derive(Deserialize)]
struct RawEntry {
    #[serde(rename = "cveID")]
    cve_id: Option<String>,
    #[serde(rename = "vendorProject", default)]
    vendor: String,
    #[serde(default)]
    product: String,
    #[serde(rename = "vulnerabilityName", default)]
    name: String,
    #[serde(rename = "dateAdded")]
    date_added: Option<String>,
    #[serde(rename = "dueDate")]
    due_date: Option<String>,
    #[serde(rename = "requiredAction", default)]
    required_action: String,
    #[serde(rename = "knownRansomwareCampaignUse", default)]
    ransomware: String,
    #[serde(default)]
    cwes: Vec<String>,
}

fn date(text: Option<&str>) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text?.trim(), "%Y-%m-%d").ok()
}

pub fn read(bytes: &[u8]) -> Result<KevCatalogue, KevError> {
    if bytes.len() > MAX_BYTES {
        return Err(KevError::TooLarge);
    }
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let raw: RawCatalogue = serde_json::from_slice(bytes).map_err(|e| KevError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let mut entries = Vec::with_capacity(raw.vulnerabilities.len());
    for (i, e) in raw.vulnerabilities.into_iter().enumerate() {
        let index = i + 1;
        let shown = e.cve_id.clone().unwrap_or_default();
        let fault = |message: &str| KevError::Entry {
            index,
            cve: if shown.is_empty() {
                String::new()
            } else {
                format!(" ({})", crate::scan::cut(&shown, 40))
            },
            message: message.to_owned(),
        };
        let Some(cve) = e.cve_id.as_deref().and_then(cve_id) else {
            return Err(fault("identifiant CVE (cveID) absent ou invalide"));
        };
        let Some(date_added) = date(e.date_added.as_deref()) else {
            return Err(fault(
                "date d’ajout (dateAdded) absente ou invalide (AAAA-MM-JJ)",
            ));
        };
        let due_date = match e.due_date.as_deref() {
            None | Some("") => None,
            Some(text) => Some(
                date(Some(text))
                    .ok_or_else(|| fault("échéance (dueDate) invalide (AAAA-MM-JJ)"))?,
            ),
        };
        entries.push(KevEntry {
            cve_id: cve,
            vendor: e.vendor,
            product: e.product,
            name: e.name,
            date_added,
            due_date,
            required_action: e.required_action,
            ransomware: e.ransomware,
            cwes: e.cwes,
        });
    }
    Ok(KevCatalogue {
        version: raw.version,
        released: raw.released,
        entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHARED: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/kev/known_exploited_vulnerabilities.json"
    );

    // REQ GMVI-05: the shared catalogue reads whole ("count": 1404 in the file itself).
    #[test]
    fn the_shared_catalogue_reads_whole() {
        let catalogue = read(&std::fs::read(SHARED).unwrap()).unwrap();
        assert_eq!(catalogue.entries.len(), 1404);
        assert_eq!(catalogue.version, "2025.08.25");
        let git = &catalogue.entries[0];
        assert_eq!(git.cve_id, "CVE-2025-48384");
        assert_eq!(git.due_date, NaiveDate::from_ymd_opt(2025, 9, 15));
        assert_eq!(git.cwes, vec!["CWE-59".to_owned(), "CWE-436".to_owned()]);
    }

    #[test]
    fn a_faulty_entry_is_named() {
        let bad = br#"{"vulnerabilities": [{"cveID": "CVE-2024-0001", "dateAdded": "2024-01-02"}, {"cveID": "CVE-2024-0002", "dateAdded": "2024-13-02"}]}"#;
        assert_eq!(
            read(bad).unwrap_err().to_string(),
            "entrée n° 2 (CVE-2024-0002) : date d’ajout (dateAdded) absente ou invalide (AAAA-MM-JJ)"
        );
        assert!(matches!(
            read(b"{\"vulnerabilities\": [").unwrap_err(),
            KevError::Json { line: 1, .. }
        ));
        assert!(matches!(
            read(br#"{"vulnerabilities": [{"cveID": "nope"}]}"#).unwrap_err(),
            KevError::Entry { index: 1, .. }
        ));
    }
}
