import type { Migration } from '../migration'
import { migration001 } from './001_initial'
import { migration002 } from './002_builtin_tasks'

/** Every migration in order; add a new numbered file and append it here. */
export const migrations: readonly Migration[] = [migration001, migration002]

export const LATEST_SCHEMA_VERSION = migrations.length
