-- The same topic read as a stream: every change to a customer, not only the latest row.
CREATE STREAM CUSTOMERS_CHANGES (
  ID INT KEY,
  FIRST_NAME VARCHAR,
  LAST_NAME VARCHAR,
  CLUB_STATUS VARCHAR
) WITH (
  KAFKA_TOPIC = 'mysql.demo.CUSTOMERS',
  KEY_FORMAT = 'JSON',
  VALUE_FORMAT = 'JSON'
);
