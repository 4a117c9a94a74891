SET 'auto.offset.reset' = 'earliest';

-- Customers who gave three or more poor ratings within five minutes: a table with one row per customer and
-- window, and only for the customers who reach three. WHERE picks the records before they are counted; HAVING
-- picks the groups after.
CREATE TABLE REPEAT_COMPLAINERS WITH (KAFKA_TOPIC = 'repeat_complainers') AS
  SELECT
    ID,
    COUNT(*) AS POOR_RATINGS,
    LATEST_BY_OFFSET(FULL_NAME) AS FULL_NAME,
    LATEST_BY_OFFSET(CLUB_STATUS) AS CLUB_STATUS
  FROM RATINGS_WITH_CUSTOMER_DATA
  WINDOW TUMBLING (SIZE 5 MINUTES)
  WHERE STARS < 3
  GROUP BY ID
  HAVING COUNT(*) >= 3
  EMIT CHANGES;
