import fs from 'node:fs'
import path from 'node:path'
import { afterAll, it } from 'vitest'
import { startImport, type ImportSummary } from '../src/main/app/import-job'
import type { ImportStages } from '../src/shared/domain'
import { analyzeImageTimed } from '../src/main/ml/analyze'
import { decodeImage } from '../src/main/ml/decode'
import { ensureMlReady } from '../src/main/ml/runtime'
import { currentBackend, describeBackend } from '../src/main/ml/backend'
import { faceapi, tf, toFaceApi } from '../src/main/ml/tfjs'
import { sharedData, tempDir, testContext } from '../src/test/support'
import type { AppContext } from '../src/main/app/context'
import { peakRssMiB, record } from './report'

const sets = [
  { name: 'group_photos', dir: path.join(sharedData, 'group_photos', 'images'), crops: false, limit: 10 },
  { name: 'identity_deepface', dir: path.join(sharedData, 'identity_deepface', 'images'), crops: false, limit: 24 },
  { name: 'expression_ferplus', dir: path.join(sharedData, 'expression_ferplus', 'images'), crops: true, limit: 300 }
]

function listImages(dir: string, limit: number): string[] {
  const out: string[] = []
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (out.length >= limit) return
      const p = path.join(d, e.name)
      if (e.isDirectory()) walk(p)
      else if (/\.(jpe?g|png|webp)$/i.test(e.name)) out.push(p)
    }
  }
  walk(dir)
  return out
}

function linkFolder(files: string[]): string {
  const dir = tempDir('bench')
  files.forEach((f, i) => fs.symlinkSync(f, path.join(dir, `${String(i).padStart(5, '0')}${path.extname(f)}`)))
  return dir
}

function roundStages(s: ImportStages): Record<string, number> {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Math.round(v)]))
}

/** Where each worker's time went in the studio import (issue 13 §4), as a table the next person can read. */
function printStages(set: string, stages: ImportStages[]): void {
  const all = [
    'read',
    'decode',
    'detect',
    'landmarks',
    'descriptor',
    'expression',
    'ageGender',
    'thumbs',
    'preview',
    'predict',
    'sqlite'
  ] as const
  const lines = stages.map((s, i) => {
    const other = s.busy - all.reduce((n, k) => n + s[k], 0)
    const cells = [...all.map((k) => s[k]), other, s.ipc, s.waiting, s.wall].map((v) => String(Math.round(v)))
    return `| ${i} | ${s.requests} | ${s.faces} | ${cells.join(' | ')} |`
  })
  const head = ['worker', 'requests', 'faces', ...all, 'other', 'ipc', 'waiting', 'wall']
  console.log(
    [`stages (ms) ${set}`, `| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...lines].join('\n')
  )
}

const contexts: AppContext[] = []
afterAll(async () => {
  for (const c of contexts) await c.dispose()
})

it('import throughput: studio pipeline (N workers) vs a plain face-api loop', async () => {
  await ensureMlReady()
  const backend = describeBackend(currentBackend())
  // BENCH_SETS=group_photos,identity_deepface runs only those.
  const only = process.env.BENCH_SETS?.split(',')
  for (const set of sets.filter((x) => !only || only.includes(x.name))) {
    const files = listImages(set.dir, set.limit)
    const folder = linkFolder(files)

    // The plain single-threaded face-api loop, in this process, on the same decoded images.
    let plainFaces = 0
    const stage = { detectMs: 0, landmarksMs: 0, descriptorMs: 0, expressionMs: 0, ageGenderMs: 0, faces: 0 }
    const t0 = performance.now()
    for (const f of files) {
      const img = await decodeImage(f)
      const input = tf.tensor3d(img.data, [img.height, img.width, 3], 'int32')
      const results = await faceapi
        .detectAllFaces(toFaceApi(input), new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 }))
        .withFaceLandmarks()
        .withFaceDescriptors()
        .withFaceExpressions()
        .withAgeAndGender()
      input.dispose()
      plainFaces += results.length
    }
    const plainSeconds = (performance.now() - t0) / 1000
    // Per-stage timings of our own analysis path (same process, single-threaded).
    for (const f of files.slice(0, Math.min(files.length, 20))) {
      const r = await analyzeImageTimed(await decodeImage(f), { detector: 'ssd', crops: set.crops })
      for (const k of Object.keys(stage) as Array<keyof typeof stage>) stage[k] += r.timings[k]
    }

    const ctx = testContext()
    contexts.push(ctx)
    ctx.createProject(path.join(tempDir('bench-proj'), 'p'))
    await ctx.backend()
    // Steady-state throughput: workers load their models before the clock starts (cold start is reported apart).
    const c0 = performance.now()
    await ctx.workers.warmUp()
    const coldStartSeconds = (performance.now() - c0) / 1000
    const t1 = performance.now()
    const job = await startImport(ctx, { folder, crops: set.crops, detector: 'ssd' }).done
    const seconds = (performance.now() - t1) / 1000
    const summary = job.result as ImportSummary
    const workers = ctx.workers.acquire()
    const rss = workers.map((w) => (w.pid ? peakRssMiB(w.pid) : null))
    // The same import with each photo's faces kept on one worker, to show what splitting them buys.
    let noSplitSeconds: number | null = null
    if (!set.crops) {
      const again = testContext()
      contexts.push(again)
      again.createProject(path.join(tempDir('bench-proj'), 'p'))
      await again.backend()
      await again.workers.warmUp()
      const t2 = performance.now()
      await startImport(again, { folder, crops: set.crops, detector: 'ssd', splitFaces: false }).done
      noSplitSeconds = (performance.now() - t2) / 1000
    }
    printStages(set.name, summary.stages)
    const n = Math.min(files.length, 20)
    record(`import:${set.name}`, {
      backend,
      studio_backend: summary.backend,
      images: files.length,
      faces: summary.faces,
      seconds: +seconds.toFixed(2),
      worker_cold_start_seconds: +coldStartSeconds.toFixed(2),
      images_per_s: +(files.length / seconds).toFixed(2),
      faces_per_s: +(summary.faces / seconds).toFixed(2),
      plain_loop_seconds: +plainSeconds.toFixed(2),
      plain_loop_faces: plainFaces,
      plain_images_per_s: +(files.length / plainSeconds).toFixed(2),
      speedup_vs_plain: +(plainSeconds / seconds).toFixed(2),
      split_photos: summary.splitPhotos,
      seconds_without_split: noSplitSeconds === null ? null : +noSplitSeconds.toFixed(2),
      speedup_vs_plain_without_split: noSplitSeconds === null ? null : +(plainSeconds / noSplitSeconds).toFixed(2),
      stage_ms_per_image_detect: +(stage.detectMs / n).toFixed(1),
      stage_ms_per_face: {
        landmarks: +(stage.landmarksMs / Math.max(1, stage.faces)).toFixed(1),
        descriptor: +(stage.descriptorMs / Math.max(1, stage.faces)).toFixed(1),
        expression: +(stage.expressionMs / Math.max(1, stage.faces)).toFixed(1),
        age_gender: +(stage.ageGenderMs / Math.max(1, stage.faces)).toFixed(1)
      },
      worker_stages_ms: summary.stages.map(roundStages),
      peak_rss_mib_per_worker: rss,
      peak_rss_mib_bench_process: peakRssMiB(process.pid)
    })
  }
})
