import type { Migration } from '../migration'

/**
 * One import as a Review / Export scope (issue 12): each import job stamps the photos it adds (or re-reads
 * because they changed) with its own id, so "the faces of the import I just ran" means exactly those, even
 * when the same folder was imported before. Photos imported before this migration have no id; their folder
 * stays a scope of its own.
 */
export const migration011: Migration = {
  version: 11,
  name: 'import batches',
  sql: `
ALTER TABLE images ADD COLUMN import_id TEXT;
CREATE INDEX images_import ON images(import_id) WHERE import_id IS NOT NULL;
`
}
