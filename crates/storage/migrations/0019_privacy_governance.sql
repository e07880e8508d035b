-- Privacy governance (PRP-01, PRP-02): privacy impact assessments with the committee's
-- opinions, their decision and the risks and controls they rely on; the inventory of
-- personal-information files with their retention and disposal; the register of
-- communications. None holds anyone's personal information: they describe processing.

CREATE TABLE privacy_assessments (
    id {id},
    org_id BIGINT NOT NULL REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    reference TEXT NOT NULL,
    title TEXT NOT NULL,
    -- project, asset or collection: what required it.
    trigger_kind TEXT NOT NULL,
    project_id BIGINT NULL REFERENCES projects (id) DEFERRABLE INITIALLY IMMEDIATE,
    asset_id BIGINT NULL REFERENCES assets (id) DEFERRABLE INITIALLY IMMEDIATE,
    collection TEXT NOT NULL,
    outside_quebec {bool} NOT NULL,
    -- The sections (factors of art. 63.5 and 70.1), as JSON: saved as written.
    factors TEXT NOT NULL,
    -- open or decided.
    status TEXT NOT NULL,
    decision TEXT NULL,
    decision_text TEXT NULL,
    decided_on TEXT NULL,
    decided_by BIGINT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    started_on TEXT NOT NULL,
    created_by BIGINT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX privacy_assessments_reference ON privacy_assessments (reference);
CREATE INDEX privacy_assessments_org ON privacy_assessments (org_id, created_at);
CREATE INDEX privacy_assessments_asset ON privacy_assessments (asset_id);
CREATE INDEX privacy_assessments_project ON privacy_assessments (project_id);

CREATE TABLE privacy_assessment_opinions (
    id {id},
    assessment_id BIGINT NOT NULL REFERENCES privacy_assessments (id) DEFERRABLE INITIALLY IMMEDIATE,
    stage TEXT NOT NULL,
    given_on TEXT NOT NULL,
    opinion TEXT NOT NULL,
    measures TEXT NOT NULL,
    person_id BIGINT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    at BIGINT NOT NULL
);
CREATE INDEX privacy_assessment_opinions_of ON privacy_assessment_opinions (assessment_id, id);

CREATE TABLE privacy_assessment_risks (
    assessment_id BIGINT NOT NULL REFERENCES privacy_assessments (id) DEFERRABLE INITIALLY IMMEDIATE,
    risk_id BIGINT NOT NULL REFERENCES risks (id) DEFERRABLE INITIALLY IMMEDIATE,
    linked_at BIGINT NOT NULL,
    PRIMARY KEY (assessment_id, risk_id)
);

CREATE TABLE privacy_assessment_controls (
    assessment_id BIGINT NOT NULL REFERENCES privacy_assessments (id) DEFERRABLE INITIALLY IMMEDIATE,
    control_id BIGINT NOT NULL REFERENCES controls (id) DEFERRABLE INITIALLY IMMEDIATE,
    linked_at BIGINT NOT NULL,
    PRIMARY KEY (assessment_id, control_id)
);

CREATE TABLE personal_info_files (
    id {id},
    org_id BIGINT NOT NULL REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    name TEXT NOT NULL,
    purpose TEXT NOT NULL,
    categories TEXT NOT NULL,
    sensitivity TEXT NOT NULL,
    holders TEXT NOT NULL,
    asset_id BIGINT NULL REFERENCES assets (id) DEFERRABLE INITIALLY IMMEDIATE,
    retention_rule TEXT NOT NULL,
    retention_years BIGINT NOT NULL,
    -- destroy or anonymize.
    end_action TEXT NOT NULL,
    purposes_achieved_on TEXT NULL,
    -- Computed from the two above, kept for the list of what is due.
    disposal_due TEXT NULL,
    -- The day the privacy officers were told the file is due (once per due date).
    disposal_notified_on TEXT NULL,
    -- active, destroyed or anonymized.
    status TEXT NOT NULL,
    disposed_on TEXT NULL,
    disposal_method TEXT NULL,
    disposal_notes TEXT NULL,
    disposed_by BIGINT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX personal_info_files_name ON personal_info_files (org_id, name);
CREATE INDEX personal_info_files_due ON personal_info_files (status, disposal_due);

CREATE TABLE pi_communications (
    id {id},
    org_id BIGINT NOT NULL REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    file_id BIGINT NULL REFERENCES personal_info_files (id) DEFERRABLE INITIALLY IMMEDIATE,
    communicated_on TEXT NOT NULL,
    nature TEXT NOT NULL,
    recipient TEXT NOT NULL,
    purpose TEXT NOT NULL,
    outside_quebec {bool} NOT NULL,
    reason TEXT NOT NULL,
    assessment_id BIGINT NULL REFERENCES privacy_assessments (id) DEFERRABLE INITIALLY IMMEDIATE,
    recorded_by BIGINT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    recorded_at BIGINT NOT NULL
);
CREATE INDEX pi_communications_org ON pi_communications (org_id, communicated_on);
CREATE INDEX pi_communications_file ON pi_communications (file_id);
