//! Trivy JSON reports (`trivy image|fs|repo --format json`), read one vulnerability at a time.
//!
//! Two shapes are read: the current one (an object with `SchemaVersion`, `ArtifactName`,
//! `Metadata` and `Results`) and the one Trivy wrote before schema version 2 (a bare array of
//! results). Each result names a `Target` (an image's OS, a lock file, a Dockerfile…) and lists
//! its `Vulnerabilities` and `Misconfigurations`; neither list is ever held whole: each entry
//! becomes a [`Finding`] and goes to the sink before the next one is read.
//!
//! A vulnerability becomes a finding as follows:
//! - `rule_id` is `VulnerabilityID` (CVE, GHSA, Debian TEMP-…): it is what stays the same from
//!   one scan to the next; `cves` holds it too when it is a CVE;
//! - `title` is `Title`, or the identifier when Trivy gives none (older databases);
//! - `severity` is Trivy's own verdict (`Severity`: CRITICAL, HIGH, MEDIUM, LOW; UNKNOWN and
//!   anything else give [`Severity::None`]), not recomputed from the vectors: Trivy has already
//!   chosen among its sources (`SeveritySource`);
//! - `score` is the highest `V3Score` over the sources of `CVSS` (NVD, Red Hat, GHSA…), or the
//!   highest `V40Score` when no source gives a 3.x score;
//! - `cvss` holds every distinct `V3Vector` and `V40Vector`; `V2Vector` is left out, since
//!   only 3.x and 4.0 are scored on import: an entry with nothing but a 2.0 vector (old CVEs)
//!   gets no vector and no score, and keeps Trivy's `Severity`;
//! - `package` is `PkgName`, `InstalledVersion`, `FixedVersion` and `PkgIdentifier.PURL`, and
//!   `solution` says to update to `FixedVersion` when there is one;
//! - `cwes` are the `CweIDs` that are real CWEs (`NVD-CWE-Other` and `NVD-CWE-noinfo` are not);
//! - `evidence` is `PrimaryURL`, the advisory Trivy points to.
//!
//! Every vulnerability is read whatever its `Status` (`fixed`, `will_not_fix`, `not_affected`…):
//! Trivy only lists what it was asked to list, and a finding has no field for the status.
//!
//! A misconfiguration (`trivy config`) becomes a finding with `rule_id` = `ID` (or `AVDID`),
//! `title`, `description`, `solution` = `Resolution`, `evidence` = `Message` and `location` =
//! "Target:StartLine" from `CauseMetadata`; those whose `Status` is `PASS` or `EXCEPTION`
//! (written with `--include-non-failures`) are not findings and are skipped.
//!
//! `target` is the result's `Target` as written. `ArtifactName` is not prefixed to it: it
//! carries the image's tag or the scanned path, which change from one build or machine to the
//! next, and the target is part of a finding's identity. `hosts` in the summary counts the
//! distinct `Target`s of all results, with or without findings; to stay bounded it keeps a
//! 64-bit hash of each (a collision would undercount by one, with odds far below one in a
//! million at a million targets) and refuses more targets than `max_findings`.
//!
//! The reader takes keys in any order within an entry, but a result's `Target` must come before
//! its findings (as Trivy writes it): findings already handed over cannot be given a target
//! afterwards, and holding them back would cost memory without bound. A result whose `Target`
//! follows a non-empty list is refused.

use std::collections::HashSet;
use std::fmt;
use std::io::BufRead;

use rempart_domain::cvss::Severity;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::guard::{JsonGuard, Place};
use super::sarif::cwe_id;
use super::{
    cut, cve_id, push_unique, Emitter, Finding, Package, ReadSummary, ScanError, ScanFormat,
    ScanLimits, EVIDENCE_CHARS,
};

/// Reads a Trivy JSON report, handing each finding to `sink` as soon as it is read.
pub fn read<R: BufRead>(
    reader: R,
    limits: &ScanLimits,
    sink: &mut dyn FnMut(Finding) -> Result<(), String>,
) -> Result<ReadSummary, ScanError> {
    let reader = skip_bom(reader)?;
    let mut guard = JsonGuard::new(reader, limits.max_text_bytes);
    let mut state = State {
        limits: *limits,
        emitter: Emitter::new(sink, limits),
        targets: Targets::default(),
        failure: None,
    };
    let outcome = {
        let mut de = serde_json::Deserializer::from_reader(&mut guard);
        Document { st: &mut state }
            .deserialize(&mut de)
            .and_then(|()| de.end())
    };
    match outcome {
        Ok(()) => Ok(ReadSummary {
            findings: state.emitter.count,
            hosts: state.targets.len(),
            scopes: state.targets.into_sorted(),
        }),
        // Our own fault (the sink's, a limit, the structure) was stashed before serde was told
        // to stop: it says more than serde's wrapper of it.
        Err(e) => Err(match state.failure.take() {
            Some(fault) => fault,
            None => json_fault(&e, guard.tripped, limits),
        }),
    }
}

