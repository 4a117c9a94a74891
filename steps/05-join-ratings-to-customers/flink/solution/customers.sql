-- The customers as a changelog: upsert-kafka reads each record as the newest row of its key, and a deleted row as
-- a delete. Debezium writes each key as the bare id in text ("7"): the raw format reads it as a STRING, the
-- PRIMARY KEY. The value is the row as JSON (the key's id is in it too, and left out: EXCEPT_KEY); a deleted row's
-- value is the JSON text null, which is no row: ignore-parse-errors skips it. CHANGED_AT is when the change was
-- written to Kafka, and the WATERMARK on it lets Flink tell which version of a customer held at a rating's time.
CREATE TABLE customers (
  id STRING,
  first_name STRING,
  last_name STRING,
  email STRING,
  gender STRING,
  club_status STRING,
  comments STRING,
  changed_at TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
  PRIMARY KEY (id) NOT ENFORCED,
  WATERMARK FOR changed_at AS changed_at
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'mysql.demo.CUSTOMERS',
  'properties.bootstrap.servers' = 'kafka:29092',
  'key.format' = 'raw',
  'value.format' = 'json',
  'value.fields-include' = 'EXCEPT_KEY',
  'value.json.ignore-parse-errors' = 'true'
);
