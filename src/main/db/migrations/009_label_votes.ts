import type { Migration } from '../migration'

/**
 * Per-class vote counts of a face for a task (issue 11 §2, issue 14 §1: soft targets), as a labels CSV with
 * `votes_<label>` columns brings them (FER+: ten crowd votes per image). A table rather than one annotation per
 * vote under made-up annotator names: votes are not answers of people in this project, so they must not count in
 * agreement, annotator profiles or the face's current label (the newest annotation), and ten rows per face per
 * import would bloat the append-only log. Re-importing a file replaces a face's votes for that task. Deleted with
 * the face (forgetting a person) or the task.
 */
export const migration009: Migration = {
  version: 9,
  name: 'per-class label votes for soft targets',
  sql: `
CREATE TABLE label_votes (
  face_id INTEGER NOT NULL REFERENCES faces(id) ON DELETE CASCADE,
  task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  label TEXT NOT NULL,
  votes REAL NOT NULL CHECK (votes >= 0),
  source TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (face_id, task_id, label)
) STRICT;
CREATE INDEX label_votes_task ON label_votes(task_id);
`
}
