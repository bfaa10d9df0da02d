import type { Migration } from '../migration'

/**
 * Mirrored features (issue 11 §2): the expression and age/gender nets also run on the horizontally mirrored
 * aligned face, stored as their own kinds ('expression_mirror', 'age_gender_mirror') in face_features, whose
 * `kind` is free text (no CHECK to widen). What changes is how the table is read: every prediction now reads
 * two kinds over every face (`WHERE kind = ? ORDER BY face_id`), and the "augment existing faces" job counts
 * the faces that have a kind but lack its mirror. The primary key (face_id, kind) serves neither; without this
 * index both scan the whole table, which holds five rows per face now.
 */
export const migration010: Migration = {
  version: 10,
  name: 'face_features by kind (mirrored features)',
  sql: `
CREATE INDEX face_features_kind ON face_features(kind, face_id);
`
}
