//! Information assets (ASSET-01): what they are, where they are hosted, what personal
//! information they hold, what they run on, and how scanner findings will recognize them
//! (host names, addresses, components). The rules here are about one asset; its classification
//! is in [`crate::classification`].

use std::net::IpAddr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::validation::{FieldError, ValidationErrors};

/// The kinds of information asset of the framework (seed 000, "actif informationnel").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssetKind {
    InformationBank,
    InformationSystem,
    TelecomNetwork,
    TechnologicalInfrastructure,
    MedicalEquipmentComponent,
    PaperMedia,
}

impl AssetKind {
    pub const ALL: [AssetKind; 6] = [
        AssetKind::InformationBank,
        AssetKind::InformationSystem,
        AssetKind::TelecomNetwork,
        AssetKind::TechnologicalInfrastructure,
        AssetKind::MedicalEquipmentComponent,
        AssetKind::PaperMedia,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AssetKind::InformationBank => "information_bank",
            AssetKind::InformationSystem => "information_system",
            AssetKind::TelecomNetwork => "telecom_network",
            AssetKind::TechnologicalInfrastructure => "technological_infrastructure",
            AssetKind::MedicalEquipmentComponent => "medical_equipment_component",
            AssetKind::PaperMedia => "paper_media",
        }
    }

    pub fn parse(field: &str, value: &str) -> Result<AssetKind, FieldError> {
        AssetKind::ALL
            .into_iter()
            .find(|k| k.as_str() == value.trim())
            .ok_or_else(|| FieldError::new(field, "error-choice"))
    }
}

/// Where an asset's data lives (seed 001, volet 2, CS-12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HostingKind {
    /// The organization's own data centre.
    OwnDataCentre,
    /// The government's cloud (the broker's offers hosted by the State).
    GovernmentCloud,
    /// An external cloud provider, with its hosting locations.
    ExternalCloud,
    /// The organization's premises: paper records, equipment in a clinic.
    Premises,
}

impl HostingKind {
    pub const ALL: [HostingKind; 4] = [
        HostingKind::OwnDataCentre,
        HostingKind::GovernmentCloud,
        HostingKind::ExternalCloud,
        HostingKind::Premises,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HostingKind::OwnDataCentre => "own_data_centre",
            HostingKind::GovernmentCloud => "government_cloud",
            HostingKind::ExternalCloud => "external_cloud",
            HostingKind::Premises => "premises",
        }
    }

    pub fn parse(field: &str, value: &str) -> Result<HostingKind, FieldError> {
        HostingKind::ALL
            .into_iter()
            .find(|k| k.as_str() == value.trim())
            .ok_or_else(|| FieldError::new(field, "error-choice"))
    }
}

/// The hosting of an asset, checked as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hosting {
    pub kind: HostingKind,
    /// The provider of an external cloud.
    pub provider: String,
    /// Places where the data is kept ("Montréal", "Toronto", "Virginie (É.-U.)").
    pub locations: Vec<String>,
    /// Whether any of the data is kept outside Québec: a communication outside Québec needs a
    /// privacy impact assessment first (Act respecting access, s. 70.1).
    pub outside_quebec: bool,
}

impl Hosting {
    /// An external cloud names its provider and at least one location; the other kinds need
    /// neither. Locations are trimmed, deduplicated, each at most 100 characters, at most 20.
    pub fn check(mut self) -> Result<Hosting, FieldError> {
        let mut locations: Vec<String> = Vec::new();
        for l in &self.locations {
            let l = l.trim();
            if l.is_empty() {
                continue;
            }
            if l.chars().count() > 100 {
                return Err(FieldError::with_limit(
                    "hosting_locations",
                    "error-too-long",
                    100,
                ));
            }
            if !locations.iter().any(|x| x.eq_ignore_ascii_case(l)) {
                locations.push(l.to_owned());
            }
        }
        if locations.len() > 20 {
            return Err(FieldError::with_limit(
                "hosting_locations",
                "error-too-many",
                20,
            ));
        }
        self.locations = locations;
        self.provider = self.provider.trim().to_owned();
        if self.provider.chars().count() > 200 {
            return Err(FieldError::with_limit(
                "hosting_provider",
                "error-too-long",
                200,
            ));
        }
        if self.kind == HostingKind::ExternalCloud {
            if self.provider.is_empty() {
                return Err(FieldError::new("hosting_provider", "error-required"));
            }
            if self.locations.is_empty() {
                return Err(FieldError::new("hosting_locations", "error-required"));
            }
        }
        Ok(self)
    }
}

