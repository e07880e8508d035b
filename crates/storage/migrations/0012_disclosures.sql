-- Public vulnerability disclosure (GMVI-06): reports researchers send without an account,
-- routed to the body whose asset names the service (else the network's root), followed by
-- the reporter with a token whose SHA-256 alone is kept.

CREATE TABLE disclosures (
    id {id},
    org_id BIGINT NOT NULL REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    -- The asset the service named, when one did.
    asset_id BIGINT NULL REFERENCES assets (id) DEFERRABLE INITIALLY IMMEDIATE,
    reference TEXT NOT NULL,
    service TEXT NOT NULL,
    service_host TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    reporter_name TEXT NOT NULL,
    reporter_contact TEXT NOT NULL,
    -- The language the reporter wrote in (fr or en), for the pages they see.
    language TEXT NOT NULL,
    token_sha256 TEXT NOT NULL,
    status TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX disclosures_token ON disclosures (token_sha256);
CREATE UNIQUE INDEX disclosures_reference ON disclosures (reference);
CREATE INDEX disclosures_org ON disclosures (org_id, status, received_at);

-- What the reporter added and what staff answered, in order.
CREATE TABLE disclosure_messages (
    id {id},
    disclosure_id BIGINT NOT NULL REFERENCES disclosures (id) DEFERRABLE INITIALLY IMMEDIATE,
    -- reporter or staff.
    author TEXT NOT NULL,
    person_id BIGINT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    body TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX disclosure_messages_of ON disclosure_messages (disclosure_id, id);
