/**
 * Issue 13 §2, the Map in the real app: import a few LFW photos → Map (empty until computed) → a Compute that
 * fails because the project's cache folder cannot be written (error state) → Compute PCA → every face is a
 * point on the WebGL canvas, coloured by the expression prediction with a legend → hover shows a face → lasso
 * around the map selects every face → label the selection → the label is stored for every face, as one undo
 * step → the selection as a grid. Screenshots of each state at 1280×800.
 */
import fs from 'node:fs'
import path from 'node:path'
import sharp from 'sharp'
import type { MapProjection } from '../src/shared/domain'
import { expect, sharedData, shot, tempDir, test } from './fixtures'
import { api, createProject, importFolder } from './pages'

/** WebGL in headless Chromium without a GPU: SwiftShader, which Chromium only allows when asked. */
test.use({
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync'
    ]
  }
})

const PEOPLE = ['Adrien_Brody', 'Kofi_Annan', 'Meryl_Streep']

function decode(b64: string): ArrayBuffer {
  const buf = Buffer.from(b64, 'base64')
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)
}

/** Where MapCanvas draws point i at the initial view (the map's extent centred, its longer side at 95 %). */
function screenPoint(xy: Float32Array, i: number, box: { x: number; y: number; width: number; height: number }) {
  let [minX, maxX, minY, maxY] = [Infinity, -Infinity, Infinity, -Infinity]
  for (let k = 0; k < xy.length; k += 2) {
    minX = Math.min(minX, xy[k] as number)
    maxX = Math.max(maxX, xy[k] as number)
    minY = Math.min(minY, xy[k + 1] as number)
    maxY = Math.max(maxY, xy[k + 1] as number)
  }
  const half = Math.max(maxX - minX, maxY - minY, 1e-9) / 2 / 0.95
  const nx = ((xy[i * 2] as number) - (minX + maxX) / 2) / half
  const ny = ((xy[i * 2 + 1] as number) - (minY + maxY) / 2) / half
  const [ax, ay] = box.width >= box.height ? [box.height / box.width, 1] : [1, box.width / box.height]
  return { x: box.x + ((nx * ax + 1) / 2) * box.width, y: box.y + ((1 - ny * ay) / 2) * box.height }
}

