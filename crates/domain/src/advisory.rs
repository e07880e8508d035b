//! Security advisories (GMVI-07): which assets a vendor's or a CERT's advisory concerns.
//!
//! An advisory names products (by CPE, by package URL, or by vendor, product and version as
//! CSAF's product tree spells them) and, per vulnerability, each product's status. An asset
//! names its software components by CPE 2.3 and package URL (its identifiers). Matching is
//! pure: the CSAF reader and the manual form build an [`Advisory`]; storage hands in the
//! components and records what [`match_assets`] returns.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::cvss::Severity;

/// What an advisory says of a product for one vulnerability. The order is the urgency: an
/// asset matched by several products keeps the most urgent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductStatus {
    /// A fixed version exists (`fixed`, `first_fixed`, `recommended`): the asset must run it.
    FixAvailable,
    /// The vendor is still looking (`under_investigation`).
    UnderInvestigation,
    /// Known affected (`known_affected`, `first_affected`, `last_affected`).
    Affected,
}

impl ProductStatus {
    pub const ALL: [ProductStatus; 3] = [
        ProductStatus::Affected,
        ProductStatus::UnderInvestigation,
        ProductStatus::FixAvailable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProductStatus::FixAvailable => "fix_available",
            ProductStatus::UnderInvestigation => "under_investigation",
            ProductStatus::Affected => "affected",
        }
    }

    pub fn parse(text: &str) -> Option<ProductStatus> {
        ProductStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The status a CSAF `product_status` list gives; `None` for `known_not_affected` and
    /// anything unknown (a product not affected concerns nobody).
    pub fn from_csaf(list: &str) -> Option<ProductStatus> {
        match list {
            "known_affected" | "first_affected" | "last_affected" => Some(ProductStatus::Affected),
            "under_investigation" => Some(ProductStatus::UnderInvestigation),
            "fixed" | "first_fixed" | "recommended" => Some(ProductStatus::FixAvailable),
            _ => None,
        }
    }
}

/// A CPE name, 2.2 URI (`cpe:/o:redhat:rhel_aus:7.6::server`) or 2.3 formatted string
/// (`cpe:2.3:o:cisco:ios:15.2\(4\)e1:*:…`), lower-cased and unescaped; `None` is ANY (`*`,
/// empty, or `-` taken as ANY too: an asset that says "no version" is not proven safe).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cpe {
    pub part: String,
    pub vendor: String,
    pub product: String,
    pub version: Option<String>,
    pub update: Option<String>,
    pub edition: Option<String>,
}

impl Cpe {
    pub fn parse(text: &str) -> Option<Cpe> {
        let text = text.trim();
        let fields: Vec<String> = if let Some(rest) = text.strip_prefix("cpe:2.3:") {
            crate::asset::split_cpe(rest)
        } else if let Some(rest) = text.strip_prefix("cpe:/") {
            rest.split(':').map(percent_decode).collect()
        } else {
            return None;
        };
        let field = |i: usize| -> Option<String> {
            let v = unescape(fields.get(i)?).to_lowercase();
            (!matches!(v.as_str(), "" | "*" | "-")).then_some(v)
        };
        let cpe = Cpe {
            part: field(0)?,
            vendor: field(1)?,
            product: field(2)?,
            version: field(3),
            update: field(4),
            edition: field(5),
        };
        matches!(cpe.part.as_str(), "a" | "o" | "h").then_some(cpe)
    }

