/**
 * Issue 13, the "Possible label errors" queue in the real app: 240 FER+ crops labelled from labels.csv with
 * 15 % of the labels flipped (seeded) → Review → Possible label errors → Find (a job with progress) → the most
 * doubtful face first → f fixes it (a correction to the suggested label), k keeps the next (a confirm) → both
 * answers are stored with who and what. Screenshots: empty, busy, queue.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import type { HistoryEntry, LabelErrorsSummary } from '../src/shared/domain'
import { expect, repoRoot, sharedData, shot, tempDir, test } from './fixtures'
import { api } from './pages'

const FER = path.join(sharedData, 'expression_ferplus')
const TO_TASK: Record<string, string> = {
  neutral: 'neutral',
  happiness: 'happy',
  surprise: 'surprised',
  sadness: 'sad',
  anger: 'angry'
}

function cli(home: string, args: string[]): void {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'face-studio.cjs'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, FACE_STUDIO_HOME: home }
  })
  if (r.status !== 0) throw new Error(`face-studio ${args[0]} failed: ${r.stderr}`)
}

test('label errors: find, fix and keep from the Review queue', async ({ page, server }) => {
  test.setTimeout(600_000)
  const lines = fs.readFileSync(path.join(FER, 'labels.csv'), 'utf8').trim().split('\n')
  const cols = (lines[0] ?? '').split(',')
  const at = (name: string): number => cols.indexOf(name)
  const imgs = tempDir('fer-imgs')
  const csv: string[] = ['path,label']
  let seed = 7
  const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
  for (const line of lines.slice(1)) {
    const c = line.split(',')
    const truth = TO_TASK[c[at('label_plurality')] ?? '']
    if (!truth || csv.length > 240) continue
    const file = path.join(imgs, path.basename(c[at('path')] ?? ''))
    fs.symlinkSync(path.join(FER, c[at('path')] ?? ''), file)
    const others = Object.values(TO_TASK).filter((l) => l !== truth)
    const given = rand() < 0.15 ? (others[Math.floor(rand() * others.length)] as string) : truth
    csv.push(`${file},${given}`)
  }
  const labels = path.join(imgs, '..', 'fer-labels.csv')
  fs.writeFileSync(labels, `${csv.join('\n')}\n`)
  const project = path.join(tempDir('proj'), 'Label errors e2e')
  cli(server.home, ['import', imgs, '--project', project, '--crops', '--json'])
  cli(server.home, [
    'label',
    '--project',
    project,
    '--task',
    'expression',
    '--csv',
    labels,
    '--label-column',
    'label',
    '--json'
  ])

  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(server.url)
  await api(page, server, 'project.open', { dir: project })
  await page.reload()
  await page.getByTestId('nav-review').click()
  await page.getByTestId('review-mode-errors').click()
  await expect(page.getByTestId('label-errors-empty')).toBeVisible()
  await shot(page, 'label-errors-01-empty')

  await page.getByTestId('label-errors-find').click()
  await expect(page.getByTestId('label-errors-progress')).toBeVisible()
  await shot(page, 'label-errors-02-busy')
  const first = page.getByTestId('label-error')
  await expect(first).toBeVisible({ timeout: 300_000 })
  await expect(page.getByTestId('label-errors-counts')).toContainText('happy')
  await shot(page, 'label-errors-03-queue')

  const queue = await api<LabelErrorsSummary>(page, server, 'labelErrors.queue', { task: 'expression' })
  expect(queue.n_checked).toBeGreaterThanOrEqual(200)
  const [a, b] = queue.suspects
  if (!a || !b) throw new Error('expected at least two suspects')
  await expect(first).toHaveAttribute('data-face-id', String(a.faceId))
  await page.keyboard.press('f')
  await expect(first).toHaveAttribute('data-face-id', String(b.faceId))
  await page.keyboard.press('k')
  await expect(first).not.toHaveAttribute('data-face-id', String(b.faceId))

  const latest = async (faceId: number): Promise<HistoryEntry | undefined> =>
    (await api<HistoryEntry[]>(page, server, 'annotations.history', { faceId, task: 'expression' }))[0]
  await expect.poll(async () => (await latest(a.faceId))?.value).toBe(a.suggested)
  expect((await latest(a.faceId))?.source).toBe('correct')
  await expect.poll(async () => (await latest(b.faceId))?.source).toBe('confirm')
  expect((await latest(b.faceId))?.value).toBe(b.given)
  // Answered faces leave the queue main keeps.
  const after = await api<LabelErrorsSummary>(page, server, 'labelErrors.queue', { task: 'expression' })
  expect(after.suspects.map((s) => s.faceId)).not.toContain(a.faceId)
  expect(after.suspects.map((s) => s.faceId)).not.toContain(b.faceId)
})
