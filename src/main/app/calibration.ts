/**
 * Version 0's calibration, as main runs it (issue 11): built-in heads are over-confident (ECE 0.2 on FER+), so
 * as soon as the task's evaluation set has enough labelled faces, one ML worker fits v0's temperature on them
 * (`models.calibrate`) and, when v0 is active, rewrites every face's v0 prediction calibrated. It is refitted
 * when the evaluation set has grown by a quarter since the last fit. Trained versions calibrate themselves on
 * their out-of-fold rows (worker/train.ts), so only v0 needs this.
 */
import { MIN_CALIBRATION_ROWS } from '../analysis/calibration'
import { getTask } from '../labels/tasks'
import { isBuiltinV0, versionByNumber } from '../models/registry'
import { trainingSet } from '../models/training-set'
import type { OpResult } from '../worker/protocol'
import type { AppContext } from './context'

export type CalibrateResult = OpResult<'models.calibrate'>

/** Refit once the evaluation set is this much larger than the faces the current temperature was fitted on. */
const REFIT_GROWTH = 1.25

export function builtinNeedsCalibration(fittedOn: number | null, evalFaces: number): boolean {
  if (evalFaces < MIN_CALIBRATION_ROWS) return false
  return fittedOn === null || evalFaces >= fittedOn * REFIT_GROWTH
}

/** Fits v0's temperature when it is due (or always with force); null when nothing was due. */
export async function calibrateBuiltin(
  ctx: AppContext,
  taskRef: string | number,
  opts: { force?: boolean } = {}
): Promise<CalibrateResult | null> {
  const project = ctx.requireProject()
  const task = getTask(project.db, taskRef)
  if (task.kind !== 'classification') return null
  const v0 = versionByNumber(project.db, task.id, 0)
  if (!v0 || !isBuiltinV0(v0)) return null
  const evaluation = trainingSet(project.db, task).evaluation
  const c = v0.metadata['calibration'] as { n?: unknown } | undefined
  const fittedOn = typeof c?.n === 'number' ? c.n : null
  if (!opts.force && !builtinNeedsCalibration(fittedOn, evaluation.length)) return null
  const r = await ctx
    .worker()
    .request('models.calibrate', { projectDir: project.dir, task: task.name, faces: evaluation })
  if (r.calibrated) ctx.emit('data.changed', { what: r.repredicted > 0 ? ['versions', 'faces'] : ['versions'] })
  return r
}
