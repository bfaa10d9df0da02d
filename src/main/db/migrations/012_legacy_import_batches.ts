import type { Migration } from '../migration'

/**
 * Photos imported before migration 011 carry no import id, so "the import I ran last week" was not a scope for
 * them, only their folder. Their rows still say when each photo was committed: within one folder, photos of one
 * import job are committed seconds apart, while two jobs on the same folder are normally minutes or days apart.
 * So each run of a folder's photos with no gap over 10 minutes becomes one batch, named after its first image
 * ("legacy-<image id>"). A guess, stated in docs/formats.md: two imports of one folder within 10 minutes of
 * each other become one batch; their folder scope is unchanged either way.
 */
export const migration012: Migration = {
  version: 12,
  name: 'legacy import batches',
  sql: `
WITH o AS (
  SELECT id, root, imported_at,
         CASE WHEN LAG(imported_at) OVER w IS NULL
                OR (julianday(imported_at) - julianday(LAG(imported_at) OVER w)) * 86400 > 600
              THEN 1 ELSE 0 END AS starts
    FROM images
   WHERE import_id IS NULL AND status = 'ok'
  WINDOW w AS (PARTITION BY root ORDER BY imported_at, id)
),
b AS (
  SELECT id, root, SUM(starts) OVER (PARTITION BY root ORDER BY imported_at, id ROWS UNBOUNDED PRECEDING) AS n FROM o
),
c AS (SELECT id, MIN(id) OVER (PARTITION BY root, n) AS first FROM b)
UPDATE images SET import_id = 'legacy-' || c.first FROM c WHERE images.id = c.id;
`
}
