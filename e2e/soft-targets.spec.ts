/**
 * Soft targets in the UI (issue 11 §2, issue 14 §1): the Train screen offers "Soft targets (from several answers /
 * vote columns)", off by default; checked, a run trains on the spread of two annotators' answers where a face has
 * both, and the result says on how many faces. Set-up: synthetic-mood.ts with a second
 * annotator on 150 of the faces.
 */
import fs from 'node:fs'
import path from 'node:path'
import { expect, shot, shotsDir, tempDir, test } from './fixtures'
import { createProject } from './pages'
import { seedMoodTask } from './synthetic-mood'

test('soft targets: offered on the Train screen, off by default, recorded on the trained version', async ({
  page,
  server
}) => {
  test.setTimeout(600_000)
  await page.setViewportSize({ width: 1280, height: 800 })
  const project = path.join(tempDir('soft'), 'p')
  await page.goto(server.url)
  await createProject(page, project)
  await expect(page.getByTestId('status-project')).toBeVisible()
  await seedMoodTask(page, server, project, { secondAnnotator: true })
  await page.reload()
  await page.getByTestId('task-picker').selectOption('mood')
  await page.getByTestId('nav-train').click()
  const soft = page.getByTestId('train-soft-targets')
  await expect(soft).not.toBeChecked()
  await soft.scrollIntoViewIfNeeded()
  await shot(page, 'soft-01-train-options')
  await soft.check()
  await page.getByTestId('train-epochs').fill('15')
  await page.getByTestId('train-heads').fill('2')
  await page.getByTestId('train-start').click()
  const run = page.getByTestId('train-run')
  await expect(run).toHaveAttribute('data-status', 'done', { timeout: 240_000 })
  await expect(page.getByTestId('train-recipe')).toContainText(/soft targets on \d+ faces/)
  const n = Number(
    /soft targets on (\d+) faces/.exec((await page.getByTestId('train-recipe').textContent()) ?? '')?.[1]
  )
  // Some of the 150 doubly answered faces are in the evaluation set, the rest train with a distribution.
  expect(n).toBeGreaterThan(50)
  expect(n).toBeLessThanOrEqual(150)
  await page.getByTestId('train-recipe').scrollIntoViewIfNeeded()
  await shot(page, 'soft-02-trained')
  const meta = JSON.parse(fs.readFileSync(path.join(project, 'models', 'mood', 'v1', 'metadata.json'), 'utf8')) as {
    recipe: { soft_targets: boolean; soft_target_rows: number }
  }
  expect(meta.recipe).toMatchObject({ soft_targets: true, soft_target_rows: n })

  // Unchecked again, the next run is a hard-label one and says nothing about soft targets.
  await soft.uncheck()
  await page.getByTestId('train-start').click()
  await expect(run).toHaveAttribute('data-status', 'done', { timeout: 240_000 })
  await expect(page.getByTestId('train-recipe')).not.toContainText('soft targets')
  expect(fs.existsSync(shotsDir)).toBe(true)
})
