/**
 * Issue 14 §3 through the CLI: a folder imported in 3 shards and merged gives the same faces, features and
 * predictions as one import; merging is idempotent; another copy's answers merge as a union with annotator,
 * time and source kept; differing label sets stop the merge before anything is written.
 */
import fs from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { cliOk, runCli, sharedData, tempDir } from '../../test/support'
import { annotate } from '../labels/annotations'
import { createTask } from '../labels/tasks'
import { closeProject, createProject, openProject } from '../project/project'

const FOLDER = path.join(sharedData, 'expression_faceapi_examples', 'images')
const home = tempDir('merge-home')
const cli = (...args: string[]): Record<string, unknown> => cliOk(runCli(home, [...args, '--json']))

interface FaceDump {
  key: string
  box: number[]
  features: Record<string, string>
  predictions: Record<string, string>
}

function dump(dir: string): FaceDump[] {
  const p = openProject(dir)
  try {
    const faces = p.db
      .prepare(
        `SELECT f.id, i.rel_path, f.idx, f.x, f.y, f.w, f.h FROM faces f JOIN images i ON i.id = f.image_id ORDER BY i.rel_path, f.idx`
      )
      .all() as Array<{ id: number; rel_path: string; idx: number; x: number; y: number; w: number; h: number }>
    const feats = p.db.prepare('SELECT kind, hex(vec) AS v FROM face_features WHERE face_id = ?')
    const preds = p.db.prepare(
      `SELECT t.name || ':v' || v.version AS k, p.value || '@' || printf('%.6f', p.confidence) AS val FROM predictions p
       JOIN tasks t ON t.id = p.task_id JOIN model_versions v ON v.id = p.version_id WHERE p.face_id = ?`
    )
    return faces.map((f) => ({
      key: `${f.rel_path}#${f.idx}`,
      box: [f.x, f.y, f.w, f.h],
      features: Object.fromEntries((feats.all(f.id) as Array<{ kind: string; v: string }>).map((r) => [r.kind, r.v])),
      predictions: Object.fromEntries((preds.all(f.id) as Array<{ k: string; val: string }>).map((r) => [r.k, r.val]))
    }))
  } finally {
    closeProject(p)
  }
}

function count(dir: string, sql: string): number {
  const p = openProject(dir)
  try {
    return p.db.prepare(sql).pluck().get() as number
  } finally {
    closeProject(p)
  }
}

