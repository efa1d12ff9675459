DROP TABLE listing_entries;
DROP TABLE provider_profiles;
