-- The syslog events as a stream: one column per field of the JSON value. No key: nothing here needs one.
CREATE STREAM SYSLOG (
  ID BIGINT,
  LOG_TIME BIGINT,
  HOST VARCHAR,
  APP VARCHAR,
  PROCID VARCHAR,
  FACILITY VARCHAR,
  SEVERITY VARCHAR,
  MESSAGE VARCHAR
) WITH (
  KAFKA_TOPIC = 'syslog',
  VALUE_FORMAT = 'JSON'
);
