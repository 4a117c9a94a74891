-- A new column, nullable: a record without it still reads (its default is null), so old and new readers both cope.
ALTER TABLE CUSTOMERS ADD COLUMN loyalty_points INT NULL;

-- Debezium writes the new schema with the first change after the ALTER: give the platinum customers some points.
UPDATE CUSTOMERS SET loyalty_points = 100 WHERE club_status = 'platinum';
