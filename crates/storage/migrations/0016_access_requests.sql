-- Access requests (PRP-03): access to documents, access to or rectification of one's personal
-- information, with the access law's clock. Dates are calendar dates (YYYY-MM-DD), compared as
-- text; the deadline is computed by the domain from the organization's calendar at each step.
CREATE TABLE access_requests (
    id {id},
    org_id BIGINT NOT NULL REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    reference TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    requester_name TEXT NOT NULL,
    requester_contact TEXT NOT NULL,
    subject TEXT NOT NULL,
    -- The language of the letters: fr, or en on request.
    language TEXT NOT NULL,
    received_on TEXT NOT NULL,
    acknowledged_on TEXT NULL,
    extension_notice_on TEXT NULL,
    last_step_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    -- Decided, transferred or withdrawn on.
    closed_on TEXT NULL,
    decision TEXT NULL,
    recourse_notice {bool} NOT NULL DEFAULT 0,
    transferred_to TEXT NULL,
    -- Days from reception to the decision, for the indicators.
    answer_days BIGINT NULL,
    -- A person the privacy officer asked to help: they see this request, and only it.
    assignee_id BIGINT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    created_by BIGINT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX access_requests_reference ON access_requests (reference);
CREATE INDEX access_requests_org_received ON access_requests (org_id, received_on, id);
CREATE INDEX access_requests_org_due ON access_requests (org_id, status, due_on);
CREATE INDEX access_requests_assignee ON access_requests (assignee_id);
-- The register reads in order of receipt or of deadline and stops at a page.
CREATE INDEX access_requests_received ON access_requests (received_on, id);
CREATE INDEX access_requests_due ON access_requests (due_on, id);

-- What happened to a request, in order: each step as the privacy officer recorded it.
CREATE TABLE access_request_steps (
    id {id},
    request_id BIGINT NOT NULL REFERENCES access_requests (id) DEFERRABLE INITIALLY IMMEDIATE,
    step TEXT NOT NULL,
    on_date TEXT NOT NULL,
    -- The step's particulars (decision, provisions, body transferred to, note) as JSON.
    detail TEXT NOT NULL,
    person_id BIGINT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    at BIGINT NOT NULL
);
CREATE INDEX access_request_steps_of ON access_request_steps (request_id, id);

-- The provisions a decision cited, for the letter and the "most invoked" indicator.
CREATE TABLE access_request_provisions (
    request_id BIGINT NOT NULL REFERENCES access_requests (id) DEFERRABLE INITIALLY IMMEDIATE,
    code TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (request_id, code)
);
CREATE INDEX access_request_provisions_code ON access_request_provisions (code);

-- The provisions a decision may cite that a body added, for itself and the units below it;
-- those shipped with the product are the domain's (`access_request::SHIPPED_PROVISIONS`).
CREATE TABLE access_provisions (
    id {id},
    org_id BIGINT NOT NULL REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    code TEXT NOT NULL,
    law TEXT NOT NULL,
    summary TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX access_provisions_org ON access_provisions (org_id, code);

-- The letters' texts a body has rewritten (acknowledgement, extension notice, decision), per
-- language; without one, the product's text is used.
CREATE TABLE access_letter_templates (
    id {id},
    org_id BIGINT NOT NULL REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    letter TEXT NOT NULL,
    language TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX access_letter_templates_unique ON access_letter_templates (org_id, letter, language);