    /// Whether the asset's CPE is one the advisory's names: same part, vendor and product, and
    /// every attribute the advisory sets equal where the asset sets it too.
    pub fn covers(&self, asset: &Cpe) -> bool {
        fn attr(advisory: &Option<String>, asset: &Option<String>) -> bool {
            match (advisory, asset) {
                (Some(a), Some(b)) => a == b || compare_versions(a, b) == Ordering::Equal,
                _ => true,
            }
        }
        self.part == asset.part
            && self.vendor == asset.vendor
            && self.product == asset.product
            && attr(&self.version, &asset.version)
            && attr(&self.update, &asset.update)
            && attr(&self.edition, &asset.edition)
    }
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn percent_decode(text: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A package URL (`pkg:type/namespace/name@version?qualifiers#subpath`): type, namespace and
/// name lower-cased for comparison, the version kept as written (decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purl {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub version: Option<String>,
}

impl Purl {
    pub fn parse(text: &str) -> Option<Purl> {
        let rest = text.trim().strip_prefix("pkg:")?;
        let rest = rest.split('#').next().unwrap_or("");
        let rest = rest.split('?').next().unwrap_or("");
        let (path, version) = match rest.rsplit_once('@') {
            Some((p, v)) if !v.contains('/') => (p, Some(percent_decode(v))),
            _ => (rest, None),
        };
        let (kind, path) = path.split_once('/')?;
        let path = path.trim_matches('/');
        let (namespace, name) = match path.rsplit_once('/') {
            Some((ns, n)) => (Some(percent_decode(ns).to_lowercase()), n),
            None => (None, path),
        };
        let name = percent_decode(name).to_lowercase();
        if kind.is_empty() || name.is_empty() {
            return None;
        }
        Some(Purl {
            kind: kind.to_ascii_lowercase(),
            namespace,
            name,
            version: version.filter(|v| !v.is_empty()),
        })
    }
}

/// One bound of a version range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparator {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

/// The versions a product entry stands for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum VersionSpec {
    /// Every version: the entry names the product only.
    #[default]
    Any,
    Exact(String),
    /// A range as CSAF's `product_version_range` writes it: a `vers:` URI
    /// (`vers:semver/>=1.2.0|<1.4.3`) or plain comparators (`>= 1.2, < 2.0`, `<=4.1.2`).
    Range(Vec<(Comparator, String)>),
}

impl VersionSpec {
    /// A range, or `None` when the text holds no comparator we can read (the entry then
    /// cannot match by version, rather than match everything).
    pub fn parse_range(text: &str) -> Option<VersionSpec> {
        let text = text.trim();
        let body = match text.strip_prefix("vers:") {
            Some(rest) => rest.split_once('/')?.1,
            None => text,
        };
        let mut bounds = Vec::new();
        for part in body.split(['|', ',']) {
            let part = part.trim();
            if part.is_empty() || part == "*" {
                continue;
            }
            let (op, version) = if let Some(v) = part.strip_prefix(">=") {
                (Comparator::Ge, v)
            } else if let Some(v) = part.strip_prefix("<=") {
                (Comparator::Le, v)
            } else if let Some(v) = part.strip_prefix("!=") {
                (Comparator::Ne, v)
            } else if let Some(v) = part.strip_prefix('>') {
                (Comparator::Gt, v)
            } else if let Some(v) = part.strip_prefix('<') {
                (Comparator::Lt, v)
            } else if let Some(v) = part.strip_prefix('=') {
                (Comparator::Eq, v)
            } else {
                (Comparator::Eq, part)
            };
            let version = version.trim();
            if version.is_empty() {
                return None;
            }
            bounds.push((op, version.to_lowercase()));
        }
        (!bounds.is_empty()).then_some(VersionSpec::Range(bounds))
    }

    /// Whether `version` is one of these. A `vers` range lists equalities as alternatives and
    /// bounds that must all hold; `!=` excludes.
    pub fn contains(&self, version: &str) -> bool {
        let version = version.to_lowercase();
        match self {
            VersionSpec::Any => true,
            VersionSpec::Exact(v) => compare_versions(v, &version) == Ordering::Equal,
            VersionSpec::Range(bounds) => {
                let cmp = |v: &str| compare_versions(&version, v);
                if bounds
                    .iter()
                    .any(|(op, v)| *op == Comparator::Ne && cmp(v) == Ordering::Equal)
                {
                    return false;
                }
                if bounds
                    .iter()
                    .any(|(op, v)| *op == Comparator::Eq && cmp(v) == Ordering::Equal)
                {
                    return true;
                }
                let ranged: Vec<_> = bounds
                    .iter()
                    .filter(|(op, _)| !matches!(op, Comparator::Eq | Comparator::Ne))
                    .collect();
                !ranged.is_empty()
                    && ranged.iter().all(|(op, v)| match op {
                        Comparator::Lt => cmp(v) == Ordering::Less,
                        Comparator::Le => cmp(v) != Ordering::Greater,
                        Comparator::Gt => cmp(v) == Ordering::Greater,
                        Comparator::Ge => cmp(v) != Ordering::Less,
                        Comparator::Eq | Comparator::Ne => true,
                    })
            }
        }
    }
}

