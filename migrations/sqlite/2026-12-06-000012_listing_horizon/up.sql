-- The horizon of a provider's written change log: the next instant at which its evidence can
-- change the decision by itself (a certificate or certification beginning or lapsing, a dated
-- GIX change). Until then the stored log is the answer, so reads need not load the evidence.
-- `horizon_known = 0` (rows from before this migration) sends reads to the evidence.
ALTER TABLE listing_sync ADD COLUMN horizon_known INTEGER NOT NULL DEFAULT 0 CHECK (horizon_known IN (0, 1));
-- NULL with horizon_known = 1: nothing dated lies ahead.
ALTER TABLE listing_sync ADD COLUMN next_breakpoint TEXT;
