SELECT rating_id, stars, channel, message FROM ratings LIMIT 5;
