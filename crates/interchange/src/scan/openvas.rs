//! Greenbone/OpenVAS reports (GMP XML, `<report>` or the `<get_reports_response>` around it):
//! one finding per `result` of a `results` list.
//!
//! A result names its machine in `host` (the address as text, then `hostname`), its port
//! (`443/tcp`, `general/tcp`), and its NVT (`nvt oid=…`, the rule), with the NVT's name,
//! `cvss_base`, `tags` (`summary=…|insight=…|solution=…`), `solution` (GMP 9 and later),
//! `refs` (`ref type="cve"`, `type="cwe"`) or the older comma-separated `cve` element, and
//! `severities` (vectors, `CVSS:3.1/…` kept as written, a bare CVSS 2 vector as `CVSS2#…`).
//! The result's `severity` is its score (−1 to 10; below 0 for log and false positives, which
//! count as informational); its `description` is the scanner's evidence. Results nested in
//! a result (the `delta` of a delta report) are not findings of this report.
//! Hosts are the distinct addresses of the report's `host` sections and of its results.

use std::collections::HashSet;
use std::io::BufRead;

use rempart_domain::cvss::Severity;

use super::xml::{attribute, Node, XmlEvents};
use super::{
    cut, cve_id, push_unique, Emitter, Finding, ReadSummary, ScanError, ScanFormat, ScanLimits,
    EVIDENCE_CHARS,
};

struct Current {
    finding: Finding,
    /// Index in the element path of the `result` element.
    depth: usize,
    name: Option<String>,
    nvt_name: Option<String>,
    cvss_base: Option<f64>,
    host_text: String,
}

pub fn read<R: BufRead>(
    reader: R,
    limits: &ScanLimits,
    sink: &mut dyn FnMut(Finding) -> Result<(), String>,
) -> Result<ReadSummary, ScanError> {
    let mut xml = XmlEvents::new(reader, limits);
    let mut emitter = Emitter::new(sink, limits);
    let mut hosts: HashSet<String> = HashSet::new();
    let mut current: Option<Current> = None;
    let mut text = String::new();
    let mut root = false;
    loop {
        match xml.next()? {
            Node::Start { name, attributes } => {
                text.clear();
                if xml.path.len() == 1 {
                    if name != "report" && name != "get_reports_response" {
                        return Err(ScanError::Structure {
                            place: name,
                            message: "élément racine inattendu : report attendu".to_owned(),
                        });
                    }
                    root = true;
                }
                let depth = xml.path.len() - 1;
                let container = xml.path.iter().rev().nth(1).map(String::as_str);
                match current.as_mut() {
                    None if name == "result" && container == Some("results") => {
                        current = Some(Current {
                            finding: Finding::new(
                                ScanFormat::Openvas,
                                String::new(),
                                String::new(),
                            ),
                            depth,
                            name: None,
                            nvt_name: None,
                            cvss_base: None,
                            host_text: String::new(),
                        });
                    }
                    Some(c) if name == "nvt" && depth == c.depth + 1 => {
                        if let Some(oid) = attribute(&attributes, "oid") {
                            c.finding.rule_id = oid.trim().to_owned();
                        }
                    }
                    Some(c)
                        if name == "ref"
                            && relative(&xml.path, c.depth) == ["nvt", "refs", "ref"] =>
                    {
                        let id = attribute(&attributes, "id").unwrap_or_default();
                        match attribute(&attributes, "type")
                            .map(str::to_ascii_lowercase)
                            .as_deref()
                        {
                            Some("cve") => {
                                if let Some(cve) = cve_id(id) {
                                    push_unique(&mut c.finding.cves, cve, "refs", limits)?;
                                }
                            }
                            Some("cwe") => {
                                let n = id.trim().trim_start_matches("CWE-");
                                if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) {
                                    push_unique(
                                        &mut c.finding.cwes,
                                        format!("CWE-{n}"),
                                        "refs",
                                        limits,
                                    )?;
                                }
                            }
                            _ => {}
                        }
                    }
                    _ => {}
                }
            }
            Node::Text(t) => {
                if let Some(c) = current.as_mut() {
                    // The address is the host element's own text, before its children.
                    if xml.path.len() == c.depth + 2 && xml.path.last().is_some_and(|n| n == "host")
                    {
                        c.host_text.push_str(&t);
                    }
                }
                text.push_str(&t);
                if text.len() > limits.max_text_bytes {
                    return Err(xml.syntax("texte trop long"));
                }
            }
            Node::End { name } => {
                let value = text.trim().to_owned();
                text.clear();
                let Some(c) = current.as_mut() else {
                    // A host section of the report: <host><ip>…</ip>…</host>.
                    if name == "ip"
                        && xml.path.last().is_some_and(|p| p == "host")
                        && !value.is_empty()
                    {
                        add_host(&mut hosts, value.to_lowercase(), limits)?;
                    }
                    continue;
                };
                if xml.path.len() == c.depth {
                    // The result itself ends.
                    if let Some(c) = current.take() {
                        let finding = finish(c, &xml)?;
                        if !finding.host.is_empty() {
                            add_host(&mut hosts, finding.host.key(), limits)?;
                        }
                        emitter.emit(finding)?;
                    }
                    continue;
                }
                let mut path: Vec<&str> = relative(&xml.path, c.depth);
                path.push(&name);
                field(c, &path, &value, limits)?;
            }
            Node::Eof => break,
        }
    }
    if !root {
        return Err(ScanError::Structure {
            place: "report".to_owned(),
            message: "élément racine absent".to_owned(),
        });
    }
    let mut scopes: Vec<String> = hosts.into_iter().collect();
    scopes.sort();
    Ok(ReadSummary {
        findings: emitter.count,
        hosts: scopes.len(),
        scopes,
    })
}

