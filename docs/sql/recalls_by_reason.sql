-- Recalls by reason: how many, and how many GPUs they took back.
SELECT event ->> 'reason'                 AS reason,
       count(*)                           AS recalls,
       sum((event ->> 'gpus')::integer)   AS gpus_recalled
FROM gpu_ledger.events
WHERE type = 'RecallIssued'
GROUP BY 1
ORDER BY 3 DESC;
