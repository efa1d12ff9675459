DROP TABLE staff_members;
DROP TABLE listing_sync;
DROP TABLE listing_changes;
DROP TABLE certifications;
DROP TABLE assessment_findings;
DROP TABLE assessments;
DROP TABLE iso_certificates;
DROP TABLE assessor_accreditations;
