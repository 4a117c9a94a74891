-- A sink connector, created from ksqlDB: ksqlDB hands the properties to Kafka Connect. Debezium's JDBC sink writes
-- each record as a row of warehouse.ratings, creating the table and its columns from the record's schema, and
-- upserts by RATING_ID, so a record delivered twice is still one row. The password is Connect's to look up
-- (${env:…}): it is in no statement, no connector config and no log.
CREATE SINK CONNECTOR WAREHOUSE_RATINGS WITH (
  'connector.class' = 'io.debezium.connector.jdbc.JdbcSinkConnector',
  'topics' = 'ratings_for_warehouse',
  'connection.url' = 'jdbc:mysql://mysql:3306/warehouse',
  'connection.username' = '${env:WAREHOUSE_DATABASE_USER}',
  'connection.password' = '${env:WAREHOUSE_DATABASE_PASSWORD}',
  'insert.mode' = 'upsert',
  'primary.key.mode' = 'record_value',
  'primary.key.fields' = 'RATING_ID',
  'schema.evolution' = 'basic',
  'collection.name.format' = 'ratings',
  'key.converter' = 'org.apache.kafka.connect.storage.StringConverter',
  'value.converter' = 'io.confluent.connect.avro.AvroConverter',
  'value.converter.schema.registry.url' = 'http://schema-registry:8081'
);
