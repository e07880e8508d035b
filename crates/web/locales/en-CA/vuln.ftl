# Vulnerabilities: CVSS scores, scan report imports, advisories.

## CVSS scores
cvss-severity-none = none
cvss-severity-low = low
cvss-severity-medium = medium
cvss-severity-high = high
cvss-severity-critical = critical
cvss-base = base
cvss-temporal = temporal
cvss-environmental = environmental
cvss-overall = score
cvss-error-empty = Empty CVSS vector.
cvss-error-too-long = CVSS vector too long (512 characters at most).
cvss-error-prefix = Not a CVSS vector: it must begin with CVSS:3.0/, CVSS:3.1/ or CVSS:4.0/.
cvss-error-version = Unsupported CVSS version “{ $value }” (3.0, 3.1 or 4.0).
cvss-error-component = Malformed component “{ $value }”: expected METRIC:VALUE.
cvss-error-unknown-metric = Unknown metric “{ $metric }” in this CVSS version.
cvss-error-invalid-value = Metric { $metric } ({ $name }): invalid value “{ $value }”.
cvss-error-duplicate = Metric { $metric } ({ $name }) given twice.
cvss-error-missing = Mandatory metric { $metric } ({ $name }) missing.
cvss-metric-AV = attack vector
cvss-metric-AC = attack complexity
cvss-metric-AT = attack requirements
cvss-metric-PR = privileges required
cvss-metric-UI = user interaction
cvss-metric-S = scope
cvss-metric-C = confidentiality impact
cvss-metric-I = integrity impact
cvss-metric-A = availability impact
cvss-metric-VC = vulnerable system confidentiality
cvss-metric-VI = vulnerable system integrity
cvss-metric-VA = vulnerable system availability
cvss-metric-SC = subsequent system confidentiality
cvss-metric-SI = subsequent system integrity
cvss-metric-SA = subsequent system availability
cvss-metric-E = exploit maturity
cvss-metric-RL = remediation level
cvss-metric-RC = report confidence
cvss-metric-CR = confidentiality requirement
cvss-metric-IR = integrity requirement
cvss-metric-AR = availability requirement
cvss-metric-MAV = modified attack vector
cvss-metric-MAC = modified attack complexity
cvss-metric-MAT = modified attack requirements
cvss-metric-MPR = modified privileges required
cvss-metric-MUI = modified user interaction
cvss-metric-MS = modified scope
cvss-metric-MC = modified confidentiality
cvss-metric-MI = modified integrity
cvss-metric-MA = modified availability
cvss-metric-MVC = modified vulnerable system confidentiality
cvss-metric-MVI = modified vulnerable system integrity
cvss-metric-MVA = modified vulnerable system availability
cvss-metric-MSC = modified subsequent system confidentiality
cvss-metric-MSI = modified subsequent system integrity
cvss-metric-MSA = modified subsequent system availability
cvss-metric-AU = automatable
cvss-metric-R = recovery
cvss-metric-V = value density
cvss-metric-RE = response effort
cvss-metric-U = provider urgency
cvss-metric-v4-S = safety

## Vulnerabilities: lists, record, import
nav-vulnerabilities = Vulnerabilities
vulns-title = Vulnerabilities
vulns-none = No vulnerability matches these criteria.
vuln-search = Search (title, CVE, host, package)
vuln-filter-kev = Exploited according to CISA (KEV)
vuln-filter-overdue = Overdue
vuln-export = Export the list:
vuln-sheet = Vulnerabilities
vuln-no-asset = no asset
vuln-kev = KEV, due
vuln-col-id = No.
vuln-col-org = Organization
vuln-col-title = Title
vuln-col-rule = Rule
vuln-col-source = Source
vuln-col-host = Host or target
vuln-col-asset = Asset
vuln-col-port = Port
vuln-col-package = Package
vuln-col-fixed-version = Fixed version
vuln-col-cves = CVE
vuln-col-severity = Severity
vuln-col-score = Score
vuln-col-vector = CVSS vector
vuln-col-status = Status
vuln-col-due = Remediation due
vuln-col-kev-due = CISA due date (KEV)
vuln-col-first-seen = First seen
vuln-col-last-seen = Last seen
vuln-col-location = Location
vuln-status-open = open
vuln-status-in_remediation = in remediation
vuln-status-risk_accepted = risk accepted
vuln-status-fixed = fixed
vuln-status-false_positive = false positive
vuln-description = Description
vuln-solution = Remediation
vuln-evidence = Tool output
vuln-vectors = Vectors given
vuln-history = History
vuln-history-when = Date
vuln-history-why = Reason
vuln-history-created = found by a scan
vuln-history-absent = absent from a new scan of the same host
vuln-history-reopened = seen again by a new scan
vuln-import-title = Import a scan report
vuln-import-help = Nessus (.nessus), Greenbone/OpenVAS (XML), Trivy (JSON) or SARIF 2.1.0 reports. The import runs in one transaction: a refused file saves nothing. A known finding is updated, a finding absent from a new scan of the same host is marked fixed, a fixed finding that comes back is reopened.
vuln-import-file = File
vuln-import-file-hint = At most { $size } MiB through this page; beyond that, use the “rempart import scan” command or the API.
vuln-import-format = Format
vuln-import-format-detect = Recognized from the content
vuln-import-min-severity = Keep from severity
vuln-import-progress = Upload
vuln-import-submit = Import
vuln-import-no-org = Choose the organization.
vuln-import-no-file = Choose the report's file.
vuln-imports = Recent imports
vuln-imports-none = No import for this organization.
vuln-import-findings = Findings read
vuln-import-created = New
vuln-import-seen-again = Seen again
vuln-import-fixed = Fixed
vuln-import-reopened = Reopened
vuln-import-unmatched = Hosts without an asset
vuln-import-result = Import result
vuln-import-done = The report was imported.
vuln-import-informational = { $count ->
        [one] of which one informational, not kept
       *[other] of which { $count } informational, not kept
    }