/// Personal information an asset holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PersonalInformation {
    pub held: bool,
    /// Sensitive personal information (health, biometric, financial…): only meaningful when
    /// held.
    pub sensitive: bool,
}

impl PersonalInformation {
    pub fn new(held: bool, sensitive: bool) -> PersonalInformation {
        // Sensitive information is personal information: ticking "sensitive" alone says both.
        PersonalInformation {
            held: held || sensitive,
            sensitive,
        }
    }
}

/// How a scanner finding or an advisory will recognize an asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentifierKind {
    /// A host name without its domain (`srv-paie-01`).
    Hostname,
    /// A fully qualified domain name (`paie.mfr.gouv.qc.ca`).
    Fqdn,
    /// One IPv4 or IPv6 address.
    Ip,
    /// A range in CIDR notation (`10.12.0.0/16`).
    IpRange,
    /// A CPE 2.3 name of a software or hardware component.
    Cpe,
    /// A package URL of a software component (`pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1`).
    Purl,
}

impl IdentifierKind {
    pub const ALL: [IdentifierKind; 6] = [
        IdentifierKind::Hostname,
        IdentifierKind::Fqdn,
        IdentifierKind::Ip,
        IdentifierKind::IpRange,
        IdentifierKind::Cpe,
        IdentifierKind::Purl,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IdentifierKind::Hostname => "hostname",
            IdentifierKind::Fqdn => "fqdn",
            IdentifierKind::Ip => "ip",
            IdentifierKind::IpRange => "ip_range",
            IdentifierKind::Cpe => "cpe",
            IdentifierKind::Purl => "purl",
        }
    }

    pub fn parse(field: &str, value: &str) -> Result<IdentifierKind, FieldError> {
        IdentifierKind::ALL
            .into_iter()
            .find(|k| k.as_str() == value.trim())
            .ok_or_else(|| FieldError::new(field, "error-choice"))
    }
}

/// One identifier, normalized so that the same host written two ways matches once.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Identifier {
    pub kind: IdentifierKind,
    pub value: String,
}

