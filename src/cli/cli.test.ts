import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { readCsv, runCli, sharedData, tempDir, type CliResult } from '../test/support'

const home = tempDir('cli-home')

const cli = (...args: string[]): CliResult => runCli(home, args)

describe('face-studio CLI', () => {
  const project = path.join(tempDir('cli'), 'proj')
  const folder = path.join(sharedData, 'expression_faceapi_examples', 'images')

  it('imports a folder (creating the project) and prints exactly one JSON object', () => {
    const r = cli('import', folder, '--project', project, '--json')
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout.trim().split('\n')).toHaveLength(1)
    expect(Object.keys(r.json).sort()).toEqual(
      expect.arrayContaining(['images', 'faces', 'skipped', 'errors', 'backend', 'seconds'])
    )
    expect(r.json.images).toBe(7)
    expect(r.json.faces).toBeGreaterThanOrEqual(7)
    expect(r.json.errors).toEqual([])
    expect(String(r.json.backend)).toMatch(/^(wasm|cpu|tensorflow|CUDA)/)
    const again = cli('import', folder, '--project', project, '--json')
    expect(again.json).toMatchObject({ images: 0, skipped: 7 })
  })

  it('reports stats with tasks, versions and the backend', () => {
    const r = cli('stats', '--project', project, '--json')
    expect(r.status, r.stderr).toBe(0)
    expect(r.json).toMatchObject({ images: 7, persons: 0, annotations: 0 })
    expect((r.json.tasks as Array<{ name: string }>).map((t) => t.name).sort()).toEqual([
      'age',
      'expression',
      'gender_presentation'
    ])
    expect((r.json.versions as Array<{ version: number }>).every((v) => v.version === 0)).toBe(true)
    expect(typeof r.json.backend).toBe('string')
  })

  it('exports one row per face with box, person and per-task prediction', () => {
    const out = path.join(tempDir('cli-out'), 'faces.csv')
    const r = cli('export', '--project', project, '--format', 'csv', '--out', out)
    expect(r.status, r.stderr).toBe(0)
    const rows = readCsv(out)
    expect(rows.length).toBeGreaterThanOrEqual(7)
    const happy = rows.find((row) => row.path?.endsWith('/happy.jpg'))
    expect(happy).toBeDefined()
    expect(Number(happy?.w)).toBeGreaterThan(20)
    expect(happy).toHaveProperty('person_id')
    expect(happy?.expression_pred).toBe('happy')
    expect(Number(happy?.expression_conf)).toBeGreaterThan(0.5)
    expect(['feminine', 'masculine']).toContain(happy?.gender_presentation_pred)
    const json = path.join(tempDir('cli-out'), 'faces.json')
    expect(cli('export', '--project', project, '--format', 'json', '--out', json).status).toBe(0)
    expect((JSON.parse(fs.readFileSync(json, 'utf8')) as unknown[]).length).toBe(rows.length)
  })

  it('exports a scope: --unlabelled-for a task, --folder, --person; an empty scope is an error', () => {
    const dir = tempDir('cli-scope')
    const labels = path.join(dir, 'l.csv')
    fs.writeFileSync(labels, `path,label\n${path.join(folder, 'happy.jpg')},happy\n`)
    const l = cli('label', '--project', project, '--task', 'expression', '--csv', labels, '--json')
    expect(l.status, l.stderr).toBe(0)
    expect(l.json.applied).toBeGreaterThanOrEqual(1)
    const all = readCsv(cliOut('all.csv'))
    const todo = readCsv(cliOut('todo.csv', '--unlabelled-for', 'expression'))
    expect(todo.length).toBe(all.length - (l.json.applied as number))
    expect(todo.some((r) => r.path?.endsWith('/happy.jpg'))).toBe(false)
    expect(readCsv(cliOut('folder.csv', '--folder', folder))).toHaveLength(all.length)
    const empty = cli(
      'export',
      '--project',
      project,
      '--format',
      'csv',
      '--out',
      path.join(dir, 'e.csv'),
      '--person',
      '99999',
      '--json'
    )
    expect(empty.status).not.toBe(0)
    expect(empty.stderr + empty.stdout).toMatch(/no faces in the scope/)
    expect(fs.existsSync(path.join(dir, 'e.csv'))).toBe(false)

    function cliOut(name: string, ...flags: string[]): string {
      const out = path.join(dir, name)
      const r = cli('export', '--project', project, '--format', 'csv', '--out', out, ...flags)
      expect(r.status, r.stderr).toBe(0)
      return out
    }
  })

  it('refuses an --out that is an existing folder with a clear error and leaves no temp file', () => {
    const dir = tempDir('cli-out-dir')
    const r = cli('export', '--project', project, '--format', 'csv', '--out', dir, '--json')
    expect(r.status).not.toBe(0)
    const err = r.json.error as { code: string; message: string }
    expect(err.code).toBe('BAD_ARGS')
    expect(err.message).toMatch(/is a folder; the export needs a file name/)
    expect(fs.readdirSync(dir)).toEqual([])
    expect(
      fs.readdirSync(path.dirname(dir)).filter((f) => f.includes(path.basename(dir)) && f.endsWith('.tmp'))
    ).toEqual([])
    const noDir = cli(
      'export',
      '--project',
      project,
      '--format',
      'csv',
      '--out',
      path.join(dir, 'nope', 'x.csv'),
      '--json'
    )
    expect((noDir.json.error as { code: string }).code).toBe('BAD_ARGS')
    expect(fs.readdirSync(dir)).toEqual([])
  })

  it('fails with a message and a non-zero code on misuse', () => {
    const noProject = cli('import', folder)
    expect(noProject.status).not.toBe(0)
    expect(noProject.stderr).toMatch(/--project is required/)
    const badFlag = cli('stats', '--project', project, '--frobnicate')
    expect(badFlag.status).not.toBe(0)
    expect(badFlag.stderr).toMatch(/unknown option --frobnicate/)
    const badDetector = cli('import', folder, '--project', project, '--detector', 'yolo')
    expect(badDetector.stderr).toMatch(/ssd or tiny/)
    const missing = cli('stats', '--project', path.join(tempDir('x'), 'none'), '--json')
    expect(missing.status).not.toBe(0)
    expect((missing.json.error as { code: string }).code).toBe('NOT_FOUND')
    expect(cli('frobnicate').status).not.toBe(0)
  })
})
