-- Tarn warehouse, step 1 of 3: the staging layer as a Redshift Spectrum external schema.
--
-- Placeholder (README.md, "Running"):
--   {{glue_database}}  the stack's Glue database, output GlueDatabaseName (tarn_<stack name>)
--
-- Every staging table registered in that database (orders, accounts, events, invoices) appears as
-- staging.<table>, with its partition columns (account_id, and dt for orders) as ordinary
-- columns. Spectrum reads the partitions registered in Glue, the same ones Athena reads.
--
-- IAM_ROLE default is the namespace's default role, the stack's RedshiftSpectrumRole: it may read
-- this database's tables and partitions, get and list the staging bucket, and decrypt with the
-- staging key. No REGION: the database lives in the workgroup's own Region.

CREATE EXTERNAL SCHEMA IF NOT EXISTS staging
FROM DATA CATALOG
DATABASE '{{glue_database}}'
IAM_ROLE default;
