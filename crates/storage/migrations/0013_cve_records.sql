-- CVE JSON 5 records (GMVI-05): reference data for the whole platform, one row per CVE, as
-- last imported; shown beside the vulnerabilities that name the CVE.
CREATE TABLE cve_records (
    cve_id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    published TEXT NULL,
    updated TEXT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    cvss_vector TEXT NULL,
    -- Tenths of a point, as vulnerabilities keep them.
    cvss_score_tenths BIGINT NULL,
    cvss_severity TEXT NULL,
    cvss_source TEXT NULL,
    -- Space-separated.
    cwes TEXT NOT NULL,
    ssvc_exploitation TEXT NULL,
    ssvc_automatable TEXT NULL,
    ssvc_technical_impact TEXT NULL,
    imported_at BIGINT NOT NULL
);
