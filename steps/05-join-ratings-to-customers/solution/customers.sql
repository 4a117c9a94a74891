-- The customers as a table: the latest row of each customer, keyed by id. Debezium writes each key as the bare id
-- in JSON (7), so the key is an INT in KEY_FORMAT 'JSON'.
CREATE TABLE CUSTOMERS (
  ID INT PRIMARY KEY,
  FIRST_NAME VARCHAR,
  LAST_NAME VARCHAR,
  EMAIL VARCHAR,
  GENDER VARCHAR,
  CLUB_STATUS VARCHAR,
  COMMENTS VARCHAR
) WITH (
  KAFKA_TOPIC = 'mysql.demo.CUSTOMERS',
  KEY_FORMAT = 'JSON',
  VALUE_FORMAT = 'JSON'
);
