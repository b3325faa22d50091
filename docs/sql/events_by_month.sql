-- Events per month of business time (occurred_at, in Korea's time zone) and type.
SELECT date_trunc('month', (event ->> 'occurred_at')::timestamptz AT TIME ZONE 'Asia/Seoul') AS month,
       type,
       count(*) AS events
FROM gpu_ledger.events
GROUP BY 1, 2
ORDER BY 1, 3 DESC;
