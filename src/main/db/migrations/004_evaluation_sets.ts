import type { Migration } from '../migration'

/**
 * Evaluation sets (issue 5): which labelled faces of a task are held out from training, so every model
 * version is measured on the same faces. One row per face *decided* for a task: `member = 1` is in the
 * evaluation set, `member = 0` was considered and left for training. Keeping the "no" decisions is what
 * makes membership stable: a face is assigned once (sampled, hashed or marked by the user) and a later
 * sync never moves it, so the set grows with new annotations but earlier faces never change sides.
 * `evaluation_sampling` records the one-off stratified sample per task (seed, fraction, when).
 */
export const migration004: Migration = {
  version: 4,
  name: 'evaluation sets',
  sql: `
CREATE TABLE evaluation_set (
  task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  face_id INTEGER NOT NULL REFERENCES faces(id) ON DELETE CASCADE,
  member INTEGER NOT NULL CHECK (member IN (0, 1)),
  source TEXT NOT NULL CHECK (source IN ('sampled', 'hashed', 'user')),
  assigned_at TEXT NOT NULL,
  PRIMARY KEY (task_id, face_id)
) STRICT;
CREATE INDEX evaluation_set_members ON evaluation_set(task_id, member, face_id);

CREATE TABLE evaluation_sampling (
  task_id INTEGER PRIMARY KEY REFERENCES tasks(id) ON DELETE CASCADE,
  seed INTEGER NOT NULL,
  fraction REAL NOT NULL CHECK (fraction > 0 AND fraction < 1),
  sampled_at TEXT NOT NULL
) STRICT;
`
}
