//! Nessus reports (`.nessus`, `NessusClientData_v2`): one finding per `ReportItem`.
//!
//! A `ReportHost` names the machine (`name`, then its `HostProperties` tags `host-ip`,
//! `host-fqdn`, `netbios-name`, which Nessus writes before the items). An item's plugin id is
//! its rule, its `severity` attribute (0 to 4: informational, low, medium, high, critical) its
//! severity, its port and protocol its port. Its vectors are kept as written: `cvss3_vector`
//! and `cvss4_vector` are scored on import, `cvss_vector` (CVSS 2, `CVSS2#…`) is kept as is;
//! its score is the CVSS 4, then 3, then 2 base score Nessus gives. CVEs come from `cve`
//! elements, CWEs from `cwe` elements and `xref` entries `CWE:n`.

use std::io::BufRead;
use std::net::IpAddr;

use rempart_domain::cvss::Severity;

use super::xml::{attribute, Node, XmlEvents};
use super::{
    cut, cve_id, push_unique, Emitter, Finding, Host, ReadSummary, ScanError, ScanFormat,
    ScanLimits, EVIDENCE_CHARS,
};

const ROOT: &str = "NessusClientData_v2";

fn severity(value: &str) -> Option<Severity> {
    Some(match value.trim() {
        "0" => Severity::None,
        "1" => Severity::Low,
        "2" => Severity::Medium,
        "3" => Severity::High,
        "4" => Severity::Critical,
        _ => return None,
    })
}

/// Scores by preference: the newest CVSS version Nessus gives.
#[derive(Default)]
struct Scores {
    v4: Option<f64>,
    v3: Option<f64>,
    v2: Option<f64>,
}

pub fn read<R: BufRead>(
    reader: R,
    limits: &ScanLimits,
    sink: &mut dyn FnMut(Finding) -> Result<(), String>,
) -> Result<ReadSummary, ScanError> {
    let mut xml = XmlEvents::new(reader, limits);
    let mut emitter = Emitter::new(sink, limits);
    let mut hosts = 0;
    let mut scopes = std::collections::BTreeSet::new();
    let mut host = Host::default();
    let mut tag: Option<String> = None;
    let mut item: Option<(Finding, Scores)> = None;
    let mut text = String::new();
    let mut root = false;
    loop {
        match xml.next()? {
            Node::Start { name, attributes } => {
                text.clear();
                if xml.path.len() == 1 {
                    if name != ROOT {
                        return Err(ScanError::Structure {
                            place: name,
                            message: format!("élément racine inattendu : {ROOT} attendu"),
                        });
                    }
                    root = true;
                }
                match name.as_str() {
                    "ReportHost" => {
                        hosts += 1;
                        let name = attribute(&attributes, "name").unwrap_or_default().trim();
                        host = Host::default();
                        if !name.is_empty() {
                            host.name = Some(name.to_owned());
                            if name.parse::<IpAddr>().is_ok() {
                                host.ip = Some(name.to_owned());
                            }
                        }
                    }
                    "tag" if container(&xml) == Some("HostProperties") => {
                        tag = attribute(&attributes, "name").map(str::to_owned);
                    }
                    "ReportItem" => {
                        let place = || xml.where_();
                        let Some(plugin) = attribute(&attributes, "pluginID")
                            .map(str::trim)
                            .filter(|p| !p.is_empty())
                        else {
                            return Err(ScanError::Structure {
                                place: place(),
                                message: "attribut pluginID absent".to_owned(),
                            });
                        };
                        let level = attribute(&attributes, "severity").unwrap_or("0");
                        let Some(level) = severity(level) else {
                            return Err(ScanError::Structure {
                                place: format!("{} (plugin {plugin})", place()),
                                message: format!(
                                    "attribut severity « {} » invalide (0 à 4)",
                                    cut(level, 20)
                                ),
                            });
                        };
                        let title = attribute(&attributes, "pluginName")
                            .map(str::trim)
                            .filter(|t| !t.is_empty())
                            .unwrap_or(plugin);
                        let mut finding =
                            Finding::new(ScanFormat::Nessus, plugin.to_owned(), title.to_owned());
                        finding.severity = level;

                        let port = attribute(&attributes, "port").unwrap_or("0").trim();
                        let protocol = attribute(&attributes, "protocol").unwrap_or("tcp").trim();
                        finding.port = Some(format!("{port}/{protocol}"));
                        item = Some((finding, Scores::default()));
                    }
                    _ => {}
                }
            }
            Node::Text(t) => text.push_str(&t),
            Node::End { name } => {
                let value = text.trim();
                if name == "tag" && parent(&xml) == Some("HostProperties") {
                    let value = (!value.is_empty()).then(|| value.to_owned());
                    match tag.take().as_deref() {
                        Some("host-ip") => host.ip = value.or(host.ip.take()),
                        Some("host-fqdn") => host.fqdn = value,
                        Some("netbios-name") if host.name.is_none() => host.name = value,
                        _ => {}
                    }
                } else if name == "HostProperties" {
                    // The items that follow carry the machine as its properties named it.
                } else if name == "ReportItem" {
                    if let Some((mut finding, scores)) = item.take() {
                        finding.host = host.clone();
                        finding.score = scores.v4.or(scores.v3).or(scores.v2);
                        emitter.emit(finding)?;
                    }
                } else if name == "ReportHost" {
                    let key = host.key();
                    if !key.is_empty() && !scopes.contains(&key) {
                        scopes.insert(key);
                    }
                    host = Host::default();
                } else if parent(&xml) == Some("ReportItem") {
                    if let Some((finding, scores)) = item.as_mut() {
                        field(finding, scores, &name, value, limits)?;
                    }
                }
                text.clear();
            }
            Node::Eof => break,
        }
    }
    if !root {
        return Err(ScanError::Structure {
            place: ROOT.to_owned(),
            message: "élément racine absent".to_owned(),
        });
    }
    Ok(ReadSummary {
        findings: emitter.count,
        hosts,
        scopes: scopes.into_iter().collect(),
    })
}

