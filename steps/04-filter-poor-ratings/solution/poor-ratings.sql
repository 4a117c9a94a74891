-- Read the ratings from the beginning of the topic, not only those that arrive from now on.
SET 'auto.offset.reset' = 'earliest';

-- A persistent query: it keeps running in ksqlDB and writes every poor rating to the topic poor_ratings.
CREATE STREAM POOR_RATINGS WITH (KAFKA_TOPIC = 'poor_ratings') AS
  SELECT *
  FROM RATINGS
  WHERE STARS < 3
  EMIT CHANGES;
