-- Undoes add-loyalty-points.sql (npm run reset step-11).
ALTER TABLE CUSTOMERS DROP COLUMN loyalty_points;
