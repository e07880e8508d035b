-- The documents found in answer to an access request (PRP-03), each kept as found and, where
-- the decision withholds part of it, in its redacted version with the provisions relied on.
-- The bytes are in the evidence store (content-addressed, hash checked on every read).
CREATE TABLE access_request_documents (
    id {id},
    request_id BIGINT NOT NULL REFERENCES access_requests (id) DEFERRABLE INITIALLY IMMEDIATE,
    title TEXT NOT NULL,
    original_id BIGINT NOT NULL REFERENCES evidence_files (id) DEFERRABLE INITIALLY IMMEDIATE,
    redacted_id BIGINT NULL REFERENCES evidence_files (id) DEFERRABLE INITIALLY IMMEDIATE,
    -- The provisions a redacted version relies on, one code a line.
    redaction_articles TEXT NOT NULL,
    added_by BIGINT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    added_at BIGINT NOT NULL,
    redacted_at BIGINT NULL
);
CREATE INDEX access_request_documents_of ON access_request_documents (request_id, id);