/// Skips a UTF-8 byte order mark, which Windows editors and shells put before JSON and which
/// `serde_json` refuses; [`super::detect`] already looks past it.
pub(super) fn skip_bom<R: BufRead>(mut reader: R) -> Result<R, ScanError> {
    let bom = reader
        .fill_buf()
        .map_err(|e| ScanError::Io(e.to_string()))?
        .starts_with(b"\xEF\xBB\xBF");
    if bom {
        reader.consume(3);
    }
    Ok(reader)
}

/// A `serde_json` error as the caller sees it: the guard's refusal first (serde only saw an
/// I/O error), then I/O, then a syntax or type error with its place.
pub(super) fn json_fault(
    e: &serde_json::Error,
    tripped: Option<Place>,
    limits: &ScanLimits,
) -> ScanError {
    if let Some(place) = tripped {
        return ScanError::TextTooLong {
            line: place.line,
            column: place.column,
            limit: limits.max_text_bytes,
        };
    }
    if e.is_io() {
        return ScanError::Io(e.to_string());
    }
    // The place is given apart; serde's text repeats it at the end.
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = text.strip_suffix(&suffix).unwrap_or(&text).to_owned();
    ScanError::Syntax {
        line: e.line() as u64,
        column: e.column() as u64,
        message,
    }
}

/// Distinct targets, kept as hashes so that a million long paths cost a few megabytes.
#[derive(Default)]
pub(super) struct Targets(HashSet<String>);

impl Targets {
    pub(super) fn insert(&mut self, target: &str, limits: &ScanLimits) -> Result<(), ScanError> {
        // Kept whole: they are the report's scope (a finding of an earlier scan of one of
        // these targets, absent now, is fixed).
        let key = target.to_owned();
        if !self.0.contains(&key) {
            if self.0.len() >= limits.max_findings {
                return Err(ScanError::ListTooLong {
                    what: "cibles du rapport".to_owned(),
                    limit: limits.max_findings,
                });
            }
            self.0.insert(key);
        }
        Ok(())
    }

    pub(super) fn len(&self) -> usize {
        self.0.len()
    }

    pub(super) fn into_sorted(self) -> Vec<String> {
        let mut all: Vec<String> = self.0.into_iter().collect();
        all.sort();
        all
    }
}

/// What every visitor shares.
struct State<'a> {
    limits: ScanLimits,
    emitter: Emitter<'a>,
    targets: Targets,
    /// The fault that made a visitor stop serde, when it is ours.
    failure: Option<ScanError>,
}

impl State<'_> {
    /// Keeps the fault for [`read`] and gives serde an error that stops it.
    fn refuse<E: de::Error>(&mut self, fault: ScanError) -> E {
        let error = E::custom(fault.to_string());
        self.failure = Some(fault);
        error
    }
}

fn structure(place: impl Into<String>, message: &str) -> ScanError {
    ScanError::Structure {
        place: place.into(),
        message: message.to_owned(),
    }
}

/// The document: an object (current shape) or an array of results (legacy shape).
struct Document<'x, 'a> {
    st: &'x mut State<'a>,
}

impl<'de> DeserializeSeed<'de> for Document<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

const ROOT: &str = "(racine)";
const ROOT_EXPECTED: &str =
    "objet (rapport Trivy) ou tableau de résultats (ancien rapport Trivy) attendu";

impl Document<'_, '_> {
    fn not_a_report<E: de::Error>(self) -> Result<(), E> {
        Err(self.st.refuse(structure(ROOT, ROOT_EXPECTED)))
    }
}

impl<'de> Visitor<'de> for Document<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(ROOT_EXPECTED)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut recognized = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "Results" => {
                    recognized = true;
                    map.next_value_seed(ResultList {
                        st: &mut *self.st,
                        shape: Shape::Current,
                    })?;
                }
                "SchemaVersion" => {
                    recognized = true;
                    map.next_value::<IgnoredAny>()?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if recognized {
            Ok(())
        } else {
            Err(self.st.refuse(structure(
                ROOT,
                "ni « SchemaVersion » ni « Results » : ce n'est pas un rapport Trivy",
            )))
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        read_results(self.st, Shape::Legacy, seq)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.not_a_report()
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.not_a_report()
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.not_a_report()
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.not_a_report()
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.not_a_report()
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.not_a_report()
    }
}

/// Which shape the results come from, to name their place as the file does.
#[derive(Clone, Copy)]
enum Shape {
    Current,
    Legacy,
}

/// One result's place: `Results[3]`, or `[3]` in a legacy report.
#[derive(Clone, Copy)]
struct ResultAt {
    shape: Shape,
    index: usize,
}