/// Orders two versions as vendors write them (`15.2(4)E1`, `1:0.17-65.el7_6`, `2.4.58`):
/// runs of digits compare as numbers, runs of letters as text (case ignored), separators
/// only separate; a version that is a prefix of the other is the lower.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    let ta = version_tokens(a);
    let tb = version_tokens(b);
    for (x, y) in ta.iter().zip(tb.iter()) {
        let o = match (x.parse::<u128>(), y.parse::<u128>()) {
            (Ok(m), Ok(n)) => m.cmp(&n),
            (Ok(_), Err(_)) => Ordering::Greater,
            (Err(_), Ok(_)) => Ordering::Less,
            (Err(_), Err(_)) => x.cmp(y),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    ta.len().cmp(&tb.len())
}

fn version_tokens(v: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut digits = false;
    for c in v.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            let d = c.is_ascii_digit();
            if !current.is_empty() && d != digits {
                out.push(std::mem::take(&mut current));
            }
            digits = d;
            current.push(c);
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    // Leading zeros mean nothing in a number; "07" is 7.
    out.into_iter()
        .map(|t| {
            if t.chars().all(|c| c.is_ascii_digit()) && t.len() > 1 {
                let trimmed = t.trim_start_matches('0');
                if trimmed.is_empty() {
                    "0".to_owned()
                } else {
                    trimmed.to_owned()
                }
            } else {
                t
            }
        })
        .collect()
}

/// How an advisory recognizes a product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProductKey {
    Cpe(Cpe),
    /// A package URL; its version, when set, is exact, and `range` may widen it.
    Purl {
        purl: Purl,
        range: VersionSpec,
    },
    /// Names from a CSAF product tree's branches: vendor, product and the versions.
    Named {
        vendor: String,
        product: String,
        versions: VersionSpec,
    },
}

/// A product of an advisory: its id in the document, its full name and how to recognize it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdvisoryProduct {
    pub product_id: String,
    pub name: String,
    pub keys: Vec<ProductKey>,
}

/// One vulnerability of an advisory and each product's status for it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AdvisoryVulnerability {
    pub cve: Option<String>,
    pub title: Option<String>,
    pub cwe: Option<String>,
    pub cvss_vector: Option<String>,
    pub statuses: Vec<(String, ProductStatus)>,
    /// The remedy the document gives, first of its remediations (vendor fix, workaround…).
    pub remediation: Option<String>,
}

/// An advisory as read (CSAF) or recorded by hand.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Advisory {
    pub tracking_id: String,
    pub version: String,
    pub title: String,
    pub publisher: String,
    pub category: String,
    pub severity: Option<Severity>,
    pub summary: String,
    pub url: Option<String>,
    pub initial_release: Option<String>,
    pub current_release: Option<String>,
    pub products: Vec<AdvisoryProduct>,
    pub vulnerabilities: Vec<AdvisoryVulnerability>,
}

impl Advisory {
    /// The CVEs it deals with, sorted, each once.
    pub fn cves(&self) -> Vec<String> {
        let set: BTreeSet<&String> = self
            .vulnerabilities
            .iter()
            .filter_map(|v| v.cve.as_ref())
            .collect();
        set.into_iter().cloned().collect()
    }

    /// Its severity: the one the publisher gave, else that of its highest CVSS score.
    pub fn effective_severity(&self) -> Option<Severity> {
        self.severity.or_else(|| {
            self.vulnerabilities
                .iter()
                .filter_map(|v| v.cvss_vector.as_deref())
                .filter_map(|v| crate::cvss::score(v).ok())
                .map(|s| s.severity)
                .max()
        })
    }
}

/// A software component an asset declares (its CPE and package URL identifiers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Component {
    Cpe(Cpe),
    Purl(Purl),
}

