-- Inspectors' patrol tracks (巡查轨迹): GPS points the inspector app uploads while on duty.
-- The command screen shows the latest point per inspector and the recent track; the vital sign
-- "inspectors on duty" counts inspectors with a point in the last 15 minutes.

CREATE TABLE patrol_points (
  id             bigserial PRIMARY KEY,
  user_id        bigint NOT NULL REFERENCES users (id),
  recorded_at    timestamptz NOT NULL,
  received_at    timestamptz NOT NULL DEFAULT now(),
  geom           geometry(Point, 4326) NOT NULL,
  accuracy_m     real CHECK (accuracy_m IS NULL OR accuracy_m >= 0),
  -- Resolved by locate on upload (NULL outside every unit grid); the prefix gives the scope.
  unit_grid_code text REFERENCES unit_grids (code),
  -- The same point uploaded twice (an offline queue replaying) is stored once.
  UNIQUE (user_id, recorded_at)
);
CREATE INDEX patrol_points_recent_idx ON patrol_points (recorded_at DESC, user_id);
CREATE INDEX patrol_points_user_idx ON patrol_points (user_id, recorded_at DESC);
