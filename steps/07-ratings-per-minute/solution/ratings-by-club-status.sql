SET 'auto.offset.reset' = 'earliest';

-- How many ratings each club status gives per minute: a table with one row per club status and minute.
-- The club status and the window are the row's key; a consumer that reads only values (Elasticsearch, in step 8)
-- needs them in the value too, and an id that names the row: its club status and its minute.
CREATE TABLE RATINGS_BY_CLUB_STATUS_1MIN WITH (KAFKA_TOPIC = 'ratings_by_club_status_1min') AS
  SELECT
    CLUB_STATUS,
    COUNT(*) AS RATING_COUNT,
    AS_VALUE(CLUB_STATUS) AS STATUS,
    WINDOWSTART AS WINDOW_START_TS,
    CLUB_STATUS + '/' + CAST(WINDOWSTART AS STRING) AS WINDOW_ID
  FROM RATINGS_WITH_CUSTOMER_DATA
  WINDOW TUMBLING (SIZE 1 MINUTE)
  GROUP BY CLUB_STATUS
  EMIT CHANGES;
