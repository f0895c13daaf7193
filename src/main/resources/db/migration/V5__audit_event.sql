-- The audit trail: one row per API request that read clinic data, wrote, or was refused.
-- No patient id, raw or pseudonymized, and no query values: the route is the template.
CREATE TABLE audit_event (
    id          bigint       GENERATED ALWAYS AS IDENTITY,
    at          timestamptz  NOT NULL,
    request_id  varchar(64)  NOT NULL,
    subject     varchar(255),
    roles       text[]       NOT NULL,
    clinics     text[]       NOT NULL,
    method      varchar(16)  NOT NULL,
    route       varchar(255) NOT NULL,
    status      integer      NOT NULL,
    records     bigint       NOT NULL,
    CONSTRAINT audit_event_pk PRIMARY KEY (id)
);

CREATE INDEX audit_event_at_idx ON audit_event (at);
CREATE INDEX audit_event_clinics_idx ON audit_event USING gin (clinics);

-- Append-only, enforced by the database itself and not only by the absence of an endpoint.
CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only';
END;
$$;
CREATE TRIGGER audit_event_no_update_or_delete
    BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only();
