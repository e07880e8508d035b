-- Vulnerabilities (GMVI-04, GMVI-05): the findings of scanner reports, one row per distinct
-- finding of a body (its fingerprint), and the imports that brought them.

-- One import of one report: who, which file (its SHA-256), and what it did.
CREATE TABLE scan_imports (
    id {id},
    org_id BIGINT NOT NULL REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    format TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    imported_by BIGINT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    imported_at BIGINT NOT NULL,
    -- Findings read, and those below the import's threshold (informational) among them.
    findings BIGINT NOT NULL,
    informational BIGINT NOT NULL,
    hosts BIGINT NOT NULL,
    cves BIGINT NOT NULL,
    created_count BIGINT NOT NULL,
    seen_again_count BIGINT NOT NULL,
    fixed_count BIGINT NOT NULL,
    reopened_count BIGINT NOT NULL,
    unmatched_hosts BIGINT NOT NULL
);
CREATE INDEX scan_imports_org ON scan_imports (org_id, imported_at);

-- Machines and targets of an import that no asset identifier names: the user attaches them
-- to an asset (an identifier) or creates the asset.
CREATE TABLE scan_unmatched_hosts (
    import_id BIGINT NOT NULL REFERENCES scan_imports (id) DEFERRABLE INITIALLY IMMEDIATE,
    host_key TEXT NOT NULL,
    host_label TEXT NOT NULL,
    findings BIGINT NOT NULL,
    PRIMARY KEY (import_id, host_key)
);

CREATE TABLE vulnerabilities (
    id {id},
    -- The body that imported or recorded it; the asset says which unit it concerns.
    org_id BIGINT NOT NULL REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    asset_id BIGINT NULL REFERENCES assets (id) DEFERRABLE INITIALLY IMMEDIATE,
    fingerprint TEXT NOT NULL,
    -- nessus, openvas, trivy, sarif (a scanner) or manual.
    source TEXT NOT NULL,
    -- What a new scan of the same scope covers: the machine or target for network and image
    -- scanners, the format alone for code scanners.
    scope_key TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    solution TEXT NOT NULL,
    host_key TEXT NOT NULL,
    host_label TEXT NOT NULL,
    port TEXT NOT NULL,
    package TEXT NOT NULL,
    fixed_version TEXT NOT NULL,
    location TEXT NOT NULL,
    -- Space-separated, upper case: CVE-2024-0001 CVE-2024-0002.
    cves TEXT NOT NULL,
    cwes TEXT NOT NULL,
    -- The vector scored (CVSS 3.x or 4.0) and every vector the report gave, one a line.
    cvss_vector TEXT NOT NULL,
    cvss_vectors TEXT NOT NULL,
    -- Tenths of a point (98 for 9.8): exact and the same on both engines.
    score_tenths BIGINT NULL,
    severity TEXT NOT NULL,
    evidence TEXT NOT NULL,
    status TEXT NOT NULL,
    accepted_until TEXT NULL,
    due_on TEXT NULL,
    -- From CISA's known-exploited catalogue, for the earliest-due of its CVEs listed there.
    kev_added_on TEXT NULL,
    kev_due_on TEXT NULL,
    first_seen BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    first_import_id BIGINT NULL REFERENCES scan_imports (id) DEFERRABLE INITIALLY IMMEDIATE,
    last_import_id BIGINT NULL REFERENCES scan_imports (id) DEFERRABLE INITIALLY IMMEDIATE,
    fixed_at BIGINT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX vulnerabilities_fingerprint ON vulnerabilities (org_id, fingerprint);
CREATE INDEX vulnerabilities_scope ON vulnerabilities (org_id, source, scope_key, status);
CREATE INDEX vulnerabilities_asset ON vulnerabilities (asset_id);
CREATE INDEX vulnerabilities_list ON vulnerabilities (org_id, status, severity, due_on);

-- Every status a vulnerability took, with the import or the person behind it: the history
-- behind the audit entry of each import (which counts these rows) and of each change by hand.
CREATE TABLE vulnerability_history (
    id {id},
    vulnerability_id BIGINT NOT NULL REFERENCES vulnerabilities (id) DEFERRABLE INITIALLY IMMEDIATE,
    at BIGINT NOT NULL,
    status TEXT NOT NULL,
    import_id BIGINT NULL REFERENCES scan_imports (id) DEFERRABLE INITIALLY IMMEDIATE,
    person_id BIGINT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    note TEXT NOT NULL
);
CREATE INDEX vulnerability_history_of ON vulnerability_history (vulnerability_id, id);

-- CISA's Known Exploited Vulnerabilities catalogue, as last imported: reference data for the
-- whole platform, one row per CVE.
CREATE TABLE kev_entries (
    cve_id TEXT PRIMARY KEY,
    vendor TEXT NOT NULL,
    product TEXT NOT NULL,
    name TEXT NOT NULL,
    date_added TEXT NOT NULL,
    due_date TEXT NULL,
    required_action TEXT NOT NULL,
    ransomware TEXT NOT NULL,
    catalogue_version TEXT NOT NULL,
    imported_at BIGINT NOT NULL
);
