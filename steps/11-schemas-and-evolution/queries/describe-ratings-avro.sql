-- The stream's columns, as ksqlDB read them from the Schema Registry.
DESCRIBE RATINGS_AVRO;
