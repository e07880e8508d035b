//! Scanner reports imported into a body's vulnerabilities (issue 8, GMVI-05), on the engine
//! under test: the counts of each shared report, deduplication across imports, fixed and
//! reopened findings, the statement budget, and hostile files that leave nothing written.

use std::io::Cursor;

use chrono::NaiveDate;
use rempart_domain::cvss::Severity;
use rempart_interchange::scan::ScanFormat;
use rempart_storage::scope::Scope;
use rempart_storage::vuln_import::ImportReport;
use rempart_storage::AuditContext;
use rempart_web::scan_import::{self, ScanFile, ScanImportError};
use sqlx::Row;

use crate::kit::*;

const SCANS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/scans/");
const BODY: &str = "ministere-fictif-des-ressources";

fn shared(file: &str) -> Vec<u8> {
    std::fs::read(format!("{SCANS}{file}")).unwrap()
}

async fn import_bytes(
    app: &TestApp,
    org: &str,
    name: &str,
    bytes: Vec<u8>,
) -> Result<ImportReport, ScanImportError> {
    scan_import::import(
        &app.store,
        Scope::LocalAdministrator,
        AuditContext::system("test"),
        ScanFile {
            reader: Cursor::new(bytes),
            file_name: name.to_owned(),
            format: None,
            org_id: app.org_id(org).await,
            min_severity: Severity::Low,
            today: NaiveDate::from_ymd_opt(2026, 12, 4).unwrap(),
        },
    )
    .await
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .try_get::<i64, _>(0)
        .unwrap()
}

/// Rows that an import writes, and the audit chain's length: what "nothing written" compares.
async fn written(app: &TestApp) -> (i64, i64, i64, i64, i64) {
    (
        count(app, "SELECT COUNT(*) FROM vulnerabilities").await,
        count(app, "SELECT COUNT(*) FROM scan_imports").await,
        count(app, "SELECT COUNT(*) FROM scan_unmatched_hosts").await,
        count(app, "SELECT COUNT(*) FROM vulnerability_history").await,
        app.audit_seq().await,
    )
}

// REQ GMVI-05: each shared report imports with its counts, established from the files
// independently of the readers (grep and python3's json module; see the readers' tests):
// Nessus 296 items of which 30 with severity 1 to 4 on 7 hosts, one CVE; OpenVAS 1 and 44
// results (12 and 46 CVEs); Trivy 8 (7 CVEs) and 93 of which one UNKNOWN (TEMP-0981404-911A2F,
// 55 CVEs); SARIF 1 and 72 results (37 files). Importing again creates nothing: every finding
// is seen again.
#[tokio::test]
async fn each_shared_report_imports_with_its_counts_and_again_without_duplicates() {
    let app = TestApp::spawn().await;
    // (file, format, findings, informational, created, hosts, cves)
    let cases = [
        (
            "nessus/nessus_nessus_v_unknown.xml",
            "nessus",
            296,
            266,
            30,
            7,
            1,
        ),
        ("openvas/one_vuln.xml", "openvas", 1, 0, 1, 1, 12),
        ("openvas/many_vuln.xml", "openvas", 44, 0, 44, 1, 46),
        ("trivy/all_statuses.json", "trivy", 8, 0, 8, 1, 7),
        ("trivy/legacy_many_vulns.json", "trivy", 93, 1, 92, 1, 55),
        ("sarif/appendix_k.sarif", "sarif", 1, 0, 1, 1, 0),
        ("sarif/codeQL-output.sarif", "sarif", 72, 0, 72, 37, 0),
    ];
    // Each report goes to a body of its own, so that two reports of a format do not cover
    // each other's scope.
    let bodies = [BODY, "agence-fictive-de-la-sante"];
    let mut total = 0;
    for (i, (file, format, findings, informational, created, hosts, cves)) in
        cases.into_iter().enumerate()
    {
        let org = bodies[i % 2];
        let before = count(&app, "SELECT COUNT(*) FROM vulnerabilities").await;
        let first = import_bytes(&app, org, file, shared(file)).await.unwrap();
        assert_eq!(
            (
                first.findings,
                first.informational,
                first.created,
                first.hosts,
                first.cves
            ),
            (findings, informational, created, hosts, cves),
            "{file}"
        );
        assert_eq!(
            (first.seen_again, first.fixed, first.reopened),
            (0, 0, 0),
            "{file}"
        );
        let stored = count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM vulnerabilities WHERE source = '{format}' AND first_import_id = {}",
                first.import_id
            ),
        )
        .await;
        assert_eq!(stored, created as i64, "{file}");
        total += created as i64;
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM vulnerabilities").await,
            before + created as i64
        );

        let again = import_bytes(&app, org, file, shared(file)).await.unwrap();
        assert_eq!(
            (again.created, again.seen_again, again.fixed, again.reopened),
            (0, created, 0, 0),
            "{file} again"
        );
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM vulnerabilities").await,
            total,
            "{file} again"
        );
    }

    // The import is on record: its file's SHA-256, its counts, and one audit entry each.
    let row = sqlx::query(
        "SELECT file_sha256, findings, created_count, unmatched_hosts FROM scan_imports \
         WHERE format = 'nessus' ORDER BY id LIMIT 1",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    let sha: String = row.try_get("file_sha256").unwrap();
    use sha2::Digest;
    assert_eq!(
        sha,
        hex::encode(sha2::Sha256::digest(shared(
            "nessus/nessus_nessus_v_unknown.xml"
        )))
    );
    assert_eq!(row.try_get::<i64, _>("findings").unwrap(), 296);
    assert_eq!(row.try_get::<i64, _>("unmatched_hosts").unwrap(), 7);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_entries WHERE action = 'scan.import'"
        )
        .await,
        14
    );
    // A Trivy finding keeps its package, the version that fixes it and its scored vector.
    let row = sqlx::query(
        "SELECT package, fixed_version, cvss_vector, score_tenths, severity, due_on FROM vulnerabilities \
         WHERE source = 'trivy' AND rule_id = 'CVE-2011-3374' ORDER BY id LIMIT 1",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(row.try_get::<String, _>("package").unwrap(), "apt 1.8.2.3");
    assert_eq!(
        row.try_get::<String, _>("cvss_vector").unwrap(),
        "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:L/A:N"
    );
    assert_eq!(
        row.try_get::<Option<i64>, _>("score_tenths").unwrap(),
        Some(37)
    );
    assert_eq!(row.try_get::<String, _>("severity").unwrap(), "low");
    // Low: 180 days from the import's day.
    assert_eq!(
        row.try_get::<Option<String>, _>("due_on")
            .unwrap()
            .as_deref(),
        Some("2027-06-02")
    );
}

