/**
 * CSV files as other tools write them, each corner case of issue 12 on its own: path forms, encodings,
 * delimiters, label case, value maps, duplicates. Images are rows over real (empty) files in a temp folder, so
 * matching by path and by real path both run; no photo is decoded.
 */
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { beforeEach, describe, expect, it } from 'vitest'
import { tempDir } from '../../test/support'
import { createProject, type Project } from '../project/project'
import { csvCell } from './csv'
import { csvTruth } from './csv-truth'
import { applyLabelCsv, applyLabelFile, parseLabelMap } from './label-csv'
import { resolveLabelImport, writeLabelImport } from './label-import'
import { resolveLabelRows } from './label-rows'
import { detectDelimiter } from './label-table'
import { getTask } from './tasks'

const NAMES = ['a.jpg', 'b c.jpg', 'caf\u00e9.jpg', ' space.jpg', 'trail.jpg', '=sum.jpg', 'sub/deep.jpg']

let project: Project
let photos: string
let faceOf: Map<string, number>

beforeEach(() => {
  const root = tempDir('label-csv')
  photos = path.join(root, 'photos')
  fs.mkdirSync(path.join(photos, 'sub'), { recursive: true })
  project = createProject(path.join(root, 'proj'))
  const db = project.db
  const insImage = db.prepare(
    `INSERT INTO images (path, root, rel_path, status, imported_at) VALUES (?, ?, ?, 'ok', 'now')`
  )
  const insFace = db.prepare(
    `INSERT INTO faces (image_id, idx, x, y, w, h, score, source) VALUES (?, ?, ?, 0, ?, 10, 1, 'detected')`
  )
  faceOf = new Map()
  for (const n of NAMES) {
    const abs = path.join(photos, n)
    fs.writeFileSync(abs, '')
    const img = Number(insImage.run(abs, photos, n).lastInsertRowid)
    insFace.run(img, 0, 0, 10)
    // The larger second face is the one a path-only row labels.
    faceOf.set(n, Number(insFace.run(img, 1, 20, 30).lastInsertRowid))
  }
})

/** Writes a labels file in `dir` (default: the photos' parent) and returns its path. */
function write(name: string, content: string | Buffer, dir = path.dirname(photos)): string {
  const file = path.join(dir, name)
  fs.writeFileSync(file, content)
  return file
}

const label = (csv: string, extra: Partial<Parameters<typeof applyLabelCsv>[1]> = {}) =>
  applyLabelCsv(project.db, { task: 'expression', csv, annotator: 't', ...extra })

function current(face: number): string | undefined {
  return project.db
    .prepare(
      `SELECT value FROM current_face_labels WHERE face_id = ? AND task_id = (SELECT id FROM tasks WHERE name = 'expression')`
    )
    .pluck()
    .get(face) as string | undefined
}

