/**
 * Issue 12, several label columns in one Import labels…: a CSV with an `expression` column (to the built-in
 * task) and a `mood` column (to a new task made from its values) is imported through the window as one step;
 * the labels are checked in the app, and one Edit → Undo takes both columns back, keeping the new task.
 * Screenshots (1280×800) of the empty dialog, the two-column preview, a bad new-task name and the done state
 * go to e2e-artifacts and /work/coord/shots/multicol when that folder's parent exists.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Page } from '@playwright/test'
import type { ImageSummary, FaceSummary, TaskInfo } from '../src/shared/domain'
import { expect, sharedData, shot, tempDir, test } from './fixtures'
import { api, createProject, importFolder } from './pages'

const photos = path.join(sharedData, 'expression_faceapi_examples', 'images')
const coordShots = '/work/coord/shots/multicol'

async function snap(page: Page, name: string): Promise<void> {
  await shot(page, `labels-multicol-${name}`)
  if (fs.existsSync(path.dirname(coordShots))) {
    fs.mkdirSync(coordShots, { recursive: true })
    await page.screenshot({ path: path.join(coordShots, `${name}.png`) })
  }
}

test('import two label columns, one to a new task, as one undoable step', async ({ page, server }) => {
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(server.url)
  await createProject(page, path.join(tempDir('proj'), 'Multi-column labels'))
  await importFolder(page, photos)

  const dir = tempDir('labels-cols')
  fs.symlinkSync(photos, path.join(dir, 'pics'))
  const csv = path.join(dir, 'two-columns.csv')
  // The expression column is the photos' own labels (their file names), in another case for one of them.
  fs.writeFileSync(
    csv,
    [
      'path,expression,mood,rater',
      'pics/happy.jpg,Happy,calm,r1',
      'pics/sad.jpg,sad,tense,r1',
      'pics/angry.jpg,angry,tense,r2',
      'pics/neutral.jpg,neutral,calm,r2',
      'pics/surprised.jpg,surprised,unsure,r2',
      'pics/missing.jpg,happy,calm,r1'
    ].join('\n')
  )

  await page.getByTestId('labels-import-button').click()
  const dialog = page.getByTestId('labels-import-dialog')
  await expect(dialog).toBeVisible()
  await snap(page, '01-empty')
  await dialog.getByTestId('labels-import-file').fill(csv)
  // The column named like a task is suggested for it; the others wait to be ticked.
  await expect(dialog.getByTestId('labels-import-tick-expression')).toBeChecked()
  await expect(dialog.getByTestId('labels-import-target-expression')).toHaveValue('expression')
  await expect(dialog.getByTestId('labels-import-map-expression-Happy')).toHaveValue('happy')
  await expect(dialog.getByTestId('labels-import-applied-expression')).toHaveText('5')
  await expect(dialog.getByTestId('labels-import-tick-mood')).not.toBeChecked()

  // mood has no task: ticking it proposes a new task named after the column, its labels the column's values.
  await dialog.getByTestId('labels-import-tick-mood').check()
  await expect(dialog.getByTestId('labels-import-target-mood')).toHaveValue(/new/)
  await expect(dialog.getByTestId('labels-import-newname-mood')).toHaveValue('mood')
  await expect(dialog.getByTestId('labels-import-values-mood')).toContainText('new task')
  await expect(dialog.getByTestId('labels-import-map-mood-calm')).toHaveValue('calm')
  await expect(dialog.getByTestId('labels-import-map-mood-unsure')).toHaveValue('unsure')
  await expect(dialog.getByTestId('labels-import-applied-mood')).toHaveText('5')
  await expect(dialog.getByTestId('labels-import-applied')).toHaveText('10')
  await expect(dialog.getByTestId('labels-import-unmatched')).toHaveText('2')
  await expect(dialog.getByTestId('labels-import-unmatched-examples')).toContainText('pics/missing.jpg')
  await snap(page, '02-preview-two-columns')
  await dialog.getByTestId('labels-import-values-mood').scrollIntoViewIfNeeded()
  await snap(page, '02b-preview-value-mapping')
  await dialog.getByTestId('labels-import-columns').scrollIntoViewIfNeeded()

  // A new task may not take an existing task's name: the error names it, the preview stays to fix it.
  await dialog.getByTestId('labels-import-newname-mood').fill('Expression')
  await expect(dialog.getByText(/a task named "Expression" already exists/)).toBeVisible()
  await expect(dialog.getByTestId('labels-import-newname-mood')).toHaveClass(/input--invalid/)
  await expect(dialog.getByTestId('labels-import-apply')).toBeDisabled()
  await dialog.getByText(/a task named "Expression" already exists/).scrollIntoViewIfNeeded()
  await snap(page, '03-error-new-task-name')
  await dialog.getByTestId('labels-import-newname-mood').fill('mood')
  await expect(dialog.getByTestId('labels-import-apply')).toHaveText('Apply 10 labels')

  await dialog.getByTestId('labels-import-apply').click()
  await expect(dialog.getByTestId('labels-import-done')).toContainText('10 labels written in 2 tasks')
  await expect(dialog.getByTestId('labels-import-done-mood')).toContainText('mood → mood new task: 5 faces labelled')
  await expect(dialog.getByTestId('labels-import-done-expression')).toContainText('1 unmatched')
  await snap(page, '04-done')
  await dialog.getByTestId('labels-import-close').click()

  // The labels, as the app stores them, per photo.
  const tasks = await api<TaskInfo[]>(page, server, 'tasks.list')
  expect(tasks.find((t) => t.name === 'mood')).toMatchObject({ kind: 'classification', labels: ['calm', 'tense'] })
  const images = await api<{ items: ImageSummary[] }>(page, server, 'library.images', {})
  const faceOf = new Map<string, number>()
  for (const im of images.items) {
    const d = await api<{ faces: FaceSummary[] }>(page, server, 'library.image', { id: im.id })
    if (d.faces[0]) faceOf.set(path.basename(im.relPath), d.faces[0].id)
  }
  const faceIds = [...faceOf.values()]
  const applyAndClose = async (written: string): Promise<void> => {
    await dialog.getByTestId('labels-import-apply').click()
    await expect(dialog.getByTestId('labels-import-done')).toContainText(written)
    await dialog.getByTestId('labels-import-close').click()
  }
  const labels = async (task: string): Promise<Record<string, string>> => {
    const cur = await api<Record<number, string>>(page, server, 'annotations.current', { task, faceIds })
    return Object.fromEntries([...faceOf].flatMap(([n, id]) => (cur[id] !== undefined ? [[n, cur[id]] as const] : [])))
  }
  expect(await labels('expression')).toEqual({
    'happy.jpg': 'happy',
    'sad.jpg': 'sad',
    'angry.jpg': 'angry',
    'neutral.jpg': 'neutral',
    'surprised.jpg': 'surprised'
  })
  expect(await labels('mood')).toEqual({
    'happy.jpg': 'calm',
    'sad.jpg': 'tense',
    'angry.jpg': 'tense',
    'neutral.jpg': 'calm',
    'surprised.jpg': 'unsure'
  })
  // The new task is in the app's task picker.
  await expect(page.getByTestId('task-picker').locator('option', { hasText: /mood/i })).toHaveCount(1)

  // One Edit → Undo takes both columns back; the task the import made stays.
  await page.getByTestId('appmenu-edit').click()
  await page.getByRole('menuitem', { name: /Undo/ }).click()
  await expect.poll(() => labels('mood')).toEqual({})
  expect(await labels('expression')).toEqual({})
  expect((await api<TaskInfo[]>(page, server, 'tasks.list')).map((t) => t.name)).toContain('mood')

  // A big file (300,000 rows, both columns): the import shows its progress row by row and a Cancel that
  // takes effect inside the file, writing nothing. mood now goes to the task the first import made.
  const big = path.join(dir, 'big.csv')
  const rows = ['path,expression,mood']
  const sample = ['happy,calm', 'sad,tense', 'angry,tense', 'neutral,calm']
  for (let i = 0; i < 300_000; i++)
    rows.push(`pics/${['happy', 'sad', 'angry', 'neutral'][i % 4]}.jpg,${sample[i % 4]}`)
  fs.writeFileSync(big, rows.join('\n'))
  await page.getByTestId('labels-import-button').click()
  await expect(dialog).toBeVisible()
  await dialog.getByTestId('labels-import-file').fill(big)
  await dialog.getByTestId('labels-import-tick-mood').check({ timeout: 60_000 })
  await expect(dialog.getByTestId('labels-import-target-mood')).toHaveValue('mood')
  await expect(dialog.getByTestId('labels-import-apply')).toHaveText('Apply 8 labels', { timeout: 60_000 })
  await dialog.getByTestId('labels-import-apply').click()
  await expect(dialog.getByTestId('labels-import-progress-message')).toHaveText(/Resolving|Reading/)
  await snap(page, '05-busy')
  await dialog.getByTestId('labels-import-progress-cancel').click()
  await expect(dialog.getByText('No labels were written; Apply starts it again.')).toBeVisible()
  await snap(page, '06-cancelled')
  expect(await labels('mood')).toEqual({})
  expect(await labels('expression')).toEqual({})

  // A Label Studio file with two choice names: each one named like a task is ticked for it.
  const ls = path.join(dir, 'from-label-studio.json')
  const lsTask = (n: string, expression: string, mood: string): object => ({
    data: { image: `pics/${n}` },
    annotations: [
      {
        result: [
          { type: 'choices', from_name: 'expression', to_name: 'image', value: { choices: [expression] } },
          { type: 'choices', from_name: 'mood', to_name: 'image', value: { choices: [mood] } }
        ]
      }
    ]
  })
  fs.writeFileSync(ls, JSON.stringify([lsTask('happy.jpg', 'happy', 'calm'), lsTask('sad.jpg', 'Sad', 'tense')]))
  await dialog.getByTestId('labels-import-file').fill(ls)
  await expect(dialog.getByTestId('labels-import-format')).toHaveValue('labelstudio')
  await expect(dialog.getByTestId('labels-import-tick-expression')).toBeChecked()
  await expect(dialog.getByTestId('labels-import-tick-mood')).toBeChecked()
  await expect(dialog.getByTestId('labels-import-target-mood')).toHaveValue('mood')
  await expect(dialog.getByTestId('labels-import-applied')).toHaveText('4')
  await snap(page, '07-label-studio-choices')
  await applyAndClose('4 labels written in 2 tasks')
  expect(await labels('expression')).toEqual({ 'happy.jpg': 'happy', 'sad.jpg': 'sad' })
  expect(await labels('mood')).toEqual({ 'happy.jpg': 'calm', 'sad.jpg': 'tense' })

  // A COCO file whose annotations carry label attributes (as a Face Studio or CVAT export does): each attribute
  // named like a task is ticked for it; ids, annotators and predictions are not offered.
  const coco = path.join(dir, 'from-coco.json')
  const cocoAnn = (id: number, expression: string, mood: string): object => ({
    id,
    image_id: id,
    category_id: 1,
    attributes: { face_id: id, expression, expression_annotator: 'lab', expression_pred: 'neutral', mood }
  })
  fs.writeFileSync(
    coco,
    JSON.stringify({
      images: [
        { id: 1, file_name: 'pics/angry.jpg', width: 10, height: 10 },
        { id: 2, file_name: 'pics/neutral.jpg', width: 10, height: 10 }
      ],
      annotations: [cocoAnn(1, 'Angry', 'tense'), cocoAnn(2, 'neutral', 'calm')],
      categories: [{ id: 1, name: 'face' }]
    })
  )
  await page.getByTestId('labels-import-button').click()
  await dialog.getByTestId('labels-import-file').fill(coco)
  await dialog.getByTestId('labels-import-format').selectOption('coco')
  await expect(dialog.getByText('COCO attributes')).toBeVisible()
  await expect(dialog.getByTestId('labels-import-tick-expression')).toBeChecked()
  await expect(dialog.getByTestId('labels-import-tick-mood')).toBeChecked()
  await expect(dialog.getByTestId('labels-import-tick-expression_annotator')).toHaveCount(0)
  await expect(dialog.getByTestId('labels-import-applied')).toHaveText('4')
  await snap(page, '08-coco-attributes')
  await applyAndClose('4 labels written in 2 tasks')
  expect(await labels('expression')).toMatchObject({ 'angry.jpg': 'angry', 'neutral.jpg': 'neutral' })
  expect(await labels('mood')).toMatchObject({ 'angry.jpg': 'tense', 'neutral.jpg': 'calm' })
})
