-- A check or verification queued on an offline phone (the inspector app) and replayed is
-- applied once: the second call with the same key answers with the case as it is now.
CREATE TABLE case_action_keys (
  owner      text NOT NULL,
  key        text NOT NULL,
  case_id    bigint NOT NULL REFERENCES cases (id),
  action     text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (owner, key)
);
