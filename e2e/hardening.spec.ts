/** Issue 9 §3 in the browser: the busy banner while main does not answer, and the refused non-empty folder. */
import fs from 'node:fs'
import path from 'node:path'
import { expect, shot, tempDir, test } from './fixtures'
import { createProject } from './pages'

// Screenshots at the size UI.md reviews (1280×800).
test.use({ viewport: { width: 1280, height: 800 } })

test('a call main does not answer shows the busy banner, then "not responding", and it clears on the answer', async ({
  page,
  server
}) => {
  await page.goto(server.url)
  await createProject(page, path.join(tempDir('busy'), 'Busy'))
  await expect(page.getByTestId('library-empty')).toBeVisible()
  await expect(page.getByTestId('busy-banner')).toHaveCount(0)

  // The bridge holds the Models screen's first call for 33 s, as a main process stuck in a loop would.
  let release: () => void = () => undefined
  const held = new Promise<void>((r) => (release = r))
  await page.route('**/api/models.versions', async (route) => {
    await Promise.race([held, new Promise((r) => setTimeout(r, 33_000))])
    await route.continue()
  })
  const sent = Date.now()
  await page.getByTestId('nav-models').click()
  const banner = page.getByTestId('busy-banner')
  await expect(banner).toHaveAttribute('data-state', 'busy', { timeout: 6_000 })
  // Not before ~3 s: quick answers never flash a banner.
  expect(Date.now() - sent).toBeGreaterThan(2_500)
  await expect(banner).toHaveAttribute('data-call', 'models.versions')
  await expect(banner).toContainText('Face Studio is busy')
  await shot(page, 'busy-banner')

  await expect(banner).toHaveAttribute('data-state', 'not-responding', { timeout: 35_000 })
  await expect(banner).toContainText('Face Studio is not responding')
  await expect(banner).toContainText('npm run web')
  await shot(page, 'busy-not-responding')

  release()
  await expect(banner).toHaveCount(0, { timeout: 10_000 })
  await page.unroute('**/api/models.versions')
})

test('"Project folder (new or empty)" refuses a folder holding other files, and says so', async ({ page, server }) => {
  const datasets = tempDir('datasets')
  fs.mkdirSync(path.join(datasets, 'utkface'))
  fs.writeFileSync(path.join(datasets, 'README.md'), '# my data\n')
  await page.goto(server.url)
  await createProject(page, datasets)
  const error = page.getByTestId('firstrun-create-form').getByTestId('error-message')
  await expect(error).toHaveAttribute('data-code', 'CONFLICT')
  await expect(error).toContainText('is not empty (README.md, utkface)')
  await expect(error).toContainText('new or empty folder')
  await shot(page, 'create-nonempty-refused')
  expect(fs.readdirSync(datasets).sort()).toEqual(['README.md', 'utkface'])

  // A new folder inside it is fine.
  await page.getByTestId('firstrun-create-path').fill(path.join(datasets, 'Project'))
  await page.getByTestId('firstrun-create-submit').click()
  await expect(page.getByTestId('status-project')).toContainText('Project')
})

test('a task named my.task is refused at creation with the rule it breaks', async ({ page, server }) => {
  await page.goto(server.url)
  await createProject(page, path.join(tempDir('taskname'), 'Tasks'))
  await expect(page.getByTestId('library-empty')).toBeVisible()
  await page.getByTestId('task-new').click()
  await page.getByTestId('task-editor-name').fill('my.task')
  await page.getByTestId('task-editor-labels').fill('yes, no')
  await page.getByTestId('task-editor-create').click()
  const error = page.getByTestId('task-editor-error')
  await expect(error).toContainText('"my.task" cannot be a task name (it contains ".")')
  await expect(error).toContainText('letters, digits, "_" or "-"')
  await shot(page, 'task-name-refused')
  await page.getByTestId('task-editor-name').fill('my_task')
  await page.getByTestId('task-editor-create').click()
  await expect(page.getByTestId('task-editor')).toBeHidden()
  await expect(page.getByTestId('task-picker')).toHaveValue('my_task')
})