test('map: compute, see every face, hover, lasso, label the selection', async ({ page, server }) => {
  test.setTimeout(600_000)
  const photos = tempDir('map-lfw')
  for (const p of PEOPLE) {
    fs.mkdirSync(path.join(photos, p))
    for (const f of fs
      .readdirSync(path.join(sharedData, 'identity_lfw', 'images', p))
      .sort()
      .slice(0, 4))
      fs.symlinkSync(path.join(sharedData, 'identity_lfw', 'images', p, f), path.join(photos, p, f))
  }
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(server.url)
  const projectDir = path.join(tempDir('proj'), 'Map e2e')
  await createProject(page, projectDir)
  await expect(page.getByTestId('status-project')).toContainText('Map e2e')

  // ------------------------------------------------------------------ empty: no faces yet
  await page.getByTestId('nav-map').click()
  await expect(page.getByTestId('map-empty')).toBeVisible()
  await shot(page, 'map-01-empty')

  await page.getByTestId('nav-library').click()
  await importFolder(page, photos)
  await page.getByTestId('nav-map').click()
  await expect(page.getByTestId('map-none')).toBeVisible()

  // ------------------------------------------------------------------ error: the cache folder cannot be written
  fs.writeFileSync(path.join(projectDir, 'cache'), 'not a folder')
  await page.getByTestId('map-compute').click()
  const screen = page.getByTestId('screen-map')
  await expect(screen.getByTestId('error-message')).toContainText('Could not save the map')
  await shot(page, 'map-02-error')
  await page.getByTestId('toasts').getByRole('button', { name: 'Dismiss' }).click()
  fs.rmSync(path.join(projectDir, 'cache'))

  // ------------------------------------------------------------------ compute PCA
  await page.getByTestId('map-compute').click()
  const canvas = page.getByTestId('map-canvas')
  await expect(canvas).toBeVisible({ timeout: 120_000 })
  const map = await api<MapProjection>(page, server, 'map.get', { kind: 'identity', method: 'pca' })
  expect(map.n).toBeGreaterThanOrEqual(12)
  await expect(canvas).toHaveAttribute('data-points', String(map.n))
  await expect(page.getByTestId('map-count')).toHaveAttribute('data-n', String(map.n))
  await expect(page.getByTestId('map-count')).toContainText(`${map.n} faces · PCA`)
  await expect(screen.getByTestId('error-message')).toHaveCount(0)
  // Each method has its own map: UMAP has none yet; back to PCA shows the same points.
  await page.getByTestId('map-method-umap').click()
  await expect(page.getByTestId('map-none')).toBeVisible()
  await page.getByTestId('map-method-pca').click()
  await expect(canvas).toHaveAttribute('data-points', String(map.n))

  // Colour by the expression prediction: every face has one, so the legend names only predicted labels.
  await page.getByTestId('map-colour-by').selectOption('prediction')
  await page.getByTestId('map-colour-task').selectOption('expression')
  await expect(page.getByTestId('map-legend')).toContainText('expression: prediction')
  await expect(page.getByTestId('map-legend-item').first()).toBeVisible()
  await expect(page.getByTestId('map-legend')).not.toContainText('none')
  await page.waitForTimeout(300) // two animation frames for the new colours (no assertion on time)
  await shot(page, 'map-03-done')

  // The WebGL canvas really holds coloured points: its pixels are not all one colour.
  const png = await canvas.screenshot()
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true })
  const colours = new Set<number>()
  for (let i = 0; i < data.length; i += info.channels)
    colours.add(((data[i] as number) << 16) | ((data[i + 1] as number) << 8) | (data[i + 2] as number))
  expect(colours.size).toBeGreaterThan(5)

  // ------------------------------------------------------------------ hover shows the face
  const xy = new Float32Array(decode(map.xy))
  const ids = new Int32Array(decode(map.ids))
  const box = await canvas.boundingBox()
  if (!box) throw new Error('no canvas box')
  // The face nearest the middle of the plot, so its card opens inside the plot.
  const spots = Array.from(ids, (_, i) => screenPoint(xy, i, box))
  const mid = { x: box.x + box.width / 2, y: box.y + box.height / 2 }
  const p0 = spots.reduce((a, b) =>
    Math.hypot(b.x - mid.x, b.y - mid.y) < Math.hypot(a.x - mid.x, a.y - mid.y) ? b : a
  )
  await page.mouse.move(p0.x + 30, p0.y + 30)
  await page.mouse.move(p0.x, p0.y, { steps: 4 })
  const hover = page.getByTestId('map-hover')
  await expect(hover).toBeVisible()
  // The face under the cursor (or one sharing its spot).
  const hovered = Number(await hover.getAttribute('data-face-id'))
  expect(Array.from(ids)).toContain(hovered)
  await expect(hover.locator('img')).toHaveJSProperty('complete', true)
  await shot(page, 'map-04-hover')

  // ------------------------------------------------------------------ box-select the left part of the map (key B)
  // A click on the plot (Pan: nothing moves) takes the focus off the pickers, whose typeahead would eat the key.
  await page.mouse.click(box.x + box.width / 2, box.y + 2)
  await page.keyboard.press('b')
  await expect(page.getByTestId('map-tool-box')).toHaveAttribute('aria-pressed', 'true')
  // The right edge in the widest gap between points near the middle, so no point sits on the edge.
  const xs = spots.map((p) => p.x).sort((a, b) => a - b)
  let edge = mid.x
  let widest = -1
  for (let i = 1; i < xs.length; i++) {
    const gap = xs[i]! - xs[i - 1]!
    const at = (xs[i]! + xs[i - 1]!) / 2
    if (gap > widest && Math.abs(at - mid.x) < box.width / 4) [widest, edge] = [gap, at]
  }
  const inBox = spots.filter((p) => p.x < edge).length
  expect(inBox).toBeGreaterThan(0)
  expect(inBox).toBeLessThan(map.n)
  await page.mouse.move(box.x + 3, box.y + 3)
  await page.mouse.down()
  await page.mouse.move(edge, box.y + box.height - 3, { steps: 10 })
  await page.mouse.up()
  await expect(page.getByTestId('map-selection-count')).toHaveText(`${inBox} face${inBox === 1 ? '' : 's'}`)
  await shot(page, 'map-04b-box-selection')

  // ------------------------------------------------------------------ export the box selection (issue 12: the selection as a scope)
  await page.getByTestId('map-export').click()
  const exp = page.getByTestId('export-dialog')
  await expect(exp.getByTestId('export-scope-map')).toBeChecked()
  await expect(exp).toContainText(`The ${inBox} face${inBox === 1 ? '' : 's'} selected on the Map`)
  const exportFile = path.join(tempDir('map-export'), 'selection.json')
  await exp.getByTestId('export-format').selectOption('json')
  await exp.getByTestId('export-out').fill(exportFile)
  await shot(page, 'map-04c-export-selection')
  await exp.getByTestId('export-run').click()
  await expect(exp.getByTestId('export-summary')).toContainText(`${inBox} face${inBox === 1 ? '' : 's'}`)
  await exp.getByTestId('export-close').click()
  const exported = JSON.parse(fs.readFileSync(exportFile, 'utf8')) as Array<{ face_id: number }>
  const boxed = Array.from(ids).filter((_, i) => (spots[i] as { x: number }).x < edge)
  expect(exported.map((r) => r.face_id).sort((a, b) => a - b)).toEqual(boxed.sort((a, b) => a - b))
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('map-selection-hint')).toBeVisible()

  // ------------------------------------------------------------------ lasso every face
  await page.getByTestId('map-tool-lasso').click()
  const inset = 6
  const corners = [
    [box.x + inset, box.y + inset],
    [box.x + box.width - inset, box.y + inset],
    [box.x + box.width - inset, box.y + box.height - inset],
    [box.x + inset, box.y + box.height - inset]
  ] as const
  await page.mouse.move(corners[0][0], corners[0][1])
  await page.mouse.down()
  for (const [x, y] of [...corners.slice(1), corners[0]]) await page.mouse.move(x, y, { steps: 8 })
  await page.mouse.up()
  await expect(page.getByTestId('map-selection-count')).toHaveText(`${map.n} faces`)
  const strip = page.getByTestId('map-selection').locator('.map-side__strip img')
  await expect(strip).toHaveCount(Math.min(12, map.n))
  for (const img of await strip.all()) await expect(img).toHaveJSProperty('complete', true)
  await shot(page, 'map-05-selection')

  // ------------------------------------------------------------------ label the selection: one undo step
  await page.getByTestId('map-label-task').selectOption('expression')
  await page.getByTestId('map-label-value').selectOption('surprised')
  await page.getByTestId('map-label-apply').click()
  const all = Array.from(ids)
  await expect
    .poll(async () => {
      const current = await api<Record<number, string>>(page, server, 'annotations.current', {
        task: 'expression',
        faceIds: all
      })
      return all.filter((id) => current[id] === 'surprised').length
    })
    .toBe(map.n)
  const undo = await api<{ undo: string | null }>(page, server, 'annotations.undoState')
  expect(undo.undo).toContain(String(map.n))
  // The map's colours follow: by current label, every face is now "surprised".
  await page.getByTestId('map-colour-by').selectOption('label')
  await expect(page.getByTestId('map-legend-item')).toHaveCount(1)
  await expect(page.getByTestId('map-legend-item')).toContainText('surprised')

  // ------------------------------------------------------------------ the selection as a grid
  await page.getByTestId('map-open-grid').click()
  await expect(page.getByTestId('map-grid')).toHaveAttribute('data-total', String(map.n))
  await expect(page.getByTestId('map-grid-face')).toHaveCount(map.n)
  await shot(page, 'map-06-grid')

  // ------------------------------------------------------------------ send the selection to Review
  await page.getByTestId('map-review').click()
  await expect(page.getByTestId('review-scope')).toHaveValue('faces')
  await expect(page.getByTestId('review-scope').locator('option:checked')).toHaveText(`${map.n} faces from the Map`)
})
