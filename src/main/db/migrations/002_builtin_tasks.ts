import type { Migration } from '../migration'

/**
 * The built-in tasks and their version 0 (face-api's own heads, applied over stored features).
 * `unsure` and `not applicable` are answers every classification task accepts, so they are not listed
 * as labels; gender_presentation starts with androgynous although the built-in head predicts only two.
 */
export const migration002: Migration = {
  version: 2,
  name: 'built-in tasks',
  sql: `
INSERT INTO tasks (name, kind, level, labels, score_min, score_max, feature_kind, builtin, note, created_at) VALUES
 ('expression', 'classification', 'face',
  '["neutral","happy","sad","angry","fearful","disgusted","surprised"]', NULL, NULL, 'expression', 1,
  'Built-in head: face-api expression net (7 classes).', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
 ('age', 'score', 'face', '[]', 0, 100, 'age_gender', 1,
  'Built-in head: face-api age regression (years).', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
 ('gender_presentation', 'classification', 'face', '["feminine","masculine","androgynous"]', NULL, NULL,
  'age_gender', 1,
  'Perceived gender presentation, not a fact about a person. The built-in head predicts only feminine or masculine (face-api female/male); add labels freely.',
  strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

INSERT INTO model_versions (task_id, version, parent_id, path, sha256, metadata, active, created_at)
SELECT id, 0, NULL, NULL, NULL, json_object('builtin', 1, 'source', '@vladmandic/face-api'), 1,
       strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
FROM tasks WHERE builtin = 1;
`
}