fn dns_label_ok(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 63
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl Identifier {
    /// The identifier a scanner's machine key stands for (an address, a fully qualified name
    /// or a host name), so that an asset given it is matched by the next scans; `None` for a
    /// key that is none of these (an image or a repository a scanner names).
    pub fn for_scanned_host(key: &str) -> Option<Identifier> {
        [
            IdentifierKind::Ip,
            IdentifierKind::Fqdn,
            IdentifierKind::Hostname,
        ]
        .into_iter()
        .find_map(|kind| Identifier::parse("host_key", kind, key).ok())
    }

    /// Checks and normalizes an identifier: names lowercased, addresses in their canonical
    /// form, a range reduced to its network address.
    pub fn parse(field: &str, kind: IdentifierKind, value: &str) -> Result<Identifier, FieldError> {
        let value = value.trim();
        let bad = || FieldError::new(field, "error-identifier");
        if value.is_empty() || value.len() > 512 {
            return Err(bad());
        }
        let normalized = match kind {
            IdentifierKind::Hostname => {
                let v = value.to_ascii_lowercase();
                if !dns_label_ok(&v) {
                    return Err(bad());
                }
                v
            }
            IdentifierKind::Fqdn => {
                let v = value.trim_end_matches('.').to_ascii_lowercase();
                let labels: Vec<&str> = v.split('.').collect();
                if v.len() > 253 || labels.len() < 2 || !labels.iter().all(|l| dns_label_ok(l)) {
                    return Err(bad());
                }
                v
            }
            IdentifierKind::Ip => value.parse::<IpAddr>().map_err(|_| bad())?.to_string(),
            IdentifierKind::IpRange => {
                let (address, prefix) = value.split_once('/').ok_or_else(bad)?;
                let address: IpAddr = address.parse().map_err(|_| bad())?;
                let prefix: u8 = prefix.parse().map_err(|_| bad())?;
                network_of(address, prefix).ok_or_else(bad)?
            }
            IdentifierKind::Cpe => {
                // CPE 2.3 formatted string: "cpe:2.3:" then 11 components, part a, o or h.
                let parts = split_cpe(value);
                if parts.len() != 13
                    || parts[0] != "cpe"
                    || parts[1] != "2.3"
                    || !matches!(parts[2].as_str(), "a" | "o" | "h")
                    || parts[3].is_empty()
                    || parts[4].is_empty()
                {
                    return Err(bad());
                }
                value.to_owned()
            }
            IdentifierKind::Purl => {
                // pkg:type/[namespace/]name[@version][?qualifiers][#subpath]
                let rest = value.strip_prefix("pkg:").ok_or_else(bad)?;
                let (purl_type, path) = rest.split_once('/').ok_or_else(bad)?;
                let path = path.split(['?', '#']).next().unwrap_or("");
                let name = path.rsplit('/').next().unwrap_or("");
                let name = name.split('@').next().unwrap_or("");
                if purl_type.is_empty()
                    || !purl_type
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-'))
                    || name.is_empty()
                {
                    return Err(bad());
                }
                format!(
                    "pkg:{}/{}",
                    purl_type.to_ascii_lowercase(),
                    &rest[purl_type.len() + 1..]
                )
            }
        };
        Ok(Identifier {
            kind,
            value: normalized,
        })
    }
}

impl Identifier {
    /// Recognizes the kind of an identifier written alone, as people paste them: a package
    /// URL, a CPE name, an address, a range, a dotted name, else a host name. `kind:value`
    /// forces the kind (`hostname:intranet`).
    pub fn detect(field: &str, value: &str) -> Result<Identifier, FieldError> {
        let value = value.trim();
        if let Some((prefix, rest)) = value.split_once(':') {
            if let Ok(kind) = IdentifierKind::parse(field, prefix) {
                // "cpe:2.3:…" and "pkg:…" begin like a tag and are not one: read them as
                // untagged when the tagged reading fails.
                if let Ok(identifier) = Identifier::parse(field, kind, rest) {
                    return Ok(identifier);
                }
            }
        }
        let kind = if value.starts_with("pkg:") {
            IdentifierKind::Purl
        } else if value.starts_with("cpe:") {
            IdentifierKind::Cpe
        } else if value.contains('/') {
            IdentifierKind::IpRange
        } else if value.parse::<IpAddr>().is_ok() {
            IdentifierKind::Ip
        } else if value.contains('.') {
            IdentifierKind::Fqdn
        } else {
            IdentifierKind::Hostname
        };
        Identifier::parse(field, kind, value)
    }

    /// `kind:value`, the form [`Identifier::detect`] reads back whatever the value.
    pub fn to_tagged(&self) -> String {
        format!("{}:{}", self.kind.as_str(), self.value)
    }
}

/// Splits a CPE 2.3 formatted string on its unescaped colons.
pub(crate) fn split_cpe(value: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut escaped = false;
    for c in value.chars() {
        if escaped {
            current.push(c);
            escaped = false;
        } else if c == '\\' {
            current.push(c);
            escaped = true;
        } else if c == ':' {
            parts.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    parts.push(current);
    parts
}

/// The network address of a range, in `address/prefix` form; `None` for a prefix too long.
fn network_of(address: IpAddr, prefix: u8) -> Option<String> {
    match address {
        IpAddr::V4(v4) => {
            if prefix > 32 {
                return None;
            }
            let mask = if prefix == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(prefix))
            };
            let net = std::net::Ipv4Addr::from(u32::from(v4) & mask);
            Some(format!("{net}/{prefix}"))
        }
        IpAddr::V6(v6) => {
            if prefix > 128 {
                return None;
            }
            let mask = if prefix == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(prefix))
            };
            let net = std::net::Ipv6Addr::from(u128::from(v6) & mask);
            Some(format!("{net}/{prefix}"))
        }
    }
}

