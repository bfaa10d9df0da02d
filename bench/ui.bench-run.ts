/**
 * Is the UI still smooth with 100k faces (issue 4)? A project with 100,000 synthetic faces (10,000 images,
 * 2,500 people of 20 faces, 50,000 unassigned faces, v0 expression predictions) is served by the real web
 * bridge and driven in Debian's Chromium: time until each screen shows its faces, the server time of the
 * calls behind them, and frame intervals while scrolling each virtualised grid to its end.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import sharp from 'sharp'
import { chromium, type Page } from '@playwright/test'
import { it } from 'vitest'
import { startServer, tempDir, sharedData } from '../e2e/server'
import { record } from './report'

const FACES = 100_000
const PER_IMAGE = 10
const PEOPLE = 2_500
const PER_PERSON = 20
const THUMBS = 64

/** A few real face thumbnails reused across all rows, so the browser decodes real JPEGs while scrolling. */
async function writeThumbs(dir: string): Promise<string[]> {
  const src = path.join(sharedData, 'identity_lfw', 'images')
  const files = fs
    .readdirSync(src)
    .flatMap((p) => fs.readdirSync(path.join(src, p)).map((f) => path.join(src, p, f)))
    .slice(0, THUMBS)
  fs.mkdirSync(path.join(dir, 'thumbs', 'faces'), { recursive: true })
  const rels: string[] = []
  for (const [i, f] of files.entries()) {
    const rel = path.join('faces', `bench_${i}.jpg`)
    await sharp(f)
      .resize(192, 192, { fit: 'cover' })
      .jpeg({ quality: 86 })
      .toFile(path.join(dir, 'thumbs', rel))
    rels.push(rel)
  }
  return rels
}

function fill(dbFile: string, thumbs: string[]): void {
  const db = new Database(dbFile)
  const v0 = db
    .prepare(
      `SELECT t.id AS task, v.id AS version FROM tasks t JOIN model_versions v ON v.task_id = t.id AND v.version = 0 WHERE t.name = 'expression'`
    )
    .get() as { task: number; version: number }
  let seed = 7
  const rand = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff
  db.transaction(() => {
    const img = db.prepare(
      `INSERT INTO images (path, root, rel_path, status, width, height, imported_at) VALUES (?, '/bench', ?, 'ok', 1600, 1200, 'now')`
    )
    const person = db.prepare(`INSERT INTO persons (name, created_at) VALUES (NULL, 'now')`)
    const face = db.prepare(
      `INSERT INTO faces (image_id, idx, x, y, w, h, score, source, thumb, person_id) VALUES (?, ?, ?, 100, 120, 120, 0.9, 'detected', ?, ?)`
    )
    const pred = db.prepare(
      `INSERT INTO predictions (face_id, task_id, version_id, value, confidence, probs) VALUES (?, ?, ?, ?, ?, ?)`
    )
    const labels = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised']
    for (let p = 0; p < PEOPLE; p++) person.run()
    for (let i = 0; i < FACES / PER_IMAGE; i++) {
      const imageId = img.run(`/bench/${i}.jpg`, `${i}.jpg`).lastInsertRowid as number
      for (let k = 0; k < PER_IMAGE; k++) {
        const n = i * PER_IMAGE + k
        const personId = n < PEOPLE * PER_PERSON ? Math.floor(n / PER_PERSON) + 1 : null
        const faceId = face.run(imageId, k, k * 150, thumbs[n % thumbs.length]!, personId).lastInsertRowid as number
        const probs = new Float32Array(labels.length).map(() => rand())
        const sum = probs.reduce((a, b) => a + b, 0)
        let top = 0
        for (let c = 0; c < probs.length; c++) {
          probs[c] = probs[c]! / sum
          if (probs[c]! > probs[top]!) top = c
        }
        pred.run(faceId, v0.task, v0.version, labels[top]!, probs[top]!, Buffer.from(probs.buffer))
      }
    }
    db.prepare(`UPDATE persons SET cover_face_id = (SELECT MIN(id) FROM faces WHERE person_id = persons.id)`).run()
  })()
  db.close()
}

interface Frames {
  frames: number
  p50_ms: number
  p95_ms: number
  max_ms: number
  over_50ms: number
  scrolled_px: number
}

/**
 * Scrolls `testid` one step per animation frame and records the frame intervals: `wheel` moves 120 px a
 * frame (a fast mouse wheel or trackpad fling), `jump` one screen a frame (dragging the scroll bar), until
 * the end or `maxFrames`.
 */
