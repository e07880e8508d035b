-- Privacy complaints (PRP-04): sent by anyone through the public form (followed with a token
-- whose SHA-256 alone is kept) or recorded by the privacy officer; admissibility, analysis,
-- recommendations and the final answer, in order.
CREATE TABLE complaints (
    id {id},
    org_id BIGINT NOT NULL REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    reference TEXT NOT NULL,
    -- public (the form or the public API) or staff.
    channel TEXT NOT NULL,
    name TEXT NOT NULL,
    contact TEXT NOT NULL,
    grounds TEXT NOT NULL,
    facts TEXT NOT NULL,
    language TEXT NOT NULL,
    token_sha256 TEXT NULL,
    status TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    answered_at BIGINT NULL,
    answer TEXT NULL,
    created_by BIGINT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX complaints_reference ON complaints (reference);
CREATE UNIQUE INDEX complaints_token ON complaints (token_sha256);
CREATE INDEX complaints_org ON complaints (org_id, received_at);

CREATE TABLE complaint_steps (
    id {id},
    complaint_id BIGINT NOT NULL REFERENCES complaints (id) DEFERRABLE INITIALLY IMMEDIATE,
    step TEXT NOT NULL,
    admissible {bool} NULL,
    body TEXT NOT NULL,
    person_id BIGINT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    at BIGINT NOT NULL
);
CREATE INDEX complaint_steps_of ON complaint_steps (complaint_id, id);
