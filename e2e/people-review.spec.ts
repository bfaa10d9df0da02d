/**
 * Issue 4, "Done when": import a shared set → People shows clusters → name one, merge two, split one →
 * review a task card with the keyboard only → correct one face → undo → reload the app (and restart the
 * server) → every answer is still there and the history shows it.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { HistoryEntry } from '../src/shared/domain'
import { expect, sharedData, shot, startServer, tempDir, test, type StudioServer } from './fixtures'
import { api, createProject, expectThumbsLoaded, importFolder, PeoplePage, ReviewPage } from './pages'

/** Six LFW people with ten photos each; their folders are symlinked, never copied. */
const PEOPLE = ['Adrien_Brody', 'Harrison_Ford', 'Kofi_Annan', 'Meryl_Streep', 'Jennifer_Lopez', 'Saddam_Hussein']
const NAME = 'Anna Example'
/** The annotator profile picked on the first-run screen; every answer must carry it. */
const ANNOTATOR = 'Lab Annotator 7'

test('people and review: cluster, name, merge, split, keyboard review, correct, undo, persist', async ({
  page,
  server
}) => {
  const photos = tempDir('lfw')
  for (const p of PEOPLE) fs.symlinkSync(path.join(sharedData, 'identity_lfw', 'images', p), path.join(photos, p))

  await page.goto(server.url)
  // ------------------------------------------------------------------ annotator profile, picked at start
  const picker = page.getByTestId('annotator-picker')
  await expect(picker.getByTestId('annotator-current')).not.toHaveText('…')
  const osUser = await picker.getByTestId('annotator-current').innerText()
  await picker.getByTestId('annotator-input').fill('two\tlines')
  await picker.getByTestId('annotator-save').click()
  await expect(picker.getByTestId('annotator-error')).toBeVisible()
  await expect(picker.getByTestId('annotator-current')).toHaveText(osUser)
  await picker.getByTestId('annotator-input').fill(`  ${ANNOTATOR} `)
  await picker.getByTestId('annotator-input').press('Enter')
  await expect(picker.getByTestId('annotator-current')).toHaveText(ANNOTATOR)
  await expect(picker.getByTestId('annotator-error')).toHaveCount(0)
  await createProject(page, path.join(tempDir('proj'), 'People e2e'))
  await expect(page.getByTestId('status-project')).toContainText('People e2e')
  await expect(page.getByTestId('status-annotator')).toHaveText(`as ${ANNOTATOR}`)

  // ------------------------------------------------------------------ import
  let imported = 0
  await importFolder(page, photos, async () => {
    imported = Number((await page.getByTestId('import-faces').innerText()).replace(/\D/g, ''))
    await shot(page, 'people-01-import-done')
  })
  // 60 photos of one main face each (plus the odd face in the background).
  expect(imported).toBeGreaterThanOrEqual(55)

  // ------------------------------------------------------------------ cluster
  const people = new PeoplePage(page)
  await page.getByTestId('nav-people').click()
  await expect(page.getByTestId('people-screen')).toBeVisible()
  await expect(page.getByTestId('people-empty')).toBeVisible()
  await page.getByTestId('cluster-panel-toggle').click()
  await expect(page.getByTestId('threshold-slider')).toBeVisible()
  await expect(page.getByTestId('preview-clusters')).toHaveText(/\d/)
  await page.getByTestId('cluster-button').click()
  await expect(people.grid()).toBeVisible({ timeout: 60_000 })
  await expect(page.getByTestId('cluster-button')).toBeEnabled({ timeout: 60_000 })
  await expect.poll(() => people.total()).toBeGreaterThanOrEqual(PEOPLE.length - 1)
  // The threshold panel measures the same as the job did at the default threshold…
  await expect(page.getByTestId('preview-clusters')).toHaveText(String(await people.total()))
  // …and shows the effect of a stricter one: never fewer groups (people + singletons).
  const groupsAt = async (): Promise<number> =>
    Number(await page.getByTestId('preview-clusters').innerText()) +
    Number(await page.getByTestId('preview-singletons').innerText())
  const groupsDefault = await groupsAt()
  const defaultThreshold = await page.getByTestId('threshold-slider').inputValue()
  await page.getByTestId('threshold-slider').fill('0.3')
  await expect(page.getByTestId('cluster-run')).toContainText('0.300')
  expect(await groupsAt()).toBeGreaterThanOrEqual(groupsDefault)
  await page.getByTestId('threshold-slider').fill(defaultThreshold)
  await expect(page.getByTestId('preview-clusters')).toHaveText(String(await people.total()))
  let tiles = await people.allTiles()
  await expectThumbsLoaded(page.getByTestId('person-tile'))
  // Real clusters (3+ faces) for (nearly) every person, and not one person spread over many.
  const big = tiles.filter((t) => t.count >= 3)
  expect(big.length).toBeGreaterThanOrEqual(PEOPLE.length - 1)
  expect(big.length).toBeLessThanOrEqual(PEOPLE.length + 2)
  expect(tiles.every((t) => t.name === '')).toBe(true)
  // Sorted by size.
  for (let i = 1; i < tiles.length; i++) expect(tiles[i]!.count).toBeLessThanOrEqual(tiles[i - 1]!.count)
  await shot(page, 'people-02-clusters')
  await page.getByTestId('cluster-panel-toggle').click()

  // ------------------------------------------------------------------ name one
  const named = big[0]!
  await people.open(named.id)
  await expect(people.personCount()).toHaveText(`${named.count} faces`)
  await expect(page.getByTestId('face-tile')).toHaveCount(named.count)
  await expectThumbsLoaded(page.getByTestId('face-tile'))
  await page.getByTestId('person-name-input').fill(NAME)
  await page.getByTestId('person-name-input').press('Enter')
  await expect(page.getByTestId('person-name-input')).toHaveValue(NAME)
  await shot(page, 'people-03-named')
  await people.back()
  await expect(people.tile(named.id)).toHaveAttribute('data-name', NAME)
  await expect(people.tile(named.id)).toContainText(NAME)
  const total0 = await people.total()

  // ------------------------------------------------------------------ merge two (both unnamed: the open one survives)
  const [a, b] = big.slice(1, 3) as [(typeof big)[0], (typeof big)[0]]
  await people.open(a.id)
  await page.getByTestId('person-merge').click()
  await expect(page.getByTestId('person-picker')).toBeVisible()
  // The picker never offers the open person itself.
  await expect(page.locator(`[data-testid="person-picker-item"][data-person-id="${a.id}"]`)).toHaveCount(0)
  await page.getByTestId('person-picker-filter').fill(String(b.id))
  await expect(page.getByTestId('person-picker-item')).toHaveCount(1)
  await expect(page.getByTestId('person-picker-item')).toHaveAttribute('data-person-id', String(b.id))
  await shot(page, 'people-04-merge-picker')
  await page.getByTestId('person-picker-filter').press('Enter')
  await expect(page.getByTestId('person-picker')).toBeHidden()
  const merged = a.count + b.count
  await expect(people.personCount()).toHaveText(`${merged} faces`)
  await expect(page.getByTestId('face-tile')).toHaveCount(merged)
  await shot(page, 'people-05-merged')

  // ------------------------------------------------------------------ split one: the first three faces become a new person
  const faces = page.getByTestId('face-tile')
  await faces.nth(0).click()
  await faces.nth(2).click({ modifiers: ['Shift'] })
  await expect(page.getByTestId('selection-bar')).toHaveAttribute('data-selected', '3')
  const selectedTiles = page.locator('[data-testid="face-tile"][data-selected="true"]')
  await expect(selectedTiles).toHaveCount(3)
  // Read the ids from the selection itself: the grid may re-render its pages after the merge.
  const splitIds = await selectedTiles.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-face-id'))))
  expect(await faces.evaluateAll((els) => els.slice(0, 3).map((e) => Number(e.getAttribute('data-face-id'))))).toEqual(
    splitIds
  )
  await shot(page, 'people-06-split-selection')
  await page.getByTestId('person-split').click()
  await expect(people.personCount()).toHaveText(`${merged - 3} faces`)
  await expect(page.getByTestId('selection-bar')).toHaveAttribute('data-selected', '0')
  for (const id of splitIds)
    await expect(page.locator(`[data-testid="face-tile"][data-face-id="${id}"]`)).toHaveCount(0)
  // On People, Ctrl+Z undoes the split (not an answer) and Ctrl+Shift+Z redoes it.
  await page.keyboard.press('Control+z')
  await expect(people.personCount()).toHaveText(`${merged} faces`)
  for (const id of splitIds)
    await expect(page.locator(`[data-testid="face-tile"][data-face-id="${id}"]`)).toHaveCount(1)
  await page.keyboard.press('Control+Shift+z')
  await expect(people.personCount()).toHaveText(`${merged - 3} faces`)
  for (const id of splitIds)
    await expect(page.locator(`[data-testid="face-tile"][data-face-id="${id}"]`)).toHaveCount(0)
  await people.back()

  // Grid: one fewer (merge), one more (split); the named person and the merged counts stay.
  await expect.poll(() => people.total()).toBe(total0)
  tiles = await people.allTiles()
  expect(
    tiles.find((t) => t.id === b.id),
    'the merged-away person is gone'
  ).toBeUndefined()
  expect(tiles.find((t) => t.id === a.id)?.count).toBe(merged - 3)
  expect(tiles.find((t) => t.id === named.id)).toMatchObject({ name: NAME, count: named.count })
  const newPerson = tiles.find((t) => t.count === 3 && !big.some((x) => x.id === t.id))
  expect(newPerson, 'a new person of the 3 split faces').toBeDefined()
  const split = await api<{ person: { count: number }; faces: { faceId: number }[] }>(page, server, 'people.get', {
    id: newPerson!.id,
    offset: 0,
    limit: 50
  })
  expect(split.faces.map((f) => f.faceId).sort()).toEqual([...splitIds].sort())
  await shot(page, 'people-07-after-merge-split')

  // ------------------------------------------------------------------ review with the keyboard only
  const review = new ReviewPage(page)
  await page.getByTestId('nav-review').click()
  await expect(page.getByTestId('review-screen')).toHaveAttribute('data-task', 'expression')
  await expect(page.getByTestId('task-picker')).toHaveValue('expression')
  // Ask about every unlabelled face (not only those below 80%), so the count is known: all imported faces.
  await review.askAll()
  await review.expectRemaining(imported)
  await expect(review.card()).toBeVisible()
  // 'card 1 of N': enough cards for the three below.
  await expect(page.locator('.review-card__index')).toHaveText(/card 1 of ([3-9]|\d\d)/)
  const labels = await review.labels()
  expect(labels.length).toBeGreaterThanOrEqual(3)
  // Nothing on the page holds the keyboard: keys go to the card.
  expect(await page.evaluate(() => document.activeElement === document.body || document.activeElement === null)).toBe(
    true
  )
  await expectThumbsLoaded(page.getByTestId('review-face'))
  await shot(page, 'people-08-review-card')

  // Card 1: arrows move the focus (the history panel follows it), Enter confirms the whole card.
  const card1 = await review.faceIds()
  const size1 = await review.size()
  const label1 = (await review.card().getAttribute('data-label')) ?? ''
  expect(label1).not.toBe('')
  expect(card1.length).toBeGreaterThanOrEqual(2)
  await expect(review.history()).toHaveAttribute('data-face-id', String(card1[0]))
  await page.keyboard.press('ArrowRight')
  await expect(review.history()).toHaveAttribute('data-face-id', String(card1[1]))
  await page.keyboard.press('ArrowLeft')
  await expect(review.history()).toHaveAttribute('data-face-id', String(card1[0]))
  await expect(review.history().getByTestId('history-empty')).toBeVisible()
  const key1 = await review.cardKey()
  await page.keyboard.press('Enter')
  const after1 = imported - size1
  await review.expectRemaining(after1)
  await expect(review.card()).not.toHaveAttribute('data-card-key', key1)
  await expect(review.face(card1[0]!)).toHaveCount(0)

  // Card 2: focus the second face, x marks it wrong, a number key gives another label, Enter saves the card.
  const card2 = await review.faceIds()
  const size2 = await review.size()
  const label2 = (await review.card().getAttribute('data-label')) ?? ''
  expect(card2.length).toBeGreaterThanOrEqual(2)
  const corrected = card2[1]!
  const fix = labels.findIndex((l, i) => i < 9 && l !== label2)
  const fixLabel = labels[fix]!
  await page.keyboard.press('ArrowRight')
  await expect(review.history()).toHaveAttribute('data-face-id', String(corrected))
  await page.keyboard.press('x')
  await expect(review.face(corrected)).toHaveAttribute('data-marked', 'true')
  await expect(review.face(corrected)).toHaveAttribute('data-label', '')
  await page.keyboard.press(String(fix + 1))
  await expect(review.face(corrected)).toHaveAttribute('data-label', fixLabel)
  // Only that face is marked.
  await expect(page.locator('[data-testid="review-face"][data-marked="true"]')).toHaveCount(1)
  await shot(page, 'people-09-review-corrected-face')
  await page.keyboard.press('Enter')
  const after2 = after1 - size2
  await review.expectRemaining(after2)
  await expect(review.face(corrected)).toHaveCount(0)

  // Card 3: Enter confirms it; Ctrl+Z takes that back, and only that.
  const card3 = await review.faceIds()
  const size3 = await review.size()
  const label3 = (await review.card().getAttribute('data-label')) ?? ''
  await page.keyboard.press('Enter')
  await review.expectRemaining(after2 - size3)
  await expect(page.getByTestId('review-undo')).toBeEnabled()
  await page.keyboard.press('Control+z')
  await review.expectRemaining(after2)
  await expect(review.face(card3[0]!)).toBeVisible()
  await expect(review.face(corrected)).toHaveCount(0)
  await shot(page, 'people-10-review-after-undo')

  // ------------------------------------------------------------------ what the store holds
  const check = async (s: StudioServer, when: string): Promise<void> => {
    const current = await api<Record<string, string>>(page, s, 'annotations.current', {
      task: 'expression',
      faceIds: [...card1, ...card2, ...card3]
    })
    for (const id of card1) expect(current[id], `${when}: card 1 face ${id}`).toBe(label1)
    for (const id of card2) expect(current[id], `${when}: card 2 face ${id}`).toBe(id === corrected ? fixLabel : label2)
    for (const id of card3) expect(current[id], `${when}: card 3 face ${id} (undone)`).toBeUndefined()

    const hCorrected = await api<HistoryEntry[]>(page, s, 'annotations.history', { faceId: corrected })
    expect(hCorrected[0], `${when}: corrected face history`).toMatchObject({
      task: 'expression',
      value: fixLabel,
      source: 'correct'
    })
    const hConfirmed = await api<HistoryEntry[]>(page, s, 'annotations.history', { faceId: card1[0]! })
    expect(hConfirmed[0], `${when}: confirmed face history`).toMatchObject({
      task: 'expression',
      value: label1,
      source: 'confirm'
    })
    const hUndone = await api<HistoryEntry[]>(page, s, 'annotations.history', { faceId: card3[0]! })
    expect(
      hUndone.map((h) => [h.source, h.value]),
      `${when}: undone face history (newest first)`
    ).toEqual([
      ['undo', null],
      ['confirm', label3]
    ])
    // The People edits are stored too.
    const list = await api<{ total: number; items: { id: number; name: string | null; count: number }[] }>(
      page,
      s,
      'people.list',
      { offset: 0, limit: 100 }
    )
    expect(
      list.items.find((p) => p.id === named.id),
      `${when}: named person`
    ).toMatchObject({ name: NAME })
    expect(list.items.find((p) => p.id === a.id)?.count, `${when}: merged then split person`).toBe(merged - 3)
    expect(
      list.items.find((p) => p.id === b.id),
      `${when}: merged-away person`
    ).toBeUndefined()
  }
  await check(server, 'before reload')

  /** The Review screen after a reload: same remaining count, the undone card first, its history visible. */
  const reviewAgain = async (when: string): Promise<void> => {
    await expect(page.getByTestId('status-project')).toContainText('People e2e')
    await page.getByTestId('nav-review').click()
    await expect(page.getByTestId('review-screen')).toBeVisible()
    await review.askAll()
    await review.expectRemaining(after2)
    for (const id of [...card1, ...card2]) await expect(review.face(id), `${when}: answered face ${id}`).toHaveCount(0)
    // The undone card is asked again; its history shows the confirm and the undo.
    await expect(review.face(card3[0]!)).toBeVisible()
    const i = (await review.faceIds()).indexOf(card3[0]!)
    expect(i).toBeGreaterThanOrEqual(0)
    for (let k = 0; k < i; k++) await page.keyboard.press('ArrowRight')
    await expect(review.history()).toHaveAttribute('data-face-id', String(card3[0]))
    const entries = review.history().getByTestId('history-entry')
    await expect(entries).toHaveCount(2)
    await expect(entries.nth(0)).toHaveAttribute('data-source', 'undo')
    await expect(entries.nth(1)).toHaveAttribute('data-source', 'confirm')
    await expect(entries.nth(1)).toHaveAttribute('data-value', label3)
    for (const k of [0, 1]) await expect(entries.nth(k)).toHaveAttribute('data-annotator', ANNOTATOR)
    // Undo/redo state survives too: redo would bring card 3 back.
    await expect(page.getByTestId('review-redo')).toBeEnabled()
  }

  // ------------------------------------------------------------------ reload the page
  await page.reload()
  await reviewAgain('after reload')
  await shot(page, 'people-11-after-reload')
  await page.getByTestId('nav-people').click()
  await expect(people.tile(named.id)).toHaveAttribute('data-name', NAME)
  await expect(people.tile(a.id)).toHaveAttribute('data-count', String(merged - 3))
  await expect(people.tile(b.id)).toHaveCount(0)

  // ------------------------------------------------------------------ restart the server with the same settings
  await server.stop()
  const again = await startServer(server.home)
  try {
    await page.goto(again.url)
    await reviewAgain('after restart')
    await check(again, 'after restart')
    await shot(page, 'people-12-after-restart-review')
    await page.getByTestId('nav-people').click()
    await expect(people.tile(named.id)).toHaveAttribute('data-name', NAME)
    await expect(people.tile(a.id)).toHaveAttribute('data-count', String(merged - 3))
    await expect(people.tile(newPerson!.id)).toHaveAttribute('data-count', '3')
    await shot(page, 'people-13-after-restart-people')

    // The profile survived the restart; Settings counts this annotator's answers and can switch back.
    await page.getByTestId('status-annotator').click()
    await expect(page.getByTestId('settings-screen')).toBeVisible()
    const row = page.locator(`[data-testid="annotator-row"][data-name="${ANNOTATOR}"]`)
    await expect(row).toBeVisible()
    const answers = await api<HistoryEntry[]>(page, again, 'annotations.history', { faceId: card3[0]! })
    expect(answers.every((h) => h.annotator === ANNOTATOR)).toBe(true)
    expect(Number(await row.getAttribute('data-count'))).toBeGreaterThanOrEqual(card1.length + card2.length)
    await shot(page, 'people-14-settings')
    await page.locator(`[data-testid="annotator-recent"][data-name="${osUser}"]`).click()
    await expect(page.getByTestId('status-annotator')).toHaveText(`as ${osUser}`)
    await expect(page.getByTestId('annotator-current')).toHaveText(osUser)
  } finally {
    await again.stop()
  }
})