impl Component {
    /// The component an identifier names, when it is a CPE or a package URL.
    pub fn from_identifier(kind: &str, value: &str) -> Option<Component> {
        match kind {
            "cpe" => Cpe::parse(value).map(Component::Cpe),
            "purl" => Purl::parse(value).map(Component::Purl),
            _ => None,
        }
    }
}

/// Lower-cases and joins words with `_`, as CPE dictionaries write names ("Cisco IOS XE
/// Software" → "cisco_ios_xe_software").
fn cpe_word(text: &str) -> String {
    text.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join("_")
}

impl ProductKey {
    /// Whether the key names this component.
    pub fn matches(&self, component: &Component) -> bool {
        match (self, component) {
            (ProductKey::Cpe(advisory), Component::Cpe(asset)) => advisory.covers(asset),
            (ProductKey::Purl { purl, range }, Component::Purl(asset)) => {
                purl.kind == asset.kind
                    && purl.namespace == asset.namespace
                    && purl.name == asset.name
                    && match (&purl.version, &asset.version) {
                        (_, None) => true,
                        (Some(v), Some(a)) => {
                            compare_versions(v, a) == Ordering::Equal || range_holds(range, a)
                        }
                        (None, Some(a)) => range.contains(a),
                    }
            }
            (
                ProductKey::Named {
                    vendor,
                    product,
                    versions,
                },
                Component::Cpe(asset),
            ) => {
                let vendor = cpe_word(vendor);
                let product = cpe_word(product);
                // "Cisco IOS XE Software" is cisco:ios_xe in the CPE dictionary.
                let short = product
                    .strip_prefix(&format!("{vendor}_"))
                    .unwrap_or(&product);
                let short = short.strip_suffix("_software").unwrap_or(short);
                asset.vendor == vendor
                    && (asset.product == product || asset.product == short)
                    && asset
                        .version
                        .as_deref()
                        .is_none_or(|v| versions.contains(v))
            }
            _ => false,
        }
    }
}

fn range_holds(range: &VersionSpec, version: &str) -> bool {
    !matches!(range, VersionSpec::Any) && range.contains(version)
}

/// What an advisory says of one asset: the most urgent status over the products that name
/// one of its components, those products (first ones by name), the CVEs and the component
/// that matched first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssetMatch {
    pub asset_id: i64,
    pub status: ProductStatus,
    pub products: Vec<String>,
    pub product_count: usize,
    pub cves: Vec<String>,
    pub matched_on: String,
}

/// How many product names a match keeps; the count says how many there were.
pub const PRODUCTS_KEPT: usize = 20;