/// After an end: the element that held the one ended.
fn parent<R: std::io::Read>(xml: &XmlEvents<R>) -> Option<&str> {
    xml.path.last().map(String::as_str)
}

/// After a start: the element that holds the one started.
fn container<R: std::io::Read>(xml: &XmlEvents<R>) -> Option<&str> {
    xml.path.iter().rev().nth(1).map(String::as_str)
}

fn field(
    finding: &mut Finding,
    scores: &mut Scores,
    name: &str,
    value: &str,
    limits: &ScanLimits,
) -> Result<(), ScanError> {
    if value.is_empty() {
        return Ok(());
    }
    match name {
        "description" => finding.description = Some(value.to_owned()),
        "synopsis" if finding.description.is_none() => finding.description = Some(value.to_owned()),
        "solution" if value != "n/a" => finding.solution = Some(value.to_owned()),
        "plugin_output" => finding.evidence = Some(cut(value, EVIDENCE_CHARS)),
        "cve" => {
            if let Some(cve) = cve_id(value) {
                push_unique(&mut finding.cves, cve, "cve", limits)?;
            }
        }
        "cwe" => {
            let n = value.trim_start_matches("CWE-");
            if n.bytes().all(|b| b.is_ascii_digit()) {
                push_unique(&mut finding.cwes, format!("CWE-{n}"), "cwe", limits)?;
            }
        }
        "xref" => {
            if let Some(n) = value.strip_prefix("CWE:") {
                let n = n.trim();
                if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) {
                    push_unique(&mut finding.cwes, format!("CWE-{n}"), "xref", limits)?;
                }
            }
        }
        "cvss3_vector" | "cvss4_vector" | "cvss_vector" => {
            push_unique(&mut finding.cvss, value.to_owned(), name, limits)?;
        }
        "cvss4_base_score" => scores.v4 = score(value),
        "cvss3_base_score" => scores.v3 = score(value),
        "cvss_base_score" => scores.v2 = score(value),
        _ => {}
    }
    Ok(())
}

