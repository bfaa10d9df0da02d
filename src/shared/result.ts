/** Every call across the process boundary answers with one of these, never a thrown error. */
export type ErrorCode =
  | 'BAD_ARGS'
  | 'UNKNOWN_CALL'
  | 'NO_PROJECT'
  | 'NOT_A_PROJECT'
  | 'PROJECT_EXISTS'
  | 'CORRUPT_DB'
  | 'DB_TOO_NEW'
  | 'READ_ONLY'
  | 'NOT_FOUND'
  | 'UNSUPPORTED'
  | 'CANCELLED'
  | 'WORKER_CRASHED'
  | 'MODEL_INTEGRITY'
  | 'CONFLICT'
  | 'FORBIDDEN'
  | 'INTERNAL'

export interface AppErrorShape {
  code: ErrorCode
  /** A sentence a user can read: what happened and, where possible, what to do. */
  message: string
  /** For BAD_ARGS: the failing argument path, e.g. "dir" or "labels.2". */
  path?: string
}

export type Reply<T> = { ok: true; value: T } | { ok: false; error: AppErrorShape }

export class AppError extends Error implements AppErrorShape {
  constructor(
    public readonly code: ErrorCode,
    message: string,
    public readonly path?: string
  ) {
    super(message)
    this.name = 'AppError'
  }

  toJSON(): AppErrorShape {
    return this.path === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, path: this.path }
  }
}

export function isAppErrorShape(value: unknown): value is AppErrorShape {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AppErrorShape).code === 'string' &&
    typeof (value as AppErrorShape).message === 'string'
  )
}
