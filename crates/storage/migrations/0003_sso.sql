-- Single sign-on (AUTH-09): an identity at an OpenID Connect provider, known by its issuer and
-- subject, linked to one existing account. The e-mail is never the key: a provider that lets
-- someone change their e-mail must not let them become someone else (ASVS 6.8.1).
CREATE TABLE sso_identities (
    id {id},
    person_id BIGINT NOT NULL REFERENCES persons (id) DEFERRABLE INITIALLY IMMEDIATE,
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    linked_at BIGINT NOT NULL,
    last_used_at BIGINT NULL
);
CREATE UNIQUE INDEX sso_identities_subject ON sso_identities (issuer, subject);
-- One identity per account and provider: a second subject claiming the same e-mail is refused.
CREATE UNIQUE INDEX sso_identities_person ON sso_identities (person_id, issuer);
