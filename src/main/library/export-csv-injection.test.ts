import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { annotate } from '../labels/annotations'
import { unneutralise } from '../labels/csv'
import { parseLabelTable } from '../labels/label-table'
import { createTask } from '../labels/tasks'
import { createProject } from '../project/project'
import { tempDir } from '../../test/support'
import { exportRows, toCsv } from './export'
import { gatherExport } from './export-faces'

// File names and labels a spreadsheet would run as formulas (OWASP "CSV Injection").
const NAMES = ['=HYPERLINK("x","y").jpg', '+1+1.jpg', '-2+3.jpg', '@SUM(A1).jpg', '\tcmd.jpg', '\rcr.jpg']

describe('CSV export neutralises formula cells', () => {
  const project = createProject(path.join(tempDir('csv-inj'), 'p'))
  const db = project.db
  const insImage = db.prepare(
    `INSERT INTO images (path, root, rel_path, status, imported_at) VALUES (?, '/data', ?, 'ok', 'now')`
  )
  const insFace = db.prepare(
    `INSERT INTO faces (image_id, idx, x, y, w, h, score, source) VALUES (?, 0, -3, 0, 10, 10, 1, 'crop')`
  )
  NAMES.forEach((n) => insFace.run(insImage.run(`/data/${n}`, n).lastInsertRowid))
  createTask(db, { name: 'mood', kind: 'classification', labels: ['=1+2', '@me', 'ok'], level: 'face' })
  annotate(db, {
    task: 'mood',
    annotator: 'test',
    items: [
      { target: 'face', id: 1, value: '=1+2', source: 'import' },
      { target: 'face', id: 2, value: '@me', source: 'import' },
      { target: 'face', id: 3, value: 'ok', source: 'import' }
    ]
  })

  it('prefixes a single quote and quotes every text cell starting with =, +, -, @, tab or CR', () => {
    const { columns, rows } = exportRows(gatherExport(db, {}), '/data/faces.csv', false)
    const text = toCsv(columns, rows)
    const parsed = parseLabelTable(text, 'x.csv')
    const header = parsed.header
    const pi = header.indexOf('path')
    const li = header.indexOf('mood_label')
    const cells = parsed.rows.map((r) => r.cells)
    for (const row of cells) {
      const p = row[pi] as string
      expect(p.startsWith("'"), p).toBe(true)
      expect(/^[=+\-@\t\r]/.test(p)).toBe(false)
    }
    // Every neutralised cell was quoted in the file, so a spreadsheet takes it as text.
    for (const n of NAMES) expect(text).toContain(`"'${n.replace(/"/g, '""')}"`)
    expect(cells.map((r) => unneutralise(r[pi] as string)).sort()).toEqual([...NAMES].sort())
    const labels = cells.map((r) => r[li])
    expect(labels).toContain("'=1+2")
    expect(labels).toContain("'@me")
    expect(labels).toContain('ok')
    // Numbers stay numbers: a negative box coordinate is no formula.
    expect(cells.every((r) => r[header.indexOf('x')] === '-3')).toBe(true)
  })

  it('leaves plain text alone and undoes only its own prefix', () => {
    expect(unneutralise("'plain")).toBe("'plain")
    expect(unneutralise("'=x")).toBe('=x')
    expect(unneutralise('happy')).toBe('happy')
  })
})
