/** Messages between the main process and an ML worker; every request carries a `seq` its replies echo. */
import type { AppErrorShape } from '../../shared/result'

export type ToWorker =
  { type: 'run'; seq: number; op: string; params: unknown } | { type: 'cancel'; seq: number } | { type: 'shutdown' }

export type FromWorker =
  | { type: 'ready'; pid: number }
  | { type: 'progress'; seq: number; data: unknown }
  | { type: 'result'; seq: number; value: unknown }
  | { type: 'error'; seq: number; error: AppErrorShape }