impl fmt::Display for ResultAt {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self.shape {
            Shape::Current => write!(f, "Results[{}]", self.index),
            Shape::Legacy => write!(f, "[{}]", self.index),
        }
    }
}

/// `Results`: an array, or null when Trivy found nothing to scan.
struct ResultList<'x, 'a> {
    st: &'x mut State<'a>,
    shape: Shape,
}

impl<'de> DeserializeSeed<'de> for ResultList<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ResultList<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("un tableau de résultats Trivy")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        read_results(self.st, self.shape, seq)
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

fn read_results<'de, A: SeqAccess<'de>>(
    st: &mut State<'_>,
    shape: Shape,
    mut seq: A,
) -> Result<(), A::Error> {
    let mut index = 0;
    while seq
        .next_element_seed(ResultSeed {
            st: &mut *st,
            at: ResultAt { shape, index },
        })?
        .is_some()
    {
        index += 1;
    }
    Ok(())
}

/// One result: its target, then its findings.
struct ResultSeed<'x, 'a> {
    st: &'x mut State<'a>,
    at: ResultAt,
}

impl<'de> DeserializeSeed<'de> for ResultSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ResultSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("un résultat Trivy (objet)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let st = self.st;
        let at = self.at;
        let before = st.emitter.count;
        let mut target: Option<String> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "Target" => {
                    let value = map.next_value::<Option<String>>()?;
                    if st.emitter.count > before {
                        return Err(st.refuse(structure(
                            at.to_string(),
                            "« Target » doit précéder les vulnérabilités et les erreurs de \
                             configuration du résultat",
                        )));
                    }
                    if let Some(t) = value.filter(|t| !t.trim().is_empty()) {
                        if let Err(fault) = st.targets.insert(&t, &st.limits) {
                            return Err(st.refuse(fault));
                        }
                        target = Some(t);
                    }
                }
                "Vulnerabilities" => map.next_value_seed(EntryList {
                    st: &mut *st,
                    at,
                    target: target.as_deref(),
                    kind: EntryKind::Vulnerability,
                })?,
                "Misconfigurations" => map.next_value_seed(EntryList {
                    st: &mut *st,
                    at,
                    target: target.as_deref(),
                    kind: EntryKind::Misconfiguration,
                })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

#[derive(Clone, Copy)]
enum EntryKind {
    Vulnerability,
    Misconfiguration,
}

impl EntryKind {
    fn list(self) -> &'static str {
        match self {
            EntryKind::Vulnerability => "Vulnerabilities",
            EntryKind::Misconfiguration => "Misconfigurations",
        }
    }
}

/// `Vulnerabilities` or `Misconfigurations`: an array (or null), one entry at a time.
struct EntryList<'x, 'a, 't> {
    st: &'x mut State<'a>,
    at: ResultAt,
    target: Option<&'t str>,
    kind: EntryKind,
}

impl<'de> DeserializeSeed<'de> for EntryList<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for EntryList<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "un tableau « {} »", self.kind.list())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0;
        loop {
            let place = format!("{}.{}[{index}]", self.at, self.kind.list());
            let seed = EntrySeed {
                st: &mut *self.st,
                place,
                target: self.target,
            };
            let more = match self.kind {
                EntryKind::Vulnerability => seq.next_element_seed(VulnerabilitySeed(seed))?,
                EntryKind::Misconfiguration => seq.next_element_seed(MisconfigurationSeed(seed))?,
            };
            if more.is_none() {
                return Ok(());
            }
            index += 1;
        }
    }
}

/// What one entry needs to become a finding.
struct EntrySeed<'x, 'a, 't> {
    st: &'x mut State<'a>,
    place: String,
    target: Option<&'t str>,
}

impl EntrySeed<'_, '_, '_> {
    fn emit<E: de::Error>(self, finding: Finding) -> Result<(), E> {
        match self.st.emitter.emit(finding) {
            Ok(()) => Ok(()),
            Err(fault) => Err(self.st.refuse(fault)),
        }
    }
}

struct VulnerabilitySeed<'x, 'a, 't>(EntrySeed<'x, 'a, 't>);

impl<'de> DeserializeSeed<'de> for VulnerabilitySeed<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

#[derive(Deserialize)]
struct PkgIdentifier {
    #[serde(rename = "PURL")]
    purl: Option<String>,
}

/// The highest of the scores seen.
fn raise(best: &mut Option<f64>, score: Option<f64>) {
    if let Some(s) = score.filter(|s| s.is_finite() && (0.0..=10.0).contains(s)) {
        if best.is_none_or(|b| s > b) {
            *best = Some(s);
        }
    }
}

pub(super) fn severity_word(text: Option<&str>) -> Severity {
    match text.map(|t| t.trim().to_ascii_uppercase()).as_deref() {
        Some("CRITICAL") => Severity::Critical,
        Some("HIGH") => Severity::High,
        Some("MEDIUM") => Severity::Medium,
        Some("LOW") => Severity::Low,
        _ => Severity::None,
    }
}

