-- Threats, vulnerabilities and incidents (GMVI-01 to GMVI-03, GMVI-08, GMVI-09), notifications
-- (PLAT-10) and the deadlines the scheduler watches (PLAT-11).

-- Incidents (GMVI-02). The reference is built from the id (INC-AAAA-NNNNNN) once inserted.
CREATE TABLE incidents (
    id {id},
    org_id BIGINT NOT NULL REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    reference TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    category TEXT NOT NULL,
    severity TEXT NOT NULL,
    personal_info {bool} NOT NULL,
    -- The domain's workflow: open, contained, eradicated, recovered, closed.
    status TEXT NOT NULL,
    detected_at BIGINT NOT NULL,
    opened_by BIGINT NOT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    opened_at BIGINT NOT NULL,
    closed_at BIGINT NULL,
    lessons TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX incidents_reference ON incidents (reference);
CREATE INDEX incidents_org ON incidents (org_id, status, opened_at);

-- Security events as reported by anyone (GMVI-01), then triaged by the coordinator: into a
-- threat or a vulnerability (the event stays the record), an incident, merged into another
-- event, or closed with a reason.
CREATE TABLE security_events (
    id {id},
    org_id BIGINT NOT NULL REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    reported_by BIGINT NOT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    reported_at BIGINT NOT NULL,
    summary TEXT NOT NULL,
    details TEXT NOT NULL,
    -- When it was seen, as the reporter knew it (AAAA-MM-JJ or AAAA-MM-JJTHH:MM).
    observed TEXT NOT NULL,
    asset_id BIGINT NULL REFERENCES assets (id) DEFERRABLE INITIALLY IMMEDIATE,
    -- yes, no, unknown.
    personal_info TEXT NOT NULL,
    -- new, threat, vulnerability, incident, merged, closed.
    status TEXT NOT NULL,
    triaged_by BIGINT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    triaged_at BIGINT NULL,
    merged_into BIGINT NULL REFERENCES security_events (id) DEFERRABLE INITIALLY IMMEDIATE,
    incident_id BIGINT NULL REFERENCES incidents (id) DEFERRABLE INITIALLY IMMEDIATE,
    triage_note TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX security_events_queue ON security_events (org_id, status, reported_at);
CREATE INDEX security_events_reporter ON security_events (reported_by, reported_at);

-- Affected assets and the impact on each criterion (0 none to 3 high).
CREATE TABLE incident_assets (
    incident_id BIGINT NOT NULL REFERENCES incidents (id) DEFERRABLE INITIALLY IMMEDIATE,
    asset_id BIGINT NOT NULL REFERENCES assets (id) DEFERRABLE INITIALLY IMMEDIATE,
    availability BIGINT NOT NULL,
    integrity BIGINT NOT NULL,
    confidentiality BIGINT NOT NULL,
    PRIMARY KEY (incident_id, asset_id)
);
CREATE INDEX incident_assets_asset ON incident_assets (asset_id);

-- The timeline: dated, typed entries (observation, decision, action, communication, and the
-- entries the platform writes: status, escalation), with who decided.
CREATE TABLE incident_entries (
    id {id},
    incident_id BIGINT NOT NULL REFERENCES incidents (id) DEFERRABLE INITIALLY IMMEDIATE,
    occurred_at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    decided_by BIGINT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    recorded_by BIGINT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    recorded_at BIGINT NOT NULL
);
CREATE INDEX incident_entries_incident ON incident_entries (incident_id, occurred_at, id);

-- Roles on the incident: lead, scribe, communications.
CREATE TABLE incident_roles (
    incident_id BIGINT NOT NULL REFERENCES incidents (id) DEFERRABLE INITIALLY IMMEDIATE,
    role TEXT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    assigned_at BIGINT NOT NULL,
    PRIMARY KEY (incident_id, role)
);

CREATE TABLE incident_tasks (
    id {id},
    incident_id BIGINT NOT NULL REFERENCES incidents (id) DEFERRABLE INITIALLY IMMEDIATE,
    title TEXT NOT NULL,
    owner_id BIGINT NOT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    due_on TEXT NOT NULL,
    -- open, done, cancelled.
    status TEXT NOT NULL,
    done_at BIGINT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX incident_tasks_incident ON incident_tasks (incident_id, due_on);
CREATE INDEX incident_tasks_owner ON incident_tasks (owner_id, status);

-- Organizations above the body that an escalation brought in: they see the incident.
CREATE TABLE incident_shares (
    incident_id BIGINT NOT NULL REFERENCES incidents (id) DEFERRABLE INITIALLY IMMEDIATE,
    org_id BIGINT NOT NULL REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    since BIGINT NOT NULL,
    PRIMARY KEY (incident_id, org_id)
);
CREATE INDEX incident_shares_org ON incident_shares (org_id);

-- Evidence files: the bytes live outside the rows, named by their SHA-256.
CREATE TABLE evidence_files (
    id {id},
    org_id BIGINT NOT NULL REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    -- incident or alert_target.
    subject_type TEXT NOT NULL,
    subject_id BIGINT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_by BIGINT NOT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    uploaded_at BIGINT NOT NULL
);
CREATE INDEX evidence_files_subject ON evidence_files (subject_type, subject_id);
CREATE INDEX evidence_files_sha256 ON evidence_files (sha256);

-- An organization's escalation rules (the nearest ancestor's apply where it has none).
CREATE TABLE escalation_rules (
    org_id BIGINT PRIMARY KEY REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    rules_json TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE
);

-- A notice: a recipient (a role at an organization) told of a subject, to acknowledge by a
-- deadline; one not acknowledged in time is escalated to the next level (escalated_from).
CREATE TABLE notices (
    id {id},
    subject_type TEXT NOT NULL,
    subject_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    recipient TEXT NOT NULL,
    target_org_id BIGINT NOT NULL REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    rules TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    acknowledged_at BIGINT NULL,
    acknowledged_by BIGINT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    escalated_at BIGINT NULL,
    escalated_from BIGINT NULL REFERENCES notices (id) DEFERRABLE INITIALLY IMMEDIATE
);
CREATE INDEX notices_subject ON notices (subject_type, subject_id);
CREATE INDEX notices_target ON notices (target_org_id, acknowledged_at);

-- The in-app inbox (PLAT-10), written in the person's language when created.
CREATE TABLE notifications (
    id {id},
    person_id BIGINT NOT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    notice_id BIGINT NULL REFERENCES notices (id) DEFERRABLE INITIALLY IMMEDIATE,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT NULL
);
CREATE INDEX notifications_person ON notifications (person_id, read_at, created_at);

-- E-mail waiting to be sent or sent (PLAT-10): delivery status, attempts and the next try.
CREATE TABLE email_outbox (
    id {id},
    notification_id BIGINT NULL REFERENCES notifications (id) DEFERRABLE INITIALLY IMMEDIATE,
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    -- queued, sending, sent, failed.
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    sent_at BIGINT NULL
);
CREATE INDEX email_outbox_due ON email_outbox (status, next_attempt_at);

-- Every deadline the scheduler watches (PLAT-11): what it is for, when it falls, when to warn,
-- the rule that computed it, and when the scheduler must look at it next (NULL once settled).
CREATE TABLE deadlines (
    id {id},
    subject_type TEXT NOT NULL,
    subject_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    due_at BIGINT NOT NULL,
    warn_at BIGINT NULL,
    rule TEXT NOT NULL,
    -- open, warned, overdue, met, cancelled.
    state TEXT NOT NULL,
    next_check_at BIGINT NULL
);
CREATE UNIQUE INDEX deadlines_subject ON deadlines (subject_type, subject_id);
CREATE INDEX deadlines_next_check ON deadlines (next_check_at);

-- The alert network (GMVI-08): alerts and required operational measures issued by a centre to
-- bodies below it.
CREATE TABLE alerts (
    id {id},
    issuer_org_id BIGINT NOT NULL REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    reference TEXT NOT NULL,
    -- alert or measure.
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    severity TEXT NOT NULL,
    -- A measure's deadline (AAAA-MM-JJ) and the rule that set it.
    due_on TEXT NULL,
    due_rule TEXT NOT NULL,
    stix_id TEXT NOT NULL,
    issued_by BIGINT NOT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    issued_at BIGINT NOT NULL,
    withdrawn_at BIGINT NULL
);
CREATE UNIQUE INDEX alerts_reference ON alerts (reference);
CREATE INDEX alerts_issuer ON alerts (issuer_org_id, issued_at);

-- Each body an alert reaches, and where it stands.
CREATE TABLE alert_targets (
    id {id},
    alert_id BIGINT NOT NULL REFERENCES alerts (id) DEFERRABLE INITIALLY IMMEDIATE,
    org_id BIGINT NOT NULL REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    -- pending, acknowledged, applied, not_applicable.
    status TEXT NOT NULL,
    acknowledged_at BIGINT NULL,
    acknowledged_by BIGINT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    applied_at BIGINT NULL,
    applied_by BIGINT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    report TEXT NOT NULL,
    escalated_at BIGINT NULL
);
CREATE UNIQUE INDEX alert_targets_alert_org ON alert_targets (alert_id, org_id);
CREATE INDEX alert_targets_org ON alert_targets (org_id, status);

-- Threat intelligence attached to an alert: STIX 2.1 objects as imported or written.
CREATE TABLE alert_intel (
    alert_id BIGINT NOT NULL REFERENCES alerts (id) DEFERRABLE INITIALLY IMMEDIATE,
    stix_id TEXT NOT NULL,
    stix_type TEXT NOT NULL,
    name TEXT NOT NULL,
    pattern TEXT NOT NULL,
    object_json TEXT NOT NULL,
    PRIMARY KEY (alert_id, stix_id)
);