/// The path below the result: `["nvt", "refs"]` for `…/result/nvt/refs`.
fn relative(path: &[String], depth: usize) -> Vec<&str> {
    path.iter().skip(depth + 1).map(String::as_str).collect()
}

fn add_host(
    hosts: &mut HashSet<String>,
    key: String,
    limits: &ScanLimits,
) -> Result<(), ScanError> {
    if hosts.len() >= limits.max_findings && !hosts.contains(&key) {
        return Err(ScanError::ListTooLong {
            what: "hôtes".to_owned(),
            limit: limits.max_findings,
        });
    }
    hosts.insert(key);
    Ok(())
}

fn field(
    c: &mut Current,
    path: &[&str],
    value: &str,
    limits: &ScanLimits,
) -> Result<(), ScanError> {
    if value.is_empty() {
        return Ok(());
    }
    let f = &mut c.finding;
    match path {
        ["name"] => c.name = Some(value.to_owned()),
        ["hostname"] | ["host", "hostname"] => f.host.name = Some(value.to_owned()),
        ["port"] => f.port = Some(value.to_owned()),
        ["severity"] => {
            let score = value
                .parse::<f64>()
                .ok()
                .filter(|s| s.is_finite() && (-10.0..=10.0).contains(s));
            f.score = score.filter(|s| *s >= 0.0);
            f.severity = Severity::from_score(f.score.unwrap_or(0.0));
        }
        ["description"] => f.evidence = Some(cut(value, EVIDENCE_CHARS)),
        ["nvt", "name"] => c.nvt_name = Some(value.to_owned()),
        ["nvt", "cvss_base"] => {
            c.cvss_base = value
                .parse::<f64>()
                .ok()
                .filter(|s| (0.0..=10.0).contains(s))
        }
        ["nvt", "solution"] => f.solution = Some(value.to_owned()),
        ["nvt", "tags"] => tags(f, value),
        ["nvt", "cve"] => {
            for id in value.split(',') {
                if let Some(cve) = cve_id(id) {
                    push_unique(&mut f.cves, cve, "cve", limits)?;
                }
            }
        }
        ["nvt", "severities", "severity", "value"] => {
            let vector = if value.starts_with("CVSS:") {
                value.to_owned()
            } else if value.starts_with("AV:") {
                format!("CVSS2#{value}")
            } else {
                return Ok(());
            };
            push_unique(&mut f.cvss, vector, "severities", limits)?;
        }
        _ => {}
    }
    Ok(())
}

