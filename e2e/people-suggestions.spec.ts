/**
 * Issue 13, "the 'Is this …?' strip never appeared when tried as a new user would": eight LFW people imported and
 * clustered at the default threshold, each person named, People opened → the strip shows a face for a named
 * person at once (the old rule, limited to the clustering threshold, returned nothing here). Screenshot.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import type { PersonSuggestion, PersonSummary } from '../src/shared/domain'
import { expect, repoRoot, sharedData, shot, tempDir, test } from './fixtures'
import { api, expectThumbsLoaded } from './pages'

const PEOPLE = [
  'Adrien_Brody',
  'Alejandro_Toledo',
  'Bill_Frist',
  'Bob_Hope',
  'Harrison_Ford',
  'Kofi_Annan',
  'Meryl_Streep',
  'Jennifer_Lopez'
]

function cli(home: string, args: string[]): void {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'face-studio.cjs'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, FACE_STUDIO_HOME: home }
  })
  if (r.status !== 0) throw new Error(`face-studio ${args[0]} failed: ${r.stderr}`)
}

test('people: the suggestions strip shows for named persons after a first clustering', async ({ page, server }) => {
  test.setTimeout(600_000)
  const photos = tempDir('lfw-suggest')
  for (const p of PEOPLE) {
    const dir = path.join(sharedData, 'identity_lfw', 'images', p)
    if (fs.existsSync(dir)) fs.symlinkSync(dir, path.join(photos, p))
  }
  const project = path.join(tempDir('proj'), 'Suggestions e2e')
  cli(server.home, ['import', photos, '--project', project, '--json'])
  cli(server.home, ['cluster', '--project', project, '--json'])

  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(server.url)
  await api(page, server, 'project.open', { dir: project })
  const list = await api<{ items: PersonSummary[] }>(page, server, 'people.list', { offset: 0, limit: 100 })
  for (const [i, p] of list.items.entries())
    await api(page, server, 'people.rename', { id: p.id, name: `Person ${i + 1}` })
  const offered = await api<PersonSuggestion[]>(page, server, 'people.suggestions', { limit: 30 })
  expect(offered.length).toBeGreaterThan(0)

  await page.reload()
  await page.getByTestId('nav-people').click()
  const strip = page.getByTestId('suggestion-strip')
  await expect(strip).toBeVisible()
  await expect(page.getByTestId('suggestion-question')).toContainText('Is this Person')
  await expect(strip).toHaveAttribute('data-face-id', String(offered[0]?.faceId))
  await expectThumbsLoaded(page.getByTestId('person-tile'))
  await shot(page, 'people-suggestions-01-strip')
})
