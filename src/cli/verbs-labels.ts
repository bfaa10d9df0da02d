/** CLI verb for the label-error finder (issue 13): label-errors. */
import path from 'node:path'
import { need, num, parseArgs, UsageError } from './args'
import { withProject } from './context'
import { resultOf } from '../main/jobs/queue'
import { startLabelErrors } from '../main/app/label-errors'
import type { VerbOutput } from './verbs'

export const LABELS_HELP: Record<string, string> = {
  'label-errors': 'face-studio label-errors --project <dir> --task <name> [--folds k (default 5)] [--limit n] [--json]'
}

export async function labelErrorsVerb(argv: string[]): Promise<VerbOutput> {
  const p = parseArgs(argv, { values: ['project', 'task', 'folds', 'limit'], booleans: ['json'] })
  const project = path.resolve(need(p, 'project'))
  const task = need(p, 'task')
  const k = num(p, 'folds')
  if (k !== undefined && !(Number.isInteger(k) && k >= 2 && k <= 10))
    throw new UsageError('--folds must be an integer from 2 to 10')
  const limit = num(p, 'limit')
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1))
    throw new UsageError('--limit must be an integer ≥ 1')
  return withProject(project, false, async (ctx) => {
    const job = await startLabelErrors(ctx, { task, k }).done
    if (job.status !== 'done') throw new Error(job.error ?? `label-errors ${job.status}`)
    const s = resultOf(job)
    const shown = limit === undefined ? s.suspects : s.suspects.slice(0, limit)
    const json = {
      n_checked: s.n_checked,
      suspects: shown.map((x) => ({
        face_id: x.faceId,
        path: x.path,
        given: x.given,
        suggested: x.suggested,
        score: x.score
      }))
    }
    const how = s.k > 0 ? `${s.k}-fold heads (${s.backend})` : `out-of-fold probabilities of v${s.reusedVersion}`
    const lines = [
      `${s.suspects.length} possible label errors among ${s.n_checked} labels of ${s.task} (${how}, ${s.seconds.toFixed(1)} s)`,
      ...s.perClass.map((c) => `  ${c.label}: ${c.suspects} of ${c.checked}`),
      ...shown
        .slice(0, 20)
        .map((x) => `  face ${x.faceId}: ${x.given} → ${x.suggested} (${x.score.toFixed(2)}) ${x.path}`)
    ]
    return { json, text: lines.join('\n') }
  })
}