/// An address range as identifiers write it (`10.10.0.0/16`), to find the asset a scanned
/// address belongs to when no identifier names the address itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    network: IpAddr,
    prefix: u8,
}

impl IpRange {
    pub fn parse(text: &str) -> Option<IpRange> {
        let (address, prefix) = text.trim().split_once('/')?;
        let network: IpAddr = address.parse().ok()?;
        let prefix: u8 = prefix.parse().ok()?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        (prefix <= max).then_some(IpRange { network, prefix })
    }

    pub fn prefix(self) -> u8 {
        self.prefix
    }

    /// Whether `address` is in the range (an IPv4 address never in an IPv6 range).
    pub fn contains(self, address: IpAddr) -> bool {
        match (self.network, address) {
            (IpAddr::V4(net), IpAddr::V4(a)) => {
                let mask = if self.prefix == 0 {
                    0
                } else {
                    u32::MAX << (32 - u32::from(self.prefix))
                };
                u32::from(net) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(a)) => {
                let mask = if self.prefix == 0 {
                    0
                } else {
                    u128::MAX << (128 - u32::from(self.prefix))
                };
                u128::from(net) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// Among `ranges` (range, asset), the asset of the narrowest range holding `address`.
pub fn asset_in_ranges(ranges: &[(IpRange, i64)], address: IpAddr) -> Option<i64> {
    ranges
        .iter()
        .filter(|(r, _)| r.contains(address))
        .max_by_key(|(r, id)| (r.prefix, std::cmp::Reverse(*id)))
        .map(|(_, id)| *id)
}

/// What a new or changed asset says; checked by [`AssetInput::check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetInput {
    pub org_id: i64,
    pub kind: AssetKind,
    pub name: String,
    pub description: String,
    pub holder_id: i64,
    pub hosting: Hosting,
    pub personal: PersonalInformation,
    pub end_of_support: Option<NaiveDate>,
    pub retention_rule: String,
    pub identifiers: Vec<Identifier>,
}

impl AssetInput {
    /// Trims and bounds the free text; the hosting rules are the domain's.
    pub fn check(mut self) -> Result<AssetInput, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        self.name = self.name.trim().to_owned();
        if self.name.is_empty() {
            errors.push(FieldError::new("name", "error-required"));
        } else if self.name.chars().count() > 200 {
            errors.push(FieldError::with_limit("name", "error-too-long", 200));
        }
        self.description = self.description.trim().to_owned();
        if self.description.chars().count() > 4000 {
            errors.push(FieldError::with_limit(
                "description",
                "error-too-long",
                4000,
            ));
        }
        self.retention_rule = self.retention_rule.trim().to_owned();
        if self.retention_rule.chars().count() > 500 {
            errors.push(FieldError::with_limit(
                "retention_rule",
                "error-too-long",
                500,
            ));
        }
        if self.identifiers.len() > 500 {
            errors.push(FieldError::with_limit("identifiers", "error-too-many", 500));
        }
        self.identifiers.sort();
        self.identifiers.dedup();
        match self.hosting.clone().check() {
            Ok(h) => self.hosting = h,
            Err(e) => errors.push(e),
        }
        errors.clone().into_result()?;
        Ok(self)
    }
}

/// An asset as typed in a form or a spreadsheet row: text everywhere, checked all at once by
/// [`AssetDraft::parse`] so that every fault is reported together, each with its field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AssetDraft {
    pub org_id: i64,
    pub kind: String,
    pub name: String,
    pub description: String,
    pub holder_id: i64,
    pub hosting: String,
    pub hosting_provider: String,
    /// One location a line (or separated by `;` in a spreadsheet cell).
    pub hosting_locations: String,
    pub outside_quebec: bool,
    pub personal_info: bool,
    pub sensitive_info: bool,
    /// `YYYY-MM-DD`, or empty.
    pub end_of_support: String,
    pub retention_rule: String,
    /// One identifier a line (or separated by `;` or spaces): see [`Identifier::detect`].
    pub identifiers: String,
}

impl AssetDraft {
    pub fn parse(&self) -> Result<AssetInput, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let kind = errors.take(AssetKind::parse("kind", &self.kind));
        let hosting_kind = errors.take(HostingKind::parse("hosting", &self.hosting));
        if self.org_id <= 0 {
            errors.push(FieldError::new("org_id", "error-required"));
        }
        if self.holder_id <= 0 {
            errors.push(FieldError::new("holder_id", "error-required"));
        }
        let end_of_support = if self.end_of_support.trim().is_empty() {
            None
        } else {
            errors.take(parse_date("end_of_support", &self.end_of_support))
        };
        let mut identifiers = Vec::new();
        for (n, item) in self
            .identifiers
            .split(['\n', ';', ' ', '\t', ','])
            .map(str::trim)
            .filter(|i| !i.is_empty())
            .enumerate()
        {
            match Identifier::detect("identifiers", item) {
                Ok(i) => identifiers.push(i),
                Err(_) => errors.push(FieldError::with_limit(
                    "identifiers",
                    "error-identifier-item",
                    n as u64 + 1,
                )),
            }
        }
        let locations = self
            .hosting_locations
            .split(['\n', ';'])
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty())
            .collect();
        // An unknown kind or hosting is reported; the rest is still checked, with stand-ins
        // that raise nothing of their own, so that every fault shows at once.
        let input = AssetInput {
            org_id: self.org_id,
            kind: kind.unwrap_or(AssetKind::InformationSystem),
            name: self.name.clone(),
            description: self.description.clone(),
            holder_id: self.holder_id,
            hosting: Hosting {
                kind: hosting_kind.unwrap_or(HostingKind::Premises),
                provider: self.hosting_provider.clone(),
                locations,
                outside_quebec: self.outside_quebec,
            },
            personal: PersonalInformation::new(self.personal_info, self.sensitive_info),
            end_of_support,
            retention_rule: self.retention_rule.clone(),
            identifiers,
        };
        match input.check() {
            Ok(input) if errors.is_empty() => Ok(input),
            Ok(_) => Err(errors),
            Err(more) => {
                errors.0.extend(more.0);
                Err(errors)
            }
        }
    }

    /// The draft that reads back as `input`: what an edit form starts from and an export
    /// writes.
    pub fn of(input: &AssetInput) -> AssetDraft {
        AssetDraft {
            org_id: input.org_id,
            kind: input.kind.as_str().to_owned(),
            name: input.name.clone(),
            description: input.description.clone(),
            holder_id: input.holder_id,
            hosting: input.hosting.kind.as_str().to_owned(),
            hosting_provider: input.hosting.provider.clone(),
            hosting_locations: input.hosting.locations.join("\n"),
            outside_quebec: input.hosting.outside_quebec,
            personal_info: input.personal.held,
            sensitive_info: input.personal.sensitive,
            end_of_support: input
                .end_of_support
                .map(|d| d.to_string())
                .unwrap_or_default(),
            retention_rule: input.retention_rule.clone(),
            identifiers: input
                .identifiers
                .iter()
                .map(Identifier::to_tagged)
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

/// Parses a date written `YYYY-MM-DD`.
pub fn parse_date(field: &str, value: &str) -> Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|_| FieldError::new(field, "error-date"))
}

