-- The customers change seldom: without this, their side's watermark stays at the last change, and the join waits
-- for it forever. After 5 s without records a source counts as idle, and event time moves on with the ratings.
SET 'table.exec.source.idle-timeout' = '5 s';

-- The enriched ratings, in the topic and with the columns ksqlDB gives them (steps 8 to 10 read them). RATING_TS and
-- the WATERMARK let later steps window on the rating's time.
CREATE TABLE ratings_with_customer_data (
  ID INT,
  RATING_ID BIGINT,
  STARS INT,
  ROUTE_ID INT,
  RATING_TIME BIGINT,
  CHANNEL STRING,
  MESSAGE STRING,
  FULL_NAME STRING,
  CLUB_STATUS STRING,
  EMAIL STRING,
  RATING_TS AS TO_TIMESTAMP_LTZ(RATING_TIME, 3),
  WATERMARK FOR RATING_TS AS RATING_TS - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'ratings_with_customer_data',
  'properties.bootstrap.servers' = 'kafka:29092',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json'
);

-- An event-time temporal join: each rating with the customer as they were at the rating's time. One row per
-- rating, never updated, so a plain kafka table can take it. A rating that finds no customer (a guest) is left out.
INSERT INTO ratings_with_customer_data
  SELECT
    r.user_id,
    r.rating_id,
    r.stars,
    r.route_id,
    r.rating_time,
    r.channel,
    r.message,
    c.first_name || ' ' || c.last_name,
    c.club_status,
    c.email
  FROM ratings AS r
  JOIN customers FOR SYSTEM_TIME AS OF r.rating_ts AS c
    ON CAST(r.user_id AS STRING) = c.id;