/// The assets the advisory concerns, by asset id, among `components` (asset id, identifier as
/// written, component).
pub fn match_assets(
    advisory: &Advisory,
    components: &[(i64, String, Component)],
) -> Vec<AssetMatch> {
    // Each product's most urgent status and its CVEs.
    let mut product_status: BTreeMap<&str, (ProductStatus, BTreeSet<&str>)> = BTreeMap::new();
    for v in &advisory.vulnerabilities {
        for (id, status) in &v.statuses {
            let entry = product_status
                .entry(id.as_str())
                .or_insert((*status, BTreeSet::new()));
            entry.0 = entry.0.max(*status);
            if let Some(cve) = &v.cve {
                entry.1.insert(cve.as_str());
            }
        }
    }
    struct Acc<'a> {
        status: ProductStatus,
        products: BTreeSet<&'a str>,
        cves: BTreeSet<&'a str>,
        matched_on: &'a str,
    }
    let mut by_asset: BTreeMap<i64, Acc> = BTreeMap::new();
    for product in &advisory.products {
        let Some((status, cves)) = product_status.get(product.product_id.as_str()) else {
            continue;
        };
        for (asset_id, identifier, component) in components {
            if product.keys.iter().any(|k| k.matches(component)) {
                let acc = by_asset.entry(*asset_id).or_insert_with(|| Acc {
                    status: *status,
                    products: BTreeSet::new(),
                    cves: BTreeSet::new(),
                    matched_on: identifier,
                });
                acc.status = acc.status.max(*status);
                acc.products.insert(product.name.as_str());
                acc.cves.extend(cves.iter().copied());
            }
        }
    }
    by_asset
        .into_iter()
        .map(|(asset_id, acc)| AssetMatch {
            asset_id,
            status: acc.status,
            product_count: acc.products.len(),
            products: acc
                .products
                .into_iter()
                .take(PRODUCTS_KEPT)
                .map(str::to_owned)
                .collect(),
            cves: acc.cves.into_iter().map(str::to_owned).collect(),
            matched_on: acc.matched_on.to_owned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cpe(s: &str) -> Component {
        Component::Cpe(Cpe::parse(s).unwrap())
    }

    #[test]
    fn cpe_22_and_23_read_alike() {
        let a = Cpe::parse("cpe:/o:redhat:rhel_aus:7.6::server").unwrap();
        assert_eq!(a.vendor, "redhat");
        assert_eq!(a.version.as_deref(), Some("7.6"));
        assert_eq!(a.update, None);
        assert_eq!(a.edition.as_deref(), Some("server"));
        let b = Cpe::parse("cpe:2.3:o:cisco:ios:15.2\\(4\\)e1:*:*:*:*:*:*:*").unwrap();
        assert_eq!(b.version.as_deref(), Some("15.2(4)e1"));
        assert!(Cpe::parse("cpe:2.3:x:cisco:ios").is_none());
        assert!(Cpe::parse("not a cpe").is_none());
        assert!(Cpe::parse("cpe:/a").is_none());
    }

    #[test]
    fn cpe_coverage_needs_every_attribute_the_advisory_sets() {
        let adv = Cpe::parse("cpe:/o:redhat:rhel_aus:7.6::server").unwrap();
        let Component::Cpe(same) = cpe("cpe:2.3:o:redhat:rhel_aus:7.6:*:server:*:*:*:*:*") else {
            unreachable!()
        };
        let Component::Cpe(other) = cpe("cpe:2.3:o:redhat:rhel_aus:7.7:*:server:*:*:*:*:*") else {
            unreachable!()
        };
        let Component::Cpe(any) = cpe("cpe:2.3:o:redhat:rhel_aus:*:*:*:*:*:*:*:*") else {
            unreachable!()
        };
        assert!(adv.covers(&same));
        assert!(!adv.covers(&other));
        assert!(
            adv.covers(&any),
            "an asset without a version is not proven safe"
        );
    }

    #[test]
    fn versions_order_as_vendors_write_them() {
        use Ordering::*;
        assert_eq!(compare_versions("15.2(4)E1", "15.2(4)e1"), Equal);
        assert_eq!(compare_versions("15.2(4)E1", "15.2(4)E10"), Less);
        assert_eq!(compare_versions("2.4.9", "2.4.58"), Less);
        assert_eq!(compare_versions("1.0", "1.0.1"), Less);
        assert_eq!(
            compare_versions("1:0.17-65.el7_6", "1:0.17-64.el7"),
            Greater
        );
        assert_eq!(compare_versions("1.07", "1.7"), Equal);
        assert_eq!(compare_versions("1.0a", "1.0"), Greater);
    }

    #[test]
    fn ranges_in_vers_and_plain_forms() {
        let r = VersionSpec::parse_range("vers:semver/>=1.2.0|<1.4.3").unwrap();
        assert!(r.contains("1.2.0"));
        assert!(r.contains("1.4.2"));
        assert!(!r.contains("1.4.3"));
        assert!(!r.contains("1.1.9"));
        let r = VersionSpec::parse_range("<= 4.1.2").unwrap();
        assert!(r.contains("4.1.2") && r.contains("3") && !r.contains("4.1.3"));
        let r = VersionSpec::parse_range("vers:generic/1.0|2.0").unwrap();
        assert!(r.contains("2.0") && !r.contains("1.5"));
        let r = VersionSpec::parse_range("vers:npm/>=1.0|!=1.5|<2").unwrap();
        assert!(r.contains("1.4") && !r.contains("1.5"));
        assert!(VersionSpec::parse_range("vers:npm/").is_none());
        assert!(VersionSpec::parse_range("<").is_none());
    }

    #[test]
    fn purl_versions_and_ranges() {
        let p = Purl::parse("pkg:npm/%40angular/core@12.0.1?x=1#y").unwrap();
        assert_eq!(p.namespace.as_deref(), Some("@angular"));
        assert_eq!(p.name, "core");
        assert_eq!(p.version.as_deref(), Some("12.0.1"));
        let key = ProductKey::Purl {
            purl: Purl::parse("pkg:npm/%40angular/core").unwrap(),
            range: VersionSpec::parse_range("vers:npm/>=12.0.0|<12.2.0").unwrap(),
        };
        assert!(key.matches(&Component::Purl(p)));
        let newer = Purl::parse("pkg:npm/@angular/core@12.2.0").unwrap();
        assert!(!key.matches(&Component::Purl(newer)));
        let other = Purl::parse("pkg:npm/@angular/common@12.0.1").unwrap();
        assert!(!key.matches(&Component::Purl(other)));
    }

    #[test]
    fn names_from_a_product_tree_match_the_dictionary_names() {
        let key = ProductKey::Named {
            vendor: "Cisco".into(),
            product: "Cisco IOS XE Software".into(),
            versions: VersionSpec::Exact("3.6.5E".into()),
        };
        assert!(key.matches(&cpe("cpe:2.3:o:cisco:ios_xe:3.6.5e:*:*:*:*:*:*:*")));
        assert!(!key.matches(&cpe("cpe:2.3:o:cisco:ios_xe:3.6.6e:*:*:*:*:*:*:*")));
        assert!(!key.matches(&cpe("cpe:2.3:o:juniper:ios_xe:3.6.5e:*:*:*:*:*:*:*")));
    }

    #[test]
    fn an_asset_keeps_its_most_urgent_status_and_every_cve() {
        let adv = Advisory {
            products: vec![
                AdvisoryProduct {
                    product_id: "P1".into(),
                    name: "Produit 1.0".into(),
                    keys: vec![ProductKey::Cpe(
                        Cpe::parse("cpe:2.3:a:acme:web:1.0:*:*:*:*:*:*:*").unwrap(),
                    )],
                },
                AdvisoryProduct {
                    product_id: "P2".into(),
                    name: "Produit 2.0".into(),
                    keys: vec![ProductKey::Cpe(
                        Cpe::parse("cpe:2.3:a:acme:web:2.0:*:*:*:*:*:*:*").unwrap(),
                    )],
                },
            ],
            vulnerabilities: vec![
                AdvisoryVulnerability {
                    cve: Some("CVE-2026-0002".into()),
                    statuses: vec![("P2".into(), ProductStatus::FixAvailable)],
                    ..Default::default()
                },
                AdvisoryVulnerability {
                    cve: Some("CVE-2026-0001".into()),
                    statuses: vec![("P1".into(), ProductStatus::Affected)],
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let comps = vec![
            (
                7,
                "cpe:2.3:a:acme:web:*:*:*:*:*:*:*:*".to_owned(),
                cpe("cpe:2.3:a:acme:web:*:*:*:*:*:*:*:*"),
            ),
            (
                8,
                "cpe:2.3:a:acme:web:2.0:*:*:*:*:*:*:*".to_owned(),
                cpe("cpe:2.3:a:acme:web:2.0:*:*:*:*:*:*:*"),
            ),
            (
                9,
                "cpe:2.3:a:acme:web:3.0:*:*:*:*:*:*:*".to_owned(),
                cpe("cpe:2.3:a:acme:web:3.0:*:*:*:*:*:*:*"),
            ),
        ];
        let m = match_assets(&adv, &comps);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].asset_id, 7);
        assert_eq!(m[0].status, ProductStatus::Affected);
        assert_eq!(m[0].cves, vec!["CVE-2026-0001", "CVE-2026-0002"]);
        assert_eq!(m[0].product_count, 2);
        assert_eq!(m[1].asset_id, 8);
        assert_eq!(m[1].status, ProductStatus::FixAvailable);
        assert_eq!(adv.cves(), vec!["CVE-2026-0001", "CVE-2026-0002"]);
    }
}
