SET 'auto.offset.reset' = 'earliest';

-- The enriched ratings once more, for the warehouse: the customer's id copied into the value (a table row holds no
-- Kafka key), and the values in Avro, so that every column arrives with its type, registered in the Schema Registry.
CREATE STREAM RATINGS_FOR_WAREHOUSE WITH (KAFKA_TOPIC = 'ratings_for_warehouse', VALUE_FORMAT = 'AVRO') AS
  SELECT
    ID,
    AS_VALUE(ID) AS USER_ID,
    RATING_ID,
    STARS,
    ROUTE_ID,
    RATING_TIME,
    CHANNEL,
    MESSAGE,
    FULL_NAME,
    CLUB_STATUS,
    EMAIL
  FROM RATINGS_WITH_CUSTOMER_DATA
  EMIT CHANGES;
