/**
 * Labels leave the app and come back (issue 12): import real photos (7 single-face photos and 2 group photos)
 * → label → export CSV / Label Studio / COCO to another folder → a new project imports the same photos →
 * `label` from the export → the same current labels on the same faces. Also: the COCO file passes a structure
 * check against the published format, and the npy export loads in numpy with its index.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { annotate } from '../main/labels/annotations'
import { openProject, closeProject } from '../main/project/project'
import { cliOk, repoRoot, runCli, sharedData, tempDir, type CliResult } from '../test/support'

const home = tempDir('rt-home')
const cli = (...args: string[]): CliResult => runCli(home, args)
const expressions = path.join(sharedData, 'expression_faceapi_examples')
const LABELS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised']

const root = tempDir('roundtrip')
const groups = path.join(root, 'groups')
const elsewhere = path.join(root, 'elsewhere', 'deeper')
const projectA = path.join(root, 'A')
const fresh = path.join(root, 'fresh')

/** Current expression labels keyed by photo (real path) and face index: what a round trip must keep. */
function labelsOf(project: string): Map<string, string> {
  const p = openProject(project)
  try {
    const rows = p.db
      .prepare(
        `SELECT i.path, f.idx, l.value FROM current_face_labels l JOIN faces f ON f.id = l.face_id
         JOIN images i ON i.id = f.image_id JOIN tasks t ON t.id = l.task_id WHERE t.name = 'expression'`
      )
      .raw()
      .all() as Array<[string, number, string]>
    return new Map(rows.map(([file, idx, v]) => [`${fs.realpathSync(file)}#${idx}`, v]))
  } finally {
    closeProject(p)
  }
}

/** A fresh project with the same photos imported (copied from one import, so only one import runs). */
function freshProject(name: string): string {
  const dir = path.join(root, name)
  fs.cpSync(fresh, dir, { recursive: true })
  return dir
}

beforeAll(() => {
  fs.mkdirSync(groups, { recursive: true })
  fs.mkdirSync(elsewhere, { recursive: true })
  for (const g of ['group-2.jpg', 'stock-group-2.jpg'])
    fs.symlinkSync(path.join(sharedData, 'group_photos', 'images', g), path.join(groups, g))
  for (const project of [projectA, fresh]) {
    cliOk(cli('import', path.join(expressions, 'images'), '--project', project, '--json'))
    cliOk(cli('import', groups, '--project', project, '--json'))
  }
  // Labels from the data set's own CSV (column "expression", paths relative to it) ...
  const r = cliOk(
    cli('label', '--project', projectA, '--task', 'expression', '--csv', path.join(expressions, 'labels.csv'), '--json')
  )
  expect(r).toMatchObject({ applied: 7, unmatched: 0, invalid: 0, duplicates: 0 })
  // ... and every face of the group photos labelled, one label after another, as a reviewer would.
  const p = openProject(projectA)
  try {
    const ids = p.db
      .prepare(`SELECT f.id FROM faces f JOIN images i ON i.id = f.image_id WHERE i.root = ? ORDER BY f.id`)
      .pluck()
      .all(groups) as number[]
    expect(ids.length).toBeGreaterThanOrEqual(4)
    annotate(p.db, {
      task: 'expression',
      annotator: 'reviewer',
      items: ids.map((id, i) => ({ target: 'face', id, value: LABELS[i % LABELS.length] as string, source: 'correct' }))
    })
  } finally {
    closeProject(p)
  }
}, 600_000)

