-- Tarn warehouse, step 3 of 3: load the star from staging, as often as wanted.
--
-- Staging keeps every CDC row (_op I/U/D, _commit_ts, _source_key, _source_line). The current
-- state of a table is, per primary key, its latest row: by _commit_ts (NULL, as header files
-- without a commit time have it, counts as oldest), then _source_key (raw object, whose name
-- orders DMS CDC files and SqlPoller pages), then _source_line; and only if that row is not a
-- delete. Arrival order never counts: DMS does not keep transaction order across files.
--
-- The load is a full rebuild from that current state inside one transaction: readers see the
-- old star or the new one, never a mix, and a second run over the same staging leaves exactly the
-- same rows. DELETE, not TRUNCATE: TRUNCATE commits at once in Redshift. Auto vacuum reclaims the
-- deleted rows.

BEGIN;

DROP TABLE IF EXISTS current_orders;
DROP TABLE IF EXISTS current_accounts;

CREATE TEMP TABLE current_orders AS
SELECT order_id, account_id, customer_id, status, total, currency, created_at, updated_at, _commit_ts
FROM (
    SELECT o.order_id, o.account_id, o.customer_id, o.status, o.total, o.currency, o.created_at,
           o.updated_at, o._commit_ts, o._op,
           ROW_NUMBER() OVER (
               PARTITION BY o.order_id
               ORDER BY o._commit_ts DESC NULLS LAST, o._source_key DESC, o._source_line DESC) AS version
    FROM staging.orders o
) latest
WHERE version = 1 AND _op <> 'D';

CREATE TEMP TABLE current_accounts AS
SELECT account_id, name, plan, region, created_at, updated_at
FROM (
    SELECT a.account_id, a.name, a.plan, a.region, a.created_at, a.updated_at, a._op,
           ROW_NUMBER() OVER (
               PARTITION BY a.account_id
               ORDER BY a._commit_ts DESC NULLS LAST, a._source_key DESC, a._source_line DESC) AS version
    FROM staging.accounts a
) latest
WHERE version = 1 AND _op <> 'D';

-- Facts first, dimensions after: nothing is ever left pointing at a deleted dimension row.
DELETE FROM star.fact_orders;
DELETE FROM star.dim_customer;
DELETE FROM star.dim_account;
DELETE FROM star.dim_date;

-- Every day from the first order day to the last (up to 100000 days), from a numbers table built
-- by cross joins: Redshift runs generate_series on the leader node only, so it cannot feed a table.
INSERT INTO star.dim_date (date_key, full_date, calendar_year, calendar_quarter, calendar_month,
                           day_of_month, day_of_week, is_weekend)
WITH digits AS (
    SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
    UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9
), numbers AS (
    SELECT a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d AS n
    FROM digits a CROSS JOIN digits b CROSS JOIN digits c CROSS JOIN digits e CROSS JOIN digits f
), span AS (
    SELECT MIN(CAST(created_at AS DATE)) AS first_day, MAX(CAST(created_at AS DATE)) AS last_day
    FROM current_orders
), days AS (
    SELECT span.first_day + numbers.n AS full_date
    FROM span JOIN numbers ON span.first_day + numbers.n <= span.last_day
)
SELECT CAST(EXTRACT(YEAR FROM full_date) * 10000 + EXTRACT(MONTH FROM full_date) * 100
            + EXTRACT(DAY FROM full_date) AS INTEGER),
       full_date,
       CAST(EXTRACT(YEAR FROM full_date) AS SMALLINT),
       CAST(EXTRACT(QUARTER FROM full_date) AS SMALLINT),
       CAST(EXTRACT(MONTH FROM full_date) AS SMALLINT),
       CAST(EXTRACT(DAY FROM full_date) AS SMALLINT),
       CAST(EXTRACT(DOW FROM full_date) AS SMALLINT),
       EXTRACT(DOW FROM full_date) IN (0, 6)
FROM days;

INSERT INTO star.dim_account (account_id, account_name, plan, region, account_created_at,
                              account_updated_at, is_inferred)
SELECT account_id, name, plan, region, created_at, updated_at, FALSE
FROM current_accounts
UNION ALL
SELECT DISTINCT o.account_id, NULL, NULL, NULL, CAST(NULL AS TIMESTAMP), CAST(NULL AS TIMESTAMP), TRUE
FROM current_orders o
WHERE NOT EXISTS (SELECT 1 FROM current_accounts a WHERE a.account_id = o.account_id);

INSERT INTO star.dim_customer (account_id, customer_id, first_order_date, last_order_date, order_count)
SELECT account_id, customer_id, MIN(CAST(created_at AS DATE)), MAX(CAST(created_at AS DATE)), COUNT(*)
FROM current_orders
WHERE customer_id IS NOT NULL
GROUP BY account_id, customer_id;

INSERT INTO star.fact_orders (order_id, account_id, customer_id, order_date_key, status, total,
                              currency, created_at, updated_at, committed_at)
SELECT order_id, account_id, customer_id,
       CAST(EXTRACT(YEAR FROM created_at) * 10000 + EXTRACT(MONTH FROM created_at) * 100
            + EXTRACT(DAY FROM created_at) AS INTEGER),
       status, total, currency, created_at, updated_at, _commit_ts
FROM current_orders;

COMMIT;
