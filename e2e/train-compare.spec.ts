/**
 * Issue 5, "Done when": correct some faces → train → watch the live chart → compare v0 vs v1 → open a fixed
 * face from the flip list → roll back.
 *
 * Set-up through the CLI (fast): 400 FER+ crops (symlinked, never copied), most labelled from labels.csv's
 * plurality vote. Everything after that goes through the UI: real corrections in Review with the keyboard, a
 * training run on the Train screen, Models, Compare, and the rollback.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import type {
  FaceSummary,
  HistoryEntry,
  ImageSummary,
  ModelVersionInfo,
  ReviewQueue,
  VersionComparison
} from '../src/shared/domain'
import { expect, repoRoot, sharedData, shot, tempDir, test, type StudioServer } from './fixtures'
import { api, ReviewPage } from './pages'
import type { Page } from '@playwright/test'

const fer = path.join(sharedData, 'expression_ferplus')
/** FER+ vote columns → the built-in expression task's labels. */
const MAP: Record<string, string> = {
  neutral: 'neutral',
  happiness: 'happy',
  surprise: 'surprised',
  sadness: 'sad',
  anger: 'angry',
  disgust: 'disgusted',
  fear: 'fearful'
}
const FACES = 400

function cli(...args: string[]): string {
  return execFileSync(process.execPath, [path.join(repoRoot, 'bin', 'face-studio.cjs'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 150_000
  })
}

interface Setup {
  project: string
  /** Basename → expression label (mapped) of the faces left unlabelled, where FER+ has a usable label. */
  truthOfUnlabelled: Map<string, string>
  unlabelled: number
}

/**
 * Every third row of labels.csv until 400 (deterministic, spread over the classes); six in seven of them are
 * labelled through the CLI, the rest are left for Review.
 */
function makeProject(): Setup {
  const photos = tempDir('fer')
  const rows = fs.readFileSync(path.join(fer, 'labels.csv'), 'utf8').trim().split('\n')
  const header = rows[0]!.split(',')
  const pathCol = header.indexOf('path')
  const labelCol = header.indexOf('label_plurality')
  const picked = rows.slice(1).filter((_, i) => i % 3 === 0)
  expect(picked.length).toBeGreaterThanOrEqual(FACES)
  const csv = ['path,label_plurality']
  const truthOfUnlabelled = new Map<string, string>()
  let unlabelled = 0
  picked.slice(0, FACES).forEach((line, i) => {
    const cells = line.split(',')
    const rel = cells[pathCol]!
    const plurality = cells[labelCol]!
    const name = path.basename(rel)
    fs.symlinkSync(path.join(fer, rel), path.join(photos, name))
    if (i % 7 === 3) {
      if (MAP[plurality]) truthOfUnlabelled.set(name, MAP[plurality])
      unlabelled++
    } else csv.push(`${name},${plurality}`)
  })
  // The CSV sits next to the symlinks: its relative paths resolve against its own folder.
  const labels = path.join(photos, 'labels.csv')
  fs.writeFileSync(labels, csv.join('\n') + '\n')
  const project = path.join(tempDir('proj'), 'Train e2e')
  const imported = JSON.parse(cli('import', photos, '--project', project, '--crops', '--json')) as { faces: number }
  expect(imported.faces).toBe(FACES)
  const map = Object.entries(MAP)
    .filter(([a, b]) => a !== b)
    .map(([a, b]) => `${a}=${b}`)
    .join(',')
  const label = JSON.parse(
    cli(
      'label',
      '--project',
      project,
      '--task',
      'expression',
      '--csv',
      labels,
      '--label-column',
      'label_plurality',
      '--map',
      map,
      '--json'
    )
  ) as { applied: number; invalid: number; unmatched: number }
  // contempt / unknown / NF / tie rows are reported invalid and stay unlabelled.
  expect(label.unmatched).toBe(0)
  expect(label.applied + label.invalid).toBe(csv.length - 1)
  expect(label.applied).toBeGreaterThanOrEqual(300)
  return { project, truthOfUnlabelled, unlabelled: unlabelled + label.invalid }
}

type Predictions = Map<number, { predicted: string | null; confidence: number | null }>

/** The active version's prediction for every unlabelled face (the review queue, unfiltered). */
async function predictions(page: Page, server: StudioServer): Promise<Predictions> {
  const q = await api<ReviewQueue>(page, server, 'review.queue', { task: 'expression', cards: 100, cardSize: 200 })
  const out: Predictions = new Map()
  for (const c of q.cards)
    for (const f of c.faces) out.set(f.faceId, { predicted: f.predicted, confidence: f.confidence })
  expect(out.size).toBe(q.remaining)
  return out
}

async function versions(page: Page, server: StudioServer): Promise<ModelVersionInfo[]> {
  return api<ModelVersionInfo[]>(page, server, 'models.versions', { task: 'expression' })
}

test('train and compare: correct faces, train with a live chart, compare v0 → v1, open a fixed face, roll back', async ({
  page,
  server
}) => {
  const setup = makeProject()
  await page.goto(server.url)
  await page.getByTestId('firstrun-open-path').fill(setup.project)
  await page.getByTestId('firstrun-open-submit').click()
  await expect(page.getByTestId('status-project')).toContainText('Train e2e')
  await expect(page.getByTestId('task-picker')).toHaveValue('expression')

  // face id → FER+ truth for the unlabelled faces (one crop = one face per image).
  const truth = new Map<number, string>()
  const images = await api<{ total: number; items: ImageSummary[] }>(page, server, 'library.images', {
    offset: 0,
    limit: 1000
  })
  expect(images.total).toBe(FACES)
  for (const img of images.items) {
    const t = setup.truthOfUnlabelled.get(path.basename(img.relPath))
    if (!t) continue
    const detail = await api<{ faces: FaceSummary[] }>(page, server, 'library.image', { id: img.id })
    expect(detail.faces).toHaveLength(1)
    truth.set(detail.faces[0]!.id, t)
  }
  expect(truth.size).toBe(setup.truthOfUnlabelled.size)

  // ------------------------------------------------------------------ correct some faces in Review (keyboard)
  const review = new ReviewPage(page)
  await page.getByTestId('nav-review').click()
  await expect(page.getByTestId('review-screen')).toHaveAttribute('data-task', 'expression')
  await review.askAll()
  await review.expectRemaining(setup.unlabelled)
  const labels = await review.labels()
  expect(labels).toEqual(expect.arrayContaining(Object.values(MAP)))

  const corrected = new Map<number, string>()
  let remaining = setup.unlabelled
  for (let card = 0; card < 6 && corrected.size < 3; card++) {
    await expect(review.card()).toBeVisible()
    const cardLabel = (await review.card().getAttribute('data-label')) ?? ''
    const ids = await review.faceIds()
    const size = await review.size()
    expect(ids).toHaveLength(size)
    const wrong = ids
      .map((id, index) => ({ id, index, t: truth.get(id) }))
      .filter((f) => f.t !== undefined && f.t !== cardLabel)
      .slice(0, 3 - corrected.size)
    await page.keyboard.press('Home')
    let at = 0
    for (const f of wrong) {
      for (; at < f.index; at++) await page.keyboard.press('ArrowRight')
      await expect(review.history()).toHaveAttribute('data-face-id', String(f.id))
      await page.keyboard.press('x')
      await expect(review.face(f.id)).toHaveAttribute('data-marked', 'true')
      await page.keyboard.press(String(labels.indexOf(f.t!) + 1))
      await expect(review.face(f.id)).toHaveAttribute('data-label', f.t!)
      corrected.set(f.id, f.t!)
    }
    if (wrong.length > 0 && card === 0) await shot(page, 'train-01-review-corrections')
    const key = await review.cardKey()
    await page.keyboard.press('Enter')
    remaining -= size
    await review.expectRemaining(remaining)
    if (remaining > 0) await expect(review.card()).not.toHaveAttribute('data-card-key', key)
  }
  expect(corrected.size, 'faces the built-in head got wrong, corrected in Review').toBeGreaterThanOrEqual(2)
  for (const [id, value] of corrected) {
    const h = await api<HistoryEntry[]>(page, server, 'annotations.history', { faceId: id, task: 'expression' })
    expect(h[0], `face ${id}`).toMatchObject({ value, source: 'correct' })
  }

  // What v0 predicts for the faces still unlabelled: the rollback must give exactly this back. v0's confidences
  // are calibrated on the evaluation set (issue 11) before the first training; fit that now, as training would.
  await api(page, server, 'models.calibrate', { task: 'expression' })
  const v0Predictions = await predictions(page, server)
  expect(v0Predictions.size).toBe(remaining)
  expect(remaining).toBeGreaterThan(10)
  const before = await versions(page, server)
  expect(before.map((v) => [v.version, v.active])).toEqual([[0, true]])

  // ------------------------------------------------------------------ train, watching the live chart
  await page.getByTestId('nav-train').click()
  await expect(page.getByTestId('screen-train')).toBeVisible()
  await expect(page.getByTestId('train-summary')).toContainText('expression')
  await expect(page.getByTestId('train-summary')).toContainText('v0')
  // Labelled faces per class: one row per expression label, together at least the ≥ 300 labels applied above.
  const classRows = page.getByTestId('train-per-class').locator('tbody tr')
  await expect(classRows).toHaveCount(7)
  const perClass = await classRows.evaluateAll((rows) =>
    rows.map((r) => Number(r.getAttribute('data-train')) + Number(r.getAttribute('data-eval')))
  )
  expect(perClass.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(300)
  await expect(page.getByTestId('train-run')).toHaveCount(0)
  await page.getByTestId('train-epochs').fill('40')
  await page.getByTestId('train-lr').fill('0.001')
  await shot(page, 'train-02-options')
  // Every value the chart's data-points takes, in order, recorded in the page as it changes.
  await page.evaluate(() => {
    const w = window as unknown as { __points: number[] }
    w.__points = []
    const read = (): void => {
      const el = document.querySelector('[data-testid="train-chart"]')
      const n = el ? Number(el.getAttribute('data-points')) : NaN
      if (!Number.isNaN(n) && w.__points.at(-1) !== n) w.__points.push(n)
    }
    new MutationObserver(read).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-points']
    })
  })
  await page.getByTestId('train-start').click()
  const run = page.getByTestId('train-run')
  await expect(run).toBeVisible()
  const chart = page.getByTestId('train-chart')
  await expect.poll(async () => Number(await chart.getAttribute('data-points'))).toBeGreaterThanOrEqual(1)
  await shot(page, 'train-03-live-chart')
  await expect(run).toHaveAttribute('data-status', 'done', { timeout: 90_000 })
  const points = Number(await chart.getAttribute('data-points'))
  expect(points).toBeGreaterThanOrEqual(1)
  // Every head of the capacity search (2 folds per candidate) and of the 5-head ensemble reports its epochs.
  expect(points).toBeLessThanOrEqual(40 * 13)
  const seen = await page.evaluate(() => (window as unknown as { __points: number[] }).__points)
  // Live: the chart grew epoch by epoch rather than appearing whole at the end.
  expect(seen.length, `data-points values seen: ${seen.join(', ')}`).toBeGreaterThanOrEqual(2)
  expect(seen.at(-1)).toBe(points)
  for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThan(seen[i - 1]!)
  // Both panels drawn (loss and accuracy), with lines.
  await expect(chart.locator('svg')).toHaveCount(2)
  const result = page.getByTestId('train-result')
  await expect(result).toContainText('of v1 on')
  await expect(result).toContainText(/\(v0: \d+(\.\d)? ?%? on the same faces\)/)
  await expect(run).toContainText('Saved v1')
  const shownNew = (await result.locator('.train-result__value').innerText()).trim()
  const shownOld = /\(v0: ([\d.]+ %) on the same faces\)/.exec(await result.innerText())?.[1]
  test.info().annotations.push({ type: 'chart data-points seen', description: seen.join(', ') })
  await shot(page, 'train-04-run-done')
  // Issue 11's gate: v1 is activated only when it does not score worse than v0 on the same evaluation faces.
  // Which way it goes depends on the faces drawn; both ways must say so, and "Activate anyway" must work.
  const verdict = page.getByTestId('train-verdict')
  await expect(verdict).toHaveAttribute('data-worse', /^(true|false)$/)
  const worse = (await verdict.getAttribute('data-worse')) === 'true'
  if (worse) {
    expect(parseFloat(shownNew)).toBeLessThanOrEqual(parseFloat(shownOld ?? 'NaN'))
    await expect(verdict).toContainText('not activated')
    await expect(result).toContainText('not activated')
    expect((await versions(page, server)).map((v) => [v.version, v.active])).toEqual([
      [0, true],
      [1, false]
    ])
    await page.getByTestId('train-activate-anyway').click()
    await expect.poll(async () => (await versions(page, server)).find((v) => v.version === 1)?.active).toBe(true)
  } else {
    await expect(result).toContainText('now active')
  }
  test.info().annotations.push({ type: 'v1 activated by', description: worse ? 'Activate anyway' : 'the gate' })

  const after = await versions(page, server)
  expect(after.map((v) => [v.version, v.active])).toEqual([
    [0, false],
    [1, true]
  ])
  const v1 = after[1]!
  expect(v1.parent).toBe(0)
  // The chart shows every head's epochs (search and ensemble); the version records its own heads' epochs.
  expect(v1.epochsRun).toBeGreaterThanOrEqual(1)
  expect(v1.epochsRun).toBeLessThanOrEqual(points)
  expect(v1.trainN).toBeGreaterThan(150)

  // v1 predicts differently from v0 (otherwise the rollback check below proves nothing).
  const v1Predictions = await predictions(page, server)
  expect([...v1Predictions.keys()].sort()).toEqual([...v0Predictions.keys()].sort())
  const moved = [...v1Predictions].filter(([id, p]) => {
    const q = v0Predictions.get(id)!
    return p.predicted !== q.predicted || Math.abs((p.confidence ?? 0) - (q.confidence ?? 0)) > 1e-6
  })
  expect(moved.length).toBeGreaterThan(0)

  // ------------------------------------------------------------------ Models: v1 active
  await page.getByTestId('nav-models').click()
  await expect(page.getByTestId('screen-models')).toBeVisible()
  const row = (v: number): ReturnType<Page['locator']> =>
    page.locator(`[data-testid="version-row"][data-version="${v}"]`)
  await expect(page.getByTestId('version-row')).toHaveCount(2)
  await expect(row(1)).toHaveAttribute('data-active', 'true')
  await expect(row(0)).toHaveAttribute('data-active', 'false')
  await expect(row(1).getByTestId('version-activate')).toBeDisabled()
  await expect(row(1)).toContainText('from v0')
  await shot(page, 'train-05-models-v1-active')

  // ------------------------------------------------------------------ Compare v0 vs v1
  await page.getByTestId('nav-compare').click()
  await expect(page.getByTestId('screen-compare')).toBeVisible()
  await page.getByTestId('compare-a').selectOption('0')
  await page.getByTestId('compare-b').selectOption('1')
  await expect(page.getByTestId('compare-a')).toHaveValue('0')
  await expect(page.getByTestId('compare-b')).toHaveValue('1')
  const cmp = await api<VersionComparison>(page, server, 'models.compare', { task: 'expression', a: 0, b: 1 })
  expect(cmp.n).toBeGreaterThan(20)
  const table = page.getByTestId('compare-table')
  await expect(table).toBeVisible()
  await expect(table).toContainText('Δ (B − A)')
  await expect(page.getByText(`Metrics on ${cmp.n} evaluation faces`)).toBeVisible()
  const deltas = page.getByTestId('compare-delta')
  await expect(deltas).toHaveCount(3)
  await expect(deltas.nth(0)).toHaveAttribute('data-metric', 'accuracy')
  await expect(deltas.nth(1)).toHaveAttribute('data-metric', 'macro_f1')
  await expect(deltas.nth(2)).toHaveAttribute('data-metric', 'ece')
  const dAcc = cmp.deltas.accuracy!
  // The Train screen's before / after is the same measurement as Compare's.
  const pct = (x: number): string => `${(x * 100).toFixed(1)} %`
  const accOf = (m: unknown): number => (m as { accuracy: number }).accuracy
  expect(shownNew).toBe(pct(accOf(cmp.b.metrics)))
  expect(shownOld).toBe(pct(accOf(cmp.a.metrics)))
  await expect(table).toContainText(pct(accOf(cmp.a.metrics)))
  await expect(table).toContainText(pct(accOf(cmp.b.metrics)))
  expect(typeof dAcc).toBe('number')
  const accCell = page.locator('[data-testid="compare-delta"][data-metric="accuracy"]')
  await expect(accCell).toHaveText(`${dAcc > 0 ? '+' : dAcc < 0 ? '−' : '±'}${(Math.abs(dAcc) * 100).toFixed(1)} pp`)
  await expect(accCell).toHaveAttribute('data-tone', dAcc >= 0.0005 ? 'better' : dAcc <= -0.0005 ? 'worse' : 'same')
  for (const [id, v] of [
    ['confusion-a', 0],
    ['confusion-b', 1]
  ] as const) {
    const m = page.getByTestId(id)
    await expect(m).toBeVisible()
    await expect(m).toHaveAttribute('data-version', String(v))
    await expect(m.locator('svg').first()).toBeVisible()
  }
  await expect(page.getByTestId('reliability')).toBeVisible()
  await shot(page, 'train-06-compare-metrics')

  const fixed = page.getByTestId('flip-fixed')
  const broken = page.getByTestId('flip-broken')
  await expect(fixed).toHaveAttribute('data-count', String(cmp.flips.fixed.length))
  await expect(broken).toHaveAttribute('data-count', String(cmp.flips.broken.length))
  // Accuracy delta = (fixed − broken) / n.
  expect((cmp.flips.fixed.length - cmp.flips.broken.length) / cmp.n).toBeCloseTo(dAcc, 6)
  expect(cmp.flips.fixed.length, 'v1 fixes some evaluation faces v0 got wrong').toBeGreaterThan(0)
  await expect(fixed.getByTestId('flip-face')).toHaveCount(Math.min(60, cmp.flips.fixed.length))
  await fixed.scrollIntoViewIfNeeded()
  await shot(page, 'train-07-compare-flip-list')

  // ------------------------------------------------------------------ open a fixed face
  const item = cmp.flips.fixed[0]!
  expect(item.b).toBe(item.truth)
  expect(item.a).not.toBe(item.truth)
  await fixed.locator(`[data-testid="flip-face"][data-face-id="${item.faceId}"]`).click()
  const dialog = page.getByTestId('flip-face-dialog')
  await expect(dialog).toBeVisible()
  await expect(dialog).toContainText(`Face ${item.faceId}`)
  await expect(dialog).toContainText('fixed')
  await expect(dialog.locator('dd').first()).toHaveText(item.truth)
  await expect(dialog).toContainText(`v0 (A)${item.a}`)
  await expect(dialog).toContainText(`v1 (B)${item.b}`)
  const img = dialog.locator('img.flip-detail__img')
  await expect(img).toHaveJSProperty('complete', true)
  expect(await img.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBeGreaterThan(0)
  // Its label history (the CLI import or a Review answer) is shown.
  await expect(dialog.locator('.m-history li').first()).toContainText(item.truth)
  await shot(page, 'train-08-fixed-face')
  await page.keyboard.press('Escape')
  await expect(dialog).toBeHidden()

  // ------------------------------------------------------------------ roll back to v0
  await page.getByTestId('nav-models').click()
  await expect(row(0)).toBeVisible()
  await row(0).getByTestId('version-activate').click()
  await expect(row(0)).toHaveAttribute('data-active', 'true')
  await expect(row(1)).toHaveAttribute('data-active', 'false')
  await expect(page.getByTestId('version-activating')).toHaveCount(0)
  await expect(row(0)).toContainText('Now active')
  await shot(page, 'train-09-rolled-back')
  const rolled = await versions(page, server)
  expect(rolled.map((v) => [v.version, v.active])).toEqual([
    [0, true],
    [1, false]
  ])
  // Every unlabelled face is predicted by v0 again, exactly as before training.
  const back = await predictions(page, server)
  expect(back.size).toBe(v0Predictions.size)
  for (const [id, p] of v0Predictions) {
    const q = back.get(id)
    expect(q?.predicted, `face ${id}`).toBe(p.predicted)
    expect(q?.confidence ?? NaN, `face ${id}`).toBeCloseTo(p.confidence ?? NaN, 5)
  }
  // Train now starts from v0 again.
  await page.getByTestId('nav-train').click()
  await expect(page.getByTestId('train-summary')).toContainText(/Starts from\s*v0/)
  await shot(page, 'train-10-train-from-v0')
})
