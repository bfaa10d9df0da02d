import { createRequire } from 'node:module'
import fs from 'node:fs'
import path from 'node:path'
import { _electron as electron, expect, test } from '@playwright/test'
import { repoRoot, shot, tempDir } from './fixtures'

const require = createRequire(__filename)

function electronBinary(): { path: string } | { reason: string } {
  try {
    const p = require('electron') as unknown
    if (typeof p === 'string' && fs.existsSync(p)) return { path: p }
    return { reason: 'the electron package has no binary' }
  } catch (e) {
    return { reason: `the optional electron package is not installed (${String(e).split('\n')[0]})` }
  }
}

const found = electronBinary()
if ('reason' in found) {
  console.log(`[electron e2e] skipped: ${found.reason}. The same flows run in Chromium against npm run web.`)
}

test.describe('desktop app (Electron)', () => {
  test.skip('reason' in found, 'Electron binary not available on this machine')

  test('opens the window, creates a project and shows the backend', async () => {
    const home = tempDir('electron-home')
    const app = await electron.launch({
      executablePath: (found as { path: string }).path,
      args: [repoRoot],
      env: { ...process.env, FACE_STUDIO_HOME: home, FACE_STUDIO_NO_REOPEN: '1' }
    })
    const page = await app.firstWindow()
    await expect(page.getByTestId('first-run')).toBeVisible()
    const isolated = await page.evaluate(() => typeof (globalThis as { require?: unknown }).require === 'undefined')
    expect(isolated).toBe(true)
    // The sandboxed preload loaded and exposed its one object (a preload that requires more than
    // electron throws in the sandbox and leaves it undefined).
    const api = await page.evaluate(() => {
      const studio = (globalThis as { studio?: Record<string, unknown> }).studio
      return studio ? Object.keys(studio).sort() : null
    })
    expect(api).toEqual(['call', 'mediaUrl', 'mode', 'on'])
    const dir = path.join(tempDir('electron-proj'), 'Desk')
    await page.getByTestId('firstrun-create-path').fill(dir)
    await page.getByTestId('firstrun-create-submit').click()
    await expect(page.getByTestId('status-project')).toContainText('Desk')
    await expect(page.getByTestId('status-backend')).toContainText(/wasm|cpu|tensorflow|CUDA/, { timeout: 60_000 })
    await shot(page, 'electron-empty-project')
    await app.close()
  })
})
