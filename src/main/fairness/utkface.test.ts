/**
 * Issue 6 on real data, through the CLI: UTKFace crops (400 of the shared 800 faces, labels.csv: gender, race,
 * age_bin) →
 * tasks `race` and `age_band` (face-level, labels from the CSV) and `gender_presentation` (male → masculine,
 * female → feminine) →
 * (a) per-group metrics of the BUILT-IN gender head (version 0) by race and by age band equal a hand
 *     computation (exact tp/fp/tn/fn per group and class) from the predictions table and labels.csv, on the
 *     evaluation set (`--group-task`) and on all the faces (`--csv … --group-column race`);
 * (b) a reweighting sweep over ω ∈ {0, 0.5, 1} (groups: race) yields one version per ω, and the picked
 *     version's largest TPR gap between races is not larger than version 0's;
 * plus a penalty-mitigated training run (metadata), per-group thresholds, a bias probe and conflicts.
 *
 * Minimum group size: the evaluation set is 200 of the 400 faces, ~40 per race and 5–40 per age band, so
 * the default of 30 would leave most age bands unranked; this test uses 20 (races and the larger age bands
 * are ranked, the rest flagged small).
 * Dev shortcut: FACE_STUDIO_TEST_UTK_DIR=<dir> reuses <dir>/imgs + a copy of <dir>/proj if both exist.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { beforeAll, describe, expect, it } from 'vitest'
import type { GroupClassStats, GroupMetricsInfo, JobInfo, SweepSummary } from '../../shared/domain'
import { cliOk, readCsv, runCli, sharedData, tempDir, testContext, type CliResult } from '../../test/support'
import { dispatch } from '../api/dispatch'
import { annotate } from '../labels/annotations'
import { findConflicts } from './conflicts'
import { resolveGrouping } from './groups'

const UTK = path.join(sharedData, 'demographics_utkface')
const home = tempDir('fair-home')
const MIN = '20'
const GENDER = { male: 'masculine', female: 'feminine' } as const
const AGE_BANDS = ['0-2', '3-9', '10-19', '20-29', '30-39', '40-49', '50-59', '60-69', '70+']
const RACES = ['White', 'Black', 'Asian', 'Indian', 'Others']

const cli = (...args: string[]): CliResult => runCli(home, [...args, '--json'])
const ok = cliOk

type Counts = Record<string, Record<string, { tp: number; fp: number; tn: number; fn: number; support: number }>>

/** tp/fp/tn/fn per group and class from (truth, pred, group) rows: the hand computation. */
function handCounts(rows: Array<{ truth: string; pred: string; group: string }>, labels: string[]): Counts {
  const out: Counts = {}
  for (const r of rows) {
    const g = (out[r.group] ??= Object.fromEntries(labels.map((l) => [l, { tp: 0, fp: 0, tn: 0, fn: 0, support: 0 }])))
    for (const l of labels) {
      const c = g[l]!
      const t = r.truth === l
      const p = r.pred === l
      if (t) c.support++
      if (t && p) c.tp++
      else if (!t && p) c.fp++
      else if (t && !p) c.fn++
      else c.tn++
    }
  }
  return out
}

function expectCounts(perGroup: Record<string, GroupClassStats>, hand: Counts): void {
  expect(Object.keys(perGroup).sort()).toEqual(Object.keys(hand).sort())
  for (const [g, classes] of Object.entries(hand)) {
    const got = perGroup[g]!
    let n = 0
    let correct = 0
    for (const [label, c] of Object.entries(classes)) {
      const r = got.per_class[label]!
      expect({ group: g, label, tp: r.tp, fp: r.fp, tn: r.tn, fn: r.fn, support: r.support }).toEqual({
        group: g,
        label,
        ...c
      })
      expect(r.tpr).toBe(c.tp + c.fn === 0 ? null : c.tp / (c.tp + c.fn))
      expect(r.fpr).toBe(c.fp + c.tn === 0 ? null : c.fp / (c.fp + c.tn))
      n = c.tp + c.fp + c.tn + c.fn
      correct += c.tp
    }
    expect(got.n).toBe(n)
    expect(got.accuracy).toBeCloseTo(correct / n, 12)
  }
}

