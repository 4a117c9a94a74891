-- Where the poor ratings go: a table over the topic poor_ratings, its columns named as ksqlDB names them, so that
-- whatever reads the topic later reads the same records on either engine.
CREATE TABLE poor_ratings (
  RATING_ID BIGINT,
  USER_ID INT,
  STARS INT,
  ROUTE_ID INT,
  RATING_TIME BIGINT,
  CHANNEL STRING,
  MESSAGE STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'poor_ratings',
  'properties.bootstrap.servers' = 'kafka:29092',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json'
);

-- A job: it keeps running on the Flink cluster and writes every poor rating to poor_ratings.
INSERT INTO poor_ratings
  SELECT rating_id, user_id, stars, route_id, rating_time, channel, message
  FROM ratings
  WHERE stars < 3;
