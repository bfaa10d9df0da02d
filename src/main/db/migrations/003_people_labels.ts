import type { Migration } from '../migration'

/**
 * People and review: which face-to-person assignments a user confirmed (they survive re-clustering),
 * "not this person" constraints, and user actions over annotations (one action = one undo step; undo and
 * redo append annotation rows, so the history stays append-only and survives a restart).
 */
export const migration003: Migration = {
  version: 3,
  name: 'people constraints and annotation actions',
  sql: `
ALTER TABLE faces ADD COLUMN person_confirmed INTEGER NOT NULL DEFAULT 0 CHECK (person_confirmed IN (0, 1));
ALTER TABLE persons ADD COLUMN merged_into INTEGER REFERENCES persons(id) ON DELETE SET NULL;

CREATE TABLE cannot_links (
  face_id INTEGER NOT NULL REFERENCES faces(id) ON DELETE CASCADE,
  person_id INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  PRIMARY KEY (face_id, person_id)
) STRICT;
CREATE INDEX cannot_links_person ON cannot_links(person_id);

-- kind 'do' rows form the undo stack (state done/undone/dropped); 'undo'/'redo' rows point at the action they reverse.
CREATE TABLE annotation_actions (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('do', 'undo', 'redo')),
  ref_action_id INTEGER REFERENCES annotation_actions(id),
  task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  annotator TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  state TEXT CHECK (state IS NULL OR state IN ('done', 'undone', 'dropped')),
  undo_seq INTEGER,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX annotation_actions_state ON annotation_actions(state, id);

ALTER TABLE annotations ADD COLUMN action_id INTEGER REFERENCES annotation_actions(id);
CREATE INDEX annotations_action ON annotations(action_id);
CREATE INDEX annotations_task ON annotations(task_id, target, id);
`
}
