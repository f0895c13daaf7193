-- A band's name may hold 64 characters (InstrumentDefinition.Category), and rating_fact's copy of
-- the category is varchar(64) (V6), but rating.category was varchar(32): a rating whose total fell
-- in a band with a longer name failed to store with a 500, and so did registering a version that
-- gave stored ratings such a band. Raising a varchar's limit changes the catalog only: no row is
-- rewritten and the lock is held for an instant.
ALTER TABLE rating ALTER COLUMN category TYPE varchar(64);
