SELECT id, first_name, last_name, club_status FROM customers LIMIT 20;
