//! CSAF 2.0 advisories (GMVI-07): a document read whole within a size bound (vendors' files
//! are tens to hundreds of kilobytes), checked (the fields the standard requires, every
//! product a status names is in the product tree), and turned into the domain's
//! [`Advisory`]: each product with the keys that recognize it (CPE and package URL helpers,
//! the vendor / product name / version path of its branches, and for a product that is a
//! component of a platform, the platform's keys too).
//!
//! A fault names the field by its JSON path (`/document/tracking/id`) or the line and
//! column of a syntax error, in French or English.

use std::collections::{HashMap, HashSet};

use rempart_domain::advisory::{
    Advisory, AdvisoryProduct, AdvisoryVulnerability, Cpe, ProductKey, ProductStatus, Purl,
    VersionSpec,
};
use rempart_domain::cvss::Severity;
use rempart_domain::language::Language;
use serde::Deserialize;

/// The bounds a document must keep within.
#[derive(Debug, Clone, Copy)]
pub struct CsafLimits {
    pub max_bytes: usize,
    pub max_products: usize,
    pub max_vulnerabilities: usize,
    /// Branches nested deeper than this are refused (CSAF trees are 3 to 6 deep).
    pub max_depth: usize,
}

impl Default for CsafLimits {
    fn default() -> Self {
        CsafLimits {
            max_bytes: 32 * 1024 * 1024,
            max_products: 100_000,
            max_vulnerabilities: 10_000,
            max_depth: 30,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsafError {
    #[error("{}", self.message(Language::Fr))]
    TooLarge { limit: usize },
    #[error("{}", self.message(Language::Fr))]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    /// A field the standard requires is missing or wrong: `path` names it.
    #[error("{}", self.message(Language::Fr))]
    Field {
        path: String,
        expected: &'static str,
    },
    #[error("{}", self.message(Language::Fr))]
    TooMany { what: &'static str, limit: usize },
    #[error("{}", self.message(Language::Fr))]
    TooDeep { limit: usize },
    /// A status or relationship names a product the tree does not have.
    #[error("{}", self.message(Language::Fr))]
    UnknownProduct { path: String, product_id: String },
}

impl CsafError {
    pub fn message(&self, language: Language) -> String {
        let fr = language == Language::Fr;
        match self {
            CsafError::TooLarge { limit } => {
                if fr {
                    format!("le document CSAF dépasse {limit} octets")
                } else {
                    format!("the CSAF document is larger than {limit} bytes")
                }
            }
            CsafError::Syntax {
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
            CsafError::Field { path, expected } => {
                let what = expected_text(expected, fr);
                if fr {
                    format!("champ {path} : {what}")
                } else {
                    format!("field {path}: {what}")
                }
            }
            CsafError::TooMany { what, limit } => {
                let what = match (*what, fr) {
                    ("products", true) => "produits",
                    ("vulnerabilities", true) => "vulnérabilités",
                    (w, _) => w,
                };
                if fr {
                    format!("le document compte plus de {limit} {what}")
                } else {
                    format!("the document holds more than {limit} {what}")
                }
            }
            CsafError::TooDeep { limit } => {
                if fr {
                    format!("l'arbre des produits est imbriqué sur plus de {limit} niveaux")
                } else {
                    format!("the product tree is nested more than {limit} levels deep")
                }
            }
            CsafError::UnknownProduct { path, product_id } => {
                if fr {
                    format!(
                        "{path} : le produit « {product_id} » n'est pas dans l'arbre des produits"
                    )
                } else {
                    format!("{path}: product \"{product_id}\" is not in the product tree")
                }
            }
        }
    }
}

fn expected_text(expected: &str, fr: bool) -> &'static str {
    match (expected, fr) {
        ("required", true) => "obligatoire, absent ou vide",
        ("required", false) => "required, missing or empty",
        ("version", true) => "« 2.0 » attendu (CSAF 2.0)",
        ("version", false) => "\"2.0\" expected (CSAF 2.0)",
        (_, true) => "valeur invalide",
        (_, false) => "invalid value",
    }
}

#[derive(Deserialize)]
struct Raw {
    document: Option<RawDocument>,
    #[serde(default)]
    product_tree: RawTree,
    #[serde(default)]
    vulnerabilities: Vec<RawVulnerability>,
}

#[derive(Deserialize)]
struct RawDocument {
    category: Option<String>,
    csaf_version: Option<String>,
    title: Option<String>,
    publisher: Option<RawPublisher>,
    tracking: Option<RawTracking>,
    aggregate_severity: Option<RawText>,
    #[serde(default)]
    notes: Vec<RawNote>,
    #[serde(default)]
    references: Vec<RawReference>,
}

#[derive(Deserialize)]
struct RawPublisher {
    name: Option<String>,
}

#[derive(Deserialize)]
struct RawTracking {
    id: Option<String>,
    version: Option<String>,
    initial_release_date: Option<String>,
    current_release_date: Option<String>,
}

#[derive(Deserialize)]
struct RawText {
    text: Option<String>,
}

#[derive(Deserialize)]
struct RawNote {
    category: Option<String>,
    text: Option<String>,
}

#[derive(Deserialize)]
struct RawReference {
    category: Option<String>,
    url: Option<String>,
}

#[derive(Deserialize, Default)]
struct RawTree {
    #[serde(default)]
    branches: Vec<RawBranch>,
    #[serde(default)]
    full_product_names: Vec<RawProduct>,
    #[serde(default)]
    relationships: Vec<RawRelationship>,
}

#[derive(Deserialize)]
struct RawBranch {
    category: Option<String>,
    name: Option<String>,
    #[serde(default)]
    branches: Vec<RawBranch>,
    product: Option<RawProduct>,
}

#[derive(Deserialize)]
struct RawProduct {
    name: Option<String>,
    product_id: Option<String>,
    product_identification_helper: Option<RawHelper>,
}

#[derive(Deserialize)]
struct RawHelper {
    cpe: Option<String>,
    purl: Option<String>,
}

#[derive(Deserialize)]
struct RawRelationship {
    full_product_name: Option<RawProduct>,
    product_reference: Option<String>,
    relates_to_product_reference: Option<String>,
}

#[derive(Deserialize)]
struct RawVulnerability {
    cve: Option<String>,
    title: Option<String>,
    cwe: Option<RawCwe>,
    #[serde(default)]
    scores: Vec<RawScore>,
    #[serde(default)]
    product_status: HashMap<String, Vec<String>>,
    #[serde(default)]
    remediations: Vec<RawRemediation>,
}

#[derive(Deserialize)]
struct RawCwe {
    id: Option<String>,
}

#[derive(Deserialize)]
struct RawScore {
    cvss_v3: Option<RawCvss>,
}

#[derive(Deserialize)]
struct RawCvss {
    #[serde(rename = "vectorString")]
    vector: Option<String>,
}

#[derive(Deserialize)]
struct RawRemediation {
    category: Option<String>,
    details: Option<String>,
}

fn required(value: Option<String>, path: &str) -> Result<String, CsafError> {
    value
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| CsafError::Field {
            path: path.to_owned(),
            expected: "required",
        })
}

/// Reads a CSAF 2.0 document.
pub fn read(bytes: &[u8], limits: CsafLimits) -> Result<Advisory, CsafError> {
    if bytes.len() > limits.max_bytes {
        return Err(CsafError::TooLarge {
            limit: limits.max_bytes,
        });
    }
    // serde_json refuses nesting beyond 128 levels, so a hostile tree cannot exhaust the
    // stack; our own depth bound is checked while walking the branches.
    let raw: Raw = serde_json::from_slice(bytes).map_err(|e| CsafError::Syntax {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let document = raw.document.ok_or_else(|| CsafError::Field {
        path: "/document".into(),
        expected: "required",
    })?;
    let version = required(document.csaf_version, "/document/csaf_version")?;
    if version != "2.0" {
        return Err(CsafError::Field {
            path: "/document/csaf_version".into(),
            expected: "version",
        });
    }
    let category = required(document.category, "/document/category")?;
    let title = required(document.title, "/document/title")?;
    let publisher = required(
        document.publisher.and_then(|p| p.name),
        "/document/publisher/name",
    )?;
    let tracking = document.tracking.ok_or_else(|| CsafError::Field {
        path: "/document/tracking".into(),
        expected: "required",
    })?;
    let tracking_id = required(tracking.id, "/document/tracking/id")?;
    let tracking_version = required(tracking.version, "/document/tracking/version")?;
    let current_release = required(
        tracking.current_release_date,
        "/document/tracking/current_release_date",
    )?;
    let initial_release = required(
        tracking.initial_release_date,
        "/document/tracking/initial_release_date",
    )?;
    let severity = document
        .aggregate_severity
        .and_then(|s| s.text)
        .and_then(|t| severity_word(&t));
    let summary = document
        .notes
        .iter()
        .find(|n| matches!(n.category.as_deref(), Some("summary")))
        .or_else(|| {
            document
                .notes
                .iter()
                .find(|n| matches!(n.category.as_deref(), Some("description" | "general")))
        })
        .and_then(|n| n.text.clone())
        .unwrap_or_default();
    // Shown as a link: only web addresses.
    let url = document
        .references
        .iter()
        .find(|r| r.category.as_deref() == Some("self"))
        .and_then(|r| r.url.clone())
        .filter(|u| {
            (u.starts_with("https://") || u.starts_with("http://"))
                && u.len() <= 2000
                && !u.chars().any(char::is_whitespace)
        });

    // The product tree: every product with its keys.
    let mut products: Vec<AdvisoryProduct> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut add = |product: AdvisoryProduct, path: &str| -> Result<(), CsafError> {
        if products.len() >= limits.max_products {
            return Err(CsafError::TooMany {
                what: "products",
                limit: limits.max_products,
            });
        }
        if product.product_id.is_empty() {
            return Err(CsafError::Field {
                path: format!("{path}/product_id"),
                expected: "required",
            });
        }
        match index.get(&product.product_id) {
            // The same id twice (a vendor naming it in two places): keys add up, bounded.
            Some(&i) => {
                products[i].keys.extend(product.keys);
                dedup_keys(&mut products[i].keys);
            }
            None => {
                index.insert(product.product_id.clone(), products.len());
                products.push(product);
            }
        }
        Ok(())
    };
    let mut path = Vec::new();
    for (i, branch) in raw.product_tree.branches.iter().enumerate() {
        walk(
            branch,
            &format!("/product_tree/branches/{i}"),
            &mut path,
            limits,
            &mut add,
        )?;
    }
    for (i, p) in raw.product_tree.full_product_names.iter().enumerate() {
        add(
            product_of(p, &[]),
            &format!("/product_tree/full_product_names/{i}"),
        )?;
    }
    // A relationship names products of the tree (branches, full product names), never
    // another relationship's: keys then cannot compound from one relationship to the next.
    let base = products.len();
    for (i, r) in raw.product_tree.relationships.iter().enumerate() {
        let here = format!("/product_tree/relationships/{i}");
        let full = r
            .full_product_name
            .as_ref()
            .ok_or_else(|| CsafError::Field {
                path: format!("{here}/full_product_name"),
                expected: "required",
            })?;
        let mut product = product_of(full, &[]);
        for (field, reference) in [
            ("product_reference", &r.product_reference),
            (
                "relates_to_product_reference",
                &r.relates_to_product_reference,
            ),
        ] {
            let reference = reference.as_deref().unwrap_or("");
            let &j = index.get(reference).filter(|&&j| j < base).ok_or_else(|| {
                CsafError::UnknownProduct {
                    path: format!("{here}/{field}"),
                    product_id: reference.to_owned(),
                }
            })?;
            product.keys.extend(products[j].keys.iter().cloned());
        }
        dedup_keys(&mut product.keys);
        if product.product_id.is_empty() {
            return Err(CsafError::Field {
                path: format!("{here}/full_product_name/product_id"),
                expected: "required",
            });
        }
        if products.len() >= limits.max_products {
            return Err(CsafError::TooMany {
                what: "products",
                limit: limits.max_products,
            });
        }
        index.insert(product.product_id.clone(), products.len());
        products.push(product);
    }
    if raw.vulnerabilities.len() > limits.max_vulnerabilities {
        return Err(CsafError::TooMany {
            what: "vulnerabilities",
            limit: limits.max_vulnerabilities,
        });
    }
    let mut vulnerabilities = Vec::with_capacity(raw.vulnerabilities.len());
    for (i, v) in raw.vulnerabilities.into_iter().enumerate() {
        let here = format!("/vulnerabilities/{i}");
        let cve = match v.cve {
            None => None,
            Some(c) => Some(crate::scan::cve_id(&c).ok_or_else(|| CsafError::Field {
                path: format!("{here}/cve"),
                expected: "cve",
            })?),
        };
        let mut statuses = Vec::new();
        // A fixed order, whatever the map's: the report and the tests stay the same.
        let mut lists: Vec<_> = v.product_status.into_iter().collect();
        lists.sort_by(|a, b| a.0.cmp(&b.0));
        for (list, ids) in lists {
            let Some(status) = ProductStatus::from_csaf(&list) else {
                continue;
            };
            for (k, id) in ids.into_iter().enumerate() {
                if !index.contains_key(&id) {
                    return Err(CsafError::UnknownProduct {
                        path: format!("{here}/product_status/{list}/{k}"),
                        product_id: id,
                    });
                }
                statuses.push((id, status));
            }
        }
        vulnerabilities.push(AdvisoryVulnerability {
            cve,
            title: v.title,
            cwe: v.cwe.and_then(|c| c.id),
            cvss_vector: v
                .scores
                .into_iter()
                .filter_map(|s| s.cvss_v3.and_then(|c| c.vector))
                .next(),
            statuses,
            remediation: v
                .remediations
                .into_iter()
                .find(|r| r.category.as_deref() == Some("vendor_fix"))
                .and_then(|r| r.details),
        });
    }

    Ok(Advisory {
        tracking_id,
        version: tracking_version,
        title,
        publisher,
        category,
        severity,
        summary,
        url,
        initial_release: Some(initial_release),
        current_release: Some(current_release),
        products,
        vulnerabilities,
    })
}

/// Keys a product keeps at most: a product names itself a handful of ways.
const MAX_KEYS: usize = 16;

fn dedup_keys(keys: &mut Vec<ProductKey>) {
    let mut kept: Vec<ProductKey> = Vec::with_capacity(keys.len().min(MAX_KEYS));
    for k in keys.drain(..) {
        if kept.len() < MAX_KEYS && !kept.contains(&k) {
            kept.push(k);
        }
    }
    *keys = kept;
}

fn severity_word(text: &str) -> Option<Severity> {
    let t = text.trim().to_lowercase();
    Severity::parse(&t).or(match t.as_str() {
        "important" | "élevée" | "elevee" => Some(Severity::High),
        "moderate" | "moyenne" => Some(Severity::Medium),
        "faible" => Some(Severity::Low),
        "critique" => Some(Severity::Critical),
        _ => None,
    })
}

/// A product with the keys its helper gives and those of the branch path it sits in.
fn product_of(p: &RawProduct, path: &[(&str, &str)]) -> AdvisoryProduct {
    let mut keys = Vec::new();
    if let Some(h) = &p.product_identification_helper {
        if let Some(cpe) = h.cpe.as_deref().and_then(Cpe::parse) {
            keys.push(ProductKey::Cpe(cpe));
        }
        if let Some(purl) = h.purl.as_deref().and_then(Purl::parse) {
            let range = path
                .iter()
                .rev()
                .find(|(c, _)| *c == "product_version_range")
                .and_then(|(_, n)| VersionSpec::parse_range(n))
                .unwrap_or_default();
            keys.push(ProductKey::Purl { purl, range });
        }
    }
    let vendor = path.iter().find(|(c, _)| *c == "vendor").map(|(_, n)| *n);
    let product = path
        .iter()
        .rev()
        .find(|(c, _)| *c == "product_name")
        .map(|(_, n)| *n);
    // The most precise version the path gives: a service pack or patch level under a
    // version, else the version, else a range.
    let versions = path
        .iter()
        .rev()
        .find_map(|(c, n)| match *c {
            "service_pack" | "patch_level" | "product_version" => {
                Some(VersionSpec::Exact(n.to_string()))
            }
            "product_version_range" => VersionSpec::parse_range(n),
            _ => None,
        })
        .unwrap_or_default();
    if let (Some(vendor), Some(product)) = (vendor, product) {
        keys.push(ProductKey::Named {
            vendor: vendor.to_owned(),
            product: product.to_owned(),
            versions,
        });
    }
    AdvisoryProduct {
        product_id: p.product_id.clone().unwrap_or_default().trim().to_owned(),
        name: p.name.clone().unwrap_or_default().trim().to_owned(),
        keys,
    }
}

fn walk<'a>(
    branch: &'a RawBranch,
    here: &str,
    path: &mut Vec<(&'a str, &'a str)>,
    limits: CsafLimits,
    add: &mut dyn FnMut(AdvisoryProduct, &str) -> Result<(), CsafError>,
) -> Result<(), CsafError> {
    if path.len() >= limits.max_depth {
        return Err(CsafError::TooDeep {
            limit: limits.max_depth,
        });
    }
    let category = branch.category.as_deref().unwrap_or("");
    let name = branch.name.as_deref().unwrap_or("");
    if category.is_empty() || name.is_empty() {
        return Err(CsafError::Field {
            path: format!(
                "{here}/{}",
                if category.is_empty() {
                    "category"
                } else {
                    "name"
                }
            ),
            expected: "required",
        });
    }
    path.push((category, name));
    if let Some(p) = &branch.product {
        add(product_of(p, path), &format!("{here}/product"))?;
    }
    for (i, b) in branch.branches.iter().enumerate() {
        walk(b, &format!("{here}/branches/{i}"), path, limits, add)?;
    }
    path.pop();
    Ok(())
}

/// The ids of the products a document names, as a set (for tests and reports).
pub fn product_ids(advisory: &Advisory) -> HashSet<&str> {
    advisory
        .products
        .iter()
        .map(|p| p.product_id.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rempart_domain::advisory::{match_assets, Component};

    fn shared(name: &str) -> Vec<u8> {
        let path = std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/csaf"
        ))
        .join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    // REQ GMVI-07
    #[test]
    fn cisco_advisory_reads_with_its_tree_and_matches_by_names() {
        let a = read(
            &shared("cisco-sa-20180328-smi2.json"),
            CsafLimits::default(),
        )
        .unwrap();
        assert_eq!(a.tracking_id, "cisco-sa-20180328-smi2");
        assert_eq!(a.publisher, "Cisco PSIRT");
        assert_eq!(a.severity, None);
        assert_eq!(a.effective_severity(), Some(Severity::Critical));
        assert_eq!(a.cves(), vec!["CVE-2018-0171"]);
        // 259 products in known_affected (counted with a JSON query on the file).
        assert_eq!(a.vulnerabilities[0].statuses.len(), 259);
        assert!(a.vulnerabilities[0]
            .statuses
            .iter()
            .all(|(_, s)| *s == ProductStatus::Affected));
        let switch =
            Component::from_identifier("cpe", "cpe:2.3:o:cisco:ios:15.2\\(4\\)e1:*:*:*:*:*:*:*")
                .unwrap();
        let patched =
            Component::from_identifier("cpe", "cpe:2.3:o:cisco:ios:15.2\\(7\\)e:*:*:*:*:*:*:*")
                .unwrap();
        let xe = Component::from_identifier("cpe", "cpe:2.3:o:cisco:ios_xe:16.3.5b:*:*:*:*:*:*:*")
            .unwrap();
        let m = match_assets(
            &a,
            &[
                (1, "switch".into(), switch),
                (2, "patched".into(), patched),
                (3, "xe".into(), xe),
            ],
        );
        assert_eq!(m.len(), 2, "{m:?}");
        assert_eq!(m[0].asset_id, 1);
        assert_eq!(m[0].products, vec!["Cisco IOS 15.2E 15.2(4)E1"]);
        assert_eq!(m[1].asset_id, 3);
        assert_eq!(m[0].status, ProductStatus::Affected);
    }

    // REQ GMVI-07
    #[test]
    fn red_hat_advisory_matches_the_platform_of_its_fixed_packages() {
        let a = read(&shared("rhsa-2022_0011.json"), CsafLimits::default()).unwrap();
        assert_eq!(a.tracking_id, "RHSA-2022:0011");
        assert_eq!(a.cves(), vec!["CVE-2020-10188"]);
        assert_eq!(a.vulnerabilities[0].cwe.as_deref(), Some("CWE-119"));
        // 3 platforms, 7 packages, 15 components of a platform.
        assert_eq!(a.products.len(), 3 + 7 + 15);
        let rhel =
            Component::from_identifier("cpe", "cpe:2.3:o:redhat:rhel_aus:7.6:*:server:*:*:*:*:*")
                .unwrap();
        let m = match_assets(&a, &[(4, "rhel".into(), rhel)]);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].status, ProductStatus::FixAvailable);
        assert_eq!(m[0].product_count, 4, "{:?}", m[0].products);
        assert!(a.vulnerabilities[0].remediation.is_some());
    }

    // The fuzz corpus's hand-made seed: a package URL with a version range, a CPE, and a
    // relationship that puts the package on a platform.
    #[test]
    fn ranges_and_relationships_reach_the_components() {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fuzz/corpus/read_csaf/seed-npm-range-relationship.json"
        ))
        .unwrap();
        let a = read(&bytes, CsafLimits::default()).unwrap();
        assert_eq!(a.severity, Some(Severity::High));
        assert_eq!(
            a.url.as_deref(),
            Some("https://example.org/aq-2026-001.json")
        );
        assert_eq!(a.summary, "Résumé");
        let c = |k: &str, v: &str| Component::from_identifier(k, v).unwrap();
        let m = match_assets(
            &a,
            &[
                (1, "old".into(), c("purl", "pkg:npm/jquery@3.4.1")),
                (2, "fixed".into(), c("purl", "pkg:npm/jquery@3.5.0")),
                (
                    3,
                    "cpe".into(),
                    c("cpe", "cpe:2.3:a:jquery:jquery:3.5.0:*:*:*:*:*:*:*"),
                ),
                (
                    4,
                    "server".into(),
                    c("cpe", "cpe:2.3:o:redhat:rhel_aus:7.6:*:server:*:*:*:*:*"),
                ),
            ],
        );
        let got: Vec<(i64, ProductStatus)> = m.iter().map(|m| (m.asset_id, m.status)).collect();
        assert_eq!(
            got,
            vec![
                (1, ProductStatus::Affected),
                (3, ProductStatus::FixAvailable),
                (4, ProductStatus::Affected),
            ]
        );
        assert_eq!(m[2].products, vec!["jQuery sur serveur"]);
    }

