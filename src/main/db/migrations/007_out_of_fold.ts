import type { Migration } from '../migration'

/**
 * Out-of-fold predictions (issue 11): a trained version's k-fold run scores every labelled training face with
 * the one head that never trained on it. Kept per version (immutable like the version; deleted with it), they
 * are what the label-error finder and the learning curve read: honest probabilities for faces the ensemble
 * itself trained on. `probs` is a Float32 blob over the task's labels (as predictions.probs), calibrated.
 */
export const migration007: Migration = {
  version: 7,
  name: 'out-of-fold predictions',
  sql: `
CREATE TABLE out_of_fold (
  version_id INTEGER NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,
  face_id INTEGER NOT NULL REFERENCES faces(id) ON DELETE CASCADE,
  fold INTEGER NOT NULL,
  probs BLOB NOT NULL,
  PRIMARY KEY (version_id, face_id)
) STRICT;
`
}
