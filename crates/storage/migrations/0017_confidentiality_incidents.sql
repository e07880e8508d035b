-- The register of confidentiality incidents (PRIV-01; A-2.1 art. 63.11, r. 3.1 art. 7): one
-- entry per incident, opened by the privacy officer or from a security incident involving
-- personal information (PRIV-03, then a draft), with the assessment of the risk of serious
-- injury and the notices sent. Dates are calendar dates (YYYY-MM-DD).
CREATE TABLE confidentiality_incidents (
    id {id},
    org_id BIGINT NOT NULL REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    reference TEXT NOT NULL,
    -- The security incident it came from, if it did.
    incident_id BIGINT NULL REFERENCES incidents (id) DEFERRABLE INITIALLY IMMEDIATE,
    -- draft (opened from a security incident, to complete) or recorded.
    status TEXT NOT NULL,
    information TEXT NOT NULL,
    information_not_described TEXT NOT NULL,
    circumstances TEXT NOT NULL,
    occurred_from TEXT NULL,
    occurred_to TEXT NULL,
    occurred_approximate {bool} NOT NULL DEFAULT 0,
    aware_on TEXT NULL,
    persons BIGINT NULL,
    persons_approximate {bool} NOT NULL DEFAULT 0,
    persons_in_quebec BIGINT NULL,
    sensitivity TEXT NULL,
    malicious_uses TEXT NOT NULL,
    consequences TEXT NOT NULL,
    likelihood TEXT NULL,
    -- yes, no, or NULL while not assessed.
    serious_injury TEXT NULL,
    privacy_officer_consulted_on TEXT NULL,
    measures TEXT NOT NULL,
    -- What the persons concerned are advised to do (the notice to them says it).
    advice TEXT NOT NULL DEFAULT '',
    commission_notified_on TEXT NULL,
    persons_notified_on TEXT NULL,
    public_notice_on TEXT NULL,
    -- The last day the privacy officer was reminded of notices still to send.
    reminded_on TEXT NULL,
    created_by BIGINT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX confidentiality_incidents_reference ON confidentiality_incidents (reference);
CREATE UNIQUE INDEX confidentiality_incidents_incident ON confidentiality_incidents (incident_id);
CREATE INDEX confidentiality_incidents_org ON confidentiality_incidents (org_id, aware_on, id);

-- The notices sent: to the CAI, what was added to it later, to the persons, or in public
-- (with the reason).
CREATE TABLE confidentiality_notices (
    id {id},
    entry_id BIGINT NOT NULL REFERENCES confidentiality_incidents (id) DEFERRABLE INITIALLY IMMEDIATE,
    kind TEXT NOT NULL,
    sent_on TEXT NOT NULL,
    detail TEXT NOT NULL,
    recorded_by BIGINT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    at BIGINT NOT NULL
);
CREATE INDEX confidentiality_notices_of ON confidentiality_notices (entry_id, id);