/** Largest TPR spread over classes between groups of at least `min` faces. */
function tprGap(perGroup: Record<string, GroupClassStats>, min: number): number {
  let best = 0
  const groups = Object.values(perGroup).filter((g) => g.n >= min)
  for (const label of Object.keys(groups[0]?.per_class ?? {})) {
    const v = groups.map((g) => g.per_class[label]!.tpr).filter((x): x is number => x !== null)
    if (v.length >= 2) best = Math.max(best, Math.max(...v) - Math.min(...v))
  }
  return best
}

describe.skipIf(!fs.existsSync(UTK))('fairness on UTKFace (issue 6)', () => {
  const work = tempDir('fair-utk')
  let imgs = path.join(work, 'imgs')
  const project = path.join(work, 'proj')
  // Every other row of the shared 800 (still balanced by gender × race): the import of 200×200 crops runs SSD on
  // each and dominated the suite's time. The subset's labels.csv sits beside a link to the shared images folder,
  // so its relative paths resolve as the original's do.
  const csv = path.join(work, 'labels.csv')
  const rows = readCsv(path.join(UTK, 'labels.csv')).filter((_, i) => i % 2 === 0)
  const N = rows.length
  const byBase = new Map(rows.map((r) => [path.basename(r.path!), r]))
  const db = (): Database.Database => new Database(path.join(project, 'studio.db'), { readonly: true })

  /** v0 predictions (written at import) and CSV truth/groups per face, read straight from the database. */
  function facesWithTruth(): Array<{ faceId: number; pred: string; row: Record<string, string> }> {
    const d = db()
    try {
      const list = d
        .prepare(
          `SELECT f.id AS faceId, i.path AS path, p.value AS pred FROM faces f JOIN images i ON i.id = f.image_id
           JOIN tasks t ON t.name = 'gender_presentation'
           JOIN model_versions v ON v.task_id = t.id AND v.version = 0
           JOIN predictions p ON p.face_id = f.id AND p.task_id = t.id AND p.version_id = v.id`
        )
        .all() as Array<{ faceId: number; path: string; pred: string }>
      return list.map((f) => ({ faceId: f.faceId, pred: f.pred, row: byBase.get(path.basename(f.path))! }))
    } finally {
      d.close()
    }
  }

  function evalMembers(): Set<number> {
    const d = db()
    try {
      return new Set(
        d
          .prepare(
            `SELECT face_id FROM evaluation_set e JOIN tasks t ON t.id = e.task_id
             WHERE t.name = 'gender_presentation' AND e.member = 1`
          )
          .pluck()
          .all() as number[]
      )
    } finally {
      d.close()
    }
  }

  beforeAll(() => {
    const lines = fs.readFileSync(path.join(UTK, 'labels.csv'), 'utf8').split(/\r?\n/)
    fs.writeFileSync(csv, [lines[0], ...lines.slice(1).filter((l, i) => l !== '' && i % 2 === 0)].join('\n') + '\n')
    fs.symlinkSync(path.join(UTK, 'images'), path.join(work, 'images'))
    expect(readCsv(csv)).toEqual(rows)
    const cache = process.env.FACE_STUDIO_TEST_UTK_DIR
    if (cache && fs.existsSync(path.join(cache, 'proj', 'studio.db')) && fs.existsSync(path.join(cache, 'imgs'))) {
      imgs = path.join(cache, 'imgs')
      fs.cpSync(path.join(cache, 'proj'), project, { recursive: true })
    } else {
      fs.mkdirSync(imgs)
      for (const r of rows) fs.symlinkSync(path.join(UTK, r.path!), path.join(imgs, path.basename(r.path!)))
    }
  }, 60_000)

  it('imports the crops, creates race / age_band and labels all three tasks from labels.csv', () => {
    if (!fs.existsSync(path.join(project, 'studio.db'))) {
      const imp = ok(cli('import', imgs, '--project', project, '--crops'))
      expect(imp.errors).toEqual([])
      expect(imp.faces).toBe(N)
    }
    ok(cli('task', 'create', '--project', project, '--name', 'race', '--labels', RACES.join(','), '--level', 'face'))
    ok(
      cli(
        'task',
        'create',
        '--project',
        project,
        '--name',
        'age_band',
        '--labels',
        AGE_BANDS.join(','),
        '--level',
        'face'
      )
    )
    const label = (task: string, column: string, ...extra: string[]): Record<string, unknown> =>
      ok(cli('label', '--project', project, '--task', task, '--csv', csv, '--label-column', column, ...extra))
    expect(label('race', 'race')).toMatchObject({ applied: N, unmatched: 0, invalid: 0 })
    expect(label('age_band', 'age_bin')).toMatchObject({ applied: N, unmatched: 0, invalid: 0 })
    expect(label('gender_presentation', 'gender', '--map', 'male=masculine,female=feminine')).toMatchObject({
      applied: N,
      unmatched: 0,
      invalid: 0
    })
  }, 1_200_000)

  let v0RaceGap = 0
  let v0ByRace: Record<string, GroupClassStats> = {}

  it('(a) v0 per-group metrics by race and by age band match a hand count on the evaluation set', () => {
    const byRace = ok(
      cli(
        'eval',
        '--project',
        project,
        '--task',
        'gender_presentation',
        '--version',
        '0',
        '--group-task',
        'race',
        '--min-group-size',
        MIN
      )
    )
    const members = evalMembers()
    expect(members.size).toBe(byRace.n)
    const faces = facesWithTruth().filter((f) => members.has(f.faceId))
    expect(faces).toHaveLength(members.size)
    const labels = ['feminine', 'masculine', 'androgynous']
    const truth = (f: (typeof faces)[number]): string => GENDER[f.row.gender as 'male' | 'female']
    const raceHand = handCounts(
      faces.map((f) => ({ truth: truth(f), pred: f.pred, group: f.row.race! })),
      labels
    )
    const perRace = byRace.per_group as Record<string, GroupClassStats>
    expectCounts(perRace, raceHand)
    expect(byRace).toHaveProperty('max_gap')
    expect(byRace).toHaveProperty('dp_diff')
    expect(byRace).toHaveProperty('eo_diff')
    expect(byRace.grouping).toMatchObject({ tasks: ['race'], source: 'annotations' })
    v0ByRace = perRace
    v0RaceGap = tprGap(perRace, Number(MIN))
    expect((byRace.tpr_gap as { value: number }).value).toBeCloseTo(v0RaceGap, 12)
    console.log(
      `v0 by race (eval set, n=${byRace.n}): ` +
        Object.entries(perRace)
          .map(
            ([g, s]) =>
              `${g} n=${s.n} acc=${s.accuracy.toFixed(3)} TPR fem=${s.per_class.feminine!.tpr?.toFixed(3)} masc=${s.per_class.masculine!.tpr?.toFixed(3)}`
          )
          .join('; ') +
        ` | max_gap ${JSON.stringify(byRace.max_gap)} tpr_gap ${v0RaceGap.toFixed(3)} dp ${Number(byRace.dp_diff).toFixed(3)} eo ${Number(byRace.eo_diff).toFixed(3)}`
    )

    const byAge = ok(
      cli(
        'eval',
        '--project',
        project,
        '--task',
        'gender_presentation',
        '--version',
        '0',
        '--group-task',
        'age_band',
        '--min-group-size',
        MIN
      )
    )
    const perAge = byAge.per_group as Record<string, GroupClassStats>
    expectCounts(
      perAge,
      handCounts(
        faces.map((f) => ({ truth: truth(f), pred: f.pred, group: f.row.age_bin! })),
        labels
      )
    )
    const small = Object.entries(perAge)
      .filter(([, s]) => s.n < Number(MIN))
      .map(([g]) => g)
      .sort()
    expect([...(byAge.small_groups as string[])].sort()).toEqual(small)
    console.log(
      `v0 by age band: ` +
        Object.entries(perAge)
          .map(([g, s]) => `${g} n=${s.n} acc=${s.accuracy.toFixed(3)}${s.small ? ' (small)' : ''}`)
          .join('; ') +
        ` | max_gap ${JSON.stringify(byAge.max_gap)}`
    )
  }, 300_000)

  it('(a) the same on every face with --csv and --group-column', () => {
    const r = ok(
      cli(
        'eval',
        '--project',
        project,
        '--task',
        'gender_presentation',
        '--version',
        '0',
        '--csv',
        csv,
        '--label-column',
        'gender',
        '--map',
        'male=masculine,female=feminine',
        '--group-column',
        'race',
        '--min-group-size',
        MIN
      )
    )
    expect(r.n).toBe(N)
    const faces = facesWithTruth()
    const hand = handCounts(
      faces.map((f) => ({ truth: GENDER[f.row.gender as 'male' | 'female'], pred: f.pred, group: f.row.race! })),
      ['feminine', 'masculine', 'androgynous']
    )
    expectCounts(r.per_group as Record<string, GroupClassStats>, hand)
    console.log(`v0 by race (all ${N}): tpr_gap ${JSON.stringify(r.tpr_gap)} accuracy ${Number(r.accuracy).toFixed(3)}`)
    // An intersection: gender × race groups partition the evaluation set.
    const x = ok(
      cli(
        'fairness',
        'metrics',
        '--project',
        project,
        '--task',
        'gender_presentation',
        '--version',
        '0',
        '--group-task',
        'race',
        '--by',
        'age_band',
        '--min-group-size',
        MIN
      )
    )
    const xs = x.per_group as Record<string, GroupClassStats>
    expect(Object.keys(xs).every((k) => k.includes(' × '))).toBe(true)
    expect(Object.values(xs).reduce((s, g) => s + g.n, 0)).toBe(x.n)
  }, 300_000)

  let sweep: SweepSummary

  it('(b) a reweighting sweep gives the curve; the picked version is no more biased than v0', () => {
    sweep = ok(
      cli(
        'sweep',
        '--project',
        project,
        '--task',
        'gender_presentation',
        '--mitigation',
        'reweight',
        '--group-task',
        'race',
        '--values',
        '0,0.5,1',
        '--min-group-size',
        MIN
      )
    ) as unknown as SweepSummary
    expect(sweep.points.map((p) => p.value)).toEqual([0, 0.5, 1])
    expect(sweep.baseline.version).toBe(0)
    expect(sweep.baseline.gap).toBeCloseTo(v0RaceGap, 12)
    // The start version competes with the mitigated ones: the pick is the least-biased within the budget.
    const candidates = [sweep.baseline, ...sweep.points]
    expect(candidates.filter((p) => p.picked)).toHaveLength(1)
    const picked = candidates.find((p) => p.picked)!
    expect(picked.version).toBe(sweep.picked)
    const best = Math.max(...candidates.map((p) => p.overall.accuracy as number))
    expect(picked.overall.accuracy as number).toBeGreaterThanOrEqual(best - sweep.accuracy_budget - 1e-12)
    for (const c of candidates) {
      if ((c.overall.accuracy as number) >= best - sweep.accuracy_budget - 1e-12 && c.gap !== null) {
        expect(picked.gap as number).toBeLessThanOrEqual(c.gap + 1e-12)
      }
    }
    console.log(
      `sweep (${sweep.seconds.toFixed(1)} s, ${sweep.backend}): baseline v0 acc ${(sweep.baseline.overall.accuracy as number).toFixed(3)} gap ${sweep.baseline.gap?.toFixed(3)} | ` +
        sweep.points
          .map(
            (p) =>
              `ω=${p.value} v${p.version} acc ${(p.overall.accuracy as number).toFixed(3)} gap ${p.gap?.toFixed(3)} (${p.tpr_gap?.metric})${p.picked ? ' PICKED' : ''}`
          )
          .join(' | ')
    )
    expect(picked.gap as number).toBeLessThanOrEqual(v0RaceGap + 1e-12)

    const versions = ok(cli('versions', '--project', project, '--task', 'gender_presentation')).versions as Array<{
      version: number
      active: boolean
      mitigation: { method: string; params: Record<string, unknown> } | null
    }>
    for (const p of sweep.points) {
      const v = versions.find((x) => x.version === p.version)!
      expect(v.active).toBe(false)
      expect(v.mitigation).toMatchObject({ method: 'reweight', params: { omega: p.value, group_task: 'race' } })
    }
    const act = ok(
      cli('activate', '--project', project, '--task', 'gender_presentation', '--version', String(sweep.picked))
    )
    expect(act).toMatchObject({ version: sweep.picked, active: true })
  }, 600_000)

  it('trains with a group penalty, compares per group, equalises TPR by thresholds, probes bias', () => {
    const t = ok(
      cli(
        'train',
        '--project',
        project,
        '--task',
        'gender_presentation',
        '--mitigation',
        'penalty',
        '--group-task',
        'race',
        '--strength',
        '1',
        '--no-activate'
      )
    )
    const versions = ok(cli('versions', '--project', project, '--task', 'gender_presentation')).versions as Array<{
      version: number
      mitigation: { method: string; params: Record<string, unknown> } | null
    }>
    expect(versions.find((v) => v.version === t.version)?.mitigation).toMatchObject({
      method: 'penalty',
      params: { lambda: 1, mode: 'loss', group_task: 'race' }
    })
    const cmp = ok(
      cli(
        'fairness',
        'compare',
        '--project',
        project,
        '--task',
        'gender_presentation',
        '--a',
        '0',
        '--b',
        String(t.version),
        '--group-task',
        'race',
        '--min-group-size',
        MIN
      )
    )
    expect(Object.keys(cmp.deltas as object).sort()).toEqual([...RACES].sort())
    console.log(`penalty λ=1 v${t.version}: summary deltas vs v0 ${JSON.stringify(cmp.summary_deltas)}`)

    const th = ok(
      cli(
        'fairness',
        'thresholds',
        '--project',
        project,
        '--task',
        'gender_presentation',
        '--version',
        '0',
        '--group-task',
        'race',
        '--positive',
        'feminine',
        '--tolerance',
        '0.02',
        '--min-group-size',
        MIN
      )
    )
    expect(Object.keys(th.per_group as object).sort()).toEqual([...RACES].sort())
    expect(th.accuracy_cost).toBeCloseTo((th.accuracy_before as number) - (th.accuracy_after as number), 12)
    console.log(
      `thresholds v0 (feminine TPR): gap ${Number(th.gap_before).toFixed(3)} → ${Number(th.gap_after).toFixed(3)}, accuracy ${Number(th.accuracy_before).toFixed(3)} → ${Number(th.accuracy_after).toFixed(3)}`
    )

    const probe = ok(
      cli(
        'fairness',
        'probe',
        '--project',
        project,
        '--task',
        'gender_presentation',
        '--version',
        '0',
        '--attribute',
        'age_band'
      )
    )
    const probeRows = probe.rows as Record<string, { n: number; p: Record<string, number> }>
    expect(Object.values(probeRows).reduce((s, r) => s + r.n, 0)).toBe(N)
    const faces = facesWithTruth()
    const kids = faces.filter((f) => f.row.age_bin === '0-2')
    expect(probeRows['0-2']!.p.feminine).toBeCloseTo(kids.filter((f) => f.pred === 'feminine').length / kids.length, 12)
  }, 600_000)

  it('serves group metrics and a penalty sweep through the app calls', async () => {
    const ctx = testContext()
    try {
      ctx.openProject(project)
      const gm = await dispatch(ctx, {}, 'fairness.groupMetrics', {
        task: 'gender_presentation',
        version: 0,
        groupTask: 'race',
        minGroupSize: Number(MIN)
      })
      expect(gm.ok).toBe(true)
      expect((gm as { value: GroupMetricsInfo }).value.per_group).toEqual(v0ByRace)
      const groupings = await dispatch(ctx, {}, 'fairness.groupings', {})
      const race = (
        groupings as { value: Array<{ task: string; faces: number; values: Record<string, number> }> }
      ).value.find((g) => g.task === 'race')
      expect(race).toMatchObject({
        faces: N,
        values: Object.fromEntries(RACES.map((r) => [r, rows.filter((x) => x.race === r).length]))
      })
      // Predicted groups only when asked, and never silently: race has no model, so this is refused.
      const predicted = await dispatch(ctx, {}, 'fairness.groupMetrics', {
        task: 'gender_presentation',
        version: 0,
        groupTask: 'race',
        source: 'predicted'
      })
      expect(predicted).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
      const bad = await dispatch(ctx, {}, 'fairness.sweep', {
        task: 'gender_presentation',
        method: 'drop',
        groupTask: 'race',
        values: [1]
      })
      expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_ARGS', path: 'method' } })

      const started = await dispatch(ctx, {}, 'fairness.sweep', {
        task: 'gender_presentation',
        method: 'penalty',
        groupTask: 'race',
        values: [0.5, 2],
        minGroupSize: Number(MIN)
      })
      expect(started.ok).toBe(true)
      const jobId = (started as { value: JobInfo }).value.id
      let job = ctx.jobs.get(jobId)!
      while (job.status === 'queued' || job.status === 'running') {
        await new Promise((r) => setTimeout(r, 100))
        job = ctx.jobs.get(jobId)!
      }
      expect(job.status, job.error ?? '').toBe('done')
      const s = job.result as SweepSummary
      expect(s.points.map((p) => p.value)).toEqual([0.5, 2])
      expect(s.baseline.version).toBe(sweep.picked)
      console.log(
        `penalty sweep from v${s.baseline.version} (acc ${(s.baseline.overall.accuracy as number).toFixed(3)}, gap ${s.baseline.gap?.toFixed(3)}): ` +
          s.points
            .map(
              (p) =>
                `λ=${p.value} v${p.version} acc ${(p.overall.accuracy as number).toFixed(3)} gap ${p.gap?.toFixed(3)}${p.picked ? ' PICKED' : ''}`
            )
            .join(' | ')
      )
    } finally {
      await ctx.dispose()
    }
  }, 600_000)

  it('lists identity-consistency conflicts with thumbs, contradictions first', () => {
    const cluster = ok(cli('cluster', '--project', project))
    expect(cluster).toHaveProperty('clusters')
    const rw = new Database(path.join(project, 'studio.db'))
    try {
      const persons = rw
        .prepare(
          'SELECT person_id AS id, COUNT(*) AS n FROM faces WHERE person_id IS NOT NULL GROUP BY person_id HAVING n >= 2 ORDER BY n DESC'
        )
        .all() as Array<{ id: number; n: number }>
      if (persons.length === 0) return
      // A person-level label on the largest person, set to the minority prediction so some faces contradict it.
      const person = persons[0]!
      annotate(rw, {
        task: 'gender_presentation',
        annotator: 'test',
        items: [{ target: 'person', id: person.id, value: 'androgynous', source: 'person' }]
      })
      // A person-level label is a grouping for every face of the person (annotations, not predictions).
      const g = resolveGrouping(rw, { task: 'gender_presentation' })
      const faceIds = rw.prepare('SELECT id FROM faces WHERE person_id = ?').pluck().all(person.id) as number[]
      expect(faceIds.every((id) => g.groupOf.get(id) === 'androgynous')).toBe(true)
      expect(g.source).toBe('annotations')
      const r = findConflicts(rw, { tasks: ['gender_presentation'] })
      expect(r.persons_checked).toBe(persons.length)
      const first = r.items[0]!
      expect(first).toMatchObject({ kind: 'contradicts_person_label', personId: person.id, personLabel: 'androgynous' })
      expect(first.faces[0]!.thumb).toBe(`thumb/${first.faces[0]!.faceId}`)
      const kinds = r.items.map((i) => i.kind)
      const firstDisagreement = kinds.indexOf('prediction_disagreement')
      if (firstDisagreement >= 0) expect(kinds.slice(firstDisagreement)).not.toContain('contradicts_person_label')
      console.log(
        `conflicts: ${r.total} over ${r.persons_checked} persons (${kinds.filter((k) => k === 'prediction_disagreement').length} disagreements)`
      )
    } finally {
      rw.close()
    }
  }, 300_000)
})
