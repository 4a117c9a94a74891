-- The pipeline of steps 4-7, as one file a headless ksqlDB server runs at start: the deployment.
-- The statements are those you ran in the CLI; only the output topics differ (headless_…), so this server and the
-- interactive one never write the same topic.

-- Every query of this file reads its input from the beginning.
SET 'auto.offset.reset' = 'earliest';

-- Step 4: the ratings, and the poor ones.
CREATE STREAM RATINGS (
  RATING_ID BIGINT KEY,
  USER_ID INT,
  STARS INT,
  ROUTE_ID INT,
  RATING_TIME BIGINT,
  CHANNEL VARCHAR,
  MESSAGE VARCHAR
) WITH (KAFKA_TOPIC = 'ratings', KEY_FORMAT = 'JSON', VALUE_FORMAT = 'JSON');

CREATE STREAM POOR_RATINGS WITH (KAFKA_TOPIC = 'headless_poor_ratings') AS
  SELECT * FROM RATINGS WHERE STARS < 3 EMIT CHANGES;

-- Step 5: the customers from Debezium, and each rating with its customer.
CREATE TABLE CUSTOMERS (
  ID INT PRIMARY KEY,
  FIRST_NAME VARCHAR,
  LAST_NAME VARCHAR,
  EMAIL VARCHAR,
  GENDER VARCHAR,
  CLUB_STATUS VARCHAR,
  COMMENTS VARCHAR
) WITH (KAFKA_TOPIC = 'mysql.demo.CUSTOMERS', KEY_FORMAT = 'JSON', VALUE_FORMAT = 'JSON');

CREATE STREAM RATINGS_WITH_CUSTOMER_DATA WITH (KAFKA_TOPIC = 'headless_ratings_with_customer_data') AS
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

-- Step 6: the unhappy platinum customers.
CREATE STREAM UNHAPPY_PLATINUM_CUSTOMERS WITH (KAFKA_TOPIC = 'headless_unhappy_platinum_customers') AS
  SELECT * FROM RATINGS_WITH_CUSTOMER_DATA WHERE STARS < 3 AND CLUB_STATUS = 'platinum' EMIT CHANGES;

-- Step 7: ratings per club status per minute.
CREATE TABLE RATINGS_BY_CLUB_STATUS_1MIN WITH (KAFKA_TOPIC = 'headless_ratings_by_club_status_1min') AS
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
