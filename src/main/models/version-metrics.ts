/** Metrics of one version's predictions against ground truth (pure; used in the worker and in main). */
import {
  classificationMetrics,
  regressionMetrics,
  type ClassificationMetrics,
  type RegressionMetrics
} from '../analysis/prediction-metrics'
import type { TaskRow } from '../labels/tasks'

export type VersionMetrics = ClassificationMetrics | RegressionMetrics

export function isClassificationMetrics(m: VersionMetrics): m is ClassificationMetrics {
  return 'accuracy' in m
}

export function scorePredictions(
  task: Pick<TaskRow, 'kind' | 'labels'>,
  truth: readonly string[],
  pred: { values: readonly string[]; numbers: Float64Array | null; confidence: ReadonlyArray<number | null> }
): VersionMetrics {
  if (task.kind === 'score') {
    const numbers = pred.numbers ?? Float64Array.from(pred.values, Number)
    return regressionMetrics(truth.map(Number), Array.from(numbers))
  }
  // A version may predict a label the task has since dropped; score it as a wrong answer, not an error.
  const labels = [...task.labels]
  for (const v of [...truth, ...pred.values]) if (!labels.includes(v)) labels.push(v)
  return classificationMetrics(
    truth,
    pred.values,
    labels,
    pred.confidence.map((c) => c ?? 0)
  )
}

/** The few numbers a version list shows. */
export function headline(m: VersionMetrics | undefined | null): Record<string, number | null> | null {
  if (!m) return null
  if (isClassificationMetrics(m)) return { n: m.n, accuracy: m.accuracy, macro_f1: m.macro_f1, ece: m.ece }
  return { n: m.n, mae: m.mae, rmse: m.rmse, pcc: m.pcc }
}
