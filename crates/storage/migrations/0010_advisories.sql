-- Security advisories (GMVI-07): recorded by hand or imported from CSAF 2.0, each matched to
-- the assets whose software components (CPE, package URL) its products name; the holders of
-- matched assets are notified once per advisory and asset, and again when the status worsens.

CREATE TABLE advisories (
    id {id},
    -- The body that recorded it; its assets and those of the units below it are matched.
    org_id BIGINT NOT NULL REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    -- csaf or manual.
    source TEXT NOT NULL,
    publisher TEXT NOT NULL,
    tracking_id TEXT NOT NULL,
    version TEXT NOT NULL,
    category TEXT NOT NULL,
    title TEXT NOT NULL,
    severity TEXT NULL,
    -- CVE identifiers, space-separated.
    cves TEXT NOT NULL,
    summary TEXT NOT NULL,
    url TEXT NULL,
    initial_release TEXT NULL,
    current_release TEXT NULL,
    product_count BIGINT NOT NULL,
    document_sha256 TEXT NULL,
    recorded_by BIGINT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    recorded_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX advisories_tracking ON advisories (org_id, publisher, tracking_id);
CREATE INDEX advisories_org ON advisories (org_id, updated_at);

CREATE TABLE advisory_matches (
    id {id},
    advisory_id BIGINT NOT NULL REFERENCES advisories (id) DEFERRABLE INITIALLY IMMEDIATE,
    asset_id BIGINT NOT NULL REFERENCES assets (id) DEFERRABLE INITIALLY IMMEDIATE,
    -- affected, under_investigation or fix_available: the most urgent over the products.
    status TEXT NOT NULL,
    -- The products' names, one per line (the first ones), and how many there were.
    products TEXT NOT NULL,
    product_count BIGINT NOT NULL,
    cves TEXT NOT NULL,
    -- The asset's identifier that matched.
    matched_on TEXT NOT NULL,
    matched_at BIGINT NOT NULL,
    -- The holder told, and when.
    notified_person_id BIGINT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    notified_at BIGINT NULL
);
CREATE UNIQUE INDEX advisory_matches_unique ON advisory_matches (advisory_id, asset_id);
CREATE INDEX advisory_matches_asset ON advisory_matches (asset_id);
