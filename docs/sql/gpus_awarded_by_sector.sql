-- GPUs awarded by sector: each award joined to its application and the
-- applying organization.
SELECT org.event ->> 'sector'                 AS sector,
       sum((award.event ->> 'gpus')::integer) AS gpus_awarded
FROM gpu_ledger.events award
JOIN gpu_ledger.events app
  ON app.type = 'ApplicationSubmitted'
 AND app.event ->> 'application_id' = award.event ->> 'application_id'
JOIN gpu_ledger.events org
  ON org.type = 'OrganizationRegistered'
 AND org.event ->> 'org_id' = app.event ->> 'org_id'
WHERE award.type = 'AwardGranted'
GROUP BY 1
ORDER BY 2 DESC;
