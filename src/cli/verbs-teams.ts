/** CLI verbs for teams and privacy (issue 14): agreement, forget, export-person, merge. */
import path from 'node:path'
import { need, parseArgs } from './args'
import { withProject } from './context'
import { agreementReport } from '../main/teams/agreement'
import type { VerbOutput } from './verbs'

type Verb = (argv: string[]) => Promise<VerbOutput>

export const TEAMS_HELP: Record<string, string> = {
  agreement: 'face-studio agreement --project <dir> --task <name> [--json]'
}

const fmt = (x: number | null): string => (x === null ? 'undefined' : x.toFixed(3))

export const agreementVerb: Verb = async (argv) => {
  const p = parseArgs(argv, { values: ['project', 'task'], booleans: ['json'] })
  const project = path.resolve(need(p, 'project'))
  const task = need(p, 'task')
  return withProject(project, false, async (ctx) => {
    const r = agreementReport(ctx.requireProject().db, task)
    const json = {
      n_faces: r.n_faces,
      pairs: r.pairs.map(({ a, b, n, kappa }) => ({ a, b, n, kappa })),
      alpha: r.alpha,
      per_class: r.per_class
    }
    const lines = [
      `${r.task}: ${r.n_faces} faces with ≥ 2 answers (${r.n_answers} answers), Krippendorff α = ${fmt(r.alpha)}, ${r.disagreements} open disagreements`,
      ...r.pairs.map(
        (q) => `  κ(${q.a}, ${q.b}) = ${fmt(q.kappa)} on ${q.n} faces (${Math.round(q.observed * 100)}% same)`
      ),
      ...r.per_class.filter((c) => c.n > 0).map((c) => `  ${c.label}: ${fmt(c.agreement)} over ${c.n} answers`)
    ]
    return { json, text: lines.join('\n') }
  })
}
