-- The workshop's database and its two users. The MySQL image runs every file in this folder, in name order and as
-- root, once: when its data volume is first created (`npm run down -- --volumes` starts afresh). The CUSTOMERS table
-- and its rows come from 20-customers.sql, which the data generator writes.

CREATE DATABASE IF NOT EXISTS demo;

-- The kit, its checks and the learners connect as workshop.
CREATE USER 'workshop'@'%' IDENTIFIED BY 'workshop';
GRANT ALL PRIVILEGES ON demo.* TO 'workshop'@'%';

-- Debezium reads the binary log as debezium, with exactly the grants its MySQL connector needs. Both users use the
-- default authentication plugin (caching_sha2_password): MySQL 8.4 disables mysql_native_password.
-- Kafka Connect receives these credentials as DEBEZIUM_DATABASE_USER and DEBEZIUM_DATABASE_PASSWORD.
CREATE USER 'debezium'@'%' IDENTIFIED BY 'dbz';
GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'debezium'@'%';

-- Step 14's warehouse: Debezium's JDBC sink writes it as warehouse (Kafka Connect receives the credentials as
-- WAREHOUSE_DATABASE_USER and WAREHOUSE_DATABASE_PASSWORD); the kit and the learners read it as workshop.
CREATE DATABASE IF NOT EXISTS warehouse;
CREATE USER IF NOT EXISTS 'warehouse'@'%' IDENTIFIED BY 'warehouse';
GRANT ALL PRIVILEGES ON warehouse.* TO 'warehouse'@'%';
GRANT ALL PRIVILEGES ON warehouse.* TO 'workshop'@'%';
