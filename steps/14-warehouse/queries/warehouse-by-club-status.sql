-- The same ratings the dashboard draws, asked in SQL in the warehouse: how each club status rates.
SELECT club_status, COUNT(*) AS ratings, ROUND(AVG(stars), 2) AS average_stars, SUM(stars < 3) AS poor
FROM warehouse.ratings
GROUP BY club_status
ORDER BY club_status;