describe('labels CSV from other tools', () => {
  it('matches Windows backslash paths', () => {
    const r = label(write('l.csv', 'path,label\nphotos\\sub\\deep.jpg,happy\nphotos\\a.jpg,sad\n'))
    expect([r.applied, r.unmatched]).toEqual([2, 0])
    expect(current(faceOf.get('sub/deep.jpg')!)).toBe('happy')
  })

  it('matches file:// URIs (percent-encoded) and ./ and absolute paths', () => {
    const uri = pathToFileURL(path.join(photos, 'b c.jpg')).href
    expect(uri).toContain('%20')
    const csv = write(
      'l.csv',
      `path,label\n${uri},happy\n./photos/a.jpg,sad\n${path.join(photos, 'sub/deep.jpg')},angry\n`
    )
    const r = label(csv)
    expect([r.applied, r.unmatched]).toEqual([3, 0])
    expect(current(faceOf.get('b c.jpg')!)).toBe('happy')
    expect(current(faceOf.get('a.jpg')!)).toBe('sad')
  })

  it('matches a path written in Unicode NFD to a file stored as NFC', () => {
    const nfd = 'photos/caf\u00e9.jpg'.normalize('NFD')
    expect(nfd).not.toBe('photos/caf\u00e9.jpg')
    const r = label(write('l.csv', `path,label\n${nfd},surprised\n`))
    expect(r.applied).toBe(1)
    expect(current(faceOf.get('caf\u00e9.jpg')!)).toBe('surprised')
  })

  it('keeps leading and trailing spaces of a path cell, trimming only when the literal path does not exist', () => {
    const r = label(write('l.csv', 'path,label\nphotos/ space.jpg,happy\nphotos/trail.jpg  ,sad\n'))
    expect([r.applied, r.unmatched]).toEqual([2, 0])
    expect(current(faceOf.get(' space.jpg')!)).toBe('happy')
    expect(current(faceOf.get('trail.jpg')!)).toBe('sad')
  })

  it('refuses UTF-16 and Latin-1 files with an error naming the encoding', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('path,label\nphotos/a.jpg,happy\n', 'utf16le')])
    expect(() => label(write('u16.csv', utf16))).toThrow(/UTF-16 LE, not UTF-8; save it as UTF-8/)
    expect(() => label(write('u16nobom.csv', Buffer.from('path,label\nphotos/a.jpg,happy\n', 'utf16le')))).toThrow(
      /UTF-16/
    )
    expect(() => label(write('latin1.csv', Buffer.from('path,label\nphotos/caf\u00e9.jpg,happy\n', 'latin1')))).toThrow(
      /not UTF-8: it looks like Latin-1 \/ Windows-1252 \(byte 0xE9\)/
    )
    expect(project.db.prepare('SELECT COUNT(*) FROM annotations').pluck().get()).toBe(0)
  })

  it('detects ; and tab delimiters and obeys an explicit one', () => {
    expect(detectDelimiter('path;label\n')).toBe(';')
    expect(detectDelimiter('path\tlabel\n')).toBe('\t')
    expect(detectDelimiter('"a;b",label\n')).toBe(',')
    const semi = label(write('semi.csv', 'path;label\nphotos/a.jpg;happy\n"photos/b c.jpg";sad\n'))
    expect([semi.applied, semi.delimiter]).toEqual([2, ';'])
    const tab = label(write('tab.csv', 'path\tlabel\nphotos/sub/deep.jpg\tangry\n'))
    expect([tab.applied, tab.delimiter]).toEqual([1, '\t'])
    // A comma inside the path of a semicolon file: forced to ";" it parses as two columns.
    expect(() => label(write('forced.csv', 'path;label\n'), { delimiter: ',' })).toThrow(/no column "path"/)
  })

  it('matches labels case-insensitively and through a case-insensitive --map', () => {
    const csv = write(
      'l.csv',
      'path,label\nphotos/a.jpg,Happy\nphotos/b c.jpg,SAD\nphotos/trail.jpg,Joy\nphotos/sub/deep.jpg,N/A\n'
    )
    const r = label(csv, { map: parseLabelMap('joy=happy') })
    expect([r.applied, r.invalid]).toEqual([4, 0])
    expect(current(faceOf.get('a.jpg')!)).toBe('happy')
    expect(current(faceOf.get('b c.jpg')!)).toBe('sad')
    expect(current(faceOf.get('trail.jpg')!)).toBe('happy')
    expect(current(faceOf.get('sub/deep.jpg')!)).toBe('not_applicable')
  })

  it('one duplicate rule for label and eval: the last row wins, duplicates counted, applied counts faces', () => {
    const csv = write(
      'dup.csv',
      'path,label\nphotos/a.jpg,happy\nphotos/a.jpg,sad\nphotos/b c.jpg,happy\n./photos/a.jpg,angry\nphotos/b c.jpg,bogus\n'
    )
    const truth = csvTruth(project.db, getTask(project.db, 'expression'), { csv, labelColumn: 'label' })
    expect(truth.duplicates).toBe(2)
    expect(new Map(truth.faces.map((f) => [f.faceId, f.value]))).toEqual(
      new Map([
        [faceOf.get('a.jpg')!, 'angry'],
        [faceOf.get('b c.jpg')!, 'happy']
      ])
    )
    const r = label(csv)
    expect([r.applied, r.duplicates, r.invalid, r.unmatched]).toEqual([2, 2, 1, 0])
    expect(current(faceOf.get('a.jpg')!)).toBe('angry')
    expect(current(faceOf.get('b c.jpg')!)).toBe('happy')
  })

  it('labels the face whose box a row gives, else the largest; a box over no face is unmatched', () => {
    const task = getTask(project.db, 'expression')
    const file = path.join(path.dirname(photos), 'x.json')
    const [small, large] = project.db
      .prepare('SELECT id FROM faces WHERE image_id = 1 ORDER BY idx')
      .pluck()
      .all() as number[]
    const r = resolveLabelRows(project.db, task, file, [
      { line: 1, path: 'photos/a.jpg', box: [1, 0, 10, 10], value: 'happy' },
      { line: 2, path: 'photos/b c.jpg', value: 'sad' },
      { line: 3, path: 'photos/trail.jpg', box: [500, 500, 10, 10], value: 'sad' }
    ])
    expect(r.values.get(small!)?.value).toBe('happy')
    expect(r.values.get(faceOf.get('b c.jpg')!)?.value).toBe('sad')
    expect(large).toBe(faceOf.get('a.jpg'))
    expect(r.unmatchedExamples).toEqual([
      { line: 3, path: 'photos/trail.jpg', reason: 'no detected face overlaps this box' }
    ])
  })

  it('re-imports cells its own export neutralised against formulas', () => {
    const csv = write(
      'inj.csv',
      `path,label\n${csvCell('photos/=sum.jpg')},happy\n${csvCell('=sum.jpg')},sad\n`,
      photos
    )
    expect(fs.readFileSync(csv, 'utf8')).toContain(`"'=sum.jpg"`)
    const r = label(csv)
    expect([r.applied, r.unmatched]).toEqual([1, 1])
    expect(current(faceOf.get('=sum.jpg')!)).toBe('sad')
  })

  it('reads Label Studio local-files URLs and COCO files whose categories are the labels', () => {
    const ls = write(
      'ls.json',
      JSON.stringify([
        {
          data: { image: '/data/local-files/?d=photos%2Fa.jpg' },
          annotations: [
            {
              was_cancelled: true,
              result: [{ type: 'choices', from_name: 'Expression', value: { choices: ['sad'] } }]
            },
            { result: [{ type: 'choices', from_name: 'Expression', value: { choices: ['Happy'] } }] }
          ]
        }
      ])
    )
    const r = applyLabelFile(project.db, { task: 'expression', file: ls, format: 'labelstudio', annotator: 't' })
    expect(r.applied).toBe(1)
    expect(current(faceOf.get('a.jpg')!)).toBe('happy')
    const coco = write(
      'coco.json',
      JSON.stringify({
        images: [{ id: 1, file_name: 'photos/b c.jpg', width: 100, height: 100 }],
        annotations: [{ id: 1, image_id: 1, category_id: 7, bbox: [20, 0, 30, 10] }],
        categories: [{ id: 7, name: 'surprised' }]
      })
    )
    expect(applyLabelFile(project.db, { task: 'expression', file: coco, format: 'coco', annotator: 't' }).applied).toBe(
      1
    )
    expect(current(faceOf.get('b c.jpg')!)).toBe('surprised')
    expect(() => applyLabelFile(project.db, { task: 'expression', file: ls, format: 'coco', annotator: 't' })).toThrow(
      /is not a COCO file/
    )
  })
})

