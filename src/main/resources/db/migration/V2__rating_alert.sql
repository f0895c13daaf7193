-- Instruments that clinics register for themselves; built-ins live in code and are never stored.
CREATE TABLE instrument (
    clinic_id   varchar(128) NOT NULL,
    code        varchar(32)  NOT NULL,
    version     integer      NOT NULL,
    definition  jsonb        NOT NULL,
    created_at  timestamptz  NOT NULL,
    updated_at  timestamptz  NOT NULL,
    CONSTRAINT instrument_pk PRIMARY KEY (clinic_id, code)
);

-- One rating per (clinic, visit, instrument). It may arrive before its visit: it is kept and
-- counts (trends, alerts) once the visit is there, because every use joins on the visit.
CREATE TABLE rating (
    clinic_id     varchar(128)       NOT NULL,
    visit_id      varchar(128)       NOT NULL,
    instrument    varchar(32)        NOT NULL,
    items         double precision[] NOT NULL,
    complete      boolean            NOT NULL,
    total         double precision,
    normalized    double precision,
    subscales     jsonb              NOT NULL DEFAULT '{}',
    category      varchar(32),
    submitted_at  timestamptz        NOT NULL,
    recorded_at   timestamptz        NOT NULL,
    received_at   timestamptz        NOT NULL,
    revision      integer            NOT NULL DEFAULT 1,
    CONSTRAINT rating_pk PRIMARY KEY (clinic_id, visit_id, instrument),
    CONSTRAINT rating_total_when_complete CHECK (complete = (total IS NOT NULL))
);

CREATE INDEX rating_clinic_instrument_idx ON rating (clinic_id, instrument, visit_id);

-- Alliance alerts. One per (rating, reason): a correction reopens or resolves the same row.
CREATE TABLE alert (
    clinic_id        varchar(128)     NOT NULL,
    id               bigint           GENERATED ALWAYS AS IDENTITY,
    visit_id         varchar(128)     NOT NULL,
    instrument       varchar(32)      NOT NULL,
    reason           varchar(32)      NOT NULL CHECK (reason IN ('BELOW_CUTOFF', 'DROP_FROM_PREVIOUS')),
    provider_id      varchar(128)     NOT NULL,
    total            double precision NOT NULL,
    previous_total   double precision,
    cutoff           double precision,
    status           varchar(16)      NOT NULL CHECK (status IN ('OPEN', 'ACKNOWLEDGED', 'RESOLVED')),
    raised_at        timestamptz      NOT NULL,
    acknowledged_at  timestamptz,
    note             varchar(1000),
    resolved_at      timestamptz,
    CONSTRAINT alert_pk PRIMARY KEY (clinic_id, id),
    CONSTRAINT alert_one_per_rating_reason UNIQUE (clinic_id, visit_id, instrument, reason)
);

CREATE INDEX alert_clinic_status_idx ON alert (clinic_id, status, raised_at DESC);
