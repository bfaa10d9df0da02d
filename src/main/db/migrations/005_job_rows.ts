import type { Migration } from '../migration'

/**
 * Job rows that outlive a crash (issue 9): a job's row is written when it is queued and updated as it runs,
 * so a process killed mid-job leaves a 'queued' / 'running' row that the next start marks 'interrupted'.
 * SQLite cannot change a CHECK in place, so the table is rebuilt (nothing references it).
 * - `progress`: the last progress written ({done, total, message} as JSON), so an interrupted job says where
 *   it stopped;
 * - `pid`: the process that ran it; a row whose process is still alive (the app open while the CLI runs on the
 *   same project) is not someone else's leftover;
 * - `dismissed`: the user has read the notice about an interrupted job.
 * Rows the old code marked failed with its "Interrupted" error become 'interrupted', already dismissed.
 */
export const migration005: Migration = {
  version: 5,
  name: 'job rows',
  sql: `
CREATE TABLE jobs_new (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
  params TEXT NOT NULL DEFAULT '{}',
  result TEXT,
  error TEXT,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  progress TEXT,
  pid INTEGER,
  dismissed INTEGER NOT NULL DEFAULT 0 CHECK (dismissed IN (0, 1))
) STRICT;
INSERT INTO jobs_new (id, kind, title, status, params, result, error, started_at, ended_at, dismissed)
  SELECT id, kind, title,
         CASE WHEN status = 'failed' AND error LIKE 'Interrupted%' THEN 'interrupted' ELSE status END,
         params, result, error, started_at, ended_at, 1
  FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_new RENAME TO jobs;
CREATE INDEX jobs_unfinished ON jobs(status) WHERE status IN ('queued', 'running', 'interrupted');
`
}
