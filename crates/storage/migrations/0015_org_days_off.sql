-- Days an organization adds to the legal calendar (a closure, a day the government fixes): no
-- deadline of the access law ends on them, for the organization and the units below it.
CREATE TABLE org_days_off (
    id {id},
    org_id BIGINT NOT NULL REFERENCES organizations (id) DEFERRABLE INITIALLY IMMEDIATE,
    day TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX org_days_off_unique ON org_days_off (org_id, day);
