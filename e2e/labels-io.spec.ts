/**
 * Issue 12, "Done when": import a labels CSV through the window (a semicolon file from another tool, with a
 * value-mapping step) and export COCO and CSV through the window; the exported files are checked here.
 * Screenshots of the import preview and the export dialog (empty, error, done) go to e2e-artifacts and
 * /work/coord/shots/labels-io when that folder exists.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import type { Page } from '@playwright/test'
import { expect, repoRoot, sharedData, shot, tempDir, test } from './fixtures'
import { createProject, importFolder } from './pages'

const photos = path.join(sharedData, 'expression_faceapi_examples', 'images')
const coordShots = '/work/coord/shots/labels-io'

async function snap(page: Page, name: string): Promise<void> {
  await shot(page, `labels-io-${name}`)
  if (fs.existsSync(path.dirname(coordShots))) {
    fs.mkdirSync(coordShots, { recursive: true })
    await page.screenshot({ path: path.join(coordShots, `${name}.png`) })
  }
}

function readCsv(file: string): Array<Record<string, string>> {
  const [header, ...lines] = fs.readFileSync(file, 'utf8').trim().split('\n')
  const cols = (header ?? '').split(',')
  return lines.map((l) => Object.fromEntries(l.split(',').map((c, i) => [cols[i], c])))
}

test('import labels with value mapping, export COCO and CSV through the window', async ({ page, server }) => {
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(server.url)
  await createProject(page, path.join(tempDir('proj'), 'Labels e2e'))
  await importFolder(page, photos)

  // A labels file from another tool: semicolons, Windows separators, labels in another case and words
  // that need mapping, one photo that is not in the project. Its photos are reached through a symlink.
  const dir = tempDir('labels-in')
  fs.symlinkSync(photos, path.join(dir, 'pics'))
  const csv = path.join(dir, 'from-tool.csv')
  fs.writeFileSync(
    csv,
    [
      'file;mood;notes',
      'pics\\happy.jpg;Joy;a',
      'pics\\sad.jpg;SAD;b',
      'pics/angry.jpg;furious;c',
      'pics/none.jpg;happy;d'
    ].join('\r\n')
  )

  await page.getByTestId('labels-import-button').click()
  const dialog = page.getByTestId('labels-import-dialog')
  await expect(dialog).toBeVisible()
  await snap(page, '01-import-empty')
  await dialog.getByTestId('labels-import-file').fill(path.join(dir, 'missing.csv'))
  await expect(dialog.getByText(/Cannot read/)).toBeVisible()
  await snap(page, '02-import-error')
  await dialog.getByTestId('labels-import-file').fill(csv)
  await expect(dialog.getByTestId('labels-import-delimiter')).toHaveText(/semicolon \(detected\)/)
  // Forcing another delimiter re-reads the file with it (one column), and auto goes back.
  await dialog.getByTestId('labels-import-delimiter-choice').selectOption(',')
  await expect(dialog.getByTestId('labels-import-path-column')).toHaveValue('file;mood;notes')
  await dialog.getByTestId('labels-import-delimiter-choice').selectOption('auto')
  await expect(dialog.getByTestId('labels-import-delimiter')).toHaveText(/semicolon \(detected\)/)
  await expect(dialog.getByTestId('labels-import-path-column')).toHaveValue('file')
  // The label column suggested for the active task (expression) is ticked and goes to it.
  await expect(dialog.getByTestId('labels-import-tick-mood')).toBeChecked()
  await expect(dialog.getByTestId('labels-import-target-mood')).toHaveValue('expression')
  await expect(dialog.getByTestId('labels-import-tick-notes')).not.toBeChecked()
  // Suggested: SAD → sad (case-insensitive); Joy and furious are not labels until mapped.
  await expect(dialog.getByTestId('labels-import-map-mood-SAD')).toHaveValue('sad')
  await expect(dialog.getByTestId('labels-import-map-mood-Joy')).toHaveValue('')
  await expect(dialog.getByTestId('labels-import-applied')).toHaveText('1')
  await expect(dialog.getByTestId('labels-import-invalid')).toHaveText('2')
  await expect(dialog.getByTestId('labels-import-unmatched')).toHaveText('1')
  await expect(dialog.getByTestId('labels-import-unmatched-examples')).toContainText('pics/none.jpg')
  await dialog.getByTestId('labels-import-map-mood-Joy').selectOption('happy')
  await dialog.getByTestId('labels-import-map-mood-furious').selectOption('angry')
  await expect(dialog.getByTestId('labels-import-applied')).toHaveText('3')
  await expect(dialog.getByTestId('labels-import-invalid')).toHaveText('0')
  await snap(page, '03-import-preview')
  await dialog.getByTestId('labels-import-apply').click()
  await expect(dialog.getByTestId('labels-import-done')).toContainText('3 faces of expression labelled')
  await snap(page, '04-import-done')
  await dialog.getByTestId('labels-import-close').click()

  // ---------------------------------------------------------------- review limited to this import's folder
  await page.getByTestId('nav-review').click()
  const scope = page.getByTestId('review-scope')
  // All, the one import, and its folder.
  await expect(scope.locator('option')).toHaveCount(3)
  await expect(scope.locator('option[value^="import:"]')).toContainText('Import: images')
  await scope.selectOption(`folder:${photos}`)
  await expect(page.getByTestId('review-remaining')).not.toHaveText('…')
  await snap(page, '08-review-scope')
  await page.getByTestId('nav-library').click()

  // ---------------------------------------------------------------- export through the File menu
  const out = tempDir('export-out')
  await page.getByTestId('appmenu-file').click()
  await page.getByRole('menuitem', { name: /Export…/ }).click()
  const exp = page.getByTestId('export-dialog')
  await expect(exp).toBeVisible()
  await snap(page, '05-export-dialog')
  await exp.getByTestId('export-out').fill(out)
  await exp.getByTestId('export-run').click()
  await expect(exp.getByText(/is a folder; the export needs a file name/)).toBeVisible()
  await snap(page, '06-export-error')
  expect(fs.readdirSync(out)).toEqual([])

  await exp.getByTestId('export-format').selectOption('coco')
  await exp.getByTestId('export-out').fill(path.join(out, 'faces.json'))
  await exp.getByTestId('export-run').click()
  await expect(exp.getByTestId('export-summary')).toContainText('of 7 photos written as coco')
  await snap(page, '07-export-done')
  const coco = JSON.parse(fs.readFileSync(path.join(out, 'faces.json'), 'utf8')) as {
    images: Array<{ id: number; file_name: string; width: number; height: number }>
    annotations: Array<{ image_id: number; bbox: number[]; attributes: Record<string, unknown> }>
    categories: Array<{ name: string }>
  }
  const check = spawnSync(
    'python3',
    [path.join(repoRoot, 'src', 'test', 'coco_check.py'), path.join(out, 'faces.json')],
    {
      encoding: 'utf8'
    }
  )
  expect(JSON.parse(check.stdout)).toMatchObject({ ok: true, images: 7 })
  const labelOf = (name: string): unknown => {
    const im = coco.images.find((i) => i.file_name.endsWith(`/${name}`))
    return coco.annotations.find((a) => a.image_id === im?.id)?.attributes.expression
  }
  expect([labelOf('happy.jpg'), labelOf('sad.jpg'), labelOf('angry.jpg'), labelOf('neutral.jpg')]).toEqual([
    'happy',
    'sad',
    'angry',
    null
  ])
  // File names are relative to the export file, so they resolve from its folder.
  for (const im of coco.images) expect(fs.existsSync(path.resolve(out, im.file_name)), im.file_name).toBe(true)

  // Again, as CSV with one task: the dialog remembers the last export of this project.
  await exp.getByTestId('export-another').click()
  await expect(exp.getByTestId('export-format')).toHaveValue('coco')
  await expect(exp.getByTestId('export-out')).toHaveValue(path.join(out, 'faces.json'))
  await exp.getByTestId('export-format').selectOption('csv')
  await expect(exp.getByTestId('export-out')).toHaveValue(path.join(out, 'faces.csv'))
  for (const t of ['age', 'gender_presentation']) await exp.getByTestId(`export-task-${t}`).uncheck()
  await exp.getByTestId('export-run').click()
  await expect(exp.getByTestId('export-summary')).toBeVisible()
  await exp.getByTestId('export-close').click()
  const rows = readCsv(path.join(out, 'faces.csv'))
  expect(Object.keys(rows[0] ?? {})).toEqual([
    'path',
    'face_id',
    'x',
    'y',
    'w',
    'h',
    'score',
    'source',
    'person_id',
    'expression_label',
    'expression_pred',
    'expression_conf'
  ])
  const byFile = new Map(rows.map((r) => [path.basename(r.path ?? ''), r]))
  expect(byFile.get('happy.jpg')?.expression_label).toBe('happy')
  expect(byFile.get('angry.jpg')?.expression_label).toBe('angry')
  expect(byFile.get('surprised.jpg')?.expression_label).toBe('')
  expect(fs.existsSync(path.resolve(out, byFile.get('sad.jpg')?.path ?? ''))).toBe(true)

  // Once more, only the faces still without an expression label (a scope shared with Review).
  await page.getByTestId('appmenu-file').click()
  await page.getByRole('menuitem', { name: /Export…/ }).click()
  // The newest import is offered first, then its folder.
  await expect(exp.getByTestId('export-folder')).toHaveValue(/^import:/)
  await expect(exp.getByTestId('export-folder').locator('option')).toHaveCount(2)
  await exp.getByTestId('export-scope-unlabelled').check()
  await exp.getByTestId('export-out').fill(path.join(out, 'todo.csv'))
  await snap(page, '09-export-scope-unlabelled')
  await exp.getByTestId('export-run').click()
  await expect(exp.getByTestId('export-summary')).toBeVisible()
  await exp.getByTestId('export-close').click()
  const todo = readCsv(path.join(out, 'todo.csv'))
  const labelled = rows.filter((r) => r.expression_label !== '')
  expect(labelled.length).toBeGreaterThanOrEqual(3)
  expect(todo.length).toBe(rows.length - labelled.length)
  expect(todo.map((r) => r.face_id).sort()).toEqual(
    rows
      .filter((r) => r.expression_label === '')
      .map((r) => r.face_id)
      .sort()
  )
})
