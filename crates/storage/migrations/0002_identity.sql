-- The identity directive (AUTH-02 to AUTH-08): lockout state, password history, TOTP,
-- recovery codes, source throttling, session stages and personal API tokens.

ALTER TABLE persons ADD COLUMN failed_logins BIGINT NOT NULL DEFAULT 0;
ALTER TABLE persons ADD COLUMN locked_until BIGINT NULL;
ALTER TABLE persons ADD COLUMN password_changed_at BIGINT NULL;
-- Base32 TOTP secret, set once enrolment is confirmed; the last accepted time step, so that a
-- code is never accepted twice.
ALTER TABLE persons ADD COLUMN totp_secret TEXT NULL;
ALTER TABLE persons ADD COLUMN totp_last_step BIGINT NULL;

CREATE TABLE password_history (
    id {id},
    person_id BIGINT NOT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX password_history_person ON password_history (person_id, created_at);

-- Single-use recovery codes, stored as SHA-256 (they are random, 120 bits: no need to stretch).
CREATE TABLE recovery_codes (
    id {id},
    person_id BIGINT NOT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    code_hash TEXT NOT NULL,
    used_at BIGINT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX recovery_codes_person ON recovery_codes (person_id);

-- Failed logins per source address, in a window, shared by every `serve` process.
CREATE TABLE login_throttle (
    source TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    window_start BIGINT NOT NULL
);

-- What a session may do yet: 'full', or a step still owed after the password
-- ('password_change', 'mfa', 'mfa_enrol'). A pending TOTP secret awaits its first code.
ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT 'full';
ALTER TABLE sessions ADD COLUMN pending_totp_secret TEXT NULL;

CREATE TABLE api_tokens (
    id {id},
    person_id BIGINT NOT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    scope TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT NULL,
    last_used_at BIGINT NULL
);
CREATE INDEX api_tokens_person ON api_tokens (person_id);
