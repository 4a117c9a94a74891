-- Poor ratings from the customers who matter most: the topic the notifications app and the dashboard read.
CREATE TABLE unhappy_platinum_customers (
  ID INT,
  RATING_ID BIGINT,
  STARS INT,
  ROUTE_ID INT,
  RATING_TIME BIGINT,
  CHANNEL STRING,
  MESSAGE STRING,
  FULL_NAME STRING,
  CLUB_STATUS STRING,
  EMAIL STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'unhappy_platinum_customers',
  'properties.bootstrap.servers' = 'kafka:29092',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json'
);

INSERT INTO unhappy_platinum_customers
  SELECT ID, RATING_ID, STARS, ROUTE_ID, RATING_TIME, CHANNEL, MESSAGE, FULL_NAME, CLUB_STATUS, EMAIL
  FROM ratings_with_customer_data
  WHERE STARS < 3
    AND CLUB_STATUS = 'platinum';
