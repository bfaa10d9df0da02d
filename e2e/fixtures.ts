import fs from 'node:fs'
import path from 'node:path'
import { test as base, expect, type Page } from '@playwright/test'
import { repoRoot, startServer, tempDir, type StudioServer } from './server'

export { repoRoot, sharedData, startServer, tempDir, type StudioServer } from './server'

/** Screenshots a person looks at; kept out of the repo (gitignored). */
export const shotsDir = path.join(repoRoot, 'e2e-artifacts')

export async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(shotsDir, { recursive: true })
  await page.screenshot({ path: path.join(shotsDir, `${name}.png`), fullPage: false })
}

export const test = base.extend<{ server: StudioServer }>({
  // Playwright fixtures take their dependencies by destructuring; this one has none.
  // eslint-disable-next-line no-empty-pattern
  server: async ({}, use) => {
    const server = await startServer(tempDir('home'))
    await use(server)
    await server.stop()
  }
})

export { expect }
