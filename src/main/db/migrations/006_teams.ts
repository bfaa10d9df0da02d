import type { Migration } from '../migration'

/**
 * Teams and privacy (issue 14).
 *
 * - annotations gain the source 'adjudicate' (a reviewer's resolution of a disagreement, its own answer). SQLite
 *   cannot alter a CHECK, so the table is rebuilt with its rows, indexes, trigger and view unchanged otherwise.
 * - annotator_profiles: optional, free-text attributes per annotator name (a self-declared group), for the
 *   annotator × subject-group analysis. Nothing requires a profile; answers keep carrying the name only.
 * - version_training_faces: which faces each trained version learnt from, written in the version's commit, so
 *   forgetting a person can flag the versions trained on them. The rows of a forgotten face go with the face
 *   (ON DELETE CASCADE) once the flag is set on the version.
 * - forget_exclusions: content hash (+ box, for photos that keep other faces) of what was forgotten, so a
 *   re-import does not bring the faces back. No path, name or person id is kept.
 * - forget_audit: when, by which profile, how many faces / annotations / files / versions; nothing identifying.
 * - project_settings-like overlap lives in project_meta (key 'overlap'), no table needed.
 */
export const migration006: Migration = {
  version: 6,
  name: 'teams and privacy',
  sql: `
DROP VIEW current_face_labels;
DROP TRIGGER annotations_append_only_update;
CREATE TABLE annotations_new (
  id INTEGER PRIMARY KEY,
  target TEXT NOT NULL CHECK (target IN ('face', 'person')),
  face_id INTEGER REFERENCES faces(id) ON DELETE CASCADE,
  person_id INTEGER REFERENCES persons(id) ON DELETE CASCADE,
  task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  value TEXT,
  previous_value TEXT,
  annotator TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('confirm', 'correct', 'import', 'person', 'undo', 'redo', 'adjudicate')),
  created_at TEXT NOT NULL,
  action_id INTEGER REFERENCES annotation_actions(id),
  CHECK ((target = 'face' AND face_id IS NOT NULL AND person_id IS NULL)
      OR (target = 'person' AND person_id IS NOT NULL AND face_id IS NULL))
) STRICT;
INSERT INTO annotations_new (id, target, face_id, person_id, task_id, value, previous_value, annotator, source, created_at, action_id)
SELECT id, target, face_id, person_id, task_id, value, previous_value, annotator, source, created_at, action_id FROM annotations;
DROP TABLE annotations;
ALTER TABLE annotations_new RENAME TO annotations;
CREATE INDEX annotations_face_task ON annotations(face_id, task_id, id);
CREATE INDEX annotations_person_task ON annotations(person_id, task_id, id);
CREATE INDEX annotations_action ON annotations(action_id);
CREATE INDEX annotations_task ON annotations(task_id, target, id);
CREATE INDEX annotations_annotator ON annotations(annotator);
CREATE TRIGGER annotations_append_only_update BEFORE UPDATE ON annotations
BEGIN SELECT RAISE(ABORT, 'annotations are append-only'); END;
CREATE VIEW current_face_labels AS
SELECT a.face_id, a.task_id, a.value, a.annotator, a.created_at, a.id AS annotation_id
FROM annotations a
WHERE a.target = 'face'
  AND a.id = (SELECT MAX(b.id) FROM annotations b
              WHERE b.target = 'face' AND b.face_id = a.face_id AND b.task_id = a.task_id);

CREATE TABLE annotator_profiles (
  name TEXT PRIMARY KEY,
  attributes TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(attributes)),
  updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE version_training_faces (
  version_id INTEGER NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,
  face_id INTEGER NOT NULL REFERENCES faces(id) ON DELETE CASCADE,
  PRIMARY KEY (version_id, face_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX version_training_faces_face ON version_training_faces(face_id);

CREATE TABLE forget_exclusions (
  id INTEGER PRIMARY KEY,
  content_hash TEXT NOT NULL,
  -- NULL box: the whole photo (no other face remained); otherwise the forgotten face's box.
  x REAL, y REAL, w REAL, h REAL,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX forget_exclusions_hash ON forget_exclusions(content_hash);

CREATE TABLE forget_audit (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  by TEXT NOT NULL,
  faces INTEGER NOT NULL,
  annotations INTEGER NOT NULL,
  files INTEGER NOT NULL,
  versions_flagged INTEGER NOT NULL
) STRICT;
`
}
