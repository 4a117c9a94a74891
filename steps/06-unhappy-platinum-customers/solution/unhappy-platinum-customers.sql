SET 'auto.offset.reset' = 'earliest';

-- Poor ratings from the customers who matter most: the stream the notifications app and the dashboard read.
CREATE STREAM UNHAPPY_PLATINUM_CUSTOMERS WITH (KAFKA_TOPIC = 'unhappy_platinum_customers') AS
  SELECT *
  FROM RATINGS_WITH_CUSTOMER_DATA
  WHERE STARS < 3
    AND CLUB_STATUS = 'platinum'
  EMIT CHANGES;