/// The shared Nessus report without the items of `plugin` on `host`, or without `host`.
fn nessus_without(plugin: Option<&str>, host: &str) -> Vec<u8> {
    let text = String::from_utf8(shared("nessus/nessus_nessus_v_unknown.xml")).unwrap();
    let start = text.find(&format!("<ReportHost name=\"{host}\">")).unwrap();
    let end = start + text[start..].find("</ReportHost>").unwrap() + "</ReportHost>".len();
    let Some(plugin) = plugin else {
        return format!("{}{}", &text[..start], &text[end..]).into_bytes();
    };
    let section = &text[start..end];
    let marker = format!("pluginID=\"{plugin}\"");
    let at = section.find(&marker).unwrap();
    let item_start = section[..at].rfind("<ReportItem").unwrap();
    let item_end = at + section[at..].find("</ReportItem>").unwrap() + "</ReportItem>".len();
    format!(
        "{}{}{}{}",
        &text[..start],
        &section[..item_start],
        &section[item_end..],
        &text[end..]
    )
    .into_bytes()
}

// REQ GMVI-05: a finding absent from a new scan of its host is fixed; one of a host the new
// scan did not cover is left alone; a fixed finding that comes back is reopened; a finding
// matches its asset by the address of the machine.
#[tokio::test]
async fn absent_findings_are_fixed_per_host_and_come_back_reopened() {
    let app = TestApp::spawn().await;
    let asset = asset_id(&app, "Système de paie").await;
    sqlx::query(
        "INSERT INTO asset_identifiers (asset_id, kind, value) VALUES ($1, 'ip', '10.31.112.29')",
    )
    .bind(asset)
    .execute(app.store.pool())
    .await
    .unwrap();
    let full = shared("nessus/nessus_nessus_v_unknown.xml");
    let first = import_bytes(&app, BODY, "full.nessus", full.clone())
        .await
        .unwrap();
    assert_eq!(first.created, 30);
    assert_eq!(
        first.unmatched_hosts.len(),
        6,
        "qa3app09 is the payroll system"
    );
    assert!(first
        .unmatched_hosts
        .iter()
        .all(|h| h.host_key != "10.31.112.29"));
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM vulnerabilities WHERE asset_id = {asset}")
        )
        .await,
        5
    );
    // The payroll system is classified 3/3/3 (the top of the default scale): its medium
    // findings are due in 45 days rather than 90.
    assert_eq!(
        count(&app, &format!("SELECT COUNT(*) FROM vulnerabilities WHERE asset_id = {asset} AND severity = 'medium' AND due_on = '2027-01-18'")).await,
        count(&app, &format!("SELECT COUNT(*) FROM vulnerabilities WHERE asset_id = {asset} AND severity = 'medium'")).await,
    );

    // The RDP man-in-the-middle weakness (plugin 18405) is gone from qa3app01.
    let fixed = import_bytes(
        &app,
        BODY,
        "fixed.nessus",
        nessus_without(Some("18405"), "qa3app01"),
    )
    .await
    .unwrap();
    assert_eq!(
        (fixed.created, fixed.seen_again, fixed.fixed, fixed.reopened),
        (0, 29, 1, 0)
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM vulnerabilities WHERE status = 'fixed' AND rule_id = '18405' AND host_key = '10.31.112.21'").await,
        1
    );

    // A scan without qa3app02 fixes nothing of qa3app02's.
    let partial = import_bytes(
        &app,
        BODY,
        "partial.nessus",
        nessus_without(None, "qa3app02"),
    )
    .await
    .unwrap();
    assert_eq!(
        (partial.fixed, partial.reopened, partial.seen_again),
        (0, 1, 25)
    );

    // Back in full: nothing new, nothing reopened (it already was), all seen.
    let back = import_bytes(&app, BODY, "full.nessus", full).await.unwrap();
    assert_eq!(
        (back.created, back.fixed, back.reopened, back.seen_again),
        (0, 0, 0, 30)
    );
    let history = count(
        &app,
        "SELECT COUNT(*) FROM vulnerability_history h JOIN vulnerabilities v ON v.id = h.vulnerability_id \
         WHERE v.rule_id = '18405' AND v.host_key = '10.31.112.21'",
    )
    .await;
    assert_eq!(history, 3, "created, fixed, reopened");
}

/// A Nessus report of `hosts` machines with `per_host` findings each.
fn synthetic_nessus(hosts: usize, per_host: usize) -> Vec<u8> {
    let mut out = String::from(
        "<?xml version=\"1.0\" ?>\n<NessusClientData_v2><Report name=\"synthetic\">\n",
    );
    for h in 0..hosts {
        out.push_str(&format!(
            "<ReportHost name=\"host{h}\"><HostProperties><tag name=\"host-ip\">10.{}.{}.{}</tag></HostProperties>\n",
            h / 65536 % 256,
            h / 256 % 256,
            h % 256
        ));
        for i in 0..per_host {
            out.push_str(&format!(
                "<ReportItem port=\"{}\" svc_name=\"www\" protocol=\"tcp\" severity=\"{}\" pluginID=\"{}\" pluginName=\"Plugin {i}\" pluginFamily=\"General\">\
                 <description>Finding {i} on host {h}</description><solution>Patch.</solution><cve>CVE-2024-{:04}</cve>\
                 <cvss3_vector>CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H</cvss3_vector></ReportItem>\n",
                443 + i % 3,
                1 + i % 4,
                10_000 + i,
                i % 9000 + 1
            ));
        }
        out.push_str("</ReportHost>\n");
    }
    out.push_str("</Report></NessusClientData_v2>\n");
    out.into_bytes()
}

// Issue 8: statements are batched, a budget per 1,000 findings, whatever the file's size.
#[tokio::test]
async fn an_import_holds_its_statement_budget() {
    let app = TestApp::spawn().await;
    let file = synthetic_nessus(50, 200);
    let first = import_bytes(&app, BODY, "big.nessus", file.clone())
        .await
        .unwrap();
    assert_eq!((first.findings, first.created), (10_000, 10_000));
    assert!(
        first.statements <= 10 * 10 + 20,
        "{} statements for 10,000 findings",
        first.statements
    );
    let again = import_bytes(&app, BODY, "big.nessus", file).await.unwrap();
    assert_eq!((again.created, again.seen_again), (0, 10_000));
    assert!(
        again.statements <= 10 * 10 + 20,
        "{} statements again",
        again.statements
    );
}

