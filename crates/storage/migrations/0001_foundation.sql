-- The foundation: organizations and their closure table, people, role grants, sessions and the
-- audit trail. Instants are BIGINT microseconds since the Unix epoch, UTC, on both engines.

CREATE TABLE organizations (
    id {id},
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('government_centre', 'operational_centre', 'public_body', 'unit')),
    parent_id BIGINT NULL REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    archived_at BIGINT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX organizations_parent ON organizations (parent_id);

-- One row for every (ancestor, descendant) pair, the node itself at depth 0: a subtree is one
-- indexed range read, whatever the depth of the tree.
CREATE TABLE org_closure (
    ancestor_id BIGINT NOT NULL REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    descendant_id BIGINT NOT NULL REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    depth BIGINT NOT NULL,
    PRIMARY KEY (ancestor_id, descendant_id)
);
CREATE INDEX org_closure_descendant ON org_closure (descendant_id, depth);

CREATE TABLE persons (
    id {id},
    org_id BIGINT NOT NULL REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    language TEXT NOT NULL DEFAULT 'fr' CHECK (language IN ('fr', 'en')),
    password_hash TEXT NULL,
    must_change_password {bool} NOT NULL DEFAULT 0,
    disabled_at BIGINT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX persons_org ON persons (org_id);

CREATE TABLE role_grants (
    id {id},
    person_id BIGINT NOT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    org_id BIGINT NOT NULL REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    role TEXT NOT NULL,
    granted_by BIGINT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    created_at BIGINT NOT NULL,
    UNIQUE (person_id, org_id, role)
);
CREATE INDEX role_grants_org ON role_grants (org_id);

CREATE TABLE sessions (
    id {id},
    token_hash TEXT NOT NULL UNIQUE,
    person_id BIGINT NOT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    csrf_token TEXT NOT NULL,
    active_org_id BIGINT NULL REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    source TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT NULL
);
CREATE INDEX sessions_person ON sessions (person_id);

-- The head of the audit chain: one row, locked by every append so that appends are strictly
-- ordered under concurrent writers on both engines.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_entries (
    seq BIGINT PRIMARY KEY,
    at_micros BIGINT NOT NULL,
    actor_id BIGINT NULL,
    actor_label TEXT NOT NULL,
    source TEXT NOT NULL,
    org_id BIGINT NULL,
    action TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before_json TEXT NULL,
    after_json TEXT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_entries_org ON audit_entries (org_id, seq);
CREATE INDEX audit_entries_entity ON audit_entries (entity_type, entity_id);
CREATE INDEX audit_entries_actor ON audit_entries (actor_id, seq);