/// Whether an asset is past its vendor's support on `today` (obsolescence, strategy 003,
/// objective 9).
pub fn past_end_of_support(end_of_support: Option<NaiveDate>, today: NaiveDate) -> bool {
    end_of_support.is_some_and(|d| d < today)
}

/// Why a dependency cannot be recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DependencyError {
    #[error("an asset cannot depend on itself")]
    OnItself,
    /// The asset it would depend on already depends on it, directly or through others.
    #[error("this dependency would close a cycle")]
    Cycle,
}

impl DependencyError {
    pub fn code(self) -> &'static str {
        match self {
            DependencyError::OnItself => "error-dependency-self",
            DependencyError::Cycle => "error-dependency-cycle",
        }
    }
}

/// Checks that `asset` may depend on `on`, knowing whether `asset` is reachable from `on` by
/// following dependencies (which the store computes over the whole graph).
pub fn check_dependency(
    asset: i64,
    on: i64,
    on_reaches_asset: bool,
) -> Result<(), DependencyError> {
    if asset == on {
        Err(DependencyError::OnItself)
    } else if on_reaches_asset {
        Err(DependencyError::Cycle)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // REQ GMVI-05: an unknown host from a scan names the identifier to give its asset.
    #[test]
    fn a_scanned_hosts_key_names_its_identifier() {
        let id = |k| Identifier::for_scanned_host(k).map(|i| (i.kind, i.value));
        assert_eq!(
            id("10.0.1.97"),
            Some((IdentifierKind::Ip, "10.0.1.97".into()))
        );
        assert_eq!(id("fe80::1"), Some((IdentifierKind::Ip, "fe80::1".into())));
        assert_eq!(
            id("srv12.exemple.gouv.qc.ca"),
            Some((IdentifierKind::Fqdn, "srv12.exemple.gouv.qc.ca".into()))
        );
        assert_eq!(
            id("SRV-PAIE"),
            Some((IdentifierKind::Hostname, "srv-paie".into()))
        );
        assert_eq!(id("alpine:3.10 (alpine 3.10.9)"), None);
        assert_eq!(id(""), None);
    }

    // REQ GMVI-05
    #[test]
    fn the_narrowest_range_holding_an_address_names_its_asset() {
        let ranges = vec![
            (IpRange::parse("10.10.0.0/16").unwrap(), 1),
            (IpRange::parse("10.10.20.0/24").unwrap(), 2),
            (IpRange::parse("2001:db8::/32").unwrap(), 3),
        ];
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(asset_in_ranges(&ranges, ip("10.10.20.7")), Some(2));
        assert_eq!(asset_in_ranges(&ranges, ip("10.10.3.4")), Some(1));
        assert_eq!(asset_in_ranges(&ranges, ip("10.11.0.1")), None);
        assert_eq!(asset_in_ranges(&ranges, ip("2001:db8::5")), Some(3));
        assert_eq!(asset_in_ranges(&ranges, ip("::ffff:10.10.20.7")), None);
        assert!(IpRange::parse("10.0.0.0/33").is_none());
        assert!(IpRange::parse("10.0.0.0").is_none());
        assert!(IpRange::parse("0.0.0.0/0")
            .unwrap()
            .contains(ip("192.0.2.1")));
    }

    fn id(kind: IdentifierKind, value: &str) -> Result<String, &'static str> {
        Identifier::parse("identifier", kind, value)
            .map(|i| i.value)
            .map_err(|e| e.code)
    }

    // REQ ASSET-01
    #[test]
    fn identifiers_are_checked_and_normalized_for_matching() {
        use IdentifierKind::*;
        assert_eq!(id(Hostname, " SRV-Paie-01 "), Ok("srv-paie-01".into()));
        assert!(id(Hostname, "srv paie").is_err());
        assert!(id(Hostname, "-srv").is_err());
        assert_eq!(
            id(Fqdn, "Paie.MFR.gouv.qc.ca."),
            Ok("paie.mfr.gouv.qc.ca".into())
        );
        assert!(id(Fqdn, "localhost").is_err());
        assert!(id(Fqdn, "a..b").is_err());
        assert_eq!(id(Ip, "10.0.0.1"), Ok("10.0.0.1".into()));
        assert_eq!(id(Ip, "2001:DB8:0:0::1"), Ok("2001:db8::1".into()));
        assert!(id(Ip, "10.0.0.256").is_err());
        assert_eq!(id(IpRange, "10.12.34.56/16"), Ok("10.12.0.0/16".into()));
        assert_eq!(id(IpRange, "2001:db8::1/32"), Ok("2001:db8::/32".into()));
        assert_eq!(id(IpRange, "0.0.0.0/0"), Ok("0.0.0.0/0".into()));
        assert!(id(IpRange, "10.0.0.0/33").is_err());
        assert!(id(IpRange, "10.0.0.0").is_err());
        assert_eq!(
            id(Cpe, "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*"),
            Ok("cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*".into())
        );
        assert!(id(Cpe, "cpe:2.3:x:apache:log4j:2.14.1:*:*:*:*:*:*:*").is_err());
        assert!(id(Cpe, "cpe:/a:apache:log4j:2.14.1").is_err());
        // An escaped colon is part of a component, not a separator.
        assert!(id(Cpe, "cpe:2.3:a:vendor:prod\\:uct:1.0:*:*:*:*:*:*:*").is_ok());
        assert_eq!(
            id(Purl, "pkg:Maven/org.apache.logging.log4j/log4j-core@2.14.1"),
            Ok("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1".into())
        );
        assert!(id(Purl, "pkg:npm/").is_err());
        assert!(id(Purl, "npm/lodash@4").is_err());
        assert!(id(Hostname, &"a".repeat(600)).is_err());
    }

    // REQ ASSET-01
    #[test]
    fn pasted_identifiers_are_recognized_and_read_back() {
        let kind = |v: &str| Identifier::detect("identifiers", v).map(|i| i.kind);
        assert_eq!(kind("pkg:npm/lodash@4.17.21"), Ok(IdentifierKind::Purl));
        assert_eq!(
            kind("cpe:2.3:o:microsoft:windows_server_2012:-:*:*:*:*:*:*:*"),
            Ok(IdentifierKind::Cpe)
        );
        assert_eq!(kind("10.1.0.0/24"), Ok(IdentifierKind::IpRange));
        assert_eq!(kind("192.0.2.7"), Ok(IdentifierKind::Ip));
        assert_eq!(kind("::1"), Ok(IdentifierKind::Ip));
        assert_eq!(kind("intranet.mfr.gouv.qc.ca"), Ok(IdentifierKind::Fqdn));
        assert_eq!(kind("srv-paie-01"), Ok(IdentifierKind::Hostname));
        assert_eq!(kind("hostname:intranet"), Ok(IdentifierKind::Hostname));
        assert!(kind("pas un nom").is_err());
        for v in [
            "pkg:npm/lodash@4.17.21",
            "10.1.0.0/24",
            "2001:db8::1",
            "fqdn:a.b",
            "hostname:x",
        ] {
            let once = Identifier::detect("i", v).unwrap();
            assert_eq!(Identifier::detect("i", &once.to_tagged()), Ok(once));
        }
    }

    // REQ ASSET-01
    #[test]
    fn an_external_cloud_names_its_provider_and_locations() {
        let hosting = |kind, provider: &str, locations: &[&str]| {
            Hosting {
                kind,
                provider: provider.into(),
                locations: locations.iter().map(|s| s.to_string()).collect(),
                outside_quebec: false,
            }
            .check()
        };
        assert_eq!(
            hosting(HostingKind::ExternalCloud, "", &["Montréal"]).map_err(|e| e.field),
            Err("hosting_provider".into())
        );
        assert_eq!(
            hosting(HostingKind::ExternalCloud, "Nuage inc.", &[" ", ""]).map_err(|e| e.field),
            Err("hosting_locations".into())
        );
        let ok = hosting(
            HostingKind::ExternalCloud,
            " Nuage inc. ",
            &["Montréal", "montréal", " Toronto "],
        )
        .unwrap();
        assert_eq!(ok.provider, "Nuage inc.");
        assert_eq!(ok.locations, ["Montréal", "Toronto"]);
        assert!(hosting(HostingKind::OwnDataCentre, "", &[]).is_ok());
        assert_eq!(
            PersonalInformation::new(false, true),
            PersonalInformation {
                held: true,
                sensitive: true
            }
        );
    }

    // REQ ASSET-01
    #[test]
    fn a_draft_reports_every_fault_at_once_and_round_trips() {
        let bad = AssetDraft {
            kind: "serveur".into(),
            hosting: "external_cloud".into(),
            end_of_support: "2026-13-01".into(),
            identifiers: "srv-01; pas/valide 10.0.0.1".into(),
            ..AssetDraft::default()
        };
        let fields: Vec<(String, Option<u64>)> = bad
            .parse()
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| (e.field, e.limit))
            .collect();
        assert_eq!(
            fields,
            [
                ("kind".to_owned(), None),
                ("org_id".to_owned(), None),
                ("holder_id".to_owned(), None),
                ("end_of_support".to_owned(), None),
                ("identifiers".to_owned(), Some(2)),
                ("name".to_owned(), None),
                ("hosting_provider".to_owned(), None),
            ]
        );
        let good = AssetDraft {
            org_id: 4,
            kind: "information_system".into(),
            name: " Système de paie ".into(),
            holder_id: 9,
            hosting: "external_cloud".into(),
            hosting_provider: "Nuage inc.".into(),
            hosting_locations: "Montréal; Virginie (É.-U.)".into(),
            outside_quebec: true,
            sensitive_info: true,
            end_of_support: "2027-06-30".into(),
            identifiers: "paie.mfr.gouv.qc.ca\n10.1.0.0/24\npkg:npm/lodash@4.17.21".into(),
            ..AssetDraft::default()
        };
        let input = good.parse().unwrap();
        assert_eq!(input.name, "Système de paie");
        assert!(input.personal.held);
        assert_eq!(input.identifiers.len(), 3);
        assert_eq!(AssetDraft::of(&input).parse(), Ok(input));
        let missing_provider = AssetDraft {
            hosting_provider: String::new(),
            ..good
        };
        assert_eq!(
            missing_provider.parse().unwrap_err().0[0].field,
            "hosting_provider"
        );
    }

    // REQ ASSET-01
    #[test]
    fn cycles_and_self_dependencies_are_refused() {
        assert_eq!(
            check_dependency(1, 1, false),
            Err(DependencyError::OnItself)
        );
        assert_eq!(check_dependency(1, 2, true), Err(DependencyError::Cycle));
        assert_eq!(check_dependency(1, 2, false), Ok(()));
        let d = |s| parse_date("end_of_support", s).ok();
        assert!(past_end_of_support(
            d("2025-10-14"),
            d("2026-11-23").unwrap()
        ));
        assert!(!past_end_of_support(
            d("2026-11-23"),
            d("2026-11-23").unwrap()
        ));
        assert!(!past_end_of_support(None, d("2026-11-23").unwrap()));
        assert!(d("2026-02-30").is_none());
    }
}
