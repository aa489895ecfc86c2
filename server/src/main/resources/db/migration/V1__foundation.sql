-- Foundation: the restricted application role and default privileges.
-- Migrations run as the schema owner; the server's runtime pool connects as ${app_role}, which
-- receives data privileges on every table created here by default. Tables that must stay
-- append-only (the audit log) revoke UPDATE and DELETE in their own migration.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${app_role}') THEN
    CREATE ROLE "${app_role}" NOLOGIN;
  END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO "${app_role}";
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "${app_role}";
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO "${app_role}";
GRANT SELECT ON flyway_schema_history TO "${app_role}";

-- Nodes announce themselves here; the row is the node's lease for fenced scheduled work.
CREATE TABLE node (
  node_id      text PRIMARY KEY,
  started_at   timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now()
);
