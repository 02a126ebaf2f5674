-- Whole-table refresh (cheap): first and last loaded week each offering was seen in.
-- Global, not per week: loading an earlier week (a backfill) changes first_seen of later rows.
UPDATE int_offerings AS o
SET first_seen = s.first_seen, last_seen = s.last_seen
FROM (SELECT offering_key, min(week) AS first_seen, max(week) AS last_seen FROM int_offerings GROUP BY offering_key) AS s
WHERE o.offering_key = s.offering_key;
