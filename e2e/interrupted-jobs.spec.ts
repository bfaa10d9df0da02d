/**
 * Issue 9: jobs a killed process left unfinished are named on the next start, with what each left behind; a
 * cancelled import says what it kept. The import is really killed (kill -9 of the CLI and its worker) after a
 * few files; a second row stands for a training run of a process that is gone.
 */
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { expect, repoRoot, sharedData, shot, tempDir, test } from './fixtures'

const FER = path.join(sharedData, 'expression_ferplus', 'images', 'happiness')
const bin = path.join(repoRoot, 'bin', 'face-studio.cjs')

function imported(project: string): number {
  try {
    const db = new Database(path.join(project, 'studio.db'), { readonly: true, fileMustExist: true })
    try {
      return db.prepare('SELECT COUNT(*) FROM images').pluck().get() as number
    } finally {
      db.close()
    }
  } catch {
    return 0
  }
}

test.skip(!fs.existsSync(FER), 'needs the shared FER+ photos')

test('names the jobs a killed run left unfinished; a cancelled import says what it kept', async ({ page, server }) => {
  await page.setViewportSize({ width: 1280, height: 800 })
  const photos = tempDir('photos')
  for (const f of fs.readdirSync(FER).sort().slice(0, 40)) fs.symlinkSync(path.join(FER, f), path.join(photos, f))
  const project = path.join(tempDir('proj'), 'Killed mid-import')

  // A CLI import, killed with its worker once a few photos are in.
  const child = spawn(process.execPath, [bin, 'import', photos, '--project', project, '--crops', '--json'], {
    env: { ...process.env, FACE_STUDIO_HOME: tempDir('cli-home') },
    stdio: 'ignore',
    detached: true
  })
  const exited = new Promise<void>((r) => child.on('exit', () => r()))
  await expect.poll(() => imported(project), { timeout: 120_000, intervals: [20] }).toBeGreaterThanOrEqual(5)
  process.kill(-(child.pid as number), 'SIGKILL')
  await exited
  const kept = imported(project)
  expect(kept).toBeLessThan(40)
  // A training run of a process that is gone (a pid that just exited).
  const dead = spawnSync(process.execPath, ['-e', 'process.pid'], { encoding: 'utf8' }).pid
  const db = new Database(path.join(project, 'studio.db'))
  db.prepare(
    `INSERT INTO jobs (kind, title, status, params, started_at, progress, pid)
     VALUES ('train', 'Train expression', 'running', '{"task":"expression"}', ?, '{"done":3,"total":30,"status":"running"}', ?)`
  ).run(new Date().toISOString(), dead)
  db.close()

  await page.goto(server.url)
  await page.getByTestId('firstrun-open-path').fill(project)
  await page.getByTestId('firstrun-open-submit').click()
  const notice = page.getByTestId('interrupted-jobs')
  await expect(notice).toBeVisible()
  await expect(notice).toContainText('2 jobs did not finish')
  const items = page.getByTestId('interrupted-job')
  await expect(items).toHaveCount(2)
  await expect(items.filter({ hasText: 'Import' })).toContainText(/Stopped after at least \d+ of 40 files.*kept/)
  await expect(items.filter({ hasText: 'Train expression' })).toContainText('No version was saved')
  await shot(page, 'interrupted-notice')

  // Dismissed, it stays dismissed after a reload.
  await page.getByTestId('interrupted-dismiss').click()
  await expect(notice).toHaveCount(0)
  await page.reload()
  await expect(page.getByTestId('status-project')).toContainText('Killed mid-import')
  await expect(notice).toHaveCount(0)
  await shot(page, 'interrupted-dismissed')

  // Importing more through the dialog, cancelled once it has started: it says how far it got and what it kept.
  const more = tempDir('more')
  for (const f of fs.readdirSync(FER).sort().slice(40, 240)) fs.symlinkSync(path.join(FER, f), path.join(more, f))
  await page.getByTestId('import-button').click()
  await page.getByTestId('import-folder-path').fill(more)
  await page.getByTestId('import-crops').check()
  await page.getByTestId('import-start').click()
  await expect(page.getByTestId('import-progress')).toHaveAttribute('data-status', 'running')
  await expect.poll(() => imported(project), { timeout: 120_000, intervals: [50] }).toBeGreaterThan(kept + 3)
  await shot(page, 'import-running')
  await page.getByTestId('import-cancel').click()
  await expect(page.getByTestId('import-progress')).toHaveAttribute('data-status', 'cancelled')
  const note = page.getByTestId('import-cancelled-note')
  await expect(note).toContainText(
    /Import cancelled after \d+ of 200 files; the \d+ photos imported before the cancel are kept/
  )
  await shot(page, 'import-cancelled')
  const said = /the (\d+) photos imported/.exec((await note.textContent()) ?? '')
  expect(Number(said?.[1])).toBe(imported(project) - kept)
})