fn non_empty(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

impl<'de> Visitor<'de> for VulnerabilitySeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("une vulnérabilité Trivy (objet)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let entry = self.0;
        let mut id = None;
        let mut pkg_name = None;
        let mut installed = None;
        let mut fixed = None;
        let mut purl = None;
        let mut title = None;
        let mut description = None;
        let mut severity: Option<String> = None;
        let mut url = None;
        let mut cwes = Vec::new();
        let mut vectors = Vec::new();
        let mut v3 = None;
        let mut v40 = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "VulnerabilityID" => id = map.next_value()?,
                "PkgName" => pkg_name = map.next_value()?,
                "InstalledVersion" => installed = map.next_value()?,
                "FixedVersion" => fixed = map.next_value()?,
                "PkgIdentifier" => {
                    purl = map
                        .next_value::<Option<PkgIdentifier>>()?
                        .and_then(|p| p.purl)
                }
                "Title" => title = map.next_value()?,
                "Description" => description = map.next_value()?,
                "Severity" => severity = map.next_value()?,
                "PrimaryURL" => url = map.next_value()?,
                "CweIDs" => map.next_value_seed(CweList {
                    st: &mut *entry.st,
                    cwes: &mut cwes,
                    what: &entry.place,
                })?,
                "CVSS" => map.next_value_seed(CvssSources {
                    st: &mut *entry.st,
                    vectors: &mut vectors,
                    v3: &mut v3,
                    v40: &mut v40,
                    what: &entry.place,
                })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let Some(id) = non_empty(id) else {
            let place = entry.place.clone();
            return Err(entry.st.refuse(structure(
                place,
                "identifiant de vulnérabilité (VulnerabilityID) absent",
            )));
        };
        let title = non_empty(title).unwrap_or_else(|| id.clone());
        let mut finding = Finding::new(ScanFormat::Trivy, id.clone(), title);
        finding.target = entry.target.map(str::to_owned);
        finding.description = non_empty(description);
        finding.severity = severity_word(severity.as_deref());
        finding.score = v3.or(v40);
        finding.cvss = vectors;
        finding.cwes = cwes;
        finding.cves.extend(cve_id(&id));
        let fixed = non_empty(fixed);
        let pkg_name = non_empty(pkg_name);
        finding.solution = fixed.as_ref().map(|v| match &pkg_name {
            Some(name) => format!("Mettre à jour {name} vers {v}"),
            None => format!("Mettre à jour le paquet vers {v}"),
        });
        finding.package = pkg_name.map(|name| Package {
            name,
            installed_version: non_empty(installed),
            fixed_version: fixed,
            purl: non_empty(purl),
        });
        finding.evidence = non_empty(url).map(|u| cut(&u, EVIDENCE_CHARS));
        entry.emit(finding)
    }
}

/// `CweIDs`: only the real CWEs are kept, up to `max_list`.
struct CweList<'x, 'a, 'v> {
    st: &'x mut State<'a>,
    cwes: &'v mut Vec<String>,
    what: &'v str,
}

impl<'de> DeserializeSeed<'de> for CweList<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CweList<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("un tableau « CweIDs »")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(text) = seq.next_element::<Option<String>>()? {
            if let Some(cwe) = text.as_deref().and_then(cwe_id) {
                let what = format!("{}.CweIDs", self.what);
                if let Err(fault) = push_unique(self.cwes, cwe, &what, &self.st.limits) {
                    return Err(self.st.refuse(fault));
                }
            }
        }
        Ok(())
    }
}

/// `CVSS`: one object per source (`nvd`, `redhat`, `ghsa`…).
struct CvssSources<'x, 'a, 'v> {
    st: &'x mut State<'a>,
    vectors: &'v mut Vec<String>,
    v3: &'v mut Option<f64>,
    v40: &'v mut Option<f64>,
    what: &'v str,
}

impl<'de> DeserializeSeed<'de> for CvssSources<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CvssSources<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("un objet « CVSS » (une entrée par source)")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_key::<IgnoredAny>()?.is_some() {
            map.next_value_seed(CvssSource {
                st: &mut *self.st,
                vectors: &mut *self.vectors,
                v3: &mut *self.v3,
                v40: &mut *self.v40,
                what: self.what,
            })?;
        }
        Ok(())
    }
}

/// One source's vectors and scores.
struct CvssSource<'x, 'a, 'v> {
    st: &'x mut State<'a>,
    vectors: &'v mut Vec<String>,
    v3: &'v mut Option<f64>,
    v40: &'v mut Option<f64>,
    what: &'v str,
}

