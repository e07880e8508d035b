-- Security risk management (RISK-01 to RISK-04): the method of each organization, the risk
-- register with its perimeter, treatment plan and approvals, the reasons risks were flagged
-- for reassessment, and the jobs the scheduler runs (once, whichever process gets there).

-- An organization's own method; the nearest ancestor's applies where there is none.
CREATE TABLE risk_methods (
    org_id BIGINT PRIMARY KEY REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    method_json TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE
);

CREATE TABLE risks (
    id {id},
    org_id BIGINT NOT NULL REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    threat TEXT NOT NULL,
    vulnerability TEXT NOT NULL,
    existing_controls TEXT NOT NULL,
    owner_id BIGINT NOT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    likelihood BIGINT NOT NULL,
    impact_availability BIGINT NOT NULL,
    impact_integrity BIGINT NOT NULL,
    impact_confidentiality BIGINT NOT NULL,
    -- Computed by the method, never typed; recomputed when the method changes.
    gross_impact BIGINT NOT NULL,
    gross_score BIGINT NOT NULL,
    treatment TEXT NULL,
    residual_likelihood BIGINT NULL,
    residual_impact_availability BIGINT NULL,
    residual_impact_integrity BIGINT NULL,
    residual_impact_confidentiality BIGINT NULL,
    residual_impact BIGINT NULL,
    residual_score BIGINT NULL,
    residual_description TEXT NOT NULL,
    -- draft, proposed (residual risk put forward for approval), approved.
    status TEXT NOT NULL,
    proposed_by BIGINT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    proposed_at BIGINT NULL,
    assessed_on TEXT NOT NULL,
    review_due TEXT NOT NULL,
    -- Set while a reassessment is owed (the reasons are in risk_reassessments).
    reassess_since BIGINT NULL,
    archived_at BIGINT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX risks_org ON risks (org_id, archived_at, gross_score);
CREATE INDEX risks_review_due ON risks (review_due);

CREATE TABLE risk_assets (
    risk_id BIGINT NOT NULL REFERENCES risks (id) DEFERRABLE INITIALLY IMMEDIATE,
    asset_id BIGINT NOT NULL REFERENCES assets (id) DEFERRABLE INITIALLY IMMEDIATE,
    PRIMARY KEY (risk_id, asset_id)
);
CREATE INDEX risk_assets_asset ON risk_assets (asset_id);

CREATE TABLE risk_actions (
    id {id},
    risk_id BIGINT NOT NULL REFERENCES risks (id) DEFERRABLE INITIALLY IMMEDIATE,
    position BIGINT NOT NULL,
    title TEXT NOT NULL,
    owner_id BIGINT NOT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    due_on TEXT NOT NULL,
    status TEXT NOT NULL,
    -- Control ids of an imported catalogue, one a line.
    controls TEXT NOT NULL
);
CREATE INDEX risk_actions_risk ON risk_actions (risk_id, position);
CREATE INDEX risk_actions_due ON risk_actions (due_on, status);

-- Every approval of a residual risk, kept after it lapses or the risk changes.
CREATE TABLE risk_approvals (
    id {id},
    risk_id BIGINT NOT NULL REFERENCES risks (id) DEFERRABLE INITIALLY IMMEDIATE,
    approver_id BIGINT NOT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    proposed_by BIGINT NOT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    residual_score BIGINT NOT NULL,
    above_threshold BIGINT NOT NULL,
    justification TEXT NOT NULL,
    approved_at BIGINT NOT NULL,
    approved_on TEXT NOT NULL,
    expires_on TEXT NOT NULL,
    -- Why it stopped holding: expired, reassessed (the risk changed), archived.
    ended_at BIGINT NULL,
    ended_reason TEXT NULL
);
CREATE INDEX risk_approvals_risk ON risk_approvals (risk_id, id);
CREATE INDEX risk_approvals_expiry ON risk_approvals (expires_on, ended_at);

-- Why a risk was flagged for reassessment, and when the reassessment cleared it.
CREATE TABLE risk_reassessments (
    id {id},
    risk_id BIGINT NOT NULL REFERENCES risks (id) DEFERRABLE INITIALLY IMMEDIATE,
    reason TEXT NOT NULL,
    reason_json TEXT NOT NULL,
    flagged_at BIGINT NOT NULL,
    cleared_at BIGINT NULL
);
CREATE INDEX risk_reassessments_risk ON risk_reassessments (risk_id, cleared_at);

-- Jobs run on a schedule: a process claims a due job by moving its next run forward in one
-- statement, so that among several processes sharing the database one runs it.
CREATE TABLE scheduled_jobs (
    name TEXT PRIMARY KEY,
    next_run_at BIGINT NOT NULL,
    last_started_at BIGINT NULL,
    last_finished_at BIGINT NULL,
    last_outcome TEXT NULL,
    claimed_by TEXT NULL
);
