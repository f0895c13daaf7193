-- V5's trigger refused UPDATE and DELETE, but TRUNCATE is an event of its own and emptied the
-- trail all the same. Statement level, as TRUNCATE triggers must be.
CREATE TRIGGER audit_event_no_truncate
    BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only();