impl<'de> DeserializeSeed<'de> for CvssSource<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CvssSource<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("les vecteurs CVSS d'une source (objet)")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "V3Vector" | "V40Vector" => {
                    if let Some(vector) = non_empty(map.next_value()?) {
                        let what = format!("{}.CVSS", self.what);
                        if let Err(fault) =
                            push_unique(self.vectors, vector, &what, &self.st.limits)
                        {
                            return Err(self.st.refuse(fault));
                        }
                    }
                }
                "V3Score" => raise(self.v3, map.next_value()?),
                "V40Score" => raise(self.v40, map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct MisconfigurationSeed<'x, 'a, 't>(EntrySeed<'x, 'a, 't>);

impl<'de> DeserializeSeed<'de> for MisconfigurationSeed<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let entry = self.0;
        // Every field kept is a bounded string or a number: the entry may be read whole, and
        // what is not named here (References, the cause's code lines) is skipped unread.
        let m = Misconfiguration::deserialize(d)?;
        if m.status
            .as_deref()
            .is_some_and(|s| !s.trim().eq_ignore_ascii_case("FAIL"))
        {
            return Ok(());
        }
        let Some(id) = non_empty(m.id).or_else(|| non_empty(m.avd_id)) else {
            let place = entry.place.clone();
            return Err(entry.st.refuse(structure(
                place,
                "identifiant de contrôle de configuration (ID) absent",
            )));
        };
        let title = non_empty(m.title).unwrap_or_else(|| id.clone());
        let mut finding = Finding::new(ScanFormat::Trivy, id, title);
        finding.target = entry.target.map(str::to_owned);
        finding.description = non_empty(m.description);
        finding.solution = non_empty(m.resolution);
        finding.severity = severity_word(m.severity.as_deref());
        finding.evidence = non_empty(m.message).map(|t| cut(&t, EVIDENCE_CHARS));
        let line = m.cause.and_then(|c| c.start_line).filter(|l| *l > 0);
        finding.location = match (entry.target, line) {
            (Some(t), Some(l)) => Some(format!("{t}:{l}")),
            _ => None,
        };
        entry.emit(finding)
    }
}

#[derive(Deserialize)]
struct Misconfiguration {
    #[serde(rename = "ID")]
    id: Option<String>,
    #[serde(rename = "AVDID")]
    avd_id: Option<String>,
    #[serde(rename = "Title")]
    title: Option<String>,
    #[serde(rename = "Description")]
    description: Option<String>,
    #[serde(rename = "Message")]
    message: Option<String>,
    #[serde(rename = "Resolution")]
    resolution: Option<String>,
    #[serde(rename = "Severity")]
    severity: Option<String>,
    #[serde(rename = "Status")]
    status: Option<String>,
    #[serde(rename = "CauseMetadata")]
    cause: Option<CauseMetadata>,
}

#[derive(Deserialize)]
struct CauseMetadata {
    #[serde(rename = "StartLine")]
    start_line: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    use proptest::prelude::*;

    const SCANS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/scans/");

    fn shared(file: &str) -> Vec<u8> {
        std::fs::read(format!("{SCANS}{file}")).unwrap()
    }

    fn read_all(
        bytes: &[u8],
        limits: &ScanLimits,
    ) -> Result<(ReadSummary, Vec<Finding>), ScanError> {
        let mut findings = Vec::new();
        let summary = read(bytes, limits, &mut |f| {
            findings.push(f);
            Ok(())
        })?;
        Ok((summary, findings))
    }