vuln-import-hosts = Hosts or targets
vuln-import-key = Key
vuln-import-all-matched = Every host of the report matches an asset.
vuln-import-unmatched-help = No asset carries these names or addresses. Add the identifier to the asset concerned (host name, FQDN or IP address) or create the asset: the next import will attach them.
vuln-import-create-asset = Create an asset

## Security advisories (GMVI-07)
nav-advisories = Security advisories
advisories-title = Security advisories
advisories-help = Advisories from vendors and CERTs, imported as CSAF 2.0 or typed in. Each advisory is compared with the assets' software components (CPE, package URL); the holder of a concerned asset is notified.
advisories-only-matched = Only those that concern an asset
advisories-filter = Filter
advisories-none = No advisory.
advisory-reference = Reference
advisory-title = Title
advisory-publisher = Publisher
advisory-version = Version
advisory-source = Source
advisory-source-csaf = CSAF document
advisory-source-manual = typed in
advisory-products = { $count ->
        [one] one product
       *[other] { $count } products
    }
advisory-url = Link
advisory-updated = Updated
advisory-summary = Summary
advisory-matches = Assets concerned
advisory-no-match = No asset of the organization has a component this advisory names.
advisory-matched-assets = Assets concerned
advisory-affected-assets = Affected
advisory-status = Status
advisory-status-affected = affected
advisory-status-under_investigation = under investigation by the vendor
advisory-status-fix_available = fix published
advisory-matched-on = Asset's component
advisory-products-matched = Advisory's products
advisory-holder = Holder
advisory-notified = Notified
advisory-not-notified = not notified
advisory-severity-none = not given
advisory-new-title = Record a security advisory
advisory-new-help = Import the CSAF 2.0 document the vendor published, or type the advisory in. The same advisory recorded again (same publisher, same reference) is updated; an identical document changes nothing.
advisory-csaf-title = Import a CSAF 2.0 document
advisory-csaf-file = CSAF document (JSON)
advisory-csaf-hint = At most { $size } MiB.
advisory-csaf-submit = Import
advisory-no-file = Choose the CSAF document.
advisory-manual-title = Type an advisory in
advisory-manual-errors = The advisory was not recorded:
advisory-cves-hint = CVE identifiers separated by spaces or commas.
advisory-products-field = Products concerned
advisory-products-hint = One product per line: a CPE 2.3 name (cpe:2.3:a:vendor:product:version:…) or a package URL (pkg:npm/name@version).
advisory-manual-submit = Record
advisory-match-subject = [{ $reference }] Security advisory concerning "{ $asset }"
advisory-match-body = The advisory "{ $title }" ({ $reference }) concerns the asset "{ $asset }" you hold: { $status ->
        [affected] affected version
        [under_investigation] under investigation by the vendor
       *[fix_available] a fix is published, apply it
    }. CVEs: { $cves }.
error-url = A web address is expected (https://…).
error-cve = A CVE identifier is expected (CVE-YYYY-NNNN).
error-product = A CPE 2.3 name or a package URL (pkg:…) is expected.

## Vulnerability handling (GMVI-04)
vuln-status-change = Change the status
vuln-status-refused = The status was not changed:
vuln-status-done = The status was changed.
vuln-status-submit = Change the status
vuln-status-note-hint = Required to accept the risk, to declare a false positive or to reopen.
vuln-status-until-hint = To accept the risk: at most one year, by the affected asset's holder.
vuln-accepted-until = Risk accepted until
vuln-field-status = Status
vuln-field-note = Reason
vuln-field-accepted_until = Accepted until
vuln-field-version = Version
vuln-history-acceptance-expired = risk acceptance lapsed
error-vuln-transition = This status cannot follow the current one.
error-vuln-holder-only = Only the affected asset's holder may accept the risk.
error-vuln-staff-only = Only the body's security staff may make this change.
error-vuln-expiry = The expiry must be after today and at most one year away.
error-vuln-days = A delay from 1 to { $limit } days.
error-vuln-days-order = Delays must grow from critical to low.
error-vuln-percent = A share from 10 to 100%.
vuln-acceptance-expired-subject = Risk acceptance lapsed: { $title }
vuln-acceptance-expired-body = The risk acceptance of the vulnerability "{ $title }" on the asset "{ $asset }" lapsed on { $until }: the vulnerability is open again. Fix it or accept the risk again.
vuln-overdue-holder-subject = Overdue vulnerabilities on your assets
vuln-overdue-holder-body = { $count ->
        [one] One vulnerability of your assets is past its remediation deadline.
       *[other] { $count } vulnerabilities of your assets are past their remediation deadline.
    }
vuln-overdue-staff-subject = Overdue vulnerabilities: { $org }
vuln-overdue-staff-body = { $count ->
        [one] One vulnerability of { $org } is past its remediation deadline (ours or CISA's).
       *[other] { $count } vulnerabilities of { $org } are past their remediation deadline (ours or CISA's).
    }
