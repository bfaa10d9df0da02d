/**
 * Issue 12, "Review scope": a second import into a project that already has faces, then "Review this import"
 * from the import dialog opens Review limited to the faces that import added (they would otherwise queue
 * behind the older ones), and the scope picker names that import.
 */
import fs from 'node:fs'
import path from 'node:path'
import { expect, sharedData, shot, tempDir, test } from './fixtures'
import { createProject, ReviewPage } from './pages'

const FER = path.join(sharedData, 'expression_ferplus', 'images', 'happiness')

test('review only the faces the last import added', async ({ page, server }) => {
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(server.url)
  await createProject(page, path.join(tempDir('import-review-proj'), 'Import review e2e'))
  const files = fs.readdirSync(FER).sort()
  const folder = (name: string, from: number, n: number): string => {
    const dir = tempDir(name)
    for (const f of files.slice(from, from + n)) fs.symlinkSync(path.join(FER, f), path.join(dir, f))
    return dir
  }
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

  await runImport(folder('first', 0, 6))
  await page.getByTestId('import-close').click()

  // The second import: its dialog offers to review just what it added.
  await runImport(folder('second', 6, 4))
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
