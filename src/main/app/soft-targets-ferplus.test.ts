/**
 * Soft targets on real data, through the CLI (issue 11 §2, issue 14 §1): the run's FER+ import (crops), a subset
 * labelled with its plurality label and its ten crowd votes (`label --votes`), and trained with `--soft-targets`;
 * the version's metadata records it, and on the evaluation set the temperature does not make calibration worse.
 */
import fs from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { getTask } from '../labels/tasks'
import { versionByNumber } from '../models/registry'
import { closeProject, openProject } from '../project/project'
import { FERPLUS_USABLE, ferplusProject } from '../../test/ferplus-cache'
import { cliOk, readCsv, runCli, sharedData, tempDir } from '../../test/support'

const FER = path.join(sharedData, 'expression_ferplus')
const MAP = 'neutral=neutral,happiness=happy,surprise=surprised,sadness=sad,anger=angry,disgust=disgusted,fear=fearful'
const FACES = 240

describe.skipIf(!fs.existsSync(FER))('soft targets from FER+ votes (CLI)', () => {
  const work = tempDir('soft-fer')
  const home = path.join(work, 'home')
  const project = path.join(work, 'proj')
  const csv = path.join(work, 'labels.csv')
  let labelled = 0

  beforeAll(async () => {
    fs.mkdirSync(home)
    // The run's shared FER+ import: every usable face is in the project, only the subset below is labelled.
    const { imgs } = await ferplusProject(project)
    const all = readCsv(path.join(FER, 'labels.csv')).filter((r) => FERPLUS_USABLE.has(r.label_plurality ?? ''))
    // Every 5th usable row: a spread of classes and of agreement, without choosing by outcome.
    const rows = all.filter((_, i) => i % 5 === 0).slice(0, FACES)
    const voteCols = Object.keys(rows[0]!).filter((c) => c.startsWith('votes_'))
    const lines = [['path', 'label_plurality', ...voteCols].join(',')]
    for (const r of rows) {
      const link = path.join(imgs, path.basename(r.path ?? ''))
      lines.push([link, r.label_plurality, ...voteCols.map((c) => r[c])].join(','))
    }
    fs.writeFileSync(csv, `${lines.join('\n')}\n`)
    const label = cliOk(
      runCli(home, [
        'label',
        ...['--project', project, '--task', 'expression', '--csv', csv, '--label-column', 'label_plurality'],
        ...['--map', MAP, '--votes', '--json']
      ])
    )
    labelled = label.applied as number
    expect(label.votes).toBe(labelled)
  }, 600_000)

  it('trains with --soft-targets, records it, and the temperature does not worsen ECE', () => {
    expect(labelled).toBeGreaterThan(FACES * 0.8)
    const r = cliOk(
      runCli(home, [
        'train',
        ...['--project', project, '--task', 'expression', '--soft-targets', '--seed', '3', '--epochs', '30'],
        ...['--no-activate', '--json']
      ])
    )
    const p = openProject(project)
    try {
      const task = getTask(p.db, 'expression')
      const votes = p.db.prepare('SELECT COUNT(DISTINCT face_id) FROM label_votes WHERE task_id = ?').pluck()
      expect(votes.get(task.id)).toBe(labelled)
      const v = versionByNumber(p.db, task.id, r.version as number)!
      const m = v.metadata as {
        recipe: { soft_targets: boolean; soft_target_rows: number; calibration: string }
        calibration: { temperature: number; fitted_on: string }
        metrics: { evaluation: { ece: number }; evaluation_ece_uncalibrated: number }
      }
      expect(m.recipe.soft_targets).toBe(true)
      expect(m.recipe.soft_target_rows).toBe(r.train_n)
      expect(m.recipe.calibration).toBe('temperature')
      expect(m.calibration.fitted_on).toBe('out_of_fold')
      expect(m.metrics.evaluation.ece).toBeLessThanOrEqual(m.metrics.evaluation_ece_uncalibrated)
    } finally {
      closeProject(p)
    }
  }, 600_000)
})
