-- A batch may hold items for clinics outside the platform's scope: those items are refused one by
-- one, and the request still answers 200 for the others. Listed among the row's clinics, such a
-- clinic's admin read a 200 that had written to it; listed nowhere, the attempt was invisible to
-- them. They are kept apart, as the clinics the request was refused for.
ALTER TABLE audit_event ADD COLUMN refused_clinics text[] NOT NULL DEFAULT '{}';

CREATE INDEX audit_event_refused_clinics_idx ON audit_event USING gin (refused_clinics);
