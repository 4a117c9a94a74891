-- The rating events as a stream. The producer writes each key as the rating_id in text ("42"), which reads as a
-- JSON number: KEY_FORMAT 'JSON' with a BIGINT key. The values are JSON objects.
CREATE STREAM RATINGS (
  RATING_ID BIGINT KEY,
  USER_ID INT,
  STARS INT,
  ROUTE_ID INT,
  RATING_TIME BIGINT,
  CHANNEL VARCHAR,
  MESSAGE VARCHAR
) WITH (
  KAFKA_TOPIC = 'ratings',
  KEY_FORMAT = 'JSON',
  VALUE_FORMAT = 'JSON'
);
