-- A stream over the Avro customers with no columns declared: ksqlDB reads them from the newest schema of the
-- subject mysql_avro.demo.CUSTOMERS-value in the Schema Registry.
CREATE STREAM CUSTOMERS_AVRO WITH (KAFKA_TOPIC = 'mysql_avro.demo.CUSTOMERS', VALUE_FORMAT = 'AVRO');
