-- Open311 GeoReport v2: the apps allowed to POST service requests. A key is shown once when it is
-- issued; only its SHA-256 is kept (keys are 256-bit random, so a fast hash is enough).
CREATE TABLE open311_clients (
  id           bigserial PRIMARY KEY,
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  api_key_hash text NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz
);
-- One live key per app name: a revoked app may be issued a new key under the same name.
CREATE UNIQUE INDEX open311_clients_live_name_idx ON open311_clients (name) WHERE revoked_at IS NULL;
