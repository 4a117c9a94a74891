SET 'auto.offset.reset' = 'earliest';

-- How many ratings each club status gives per minute: a table with one row per club status and minute.
CREATE TABLE RATINGS_BY_CLUB_STATUS_1MIN WITH (KAFKA_TOPIC = 'ratings_by_club_status_1min') AS
  SELECT
    CLUB_STATUS,
    COUNT(*) AS RATING_COUNT
  FROM RATINGS_WITH_CUSTOMER_DATA
  WINDOW TUMBLING (SIZE 1 MINUTE)
  GROUP BY CLUB_STATUS
  EMIT CHANGES;
