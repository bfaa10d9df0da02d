/**
 * Issue 14, "forget a person", on real photos through the CLI: import three LFW people → cluster → label a task
 * and train a version on every face → forget one person → no row, file or feature of theirs remains (DB scan,
 * thumbs/ scan, raw bytes of the database file) → the version is flagged → re-importing the folder does not
 * bring them back → the retrain gives a version whose training-set hash differs and that starts clean.
 */
import fs from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { cliOk, runCli, sharedData, tempDir } from '../../test/support'
import { annotate } from '../labels/annotations'
import { createTask } from '../labels/tasks'
import { closeProject, openProject } from '../project/project'

const LFW = path.join(sharedData, 'identity_lfw', 'images')
const PEOPLE = ['Harrison_Ford', 'Kofi_Annan', 'Meryl_Streep']
const PER_PERSON = 5
const NAME = 'Zelda Forgettable'
const home = tempDir('forget-home')
const cli = (...args: string[]): Record<string, unknown> => cliOk(runCli(home, [...args, '--json']))

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return []
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
}

describe.skipIf(!fs.existsSync(LFW))('forget a person (issue 14)', () => {
  const work = tempDir('forget')
  const photos = path.join(work, 'photos')
  const dir = path.join(work, 'proj')
  let person = 0
  let theirFaces: number[] = []
  let theirThumbs: string[] = []
  let theirPreviews: string[] = []
  let hashBefore = ''
  /** Their faces in version 1's training set (the rest went to the evaluation set). */
  let theirTrained = 0

  beforeAll(() => {
    for (const p of PEOPLE) {
      fs.mkdirSync(path.join(photos, p), { recursive: true })
      for (const f of fs.readdirSync(path.join(LFW, p)).sort().slice(0, PER_PERSON))
        fs.symlinkSync(path.join(LFW, p, f), path.join(photos, p, f))
    }
    cli('import', photos, '--project', dir)
    cli('cluster', '--project', dir)
    const project = openProject(dir)
    const db = project.db
    // The person most of Harrison Ford's main faces went to (largest face of each of his photos).
    const main = db
      .prepare(
        `SELECT f.person_id AS p, COUNT(*) AS n FROM faces f JOIN images i ON i.id = f.image_id
         WHERE i.rel_path LIKE 'Harrison_Ford/%' AND f.person_id IS NOT NULL GROUP BY f.person_id ORDER BY n DESC LIMIT 1`
      )
      .get() as { p: number; n: number }
    person = main.p
    db.prepare('UPDATE persons SET name = ? WHERE id = ?').run(NAME, person)
    createTask(db, { name: 'smile', kind: 'classification', labels: ['yes', 'no'], level: 'face' })
    createTask(db, { name: 'hat', kind: 'classification', labels: ['yes', 'no'], level: 'person' })
    const faces = db.prepare('SELECT id FROM faces ORDER BY id').pluck().all() as number[]
    annotate(db, {
      task: 'smile',
      annotator: 'a',
      items: faces.map((id, i) => ({
        target: 'face' as const,
        id,
        value: i % 2 ? 'yes' : 'no',
        source: 'correct' as const
      }))
    })
    annotate(db, {
      task: 'hat',
      annotator: 'a',
      items: [{ target: 'person', id: person, value: 'yes', source: 'person' }]
    })
    theirFaces = db.prepare('SELECT id FROM faces WHERE person_id = ? ORDER BY id').pluck().all(person) as number[]
    theirThumbs = db.prepare('SELECT thumb FROM faces WHERE person_id = ?').pluck().all(person) as string[]
    theirPreviews = db
      .prepare(
        `SELECT preview FROM images i WHERE EXISTS (SELECT 1 FROM faces f WHERE f.image_id = i.id AND f.person_id = ?)
         AND NOT EXISTS (SELECT 1 FROM faces f WHERE f.image_id = i.id AND (f.person_id IS NOT ? ))`
      )
      .pluck()
      .all(person, person) as string[]
    closeProject(project)
    const trained = cli('train', '--project', dir, '--task', 'smile', '--epochs', '5')
    expect(trained.version).toBe(1)
    const versions = cli('versions', '--project', dir, '--task', 'smile') as unknown as Array<Record<string, unknown>>
    void versions
    const p2 = openProject(dir)
    hashBefore = JSON.parse(
      p2.db.prepare(`SELECT metadata FROM model_versions WHERE version = 1`).pluck().get() as string
    ).training_set_hash as string
    theirTrained = p2.db
      .prepare(`SELECT COUNT(*) FROM version_training_faces WHERE face_id IN (${theirFaces.join(',')})`)
      .pluck()
      .get() as number
    closeProject(p2)
  }, 600_000)

  it('removes every row, file and byte of theirs, flags the version and keeps an audit row', () => {
    expect(theirFaces.length).toBeGreaterThanOrEqual(3)
    const r = cli('forget', '--project', dir, '--person', String(person))
    expect(Object.keys(r).sort()).toEqual(['annotations', 'faces', 'files', 'versions_flagged'])
    expect(r.faces).toBe(theirFaces.length)
    // One smile answer per face and the person-level hat label.
    expect(r.annotations).toBe(theirFaces.length + 1)
    expect(r.files).toBe(theirThumbs.length + theirPreviews.length)
    expect(r.versions_flagged).toBe(1)

    const project = openProject(dir)
    const db = project.db
    const ids = theirFaces.join(',')
    for (const [table, column] of [
      ['faces', 'id'],
      ['face_features', 'face_id'],
      ['predictions', 'face_id'],
      ['annotations', 'face_id'],
      ['evaluation_set', 'face_id'],
      ['cannot_links', 'face_id'],
      ['version_training_faces', 'face_id'],
      ['out_of_fold', 'face_id']
    ])
      expect(db.prepare(`SELECT COUNT(*) FROM ${table} WHERE ${column} IN (${ids})`).pluck().get(), table).toBe(0)
    expect(db.prepare('SELECT COUNT(*) FROM persons WHERE id = ?').pluck().get(person)).toBe(0)
    expect(db.prepare('SELECT COUNT(*) FROM annotations WHERE person_id = ?').pluck().get(person)).toBe(0)
    expect(
      db
        .prepare('SELECT COUNT(*) FROM images WHERE preview IN (' + theirPreviews.map(() => '?').join(',') + ')')
        .pluck()
        .get(...theirPreviews)
    ).toBe(0)
    // Every text cell of every table: the name is nowhere.
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all() as string[]
    for (const t of tables) expect(JSON.stringify(db.prepare(`SELECT * FROM "${t}"`).all()), t).not.toContain(NAME)
    const flag = JSON.parse(db.prepare(`SELECT metadata FROM model_versions WHERE version = 1`).pluck().get() as string)
      .forgotten_data as { faces: number; inherited: boolean }
    expect(theirTrained).toBeGreaterThan(0)
    expect(flag).toMatchObject({ faces: theirTrained, inherited: false })
    const audit = db.prepare('SELECT * FROM forget_audit').all() as Array<Record<string, unknown>>
    expect(audit).toHaveLength(1)
    expect(Object.keys(audit[0]!).sort()).toEqual([
      'annotations',
      'at',
      'by',
      'faces',
      'files',
      'id',
      'versions_flagged'
    ])
    closeProject(project)
    // Files: none of their thumbnails or previews remain in thumbs/, and the database file has no trace of the name.
    const left = new Set(listFiles(path.join(dir, 'thumbs')))
    for (const f of [...theirThumbs, ...theirPreviews]) expect(left.has(f), f).toBe(false)
    for (const f of fs.readdirSync(dir).filter((n) => n.startsWith('studio.db')))
      expect(fs.readFileSync(path.join(dir, f)).includes(Buffer.from(NAME)), f).toBe(false)
    // The photos themselves are untouched (symlinks to the shared set, still resolving).
    const kept = fs.readdirSync(photos, { recursive: true }).filter((f) => /\.jpe?g$/i.test(String(f)))
    expect(kept).toHaveLength(PEOPLE.length * PER_PERSON)
    for (const f of kept) expect(fs.statSync(path.join(photos, String(f))).isFile()).toBe(true)
  })

  it('a re-import does not bring them back, and the retrain learns without them from a clean start', () => {
    const before = openProject(dir)
    const faces = before.db.prepare('SELECT COUNT(*) FROM faces').pluck().get() as number
    closeProject(before)
    const again = cli('import', photos, '--project', dir)
    expect(again.faces).toBe(0)
    const after = openProject(dir)
    expect(after.db.prepare('SELECT COUNT(*) FROM faces').pluck().get()).toBe(faces)
    closeProject(after)
    expect(new Set(listFiles(path.join(dir, 'thumbs'))).has(theirThumbs[0]!)).toBe(false)

    const exported = runCli(home, [
      'export-model',
      '--project',
      dir,
      '--task',
      'smile',
      '--version',
      '1',
      '--out',
      tempDir('exp'),
      '--json'
    ])
    expect(exported.status, exported.stderr).toBe(0)
    expect(exported.stderr).toMatch(/trained on data of a person forgotten/)
    expect(String(exported.json.warning)).toMatch(/retrain it without them/)

    const r = cli('retrain', '--project', dir, '--task', 'smile', '--version', '1')
    expect(r.version).toBe(2)
    // A user task has no version 0: version 1 was a fresh head, so the retrain is one too (never v1's weights).
    expect(r.parent).toBeNull()
    const p = openProject(dir)
    const v2 = JSON.parse(
      p.db
        .prepare(
          `SELECT metadata FROM model_versions WHERE version = 2 AND task_id = (SELECT id FROM tasks WHERE name = 'smile')`
        )
        .pluck()
        .get() as string
    ) as Record<string, unknown>
    expect(v2.training_set_hash).not.toBe(hashBefore)
    expect(v2.forgotten_data).toBeUndefined()
    expect(v2.seed).toBeDefined()
    closeProject(p)
  }, 600_000)
})
