-- Read the ratings from the beginning of the topic, not only those that arrive from now on.
SET 'auto.offset.reset' = 'earliest';

-- The same ratings, re-serialised as Avro: ksqlDB registers the value's schema in the Schema Registry under the
-- subject ratings_avro-value, and writes each record with that schema's id. Six partitions instead of one: a
-- topic's partitions are how far its consumers can share the work.
CREATE STREAM RATINGS_AVRO WITH (KAFKA_TOPIC = 'ratings_avro', VALUE_FORMAT = 'AVRO', PARTITIONS = 6) AS
  SELECT *
  FROM RATINGS
  EMIT CHANGES;
