/**
 * Issue 12, "Review scope": a second import into a project that already has faces, then "Review this import"
 * from the import dialog opens Review limited to the faces that import added (they would otherwise queue
 * behind the older ones), and the scope picker names that import.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { expect, repoRoot, sharedData, shot, tempDir, test } from './fixtures'
import { createProject, ReviewPage } from './pages'

const FER = path.join(sharedData, 'expression_ferplus', 'images', 'happiness')

function linkFolder(name: string, from: number, n: number): string {
  const files = fs.readdirSync(FER).sort()
  const dir = tempDir(name)
  for (const f of files.slice(from, from + n)) fs.symlinkSync(path.join(FER, f), path.join(dir, f))
  return dir
}

test('review only the faces the last import added', async ({ page, server }) => {
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(server.url)
  await createProject(page, path.join(tempDir('import-review-proj'), 'Import review e2e'))
  const files = fs.readdirSync(FER).sort()
  const runImport = async (dir: string): Promise<void> => {
    await page.getByTestId('import-button').click()
    await page.getByTestId('import-folder-path').fill(dir)
    await page.getByTestId('import-crops').check()
    await page.getByTestId('import-start').click()
    await expect(page.getByTestId('import-progress')).toHaveAttribute('data-status', 'done', { timeout: 120_000 })
  }
  // Export before anything is imported: no import to pick, and an export of no faces is refused, not written.
  const exp = page.getByTestId('export-dialog')
  const openExport = async (): Promise<void> => {
    await page.getByTestId('appmenu-file').click()
    await page.getByRole('menuitem', { name: /Export…/ }).click()
    await expect(exp).toBeVisible()
  }
  const out = tempDir('import-review-export')
  await openExport()
  await expect(exp.getByTestId('export-scope-folder')).toBeDisabled()
  await expect(exp).toContainText('One import or folder (nothing imported yet)')
  await exp.getByTestId('export-out').fill(path.join(out, 'none.csv'))
  await exp.getByTestId('export-run').click()
  await expect(exp.getByTestId('error-message')).toContainText('This project has no faces yet')
  await shot(page, 'import-review-00-export-empty')
  expect(fs.existsSync(path.join(out, 'none.csv'))).toBe(false)
  await page.keyboard.press('Escape')
  await expect(exp).toBeHidden()

  await runImport(linkFolder('first', 0, 6))
  await page.getByTestId('import-close').click()

  // The second import: its dialog offers to review just what it added.
  await runImport(linkFolder('second', 6, 4))
  await shot(page, 'import-review-01-done')
  await page.getByTestId('import-review').click()

  await expect(page.getByTestId('review-screen')).toBeVisible()
  const scope = page.getByTestId('review-scope')
  await expect(scope).toHaveValue(/^import:/)
  await expect(scope.locator('option:checked')).toContainText('Import: ')
  await expect(scope.locator('option:checked')).toContainText('(4 photos)')
  const review = new ReviewPage(page)
  await review.askAll()
  await review.expectRemaining(4)
  await shot(page, 'import-review-02-scoped')

  // Export from Review starts from Review's scope: exactly the 4 faces of that import.
  await openExport()
  await expect(exp.getByTestId('export-scope-review')).toBeChecked()
  await expect(exp).toContainText('The faces Review is limited to: Import: ')
  await exp.getByTestId('export-format').selectOption('json')
  await exp.getByTestId('export-out').fill(path.join(out, 'second.json'))
  await shot(page, 'import-review-03-export-scope')
  await exp.getByTestId('export-run').click()
  await expect(exp.getByTestId('export-summary')).toContainText('4 faces of 4 photos')
  await exp.getByTestId('export-close').click()
  const rows = JSON.parse(fs.readFileSync(path.join(out, 'second.json'), 'utf8')) as Array<{ path: string }>
  expect(rows.map((r) => path.basename(r.path)).sort()).toEqual(files.slice(6, 10).sort())
  // All unlabelled faces: both imports.
  await scope.selectOption('all')
  await review.expectRemaining(10)
})

test('review only the photos a merge brought over from a shard', async ({ page, server }) => {
  // A colleague's shard, imported through the CLI on "another machine" (its own home).
  const shard = path.join(tempDir('merge-shard'), 'Shard')
  const r = spawnSync(
    process.execPath,
    [
      path.join(repoRoot, 'bin', 'face-studio.cjs'),
      'import',
      linkFolder('shard-photos', 20, 3),
      '--project',
      shard,
      '--crops',
      '--json'
    ],
    { encoding: 'utf8', env: { ...process.env, FACE_STUDIO_HOME: tempDir('shard-home') } }
  )
  expect(r.status, r.stderr).toBe(0)

  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(server.url)
  await createProject(page, path.join(tempDir('merge-review-proj'), 'Merge review e2e'))
  await page.getByTestId('import-button').click()
  await page.getByTestId('import-folder-path').fill(linkFolder('own-photos', 0, 5))
  await page.getByTestId('import-crops').check()
  await page.getByTestId('import-start').click()
  await expect(page.getByTestId('import-progress')).toHaveAttribute('data-status', 'done', { timeout: 120_000 })
  await page.getByTestId('import-close').click()

  await page.getByTestId('appmenu-file').click()
  await page.getByTestId('menu-merge').click()
  await page.getByTestId('merge-from-path').fill(shard)
  await page.getByTestId('merge-run').click()
  await expect(page.getByTestId('merge-done')).toContainText('3 photos with 3 faces brought over')
  // The Library behind the dialog counts the photos brought over.
  await expect(page.getByTestId('library-counts')).toContainText('8 photos · 8 faces')
  await shot(page, 'import-review-04-merge-done')
  await page.getByTestId('merge-review').click()

  await expect(page.getByTestId('review-screen')).toBeVisible()
  await expect(page.getByTestId('review-scope')).toHaveValue(/^import:/)
  const review = new ReviewPage(page)
  await review.askAll()
  await review.expectRemaining(3)
  await page.getByTestId('review-scope').selectOption('all')
  await review.expectRemaining(8)
})
