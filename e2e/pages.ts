/** Small page objects for the People and Review e2e flow: each wraps the UI's data-testids, nothing more. */
import { expect, type Locator, type Page } from '@playwright/test'
import type { StudioServer } from './fixtures'

/** Calls the web bridge directly (what the renderer does), to check what was stored rather than what is shown. */
export async function api<T>(page: Page, server: StudioServer, name: string, args: object = {}): Promise<T> {
  const res = await page.request.post(`http://127.0.0.1:${server.port}/api/${name}`, {
    data: args,
    headers: { 'x-studio-token': server.token }
  })
  expect(res.status(), `${name} → HTTP ${res.status()}`).toBe(200)
  const body = (await res.json()) as { ok?: boolean; value?: T; error?: unknown }
  expect(body.ok, `${name} failed: ${JSON.stringify(body.error)}`).not.toBe(false)
  return body.value as T
}

export async function createProject(page: Page, dir: string): Promise<void> {
  await page.getByTestId('firstrun-create-path').fill(dir)
  await page.getByTestId('firstrun-create-submit').click()
}

/** Imports a folder through the Import dialog and waits until the job is done. */
export async function importFolder(page: Page, folder: string, onDone?: () => Promise<void>): Promise<void> {
  await page.getByTestId('import-button').click()
  await expect(page.getByTestId('import-dialog')).toBeVisible()
  await page.getByTestId('import-folder-path').fill(folder)
  await page.getByTestId('import-start').click()
  await expect(page.getByTestId('import-progress')).toHaveAttribute('data-status', 'done', { timeout: 120_000 })
  if (onDone) await onDone()
  await page.getByTestId('import-close').click()
  await expect(page.getByTestId('import-dialog')).toBeHidden()
}

export interface TileInfo {
  id: number
  count: number
  name: string
}

export class PeoplePage {
  constructor(readonly page: Page) {}

  grid(): Locator {
    return this.page.getByTestId('people-grid')
  }

  tile(id: number): Locator {
    return this.page.locator(`[data-testid="person-tile"][data-person-id="${id}"]`)
  }

  async total(): Promise<number> {
    return Number(await this.grid().getAttribute('data-total'))
  }

  /** Every rendered tile (the grid is virtualised; a handful of people all fit on screen). */
  async tiles(): Promise<TileInfo[]> {
    return this.page.getByTestId('person-tile').evaluateAll((els) =>
      els.map((e) => ({
        id: Number(e.getAttribute('data-person-id')),
        count: Number(e.getAttribute('data-count')),
        name: e.getAttribute('data-name') ?? ''
      }))
    )
  }

  /** Waits until every person of the grid has its tile rendered, then returns them. */
  async allTiles(): Promise<TileInfo[]> {
    const total = await this.total()
    await expect(this.page.getByTestId('person-tile')).toHaveCount(total)
    return this.tiles()
  }

  async open(id: number): Promise<void> {
    await this.tile(id).click()
    await expect(this.page.getByTestId('person-page')).toHaveAttribute('data-person-id', String(id))
  }

  async back(): Promise<void> {
    await this.page.getByTestId('person-back').click()
    await expect(this.page.getByTestId('people-grid')).toBeVisible()
  }

  personCount(): Locator {
    return this.page.getByTestId('person-count')
  }
}

export class ReviewPage {
  constructor(readonly page: Page) {}

  card(): Locator {
    return this.page.getByTestId('review-card')
  }

  faces(): Locator {
    return this.page.getByTestId('review-face')
  }

  face(id: number): Locator {
    return this.page.locator(`[data-testid="review-face"][data-face-id="${id}"]`)
  }

  /** Moves the "Ask below" slider to all faces and waits until the queue for it has loaded (cards are refetched). */
  async askAll(): Promise<void> {
    const slider = this.page.getByTestId('review-confidence-slider')
    await slider.fill('1')
    await slider.blur()
    const screen = this.page.getByTestId('review-screen')
    await expect(screen).toHaveAttribute('data-below', '1')
    await expect(screen).toHaveAttribute('data-loading', 'false')
  }

  remainingEl(): Locator {
    return this.page.getByTestId('review-remaining')
  }

  async remaining(): Promise<number> {
    await expect(this.remainingEl()).not.toHaveAttribute('data-remaining', '')
    return Number(await this.remainingEl().getAttribute('data-remaining'))
  }

  async expectRemaining(n: number): Promise<void> {
    await expect(this.remainingEl()).toHaveAttribute('data-remaining', String(n))
  }

  async cardKey(): Promise<string> {
    return (await this.card().getAttribute('data-card-key')) ?? ''
  }

  /** Faces of the current card as rendered (the grid is virtualised: a 24-face card may not all be in the DOM). */
  async faceIds(): Promise<number[]> {
    return this.faces().evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-face-id'))))
  }

  /** How many faces the current card holds, from its caption ("24 faces · model 93% sure…"). */
  async size(): Promise<number> {
    const meta = await this.page.getByTestId('review-card-meta').innerText()
    const m = /(\d+) faces?\b/.exec(meta)
    expect(m, `card caption: ${meta}`).not.toBeNull()
    return Number(m![1])
  }

  history(): Locator {
    return this.page.getByTestId('history-panel')
  }

  /** The task's labels in key order (label-key-1 … label-key-9). */
  async labels(): Promise<string[]> {
    return this.page
      .locator('[data-testid^="label-key-"]:not([data-testid="label-key-u"]):not([data-testid="label-key-n"])')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-value') ?? ''))
  }
}

/** Every tile in `tiles` shows its thumbnail: an <img> that finished loading real pixels (not a 404). */
export async function expectThumbsLoaded(tiles: Locator): Promise<void> {
  const n = await tiles.count()
  expect(n).toBeGreaterThan(0)
  await expect(tiles.locator('img')).toHaveCount(n)
  await expect
    .poll(() =>
      tiles
        .locator('img')
        .evaluateAll((imgs) =>
          imgs.every((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0)
        )
    )
    .toBe(true)
}
