-- One row per club status and minute, with the columns ksqlDB gives them (step 8 sends them to Elasticsearch). Each
-- record is keyed by its WINDOW_ID, the row it is: a topic that keeps only the newest record of each key (as ksqlDB
-- makes a table's topic, and as a room that ran ksqlDB's step 7 may still have it) takes no record without a key.
CREATE TABLE ratings_by_club_status_1min (
  CLUB_STATUS STRING,
  RATING_COUNT BIGINT,
  STATUS STRING,
  WINDOW_START_TS BIGINT,
  WINDOW_ID STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'ratings_by_club_status_1min',
  'properties.bootstrap.servers' = 'kafka:29092',
  'scan.startup.mode' = 'earliest-offset',
  'key.format' = 'json',
  'key.fields' = 'WINDOW_ID',
  'value.format' = 'json'
);

-- A one-minute tumbling window on the rating's time. Each window comes out once, final, when the watermark has
-- passed its end: about 5 s (the watermark's delay) after the minute.
INSERT INTO ratings_by_club_status_1min
  SELECT
    CLUB_STATUS,
    COUNT(*),
    CLUB_STATUS,
    EXTRACT(EPOCH FROM window_start) * 1000,
    CLUB_STATUS || '/' || CAST(EXTRACT(EPOCH FROM window_start) * 1000 AS STRING)
  FROM TABLE(TUMBLE(TABLE ratings_with_customer_data, DESCRIPTOR(RATING_TS), INTERVAL '1' MINUTE))
  GROUP BY window_start, window_end, CLUB_STATUS;