fn score(value: &str) -> Option<f64> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|s| (0.0..=10.0).contains(s))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    const SHARED: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/scans/nessus/nessus_nessus_v_unknown.xml"
    );

    fn all(bytes: &[u8], limits: &ScanLimits) -> Result<(Vec<Finding>, ReadSummary), ScanError> {
        let mut found = Vec::new();
        let summary = read(bytes, limits, &mut |f| {
            found.push(f);
            Ok(())
        })?;
        Ok((found, summary))
    }

    // REQ GMVI-05. Expected counts from the file itself, independently of this reader:
    // `grep -c '<ReportItem' ` gives 296, `grep -c '<ReportHost'` 7, and
    // `grep '<cve>' | sort -u` one CVE (CVE-2005-1794, on each of 7 hosts); severities by
    // `grep -o 'severity="[0-4]"' | sort | uniq -c`.
    #[test]
    fn the_shared_report_gives_every_item_with_its_host() {
        let bytes = std::fs::read(SHARED).unwrap();
        let (found, summary) = all(&bytes, &ScanLimits::default()).unwrap();
        assert_eq!(
            (summary.findings, summary.hosts, summary.scopes.len()),
            (296, 7, 7)
        );
        assert_eq!(found.len(), 296);
        let cves: HashSet<&str> = found
            .iter()
            .flat_map(|f| f.cves.iter().map(String::as_str))
            .collect();
        assert_eq!(cves, HashSet::from(["CVE-2005-1794"]));
        assert_eq!(found.iter().filter(|f| !f.cves.is_empty()).count(), 7);
        let hosts: HashSet<String> = found.iter().map(|f| f.host.key()).collect();
        assert_eq!(hosts.len(), 7);
        let by_severity = |s| found.iter().filter(|f| f.severity == s).count();
        let text = String::from_utf8_lossy(&bytes);
        for (s, level) in [
            (Severity::None, 0),
            (Severity::Low, 1),
            (Severity::Medium, 2),
            (Severity::High, 3),
            (Severity::Critical, 4),
        ] {
            assert_eq!(
                by_severity(s),
                text.matches(&format!("severity=\"{level}\" pluginID"))
                    .count(),
                "{s:?}"
            );
        }

        let mitm = found
            .iter()
            .find(|f| f.rule_id == "18405" && f.host.name.as_deref() == Some("qa3app09"))
            .unwrap();
        assert_eq!(
            mitm.title,
            "Microsoft Windows Remote Desktop Protocol Server Man-in-the-Middle Weakness"
        );
        assert_eq!(mitm.host.ip.as_deref(), Some("10.31.112.29"));
        assert_eq!(mitm.port.as_deref(), Some("3389/tcp"));
        assert_eq!(mitm.severity, Severity::Medium);
        assert_eq!(
            mitm.cvss,
            vec!["CVSS2#AV:N/AC:H/Au:N/C:P/I:P/A:P".to_owned()]
        );
        assert_eq!(mitm.score, Some(5.1));
        assert!(mitm.solution.is_some() && mitm.description.is_some());
        // An apostrophe written as &apos; in an attribute.
        assert!(
            found
                .iter()
                .any(|f| f.title
                    == "Terminal Services Doesn't Use Network Level Authentication (NLA)")
        );
    }

    #[test]
    fn white_space_between_references_is_kept() {
        let xml = b"<NessusClientData_v2><Report><ReportHost name=\"h\"><ReportItem pluginID=\"1\" severity=\"2\" pluginName=\"x\"><description>a &amp; b &lt;c&gt;\n  d</description></ReportItem></ReportHost></Report></NessusClientData_v2>";
        let (found, _) = all(xml, &ScanLimits::default()).unwrap();
        assert_eq!(found[0].description.as_deref(), Some("a & b <c>\n  d"));
    }

    #[test]
    fn a_truncated_report_is_refused_with_its_line() {
        let bytes = std::fs::read(SHARED).unwrap();
        let half = &bytes[..bytes.len() / 2];
        match all(half, &ScanLimits::default()) {
            Err(ScanError::Syntax { line, message, .. }) => {
                assert!(line > 1000, "{line}");
                assert!(!message.is_empty());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn entities_are_refused_before_anything_is_expanded() {
        let laughs = br#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<NessusClientData_v2><Report><ReportHost name="h"><ReportItem pluginID="1" severity="2" pluginName="&lol2;"/></ReportHost></Report></NessusClientData_v2>"#;
        assert!(matches!(
            all(laughs, &ScanLimits::default()),
            Err(ScanError::DocType { line: 2, .. })
        ));
        let external = br#"<NessusClientData_v2><Report><ReportHost name="h"><ReportItem pluginID="1" severity="2" pluginName="&xxe;"/></ReportHost></Report></NessusClientData_v2>"#;
        assert!(matches!(
            all(external, &ScanLimits::default()),
            Err(ScanError::Syntax { .. })
        ));
    }

    #[test]
    fn huge_texts_and_deep_nesting_are_refused() {
        let mut huge = b"<NessusClientData_v2><Report><ReportHost name=\"h\"><ReportItem pluginID=\"1\" severity=\"2\"><plugin_output>".to_vec();
        huge.extend(std::iter::repeat_n(b'a', 3 * 1024 * 1024));
        huge.extend(b"</plugin_output></ReportItem></ReportHost></Report></NessusClientData_v2>");
        assert!(matches!(
            all(&huge, &ScanLimits::default()),
            Err(ScanError::TextTooLong { line: 1, .. })
        ));

        let deep = format!("<NessusClientData_v2>{}", "<a>".repeat(100_000));
        assert!(matches!(
            all(deep.as_bytes(), &ScanLimits::default()),
            Err(ScanError::TooDeep { limit: 256, .. })
        ));

        // References join text runs: each run is short, their sum is not.
        let mut joined = b"<NessusClientData_v2><Report><ReportHost name=\"h\"><ReportItem pluginID=\"1\" severity=\"2\"><plugin_output>".to_vec();
        for _ in 0..200_000 {
            joined.extend(b"aaaaaaaaaa&amp;");
        }
        joined.extend(b"</plugin_output></ReportItem></ReportHost></Report></NessusClientData_v2>");
        assert!(matches!(
            all(&joined, &ScanLimits::default()),
            Err(ScanError::TextTooLong { .. })
        ));
    }

    #[test]
    fn structural_faults_name_their_element() {
        let no_plugin = br#"<NessusClientData_v2><Report><ReportHost name="h"><ReportItem severity="2"/></ReportHost></Report></NessusClientData_v2>"#;
        match all(no_plugin, &ScanLimits::default()) {
            Err(ScanError::Structure { place, message }) => {
                assert_eq!(place, "NessusClientData_v2/Report/ReportHost/ReportItem");
                assert!(message.contains("pluginID"));
            }
            other => panic!("{other:?}"),
        }
        let bad_severity = br#"<NessusClientData_v2><Report><ReportHost name="h"><ReportItem pluginID="7" severity="9"/></ReportHost></Report></NessusClientData_v2>"#;
        assert!(
            matches!(all(bad_severity, &ScanLimits::default()), Err(ScanError::Structure { message, .. }) if message.contains("« 9 »"))
        );
        let other_root = br#"<report id="x"><results/></report>"#;
        assert!(matches!(
            all(other_root, &ScanLimits::default()),
            Err(ScanError::Structure { .. })
        ));
        assert!(matches!(
            all(b"", &ScanLimits::default()),
            Err(ScanError::Structure { .. })
        ));
    }

    #[test]
    fn the_sink_and_the_limits_stop_the_reading() {
        let bytes = std::fs::read(SHARED).unwrap();
        let mut calls = 0;
        let stopped = read(&bytes[..], &ScanLimits::default(), &mut |_| {
            calls += 1;
            if calls == 5 {
                Err("plein".into())
            } else {
                Ok(())
            }
        });
        assert!(matches!(stopped, Err(ScanError::Sink(m)) if m == "plein"));
        assert_eq!(calls, 5);
        let limits = ScanLimits {
            max_findings: 3,
            ..ScanLimits::default()
        };
        assert!(matches!(
            all(&bytes, &limits),
            Err(ScanError::TooManyFindings { limit: 3 })
        ));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        // Any cut or change of the shared report: findings or a named fault, never a panic.
        #[test]
        fn a_damaged_report_never_panics(cut_at in 0usize..961_807, flip in 0usize..961_807, byte in proptest::prelude::any::<u8>()) {
            let mut bytes = std::fs::read(SHARED).unwrap();
            let flip = flip % bytes.len();
            bytes[flip] = byte;
            bytes.truncate(cut_at.min(bytes.len()));
            let _ = all(&bytes, &ScanLimits::default());
        }
    }
}
