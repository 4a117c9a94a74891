SET 'auto.offset.reset' = 'earliest';

-- How many such attempts each host sees per minute.
CREATE TABLE INVALID_USERS_PER_HOST WITH (KAFKA_TOPIC = 'invalid_users_per_host') AS
  SELECT HOST, COUNT(*) AS ATTEMPTS
  FROM SYSLOG_INVALID_USERS
  WINDOW TUMBLING (SIZE 1 MINUTE)
  GROUP BY HOST
  EMIT CHANGES;
