/**
 * Issue 13 on real data, through the CLI: FER+ crops labelled with their plurality label, 10 % of the labels
 * flipped to another class at random (seeded); `face-studio label-errors` must rank the flipped faces first far
 * more often than chance (10 %), and reports the recall. Other tests of the finder's rule: confident-learning.test.ts.
 *
 * The imported project is the run's shared FER+ import (test/ferplus-cache.ts); its labels are replaced here.
 */
import fs from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { mulberry32 } from '../analysis/random'
import { annotate } from '../labels/annotations'
import { getTask } from '../labels/tasks'
import { closeProject, openProject } from '../project/project'
import { ferplusProject } from '../../test/ferplus-cache'
import { cliOk, readCsv, runCli, sharedData, tempDir } from '../../test/support'

const FER = path.join(sharedData, 'expression_ferplus')
const TO_TASK: Record<string, string> = {
  neutral: 'neutral',
  happiness: 'happy',
  surprise: 'surprised',
  sadness: 'sad',
  anger: 'angry',
  disgust: 'disgusted',
  fear: 'fearful'
}
const FLIP_SHARE = 0.1

describe.skipIf(!fs.existsSync(FER))('label-error finder on FER+ with 10 % flipped labels (issue 13)', () => {
  const work = tempDir('label-errors')
  const home = path.join(work, 'home')
  const project = path.join(work, 'proj')
  const flipped = new Set<number>()
  let labelled = 0

  beforeAll(async () => {
    fs.mkdirSync(home)
    const rows = readCsv(path.join(FER, 'labels.csv')).filter((r) => TO_TASK[r.label_plurality ?? ''])
    const labelOf = new Map(rows.map((r) => [path.basename(r.path ?? ''), TO_TASK[r.label_plurality ?? ''] as string]))
    await ferplusProject(project)
    const p = openProject(project)
    try {
      const task = getTask(p.db, 'expression')
      p.db.prepare('DELETE FROM annotations').run()
      p.db.prepare('DELETE FROM annotation_actions').run()
      p.db.prepare('DELETE FROM model_versions WHERE version > 0').run()
      const faces = p.db
        .prepare('SELECT f.id, i.path FROM faces f JOIN images i ON i.id = f.image_id ORDER BY f.id')
        .all() as Array<{ id: number; path: string }>
      const rand = mulberry32(2026)
      const byValue = new Map<string, number[]>()
      for (const f of faces) {
        const truth = labelOf.get(path.basename(f.path))
        if (!truth) continue
        let value = truth
        if (rand() < FLIP_SHARE) {
          const others = task.labels.filter((l) => l !== truth)
          value = others[Math.floor(rand() * others.length)] as string
          flipped.add(f.id)
        }
        const list = byValue.get(value)
        if (list) list.push(f.id)
        else byValue.set(value, [f.id])
        labelled++
      }
      for (const [value, ids] of byValue)
        annotate(p.db, {
          task: 'expression',
          annotator: 'ferplus-csv',
          items: ids.map((id) => ({ target: 'face', id, value, source: 'import' }))
        })
    } finally {
      closeProject(p)
    }
  }, 1_800_000)

  it('ranks flipped labels first: precision at k (k = flipped) far above 10 %, recall reported', () => {
    const out = cliOk(runCli(home, ['label-errors', '--project', project, '--task', 'expression', '--json'])) as {
      n_checked: number
      suspects: Array<{ face_id: number; path: string; given: string; suggested: string; score: number }>
    }
    expect(out.n_checked).toBe(labelled)
    expect(flipped.size).toBeGreaterThan(100)
    const s = out.suspects
    for (const x of s.slice(0, 5)) {
      expect(Object.keys(x).sort()).toEqual(['face_id', 'given', 'path', 'score', 'suggested'])
      expect(path.isAbsolute(x.path)).toBe(true)
      expect(x.given).not.toBe(x.suggested)
    }
    expect(s.map((x) => x.score)).toEqual([...s.map((x) => x.score)].sort((a, b) => b - a))
    const k = flipped.size
    const hitsAtK = s.slice(0, k).filter((x) => flipped.has(x.face_id)).length
    const hitsAll = s.filter((x) => flipped.has(x.face_id)).length
    const precisionAtK = hitsAtK / k
    console.log(
      `FER+ label errors: ${out.n_checked} labels, ${k} flipped (${((100 * k) / out.n_checked).toFixed(1)} %), ` +
        `${s.length} suspects; precision@k ${precisionAtK.toFixed(3)}, recall@k ${(hitsAtK / k).toFixed(3)}, ` +
        `recall over all suspects ${(hitsAll / k).toFixed(3)}, precision over all ${(hitsAll / Math.max(1, s.length)).toFixed(3)}`
    )
    // A random pick finds a flipped label 10 % of the time.
    expect(precisionAtK).toBeGreaterThan(0.3)
  })
})
