/**
 * Issue 11 §3 in the UI: train → the normal path (activated, with the verdict against the active version) →
 * a deliberately weak run → "vN is … worse than vM on … faces (95 % interval …): not activated" → Activate
 * anyway → Compare shows the reliability diagram before and after calibration.
 *
 * Set-up without photos: a custom task over synthetic stored features (seeded blobs, synthetic-mood.ts).
 */
import path from 'node:path'
import type { ModelVersionInfo } from '../src/shared/domain'
import { expect, shot, tempDir, test } from './fixtures'
import { api, createProject } from './pages'
import { seedMoodTask } from './synthetic-mood'

test('versions earn activation: verdict, not activated when worse, activate anyway, calibration before/after', async ({
  page,
  server
}) => {
  test.setTimeout(600_000)
  const project = path.join(tempDir('learn'), 'p')
  await page.goto(server.url)
  await createProject(page, project)
  await expect(page.getByTestId('status-project')).toBeVisible()
  await seedMoodTask(page, server, project)
  await page.reload()
  await page.getByTestId('task-picker').selectOption('mood')
  await page.getByTestId('nav-train').click()
  await shot(page, 'learning-01-train-options')

  // ---------------------------------------------------------------- the normal path: a fresh task's first version
  await page.getByTestId('train-epochs').fill('20')
  await page.getByTestId('train-start').click()
  const run = page.getByTestId('train-run')
  await expect(run).toBeVisible()
  await shot(page, 'learning-02-training-busy')
  await expect(run).toHaveAttribute('data-status', 'done', { timeout: 180_000 })
  const result = page.getByTestId('train-result')
  await expect(result).toContainText('now active')
  await expect(page.getByTestId('train-recipe')).toContainText(/5 heads averaged · confidence calibrated/)

  // A second, proper run: compared with v1 and activated because it is not worse.
  await page.getByTestId('train-start').click()
  await expect(run).toHaveAttribute('data-status', 'done', { timeout: 180_000 })
  const verdict = page.getByTestId('train-verdict')
  await expect(verdict).toHaveAttribute('data-worse', 'false')
  await expect(verdict).toContainText(/^v2 is .* v1 on \d+ faces \(95 % interval .+\): activated\./)

  // -------------------------------------------------------------------------- a weak run is not activated
  await page.getByTestId('train-epochs').fill('1')
  await page.getByTestId('train-lr').fill('0.0000001')
  await page.getByTestId('train-hidden').fill('256')
  await page.getByTestId('train-l2').fill('0')
  await page.getByTestId('train-heads').fill('1')
  await page.getByTestId('train-start').click()
  await expect(run).toHaveAttribute('data-status', 'done', { timeout: 180_000 })
  await expect(verdict).toHaveAttribute('data-worse', 'true')
  await expect(verdict).toContainText(
    /^v3 is \d+ points worse than v2 on \d+ faces \(95 % interval −\d+ … .+\): not activated\./
  )
  await expect(result).toContainText('not activated')
  await shot(page, 'learning-03-not-activated-worse')
  let versions = await api<ModelVersionInfo[]>(page, server, 'models.versions', { task: 'mood' })
  expect(versions.find((v) => v.active)?.version).toBe(2)

  // The user can still activate it.
  await page.getByTestId('train-activate-anyway').click()
  await expect
    .poll(async () => {
      versions = await api<ModelVersionInfo[]>(page, server, 'models.versions', { task: 'mood' })
      return versions.find((v) => v.active)?.version
    })
    .toBe(3)

  // ---------------------------------------------------------------------------------------- learning curve
  await page.getByTestId('learning-curve-start').click()
  await expect(page.getByTestId('learning-curve-point')).toHaveCount(5, { timeout: 240_000 })
  await expect(page.getByTestId('learning-curve-baseline')).toContainText('v3 (active)')
  await page.getByTestId('learning-curve').scrollIntoViewIfNeeded()
  await shot(page, 'learning-05-learning-curve')

  // ------------------------------------------------------------------ Compare: calibration before / after
  await page.getByTestId('nav-compare').click()
  await expect(page.getByTestId('compare-table')).toBeVisible({ timeout: 60_000 })
  await expect(page.getByTestId('reliability')).toBeVisible()
  await shot(page, 'learning-04-compare-calibration')
})
