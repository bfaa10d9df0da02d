import type { Migration } from '../migration'
import { migration001 } from './001_initial'
import { migration002 } from './002_builtin_tasks'
import { migration003 } from './003_people_labels'
import { migration004 } from './004_evaluation_sets'
import { migration005 } from './005_job_rows'
import { migration006 } from './006_teams'
import { migration007 } from './007_out_of_fold'
import { migration008 } from './008_group_thresholds'
import { migration009 } from './009_label_votes'
import { migration010 } from './010_mirrored_features'
import { migration011 } from './011_import_batches'
import { migration012 } from './012_legacy_import_batches'

/** Every migration in order; add a new numbered file and append it here. */
export const migrations: readonly Migration[] = [
  migration001,
  migration002,
  migration003,
  migration004,
  migration005,
  migration006,
  migration007,
  migration008,
  migration009,
  migration010,
  migration011,
  migration012
]

export const LATEST_SCHEMA_VERSION = migrations.length
