-- The rating events as a table over the topic. Flink reads each JSON value into these columns by name, exactly as
-- the producer writes them (rating_id, not RATING_ID). RATING_TS is computed from rating_time: the event's own time,
-- and the WATERMARK says how late a rating may arrive (5 seconds): from it Flink knows how far event time has got.
CREATE TABLE ratings (
  rating_id BIGINT,
  user_id INT,
  stars INT,
  route_id INT,
  rating_time BIGINT,
  channel STRING,
  message STRING,
  rating_ts AS TO_TIMESTAMP_LTZ(rating_time, 3),
  WATERMARK FOR rating_ts AS rating_ts - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'ratings',
  'properties.bootstrap.servers' = 'kafka:29092',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json'
);
