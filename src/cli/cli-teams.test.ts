import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { cliOk, insertCropFaces, runCli, tempDir } from '../test/support'
import { annotate } from '../main/labels/annotations'
import { createTask } from '../main/labels/tasks'
import { createProject } from '../main/project/project'

const home = tempDir('cli-teams-home')

describe('face-studio agreement', () => {
  it('prints exactly {n_faces, pairs:[{a,b,n,kappa}], alpha, per_class}', () => {
    const dir = path.join(tempDir('cli-agree'), 'p')
    const project = createProject(dir)
    insertCropFaces(project.db, 3)
    createTask(project.db, { name: 'glasses', kind: 'classification', labels: ['x', 'y', 'z'] })
    const put = (who: string, face: number, value: string): void =>
      void annotate(project.db, {
        task: 'glasses',
        annotator: who,
        items: [{ target: 'face', id: face, value, source: 'correct' }]
      })
    put('a', 1, 'x')
    put('b', 1, 'x')
    put('a', 2, 'x')
    put('b', 2, 'y')
    put('a', 3, 'y')
    put('b', 3, 'y')
    put('c', 3, 'y')
    createTask(project.db, { name: 'side', kind: 'classification', labels: ['l', 'r'] })
    annotate(project.db, {
      task: 'side',
      annotator: 'lead',
      items: [1, 2, 3].map((id) => ({
        target: 'face' as const,
        id,
        value: id === 1 ? 'l' : 'r',
        source: 'correct' as const
      }))
    })
    project.db.close()
    const json = cliOk(runCli(home, ['agreement', '--project', dir, '--task', 'glasses', '--json']))
    expect(Object.keys(json).sort()).toEqual(['alpha', 'n_faces', 'pairs', 'per_class'])
    expect(json.n_faces).toBe(3)
    expect(json.alpha).toBeCloseTo(0.5, 12)
    const pairs = json.pairs as Array<Record<string, unknown>>
    expect(Object.keys(pairs[0] ?? {}).sort()).toEqual(['a', 'b', 'kappa', 'n'])
    expect(pairs[0]).toMatchObject({ a: 'a', b: 'b', n: 3 })
    expect(pairs[0]?.kappa).toBeCloseTo(0.4, 12)
    const bad = runCli(home, ['agreement', '--project', dir, '--task', 'age', '--json'])
    expect(bad.status).toBe(1)
    expect(bad.stderr).toMatch(/score task/)

    // Annotator attributes and the annotator × subject-group rates, from the CLI.
    const set = cliOk(runCli(home, ['annotators', '--project', dir, '--set', 'a', '--attr', 'group=north', '--json']))
    expect(set).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'a', attributes: { group: 'north' } })])
    )
    const rates = cliOk(
      runCli(home, ['annotator-groups', '--project', dir, '--task', 'glasses', '--group-task', 'side', '--json'])
    )
    expect(rates.grouping).toBe('side')
    expect(rates.units).toEqual(['a', 'b', 'c'])
    expect(typeof rates.sentence).toBe('string')
  })
})
