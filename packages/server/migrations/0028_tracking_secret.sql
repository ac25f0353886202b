-- Public tracking needs the case number plus a key given to the reporter (docs/security.md,
-- "Personal information protection"). The key is HMAC-SHA256(secret, number), shortened: nothing
-- per case is stored, an idempotent replay gives the same key, and rotating the secret (UPDATE
-- here, then restart) withdraws every key at once. Class: secret — never sent anywhere.
CREATE TABLE app_secrets (
  name text PRIMARY KEY,
  value text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- gen_random_uuid() draws from the server's strong random source (PostgreSQL 13+): 244 bits.
INSERT INTO app_secrets (name, value)
VALUES ('tracking-key', replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''));
REVOKE ALL ON app_secrets FROM PUBLIC;