describe('labels round trip through exports', () => {
  it('CSV: exported to another folder, re-imported into a new project, same labels on the same faces', () => {
    const want = labelsOf(projectA)
    expect(want.size).toBeGreaterThanOrEqual(11)
    const out = path.join(elsewhere, 'faces.csv')
    const e = cliOk(cli('export', '--project', projectA, '--format', 'csv', '--out', out, '--json'))
    expect(Object.keys(e).sort()).toEqual(['faces', 'files', 'format', 'images', 'out'])
    expect(e).toMatchObject({ format: 'csv', images: 9, out, files: [out] })
    const text = fs.readFileSync(out, 'utf8')
    expect(text).toContain('../../../../') // relative to the export file, not the import folder
    const b = freshProject('B')
    const r = cliOk(
      cli('label', '--project', b, '--task', 'expression', '--csv', out, '--label-column', 'expression_label', '--json')
    )
    expect(r).toMatchObject({ applied: want.size, unmatched: 0, invalid: 0, duplicates: 0 })
    expect(labelsOf(b)).toEqual(want)
  }, 300_000)

  it('CSV with --absolute-paths and JSON rows with numbers as numbers', () => {
    const out = path.join(elsewhere, 'abs.csv')
    cliOk(cli('export', '--project', projectA, '--format', 'csv', '--out', out, '--absolute-paths', '--json'))
    expect(fs.readFileSync(out, 'utf8')).toContain(path.join(expressions, 'images', 'happy.jpg'))
    const json = path.join(elsewhere, 'rows.json')
    const e = cliOk(
      cli('export', '--project', projectA, '--format', 'json', '--out', json, '--task', 'expression', '--json')
    )
    const rows = JSON.parse(fs.readFileSync(json, 'utf8')) as Array<Record<string, unknown>>
    expect(rows).toHaveLength(e.faces as number)
    const happy = rows.find((r) => String(r.path).endsWith('/happy.jpg'))
    expect(happy).toMatchObject({ expression_label: 'happy', expression_pred: 'happy' })
    expect(typeof happy?.w).toBe('number')
    expect(typeof happy?.expression_conf).toBe('number')
    expect(Object.keys(happy ?? {}).some((k) => k.startsWith('age_'))).toBe(false)
  }, 300_000)

  it('Label Studio: tasks with choices, regions for group photos, predictions; round trip keeps every label', () => {
    const want = labelsOf(projectA)
    const out = path.join(elsewhere, 'tasks.json')
    cliOk(cli('export', '--project', projectA, '--format', 'labelstudio', '--out', out, '--json'))
    const tasks = JSON.parse(fs.readFileSync(out, 'utf8')) as Array<{
      data: { image: string }
      annotations: Array<{ result: Array<Record<string, unknown>> }>
      predictions: Array<{ model_version: string; score: number }>
    }>
    expect(tasks).toHaveLength(9)
    const group = tasks.find((t) => t.data.image.endsWith('group-2.jpg'))
    const rect = group?.annotations[0]?.result.find((r) => r.type === 'rectanglelabels')
    expect(rect).toMatchObject({ from_name: 'face', to_name: 'image' })
    expect(rect?.original_width).toBeGreaterThan(100)
    const single = tasks.find((t) => t.data.image.endsWith('/happy.jpg'))
    expect(single?.annotations[0]?.result).toEqual([
      { type: 'choices', from_name: 'expression', to_name: 'image', value: { choices: ['happy'] } }
    ])
    expect(single?.predictions.find((p) => p.model_version.startsWith('expression v'))?.score).toBeGreaterThan(0.3)
    const c = freshProject('C')
    const r = cliOk(
      cli('label', '--project', c, '--task', 'expression', '--file', out, '--format', 'labelstudio', '--json')
    )
    expect(r).toMatchObject({ applied: want.size, unmatched: 0, invalid: 0 })
    expect(labelsOf(c)).toEqual(want)
  }, 300_000)

  it('COCO: passes the published-format structure check; round trip through attributes keeps every label', () => {
    const want = labelsOf(projectA)
    const out = path.join(elsewhere, 'coco.json')
    const e = cliOk(cli('export', '--project', projectA, '--format', 'coco', '--out', out, '--json'))
    const check = spawnSync('python3', [path.join(repoRoot, 'src', 'test', 'coco_check.py'), out], { encoding: 'utf8' })
    expect(check.status, check.stderr).toBe(0)
    expect(JSON.parse(check.stdout)).toEqual({ ok: true, errors: [], images: 9, annotations: e.faces, categories: 1 })
    const coco = JSON.parse(fs.readFileSync(out, 'utf8')) as {
      info: { face_studio: { tasks: Array<{ name: string; active_version: number | null }> } }
      images: Array<{ id: number; file_name: string; width: number }>
      annotations: Array<{ image_id: number; attributes: Record<string, unknown> }>
    }
    const happy = coco.images.find((i) => i.file_name.endsWith('/happy.jpg'))
    const ann = coco.annotations.find((a) => a.image_id === happy?.id)
    expect(ann?.attributes).toMatchObject({
      expression: 'happy',
      expression_annotator: expect.any(String),
      expression_pred: 'happy'
    })
    expect(coco.info.face_studio.tasks.find((t) => t.name === 'expression')?.active_version).toBe(0)
    // The check itself refuses what pycocotools cannot load (the old flat row list).
    const flat = path.join(elsewhere, 'flat.json')
    cliOk(cli('export', '--project', projectA, '--format', 'json', '--out', flat, '--json'))
    const bad = spawnSync('python3', [path.join(repoRoot, 'src', 'test', 'coco_check.py'), flat], { encoding: 'utf8' })
    expect((JSON.parse(bad.stdout) as { ok: boolean }).ok).toBe(false)
    const d = freshProject('D')
    const r = cliOk(cli('label', '--project', d, '--task', 'expression', '--file', out, '--format', 'coco', '--json'))
    expect(r).toMatchObject({ applied: want.size, unmatched: 0, invalid: 0 })
    expect(labelsOf(d)).toEqual(want)
  }, 300_000)

  it('npy: a float32 matrix numpy loads, and an index row per matrix row', () => {
    const out = path.join(elsewhere, 'emb.npy')
    const e = cliOk(
      cli('export', '--project', projectA, '--format', 'npy', '--feature', 'identity', '--out', out, '--json')
    )
    expect(e.files).toEqual([out, path.join(elsewhere, 'emb.csv')])
    const py = spawnSync(
      'python3',
      [
        '-c',
        'import numpy, csv, sys; a = numpy.load(sys.argv[1]); rows = list(csv.DictReader(open(sys.argv[2]))); ' +
          'print(a.dtype, a.shape[0], a.shape[1], len(rows), rows[0]["face_id"] != "", float(numpy.linalg.norm(a[0])) > 0)',
        out,
        path.join(elsewhere, 'emb.csv')
      ],
      { encoding: 'utf8' }
    )
    expect(py.status, py.stderr).toBe(0)
    const [dtype, n, dim, index, hasId, nonZero] = py.stdout.trim().split(' ')
    expect([dtype, n, dim, index, hasId, nonZero]).toEqual([
      'float32',
      String(e.faces),
      '128',
      String(e.faces),
      'True',
      'True'
    ])
  }, 300_000)
})
