import { defineConfig } from '@playwright/test'

/**
 * Browser e2e runs in Debian's Chromium (never a downloaded browser) against `npm run web`'s server, one
 * server and temp project folder per test. The electron project runs where the Electron binary exists.
 */
export default defineConfig({
  testDir: 'e2e',
  timeout: 180_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    viewport: { width: 1360, height: 860 },
    screenshot: 'only-on-failure',
    trace: 'off'
  },
  projects: [
    {
      name: 'chromium',
      testIgnore: /electron\.spec\.ts/,
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync'
          ]
        }
      }
    },
    { name: 'electron', testMatch: /electron\.spec\.ts/ }
  ]
})