describe('vote columns (soft targets)', () => {
  const csv = (): string =>
    write(
      'votes.csv',
      'path,label_plurality,votes_neutral,votes_happiness,votes_sadness,votes_unknown\n' +
        'photos/a.jpg,happiness,2,7,0,1\nphotos/trail.jpg,neutral,5,0,4,1\n'
    )
  const map = parseLabelMap('happiness=happy,sadness=sad')
  const stored = (): Array<{ face_id: number; label: string; votes: number }> =>
    project.db.prepare('SELECT face_id, label, votes FROM label_votes ORDER BY face_id, label').all() as never

  it('label --votes stores each labelled face’s votes over the task’s labels; other columns are dropped', () => {
    const r = label(csv(), { labelColumn: 'label_plurality', map, votes: true })
    expect([r.applied, r.votes]).toEqual([2, 2])
    expect(current(faceOf.get('a.jpg')!)).toBe('happy')
    const a = faceOf.get('a.jpg')!
    const t = faceOf.get('trail.jpg')!
    const want = [
      { face_id: a, label: 'happy', votes: 7 },
      { face_id: a, label: 'neutral', votes: 2 },
      { face_id: t, label: 'neutral', votes: 5 },
      { face_id: t, label: 'sad', votes: 4 }
    ].sort((x, y) => x.face_id - y.face_id || x.label.localeCompare(y.label))
    expect(stored()).toEqual(want)
    // Importing again replaces, never adds.
    label(csv(), { labelColumn: 'label_plurality', map, votes: true })
    expect(stored()).toEqual(want)
  })

  it('refuses --votes on a CSV without vote columns for the task, and ignores votes without it', () => {
    const plain = write('plain.csv', 'path,label\nphotos/a.jpg,happy\n')
    expect(() => label(plain, { votes: true })).toThrow(/votes_<label>/)
    expect(label(csv(), { labelColumn: 'label_plurality', map }).votes).toBeUndefined()
    expect(stored()).toEqual([])
  })

  it('the window’s Import labels finds the vote columns by itself', () => {
    const r = resolveLabelImport(project.db, {
      file: csv(),
      format: 'csv',
      task: 'expression',
      pathColumn: 'path',
      labelColumn: 'label_plurality',
      map: { happiness: 'happy', sadness: 'sad' }
    })
    expect(r.votes).toHaveLength(2)
    expect(writeLabelImport(project.db, r, 't').votes).toBe(2)
    expect(stored()).toHaveLength(4)
  })
})
