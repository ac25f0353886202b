-- AI cameras (issue 15, docs/channels.md): the registry, every detection received, and each
-- camera's link to its current case per detection type (the automatic loop's work list: a
-- restart loses nothing, the sweep closes what has not been seen for the type's window).
CREATE TABLE cameras (
  id             text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  name           text NOT NULL,
  geom           geometry(Point, 4326) NOT NULL,
  heading        real CHECK (heading IS NULL OR (heading >= 0 AND heading < 360)),
  unit_grid_code text,
  area_code      text NOT NULL,
  stream_url     text,
  status         text NOT NULL DEFAULT 'online' CHECK (status IN ('online', 'offline', 'disabled')),
  last_seen_at   timestamptz,
  created_by     text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cameras_area_idx ON cameras (area_code text_pattern_ops);
CREATE INDEX cameras_geom_idx ON cameras USING gist (geom);

CREATE TABLE camera_detections (
  id            bigserial PRIMARY KEY,
  camera_id     text NOT NULL REFERENCES cameras (id) ON DELETE CASCADE,
  ts            timestamptz NOT NULL,
  type          text NOT NULL,
  confidence    real NOT NULL,
  bbox          jsonb,
  clear         boolean NOT NULL DEFAULT false,
  attachment_id text REFERENCES attachments (id) ON DELETE SET NULL,
  outcome       text NOT NULL,
  case_id       bigint REFERENCES cases (id),
  received_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX camera_detections_case_idx ON camera_detections (case_id, ts DESC) WHERE case_id IS NOT NULL;
CREATE INDEX camera_detections_camera_idx ON camera_detections (camera_id, ts DESC);

CREATE TABLE camera_case_links (
  camera_id    text NOT NULL REFERENCES cameras (id) ON DELETE CASCADE,
  type         text NOT NULL,
  case_id      bigint NOT NULL REFERENCES cases (id),
  state        text NOT NULL CHECK (state IN ('open', 'cleared', 'closed', 'released')),
  last_seen_at timestamptz NOT NULL,
  cleared_at   timestamptz,
  closed_at    timestamptz,
  note         text,
  PRIMARY KEY (camera_id, type)
);
CREATE INDEX camera_case_links_state_idx ON camera_case_links (state) WHERE state IN ('open', 'cleared');