// Issue 8: a truncated, malformed or hostile file is refused cleanly, naming its place, with
// nothing written; a store fault midway (an unknown organization) writes nothing either.
#[tokio::test]
async fn hostile_files_are_refused_and_leave_nothing_written() {
    let app = TestApp::spawn().await;
    import_bytes(
        &app,
        BODY,
        "seed.nessus",
        shared("nessus/nessus_nessus_v_unknown.xml"),
    )
    .await
    .unwrap();
    let before = written(&app).await;
    let nessus = shared("nessus/nessus_nessus_v_unknown.xml");
    let trivy = shared("trivy/legacy_many_vulns.json");
    let mut huge_json = br#"{"SchemaVersion": 2, "Results": [{"Target": "x", "Vulnerabilities": [{"VulnerabilityID": "CVE-2024-0001", "Description": ""#.to_vec();
    huge_json.extend(std::iter::repeat_n(b'a', 3 * 1024 * 1024));
    huge_json.extend(br#""}]}]}"#);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("truncated.nessus", nessus[..nessus.len() * 2 / 3].to_vec(), "ligne "),
        ("truncated.json", trivy[..trivy.len() / 2].to_vec(), "ligne "),
        (
            "laughs.nessus",
            br#"<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><NessusClientData_v2><Report><ReportHost name="h"><ReportItem pluginID="1" severity="4" pluginName="&b;"/></ReportHost></Report></NessusClientData_v2>"#.to_vec(),
            "DOCTYPE",
        ),
        (
            "deep.nessus",
            format!("<NessusClientData_v2>{}", "<x>".repeat(50_000)).into_bytes(),
            "niveaux",
        ),
        (
            "deep.json",
            format!("{{\"SchemaVersion\": 2, \"Results\": {}", "[".repeat(50_000)).into_bytes(),
            "ligne 1",
        ),
        ("huge.json", huge_json, "octets"),
        ("garbage.bin", vec![0xff, 0xfe, 0x00, 0x42, 0x13], "format de rapport non reconnu"),
    ];
    for (name, bytes, expected) in cases {
        let err = import_bytes(&app, BODY, name, bytes).await.unwrap_err();
        let message = err.message(rempart_domain::language::Language::Fr);
        assert!(message.contains(expected), "{name}: {message}");
        assert_eq!(written(&app).await, before, "{name} wrote something");
    }
    // Half of a valid file that breaks after the first batches were written to the store.
    let big = synthetic_nessus(30, 300);
    let err = import_bytes(&app, BODY, "cut.nessus", big[..big.len() - 40].to_vec())
        .await
        .unwrap_err();
    assert!(matches!(err, ScanImportError::Read(_)), "{err:?}");
    assert_eq!(
        written(&app).await,
        before,
        "a file cut after 8,000 findings wrote something"
    );
    let _ = ScanFormat::Nessus;
}

fn kev_records() -> (String, Vec<rempart_storage::kev::KevRecord>) {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/kev/known_exploited_vulnerabilities.json"
    ))
    .unwrap();
    let catalogue = rempart_interchange::kev::read(&bytes).unwrap();
    let records = catalogue
        .entries
        .iter()
        .map(|e| rempart_storage::kev::KevRecord {
            cve_id: e.cve_id.clone(),
            vendor: e.vendor.clone(),
            product: e.product.clone(),
            name: e.name.clone(),
            date_added: e.date_added.to_string(),
            due_date: e.due_date.map(|d| d.to_string()),
            required_action: e.required_action.clone(),
            ransomware: e.ransomware.clone(),
        })
        .collect();
    (catalogue.version, records)
}

// Issue 8: the known-exploited catalogue flags the vulnerabilities it lists with CISA's due
// date, those already imported and those imported after it. Of the shared reports, only
// OpenVAS many_vuln.xml holds a listed CVE (CVE-2012-1823, on one result; found with python3
// by intersecting the reports' CVE identifiers with the catalogue's).
#[tokio::test]
async fn the_known_exploited_catalogue_flags_listed_vulnerabilities() {
    let app = TestApp::spawn().await;
    import_bytes(&app, BODY, "many.xml", shared("openvas/many_vuln.xml"))
        .await
        .unwrap();
    let (version, records) = kev_records();
    let ctx = || AuditContext::system("test");
    let first = rempart_storage::kev::import(&app.store, ctx(), &version, &records)
        .await
        .unwrap();
    assert_eq!(
        (first.entries, first.added, first.changed, first.flagged),
        (1404, 1404, 0, 1)
    );
    let flagged = "SELECT COUNT(*) FROM vulnerabilities WHERE kev_due_on = '2022-04-15' AND cves LIKE '%CVE-2012-1823%'";
    assert_eq!(count(&app, flagged).await, 1);
    let again = rempart_storage::kev::import(&app.store, ctx(), &version, &records)
        .await
        .unwrap();
    assert_eq!(
        (again.added, again.changed, again.unchanged, again.flagged),
        (0, 0, 1404, 0)
    );

    // CISA moves the date: the entry changes and the flag follows.
    let mut moved = records.clone();
    let php = moved
        .iter_mut()
        .find(|r| r.cve_id == "CVE-2012-1823")
        .unwrap();
    php.due_date = Some("2022-05-01".into());
    let third = rempart_storage::kev::import(&app.store, ctx(), &version, &moved)
        .await
        .unwrap();
    assert_eq!((third.changed, third.flagged), (1, 1));

    // A report imported after the catalogue is flagged as it is written.
    import_bytes(
        &app,
        "agence-fictive-de-la-sante",
        "many.xml",
        shared("openvas/many_vuln.xml"),
    )
    .await
    .unwrap();
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM vulnerabilities WHERE kev_due_on = '2022-05-01'"
        )
        .await,
        2
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_entries WHERE action = 'kev.import'"
        )
        .await,
        3
    );
}

