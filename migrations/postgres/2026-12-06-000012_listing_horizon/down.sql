ALTER TABLE listing_sync DROP COLUMN next_breakpoint;
ALTER TABLE listing_sync DROP COLUMN horizon_known;
