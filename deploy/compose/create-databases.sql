-- docker compose only (service `create-databases`): one database per service and per hospital,
-- created when missing, so it also works on a volume made by an earlier `docker compose up postgres`.
-- Names follow the launcher's convention: <DB_PREFIX>_<service>, <DB_PREFIX>_hospital_<slug>.
SELECT format('CREATE DATABASE %I', name)
FROM unnest(ARRAY[
  'triage_directory',
  'triage_triage',
  'triage_research',
  'triage_hospital_st_marys',
  'triage_hospital_general'
]) AS name
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = name)
\gexec
