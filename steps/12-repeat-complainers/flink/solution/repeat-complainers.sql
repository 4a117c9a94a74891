-- One row per customer, five-minute window and ten-second step: how many poor ratings the customer gave from the
-- window's start up to the step's end, once that reaches three. Each record is keyed by the customer and the window,
-- so the newest record of a key is the count so far (and a topic that keeps only the newest of each key, as ksqlDB
-- makes a table's, takes them).
CREATE TABLE repeat_complainers (
  ID INT,
  POOR_RATINGS BIGINT,
  FULL_NAME STRING,
  CLUB_STATUS STRING,
  WINDOW_START_TS BIGINT,
  WINDOW_END_TS BIGINT
) WITH (
  'connector' = 'kafka',
  'topic' = 'repeat_complainers',
  'properties.bootstrap.servers' = 'kafka:29092',
  'scan.startup.mode' = 'earliest-offset',
  'key.format' = 'json',
  'key.fields' = 'ID;WINDOW_START_TS',
  'value.format' = 'json'
);

-- A cumulating window: five minutes long, told every ten seconds. WHERE picks the ratings before they are counted;
-- HAVING picks the customers after. MAX carries the customer's name and status along (a window that is told as it
-- goes takes only aggregates that Flink can merge, and LAST_VALUE is not one).
INSERT INTO repeat_complainers
  SELECT
    ID,
    COUNT(*),
    MAX(FULL_NAME),
    MAX(CLUB_STATUS),
    EXTRACT(EPOCH FROM window_start) * 1000,
    EXTRACT(EPOCH FROM window_end) * 1000
  FROM TABLE(
    CUMULATE(TABLE ratings_with_customer_data, DESCRIPTOR(RATING_TS), INTERVAL '10' SECOND, INTERVAL '5' MINUTE))
  WHERE STARS < 3
  GROUP BY window_start, window_end, ID
  HAVING COUNT(*) >= 3;
