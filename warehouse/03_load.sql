-- Tarn warehouse, step 3 of 3: load the star from staging, as often as wanted.
--
-- Staging's current tables (staging.orders, staging.accounts) hold one row per primary key, the
-- latest change by the one change order Tarn defines (shared: io.tarn.current.ChangeOrder),
-- deletes removed; the refresh of the ETL state machine keeps them so. Every change is in
-- staging.<table>_changes. This file carries no rule of its own about which version is current.
--
-- The load is a full rebuild from the current tables inside one transaction: readers see the old
-- star or the new one, never a mix, and a second run over the same staging leaves exactly the same
-- rows. DELETE, not TRUNCATE: TRUNCATE commits at once in Redshift. Auto vacuum reclaims the
-- deleted rows.

BEGIN;

DROP TABLE IF EXISTS current_orders;
DROP TABLE IF EXISTS current_accounts;

CREATE TEMP TABLE current_orders AS
SELECT order_id, account_id, customer_id, status, total, currency, created_at, updated_at, _commit_ts
FROM staging.orders;

CREATE TEMP TABLE current_accounts AS
SELECT account_id, name, plan, region, created_at, updated_at
FROM staging.accounts;

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
