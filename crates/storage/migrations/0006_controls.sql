-- Control catalogues (CTRL-01, CTRL-02): OSCAL catalogs and the profiles (baselines) resolved
-- against them, their groups and controls with enhancements, and the implementation status of
-- each control per organization.

-- A catalog or a profile, imported by an organization for itself and those below it.
CREATE TABLE control_catalogs (
    id {id},
    org_id BIGINT NOT NULL REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    -- catalog or profile.
    kind TEXT NOT NULL,
    uuid TEXT NOT NULL,
    title TEXT NOT NULL,
    version TEXT NOT NULL,
    oscal_version TEXT NOT NULL,
    -- For a profile: the catalog it was resolved against.
    source_catalog_id BIGINT NULL REFERENCES control_catalogs (id) DEFERRABLE INITIALLY IMMEDIATE,
    controls_count BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    -- The file as imported: what a profile is resolved against, and what an export cites.
    document TEXT NOT NULL,
    imported_at BIGINT NOT NULL,
    imported_by BIGINT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE
);
CREATE UNIQUE INDEX control_catalogs_uuid ON control_catalogs (org_id, uuid);

CREATE TABLE control_groups (
    id {id},
    catalog_id BIGINT NOT NULL REFERENCES control_catalogs (id) DEFERRABLE INITIALLY IMMEDIATE,
    group_key TEXT NULL,
    parent_key TEXT NULL,
    title TEXT NOT NULL,
    position BIGINT NOT NULL
);
CREATE INDEX control_groups_catalog ON control_groups (catalog_id, position);

CREATE TABLE controls (
    id {id},
    catalog_id BIGINT NOT NULL REFERENCES control_catalogs (id) DEFERRABLE INITIALLY IMMEDIATE,
    -- The OSCAL id: ac-2, ac-2.1.
    control_key TEXT NOT NULL,
    parent_key TEXT NULL,
    group_key TEXT NULL,
    label TEXT NOT NULL,
    title TEXT NOT NULL,
    class TEXT NOT NULL,
    sort_id TEXT NOT NULL,
    withdrawn BIGINT NOT NULL,
    statement TEXT NOT NULL,
    guidance TEXT NOT NULL,
    params_json TEXT NOT NULL,
    depth BIGINT NOT NULL,
    position BIGINT NOT NULL
);
CREATE UNIQUE INDEX controls_key ON controls (catalog_id, control_key);
CREATE INDEX controls_position ON controls (catalog_id, position);

-- The controls a profile selects, with the parameters it sets.
CREATE TABLE profile_controls (
    profile_id BIGINT NOT NULL REFERENCES control_catalogs (id) DEFERRABLE INITIALLY IMMEDIATE,
    control_id BIGINT NOT NULL REFERENCES controls (id) DEFERRABLE INITIALLY IMMEDIATE,
    position BIGINT NOT NULL,
    set_params_json TEXT NOT NULL,
    PRIMARY KEY (profile_id, control_id)
);

-- Where an organization stands on each control (CTRL-02).
CREATE TABLE control_status (
    org_id BIGINT NOT NULL REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    control_id BIGINT NOT NULL REFERENCES controls (id) DEFERRABLE INITIALLY IMMEDIATE,
    status TEXT NOT NULL,
    note TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    PRIMARY KEY (org_id, control_id)
);
CREATE INDEX control_status_control ON control_status (control_id);

-- The controls that protect an asset (CTRL-01).
CREATE TABLE asset_controls (
    asset_id BIGINT NOT NULL REFERENCES assets (id) DEFERRABLE INITIALLY IMMEDIATE,
    control_id BIGINT NOT NULL REFERENCES controls (id) DEFERRABLE INITIALLY IMMEDIATE,
    linked_at BIGINT NOT NULL,
    PRIMARY KEY (asset_id, control_id)
);
CREATE INDEX asset_controls_control ON asset_controls (control_id);