// REQ GMVI-05: the API imports a report sent as the body (streamed to disk, one
// transaction), lists with filters and gives one vulnerability; a refused file names its line
// in the caller's language and writes nothing; another body's organization is not found.
#[tokio::test]
async fn the_api_imports_lists_and_refuses_with_the_place_named() {
    let app = TestApp::spawn().await;
    let ciso = app.login(CSIO_A).await;
    let body_a = app.org_id(BODY_A).await;
    let post = |path: String, bytes: Vec<u8>| {
        ciso.client
            .post(ciso.url(&path))
            .header("x-csrf-token", &ciso.csrf)
            .body(bytes)
            .send()
    };
    let response = post(
        format!("/api/v1/organizations/{body_a}/scans?file_name=many.xml"),
        shared("openvas/many_vuln.xml"),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 201);
    let report: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        (report["findings"].as_i64(), report["created"].as_i64()),
        (Some(44), Some(44))
    );

    let page: serde_json::Value = ciso
        .get(&format!(
            "/api/v1/vulnerabilities?org={body_a}&severity=critical&limit=500"
        ))
        .await
        .json()
        .await
        .unwrap();
    // Severity 9.0 or more in many_vuln.xml: 5 at 10.0, 1 at 9.3, 2 at 9.0.
    assert_eq!(page["total"], 8);
    let first = &page["items"][0];
    assert_eq!(first["severity"], "critical");
    assert_eq!(first["source"], "openvas");
    let id = first["id"].as_i64().unwrap();
    let detail: serde_json::Value = ciso
        .get(&format!("/api/v1/vulnerabilities/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["history"][0]["note"], "created");
    assert!(!detail["description"].as_str().unwrap().is_empty());

    let overdue: serde_json::Value = ciso
        .get("/api/v1/vulnerabilities?overdue=true")
        .await
        .json()
        .await
        .unwrap();
    // Deadlines count from today: none is late yet.
    assert_eq!(overdue["total"], 0);
    let found: serde_json::Value = ciso
        .get("/api/v1/vulnerabilities?q=cve-2012-1823")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found["total"], 1);
    let bad = ciso.get("/api/v1/vulnerabilities?severity=grave").await;
    assert_eq!(bad.status(), 422);

    let imports: serde_json::Value = ciso
        .get(&format!("/api/v1/organizations/{body_a}/scans"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(imports[0]["file_name"], "many.xml");
    assert_eq!(imports[0]["created"], 44);
    let unmatched: serde_json::Value = ciso
        .get(&format!(
            "/api/v1/scans/{}/unmatched-hosts",
            imports[0]["id"]
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unmatched[0]["host_key"], "192.168.1.1001");

    let before = written(&app).await;
    let nessus = shared("nessus/nessus_nessus_v_unknown.xml");
    let refused = post(
        format!("/api/v1/organizations/{body_a}/scans?file_name=cut.nessus"),
        nessus[..nessus.len() / 2].to_vec(),
    )
    .await
    .unwrap();
    assert_eq!(refused.status(), 422);
    let error: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(error["code"], "file_refused");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.starts_with("Fichier refusé, rien n’a été enregistré : ligne "),
        "{message}"
    );
    assert_eq!(written(&app).await, before);

    // Another body's organization: not found, nothing written.
    let body_b = app.org_id(BODY_B).await;
    let foreign = post(
        format!("/api/v1/organizations/{body_b}/scans?file_name=x.xml"),
        shared("openvas/one_vuln.xml"),
    )
    .await
    .unwrap();
    assert_eq!(foreign.status(), 404);
    assert_eq!(written(&app).await, before);

    // CVSS through the API: scores, or the metric at fault in French.
    let scored: serde_json::Value = ciso
        .send_json(
            reqwest::Method::POST,
            "/api/v1/cvss",
            &serde_json::json!({"vectors": ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/AV:N"]}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(scored[0]["score"], 9.8);
    assert_eq!(scored[1]["error"]["metric"], "AC");
    assert_eq!(
        scored[1]["error"]["message"],
        "Métrique obligatoire AC (complexité de l’attaque) absente."
    );
}

// REQ GMVI-05: the pages: import a report through the form (no script needed), see the
// import's counts and its unmatched hosts, the list with filters, one vulnerability, the
// exports; a refused file shows the form again with its place named, and writes nothing.
#[tokio::test]
async fn the_pages_import_list_show_and_export() {
    let app = TestApp::spawn().await;
    let ciso = app.login(CSIO_A).await;
    let form = ciso
        .get("/vulnerabilities/import")
        .await
        .text()
        .await
        .unwrap();
    assert!(form.contains("enctype=\"multipart/form-data\""), "{form}");
    assert!(form.contains("<progress id=\"upload-progress\""));
    let body_a = app.org_id(BODY_A).await.to_string();
    let upload = |name: &'static str, bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new()
            .text("csrf", ciso.csrf.clone())
            .text("org_id", body_a.clone())
            .text("format", "")
            .text("min_severity", "low")
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(name),
            );
        ciso.client
            .post(ciso.url("/vulnerabilities/import"))
            .multipart(form)
            .send()
    };
    let done = upload(
        "rapport.nessus",
        shared("nessus/nessus_nessus_v_unknown.xml"),
    )
    .await
    .unwrap();
    assert_eq!(done.status(), 303);
    let location = done.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("/vulnerabilities/imports/"),
        "{location}"
    );
    let result = ciso.get(&location).await.text().await.unwrap();
    assert!(result.contains("rapport.nessus"), "{result}");
    assert!(
        result.contains("<dd>296 (dont 266 informatifs, non conservés)</dd>"),
        "{result}"
    );
    assert!(
        result.contains("qa3app09"),
        "the unmatched hosts are listed"
    );

    let list = ciso
        .get(&format!("/vulnerabilities?org={body_a}&severity=medium"))
        .await;
    assert_eq!(list.status(), 200);
    let html = list.text().await.unwrap();
    assert!(
        html.contains(
            "Microsoft Windows Remote Desktop Protocol Server Man-in-the-Middle Weakness"
        ),
        "{html}"
    );
    assert!(
        html.contains("aria-current=\"page\">Vulnérabilités"),
        "the menu shows where we are"
    );
    let id: i64 = sqlx::query_scalar("SELECT MIN(id) FROM vulnerabilities WHERE rule_id = '18405'")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    let page = ciso
        .get(&format!("/vulnerabilities/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("CVE-2005-1794"), "{page}");
    assert!(page.contains("trouvée par une analyse"), "{page}");

    let csv = ciso
        .get(&format!("/vulnerabilities/export?format=csv&org={body_a}"))
        .await;
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0]
            .trim_start_matches('\u{feff}')
            .starts_with("N°;Organisation;Titre;"),
        "{}",
        lines[0]
    );
    assert_eq!(lines.len(), 31, "a header and the 30 kept findings");
    let xlsx = ciso.get("/vulnerabilities/export?format=xlsx").await;
    assert_eq!(xlsx.status(), 200);
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));

    let before = written(&app).await;
    let nessus = shared("nessus/nessus_nessus_v_unknown.xml");
    let refused = upload("coupe.nessus", nessus[..nessus.len() / 3].to_vec())
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("role=\"alert\""), "{html}");
    assert!(
        html.contains("Fichier refusé, rien n’a été enregistré : ligne "),
        "{html}"
    );
    assert_eq!(written(&app).await, before);

    // A user without the permission sees neither the menu entry nor the page.
    let user = app.login(USER_A).await;
    assert_eq!(user.get("/vulnerabilities").await.status(), 403);
    assert!(!user
        .get("/")
        .await
        .text()
        .await
        .unwrap()
        .contains("href=\"/vulnerabilities\""));
}

