import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import type { Locator } from '@playwright/test'
import { expect, repoRoot, sharedData, shot, tempDir, test } from './fixtures'

const utk = path.join(sharedData, 'demographics_utkface')
const RACES = ['White', 'Black', 'Asian', 'Indian', 'Others']

/** The texts drawn in a chart's SVG (each <text>'s own text, without its <title> tooltip). */
async function svgTexts(chart: Locator): Promise<string[]> {
  return chart.evaluate((el) =>
    [...el.querySelectorAll('svg text')].map((t) =>
      [...t.childNodes]
        .filter((n) => n.nodeType === Node.TEXT_NODE || n.nodeName === 'tspan')
        .map((n) => n.textContent ?? '')
        .join('')
    )
  )
}

function cli(...args: string[]): string {
  return execFileSync(process.execPath, [path.join(repoRoot, 'bin', 'face-studio.cjs'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 150_000
  })
}

/**
 * A project of 100 UTKFace crops (10 per race × gender, symlinked, never copied) labelled through the CLI with
 * race and gender presentation, clustered into people.
 */
function makeProject(): string {
  const photos = tempDir('utk')
  const rows = fs.readFileSync(path.join(utk, 'labels.csv'), 'utf8').trim().split('\n')
  const header = rows[0]!.split(',')
  const col = (name: string): number => header.indexOf(name)
  const taken = new Map<string, number>()
  const csv = ['path,race,gender']
  for (const line of rows.slice(1)) {
    const cells = line.split(',')
    const race = cells[col('race')]!
    const gender = cells[col('gender')]!
    const key = `${race}:${gender}`
    if (!RACES.includes(race) || (taken.get(key) ?? 0) >= 10) continue
    taken.set(key, (taken.get(key) ?? 0) + 1)
    const rel = cells[col('path')]!
    const dest = path.join(photos, path.basename(rel))
    fs.symlinkSync(path.join(utk, rel), dest)
    csv.push(`${dest},${race},${gender}`)
  }
  expect(csv.length - 1).toBe(100)
  const labels = path.join(tempDir('csv'), 'labels.csv')
  fs.writeFileSync(labels, csv.join('\n') + '\n')
  const project = path.join(tempDir('fair'), 'Fairness test')
  const imported = JSON.parse(cli('import', photos, '--project', project, '--crops', '--json')) as { faces: number }
  expect(imported.faces).toBe(100)
  cli('task', 'create', '--project', project, '--name', 'race', '--labels', RACES.join(','), '--json')
  const race = JSON.parse(
    cli('label', '--project', project, '--task', 'race', '--csv', labels, '--label-column', 'race', '--json')
  ) as { applied: number }
  expect(race.applied).toBe(100)
  const gender = JSON.parse(
    cli(
      'label',
      '--project',
      project,
      '--task',
      'gender_presentation',
      '--csv',
      labels,
      '--label-column',
      'gender',
      '--map',
      'male=masculine,female=feminine',
      '--json'
    )
  ) as { applied: number }
  expect(gender.applied).toBe(100)
  cli('cluster', '--project', project, '--json')
  return project
}

test('fairness: heat maps per race, the largest gap, a sweep curve, the Conflicts queue', async ({ page, server }) => {
  const project = makeProject()
  await page.goto(server.url)
  await page.getByTestId('firstrun-open-path').fill(project)
  await page.getByTestId('firstrun-open-submit').click()
  await expect(page.getByTestId('status-project')).toContainText('Fairness test')

  await page.getByTestId('task-picker').selectOption('gender_presentation')
  await page.getByTestId('nav-fairness').click()
  const screen = page.getByTestId('fairness-screen')
  await expect(screen).toBeVisible()
  await page.getByTestId('fairness-grouping').selectOption('race')
  await expect(page.getByTestId('fairness-version')).toHaveValue('')
  // The evaluation set holds ~25 faces, so groups have a handful each: rank groups of 4 or more.
  await page.getByTestId('fairness-min-group').fill('4')
  await expect(page.getByTestId('fairness-source-note')).toHaveAttribute('data-source', 'annotations')
  await expect(page.getByTestId('fairness-source-note')).toContainText('from your annotations of race')

  // Four heat maps, class × group, each cell a rate with the counts behind it.
  for (const rate of ['tpr', 'fpr', 'tnr', 'fnr']) {
    const map = page.getByTestId(`heatmap-${rate}`)
    await expect(map).toBeVisible()
    expect(Number(await map.getAttribute('data-groups'))).toBeGreaterThanOrEqual(3)
    expect(Number(await map.getAttribute('data-cells'))).toBeGreaterThanOrEqual(6)
    await expect
      .poll(async () => (await svgTexts(map)).filter((t) => /^\d+\/\d+$/.test(t)).length)
      .toBeGreaterThanOrEqual(6)
    await expect
      .poll(async () => (await svgTexts(map)).filter((t) => /^[01]\.\d\d$/.test(t)).length)
      .toBeGreaterThanOrEqual(6)
  }
  const tprCells = await svgTexts(page.getByTestId('heatmap-tpr'))
  const counts = tprCells.filter((t) => /^\d+\/\d+$/.test(t))
  expect(counts.length).toBeGreaterThanOrEqual(6)
  // Each face has one true class, so the TPR denominators (class support) add up to the faces scored.
  const scored = Number(
    /Scored on (\d+) evaluation faces/.exec((await page.getByTestId('fairness-source-note').textContent()) ?? '')?.[1]
  )
  expect(scored).toBeGreaterThan(10)
  expect(counts.reduce((sum, c) => sum + Number(c.split('/')[1]), 0)).toBe(scored)

  const gap = page.getByTestId('fairness-gap-text')
  const groups = ((await gap.getAttribute('data-groups')) ?? '').split('|')
  expect(groups).toHaveLength(2)
  for (const g of groups) {
    expect(RACES).toContain(g)
    await expect(gap).toContainText(g)
  }
  await expect(gap).toContainText(/(TPR|accuracy|Accuracy) \d\.\d\d for \w+ vs \d\.\d\d for \w+/)
  await expect(page.getByTestId('fairness-dp')).toContainText(/\d\.\d\d/)
  await expect(page.getByTestId('fairness-eo')).toContainText(/\d\.\d\d/)
  const table = page.getByTestId('fairness-group-table')
  await expect(table.getByTestId('fairness-group-row')).toHaveCount(5)
  await expect(table).toContainText('All scored faces')
  await shot(page, 'fairness-heatmaps')

  // A stricter minimum greys groups out instead of ranking them.
  await page.getByTestId('fairness-min-group').fill('30')
  await expect(page.getByTestId('fairness-small-note')).toBeVisible()
  await expect(table.locator('[data-small="true"]')).toHaveCount(5)
  await expect(page.getByTestId('fairness-gap-text')).toHaveAttribute('data-groups', '')
  await page.getByTestId('fairness-min-group').fill('4')
  await expect(page.getByTestId('fairness-gap-text')).not.toHaveAttribute('data-groups', '')

  // Sweep ω over 0 and 1: one version per value, progress, then the curve with a picked point.
  await page.getByTestId('fairness-tab-sweep').click()
  await page.getByTestId('sweep-mitigation').selectOption('reweight')
  await page.getByTestId('sweep-values').fill('0, 1')
  await page.getByTestId('sweep-epochs').fill('15')
  await expect(page.getByTestId('sweep-group')).toHaveValue('race')
  await page.getByTestId('sweep-run').click()
  await expect(page.getByTestId('sweep-job')).toHaveAttribute('data-status', 'done', { timeout: 120_000 })
  const chart = page.getByTestId('sweep-chart')
  await expect(chart).toHaveAttribute('data-points', '2')
  await expect(chart.locator('[data-testid="sweep-dot"]')).toHaveCount(4)
  await expect(page.getByTestId('sweep-point')).toHaveCount(2)
  // The pick is one of the new versions, or the starting version kept when none is less biased within budget.
  await expect(page.getByTestId('sweep-pick-text')).toContainText(/(Picked|Kept) v\d+/)
  const picked = page.locator(
    '[data-testid="sweep-point"][data-picked="true"], [data-testid="sweep-baseline"][data-picked="true"]'
  )
  await expect(picked).toHaveCount(1)
  const pickedVersion = await picked.getAttribute('data-version')
  expect(await chart.getAttribute('data-picked')).toBe(pickedVersion)
  // Clicking a dot selects its version in the table.
  const dot = chart.locator('[data-testid="sweep-dot"]').first()
  const dotVersion = await dot.getAttribute('data-version')
  await dot.click()
  await expect(page.locator(`[data-testid="sweep-point"][data-version="${dotVersion}"]`)).toHaveClass(
    /fair-point--selected/
  )
  await shot(page, 'fairness-sweep')
  // Opening a point shows its per-group metrics.
  await picked.getByTestId('sweep-open').click()
  await expect(page.getByTestId('fairness-version')).toHaveValue(String(pickedVersion))
  await expect(page.getByTestId('fairness-source-note')).toContainText(`of v${pickedVersion}`)
  await expect(page.getByTestId('heatmap-tpr')).toBeVisible()

  // Conflicts: people whose faces the model sees differently.
  await page.getByTestId('fairness-tab-conflicts').click()
  const list = page.getByTestId('conflicts-list')
  await expect(list).toBeVisible()
  expect(Number(await list.getAttribute('data-total'))).toBeGreaterThan(0)
  const item = page.getByTestId('conflict-item').first()
  await expect(item).toBeVisible()
  await expect(item.getByTestId('conflict-face').first().locator('img')).toHaveJSProperty('complete', true)
  expect(
    await item
      .getByTestId('conflict-face')
      .first()
      .locator('img')
      .evaluate((i: HTMLImageElement) => i.naturalWidth)
  ).toBeGreaterThan(0)
  await shot(page, 'fairness-conflicts')
  const personId = await item.getAttribute('data-person-id')
  await item.getByTestId('conflict-open-person').click()
  await expect(page.getByTestId('nav-people')).toHaveAttribute('aria-current', 'page')
  expect(personId).toMatch(/^\d+$/)
})
