import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import sharp from 'sharp'
import { afterAll, describe, expect, it } from 'vitest'
import type { AppContext } from '../app/context'
import { startImport, type ImportSummary } from '../app/import-job'
import { repoRoot, sharedData, tempDir, testContext } from '../../test/support'

const examples = path.join(sharedData, 'expression_faceapi_examples', 'images')
const contexts: AppContext[] = []
afterAll(async () => {
  for (const c of contexts) await c.dispose()
})

function context(): AppContext {
  const c = testContext()
  contexts.push(c)
  return c
}

async function runImport(ctx: AppContext, folder: string, crops = false): Promise<ImportSummary> {
  const job = await startImport(ctx, { folder, crops, detector: 'ssd' }).done
  if (job.status !== 'done') throw new Error(`import ${job.status}: ${job.error}`)
  return job.result as ImportSummary
}

/** A PNG whose header claims 30000×30000 pixels: a decompression bomb that must be refused before decoding. */
function pngBomb(): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(zlib.crc32(body) >>> 0)
    return Buffer.concat([len, body, crc])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(30000, 0)
  ihdr.writeUInt32BE(30000, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 2 // RGB
  const idat = zlib.deflateSync(Buffer.alloc(30000 * 3 + 1))
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0))
  ])
}

async function badInputCorpus(): Promise<{ dir: string; good: string[]; bad: string[] }> {
  const dir = tempDir('corpus')
  const sub = path.join(dir, 'nested', 'deeper')
  fs.mkdirSync(sub, { recursive: true })
  const happy = fs.readFileSync(path.join(examples, 'happy.jpg'))
  fs.copyFileSync(path.join(examples, 'happy.jpg'), path.join(dir, 'happy.jpg'))
  fs.copyFileSync(path.join(examples, 'surprised.jpg'), path.join(sub, 'surprised.jpg'))
  await sharp(happy).webp().toFile(path.join(dir, 'happy-copy.webp'))
  // Pixels stored sideways with an EXIF tag saying "rotate 90° to view": the face is upright only if orientation is applied.
  await sharp(happy).rotate(270).withMetadata({ orientation: 6 }).jpeg().toFile(path.join(sub, 'exif-rotated.jpg'))
  await sharp(path.join(examples, 'sad.jpg')).png().toFile(path.join(dir, 'sad.png'))
  fs.writeFileSync(
    path.join(dir, 'corrupt.jpg'),
    Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000, 0x5a)])
  )
  fs.writeFileSync(path.join(dir, 'truncated.jpg'), happy.subarray(0, Math.floor(happy.length * 0.4)))
  fs.writeFileSync(path.join(dir, 'empty.jpg'), '')
  fs.writeFileSync(path.join(dir, 'notes.jpg'), 'these are my notes, not a photo\n')
  fs.writeFileSync(path.join(dir, 'bomb.png'), pngBomb())
  fs.writeFileSync(path.join(dir, 'README.txt'), 'not an image, and not pretending to be one')
  fs.symlinkSync('..', path.join(sub, 'loop'))
  fs.writeFileSync(
    Buffer.concat([Buffer.from(dir + '/bad-name-'), Buffer.from([0xff, 0xfe]), Buffer.from('.jpg')]),
    happy
  )
  const unreadable = path.join(dir, 'unreadable.jpg')
  fs.copyFileSync(path.join(examples, 'sad.jpg'), unreadable)
  fs.chmodSync(unreadable, 0o000)
  const root = process.getuid?.() === 0
  const good = [
    'happy.jpg',
    'happy-copy.webp',
    'sad.png',
    'nested/deeper/surprised.jpg',
    'nested/deeper/exif-rotated.jpg'
  ]
  // As root, permissions do not stop reading, so the unreadable file is a good one there.
  if (root) good.push('unreadable.jpg')
  const bad = ['corrupt.jpg', 'truncated.jpg', 'empty.jpg', 'notes.jpg', 'bomb.png', 'nested/deeper/loop', 'bad-name-']
  if (!root) bad.push('unreadable.jpg')
  return { dir, good, bad }
}

