import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { expect, sharedData, shot, startServer, tempDir, test } from './fixtures'
import type { Page } from '@playwright/test'

async function createProject(page: Page, dir: string): Promise<void> {
  await page.getByTestId('firstrun-create-path').fill(dir)
  await page.getByTestId('firstrun-create-submit').click()
}

test('first run: create a project, see the backend, reopen it on the next start', async ({ page, server }) => {
  await page.goto(server.url)
  await expect(page.getByTestId('first-run')).toBeVisible()
  await expect(page.getByTestId('recent-list')).toHaveAttribute('data-empty', 'true')
  // The token leaves the visible URL once read.
  await expect.poll(() => page.url()).not.toContain('token=')
  await shot(page, 'first-run')

  const dir = path.join(tempDir('proj'), 'Expressions 2026')
  await createProject(page, dir)
  await expect(page.getByTestId('status-project')).toContainText('Expressions 2026')
  await expect(page.getByTestId('status-backend')).toContainText(/wasm|cpu|tensorflow|CUDA/, { timeout: 60_000 })
  await expect(page.getByTestId('library-empty')).toBeVisible()
  for (const f of ['studio.db', 'thumbs', 'models']) expect(fs.existsSync(path.join(dir, f)), f).toBe(true)
  await shot(page, 'empty-project')

  // Restart the app with the same settings: the last project reopens by itself.
  await server.stop()
  const again = await startServer(server.home)
  try {
    await page.goto(again.url)
    await expect(page.getByTestId('status-project')).toContainText('Expressions 2026')
    await page.getByTestId('close-project').click()
    await expect(page.getByTestId('first-run')).toBeVisible()
    await expect(page.getByTestId('recent-item')).toHaveAttribute('data-dir', dir)
    await page.getByTestId('recent-open').click()
    await expect(page.getByTestId('status-project')).toContainText('Expressions 2026')
  } finally {
    await again.stop()
  }
})

test('the bridge refuses calls and events without the token', async ({ page, server }) => {
  const base = `http://127.0.0.1:${server.port}`
  const noToken = await page.request.post(`${base}/api/app.info`, { data: {} })
  expect(noToken.status()).toBe(403)
  const wrong = await page.request.post(`${base}/api/project.current`, {
    data: {},
    headers: { 'x-studio-token': 'x'.repeat(32) }
  })
  expect(wrong.status()).toBe(403)
  const ok = await page.request.post(`${base}/api/app.info`, { data: {}, headers: { 'x-studio-token': server.token } })
  expect(ok.status()).toBe(200)
  expect(((await ok.json()) as { value: { mode: string } }).value.mode).toBe('web')
  // Opening the app without the token explains how to get in instead of failing silently.
  await page.goto(base + '/')
  await page.evaluate(() => sessionStorage.clear())
  await page.goto(base + '/')
  await expect(page.getByTestId('no-token')).toBeVisible()
})

test('bad project folders give clear errors and nothing is overwritten', async ({ page, server }) => {
  await page.goto(server.url)
  const open = async (dir: string): Promise<string | null> => {
    await page.getByTestId('firstrun-open-path').fill(dir)
    await page.getByTestId('firstrun-open-submit').click()
    const err = page.getByTestId('error-message').first()
    await expect(err).toBeVisible()
    return err.getAttribute('data-code')
  }

  const plain = tempDir('plain')
  fs.writeFileSync(path.join(plain, 'holiday.jpg'), 'x')
  expect(await open(plain)).toBe('NOT_A_PROJECT')
  await expect(page.getByTestId('error-message').first()).toContainText('not a Face Studio project')
  expect(fs.readdirSync(plain)).toEqual(['holiday.jpg'])

  const corrupt = tempDir('corrupt')
  const junk = Buffer.from('definitely not sqlite '.repeat(100))
  fs.writeFileSync(path.join(corrupt, 'studio.db'), junk)
  expect(await open(corrupt)).toBe('CORRUPT_DB')
  expect(fs.readFileSync(path.join(corrupt, 'studio.db')).equals(junk)).toBe(true)
  await shot(page, 'error-corrupt-db')

  const newer = tempDir('newer')
  const db = new Database(path.join(newer, 'studio.db'))
  db.exec('CREATE TABLE t (a INTEGER)')
  db.pragma('user_version = 999')
  db.close()
  const before = fs.readFileSync(path.join(newer, 'studio.db'))
  expect(await open(newer)).toBe('DB_TOO_NEW')
  await expect(page.getByTestId('error-message').first()).toContainText('newer version')
  expect(fs.readFileSync(path.join(newer, 'studio.db')).equals(before)).toBe(true)

  // Creating over an existing project is refused too.
  const existing = path.join(tempDir('exists'), 'p')
  await page.getByTestId('firstrun-create-path').fill(existing)
  await page.getByTestId('firstrun-create-submit').click()
  await expect(page.getByTestId('status-project')).toContainText('p')
  await page.getByTestId('close-project').click()
  await page.getByTestId('firstrun-create-path').fill(existing)
  await page.getByTestId('firstrun-create-submit').click()
  await expect(page.getByTestId('error-message').first()).toHaveAttribute('data-code', 'PROJECT_EXISTS')
})

test('import a folder: progress, library grid, photo with face boxes, per-file errors', async ({ page, server }) => {
  await page.goto(server.url)
  await createProject(page, path.join(tempDir('imp'), 'Library test'))
  const photos = tempDir('photos')
  const src = path.join(sharedData, 'expression_faceapi_examples', 'images')
  for (const f of fs.readdirSync(src)) fs.symlinkSync(path.join(src, f), path.join(photos, f))
  fs.writeFileSync(path.join(photos, 'broken.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0x00, 1, 2, 3]))

  await page.getByTestId('import-button').click()
  await expect(page.getByTestId('import-dialog')).toBeVisible()
  await page.getByTestId('import-folder-path').fill(photos)
  await shot(page, 'import-dialog')
  await page.getByTestId('import-start').click()
  await expect(page.getByTestId('import-progress')).toHaveAttribute('data-status', 'done', { timeout: 120_000 })
  await expect(page.getByTestId('import-faces')).toContainText(/[7-9]|1\d/)
  await expect(page.getByTestId('import-errors')).toContainText('1')
  await shot(page, 'import-done')
  await page.getByTestId('import-close').click()

  await expect(page.getByTestId('library-item')).toHaveCount(8)
  await page.getByTestId('library-filter-withFaces').click()
  await expect(page.getByTestId('library-item')).toHaveCount(7)
  await page.getByTestId('library-item').first().click()
  await expect(page.getByTestId('image-detail')).toBeVisible()
  await expect(page.getByTestId('detail-box').first()).toBeVisible()
  await expect(page.getByTestId('detail-face').first()).toBeVisible()
  await shot(page, 'photo-detail')
  await page.getByTestId('detail-close').click()
  await page.getByTestId('library-filter-errors').click()
  await expect(page.getByTestId('library-item-error').first()).toContainText(/damaged|decode|read/i)
  await expect(page.getByTestId('status-faces')).toContainText(/\d/)
})