    fn distinct<'f>(items: impl Iterator<Item = &'f String>) -> usize {
        items.collect::<HashSet<_>>().len()
    }

    #[test]
    fn the_current_shape_is_read_whatever_the_status() {
        // Counted with python3 (json module), d = json.load(f):
        //   findings: sum(len(r.get('Vulnerabilities') or []) for r in d['Results'])  -> 8
        //   targets:  len({r['Target'] for r in d['Results']})                         -> 1
        //   CVEs:     len({v['VulnerabilityID'] for r in d['Results']
        //                  for v in r['Vulnerabilities'] if v['VulnerabilityID'].startswith('CVE-')}) -> 7
        let (summary, findings) =
            read_all(&shared("trivy/all_statuses.json"), &ScanLimits::default()).unwrap();
        assert_eq!(summary.findings, 8);
        assert_eq!(findings.len(), 8);
        assert_eq!(summary.hosts, 1);
        assert_eq!(distinct(findings.iter().flat_map(|f| &f.cves)), 7);
        assert!(findings.iter().all(|f| f.severity == Severity::Low));

        let f = &findings[3];
        assert_eq!(f.rule_id, "CVE-2018-1000876");
        assert_eq!(
            f.title,
            "integer overflow leads to heap-based buffer overflow in objdump"
        );
        assert_eq!(
            f.target.as_deref(),
            Some("noppaknopsta/example-app:main-159 (debian 10.13)")
        );
        assert_eq!(f.cwes, ["CWE-190", "CWE-787"]);
        assert_eq!(
            f.cvss,
            [
                "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
                "CVSS:3.0/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H"
            ]
        );
        assert_eq!(f.score, Some(7.8));
        assert_eq!(
            f.package,
            Some(Package {
                name: "binutils".into(),
                installed_version: Some("2.31.1-16".into()),
                fixed_version: None,
                purl: None,
            })
        );
        assert_eq!(f.solution, None);
        assert_eq!(
            f.evidence.as_deref(),
            Some("https://avd.aquasec.com/nvd/cve-2018-1000876")
        );

        // Two sources with the same vector: kept once.
        assert_eq!(
            findings[1].cvss,
            ["CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"]
        );
        // Not a CVE, no CVSS, no CWE.
        let temp = &findings[2];
        assert_eq!(temp.rule_id, "TEMP-0841856-B18BAF");
        assert!(temp.cves.is_empty() && temp.cvss.is_empty() && temp.cwes.is_empty());
        assert_eq!(temp.score, None);
    }

    #[test]
    fn the_legacy_shape_is_read() {
        // Counted with python3 (json module), d = json.load(f) is a list of results:
        //   findings: sum(len(r.get('Vulnerabilities') or []) for r in d)         -> 93
        //   targets:  len({r['Target'] for r in d})                                -> 1
        //   CVEs:     len({v['VulnerabilityID'] for r in d for v in r['Vulnerabilities']
        //                  if v['VulnerabilityID'].startswith('CVE-')})            -> 55
        //   CWEs:     len({c for r in d for v in r['Vulnerabilities'] for c in v.get('CweIDs') or []}) -> 25
        //   severities: Counter(v['Severity']): LOW 65, HIGH 18, MEDIUM 9, UNKNOWN 1
        let (summary, findings) = read_all(
            &shared("trivy/legacy_many_vulns.json"),
            &ScanLimits::default(),
        )
        .unwrap();
        assert_eq!((summary.findings, summary.hosts), (93, 1));
        assert_eq!(findings.len(), 93);
        assert_eq!(distinct(findings.iter().flat_map(|f| &f.cves)), 55);
        assert_eq!(distinct(findings.iter().flat_map(|f| &f.cwes)), 25);
        let count = |s| findings.iter().filter(|f| f.severity == s).count();
        assert_eq!(
            [
                Severity::Low,
                Severity::High,
                Severity::Medium,
                Severity::None
            ]
            .map(count),
            [65, 18, 9, 1]
        );

        let f = &findings[0];
        assert_eq!(f.rule_id, "CVE-2011-3374");
        // No Title in this file's entry: the identifier stands in.
        assert_eq!(f.title, "CVE-2011-3374");
        assert_eq!(f.target.as_deref(), Some("debian (debian 10.8)"));
        assert_eq!(f.cves, ["CVE-2011-3374"]);
        assert_eq!(f.cwes, ["CWE-347"]);
        assert_eq!(f.cvss, ["CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:L/A:N"]);
        assert_eq!(f.score, Some(3.7));
        assert_eq!(f.package.as_ref().map(|p| p.name.as_str()), Some("apt"));
        assert!(f
            .description
            .as_deref()
            .unwrap()
            .starts_with("It was found that apt-key"));
    }

    #[test]
    fn a_hand_made_report_maps_every_field() {
        let json = r#"{
          "SchemaVersion": 2, "ArtifactName": "registry/app:1.2", "ArtifactType": "container_image",
          "Results": [
            {"Target": "app/package-lock.json", "Class": "lang-pkgs", "Type": "npm",
             "Vulnerabilities": [
               {"VulnerabilityID": "cve-2021-44906", "PkgName": "minimist",
                "PkgIdentifier": {"PURL": "pkg:npm/minimist@1.2.5", "UID": "x"},
                "InstalledVersion": "1.2.5", "FixedVersion": "1.2.6", "Severity": "CRITICAL",
                "CweIDs": ["CWE-1321", "NVD-CWE-Other", "cwe-1321"],
                "CVSS": {"ghsa": {"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "V3Score": 9.8},
                         "nvd": {"V40Vector": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "V40Score": 9.3,
                                 "V2Vector": "AV:N/AC:L/Au:N/C:P/I:P/A:P", "V2Score": 7.5}},
                "References": ["https://example.org"]}
             ]},
            {"Target": "Dockerfile", "Class": "config", "Type": "dockerfile",
             "Misconfigurations": [
               {"Type": "Dockerfile Security Check", "ID": "DS002", "AVDID": "AVD-DS-0002",
                "Title": "Image user should not be 'root'", "Description": "Running as root is risky.",
                "Message": "Specify at least 1 USER command", "Resolution": "Add 'USER <non root user name>' line",
                "Severity": "HIGH", "Status": "FAIL", "CauseMetadata": {"Provider": "Dockerfile", "StartLine": 7, "Code": {"Lines": []}}},
               {"ID": "DS001", "Title": "latest tag", "Severity": "MEDIUM", "Status": "PASS"}
             ]},
            {"Target": "usr/lib/empty", "Class": "lang-pkgs", "Vulnerabilities": null},
            {"Target": "app/package-lock.json"}
          ]}"#;
        let (summary, findings) = read_all(json.as_bytes(), &ScanLimits::default()).unwrap();
        // Three distinct targets, one of them without findings.
        assert_eq!((summary.findings, summary.hosts), (2, 3));
        let v = &findings[0];
        assert_eq!(v.rule_id, "cve-2021-44906");
        assert_eq!(v.title, "cve-2021-44906");
        assert_eq!(v.cves, ["CVE-2021-44906"]);
        assert_eq!(v.cwes, ["CWE-1321"]);
        assert_eq!(v.severity, Severity::Critical);
        assert_eq!(v.score, Some(9.8));
        assert_eq!(v.cvss.len(), 2);
        assert_eq!(
            v.solution.as_deref(),
            Some("Mettre à jour minimist vers 1.2.6")
        );
        assert_eq!(
            v.package.as_ref().and_then(|p| p.purl.as_deref()),
            Some("pkg:npm/minimist@1.2.5")
        );
        assert_eq!(v.target.as_deref(), Some("app/package-lock.json"));

        let m = &findings[1];
        assert_eq!(m.rule_id, "DS002");
        assert_eq!(m.title, "Image user should not be 'root'");
        assert_eq!(m.severity, Severity::High);
        assert_eq!(
            m.solution.as_deref(),
            Some("Add 'USER <non root user name>' line")
        );
        assert_eq!(
            m.evidence.as_deref(),
            Some("Specify at least 1 USER command")
        );
        assert_eq!(m.location.as_deref(), Some("Dockerfile:7"));
        assert_eq!(m.target.as_deref(), Some("Dockerfile"));
    }

    #[test]
    fn the_fuzz_seed_is_a_report() {
        let seed = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fuzz/corpus/read_trivy/seed-small.json"
        );
        let (summary, findings) =
            read_all(&std::fs::read(seed).unwrap(), &ScanLimits::default()).unwrap();
        assert_eq!((summary.findings, summary.hosts), (3, 3));
        assert_eq!(findings[0].cwes, ["CWE-122"]);
        assert_eq!(findings[2].rule_id, "DS002");
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let json = "\u{feff}[{\"Target\": \"t\", \"Vulnerabilities\": [{\"VulnerabilityID\": \"CVE-2020-0001\"}]}]";
        let (summary, _) = read_all(json.as_bytes(), &ScanLimits::default()).unwrap();
        assert_eq!((summary.findings, summary.hosts), (1, 1));
    }

    #[test]
    fn a_v4_score_stands_in_when_there_is_no_3x_score() {
        let json = r#"[{"Target": "t", "Vulnerabilities": [{"VulnerabilityID": "GHSA-1",
            "CVSS": {"ghsa": {"V40Vector": "CVSS:4.0/AV:N", "V40Score": 5}}}]}]"#;
        let (_, findings) = read_all(json.as_bytes(), &ScanLimits::default()).unwrap();
        assert_eq!(findings[0].score, Some(5.0));
        assert!(findings[0].cves.is_empty());
    }

    #[test]
    fn structural_faults_are_named_with_their_place() {
        let limits = ScanLimits::default();
        for (json, place) in [
            (r#""a string""#, "(racine)"),
            ("null", "(racine)"),
            (r#"{"type": "bundle"}"#, "(racine)"),
            (
                r#"{"SchemaVersion": 2, "Results": [{"Target": "a"}, {"Target": "b",
                  "Vulnerabilities": [{"PkgName": "x"}]}]}"#,
                "Results[1].Vulnerabilities[0]",
            ),
            (
                r#"[{"Vulnerabilities": [{"VulnerabilityID": "CVE-2020-0001"}], "Target": "late"}]"#,
                "[0]",
            ),
            (
                r#"[{"Target": "t", "Misconfigurations": [{"Title": "no id"}]}]"#,
                "[0].Misconfigurations[0]",
            ),
        ] {
            match read_all(json.as_bytes(), &limits) {
                Err(ScanError::Structure { place: p, message }) => {
                    assert_eq!(p, place, "{json}");
                    assert!(!message.is_empty());
                }
                other => panic!("{json}: {other:?}"),
            }
        }
        // A Target after an empty list is fine.
        let json = r#"[{"Vulnerabilities": [], "Target": "late"}]"#;
        assert_eq!(read_all(json.as_bytes(), &limits).unwrap().0.hosts, 1);
    }

    #[test]
    fn a_truncated_report_is_a_syntax_error_with_its_line() {
        let bytes = shared("trivy/legacy_many_vulns.json");
        let half = &bytes[..bytes.len() / 2];
        let lines = half.iter().filter(|b| **b == b'\n').count() as u64;
        match read_all(half, &ScanLimits::default()) {
            Err(ScanError::Syntax { line, .. }) => assert_eq!(line, lines + 1),
            other => panic!("{other:?}"),
        }
        match read_all(b"[] trailing", &ScanLimits::default()) {
            Err(ScanError::Syntax {
                line: 1, column, ..
            }) => assert_eq!(column, 4),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_string_longer_than_the_limit_is_refused_where_it_begins() {
        let json = format!(
            "[{{\"Target\": \"t\",\n \"Vulnerabilities\": [{{\"VulnerabilityID\": \"CVE-2020-0001\",\n   \"Description\": \"{}\"}}]}}]",
            "x".repeat(2 * 1024 * 1024)
        );
        let mut calls = 0;
        let outcome = read(json.as_bytes(), &ScanLimits::default(), &mut |_| {
            calls += 1;
            Ok(())
        });
        match outcome {
            Err(ScanError::TextTooLong {
                line,
                column,
                limit,
            }) => {
                assert_eq!((line, column, limit), (3, 19, 1024 * 1024));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(calls, 0);
    }

    #[test]
    fn deep_nesting_is_refused_without_overflowing_the_stack() {
        let limits = ScanLimits::default();
        let deep = "[".repeat(10_000);
        assert!(read_all(deep.as_bytes(), &limits).is_err());
        let inside = format!("{{\"SchemaVersion\": 2, \"Metadata\": {deep}");
        assert!(matches!(
            read_all(inside.as_bytes(), &limits),
            Err(ScanError::Syntax { .. })
        ));
        let in_entry = format!(
            "[{{\"Target\": \"t\", \"Vulnerabilities\": [{{\"VulnerabilityID\": \"x\", \"Layer\": {}",
            "{\"a\":".repeat(10_000)
        );
        assert!(matches!(
            read_all(in_entry.as_bytes(), &limits),
            Err(ScanError::Syntax { .. })
        ));
    }

    #[test]
    fn the_sink_s_error_stops_the_reading() {
        let mut calls = 0;
        let outcome = read(
            &shared("trivy/legacy_many_vulns.json")[..],
            &ScanLimits::default(),
            &mut |_| {
                calls += 1;
                if calls == 2 {
                    Err("base indisponible".to_owned())
                } else {
                    Ok(())
                }
            },
        );
        match outcome {
            Err(ScanError::Sink(message)) => assert_eq!(message, "base indisponible"),
            other => panic!("{other:?}"),
        }
        assert_eq!(calls, 2);
    }

    #[test]
    fn the_findings_and_lists_are_capped() {
        let limits = ScanLimits {
            max_findings: 3,
            ..ScanLimits::default()
        };
        let mut calls = 0;
        let outcome = read(
            &shared("trivy/legacy_many_vulns.json")[..],
            &limits,
            &mut |_| {
                calls += 1;
                Ok(())
            },
        );
        assert!(matches!(
            outcome,
            Err(ScanError::TooManyFindings { limit: 3 })
        ));
        assert_eq!(calls, 3);

        let limits = ScanLimits {
            max_list: 2,
            ..ScanLimits::default()
        };
        let json = r#"[{"Target": "t", "Vulnerabilities": [{"VulnerabilityID": "x",
            "CweIDs": ["CWE-1", "CWE-2", "CWE-1", "CWE-3"]}]}]"#;
        match read_all(json.as_bytes(), &limits) {
            Err(ScanError::ListTooLong { what, limit: 2 }) => {
                assert_eq!(what, "[0].Vulnerabilities[0].CweIDs")
            }
            other => panic!("{other:?}"),
        }
    }

    fn check(bytes: &[u8], limits: &ScanLimits) {
        let mut count = 0;
        let outcome = read(bytes, limits, &mut |f| {
            assert!(!f.rule_id.trim().is_empty());
            assert!(f.cvss.len() <= limits.max_list && f.cwes.len() <= limits.max_list);
            count += 1;
            Ok(())
        });
        if let Ok(summary) = outcome {
            assert_eq!(summary.findings, count);
            assert!(count <= limits.max_findings);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn any_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            check(&bytes, &ScanLimits::default());
        }

        #[test]
        fn damaged_reports_never_panic(
            cut_at in any::<prop::sample::Index>(),
            flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
            legacy in any::<bool>(),
        ) {
            let mut bytes = shared(if legacy {
                "trivy/legacy_many_vulns.json"
            } else {
                "trivy/all_statuses.json"
            });
            bytes.truncate(cut_at.index(bytes.len() + 1));
            let len = bytes.len();
            for (at, value) in flips {
                if len > 0 {
                    bytes[at.index(len)] = value;
                }
            }
            let small = ScanLimits {
                max_text_bytes: 300,
                max_findings: 20,
                max_list: 2,
                ..ScanLimits::default()
            };
            check(&bytes, &small);
            check(&bytes, &ScanLimits::default());
        }
    }
}
