/**
 * Mirrored features on the Models screen (issue 11 §2): a project whose faces were imported before mirrored views
 * were stored says how many faces have them and offers "Compute for the rest" (the augment job, with progress and
 * Cancel); once done, every face has them. Photos gone since import are skipped and said so. Versions show whether
 * they average the two views.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { expect, sharedData, shot, tempDir, test } from './fixtures'
import { api, createProject } from './pages'

const FER = path.join(sharedData, 'expression_ferplus')
const N = 120

function dropMirrors(project: string): void {
  const db = new Database(path.join(project, 'studio.db'))
  try {
    db.prepare(`DELETE FROM face_features WHERE kind IN ('expression_mirror', 'age_gender_mirror')`).run()
  } finally {
    db.close()
  }
}

test('mirrored features: counted, computed for the rest with progress, skipped photos said', async ({
  page,
  server
}) => {
  test.setTimeout(600_000)
  await page.setViewportSize({ width: 1280, height: 800 })
  const folder = tempDir('mirror-imgs')
  const labels = fs
    .readFileSync(path.join(FER, 'labels.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1, N + 1)
  for (const line of labels) {
    const rel = line.split(',')[0]!
    fs.symlinkSync(path.join(FER, rel), path.join(folder, path.basename(rel)))
  }
  const project = path.join(tempDir('mirror'), 'p')
  await page.goto(server.url)
  await createProject(page, project)
  await expect(page.getByTestId('status-project')).toBeVisible()

  // Empty project: nothing to count, no panel.
  await page.getByTestId('nav-models').click()
  await expect(page.getByTestId('versions-table')).toBeVisible()
  await expect(page.getByTestId('mirror-features')).toHaveCount(0)
  await shot(page, 'mirror-01-empty')

  await api(page, server, 'import.start', { folder, crops: true })
  await expect
    .poll(async () => (await api<{ faces: number }>(page, server, 'models.mirrorStatus')).faces, { timeout: 120_000 })
    .toBe(N)
  await expect
    .poll(async () =>
      (await api<Array<{ status: string }>>(page, server, 'jobs.list')).every((j) => j.status !== 'running')
    )
    .toBe(true)
  dropMirrors(project)
  await page.reload()
  await page.getByTestId('nav-models').click()
  const panel = page.getByTestId('mirror-features')
  await expect(panel).toHaveAttribute('data-state', 'missing')
  await expect(page.getByTestId('mirror-count')).toHaveText(`0 of ${N} faces`)
  await expect(page.locator('[data-testid="version-row"][data-version="0"] [data-testid="version-views"]')).toHaveText(
    'mirrored'
  )
  await shot(page, 'mirror-02-missing')

  await page.getByTestId('mirror-compute').click()
  await expect(panel).toHaveAttribute('data-state', 'busy')
  await expect(page.getByTestId('mirror-progress')).toContainText(/of \d+ faces|starting/)
  await shot(page, 'mirror-03-busy')
  await expect(panel).toHaveAttribute('data-state', 'done', { timeout: 120_000 })
  await expect(page.getByTestId('mirror-count')).toHaveText(`all ${N} faces`)
  await shot(page, 'mirror-04-done')
  expect(await api(page, server, 'models.mirrorStatus')).toEqual({ faces: N, mirrored: N })

  // Photos moved away since the import: their faces are skipped, and the panel says why.
  dropMirrors(project)
  for (const f of fs.readdirSync(folder).slice(0, 20)) fs.rmSync(path.join(folder, f))
  await page.reload()
  await page.getByTestId('nav-models').click()
  await page.getByTestId('mirror-compute').click()
  await expect(page.getByTestId('mirror-skipped')).toContainText('20 faces skipped', { timeout: 120_000 })
  await expect(page.getByTestId('mirror-count')).toHaveText(`${N - 20} of ${N} faces`)
  await shot(page, 'mirror-05-skipped')
})
