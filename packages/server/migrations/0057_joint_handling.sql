-- 联勤联动: assisting departments of a case, each with its own task, deadline and feedback. The
-- lead department stays cases.department_code; its 处置反馈 (handle) waits for every assistant.
CREATE TABLE case_assists (
  case_id         bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  department_code text NOT NULL REFERENCES departments (code),
  task            text NOT NULL CHECK (length(task) BETWEEN 1 AND 2000),
  due_at          timestamptz NOT NULL,
  assigned_by     bigint REFERENCES users (id) ON DELETE SET NULL,
  assigned_at     timestamptz NOT NULL,
  feedback        text,
  done_at         timestamptz,
  done_by         bigint REFERENCES users (id) ON DELETE SET NULL,
  PRIMARY KEY (case_id, department_code),
  CHECK ((feedback IS NULL) = (done_at IS NULL))
);
CREATE INDEX case_assists_department_idx ON case_assists (department_code, done_at);