describe.skipIf(!fs.existsSync(FOLDER))('merge and shards (issue 14)', () => {
  const work = tempDir('merge')
  const whole = path.join(work, 'whole')
  const merged = path.join(work, 'merged')
  const shards = [1, 2, 3].map((i) => path.join(work, `shard-${i}`))

  beforeAll(() => {
    cli('import', FOLDER, '--project', whole)
    for (const [i, s] of shards.entries()) cli('import', FOLDER, '--project', s, '--shard', `${i + 1}/3`)
    closeProject(createProject(merged))
  }, 600_000)

  it('3 shards, merged, equal one import: same faces, features and predictions; merging again adds nothing', () => {
    const images = shards.map((s) => count(s, 'SELECT COUNT(*) FROM images'))
    expect(images.reduce((a, b) => a + b, 0)).toBe(count(whole, 'SELECT COUNT(*) FROM images'))
    expect(images.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2)
    const batches: Array<{ id: string; faces: number }> = []
    for (const s of shards) {
      const r = cli('merge', '--project', merged, '--from', s)
      expect(Object.keys(r).sort()).toEqual([
        'added',
        'conflicts',
        'faces',
        'import_id',
        'matched',
        'photos',
        'unmatched'
      ])
      expect(r.photos).toBe(count(s, "SELECT COUNT(*) FROM images WHERE status = 'ok'"))
      // Each merge that brought photos is one batch, a Review / Export scope of exactly the shard's faces.
      if ((r.photos as number) > 0) batches.push({ id: r.import_id as string, faces: r.faces as number })
      else expect(r.import_id).toBeNull()
    }
    expect(batches.length).toBeGreaterThanOrEqual(2)
    for (const b of batches) {
      expect(b.faces).toBe(
        count(merged, `SELECT COUNT(*) FROM faces f JOIN images i ON i.id = f.image_id WHERE i.import_id = '${b.id}'`)
      )
      expect(b.faces).toBeGreaterThan(0)
    }
    expect(new Set(batches.map((b) => b.id)).size).toBe(batches.length)
    const a = dump(whole)
    const b = dump(merged)
    expect(b.map((f) => f.key)).toEqual(a.map((f) => f.key))
    expect(b).toEqual(a)
    expect(a.length).toBeGreaterThanOrEqual(7)
    // Thumbnails came along.
    const thumbs = (dir: string): string[] => fs.readdirSync(path.join(dir, 'thumbs', 'faces')).sort()
    expect(thumbs(merged)).toEqual(thumbs(whole))
    const before = count(merged, 'SELECT COUNT(*) FROM faces')
    expect(cli('merge', '--project', merged, '--from', shards[0]!)).toEqual({
      matched: 0,
      unmatched: 0,
      conflicts: 0,
      added: 0,
      photos: 0,
      faces: 0,
      import_id: null
    })
    expect(count(merged, 'SELECT COUNT(*) FROM faces')).toBe(before)
  })

  it("merges another copy's answers as a union (annotator, time, source kept), idempotently, conflicts counted", () => {
    const ids = (dir: string): Map<string, number> => {
      const p = openProject(dir)
      const m = new Map(
        (
          p.db
            .prepare("SELECT i.rel_path || '#' || f.idx AS k, f.id FROM faces f JOIN images i ON i.id = f.image_id")
            .all() as Array<{ k: string; id: number }>
        ).map((r) => [r.k, r.id])
      )
      closeProject(p)
      return m
    }
    const keys = [...ids(whole).keys()].sort().slice(0, 4)
    const pa = openProject(whole)
    const wa = ids(whole)
    annotate(pa.db, {
      task: 'expression',
      annotator: 'ann',
      items: keys.map((k) => ({ target: 'face' as const, id: wa.get(k)!, value: 'happy', source: 'correct' as const }))
    })
    const annAt = pa.db.prepare(`SELECT created_at FROM annotations WHERE annotator = 'ann' LIMIT 1`).pluck().get()
    closeProject(pa)
    const pm = openProject(merged)
    const wm = ids(merged)
    // Ben agrees on the first face and disagrees on the second.
    annotate(pm.db, {
      task: 'expression',
      annotator: 'ben',
      items: [{ target: 'face', id: wm.get(keys[0]!)!, value: 'happy', source: 'confirm' }]
    })
    annotate(pm.db, {
      task: 'expression',
      annotator: 'ben',
      items: [{ target: 'face', id: wm.get(keys[1]!)!, value: 'sad', source: 'correct' }]
    })
    closeProject(pm)

    expect(cli('merge', '--project', merged, '--from', whole)).toEqual({
      matched: 4,
      unmatched: 0,
      conflicts: 1,
      added: 4,
      photos: 0,
      faces: 0,
      import_id: null
    })
    expect(cli('merge', '--project', merged, '--from', whole)).toEqual({
      matched: 4,
      unmatched: 0,
      conflicts: 0,
      added: 0,
      photos: 0,
      faces: 0,
      import_id: null
    })
    const p = openProject(merged)
    const rows = p.db
      .prepare(`SELECT annotator, source, created_at, value FROM annotations WHERE annotator = 'ann'`)
      .all() as Array<Record<string, unknown>>
    expect(rows).toHaveLength(4)
    for (const r of rows) expect(r).toMatchObject({ source: 'correct', created_at: annAt, value: 'happy' })
    closeProject(p)
    const agreement = cli('agreement', '--project', merged, '--task', 'expression')
    expect(agreement.n_faces).toBe(2)
  })

  it('refuses projects whose task label sets differ, writing nothing', () => {
    const pa = openProject(whole)
    createTask(pa.db, { name: 'glasses', kind: 'classification', labels: ['none', 'reading'] })
    closeProject(pa)
    const pm = openProject(merged)
    createTask(pm.db, { name: 'glasses', kind: 'classification', labels: ['none', 'sun'] })
    closeProject(pm)
    const rows = count(merged, 'SELECT COUNT(*) FROM annotations')
    const r = runCli(home, ['merge', '--project', merged, '--from', whole, '--json'])
    expect(r.status).toBe(1)
    expect((r.json.error as { code: string }).code).toBe('CONFLICT')
    expect(r.stderr).toMatch(/"glasses" has labels \[none, reading\] there but \[none, sun\] here/)
    expect(count(merged, 'SELECT COUNT(*) FROM annotations')).toBe(rows)
  })
})