/// A Nessus report of one machine with findings of these (plugin, severity 1–4).
fn one_host_nessus(host: &str, items: &[(u32, u32)]) -> Vec<u8> {
    let mut out = format!(
        "<?xml version=\"1.0\" ?>\n<NessusClientData_v2><Report name=\"t\">\n\
         <ReportHost name=\"{host}\"><HostProperties></HostProperties>\n"
    );
    for (plugin, severity) in items {
        out.push_str(&format!(
            "<ReportItem port=\"443\" svc_name=\"www\" protocol=\"tcp\" severity=\"{severity}\" \
             pluginID=\"{plugin}\" pluginName=\"Plugin {plugin}\" pluginFamily=\"General\">\
             <description>Finding {plugin}</description><solution>Patch.</solution></ReportItem>\n"
        ));
    }
    out.push_str("</ReportHost>\n</Report></NessusClientData_v2>\n");
    out.into_bytes()
}

async fn vuln_of(app: &TestApp, plugin: &str) -> (i64, i64, Option<String>) {
    let row = sqlx::query(
        "SELECT id, version, due_on FROM vulnerabilities WHERE rule_id = $1 ORDER BY id LIMIT 1",
    )
    .bind(plugin)
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    (
        row.try_get("id").unwrap(),
        row.try_get("version").unwrap(),
        row.try_get("due_on").unwrap(),
    )
}

async fn set_status(
    session: &Session,
    id: i64,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    let response = session
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/vulnerabilities/{id}/status"),
            &body,
        )
        .await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

