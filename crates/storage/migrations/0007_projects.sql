-- Projects whose risks must be assessed before they go live (seed 001 §5, RISK-06): a project,
-- the date it goes (or went) live, and the risk assessments recorded for it.

CREATE TABLE projects (
    id {id},
    org_id BIGINT NOT NULL REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    go_live_on TEXT NOT NULL,
    archived_at BIGINT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX projects_org_name ON projects (org_id, name);

CREATE TABLE project_risks (
    project_id BIGINT NOT NULL REFERENCES projects (id) DEFERRABLE INITIALLY IMMEDIATE,
    risk_id BIGINT NOT NULL REFERENCES risks (id) DEFERRABLE INITIALLY IMMEDIATE,
    linked_at BIGINT NOT NULL,
    PRIMARY KEY (project_id, risk_id)
);
CREATE INDEX project_risks_risk ON project_risks (risk_id);
