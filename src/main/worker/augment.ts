/**
 * Op `features.augment` ("augment existing faces", issue 11 §2): faces imported before mirrored views were stored
 * get them now, from their photos: read, check the content is still what was imported, decode as the import did,
 * crop each face at its stored landmarks' aligned box, mirror it, run the expression and age/gender nets
 * (ml/analyze.ts attributesFromLandmarks). No detection and no landmark net: the stored alignment is reused.
 *
 * Commit points: one transaction per photo (library/photo-rows.ts storeMirroredFeatures), as the import commits.
 * A cancel is checked before each photo; what finished stays (and is said in the cancel's message), the rest is
 * computed by the next run, which skips every face that already has its views.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs/promises'
import { AppError } from '../../shared/result'
import { facesMissingMirrors, mirrorCoverage, type FaceMissingMirror } from '../library/features'
import { storeMirroredFeatures } from '../library/photo-rows'
import { attributesFromLandmarks } from '../ml/analyze'
import { currentBackend } from '../ml/backend'
import { ensureMlReady } from '../ml/runtime'
import { projectDb } from './db'
import { decodeForAnalysis } from './import-file'
import type { OpParsed } from './protocol'
import type { OpContext } from './runtime'

export interface AugmentProgress {
  done: number
  total: number
  augmented: number
  skipped: number
  message: string
}

export interface AugmentOpResult {
  /** Faces with attribute features in the project. */
  faces: number
  /** Faces that got their mirrored views in this run. */
  augmented: number
  /** Faces whose photo could not be used (gone, changed since import, unreadable, no stored landmarks). */
  skipped: number
  /** Faces that had their views before this run. */
  already: number
  /** A few skipped photos and why. */
  problems: Array<{ path: string; reason: string }>
  seconds: number
  backend: string
}

function byPhoto(faces: readonly FaceMissingMirror[]): FaceMissingMirror[][] {
  const out: FaceMissingMirror[][] = []
  for (const f of faces) {
    const last = out[out.length - 1]
    if (last && last[0]!.imageId === f.imageId) last.push(f)
    else out.push([f])
  }
  return out
}

const MAX_PROBLEMS = 10

export async function augmentOp(
  p: OpParsed<'features.augment'>,
  ctx: OpContext<AugmentProgress>
): Promise<AugmentOpResult> {
  const started = performance.now()
  const db = projectDb(p.projectDir)
  const missing = facesMissingMirrors(db)
  const { faces } = mirrorCoverage(db, 'expression')
  const total = missing.length
  let done = 0
  let augmented = 0
  let skipped = 0
  const problems: AugmentOpResult['problems'] = []
  const report = (message: string): void => ctx.progress({ done, total, augmented, skipped, message })
  const skip = (photo: FaceMissingMirror[], reason: string): void => {
    skipped += photo.length
    if (problems.length < MAX_PROBLEMS) problems.push({ path: photo[0]!.path, reason })
  }
  if (total > 0) await ensureMlReady()
  report(`${total} faces to compute`)
  for (const photo of byPhoto(missing)) {
    if (ctx.signal.aborted)
      throw new AppError(
        'CANCELLED',
        `Cancelled: mirrored features were computed for ${augmented} of ${total} faces and are kept; run it again for the rest.`
      )
    const usable = photo.filter((f) => f.landmarks?.length === 136)
    if (usable.length < photo.length) skip(photo.slice(usable.length), 'no stored landmarks')
    if (usable.length > 0) {
      let buf: Buffer | null = null
      try {
        buf = await fs.readFile(photo[0]!.path)
      } catch (e) {
        skip(usable, `cannot read the photo (${(e as NodeJS.ErrnoException).code ?? 'error'})`)
      }
      if (buf && photo[0]!.contentHash && createHash('sha256').update(buf).digest('hex') !== photo[0]!.contentHash) {
        skip(usable, 'the photo changed since it was imported (import it again)')
        buf = null
      }
      if (buf) {
        try {
          const decoded = await decodeForAnalysis(buf)
          // Stored landmarks are in full-resolution pixels; the analysis ran on the decoded copy.
          const views = await attributesFromLandmarks(
            decoded.rgb,
            usable.map((f) => f.landmarks!.map((v) => v / decoded.scale))
          )
          const rows = usable.flatMap((f, i) => {
            const v = views[i]
            return v ? [{ faceId: f.faceId, expression: v.expressionMirror, ageGender: v.ageGenderMirror }] : []
          })
          if (rows.length < usable.length) skip(usable.slice(rows.length), 'the face falls outside the photo')
          storeMirroredFeatures(db, rows)
          augmented += rows.length
        } catch (e) {
          skip(usable, `could not decode the photo: ${e instanceof Error ? e.message : String(e)}`)
        }
      }
    }
    done += photo.length
    report(`Mirrored features: ${augmented} of ${total} faces`)
  }
  return {
    faces,
    augmented,
    skipped,
    already: faces - total,
    problems,
    seconds: (performance.now() - started) / 1000,
    backend: currentBackend()?.name ?? 'unknown'
  }
}