async function scrollFrames(page: Page, testid: string, mode: 'wheel' | 'jump', maxFrames: number): Promise<Frames> {
  return page.evaluate(
    async ({ id, mode, maxFrames }) => {
      const el = document.querySelector<HTMLElement>(`[data-testid="${id}"]`)
      if (!el) throw new Error(`no ${id}`)
      el.scrollTop = 0
      await new Promise((r) => setTimeout(r, 300))
      const deltas: number[] = []
      let last = performance.now()
      const step = mode === 'wheel' ? 120 : el.clientHeight * 0.8
      for (let i = 0; i < maxFrames && el.scrollTop + el.clientHeight < el.scrollHeight - 1; i++) {
        el.scrollTop += step
        await new Promise((r) => requestAnimationFrame(r))
        const now = performance.now()
        deltas.push(now - last)
        last = now
      }
      deltas.sort((a, b) => a - b)
      const q = (p: number): number => Math.round((deltas[Math.floor(p * (deltas.length - 1))] ?? 0) * 10) / 10
      return {
        frames: deltas.length,
        p50_ms: q(0.5),
        p95_ms: q(0.95),
        max_ms: q(1),
        over_50ms: deltas.filter((d) => d > 50).length,
        scrolled_px: Math.round(el.scrollTop)
      }
    },
    { id: testid, mode, maxFrames }
  )
}

async function scrollBoth(page: Page, testid: string): Promise<{ wheel: Frames; jump: Frames }> {
  return { wheel: await scrollFrames(page, testid, 'wheel', 240), jump: await scrollFrames(page, testid, 'jump', 200) }
}

async function until(page: Page, selector: string): Promise<number> {
  const t = performance.now()
  await page.locator(selector).first().waitFor({ state: 'visible', timeout: 120_000 })
  return Math.round(performance.now() - t)
}

it('UI with 100k faces: time to first faces, call times, scrolling frame intervals (issue 4)', async () => {
  const home = tempDir('bench-home')
  const server = await startServer(home)
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync']
  })
  try {
    const dir = path.join(tempDir('bench-proj'), 'p')
    const call = async (name: string, args: object): Promise<{ ms: number; value: unknown }> => {
      const t = performance.now()
      const res = await fetch(`http://127.0.0.1:${server.port}/api/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-studio-token': server.token },
        body: JSON.stringify(args)
      })
      const body = (await res.json()) as { ok: boolean; value?: unknown; error?: unknown }
      if (!body.ok) throw new Error(`${name}: ${JSON.stringify(body.error)}`)
      return { ms: Math.round(performance.now() - t), value: body.value }
    }
    await call('project.create', { dir })
    await call('project.close', {})
    const t0 = performance.now()
    fill(path.join(dir, 'studio.db'), await writeThumbs(dir))
    const fillSeconds = (performance.now() - t0) / 1000
    await call('project.open', { dir })

    const calls: Record<string, number> = {}
    for (const [name, args] of [
      ['review.queue', { task: 'expression' }],
      ['review.queue', { task: 'expression', below: 0.3 }],
      ['people.list', {}],
      ['library.images', {}]
    ] as const) {
      const key = `${name}${'below' in args ? ' below' : ''}`
      calls[key] = (await call(name, args)).ms
    }

    const page = await browser.newPage({ viewport: { width: 1360, height: 860 } })
    await page.goto(server.url)
    const shown: Record<string, number> = {}
    shown.library = await until(page, '[data-testid="library-item"]')
    const library = await scrollBoth(page, 'library-grid')
    await page.getByTestId('nav-people').click()
    shown.people = await until(page, '[data-testid="person-tile"]')
    const people = await scrollBoth(page, 'people-grid')
    await page.getByTestId('people-unassigned').click()
    shown.unassigned = await until(page, '[data-testid="person-faces"] img')
    const unassigned = await scrollBoth(page, 'person-faces')
    await page.getByTestId('nav-review').click()
    shown.review = await until(page, '[data-testid="review-face"]')
    const t = performance.now()
    await page.keyboard.press('s')
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="review-face"]').length > 0)
    shown.review_next_card = Math.round(performance.now() - t)
    // The thumbnails really load (a 404 would make every scroll figure above look better than it is).
    const t2 = performance.now()
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll<HTMLImageElement>('[data-testid="review-face"] img')]
          .slice(0, 10)
          .every((img) => img.complete && img.naturalWidth > 0),
      undefined,
      { timeout: 30_000 }
    )
    shown.review_thumbs = Math.round(performance.now() - t2)
    await page.screenshot({ path: path.join(home, 'review-100k.png') })

    record('ui:100k', {
      faces: FACES,
      people: PEOPLE,
      unassigned: FACES - PEOPLE * PER_PERSON,
      fill_seconds: Math.round(fillSeconds * 10) / 10,
      call_ms: calls,
      first_faces_ms: shown,
      scroll: { library, people, unassigned },
      browser: `chromium ${browser.version()} headless`
    })
  } finally {
    await browser.close()
    await server.stop()
  }
})
