/**
 * The FER+ crops every FER+ suite needs (models/ferplus, app/label-errors, app/soft-targets-ferplus), imported
 * once per test run (shared-import.ts).
 *
 * FACE_STUDIO_TEST_FERPLUS_DIR=<dir> (a dev shortcut) points at an existing <dir>/imgs + <dir>/proj instead.
 */
import fs from 'node:fs'
import path from 'node:path'
import { sharedImport, sharedProjectCopy } from './shared-import'
import { readCsv, sharedData } from './support'

export const FERPLUS = path.join(sharedData, 'expression_ferplus')
/** FER+ plurality labels that map onto the built-in expression task (contempt, unknown and not-a-face do not). */
export const FERPLUS_USABLE = new Set(['neutral', 'happiness', 'surprise', 'sadness', 'anger', 'disgust', 'fear'])

export interface FerplusCache {
  /** Folder of symlinks to the usable FER+ images, one per row, named as in labels.csv. */
  imgs: string
  /** A project with every image of `imgs` imported as a crop; copy it before writing. */
  proj: string
  /** The import's JSON summary, so a test can still assert on it. */
  summary: Record<string, unknown>
}

export async function ferplusCache(): Promise<FerplusCache> {
  const dev = process.env.FACE_STUDIO_TEST_FERPLUS_DIR
  if (dev && fs.existsSync(path.join(dev, 'proj', 'studio.db')) && fs.existsSync(path.join(dev, 'imgs'))) {
    return { imgs: path.join(dev, 'imgs'), proj: path.join(dev, 'proj'), summary: { errors: [] } }
  }
  const s = await sharedImport(
    'ferplus',
    (imgs) => {
      for (const r of readCsv(path.join(FERPLUS, 'labels.csv'))) {
        if (!FERPLUS_USABLE.has(r.label_plurality ?? '')) continue
        fs.symlinkSync(path.join(FERPLUS, r.path ?? ''), path.join(imgs, path.basename(r.path ?? '')))
      }
    },
    ['--crops']
  )
  return { imgs: s.images, proj: s.proj, summary: s.summary }
}

/** A private, writable copy of the cached project at `dest`. */
export async function ferplusProject(dest: string): Promise<FerplusCache> {
  const cache = await ferplusCache()
  await sharedProjectCopy(Promise.resolve({ images: cache.imgs, proj: cache.proj, summary: cache.summary }), dest)
  return cache
}
