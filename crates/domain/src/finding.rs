//! A finding of a scanner report (GMVI-05), as the readers of `rempart-interchange` give it
//! and the store keeps it, and what makes two findings the same one from one scan to the next.

use serde::Serialize;

use crate::cvss::Severity;

/// The formats read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanFormat {
    Nessus,
    Openvas,
    Trivy,
    Sarif,
}

impl ScanFormat {
    pub const ALL: [ScanFormat; 4] = [
        ScanFormat::Nessus,
        ScanFormat::Openvas,
        ScanFormat::Trivy,
        ScanFormat::Sarif,
    ];

    /// Code scanners report on a whole repository: a file without findings is not named, so
    /// a new report's scope is every finding of the format.
    pub fn scope_is_whole_format(self) -> bool {
        self == ScanFormat::Sarif
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ScanFormat::Nessus => "nessus",
            ScanFormat::Openvas => "openvas",
            ScanFormat::Trivy => "trivy",
            ScanFormat::Sarif => "sarif",
        }
    }

    pub fn parse(text: &str) -> Option<ScanFormat> {
        let text = text.trim().to_ascii_lowercase();
        ScanFormat::ALL
            .into_iter()
            .find(|f| f.as_str() == text)
            .or(match text.as_str() {
                "greenbone" | "gvm" => Some(ScanFormat::Openvas),
                "tenable" => Some(ScanFormat::Nessus),
                _ => None,
            })
    }
}

/// Where a finding was seen, as the scanner names the machine. Every part is optional: a
/// network scanner gives a name or an address, a code or image scanner gives a `target`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Host {
    pub name: Option<String>,
    pub ip: Option<String>,
    pub fqdn: Option<String>,
}

impl Host {
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.ip.is_none() && self.fqdn.is_none()
    }

    /// The most stable way to tell the machine: address, then FQDN, then name (lower case).
    pub fn key(&self) -> String {
        self.ip
            .as_deref()
            .or(self.fqdn.as_deref())
            .or(self.name.as_deref())
            .unwrap_or_default()
            .to_lowercase()
    }
}

/// A software package a finding is about (Trivy), with the version that fixes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Package {
    pub name: String,
    pub installed_version: Option<String>,
    pub fixed_version: Option<String>,
    pub purl: Option<String>,
}

/// One finding of a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub format: ScanFormat,
    pub host: Host,
    /// What was scanned when it is not a machine: a container image, a file system, a
    /// repository (Trivy's target, SARIF's artifact).
    pub target: Option<String>,
    /// The scanner's identifier for what it found, stable from one scan to the next: a Nessus
    /// plugin id, an NVT OID, a vulnerability id, a SARIF rule id.
    pub rule_id: String,
    pub title: String,
    pub description: Option<String>,
    pub solution: Option<String>,
    pub severity: Severity,
    /// The scanner's own score, when it gives one.
    pub score: Option<f64>,
    /// CVSS vectors as the scanner gives them (3.x and 4.0 are scored on import; 2.0 is kept).
    pub cvss: Vec<String>,
    pub cves: Vec<String>,
    pub cwes: Vec<String>,
    /// "443/tcp", or a service name.
    pub port: Option<String>,
    pub package: Option<Package>,
    /// A place in source code: "path/file.py:39".
    pub location: Option<String>,
    /// What makes this finding distinct within its rule and place when the scanner says it
    /// (SARIF's partial fingerprints); part of the fingerprint.
    pub discriminator: Option<String>,
    /// The scanner's output for this finding (plugin output, a snippet), cut to
    /// what the reader keeps (a few thousand characters).
    pub evidence: Option<String>,
}

impl Finding {
    pub fn new(format: ScanFormat, rule_id: String, title: String) -> Finding {
        Finding {
            format,
            host: Host::default(),
            target: None,
            rule_id,
            title,
            description: None,
            solution: None,
            severity: Severity::None,
            score: None,
            cvss: Vec::new(),
            cves: Vec::new(),
            cwes: Vec::new(),
            port: None,
            package: None,
            location: None,
            discriminator: None,
            evidence: None,
        }
    }

    /// The parts that say "the same finding" from one scan to the next, in a fixed order:
    /// the format, the rule, the machine or target, the port, the package and the place.
    pub fn identity(&self) -> [String; 7] {
        [
            self.format.as_str().to_owned(),
            self.rule_id.clone(),
            self.host.key(),
            self.target.clone().unwrap_or_default(),
            self.port.clone().unwrap_or_default(),
            self.package
                .as_ref()
                .map(|p| {
                    format!(
                        "{}@{}",
                        p.name,
                        p.installed_version.as_deref().unwrap_or("")
                    )
                })
                .unwrap_or_default(),
            self.discriminator
                .clone()
                .or_else(|| self.location.clone())
                .unwrap_or_default(),
        ]
    }

    /// What a new scan must cover for this finding's absence to mean it is fixed: the machine
    /// for a network scanner, the target for an image scanner, nothing narrower than the format
    /// for a code scanner (empty).
    pub fn scope_key(&self) -> String {
        if self.format.scope_is_whole_format() {
            return String::new();
        }
        match self.format {
            ScanFormat::Trivy => self.target.clone().unwrap_or_default(),
            _ => self.host.key(),
        }
    }

    /// The fingerprint that deduplicates findings across imports (see [`Finding::identity`]).
    pub fn fingerprint(&self) -> String {
        crate::vulnerability::fingerprint(&self.identity())
    }
}