describe('import', () => {
  it('imports every good file and records one readable error per bad one', async () => {
    const ctx = context()
    ctx.createProject(path.join(tempDir('imp'), 'p'))
    const corpus = await badInputCorpus()
    const s = await runImport(ctx, corpus.dir)
    const db = ctx.requireProject().db
    const ok = db
      .prepare(`SELECT rel_path, width, height FROM images WHERE status = 'ok' ORDER BY rel_path`)
      .all() as Array<{ rel_path: string; width: number; height: number }>
    expect(ok.map((r) => r.rel_path).sort()).toEqual([...corpus.good].sort())
    expect(s.images).toBe(corpus.good.length)
    expect(s.ignored).toBe(1) // README.txt
    const errors = db.prepare(`SELECT rel_path, error FROM images WHERE status = 'error'`).all() as Array<{
      rel_path: string
      error: string
    }>
    expect(errors).toHaveLength(corpus.bad.length)
    for (const bad of corpus.bad) {
      const hits = errors.filter((e) => e.rel_path.startsWith(bad))
      expect(hits, bad).toHaveLength(1)
      expect(hits[0]?.error.length, bad).toBeGreaterThan(10)
    }
    expect(errors.find((e) => e.rel_path === 'bomb.png')?.error).toMatch(/too large|decompression/i)
    expect(errors.find((e) => e.rel_path === 'empty.jpg')?.error).toMatch(/empty/i)
    expect(errors.find((e) => e.rel_path.startsWith('bad-name-'))?.error).toMatch(/UTF-8/)
    expect(s.errors).toHaveLength(corpus.bad.length)

    // Every good photo has at least one face, with features, a thumbnail on disk and the built-in predictions.
    const faces = db
      .prepare(
        `SELECT i.rel_path, f.id, f.thumb, (SELECT COUNT(*) FROM face_features ff WHERE ff.face_id = f.id) AS feats,
                (SELECT COUNT(*) FROM predictions p WHERE p.face_id = f.id) AS preds
         FROM faces f JOIN images i ON i.id = f.image_id`
      )
      .all() as Array<{ rel_path: string; id: number; thumb: string; feats: number; preds: number }>
    for (const g of corpus.good)
      expect(
        faces.some((f) => f.rel_path === g),
        g
      ).toBe(true)
    for (const f of faces) {
      // identity, expression, age_gender and the two mirrored views.
      expect(f.feats).toBe(5)
      expect(f.preds).toBe(3)
      expect(fs.existsSync(path.join(ctx.requireProject().thumbsDir, f.thumb))).toBe(true)
    }
    // EXIF orientation applied: the stored size is the upright one (the source pixels are stored sideways).
    const rotated = ok.find((r) => r.rel_path.endsWith('exif-rotated.jpg'))
    const upright = ok.find((r) => r.rel_path === 'happy.jpg')
    expect([rotated?.width, rotated?.height]).toEqual([upright?.width, upright?.height])

    // Re-import: unchanged files are skipped, nothing is duplicated; a new file is picked up.
    fs.copyFileSync(path.join(examples, 'angry.jpg'), path.join(corpus.dir, 'angry.jpg'))
    const again = await runImport(ctx, corpus.dir)
    expect(again.skipped).toBe(corpus.good.length)
    expect(again.images).toBe(1)
    expect(db.prepare(`SELECT COUNT(*) FROM images WHERE status = 'ok'`).pluck().get()).toBe(corpus.good.length + 1)
    expect(db.prepare(`SELECT COUNT(*) FROM images WHERE status = 'error'`).pluck().get()).toBe(corpus.bad.length)
  })

  it('resumes after the importing process is killed (kill -9), without duplicates or lost work', async () => {
    const src = path.join(sharedData, 'identity_lfw', 'images')
    const folder = tempDir('lfw')
    const people = fs.readdirSync(src).sort().slice(0, 4)
    for (const person of people) fs.symlinkSync(path.join(src, person), path.join(folder, person))
    const total = people.reduce((n, p) => n + fs.readdirSync(path.join(src, p)).length, 0)

    const project = path.join(tempDir('kill'), 'p')
    const home = tempDir('kill-home')
    const cli = (): ReturnType<typeof spawn> =>
      spawn(
        process.execPath,
        [path.join(repoRoot, 'bin', 'face-studio.cjs'), 'import', folder, '--project', project, '--json'],
        {
          env: { ...process.env, FACE_STUDIO_HOME: home },
          stdio: ['ignore', 'pipe', 'ignore']
        }
      )
    const first = cli()
    // Kill as soon as a few images are committed.
    const Database = (await import('better-sqlite3')).default
    const countImages = (): number => {
      if (!fs.existsSync(path.join(project, 'studio.db'))) return 0
      const db = new Database(path.join(project, 'studio.db'), { readonly: true, fileMustExist: true })
      try {
        return db.prepare(`SELECT COUNT(*) FROM images WHERE status = 'ok'`).pluck().get() as number
      } catch {
        return 0
      } finally {
        db.close()
      }
    }
    const deadline = Date.now() + 120_000
    while (countImages() < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    first.kill('SIGKILL')
    await new Promise((r) => first.once('exit', r))
    const before = countImages()
    expect(before).toBeGreaterThanOrEqual(5)
    expect(before).toBeLessThan(total)

    const second = cli()
    let out = ''
    second.stdout?.on('data', (d: Buffer) => (out += d.toString()))
    const code = await new Promise((r) => second.once('exit', r))
    expect(code).toBe(0)
    const result = JSON.parse(out) as { images: number; skipped: number; faces: number; errors: unknown[] }
    expect(result.skipped).toBeGreaterThanOrEqual(before)
    expect(result.images + result.skipped).toBe(total)
    expect(result.errors).toEqual([])
    expect(countImages()).toBe(total)
    const db = new Database(path.join(project, 'studio.db'), { readonly: true })
    const dupes = db
      .prepare(`SELECT COUNT(*) FROM (SELECT path FROM images GROUP BY path HAVING COUNT(*) > 1)`)
      .pluck()
      .get()
    const orphans = db
      .prepare(
        `SELECT COUNT(*) FROM images i WHERE status = 'ok' AND NOT EXISTS (SELECT 1 FROM faces f WHERE f.image_id = i.id)`
      )
      .pluck()
      .get() as number
    db.close()
    expect(dupes).toBe(0)
    // LFW photos are face-centred: nearly every one has a face (a few profile shots may not).
    expect(orphans).toBeLessThanOrEqual(Math.ceil(total * 0.05))
  })

  it('treats a pre-cropped dataset as one face per image in crops mode', async () => {
    const ctx = context()
    ctx.createProject(path.join(tempDir('crops'), 'p'))
    const src = path.join(sharedData, 'expression_ferplus', 'images', 'happiness')
    const folder = tempDir('fer')
    for (const f of fs.readdirSync(src).sort().slice(0, 12)) fs.symlinkSync(path.join(src, f), path.join(folder, f))
    const s = await runImport(ctx, folder, true)
    expect(s.images).toBe(12)
    expect(s.faces).toBe(12)
    const db = ctx.requireProject().db
    const perImage = db.prepare(`SELECT COUNT(*) AS n FROM faces GROUP BY image_id`).pluck().all() as number[]
    expect(perImage.every((n) => n === 1)).toBe(true)
    // Each worker lane says where its time went; together they account for every face and every photo's writes.
    expect(s.stages).toHaveLength(ctx.workers.size)
    expect(s.stages.reduce((n, st) => n + st.faces, 0)).toBe(12)
    for (const st of s.stages) {
      const parts = st.read + st.decode + st.detect + st.landmarks + st.descriptor + st.expression + st.ageGender
      expect(parts + st.thumbs + st.preview + st.predict + st.sqlite).toBeLessThanOrEqual(st.busy + 0.01)
      expect(st.busy + st.ipc + st.waiting).toBeLessThanOrEqual(st.wall + 0.01)
    }
    for (const stage of ['decode', 'landmarks', 'descriptor', 'thumbs', 'preview', 'sqlite'] as const) {
      expect(s.stages.some((st) => st[stage] > 0)).toBe(true)
    }
    // Without the option, the same 48×48 crops give (almost) no detections: that is why the option exists.
    const plain = context()
    plain.createProject(path.join(tempDir('nocrops'), 'p'))
    const s2 = await runImport(plain, folder, false)
    expect(s2.faces).toBeLessThan(6)
  })
})
