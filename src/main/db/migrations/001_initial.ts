import type { Migration } from '../migration'

/** The initial schema: images, faces and their features, persons, tasks, append-only annotations, models, predictions, jobs. */
export const migration001: Migration = {
  version: 1,
  name: 'initial schema',
  sql: `
CREATE TABLE project_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE images (
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL UNIQUE,
  root TEXT NOT NULL,
  rel_path TEXT NOT NULL,
  content_hash TEXT,
  bytes INTEGER,
  mtime_ms INTEGER,
  width INTEGER,
  height INTEGER,
  status TEXT NOT NULL CHECK (status IN ('ok', 'error')),
  error TEXT,
  crops INTEGER NOT NULL DEFAULT 0 CHECK (crops IN (0, 1)),
  detector TEXT,
  preview TEXT,
  imported_at TEXT NOT NULL
) STRICT;
CREATE INDEX images_hash ON images(content_hash);
CREATE INDEX images_status ON images(status);

CREATE TABLE persons (
  id INTEGER PRIMARY KEY,
  name TEXT,
  cover_face_id INTEGER,
  created_at TEXT NOT NULL
) STRICT;

CREATE TABLE faces (
  id INTEGER PRIMARY KEY,
  image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  x REAL NOT NULL,
  y REAL NOT NULL,
  w REAL NOT NULL,
  h REAL NOT NULL,
  score REAL NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('detected', 'crop')),
  landmarks BLOB,
  thumb TEXT,
  person_id INTEGER REFERENCES persons(id) ON DELETE SET NULL,
  UNIQUE (image_id, idx)
) STRICT;
CREATE INDEX faces_person ON faces(person_id);

-- One row per face and feature kind ('identity' 128-d, 'expression' 256-d, 'age_gender' 512-d): Float32 little-endian.
CREATE TABLE face_features (
  face_id INTEGER NOT NULL REFERENCES faces(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  dim INTEGER NOT NULL CHECK (dim > 0),
  vec BLOB NOT NULL CHECK (length(vec) = dim * 4),
  PRIMARY KEY (face_id, kind)
) STRICT;

CREATE TABLE tasks (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('classification', 'score')),
  level TEXT NOT NULL CHECK (level IN ('face', 'person')),
  labels TEXT NOT NULL DEFAULT '[]',
  score_min REAL,
  score_max REAL,
  feature_kind TEXT NOT NULL,
  builtin INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1)),
  note TEXT,
  created_at TEXT NOT NULL
) STRICT;

-- Append-only: the current label is the newest row per target and task (see the current_labels view).
CREATE TABLE annotations (
  id INTEGER PRIMARY KEY,
  target TEXT NOT NULL CHECK (target IN ('face', 'person')),
  face_id INTEGER REFERENCES faces(id) ON DELETE CASCADE,
  person_id INTEGER REFERENCES persons(id) ON DELETE CASCADE,
  task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  value TEXT,
  previous_value TEXT,
  annotator TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('confirm', 'correct', 'import', 'person', 'undo', 'redo')),
  created_at TEXT NOT NULL,
  CHECK ((target = 'face' AND face_id IS NOT NULL AND person_id IS NULL)
      OR (target = 'person' AND person_id IS NOT NULL AND face_id IS NULL))
) STRICT;
CREATE INDEX annotations_face_task ON annotations(face_id, task_id, id);
CREATE INDEX annotations_person_task ON annotations(person_id, task_id, id);

CREATE TRIGGER annotations_append_only_update BEFORE UPDATE ON annotations
BEGIN SELECT RAISE(ABORT, 'annotations are append-only'); END;

CREATE VIEW current_face_labels AS
SELECT a.face_id, a.task_id, a.value, a.annotator, a.created_at, a.id AS annotation_id
FROM annotations a
WHERE a.target = 'face'
  AND a.id = (SELECT MAX(b.id) FROM annotations b
              WHERE b.target = 'face' AND b.face_id = a.face_id AND b.task_id = a.task_id);

CREATE TABLE model_versions (
  id INTEGER PRIMARY KEY,
  task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  parent_id INTEGER REFERENCES model_versions(id),
  path TEXT,
  sha256 TEXT,
  metadata TEXT NOT NULL DEFAULT '{}',
  active INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
  created_at TEXT NOT NULL,
  UNIQUE (task_id, version)
) STRICT;
CREATE UNIQUE INDEX model_versions_one_active ON model_versions(task_id) WHERE active = 1;

CREATE TABLE predictions (
  face_id INTEGER NOT NULL REFERENCES faces(id) ON DELETE CASCADE,
  task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  version_id INTEGER NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,
  value TEXT NOT NULL,
  confidence REAL,
  probs BLOB,
  PRIMARY KEY (face_id, task_id, version_id)
) STRICT;
CREATE INDEX predictions_task_version ON predictions(task_id, version_id, confidence);

CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
  params TEXT NOT NULL DEFAULT '{}',
  result TEXT,
  error TEXT,
  started_at TEXT NOT NULL,
  ended_at TEXT
) STRICT;
`
}
