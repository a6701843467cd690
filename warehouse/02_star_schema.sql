-- Tarn warehouse, step 2 of 3: the star schema (schema star).
--
-- One fact, orders at the grain of one order in its current state, and three dimensions:
--   dim_account   the accounts dataset (Azure SQL), plus any account that orders name before its
--                 accounts row has arrived (inferred member: attributes NULL until it does)
--   dim_customer  derived from orders: there is no customer table at any source, so a customer is
--                 what its orders say (account, first and last order day, order count)
--   dim_date      one row per calendar day over the span of the order days
--
-- Keys are the source's natural keys, not IDENTITY surrogates: 03_load.sql rebuilds the star from
-- staging's current state on every run, and surrogates would be renumbered each time, while
-- natural keys keep a load idempotent and a fact joinable by whoever reads staging directly.
-- Redshift does not enforce PRIMARY KEY or REFERENCES; its planner and BI tools rely on them, and
-- the load keeps them true. The test runs this file on DuckDB, which enforces the primary keys,
-- and checks the references with joins.
--
-- Distribution: facts and customers share DISTKEY (customer_id), so the most frequent join stays
-- on one slice; the small dimensions are copied to every node (DISTSTYLE ALL). Facts sort by
-- order day, the usual range filter.
--
-- Re-running this file is harmless (IF NOT EXISTS). It never alters a table: to change a column,
-- drop the star's tables and run steps 2 and 3 again, which rebuild everything from staging.

CREATE SCHEMA IF NOT EXISTS star;

CREATE TABLE IF NOT EXISTS star.dim_date (
    date_key         INTEGER  NOT NULL,  -- yyyymmdd
    full_date        DATE     NOT NULL,
    calendar_year    SMALLINT NOT NULL,
    calendar_quarter SMALLINT NOT NULL,
    calendar_month   SMALLINT NOT NULL,
    day_of_month     SMALLINT NOT NULL,
    day_of_week      SMALLINT NOT NULL,  -- 0 = Sunday .. 6 = Saturday, as EXTRACT(DOW) counts
    is_weekend       BOOLEAN  NOT NULL,
    PRIMARY KEY (date_key)
)
DISTSTYLE ALL
SORTKEY (date_key);

CREATE TABLE IF NOT EXISTS star.dim_account (
    account_id         VARCHAR(256)  NOT NULL,
    account_name       VARCHAR(1024),
    plan               VARCHAR(256),
    region             VARCHAR(256),
    account_created_at TIMESTAMP,
    account_updated_at TIMESTAMP,
    is_inferred        BOOLEAN       NOT NULL,  -- named by orders, no accounts row yet
    PRIMARY KEY (account_id)
)
DISTSTYLE ALL
SORTKEY (account_id);

CREATE TABLE IF NOT EXISTS star.dim_customer (
    account_id       VARCHAR(256) NOT NULL REFERENCES star.dim_account (account_id),
    customer_id      BIGINT       NOT NULL,
    first_order_date DATE         NOT NULL,
    last_order_date  DATE         NOT NULL,
    order_count      BIGINT       NOT NULL,
    PRIMARY KEY (account_id, customer_id)
)
DISTKEY (customer_id)
SORTKEY (account_id, customer_id);

CREATE TABLE IF NOT EXISTS star.fact_orders (
    order_id       BIGINT        NOT NULL,
    account_id     VARCHAR(256)  NOT NULL REFERENCES star.dim_account (account_id),
    customer_id    BIGINT,       -- NULL when the source order has none
    order_date_key INTEGER       NOT NULL REFERENCES star.dim_date (date_key),
    status         VARCHAR(256),
    total          DECIMAL(12,2),
    currency       VARCHAR(256),
    created_at     TIMESTAMP     NOT NULL,
    updated_at     TIMESTAMP,
    committed_at   TIMESTAMP,    -- _commit_ts of the staging row this fact is
    PRIMARY KEY (order_id),
    FOREIGN KEY (account_id, customer_id) REFERENCES star.dim_customer (account_id, customer_id)
)
DISTKEY (customer_id)
SORTKEY (order_date_key, account_id);
