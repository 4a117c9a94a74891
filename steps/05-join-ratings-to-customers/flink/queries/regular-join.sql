-- A regular join, to see what it gives: every rating at once, with nulls where the customer's row has not been read
-- yet, retracted (-U) and given again (+U) when it is; and every change of a customer comes back as new rows.
SELECT r.rating_id, r.user_id, c.club_status
FROM ratings AS r
LEFT JOIN customers AS c ON CAST(r.user_id AS STRING) = c.id;
