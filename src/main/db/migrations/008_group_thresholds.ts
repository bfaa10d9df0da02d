import type { Migration } from '../migration'

/**
 * Per-group decision thresholds applied to a version (issue 11): the user's decision to post-process a version's
 * predictions by the group of the face (from its labels of `group_task`), with the accuracy cost and the gap
 * before/after measured when it was applied. One row per version at most; deleted with the version.
 */
export const migration008: Migration = {
  version: 8,
  name: 'per-group thresholds applied to a version',
  sql: `
CREATE TABLE version_group_thresholds (
  version_id INTEGER PRIMARY KEY REFERENCES model_versions(id) ON DELETE CASCADE,
  group_task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  positive TEXT NOT NULL,
  thresholds TEXT NOT NULL,
  record TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
`
}