// REQ GMVI-04: each status change by an allowed role, with its reason and expiry, audited and
// in the history; the others refused with the field at fault; a stale version refused.
#[tokio::test]
async fn status_changes_follow_the_roles_and_are_audited() {
    let app = TestApp::spawn().await;
    import_bytes(
        &app,
        BODY,
        "legacy.nessus",
        one_host_nessus("srv-legacy-01", &[(1, 4), (2, 3)]),
    )
    .await
    .unwrap();
    let (critical, version, _) = vuln_of(&app, "1").await;
    let (high, _, _) = vuln_of(&app, "2").await;
    let ciso = app.login(CSIO_A).await;
    let holder = app.login(HOLDER_A).await;
    let today = rempart_web::time::today();
    let until = (today + chrono::Days::new(30)).to_string();
    let too_far = (today + chrono::Days::new(400)).to_string();
    let audits = || {
        count(
            &app,
            "SELECT COUNT(*) FROM audit_entries WHERE action = 'vulnerability.status'",
        )
    };

    let accept = serde_json::json!({"status": "risk_accepted", "note": "Compensé par le pare-feu",
        "accepted_until": until, "version": version});
    let (code, body) = set_status(&ciso, critical, accept.clone()).await;
    assert_eq!(code, 422);
    assert_eq!(
        error_fields(&body),
        [("status".to_owned(), "error-vuln-holder-only".to_owned())]
    );
    let mut no_note = accept.clone();
    no_note["note"] = "".into();
    let (code, body) = set_status(&holder, critical, no_note).await;
    assert_eq!((code, error_fields(&body)[0].0.as_str()), (422, "note"));
    let mut far = accept.clone();
    far["accepted_until"] = too_far.into();
    let (code, body) = set_status(&holder, critical, far).await;
    assert_eq!(
        error_fields(&body),
        [("accepted_until".to_owned(), "error-vuln-expiry".to_owned())]
    );
    assert_eq!(code, 422);
    assert_eq!(audits().await, 0);

    let (code, body) = set_status(&holder, critical, accept.clone()).await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["status"], "risk_accepted");
    assert_eq!(body["accepted_until"], until.as_str());
    assert_eq!(body["version"], version + 1);
    let last = body["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["note"], "Compensé par le pare-feu");
    assert_eq!(last["person_id"], app.person_id(HOLDER_A).await);

    // Read before the holder's change: refused as stale, nothing written.
    let (code, _) = set_status(
        &ciso,
        critical,
        serde_json::json!({"status": "in_remediation", "version": version}),
    )
    .await;
    assert_eq!(code, 409);

    let fp = serde_json::json!({"status": "false_positive", "note": "Version rétroportée",
        "version": 1});
    let (code, body) = set_status(&holder, high, fp.clone()).await;
    assert_eq!(
        error_fields(&body),
        [("status".to_owned(), "error-vuln-staff-only".to_owned())]
    );
    assert_eq!(code, 422);
    let (code, body) = set_status(&ciso, high, fp).await;
    assert_eq!(code, 200);
    assert_eq!(body["status"], "false_positive");
    let (code, body) = set_status(
        &ciso,
        high,
        serde_json::json!({"status": "fixed", "version": 2}),
    )
    .await;
    assert_eq!(
        error_fields(&body),
        [("status".to_owned(), "error-vuln-transition".to_owned())]
    );
    assert_eq!(code, 422);
    assert_eq!(audits().await, 2);

    // Someone the matrix does not allow to manage vulnerabilities is refused outright.
    let user = app.login(USER_A).await;
    let (code, _) = set_status(
        &user,
        high,
        serde_json::json!({"status": "open", "note": "x",
        "version": 2}),
    )
    .await;
    assert_eq!(code, 403);

    // The page's form, without script: a refused change names the field, a good one is done.
    let page = ciso
        .get(&format!("/vulnerabilities/{high}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("action=\"/vulnerabilities/{high}/status\"")));
    let response = ciso
        .post_form(
            &format!("/vulnerabilities/{high}/status"),
            &[
                ("status", "open"),
                ("note", ""),
                ("accepted_until", ""),
                ("version", "2"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("href=\"#s-note\""));
    let response = ciso
        .post_form(
            &format!("/vulnerabilities/{high}/status"),
            &[
                ("status", "open"),
                ("note", "Correctif absent"),
                ("accepted_until", ""),
                ("version", "2"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let (_, version, _) = vuln_of(&app, "2").await;
    assert_eq!(version, 3);
}

// REQ GMVI-04: a body's own remediation delays, inherited below it, set deadlines at import;
// a policy out of bounds is refused with the field at fault.
#[tokio::test]
async fn each_body_sets_its_remediation_delays() {
    let app = TestApp::spawn().await;
    let ciso = app.login(CSIO_A).await;
    let body_a = app.org_id(BODY).await;
    let unit: i64 = sqlx::query_scalar(
        "SELECT descendant_id FROM org_closure WHERE ancestor_id = $1 AND depth = 1 ORDER BY descendant_id LIMIT 1",
    )
    .bind(body_a)
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    let path = format!("/api/v1/organizations/{body_a}/remediation-policy");
    let default: serde_json::Value = ciso.get(&path).await.json().await.unwrap();
    assert_eq!(
        (
            default["critical_days"].as_i64(),
            default["set_by_org_id"].is_null()
        ),
        (Some(15), true)
    );

    let bad = ciso
        .send_json(
            reqwest::Method::PUT,
            &path,
            &serde_json::json!({"critical_days": 60, "high_days": 30, "medium_days": 90,
                "low_days": 180, "top_level_percent": 50}),
        )
        .await;
    assert_eq!(bad.status(), 422);
    assert_eq!(
        error_fields(&bad.json().await.unwrap())[0].1,
        "error-vuln-days-order"
    );

    let ok = ciso
        .send_json(
            reqwest::Method::PUT,
            &path,
            &serde_json::json!({"critical_days": 7, "high_days": 14, "medium_days": 60,
                "low_days": 120, "top_level_percent": 50}),
        )
        .await;
    assert_eq!(ok.status(), 200);
    let below: serde_json::Value = ciso
        .get(&format!("/api/v1/organizations/{unit}/remediation-policy"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (below["high_days"].as_i64(), below["set_by_org_id"].as_i64()),
        (Some(14), Some(body_a))
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_entries WHERE action = 'vulnerability.policy'"
        )
        .await,
        1
    );

    // Imported on 2026-12-04: critical within 7 days, high within 14.
    import_bytes(
        &app,
        BODY,
        "legacy.nessus",
        one_host_nessus("srv-legacy-01", &[(1, 4), (2, 3)]),
    )
    .await
    .unwrap();
    assert_eq!(vuln_of(&app, "1").await.2.as_deref(), Some("2026-12-11"));
    assert_eq!(vuln_of(&app, "2").await.2.as_deref(), Some("2026-12-18"));

    // The page, without script: a unit shows the delays it inherits; the form names a
    // refused field and saves good values.
    let page = ciso
        .get(&format!("/vulnerabilities/policy?org={unit}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Délais hérités de") && page.contains("value=\"14\""),
        "{page}"
    );
    let unit_text = unit.to_string();
    let refused = ciso
        .post_form(
            "/vulnerabilities/policy",
            &[
                ("org_id", &unit_text),
                ("critical_days", "sept"),
                ("high_days", "14"),
                ("medium_days", "60"),
                ("low_days", "120"),
                ("top_level_percent", "50"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("href=\"#p-critical_days\""));
    let saved = ciso
        .post_form(
            "/vulnerabilities/policy",
            &[
                ("org_id", &unit_text),
                ("critical_days", "5"),
                ("high_days", "10"),
                ("medium_days", "30"),
                ("low_days", "90"),
                ("top_level_percent", "100"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);
    let own: serde_json::Value = ciso
        .get(&format!("/api/v1/organizations/{unit}/remediation-policy"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (own["critical_days"].as_i64(), own["set_by_org_id"].as_i64()),
        (Some(5), Some(unit))
    );
}

// REQ GMVI-04: the daily pass reopens a lapsed acceptance and escalates an overdue
// vulnerability to its holder and its body's security staff, once per deadline.
#[tokio::test]
async fn the_daily_pass_reopens_lapsed_acceptances_and_escalates_once() {
    let app = TestApp::spawn().await;
    // Imported on 2026-12-04: critical due 2026-12-19, high due 2027-01-03 (the defaults).
    import_bytes(
        &app,
        BODY,
        "legacy.nessus",
        one_host_nessus("srv-legacy-01", &[(1, 4), (2, 3)]),
    )
    .await
    .unwrap();
    let (critical, _, due) = vuln_of(&app, "1").await;
    assert_eq!(due.as_deref(), Some("2026-12-19"));
    let (high, version, _) = vuln_of(&app, "2").await;
    let day = |d: u32| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
    rempart_storage::vuln_workflow::change_status(
        &app.store,
        Scope::LocalAdministrator,
        AuditContext::system("test"),
        high,
        version,
        &rempart_domain::vulnerability::StatusChange {
            to: rempart_domain::vulnerability::VulnerabilityStatus::RiskAccepted,
            note: "Fenêtre de maintenance en janvier".into(),
            accepted_until: Some(day(10)),
        },
        day(4),
    )
    .await
    .unwrap();
    let notifier = rempart_storage::inbox::Notifier {
        wording: &rempart_web::gmvi::Words,
        email: false,
    };
    let pass = |d: NaiveDate| {
        let app = &app;
        let notifier = &notifier;
        async move {
            let mut w = app.store.write(AuditContext::system("test")).await.unwrap();
            let o = rempart_storage::vuln_workflow::daily(&mut w, notifier, d)
                .await
                .unwrap();
            w.commit().await.unwrap();
            o
        }
    };
    // On the expiry day itself the acceptance holds, and nothing is late.
    let o = pass(day(10)).await;
    assert_eq!((o.reopened, o.escalated), (0, 0));
    let o = pass(day(20)).await;
    assert_eq!((o.reopened, o.escalated), (1, 1), "{o:?}");
    let status: String = sqlx::query_scalar("SELECT status FROM vulnerabilities WHERE id = $1")
        .bind(high)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(status, "open");
    let escalated: Option<String> =
        sqlx::query_scalar("SELECT escalated_on FROM vulnerabilities WHERE id = $1")
            .bind(critical)
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    // The deadline escalated is kept: this one is not escalated again.
    assert_eq!(escalated.as_deref(), Some("2026-12-19"));
    let holder = app.person_id(HOLDER_A).await;
    let kinds = |person: i64| {
        let app = &app;
        async move {
            sqlx::query_scalar::<_, String>(
                "SELECT kind FROM notifications WHERE person_id = $1 AND kind LIKE 'vuln-%' ORDER BY kind",
            )
            .bind(person)
            .fetch_all(app.store.pool())
            .await
            .unwrap()
        }
    };
    assert_eq!(
        kinds(holder).await,
        ["vuln-acceptance-expired", "vuln-overdue-holder"]
    );
    assert_eq!(
        kinds(app.person_id(CSIO_A).await).await,
        ["vuln-overdue-staff"]
    );
    let body: String = sqlx::query_scalar(
        "SELECT body FROM notifications WHERE person_id = $1 AND kind = 'vuln-overdue-holder'",
    )
    .bind(holder)
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert!(body.starts_with("Une vulnérabilité"), "{body}");
    // Again the same day, or the next: nothing new.
    let o = pass(day(21)).await;
    assert_eq!((o.reopened, o.escalated, o.notified), (0, 0, 0));
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_entries WHERE action = 'vulnerability.acceptance_expired'"
        )
        .await,
        1
    );
}

fn cli(app: &TestApp, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_rempart"))
        .args(args)
        .args(["--database-url", app.url.expose()])
        .env_remove("REMPART_DATABASE_URL")
        .output()
        .unwrap()
}

// REQ GMVI-05: the shared CVE JSON 5 records imported whole (again: nothing changes); a
// vulnerability naming CVE-2024-0001 without a CWE of its own takes the record's (CWE-1188)
// and shows the record's CVSS and CISA's SSVC decision points; a bad record is refused in
// French, naming the file and the field, with nothing written.
#[tokio::test]
async fn cve_records_enrich_the_vulnerabilities_that_name_them() {
    let app = TestApp::spawn().await;
    let report = String::from(
        "<?xml version=\"1.0\" ?>\n<NessusClientData_v2><Report name=\"t\">\n\
         <ReportHost name=\"srv-legacy-01\"><HostProperties></HostProperties>\n\
         <ReportItem port=\"443\" svc_name=\"www\" protocol=\"tcp\" severity=\"4\" pluginID=\"77\" \
         pluginName=\"Purity\" pluginFamily=\"General\"><description>x</description>\
         <cve>CVE-2024-0001</cve></ReportItem>\n</ReportHost>\n</Report></NessusClientData_v2>\n",
    );
    import_bytes(&app, BODY, "purity.nessus", report.into_bytes())
        .await
        .unwrap();
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/cve/cvejson5"
    );
    let out = cli(&app, &["import", "cve", "--json", dir]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (
            json["records"].as_i64(),
            json["added"].as_i64(),
            json["enriched"].as_i64()
        ),
        (Some(60), Some(60), Some(1))
    );
    let out = cli(&app, &["import", "cve", dir]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("60 lus (0 ajoutés, 0 modifiés, 60 inchangés)"),
        "{text}"
    );

    let (id, _, _) = vuln_of(&app, "77").await;
    let ciso = app.login(CSIO_A).await;
    let detail: serde_json::Value = ciso
        .get(&format!("/api/v1/vulnerabilities/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["cwes"], serde_json::json!(["CWE-1188"]));
    let record = &detail["cve_records"][0];
    assert_eq!(record["cve_id"], "CVE-2024-0001");
    assert_eq!(record["cvss_score_tenths"], 100);
    assert_eq!(record["ssvc_exploitation"], "none");
    assert_eq!(record["ssvc_technical_impact"], "total");
    let page = ciso
        .get(&format!("/vulnerabilities/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Enregistrements CVE") && page.contains("CWE-1188"));

    let seq = app.audit_seq().await;
    let bad = std::env::temp_dir().join(format!("rempart-cve-{}.json", std::process::id()));
    std::fs::write(&bad, br#"{"dataType": "CVE_RECORD", "dataVersion": "5.1", "cveMetadata": {"cveId": "CVE-1", "state": "PUBLISHED"}}"#).unwrap();
    let out = cli(&app, &["import", "cve", dir, bad.to_str().unwrap()]);
    std::fs::remove_file(&bad).ok();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("rempart-cve-") && stderr.contains("/cveMetadata/cveId"),
        "{stderr}"
    );
    assert_eq!(app.audit_seq().await, seq);
}

// REQ GMVI-05: a machine no identifier names, whose address is in an asset's range, maps to
// the asset of the narrowest range (the demo's virtualization cluster, 10.10.20.0/24, inside
// the head-office network, 10.10.0.0/16).
#[tokio::test]
async fn an_address_in_an_assets_range_maps_to_it() {
    let app = TestApp::spawn().await;
    let report = String::from(
        "<?xml version=\"1.0\" ?>\n<NessusClientData_v2><Report name=\"t\">\n\
         <ReportHost name=\"inconnu-1\"><HostProperties><tag name=\"host-ip\">10.10.20.77</tag></HostProperties>\n\
         <ReportItem port=\"443\" svc_name=\"www\" protocol=\"tcp\" severity=\"3\" pluginID=\"88\" \
         pluginName=\"TLS\" pluginFamily=\"General\"><description>x</description></ReportItem>\n</ReportHost>\n\
         <ReportHost name=\"inconnu-2\"><HostProperties><tag name=\"host-ip\">10.10.3.4</tag></HostProperties>\n\
         <ReportItem port=\"443\" svc_name=\"www\" protocol=\"tcp\" severity=\"3\" pluginID=\"89\" \
         pluginName=\"TLS\" pluginFamily=\"General\"><description>x</description></ReportItem>\n</ReportHost>\n\
         <ReportHost name=\"inconnu-3\"><HostProperties><tag name=\"host-ip\">192.0.2.9</tag></HostProperties>\n\
         <ReportItem port=\"443\" svc_name=\"www\" protocol=\"tcp\" severity=\"3\" pluginID=\"90\" \
         pluginName=\"TLS\" pluginFamily=\"General\"><description>x</description></ReportItem>\n</ReportHost>\n\
         </Report></NessusClientData_v2>\n",
    );
    let r = import_bytes(&app, BODY, "ranges.nessus", report.into_bytes())
        .await
        .unwrap();
    assert_eq!(r.unmatched_hosts.len(), 1);
    let asset_of = |rule: &'static str| {
        let app = &app;
        async move {
            sqlx::query_scalar::<_, Option<i64>>(
                "SELECT asset_id FROM vulnerabilities WHERE rule_id = $1",
            )
            .bind(rule)
            .fetch_one(app.store.pool())
            .await
            .unwrap()
        }
    };
    assert_eq!(
        asset_of("88").await,
        Some(asset_id(&app, "Grappe de virtualisation").await)
    );
    assert_eq!(
        asset_of("89").await,
        Some(asset_id(&app, "Réseau local du siège social").await)
    );
    assert_eq!(asset_of("90").await, None);
}

// REQ GMVI-05: a machine no asset named is attached from the import: the asset gets the
// identifier (so the next scan matches it), the machine's vulnerabilities are linked to it now
// with their deadlines computed again, the host leaves the unmatched list, all audited; the
// wrong host or another body's asset is refused with the field named; the page does the same
// without script.
#[tokio::test]
async fn an_unmatched_host_is_attached_to_an_asset_and_matched_afterwards() {
    let app = TestApp::spawn().await;
    let ciso = app.login(CSIO_A).await;
    let report = one_host_nessus("10.99.0.5", &[(7001, 4), (7002, 2)]);
    let first = import_bytes(&app, BODY, "inconnu.nessus", report.clone())
        .await
        .unwrap();
    assert_eq!(first.unmatched_hosts.len(), 1);
    assert_eq!(first.unmatched_hosts[0].host_key, "10.99.0.5");
    let asset = asset_id(&app, "Intranet").await;
    let asset_version = |app: &TestApp| {
        let pool = app.store.pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT version FROM assets WHERE id = $1")
                .bind(asset)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let version_before = asset_version(&app).await;
    let before = app.audit_seq().await;

    // Another body's asset: refused, naming the asset, nothing changed.
    let foreign: i64 = sqlx::query_scalar(
        "SELECT id FROM assets WHERE org_id NOT IN \
         (SELECT descendant_id FROM org_closure WHERE ancestor_id = $1) ORDER BY id LIMIT 1",
    )
    .bind(app.org_id(BODY).await)
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    let path = format!("/api/v1/scans/{}/attach", first.import_id);
    let refused = ciso
        .send_json(
            reqwest::Method::POST,
            &path,
            &serde_json::json!({"host_key": "10.99.0.5", "asset_id": foreign}),
        )
        .await;
    assert_eq!(refused.status(), 422);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["fields"][0]["field"], "asset_id");
    assert!(
        body["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("actif en service que vous gérez"),
        "{body}"
    );
    assert_eq!(app.audit_seq().await, before);

    let attached = ciso
        .send_json(
            reqwest::Method::POST,
            &path,
            &serde_json::json!({"host_key": "10.99.0.5", "asset_id": asset}),
        )
        .await;
    assert_eq!(attached.status(), 200);
    let attached: serde_json::Value = attached.json().await.unwrap();
    assert_eq!(attached["vulnerabilities"], 2);
    assert_eq!(attached["identifier_added"]["kind"], "ip");
    assert_eq!(attached["identifier_added"]["value"], "10.99.0.5");
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM vulnerabilities WHERE asset_id = {asset} AND host_key = '10.99.0.5'")
        )
        .await,
        2
    );
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM asset_identifiers WHERE asset_id = {asset} AND kind = 'ip' AND value = '10.99.0.5'")
        )
        .await,
        1
    );
    assert_eq!(
        asset_version(&app).await,
        version_before + 1,
        "an identifier added changes the asset's version"
    );
    let action: String =
        sqlx::query_scalar("SELECT action FROM audit_entries ORDER BY seq DESC LIMIT 1")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!(action, "vulnerability.attach_host");
    let unmatched: serde_json::Value = ciso
        .get(&format!(
            "/api/v1/scans/{}/unmatched-hosts",
            first.import_id
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unmatched, serde_json::json!([]));

    // An empty key (findings with no machine) is never attached.
    let empty = ciso
        .send_json(
            reqwest::Method::POST,
            &path,
            &serde_json::json!({"host_key": " ", "asset_id": asset}),
        )
        .await;
    assert_eq!(empty.status(), 422);

    // Again: no longer an unmatched host of the import.
    let again = ciso
        .send_json(
            reqwest::Method::POST,
            &path,
            &serde_json::json!({"host_key": "10.99.0.5", "asset_id": asset}),
        )
        .await;
    assert_eq!(again.status(), 422);
    let body: serde_json::Value = again.json().await.unwrap();
    assert_eq!(body["fields"][0]["field"], "host_key");

    // The next scan matches the machine: nothing unmatched, nothing new.
    let second = import_bytes(&app, BODY, "inconnu.nessus", report)
        .await
        .unwrap();
    assert!(second.unmatched_hosts.is_empty());
    assert_eq!((second.created, second.seen_again), (0, 2));

    // The page: a machine of a third scan attached through the form, no script.
    let third = import_bytes(
        &app,
        BODY,
        "autre.nessus",
        one_host_nessus("srv-inconnu", &[(7003, 3)]),
    )
    .await
    .unwrap();
    let page = ciso
        .get(&format!("/vulnerabilities/imports/{}", third.import_id))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("name=\"host_key\" value=\"srv-inconnu\""),
        "{page}"
    );
    let form_path = format!("/vulnerabilities/imports/{}/attach", third.import_id);
    let missing = ciso
        .post_form(&form_path, &[("host_key", "srv-inconnu"), ("asset_id", "")])
        .await;
    assert_eq!(missing.status(), 422);
    assert!(missing
        .text()
        .await
        .unwrap()
        .contains("aria-invalid=\"true\""));
    let done = ciso
        .post_form(
            &form_path,
            &[
                ("host_key", "srv-inconnu"),
                ("asset_id", &asset.to_string()),
            ],
        )
        .await;
    assert!(done.status().is_success() || done.status().is_redirection());
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM asset_identifiers WHERE asset_id = {asset} AND kind = 'hostname' AND value = 'srv-inconnu'")
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM vulnerabilities WHERE rule_id = '7003' AND asset_id = {asset}")
        )
        .await,
        1
    );
}
