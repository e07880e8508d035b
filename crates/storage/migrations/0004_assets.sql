-- Information assets (ASSET-01), their classification history (ASSET-02), the classification
-- scale of each organization, and the authority register's designations (REG-01).

CREATE TABLE assets (
    id {id},
    -- The owning unit (or body): the asset is in scope where this organization is.
    org_id BIGINT NOT NULL REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    holder_id BIGINT NOT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    hosting TEXT NOT NULL,
    hosting_provider TEXT NOT NULL,
    -- One location a line.
    hosting_locations TEXT NOT NULL,
    outside_quebec BIGINT NOT NULL,
    personal_info BIGINT NOT NULL,
    sensitive_info BIGINT NOT NULL,
    -- Dates as YYYY-MM-DD: sortable, and the same text on both engines.
    end_of_support TEXT NULL,
    retention_rule TEXT NOT NULL,
    -- The current classification, copied from its latest history row so that lists, flags
    -- and counts read one row per asset.
    availability BIGINT NULL,
    integrity BIGINT NULL,
    confidentiality BIGINT NULL,
    classified_on TEXT NULL,
    review_due TEXT NULL,
    archived_at BIGINT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
-- One name per organization: what an export and an import match on.
CREATE UNIQUE INDEX assets_org_name ON assets (org_id, name);
CREATE INDEX assets_holder ON assets (holder_id);
CREATE INDEX assets_review_due ON assets (review_due);
-- The counts of the view up the tree read this index alone, grouped as it is sorted.
CREATE INDEX assets_rollup ON assets (org_id, holder_id, archived_at, availability, review_due, end_of_support);

CREATE TABLE asset_dependencies (
    asset_id BIGINT NOT NULL REFERENCES assets (id) DEFERRABLE INITIALLY IMMEDIATE,
    depends_on_id BIGINT NOT NULL REFERENCES assets (id) DEFERRABLE INITIALLY IMMEDIATE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (asset_id, depends_on_id)
);
CREATE INDEX asset_dependencies_on ON asset_dependencies (depends_on_id);

-- Host names, addresses, ranges, FQDNs, CPE names and package URLs, normalized, so that a
-- scanner finding or an advisory finds its asset by one indexed lookup.
CREATE TABLE asset_identifiers (
    id {id},
    asset_id BIGINT NOT NULL REFERENCES assets (id) DEFERRABLE INITIALLY IMMEDIATE,
    kind TEXT NOT NULL,
    value TEXT NOT NULL
);
CREATE UNIQUE INDEX asset_identifiers_unique ON asset_identifiers (asset_id, kind, value);
CREATE INDEX asset_identifiers_lookup ON asset_identifiers (kind, value);

-- Every classification ever given, by whom and why: the history the holder answers for.
CREATE TABLE asset_classifications (
    id {id},
    asset_id BIGINT NOT NULL REFERENCES assets (id) DEFERRABLE INITIALLY IMMEDIATE,
    availability BIGINT NOT NULL,
    integrity BIGINT NOT NULL,
    confidentiality BIGINT NOT NULL,
    classified_by BIGINT NOT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    classified_at BIGINT NOT NULL,
    classified_on TEXT NOT NULL,
    review_due TEXT NOT NULL,
    justification TEXT NOT NULL
);
CREATE INDEX asset_classifications_asset ON asset_classifications (asset_id, id);

-- An organization's own scale; the nearest ancestor's applies where there is none.
CREATE TABLE classification_scales (
    org_id BIGINT PRIMARY KEY REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    levels_json TEXT NOT NULL,
    review_months BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE
);

-- The authority register: every designation of a person to a role in an organization, kept
-- after it ends. A current designation is the record behind a role grant (`grant_id`).
CREATE TABLE designations (
    id {id},
    person_id BIGINT NOT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    org_id BIGINT NOT NULL REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    role TEXT NOT NULL,
    grant_id BIGINT NULL,
    valid_from TEXT NULL,
    valid_until TEXT NULL,
    act_reference TEXT NOT NULL,
    created_by BIGINT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    created_at BIGINT NOT NULL,
    ended_at BIGINT NULL,
    ended_by BIGINT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE
);
CREATE INDEX designations_org ON designations (org_id, role);
CREATE INDEX designations_person ON designations (person_id);
CREATE INDEX designations_grant ON designations (grant_id);

-- Grants made before the register existed become designations without dates or act.
INSERT INTO designations (person_id, org_id, role, grant_id, valid_from, valid_until,
    act_reference, created_by, created_at, ended_at, ended_by)
SELECT person_id, org_id, role, id, NULL, NULL, '', granted_by, created_at, NULL, NULL
FROM role_grants;
