SET 'auto.offset.reset' = 'earliest';

-- Each rating with the customer who gave it. Ratings by guests find no customer: the LEFT JOIN gives them nulls,
-- and the WHERE clause leaves them out.
CREATE STREAM RATINGS_WITH_CUSTOMER_DATA WITH (KAFKA_TOPIC = 'ratings_with_customer_data') AS
  SELECT
    R.USER_ID AS ID,
    R.RATING_ID AS RATING_ID,
    R.STARS AS STARS,
    R.ROUTE_ID AS ROUTE_ID,
    R.RATING_TIME AS RATING_TIME,
    R.CHANNEL AS CHANNEL,
    R.MESSAGE AS MESSAGE,
    C.FIRST_NAME + ' ' + C.LAST_NAME AS FULL_NAME,
    C.CLUB_STATUS AS CLUB_STATUS,
    C.EMAIL AS EMAIL
  FROM RATINGS R
  LEFT JOIN CUSTOMERS C ON R.USER_ID = C.ID
  WHERE C.FIRST_NAME IS NOT NULL
  EMIT CHANGES;