    #[test]
    fn faults_name_the_field() {
        let err = |text: &str| read(text.as_bytes(), CsafLimits::default()).unwrap_err();
        let e = err("{\"document\": {\"csaf_version\": \"1.2\"}}");
        assert_eq!(
            e.message(Language::Fr),
            "champ /document/csaf_version : « 2.0 » attendu (CSAF 2.0)"
        );
        let e = err("{\n  \"document\": [,]\n}");
        assert!(matches!(e, CsafError::Syntax { line: 2, .. }), "{e:?}");
        let doc = r#"{"document": {"category": "csaf_base", "csaf_version": "2.0", "title": "T",
            "publisher": {"name": "P"}, "tracking": {"id": "X", "version": "1",
            "initial_release_date": "2026-01-01", "current_release_date": "2026-01-01"}},
            "vulnerabilities": [{"product_status": {"known_affected": ["NOPE"]}}]}"#;
        let e = err(doc);
        assert_eq!(
            e.message(Language::En),
            "/vulnerabilities/0/product_status/known_affected/0: product \"NOPE\" is not in the product tree"
        );
        let e = err(r#"{"document": {"category": "csaf_base", "csaf_version": "2.0"}}"#);
        assert_eq!(
            e.message(Language::Fr),
            "champ /document/title : obligatoire, absent ou vide"
        );
        let big = vec![b' '; 100];
        let e = read(
            &big,
            CsafLimits {
                max_bytes: 10,
                ..CsafLimits::default()
            },
        )
        .unwrap_err();
        assert!(matches!(e, CsafError::TooLarge { .. }));
    }

    #[test]
    fn relationships_cannot_compound_and_links_are_web_addresses() {
        let mut rels = String::new();
        for i in 1..40 {
            if i > 1 {
                rels.push(',');
            }
            rels.push_str(&format!(
                r#"{{"category": "default_component_of", "full_product_name": {{"name": "R{i}", "product_id": "R{i}"}},
                "product_reference": "R{}", "relates_to_product_reference": "R{}"}}"#,
                i - 1,
                i - 1
            ));
        }
        let doc = format!(
            r#"{{"document": {{"category": "csaf_base", "csaf_version": "2.0", "title": "T",
            "publisher": {{"name": "P"}}, "tracking": {{"id": "X", "version": "1",
            "initial_release_date": "2026-01-01", "current_release_date": "2026-01-01"}},
            "references": [{{"category": "self", "url": "javascript:alert(1)"}}]}},
            "product_tree": {{"full_product_names": [{{"name": "R0", "product_id": "R0",
            "product_identification_helper": {{"cpe": "cpe:2.3:a:x:y:1:*:*:*:*:*:*:*"}}}}],
            "relationships": [{rels}]}}}}"#
        );
        let e = read(doc.as_bytes(), CsafLimits::default()).unwrap_err();
        assert_eq!(
            e,
            CsafError::UnknownProduct {
                path: "/product_tree/relationships/1/product_reference".into(),
                product_id: "R1".into()
            }
        );
        let single = r#"{"document": {"category": "csaf_base", "csaf_version": "2.0", "title": "T",
            "publisher": {"name": "P"}, "tracking": {"id": "X", "version": "1",
            "initial_release_date": "2026-01-01", "current_release_date": "2026-01-01"},
            "references": [{"category": "self", "url": "javascript:alert(1)"}]}}"#;
        assert_eq!(
            read(single.as_bytes(), CsafLimits::default()).unwrap().url,
            None
        );
    }

    #[test]
    fn deep_trees_are_refused() {
        let mut tree = String::from(r#"{"category": "vendor", "name": "v"}"#);
        for _ in 0..40 {
            tree =
                format!(r#"{{"category": "product_family", "name": "f", "branches": [{tree}]}}"#);
        }
        let doc = format!(
            r#"{{"document": {{"category": "csaf_base", "csaf_version": "2.0", "title": "T",
            "publisher": {{"name": "P"}}, "tracking": {{"id": "X", "version": "1",
            "initial_release_date": "2026-01-01", "current_release_date": "2026-01-01"}}}},
            "product_tree": {{"branches": [{tree}]}}}}"#
        );
        let e = read(doc.as_bytes(), CsafLimits::default()).unwrap_err();
        assert_eq!(e, CsafError::TooDeep { limit: 30 });
        // Beyond serde_json's own bound, a syntax error, never a stack overflow.
        let deep = "[".repeat(100_000);
        assert!(matches!(
            read(deep.as_bytes(), CsafLimits::default()),
            Err(CsafError::Syntax { .. })
        ));
    }
}
