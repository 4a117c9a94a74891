SET 'auto.offset.reset' = 'earliest';

-- Every attempt to log in over ssh with a user name the host does not have, as sshd reports it.
CREATE STREAM SYSLOG_INVALID_USERS WITH (KAFKA_TOPIC = 'syslog_invalid_users') AS
  SELECT ID, HOST, MESSAGE
  FROM SYSLOG
  WHERE MESSAGE LIKE '%Invalid user%'
  EMIT CHANGES;