/// `summary=…|insight=…|solution=…|…`: the summary and insight describe, the solution says
/// what to do (unless the solution element said it already).
fn tags(f: &mut Finding, value: &str) {
    let mut summary = None;
    let mut insight = None;
    for part in value.split('|') {
        if let Some((key, text)) = part.split_once('=') {
            let text = text.trim();
            match key.trim() {
                "summary" => summary = Some(text),
                "insight" => insight = Some(text),
                "solution" if f.solution.is_none() && !text.is_empty() => {
                    f.solution = Some(text.to_owned())
                }
                _ => {}
            }
        }
    }
    let description: Vec<&str> = [summary, insight]
        .into_iter()
        .flatten()
        .filter(|t| !t.is_empty())
        .collect();
    if !description.is_empty() {
        f.description = Some(description.join("\n\n"));
    }
}

fn finish<R: std::io::Read>(c: Current, xml: &XmlEvents<R>) -> Result<Finding, ScanError> {
    let mut f = c.finding;
    if f.rule_id.is_empty() {
        return Err(ScanError::Structure {
            place: format!("{}/result", xml.where_()),
            message: "NVT (attribut oid) absent".to_owned(),
        });
    }
    let ip = c.host_text.trim();
    if !ip.is_empty() {
        f.host.ip = Some(ip.to_owned());
    }
    f.title = c.name.or(c.nvt_name).unwrap_or_else(|| f.rule_id.clone());
    if f.score.is_none() {
        f.score = c.cvss_base;
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    const DIR: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/scans/openvas/"
    );

    fn all(bytes: &[u8]) -> Result<(Vec<Finding>, ReadSummary), ScanError> {
        let mut found = Vec::new();
        let summary = read(bytes, &ScanLimits::default(), &mut |f| {
            found.push(f);
            Ok(())
        })?;
        Ok((found, summary))
    }

    // REQ GMVI-05. Expected counts established with python3's xml.dom.minidom, independently
    // of this reader: `result` elements whose parent is `results` (1 and 44), the distinct
    // texts of their `host` (one machine each), the distinct `ref type="cve"` ids (12 and 46),
    // and the `severity` values (one 10.0; 19 of 44 at 7.0 or more in many_vuln.xml).
    #[test]
    fn the_shared_reports_give_every_result() {
        for (file, findings, cves, high_or_critical) in
            [("one_vuln.xml", 1, 12, 1), ("many_vuln.xml", 44, 46, 19)]
        {
            let bytes = std::fs::read(format!("{DIR}{file}")).unwrap();
            let (found, summary) = all(&bytes).unwrap();
            assert_eq!((summary.findings, summary.hosts), (findings, 1), "{file}");
            let distinct: HashSet<&str> = found
                .iter()
                .flat_map(|f| f.cves.iter().map(String::as_str))
                .collect();
            assert_eq!(distinct.len(), cves, "{file}");
            assert_eq!(
                found
                    .iter()
                    .filter(|f| f.severity >= Severity::High)
                    .count(),
                high_or_critical,
                "{file}"
            );
            assert!(
                found
                    .iter()
                    .all(|f| f.rule_id.starts_with("1.3.6.1.4.1.25623.")),
                "{file}"
            );
        }
        let bytes = std::fs::read(format!("{DIR}one_vuln.xml")).unwrap();
        let (found, _) = all(&bytes).unwrap();
        let f = &found[0];
        assert_eq!(
            f.title,
            "Mozilla Firefox Security Update (mfsa_2023-32_2023-36) - Windows"
        );
        assert_eq!(f.rule_id, "1.3.6.1.4.1.25623.1.0.832260");
        assert_eq!(f.host.ip.as_deref(), Some("10.0.101.2"));
        assert_eq!(f.port.as_deref(), Some("general/tcp"));
        assert_eq!((f.score, f.severity), (Some(10.0), Severity::Critical));
        assert_eq!(
            f.solution.as_deref(),
            Some(
                "Upgrade to version 117 or later,\nPlease see the references for more information."
            )
        );
        assert!(f
            .description
            .as_deref()
            .unwrap()
            .starts_with("Mozilla Firefox is prone to multiple vulnerabilities."));
        assert!(f
            .evidence
            .as_deref()
            .unwrap()
            .starts_with("Installed version: 116.0.3"));
        assert_eq!(f.cves.first().map(String::as_str), Some("CVE-2023-4573"));
    }

    #[test]
    fn damaged_reports_are_refused_with_their_place() {
        let bytes = std::fs::read(format!("{DIR}many_vuln.xml")).unwrap();
        assert!(
            matches!(all(&bytes[..bytes.len() / 2]), Err(ScanError::Syntax { line, .. }) if line > 100)
        );
        let no_oid = br#"<report><report><results><result><name>x</name><host>10.0.0.1</host><nvt><name>x</name></nvt></result></results></report></report>"#;
        match all(no_oid) {
            Err(ScanError::Structure { place, message }) => {
                assert_eq!(place, "report/report/results/result");
                assert!(message.contains("oid"));
            }
            other => panic!("{other:?}"),
        }
        let doctype = b"<!DOCTYPE report SYSTEM \"file:///etc/passwd\"><report/>";
        assert!(matches!(all(doctype), Err(ScanError::DocType { .. })));
        assert!(matches!(
            all(b"<NessusClientData_v2/>"),
            Err(ScanError::Structure { .. })
        ));
    }

    #[test]
    fn a_delta_result_is_not_a_finding_and_old_cve_lists_are_read() {
        let xml = br#"<get_reports_response status="200"><report><report><results>
<result id="a"><name>Old</name><host>10.0.0.9<hostname>srv9</hostname></host><port>443/tcp</port>
<nvt oid="1.3.6.1.4.1.25623.1.0.1"><name>Old</name><cvss_base>5.0</cvss_base><cve>CVE-2014-0160, NOCVE</cve>
<severities score="5.0"><severity type="cvss_base_v2"><value>AV:N/AC:L/Au:N/C:P/I:N/A:N</value></severity></severities></nvt>
<severity>-1.0</severity><delta>changed<result id="b"><name>Inner</name></result></delta></result>
</results><host><ip>10.0.0.9</ip></host><host><ip>10.0.0.10</ip></host></report></report></get_reports_response>"#;
        let (found, summary) = all(xml).unwrap();
        assert_eq!(
            summary.scopes,
            vec!["10.0.0.10".to_owned(), "10.0.0.9".to_owned()]
        );
        assert_eq!((summary.findings, summary.hosts), (1, 2));
        let f = &found[0];
        assert_eq!(f.cves, vec!["CVE-2014-0160".to_owned()]);
        assert_eq!(f.cvss, vec!["CVSS2#AV:N/AC:L/Au:N/C:P/I:N/A:N".to_owned()]);
        assert_eq!((f.severity, f.score), (Severity::None, Some(5.0)));
        assert_eq!(f.host.name.as_deref(), Some("srv9"));
        assert_eq!(f.host.ip.as_deref(), Some("10.0.0.9"));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        #[test]
        fn a_damaged_report_never_panics(cut_at in 0usize..135_468, flip in 0usize..135_468, byte in proptest::prelude::any::<u8>()) {
            let mut bytes = std::fs::read(format!("{DIR}many_vuln.xml")).unwrap();
            let flip = flip % bytes.len();
            bytes[flip] = byte;
            bytes.truncate(cut_at.min(bytes.len()));
            let _ = all(&bytes);
        }
    }
}
